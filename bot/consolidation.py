"""Consolidating a period: pure functions over plain inputs (periods, progress, frozen reports, escalations).

Nothing here touches the database or a channel, so the status board, the chart, the official report and the
benchmark all read one `Consolidation`, and tests build it from hand-made data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from bot.contracts import (
    COMMENDATION_ORDER, Q_CAPITAL_DISBURSED, Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_COMMENDATIONS, Q_EXEMPLARS,
    Q_INITIATIVES, Q_SAVINGS, EscalationState, EscalationSummary, SubmittedReport, UnitProgress, UnitStage,
)

if TYPE_CHECKING:  # the services package imports this module: no import cycle at run time
    from bot.services.periods.base import PeriodInfo

DISBURSEMENT_TARGET = 100.0  # plan III.1.1: disburse 100% of the assigned public-investment capital
STAGE_ORDER = (UnitStage.ACCEPTED, UnitStage.SUBMITTED_ON_TIME, UnitStage.SUBMITTED_LATE, UnitStage.RETURNED,
               UnitStage.DRAFT, UnitStage.NOT_STARTED, UnitStage.OVERDUE)


def as_int(value: Any) -> int:
    """A money or integer answer as an exact int; anything unreadable counts as 0 rather than breaking the total.

    Totals are sums of ints (money is whole đồng), never of floats: a float answer (older data) is converted
    through its decimal text, so 1e27 stays 10^27 and not 1.000...013.287.555.072."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        return int(number.to_integral_value(rounding=ROUND_HALF_UP)) if number.is_finite() else 0
    except (ArithmeticError, ValueError):
        return 0


def as_items(value: Any) -> list[dict[str, Any]]:
    """A repeatable group's entries (list of dicts); a malformed value yields no entries."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def percent(part: int, whole: int) -> float | None:
    return part * 100.0 / whole if whole > 0 else None


@dataclass(frozen=True)
class UnitFigures:
    """One unit's indicators, read from its latest frozen version."""

    unit_id: int
    unit_name: str
    holds_capital: bool
    capital_plan: int
    capital_disbursed: int
    savings: int
    initiatives: int
    exemplars: int
    commendations: int

    @property
    def disbursement_pct(self) -> float | None:
        return percent(self.capital_disbursed, self.capital_plan)


@dataclass(frozen=True)
class Totals:
    """Indicators summed over the units that submitted."""

    capital_plan: int = 0
    capital_disbursed: int = 0
    capital_units: int = 0  # units that hold public-investment capital
    savings: int = 0
    initiatives: int = 0
    exemplars: int = 0
    commendations_by_form: dict[str, int] = field(default_factory=dict)  # form code -> proposals, plan order

    @property
    def disbursement_pct(self) -> float | None:
        return percent(self.capital_disbursed, self.capital_plan)

    @property
    def disbursement_gap(self) -> float | None:
        """Percentage points still missing to reach the 100% target (0 when reached)."""
        pct = self.disbursement_pct
        return None if pct is None else max(0.0, DISBURSEMENT_TARGET - pct)

    @property
    def commendations(self) -> int:
        return sum(self.commendations_by_form.values())


@dataclass(frozen=True)
class Commendation:
    unit_id: int
    unit_name: str
    target_kind: str  # "collective" | "individual"
    name: str
    form: str  # a COMMENDATION_FORMS code (or whatever the unit stored)
    achievement: str


@dataclass(frozen=True)
class Consolidation:
    """Everything the board, the chart and the documents show for one period."""

    period: PeriodInfo
    generated_at: datetime  # the clock's now: aware, in the configured time zone
    units: tuple[UnitProgress, ...]
    reports: tuple[SubmittedReport, ...]
    figures: tuple[UnitFigures, ...]
    totals: Totals
    stage_counts: dict[UnitStage, int]
    missing: tuple[UnitProgress, ...]  # units with no frozen version: listed as missing in the report
    escalations: tuple[EscalationSummary, ...]  # raised in the period's window, or older and still open
    open_escalations: tuple[EscalationSummary, ...]  # oldest first
    commendations: tuple[Commendation, ...]

    @property
    def tz(self) -> tzinfo:
        """The configured time zone, the one the clock gave `generated_at` in: dates are read in it."""
        return self.generated_at.tzinfo

    def local_date(self, moment: datetime) -> date:
        return local_date(moment, self.tz)

    @property
    def unit_count(self) -> int:
        return len(self.units)

    @property
    def submitted_count(self) -> int:
        return sum(1 for u in self.units if u.has_submitted)

    @property
    def oldest_open(self) -> EscalationSummary | None:
        return self.open_escalations[0] if self.open_escalations else None

    def report_of(self, unit_id: int) -> SubmittedReport | None:
        return next((r for r in self.reports if r.unit_id == unit_id), None)


def unit_figures(report: SubmittedReport) -> UnitFigures:
    """Indicators of one frozen report; capital counts only when the unit says it holds capital."""
    answers = report.answers
    holds = answers.get(Q_CAPITAL_HOLDS)
    plan, disbursed = as_int(answers.get(Q_CAPITAL_PLAN)), as_int(answers.get(Q_CAPITAL_DISBURSED))
    # An older questionnaire may lack the yes/no question: figures present mean the unit holds capital.
    holds_capital = bool(holds) if holds is not None else (plan > 0 or disbursed > 0)
    if not holds_capital:
        plan = disbursed = 0
    return UnitFigures(
        unit_id=report.unit_id, unit_name=report.unit_name, holds_capital=holds_capital, capital_plan=plan,
        capital_disbursed=disbursed, savings=as_int(answers.get(Q_SAVINGS)),
        initiatives=len(as_items(answers.get(Q_INITIATIVES))), exemplars=len(as_items(answers.get(Q_EXEMPLARS))),
        commendations=len(as_items(answers.get(Q_COMMENDATIONS))),
    )


def commendations_of(reports: Iterable[SubmittedReport]) -> list[Commendation]:
    """Every proposal, titles of emulation then forms of commendation, highest first, then unit order."""
    found = []
    for report in reports:
        for item in as_items(report.answers.get(Q_COMMENDATIONS)):
            found.append(Commendation(
                unit_id=report.unit_id, unit_name=report.unit_name,
                target_kind=str(item.get("target_kind") or "collective"), name=str(item.get("name") or "").strip(),
                form=str(item.get("form") or ""), achievement=str(item.get("achievement") or "").strip()))
    rank = {code: index for index, code in enumerate(COMMENDATION_ORDER)}
    return sorted(found, key=lambda c: rank.get(c.form, len(rank)))  # stable: unit order kept within a form


def totals_of(figures: Sequence[UnitFigures], commendations: Sequence[Commendation]) -> Totals:
    by_form = Counter(c.form for c in commendations)
    ordered = {code: by_form[code] for code in COMMENDATION_ORDER if by_form[code]}
    ordered.update({code: n for code, n in by_form.items() if code not in ordered})
    return Totals(
        capital_plan=sum(f.capital_plan for f in figures), capital_disbursed=sum(f.capital_disbursed for f in figures),
        capital_units=sum(1 for f in figures if f.holds_capital), savings=sum(f.savings for f in figures),
        initiatives=sum(f.initiatives for f in figures), exemplars=sum(f.exemplars for f in figures),
        commendations_by_form=ordered,
    )


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The day a moment falls on in `tz` (the clock's zone: a Consolidation's `generated_at.tzinfo`)."""
    return moment.astimezone(tz).date() if moment.tzinfo and tz else moment.date()


def relevant_escalations(items: Iterable[EscalationSummary], period: PeriodInfo,
                         tz: tzinfo) -> list[EscalationSummary]:
    """Items raised within the period's data window, plus older ones still open or closed within it."""
    chosen = []
    for item in items:
        raised = local_date(item.created_at, tz)
        if raised > period.data_to and item.state == EscalationState.CLOSED:
            continue
        closed = local_date(item.closed_at, tz) if item.closed_at else None
        if raised >= period.data_from or item.state != EscalationState.CLOSED or (closed and closed >= period.data_from):
            chosen.append(item)
    return sorted(chosen, key=lambda e: (e.created_at, e.item_id))


def consolidate(period: PeriodInfo, progress: Sequence[UnitProgress], reports: Sequence[SubmittedReport],
                escalations: Sequence[EscalationSummary], generated_at: datetime) -> Consolidation:
    """The whole picture of a period; linear in units, reports and escalations."""
    units_seen = {u.unit_id for u in progress}
    reports = [r for r in reports if r.unit_id in units_seen]
    with_report = {r.unit_id for r in reports}
    figures = [unit_figures(r) for r in reports]
    commendations = commendations_of(reports)
    counts = Counter(u.stage for u in progress)
    relevant = relevant_escalations(escalations, period, generated_at.tzinfo)
    return Consolidation(
        period=period, generated_at=generated_at, units=tuple(progress), reports=tuple(reports),
        figures=tuple(figures), totals=totals_of(figures, commendations),
        stage_counts={stage: counts.get(stage, 0) for stage in STAGE_ORDER},
        missing=tuple(u for u in progress if u.unit_id not in with_report),
        escalations=tuple(relevant),
        open_escalations=tuple(e for e in relevant if e.state != EscalationState.CLOSED),
        commendations=tuple(commendations),
    )
