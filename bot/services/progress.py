"""Where every unit stands in a period: read by reminders, the status board and the official report."""

from __future__ import annotations

from sqlmodel import select

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


class ProgressService(Service):
    """One query per period, whatever the number of units."""

    def by_unit(self, period_id: int) -> list[UnitProgress]:
        """Every active unit (and any retired unit that has a report), in the unit list's order."""
        today = self.clock.today()
        with self.db.session() as session:
            period = session.get(Period, period_id)
            if period is None:
                raise NotFound()
            reports = {r.unit_id: r for r in session.exec(select(Report).where(Report.period_id == period_id)).all()}
            extensions = {e.unit_id: e.deadline for e in session.exec(
                select(DeadlineExtension).where(DeadlineExtension.period_id == period_id)).all()}
            units = session.exec(select(Unit).order_by(Unit.sort_order, Unit.id)).all()
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

    def for_unit(self, period_id: int, unit_id: int) -> UnitProgress | None:
        return next((p for p in self.by_unit(period_id) if p.unit_id == unit_id), None)
