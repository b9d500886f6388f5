"""Official report texts for chat: the Office's menu of parts, the signer choice, the files' captions.

Plain functions of the official report service's results (no Telegram), so Zalo gets the same text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.documents.narrative import PART_LABELS, SIGNER
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


def menu_text(tr: Translator, period: PeriodInfo, states: list[PartState], note: str = "") -> str:
    """The parts the Office writes, their state, and "0. Generate now"."""
    _ = tr.gettext
    lines = ([note, ""] if note else []) + [
        _("Official report: {title}.").format(title=period_label(tr, period)),
        _("The Administration Office writes these parts; until it does, the assistant's draft is printed:")]
    lines += [part_line(tr, n, s) for n, s in enumerate(states, start=1)]
    lines += ["0. " + _("Generate the report now"), "", _("Type a number to choose.")]
    return "\n".join(lines)


def signer_lines(tr: Translator, signer: str, director: str | None, names: list[str]) -> list[str]:
    """"Who signs the report?", then 1. the Director and 2.. the deputy directors, then how to answer."""
    _ = tr.gettext
    lines = [_("Who signs the report? Now: {signer}").format(signer=signer),
             "1. " + _("GIÁM ĐỐC (the Director)") + (f": {director}" if director else "")]
    lines += [f"{n}. KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: {name}" for n, name in enumerate(names, start=2)]
    lines += ["", _("Type a number, or type a deputy director's full name to sign as KT. GIÁM ĐỐC.")]
    return lines


def docx_caption(tr: Translator, period: PeriodInfo) -> str:
    return tr.gettext("Official report: {title}. The number and date are left for the Administration Office to "
                      "fill in.").format(title=period_label(tr, period))


def annex_caption(tr: Translator, missing: int) -> str:
    _ = tr.gettext
    caption = _("Annex: indicators, submissions, commendation proposals, difficulties.")
    if missing:
        caption += " " + _("Units that have not submitted ({n}) are listed as missing.").format(n=missing)
    return caption
