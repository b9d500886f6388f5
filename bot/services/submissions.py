"""The latest frozen version of each unit's report in a period: what consolidation and export read."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.contracts import ReportState, SubmittedReport
from bot.services.base import Service
from storage.models import Person, Report, ReportVersion, Unit


class SubmissionService(Service):
    """Read-only; one query for all units of a period."""

    def latest(self, period_id: int) -> list[SubmittedReport]:
        """For every report with at least one submitted version: that latest version, in unit order."""
        with self.db.session() as session:
            newest = (select(ReportVersion.report_id, func.max(ReportVersion.version).label("version"))
                      .join(Report, col(Report.id) == ReportVersion.report_id)
                      .where(Report.period_id == period_id).group_by(ReportVersion.report_id).subquery())
            rows = session.exec(
                select(ReportVersion, Report, Unit, Person)
                .join(newest, (col(ReportVersion.report_id) == newest.c.report_id)
                      & (col(ReportVersion.version) == newest.c.version))
                .join(Report, col(Report.id) == ReportVersion.report_id)
                .join(Unit, col(Unit.id) == Report.unit_id)
                .join(Person, col(Person.id) == ReportVersion.submitted_by, isouter=True)
                .order_by(Unit.sort_order, Unit.id)
            ).all()
            return [SubmittedReport(
                report_id=report.id, unit_id=unit.id, unit_name=unit.name, period_id=period_id,
                version=version.version, state=ReportState(report.state), submitted_at=version.submitted_at,
                submitted_by=person.full_name if person else "", is_late=version.is_late,
                questionnaire_code=report.questionnaire_code, questionnaire_version=report.questionnaire_version,
                answers=dict(version.answers),
            ) for version, report, unit, person in rows]
