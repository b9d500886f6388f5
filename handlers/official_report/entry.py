"""/xuatbaocao (/export): the Department's official report (DOCX) and its annex (XLSX) for a period.

For the Administration Office the command first offers the parts it writes (sections I, III, V, VI and the
signer), each starting from the bot's draft; every choice is a button and a typed number, every text typed.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Xb, parse
from bot.documents.narrative import PARTS, SIGNER
from bot.domain import Actor
from bot.i18n import N_
from bot.services.dialogs import Dialog
from bot.services.status.service import can_see_status
from bot.text import fold
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply, reply_out
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.official_report import render
from handlers.status.entry import ACTIONS, choose_period

COMMANDS = [CommandSpec("xuatbaocao", "export", N_("The Department's official report (DOCX) and annex (XLSX)"),
                        can_see_status)]
MENU, TEXT, SIGNER_PICK = "xb_menu", "xb_text", "xb_signer"  # dialogs: what the Office's next message answers
KEEP_WORDS = {"giu", "giu nguyen", "keep", "ok"}
DRAFT_WORDS = {"du thao", "ban du thao", "mac dinh", "draft", "default"}


async def send_export(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    """The Office first sees what it may write; the leadership gets the files at once."""
    if actor.is_office:
        await show_menu(update, context, actor, period_id)
        return
    await send_files(update, context, actor, period_id)


async def show_menu(update: Update, context: BotContext, actor: Actor, period_id: int, note: str = "") -> None:
    """The parts the Office writes, their state, and "0. Generate now"."""
    tr = context.tr(actor.locale)
    states = context.services.official_report.parts(actor, period_id)
    period = context.services.status.periods.get(period_id)
    context.services.dialogs.set(actor.person_id, MENU, {"period_id": period_id})
    await reply_out(update, context, render.menu_message(tr, period, states, note))


async def open_part(update: Update, context: BotContext, actor: Actor, period_id: int, number: int) -> None:
    """Show a part's current text (to copy and edit) and wait for the new text, or the signer choice."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    if not 1 <= number <= len(PARTS):
        await reply(update, context, _("Please type one of the numbers in the list, or /cancel."))
        return
    part = PARTS[number - 1]
    state = context.services.official_report.part(actor, period_id, part)
    if part == SIGNER:
        names = context.services.official_report.deputies()
        director = context.services.status.director_name()
        context.services.dialogs.set(actor.person_id, SIGNER_PICK, {"period_id": period_id, "names": names})
        await reply_out(update, context, render.signer_message(tr, period_id, state.text, director, names))
        return
    await reply(update, context, render.part_heading(tr, state))
    await reply(update, context, state.text)
    context.services.dialogs.set(actor.person_id, TEXT, {"period_id": period_id, "part": part})
    await reply(update, context, _("Send the new text of this part (one paragraph per line; you may copy the text "
                                   "above and edit it). Type \"giữ\" to keep it, \"dự thảo\" to go back to the "
                                   "assistant's draft, or /cancel."))


async def menu_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A number typed at the menu: 0 generates, 1-5 opens a part."""
    period_id = int(dialog.payload.get("period_id", 0))
    number = int_or_none((update.effective_message.text or "").strip().rstrip("."))
    if number == 0:
        context.services.dialogs.clear(actor.person_id)
        await send_files(update, context, actor, period_id)
    elif number is None:
        await reply(update, context, context.tr(actor.locale).gettext(
            "Please type one of the numbers in the list, or /cancel."))
    else:
        await open_part(update, context, actor, period_id, number)


async def text_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The new text of a section, or "giữ" / "dự thảo"."""
    _ = context.tr(actor.locale).gettext
    period_id, part = int(dialog.payload.get("period_id", 0)), str(dialog.payload.get("part", ""))
    text = update.effective_message.text or ""
    word = fold(text).strip(" .\"'")
    service = context.services.official_report
    if word in KEEP_WORDS:
        note = _("Kept unchanged.")
    elif word in DRAFT_WORDS:
        service.reset(actor, period_id, part)
        note = _("Back to the assistant's draft.")
    else:
        service.save(actor, period_id, part, text)
        note = _("Saved. The report will print your text.")
    await show_menu(update, context, actor, period_id, note)


async def signer_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """1 = the Director; 2.. = a listed deputy director; a typed name = that deputy director."""
    period_id = int(dialog.payload.get("period_id", 0))
    await choose_signer(update, context, actor, period_id, (update.effective_message.text or "").strip(),
                        list(dialog.payload.get("names", [])))


async def choose_signer(update: Update, context: BotContext, actor: Actor, period_id: int, typed: str,
                        names: list[str]) -> None:
    _ = context.tr(actor.locale).gettext
    number = int_or_none(typed.rstrip("."))
    service = context.services.official_report
    if number == 1:
        service.set_signer(actor, period_id, None)
    elif number is not None and 2 <= number <= len(names) + 1:
        service.set_signer(actor, period_id, names[number - 2])
    elif number is None and len(typed.split()) >= 2:
        service.set_signer(actor, period_id, typed)
    else:
        await reply(update, context, _("Please type one of the numbers in the list, or /cancel."))
        return
    await show_menu(update, context, actor, period_id, _("Signer saved."))


async def send_files(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    """Build both files off the event loop (a large organisation takes a moment) and send them."""
    tr = context.tr(actor.locale)
    files = await asyncio.to_thread(context.services.official_report.export, actor, period_id)
    chat_id = update.effective_chat.id
    await context.bot.send_document(chat_id, files.docx, filename=files.docx_name,
                                    caption=render.docx_caption(tr, files.period))
    await context.bot.send_document(chat_id, files.xlsx, filename=files.xlsx_name,
                                    caption=render.annex_caption(tr, files.missing))


@registered(can_see_status)
async def export_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/xuatbaocao [number or code]: the official report and its annex."""
    await choose_period(update, context, actor, "export")


@registered(can_see_status)
async def export_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons "xb:go|ed|sg:<period id>:<n>": re-checked on the server, stale or forged ones refused."""
    await answer_query(update)
    _ = context.tr(actor.locale).gettext
    parsed = parse(update.callback_query.data, Xb)
    fields = parsed[1] if parsed and len(parsed[1]) == 2 else None
    period_id = int_or_none(fields[0]) if fields else None
    number = int_or_none(fields[1]) if fields else None
    allowed = {p.period_id for p in context.services.status.choices(actor)}
    if parsed is None or fields is None or period_id not in allowed or number is None \
            or (parsed[0] != Xb.GENERATE and not actor.is_office):
        await reply(update, context, _("This button is no longer valid."))
        return
    if parsed[0] == Xb.GENERATE:
        context.services.dialogs.clear(actor.person_id)
        await send_files(update, context, actor, period_id)
    elif parsed[0] == Xb.EDIT_PART:
        await open_part(update, context, actor, period_id, number)
    else:
        await choose_signer(update, context, actor, period_id, str(number),
                            context.services.official_report.deputies())


def register(app: BotApp) -> None:
    ACTIONS["export"] = send_export
    app.add_handler(CommandHandler(COMMANDS[0].names, export_command))
    app.add_handler(CallbackQueryHandler(export_pressed, pattern=r"^xb:"))
    app.bot_data.dialog_routes[MENU] = DialogRoute(on_text=menu_typed)
    app.bot_data.dialog_routes[TEXT] = DialogRoute(on_text=text_typed)
    app.bot_data.dialog_routes[SIGNER_PICK] = DialogRoute(on_text=signer_typed)
