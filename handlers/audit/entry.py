"""/nhatky (/audit): the latest entries as sentences; filters typed after the command; "xuất" sends an XLSX.

    /nhatky                          the latest 20 entries
    /nhatky Lê Văn Hòa               by a person (any part of the name)
    /nhatky Phòng Kế hoạch           by a unit (any part of its name)
    /nhatky báo cáo | vướng mắc | người dùng | đơn vị | kỳ | lịch | lời mời | xuất báo cáo   by kind
    /nhatky 01/11/2026 24/11/2026    from a day (to a day)
    /nhatky xuất ...                 the same, as an XLSX file for an inspection (up to 5,000 entries)
"""

from __future__ import annotations

import re
from datetime import date

from telegram import Update
from telegram.ext import CommandHandler

from bot.domain import Actor
from bot.i18n import N_
from bot.periods import parse_vn_date
from bot.services.audit import AuditFilter
from bot.text import fold
from handlers.audit.export import audit_workbook
from handlers.audit import render
from handlers.commands import CommandSpec
from handlers.common import registered, reply
from handlers.context import BotApp, BotContext

COMMANDS = [
    CommandSpec("nhatky", "audit", N_("Audit log of administrative actions"), lambda a: a.is_office or a.is_director),
]
KIND_WORDS = {"bao cao": "report", "report": "report", "vuong mac": "escalation", "escalation": "escalation",
              "nguoi dung": "person", "person": "person", "people": "person", "don vi": "unit", "unit": "unit",
              "ky": "period", "period": "period", "lich": "calendar", "calendar": "calendar",
              "loi moi": "invite", "invite": "invite", "xuat bao cao": "status", "export": "status"}
EXPORT_WORDS = {"xuat", "xlsx", "excel", "file"}
DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


def parse_filter(context: BotContext, words: str) -> tuple[AuditFilter, bool, list[str]]:
    """The filter typed after /nhatky, whether an export was asked, and what could not be understood."""
    text, export = fold(words), False
    for word in EXPORT_WORDS:
        if re.search(rf"(^|\s){word}(\s|$)", text):
            export, text = True, re.sub(rf"(^|\s){word}(\s|$)", " ", text)
    days: list[date] = []
    for match in DATE.findall(words):
        day = parse_vn_date(match, context.services.audit.clock.today())
        if day:
            days.append(day)
        text = text.replace(fold(match), " ")
    kind = next((k for w, k in sorted(KIND_WORDS.items(), key=lambda kv: -len(kv[0])) if
                 re.search(rf"(^|\s){w}(\s|$)", text)), None)
    if kind:
        word = next(w for w, k in sorted(KIND_WORDS.items(), key=lambda kv: -len(kv[0])) if k == kind and
                    re.search(rf"(^|\s){w}(\s|$)", text))
        text = re.sub(rf"(^|\s){word}(\s|$)", " ", text)
    rest = " ".join(text.split())
    person_id = unit_id = None
    unknown: list[str] = []
    if rest:
        people, units = context.services.audit.people_and_units()
        unit_id = next((i for i, name in units if rest in fold(name)), None)
        if unit_id is None:
            person_id = next((i for i, name in people if rest in fold(name)), None)
        if unit_id is None and person_id is None:
            unknown.append(rest)
    since = days[0] if days else None
    until = days[1] if len(days) > 1 else None
    return AuditFilter(person_id, unit_id, kind, since, until), export, unknown


@registered(lambda a: a.is_office or a.is_director)
async def audit_command(update: Update, context: BotContext, actor: Actor) -> None:
    """The latest administrative actions as sentences, filtered by what was typed after the command."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    where, export, unknown = parse_filter(context, " ".join(context.args or []))
    if unknown:
        await reply(update, context, _("No person or unit matches \"{text}\". Type a part of a name, a kind (báo "
                                       "cáo, vướng mắc, người dùng, đơn vị, kỳ, lịch, lời mời) or dates like "
                                       "01/11/2026 24/11/2026.").format(text=unknown[0]))
        return
    entries = context.services.audit.recent(actor, limit=5000 if export else 20, where=where)
    if not entries:
        await reply(update, context, _("No entries in the audit log match."))
        return
    if export:
        content = audit_workbook(tr, entries)
        name = f"nhat-ky-{context.services.audit.clock.today():%Y%m%d}.xlsx"
        await update.effective_chat.send_document(document=content, filename=name,
                                                  caption=render.export_caption(tr, len(entries)))
        return
    await reply(update, context, render.recent_text(tr, entries))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, audit_command))
