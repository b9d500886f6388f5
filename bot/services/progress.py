"""Where every unit stands in a period: read by reminders, the status board and the official report."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.contracts import ReportState, UnitProgress, UnitStage
from bot.domain import NotFound
from bot.services.base import Service
from storage.models import DeadlineExtension, Period, Report, Unit


def stage_of(report: Report | None, overdue: bool) -> UnitStage:
    """The board's stage from the stored report state and whether the unit's deadline has passed."""
    if report is None or (report.state == ReportState.DRAFT and report.answered_count == 0 and report.version == 0):
        return UnitStage.OVERDUE if overdue else UnitStage.NOT_STARTED
    state = ReportState(report.state)
    if state == ReportState.ACCEPTED:
        return UnitStage.ACCEPTED
    if state == ReportState.SUBMITTED:
        return UnitStage.SUBMITTED_LATE if report.is_late else UnitStage.SUBMITTED_ON_TIME
    if state == ReportState.RETURNED:
        return UnitStage.RETURNED
    return UnitStage.OVERDUE if overdue else UnitStage.DRAFT


def _progress(period: Period, reports: dict[int, Report], extensions: dict[int, date], units: list[Unit],
              today: date) -> list[UnitProgress]:
    """`reports` and `units` may be rows of the columns read (`by_periods`) or whole rows."""
    result = []
    for unit in units:
        report = reports.get(unit.id)
        if not unit.is_active and report is None:
            continue
        deadline = extensions.get(unit.id, period.deadline)
        result.append(UnitProgress(
            unit_id=unit.id, unit_name=unit.name, stage=stage_of(report, today > deadline), deadline=deadline,
            answered=report.answered_count if report else 0, total=report.question_count if report else 0,
            report_id=report.id if report else None, version=report.version if report else 0,
            submitted_at=report.submitted_at if report else None, is_late=bool(report and report.is_late),
        ))
    return result


class ProgressService(Service):
    """One query per period, whatever the number of units."""

    def by_unit(self, period_id: int) -> list[UnitProgress]:
        """Every active unit (and any retired unit that has a report), in the unit list's order."""
        result = self.by_periods([period_id])
        if period_id not in result:
            raise NotFound()
        return result[period_id]

    def by_periods(self, period_ids: list[int]) -> dict[int, list[UnitProgress]]:
        """`by_unit` for several periods in four queries, whatever their number (periods not found are left out)."""
        today = self.clock.today()
        if not period_ids:
            return {}
        with self.db.session() as session:
            periods = session.exec(select(Period).where(col(Period.id).in_(period_ids))).all()
            reports: dict[int, dict[int, Report]] = {}
            # The columns `_progress` reads, not whole rows (a draft's cursor is JSON): 1,000 units in one query.
            columns = (Report.id, Report.period_id, Report.unit_id, Report.state, Report.answered_count,
                       Report.question_count, Report.version, Report.submitted_at, Report.is_late)
            for r in session.exec(select(*columns).where(col(Report.period_id).in_(period_ids))).all():
                reports.setdefault(r.period_id, {})[r.unit_id] = r
            extensions: dict[int, dict[int, date]] = {}
            for e in session.exec(select(DeadlineExtension).where(col(DeadlineExtension.period_id).in_(period_ids))):
                extensions.setdefault(e.period_id, {})[e.unit_id] = e.deadline
            units = session.exec(select(Unit.id, Unit.name, Unit.is_active).order_by(Unit.sort_order, Unit.id)).all()
            return {period.id: _progress(period, reports.get(period.id, {}), extensions.get(period.id, {}), units,
                                         today) for period in periods}

    def for_unit(self, period_id: int, unit_id: int) -> UnitProgress | None:
        return next((p for p in self.by_unit(period_id) if p.unit_id == unit_id), None)
