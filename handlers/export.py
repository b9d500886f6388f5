"""/xuatbaocao (/export): the Department's official report (DOCX) and its annex (XLSX) for a period."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.domain import Actor
from bot.i18n import N_
from bot.services.status.service import can_see_status
from handlers.commands import CommandSpec
from handlers.common import registered
from handlers.context import BotApp, BotContext
from handlers.status import ACTIONS, choose_period, period_label

COMMANDS = [CommandSpec("xuatbaocao", "export", N_("The Department's official report (DOCX) and annex (XLSX)"),
                        can_see_status)]


async def send_export(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    """Build both files off the event loop (a large organisation takes a moment) and send them."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    files = await asyncio.to_thread(context.services.status.export, actor, period_id)
    title = period_label(tr, files.period)
    chat_id = update.effective_chat.id
    await context.bot.send_document(chat_id, files.docx, filename=files.docx_name,
                                    caption=_("Official report: {title}. The number and date are left for the "
                                              "Administration Office to fill in.").format(title=title))
    caption = _("Annex: indicators, submissions, commendation proposals, difficulties.")
    if files.missing:
        caption += " " + _("Units that have not submitted ({n}) are listed as missing.").format(n=files.missing)
    await context.bot.send_document(chat_id, files.xlsx, filename=files.xlsx_name, caption=caption)


@registered(can_see_status)
async def export_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/xuatbaocao [number or code]: the official report and its annex."""
    await choose_period(update, context, actor, "export")


def register(app: BotApp) -> None:
    ACTIONS["export"] = send_export
    app.add_handler(CommandHandler(COMMANDS[0].names, export_command))
