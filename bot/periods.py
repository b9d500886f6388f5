"""Reporting periods as the plan sets them: kinds, default dates and titles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.i18n import N_, Translator
from bot.text import fold

FIRST_YEAR, LAST_YEAR = 2022, 2030
PHASES = {1: (2022, 2025), 2: (2026, 2030)}
LATE_GRACE = timedelta(days=30)  # a late report is still accepted this long after the deadline


class PeriodKind(StrEnum):
    SIX_MONTH = "six_month"
    ANNUAL = "annual"
    PHASE_REVIEW = "phase_review"


def phase_of(year: int) -> int:
    return 1 if year <= PHASES[1][1] else 2


@dataclass(frozen=True)
class PeriodPlan:
    """A period's code, kind and dates: what `default_periods` plans for a fresh install, and the fields a stored
    period carries too (`bot.services.periods.base.PeriodInfo` adds the row's id and its state)."""

    code: str
    kind: PeriodKind
    year: int
    phase: int
    data_from: date
    data_to: date
    opens_on: date
    deadline: date
    closes_on: date


def default_periods(year: int) -> list[PeriodPlan]:
    """The periods of one year. Cut-offs follow Nghị định 09/2019/NĐ-CP; deadlines are editable defaults."""
    phase = phase_of(year)
    start = date(year - 1, 12, 15)
    result = [
        PeriodPlan(f"{year}-H1", PeriodKind.SIX_MONTH, year, phase, start, date(year, 6, 14),
                       date(year, 6, 1), date(year, 6, 20), date(year, 6, 20) + LATE_GRACE),
        PeriodPlan(f"{year}-Y", PeriodKind.ANNUAL, year, phase, start, date(year, 12, 14),
                       date(year, 11, 15), date(year, 12, 20), date(year, 12, 20) + LATE_GRACE),
    ]
    if year == PHASES[phase][1]:
        first = PHASES[phase][0]
        result.append(PeriodPlan(f"{year}-R", PeriodKind.PHASE_REVIEW, year, phase, date(first - 1, 12, 15),
                                     date(year, 12, 14), date(year, 11, 15), date(year, 12, 20),
                                     date(year, 12, 20) + LATE_GRACE))
    return result


def period_title(tr: Translator, kind: str, year: int, phase: int) -> str:
    """"Báo cáo 6 tháng đầu năm 2026", "Báo cáo năm 2026", "Báo cáo sơ kết giai đoạn 1 (2022 - 2025)"."""
    _ = tr.gettext
    if kind == PeriodKind.SIX_MONTH:
        return _("Six-month report, first half of {year}").format(year=year)
    if kind == PeriodKind.ANNUAL:
        return _("Annual report {year}").format(year=year)
    first, last = PHASES.get(phase, (year, year))
    if phase == 1:
        return _("Mid-term review report, phase {phase} ({first} - {last})").format(phase=phase, first=first, last=last)
    return _("Final review report, phase {phase} ({first} - {last})").format(phase=phase, first=first, last=last)


PERIOD_STATE_LABELS = {
    "upcoming": N_("not yet open"),
    "open": N_("open"),
    "closed": N_("closed"),
}


_DATE_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*(?:[/.\-]|\s*thang\s*)\s*(\d{1,2})"
                         r"(?:\s*(?:[/.\-,]|\s+nam|,\s*nam)?\s*(\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_vn_date(text: str, today: date | None) -> date | None:
    """A date typed the Vietnamese way: "20/12/2026", "20/12", "20-12-26", "ngày 20 tháng 12 năm 2026", ISO.

    Without a year, the occurrence nearest to `today` is meant ("10/1" typed in November is next January);
    with `today` None a year is required. None when the text is not a valid date.
    """
    key = fold(text).strip().rstrip(".")
    match = _ISO.match(key)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_WORDS.match(key)
        if not match:
            return None
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
        if year is not None and year < 100:
            year += 2000
    try:
        if year is not None:
            return date(year, month, day)
        if today is None:
            return None
        options = [date(today.year + shift, month, day) for shift in (-1, 0, 1) if _valid(today.year + shift, month, day)]
    except ValueError:
        return None
    return min(options, key=lambda d: abs((d - today).days)) if options else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
