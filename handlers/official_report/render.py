"""Official report texts for chat: the Office's menu of parts, the signer choice, the files' captions.

Plain functions of the official report service's results (no Telegram), so Zalo gets the same text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.callbacks import Xb, data
from bot.documents.narrative import PART_LABELS, SIGNER
from bot.domain import Button, OutMessage
from bot.i18n import Translator
from handlers.status.render import period_label

if TYPE_CHECKING:
    from bot.services.official_report import PartState
    from bot.services.periods.base import PeriodInfo


def part_line(tr: Translator, number: int, state: PartState) -> str:
    """"1. Mục I - ...: bản dự thảo của trợ lý" or "... do Nguyễn Thị Lan viết, 24/11/2026 09:00"."""
    _ = tr.gettext
    if state.part == SIGNER:
        status = state.text
    elif state.is_draft:
        status = _("the assistant's draft")
    else:
        status = _("written by {name}, {moment}").format(name=state.written_by,
                                                          moment=tr.datetime(state.written_at))
    return f"{number}. {_(PART_LABELS[state.part])}: {status}"


def menu_message(tr: Translator, period: PeriodInfo, states: list[PartState], note: str = "") -> OutMessage:
    """The parts the Office writes, their state, and "0. Generate now", with a button for each."""
    _ = tr.gettext
    lines = ([note, ""] if note else []) + [
        _("Official report: {title}.").format(title=period_label(tr, period)),
        _("The Administration Office writes these parts; until it does, the assistant's draft is printed:")]
    lines += [part_line(tr, n, s) for n, s in enumerate(states, start=1)]
    lines += ["0. " + _("Generate the report now"), "", _("Type a number to choose.")]
    buttons = [[Button(_("Generate the report now"), data(Xb.GENERATE, period.period_id, 0))]]
    buttons += [[Button(f"{n}. {_(PART_LABELS[s.part])}", data(Xb.EDIT_PART, period.period_id, n))]
                for n, s in enumerate(states, 1)]
    return OutMessage("\n".join(lines), buttons)


def signer_message(tr: Translator, period_id: int, signer: str, director: str | None, names: list[str]) -> OutMessage:
    """"Who signs the report?", then 1. the Director and 2.. the deputy directors, then how to answer; a button
    per choice."""
    _ = tr.gettext
    lines = [_("Who signs the report? Now: {signer}").format(signer=signer),
             "1. " + _("GIÁM ĐỐC (the Director)") + (f": {director}" if director else "")]
    lines += [f"{n}. KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: {name}" for n, name in enumerate(names, start=2)]
    lines += ["", _("Type a number, or type a deputy director's full name to sign as KT. GIÁM ĐỐC.")]
    buttons = [[Button(line.split(". ", 1)[1][:40], data(Xb.SIGNER, period_id, line.split(".", 1)[0]))]
               for line in lines[1:len(names) + 2]]
    return OutMessage("\n".join(lines), buttons)


def part_heading(tr: Translator, state: PartState) -> str:
    """"Mục I - ... (bản dự thảo của trợ lý):" above a part's current text."""
    _ = tr.gettext
    origin = _("the assistant's draft") if state.is_draft else _("written by {name}").format(name=state.written_by)
    return _("{part} ({origin}):").format(part=_(PART_LABELS[state.part]), origin=origin)


def docx_caption(tr: Translator, period: PeriodInfo) -> str:
    return tr.gettext("Official report: {title}. The number and date are left for the Administration Office to "
                      "fill in.").format(title=period_label(tr, period))


def annex_caption(tr: Translator, missing: int) -> str:
    _ = tr.gettext
    caption = _("Annex: indicators, submissions, commendation proposals, difficulties.")
    if missing:
        caption += " " + _("Units that have not submitted ({n}) are listed as missing.").format(n=missing)
    return caption
