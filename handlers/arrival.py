"""What surrounds the features: the arrival rules, applied once before every feature handler (group -2), and the
fallback after them all (typed answers to pending dialogs, /huy (/cancel), unknown commands, unsupported content).
`register` adds both and is called after every feature (handlers/registry.py): group -2 runs first whatever the
order, while the fallback's group-0 handlers must come after the features'.

The arrival rules, what an update may be at all:

- An **edited message** never counts as new input: python-telegram-bot would hand it to the same handlers, so an
  edited answer was saved as the answer to the *next* question and an edited command ran again. The person is
  told to type the correction as a new message instead (the simple rule that is correct on every path); an edited
  command is told to type the command again as a new message. (The Zalo Bot Platform sends no edits.)
- A **forwarded text** is not the person's own typed answer or command: they are asked to type it themselves.
  A forwarded photo or document is accepted, since a file is what it is whoever sent it first.
- In a **group chat** only commands declared `in_groups` (the status board and the chart) run; every other
  command answers "please use a private chat with the bot", so invitations and reports never land in a group.
- A **button pressed in a group chat** (any data, forged included) is handled as usual, but while its update is
  processed the outbox writer lets nothing reach the group except what is declared fit for a group
  (`bot.transport.outbox.for_group`: the status board and the chart): every other answer goes to the presser's
  private chat. One who has no private chat with the bot (not registered on Telegram) is told so in the group,
  in one short line, and nothing else runs.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters,
)

from bot.domain import Actor, DomainError
from bot.i18n import N_
from bot.transport.outbox import for_group
from handlers.commands import CommandSpec
from handlers.common import answer_query, command_name, registered, reply, tr_for
from handlers.context import BotApp, BotContext

EDITED = N_("Editing a message you already sent does not change your answer. Please type the correction as a new "
            "message.")
EDITED_COMMAND = N_("Editing a command you already sent does not run it again. Please type the command anew, as a new "
                    "message: {command}")
FORWARDED = N_("A forwarded message is not taken as your answer. Please type your answer (or the command) yourself.")
GROUP = -2  # first of all: before the typed invitation and linking codes (handlers/identity/entry.py, group -1)
PRIVATE_ONLY = N_("Please use this command in your private chat with me, not in a group.")
NO_PRIVATE_CHAT = N_("Please open your private chat with me first: {link}")


def _actor_translator(update: Update, context: BotContext):  # noqa: ANN202
    user = update.effective_user
    actor = context.services.people.actor_for("telegram", str(user.id)) if user else None
    return tr_for(update, context, actor)


async def arrive(update: Update, context: BotContext) -> None:
    """Stop edits, forwarded text and private commands in groups before any feature sees them."""
    edited = update.edited_message or update.edited_channel_post or update.edited_business_message
    if edited is not None:
        if edited.chat.type == "private":
            _ = _actor_translator(update, context).gettext
            name = command_name(edited, context.bot.username)
            text = _(EDITED_COMMAND).format(command=f"/{name}") if name else _(EDITED)
            await reply(update, context, text)
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != "private" and not _has_private_chat(update, context):
            await answer_query(update)
            with for_group():
                await reply(update, context, _actor_translator(update, context).gettext(NO_PRIVATE_CHAT).format(
                    link=f"https://t.me/{context.bot.username}"))
            raise ApplicationHandlerStop
        return
    message = update.message
    if message is None:
        return
    private = message.chat.type == "private"
    if private and message.forward_origin is not None and message.text is not None:
        await reply(update, context, _actor_translator(update, context).gettext(FORWARDED))
        raise ApplicationHandlerStop
    if not private:
        name = command_name(message, context.bot.username)
        spec = next((s for s in context.bot_data.commands if name in s.names), None) if name else None
        if spec is None:
            return
        if not _has_private_chat(update, context):
            with for_group():
                await reply(update, context, _actor_translator(update, context).gettext(NO_PRIVATE_CHAT).format(
                    link=f"https://t.me/{context.bot.username}"))
            raise ApplicationHandlerStop
        if not spec.in_groups:
            with for_group():
                await reply(update, context, _actor_translator(update, context).gettext(PRIVATE_ONLY))
            raise ApplicationHandlerStop


def _has_private_chat(update: Update, context: BotContext) -> bool:
    """A person registered on Telegram has a private chat with the bot (they registered there)."""
    user = update.effective_user
    return user is not None and context.services.people.actor_for("telegram", str(user.id)) is not None


# The fallback, registered last ---------------------------------------------------------------------------------
COMMANDS = [CommandSpec("huy", "cancel", N_("Cancel what I am waiting for you to type"), lambda a: True)]
TEXT_LIMIT = 4000  # a typed answer longer than this is refused whole rather than cut


@registered()
async def cancel(update: Update, context: BotContext, actor: Actor) -> None:
    """Forget the pending question; saved answers stay saved."""
    _ = context.tr(actor.locale).gettext
    had = context.services.dialogs.get(actor.person_id)
    context.services.dialogs.clear(actor.person_id)
    await reply(update, context, _("Cancelled. Everything you saved before is kept.") if had
                else _("There is nothing to cancel."))


@registered()
async def text_typed(update: Update, context: BotContext, actor: Actor) -> None:
    """Hand typed text to the feature whose question is pending, or explain what the bot can do."""
    _ = context.tr(actor.locale).gettext
    dialog = context.services.dialogs.get(actor.person_id)
    route = context.bot_data.dialog_routes.get(dialog.kind) if dialog else None
    if route is None:
        await reply(update, context, _("I did not understand. Type /help to see what I can do for you."))
        return
    if len(update.effective_message.text or "") > TEXT_LIMIT:
        await reply(update, context, _("Your message is too long ({n} characters). Please keep it under {limit} "
                                       "characters, or attach a file.").format(
            n=len(update.effective_message.text), limit=TEXT_LIMIT))
        return
    try:
        await route.on_text(update, context, actor, dialog)
    except DomainError as error:  # the question stays pending: the person simply types again
        text = _(error.message)
        await reply(update, context, text.format(**error.params) if error.params else text)


@registered()
async def file_sent(update: Update, context: BotContext, actor: Actor) -> None:
    """A photo or document: useful only when a question is waiting for a file."""
    _ = context.tr(actor.locale).gettext
    dialog = context.services.dialogs.get(actor.person_id)
    route = context.bot_data.dialog_routes.get(dialog.kind) if dialog else None
    if route is None or route.on_file is None:
        message = _("Thank you, but I was not expecting a file here. Type /help to see what I can do for you.")
        if route is not None:
            message = _("Please answer in text here; a file is not expected for this question.")
        await reply(update, context, message)
        return
    try:
        await route.on_file(update, context, actor, dialog)
    except DomainError as error:
        text = _(error.message)
        await reply(update, context, text.format(**error.params) if error.params else text)


@registered()
async def unsupported(update: Update, context: BotContext, actor: Actor) -> None:
    """Stickers, voice, locations and the like."""
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("I can only read text messages, photos and documents. "
                                   "Type /help to see what I can do for you."))


@registered()
async def unknown_command(update: Update, context: BotContext, actor: Actor) -> None:
    """A command nobody registered, or one this person's role does not have."""
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("Unknown command. Type /help to see the commands you can use."))


@registered()
async def stale_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A button no handler recognises (an old message, or forged data)."""
    await answer_query(update)
    await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))


def register(app: BotApp) -> None:
    """The arrival rules (group -2) and the fallback; call it after every feature."""
    app.add_handler(TypeHandler(Update, arrive), group=GROUP)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler(COMMANDS[0].names, cancel))
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_typed))
    app.add_handler(MessageHandler(private & (filters.Document.ALL | filters.PHOTO), file_sent))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, unsupported))
    app.add_handler(CallbackQueryHandler(stale_button))
