"""Helpers shared by handlers: who is speaking, permission gates, replies and buttons."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from contextlib import nullcontext

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.callbacks import LIMIT
from bot.channels.zalo.request import KEEP_FILE
from bot.channels.zalo.updates import photo_url_of
from bot.domain import Actor, Button, DomainError, OutMessage, Recipient
from bot.i18n import N_, Translator
from bot.services import Services
from bot.services.channels.addresses import is_synthetic
from bot.text import chunk_text, parse_int
from bot.transport.outbox import for_group, meant
from handlers.context import BotContext

log = logging.getLogger(__name__)

ActorHandler = Callable[[Update, BotContext, Actor], Awaitable[Any]]


def markup(buttons: Sequence[Sequence[Button]] | None) -> InlineKeyboardMarkup | None:
    """Telegram keyboard from channel-neutral buttons; data over 64 bytes is a programming error."""
    if not buttons:
        return None
    rows = []
    for row in buttons:
        for button in row:
            if len(button.data.encode("utf-8")) > LIMIT:
                raise ValueError(f"callback data too long: {button.data!r}")
        rows.append([InlineKeyboardButton(b.label, callback_data=b.data) for b in row])
    return InlineKeyboardMarkup(rows)


async def send_text(context: BotContext | Bot, chat_id: int | str, text: str,
                    buttons: Sequence[Sequence[Button]] | None = None) -> Message:
    """Send text of any length: split under Telegram's 4,096 limit, buttons on the last piece."""
    bot = context if isinstance(context, Bot) else context.bot
    pieces = chunk_text(text)
    message: Message | None = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        message = await bot.send_message(chat_id, piece, reply_markup=markup(buttons) if last else None)
    assert message is not None
    return message


async def reply(update: Update, context: BotContext, text: str,
                buttons: Sequence[Sequence[Button]] | None = None) -> Message:
    """Answer in the chat the update came from; a button press without a message (an inline message, or
    forged) is answered in the person's private chat, whose id is theirs."""
    chat = update.effective_chat
    return await send_text(context, chat.id if chat is not None else update.effective_user.id, text, buttons)


async def reply_out(update: Update, context: BotContext, out: OutMessage) -> Message:
    return await reply(update, context, out.text, out.buttons)


async def deliver(context: BotContext, recipient: Recipient, out: OutMessage) -> bool:
    """Send to a person from a handler; see `deliver_with`."""
    return await deliver_with(context.bot, context.services, recipient, out)


async def deliver_with(bot: Bot, services: Services, recipient: Recipient, out: OutMessage) -> bool:
    """Queue a message for a person (also from periodic tasks) on their preferred channel, once; True when it was
    queued, False when the person has no channel at all (nothing to tell them by).

    Every call goes through the outbox: while Zalo refuses (a 429 lately) a person who also has Telegram gets it
    there, one who has only Zalo keeps it queued until Zalo accepts again; a failure when it is sent (a block)
    falls back to the other channel in the sender (bot.transport.fallback)."""
    spent = frozenset({"zalo"}) if services.addressing.quota_hit("zalo") else frozenset()
    routes = services.addressing.deliverable(recipient, spent)
    if not routes:
        log.info("person %s has no channel to deliver to", recipient.person_id)
        return False
    # A group addressed as a recipient (the Office's group) is sent what was written for it, even while an update
    # from that group is processed; a person's copy never goes to a group (bot.transport.outbox).
    with for_group() if recipient.person_id <= 0 else nullcontext():
        await send_text(bot, routes[0].chat_id, out.text, out.buttons)
    return True


async def answer_query(update: Update, text: str | None = None) -> None:
    """Acknowledge a button press; a press older than Telegram allows is acknowledged by silence."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text)
    except BadRequest:  # "query is too old": the press still gets handled
        pass


async def drop_buttons(update: Update, acknowledge: bool = False) -> None:
    """Remove the keyboard of the message whose button was pressed, so it cannot be pressed twice.

    A routine removal is dropped by the outbox (presses are re-checked on the server anyway, and it was 18% of
    all calls); with `acknowledge` the removal is what tells the person it is done ("Nhắc lại sau"), so it is
    kept by the outbox."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        with meant() if acknowledge else nullcontext():
            await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError:
        pass


def tr_for(update: Update, context: BotContext, actor: Actor | None = None) -> Translator:
    """Translator for the person: their stored language, else the language their Telegram reports."""
    if actor is not None:
        return context.tr(actor.locale)
    user = update.effective_user
    return context.tr(user.language_code if user else None)


async def keep_file(context: BotContext, attachment: dict | None) -> None:
    """A photo a Zalo user sent is known only by a Zalo media URL, which expires: queue its fetch into the file
    store (`services.files`). Like every call, it is an outbox row in the update's transaction, carried out by the
    Zalo sender after the commit (no network while the update is processed); a Telegram file needs nothing."""
    file_id = str((attachment or {}).get("file_id") or "")
    if photo_url_of(file_id) is not None and not context.services.files.has(file_id):
        await context.bot.do_api_request(KEEP_FILE, api_kwargs={"file_id": file_id})


def in_zalo_chat(update: Update) -> bool:
    """Whether the update comes from a Zalo chat (its stand-in id): no buttons, no edits in place, and every message
    counts against the monthly quota."""
    chat = update.effective_chat
    return chat is not None and is_synthetic(chat.id)


# What a stranger on Zalo sees: no Telegram id to pass on there, but a code to type.
ZALO_STRANGER = N_("Hello! Your Zalo account is not yet registered with the Emulation Assistant of the Department "
                   "of Science and Technology.\n\nIf the Administration Office sent you an invitation code, type it "
                   "here (for example K7QM-4XPD-9HTR). If you already use the assistant on Telegram, type /link "
                   "there to get a linking code, then type that code here.")


async def send_stranger_notice(update: Update, context: BotContext) -> None:
    """What an unregistered person sees, whatever they send: on Telegram their id, to pass to the Office; on
    Zalo (a stand-in id, meaningless to the Office) how to type an invitation or linking code."""
    await answer_query(update)
    _ = tr_for(update, context).gettext
    user_id = update.effective_user.id if update.effective_user else None
    if is_synthetic(user_id):
        await reply(update, context, _(ZALO_STRANGER))
        return
    await reply(update, context, _(
        "Hello! Your Telegram account is not yet registered with the Emulation Assistant of the "
        "Department of Science and Technology.\n\nPlease send this number to the Administration Office "
        "so they can send you an invitation link: {user_id}"
    ).format(user_id=user_id if user_id is not None else "?"))


KEEPS_DIALOG = frozenset({"huy", "cancel"})  # /huy reports what it cancels


def command_name(message: Message, bot_username: str | None) -> str | None:
    """The command a message starts with ("/tinhhinh@Bot" -> "tinhhinh"); None when it is not one or names
    another bot."""
    text = message.text or ""
    entity = next((e for e in message.entities or () if e.type == "bot_command" and e.offset == 0), None)
    if entity is None:
        return None
    name, _at, target = text[1:entity.length].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()


def starts_new_command(update: Update, bot_username: str | None) -> bool:
    """A typed command other than /huy: the person has moved on, so a typed answer that was pending ends here
    (a number typed after /donvi must not land in the /xuatbaocao menu left open before it)."""
    name = command_name(update.message, bot_username) if update.message is not None else None
    return name is not None and name not in KEEPS_DIALOG


def registered(check: Callable[[Actor], bool] | None = None) -> Callable[[ActorHandler], Callable]:
    """Resolve the speaking person on the server, refuse strangers and anyone `check` rejects."""

    def decorate(handler: ActorHandler) -> Callable[[Update, BotContext], Awaitable[Any]]:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: BotContext) -> Any:
            user = update.effective_user
            if user is None:
                return None
            # Telegram ids as they are; a Zalo chat's stand-in id names its Zalo account (bot/channels/zalo).
            actor = context.services.people.actor_for(*context.services.addresses.speaker(user.id))
            if actor is None:
                await send_stranger_notice(update, context)
                return None
            if starts_new_command(update, context.bot.username):
                context.services.dialogs.clear(actor.person_id)
            if check is not None and not check(actor):
                await answer_query(update)
                await reply(update, context, context.tr(actor.locale).gettext(
                    "You do not have permission to do this."))
                return None
            try:
                return await handler(update, context, actor)
            except DomainError as error:
                await answer_query(update)
                text = context.tr(actor.locale).gettext(error.message)
                await reply(update, context, text.format(**error.params) if error.params else text)
                return None

        return wrapper

    return decorate


def int_or_none(value: str | None) -> int | None:
    """A number typed or carried in button data: ASCII digits within the database's integer range, else None."""
    return parse_int(value)
