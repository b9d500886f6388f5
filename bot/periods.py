"""Reporting periods as the plan sets them: kinds, default dates and titles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.i18n import N_, Translator

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
class PeriodDefaults:
    code: str
    kind: PeriodKind
    year: int
    phase: int
    data_from: date
    data_to: date
    opens_on: date
    deadline: date
    closes_on: date


def default_periods(year: int) -> list[PeriodDefaults]:
    """The periods of one year. Cut-offs follow Nghị định 09/2019/NĐ-CP; deadlines are editable defaults."""
    phase = phase_of(year)
    start = date(year - 1, 12, 15)
    result = [
        PeriodDefaults(f"{year}-H1", PeriodKind.SIX_MONTH, year, phase, start, date(year, 6, 14),
                       date(year, 6, 1), date(year, 6, 20), date(year, 6, 20) + LATE_GRACE),
        PeriodDefaults(f"{year}-Y", PeriodKind.ANNUAL, year, phase, start, date(year, 12, 14),
                       date(year, 11, 15), date(year, 12, 20), date(year, 12, 20) + LATE_GRACE),
    ]
    if year == PHASES[phase][1]:
        first = PHASES[phase][0]
        result.append(PeriodDefaults(f"{year}-R", PeriodKind.PHASE_REVIEW, year, phase, date(first - 1, 12, 15),
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
