"""/dulieu (/mydata): its typed words and buttons, leading to one's own personal data (handlers/privacy/mine.py)
or the Office's requests (handlers/privacy/office.py); the daily retention cleanup (bot/services/privacy/retention.py)
on the ticker."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Pv, parse
from bot.domain import Actor, DomainError
from bot.i18n import N_
from bot.services.dialogs import Dialog
from bot.text import fold
from handlers.commands import CommandSpec, everyone
from handlers.common import answer_query, drop_buttons, int_or_none, registered, reply
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.privacy import mine, office

COMMANDS = [CommandSpec("dulieu", "mydata", N_("Your personal data: see it, take a copy, ask to correct or erase"),
                        everyone)]
OWNER = f"{socket.gethostname()}:{os.getpid()}"[:48]
EXPORT_WORDS, CORRECT_WORDS, ERASE_WORDS = {"xuat", "export", "tai"}, {"sua", "correct"}, {"xoa", "erase"}
CONFIRM_WORDS = {"xacnhan", "confirm"}
REQUESTS_WORDS, RECEIVED_WORDS, DONE_WORDS = {"yeucau", "requests"}, {"tiepnhan", "received"}, {"xong", "done"}
ONLY_OFFICE = N_("Only the Administration Office handles requests about personal data.")


async def _office_only(update: Update, context: BotContext, actor: Actor) -> bool:
    if actor.is_office:
        return True
    await reply(update, context, context.tr(actor.locale).gettext(ONLY_OFFICE))
    return False


@registered(everyone)
async def data_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/dulieu [xuat | sua <text> | xoa [xacnhan] | yeucau | tiepnhan <n> | xong <n> [xacnhan]]."""
    words = [fold(w) for w in context.args]
    first, rest = (words[0] if words else ""), context.args[1:]
    if not first:
        await mine.show(update, context, actor)
    elif first in EXPORT_WORDS:
        await mine.send_copy(update, context, actor)
    elif first in CORRECT_WORDS:
        if rest:
            await mine.file_request(update, context, actor, "correct", " ".join(rest))
        else:
            await mine.ask_correction(update, context, actor)
    elif first in ERASE_WORDS:
        if words[1:] and words[1] in CONFIRM_WORDS:
            await mine.file_request(update, context, actor, "erase")
        else:
            await mine.ask_erasure(update, context, actor)
    elif first in REQUESTS_WORDS | RECEIVED_WORDS | DONE_WORDS:
        await office_command(update, context, actor, first, words[1:])
    else:
        _ = context.tr(actor.locale).gettext
        await reply(update, context, _("I did not understand. Type /mydata to see your data and the choices."))


async def office_command(update: Update, context: BotContext, actor: Actor, word: str, args: list[str]) -> None:
    if not await _office_only(update, context, actor):
        return
    if word in REQUESTS_WORDS:
        await office.show_requests(update, context, actor)
        return
    number = int_or_none(args[0].lstrip("#")) if args else None
    if number is None:
        _ = context.tr(actor.locale).gettext
        await reply(update, context, _("Please add the request's number, for example /mydata done 3."))
    elif word in RECEIVED_WORDS:
        await office.acknowledge(update, context, actor, number)
    else:
        await office.done(update, context, actor, number, confirmed=bool(args[1:]) and args[1] in CONFIRM_WORDS)


@registered(everyone)
async def data_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons "pv:<code>:<request or 0>": re-checked in the service, stale or forged ones refused."""
    await answer_query(update)
    parsed = parse(update.callback_query.data, Pv)
    number = int_or_none(parsed[1][0]) if parsed and len(parsed[1]) == 1 else None
    if parsed is None or number is None:
        raise DomainError(N_("This button is no longer valid."))
    code = parsed[0]
    if code == Pv.EXPORT:
        await mine.send_copy(update, context, actor)
    elif code == Pv.CORRECT:
        await mine.ask_correction(update, context, actor)
    elif code == Pv.ERASE:
        await mine.ask_erasure(update, context, actor)
    elif code == Pv.ERASE_CONFIRMED:
        await drop_buttons(update)
        await mine.file_request(update, context, actor, "erase")
    elif not await _office_only(update, context, actor):
        return
    elif code == Pv.REQUESTS:
        await office.show_requests(update, context, actor)
    elif code == Pv.ACKNOWLEDGE:
        await office.acknowledge(update, context, actor, number)
    else:
        if code == Pv.ERASE_NOW:
            await drop_buttons(update)
        await office.done(update, context, actor, number, confirmed=code == Pv.ERASE_NOW)


async def menu_typed(update: Update, context: BotContext, actor: Actor, _dialog: Dialog) -> None:
    """A number typed at the /dulieu menu."""
    number = int_or_none((update.effective_message.text or "").strip().rstrip("."))
    context.services.dialogs.clear(actor.person_id)
    actions = [mine.send_copy, mine.ask_correction, mine.ask_erasure]
    if actor.is_office:
        actions.append(office.show_requests)
    if number is None or not 1 <= number <= len(actions):
        context.services.dialogs.set(actor.person_id, mine.MENU)
        await reply(update, context, context.tr(actor.locale).gettext(
            "Please type one of the numbers in the list, or /cancel."))
        return
    await actions[number - 1](update, context, actor)


async def correction_typed(update: Update, context: BotContext, actor: Actor, _dialog: Dialog) -> None:
    await mine.file_request(update, context, actor, "correct", update.effective_message.text or "")


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, data_command))
    app.add_handler(CallbackQueryHandler(data_pressed, pattern=r"^pv:"))
    app.bot_data.dialog_routes[mine.MENU] = DialogRoute(on_text=menu_typed)
    app.bot_data.dialog_routes[mine.FIX] = DialogRoute(on_text=correction_typed)

    async def retention() -> None:
        """Once a day, in whichever process claims the day first (bot/services/privacy/retention.py)."""
        app.bot_data.services.retention.run(OWNER)

    app.bot_data.ticker.add("retention", timedelta(hours=1), retention)
