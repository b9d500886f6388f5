"""The latest frozen version of each unit's report in a period: what consolidation and export read."""

from __future__ import annotations

from sqlalchemy import exists, func, or_
from sqlmodel import col, select

from bot.contracts import ReportState, SubmittedReport
from bot.services.base import Service
from storage.models import Person, Report, ReportVersion, Unit


class SubmissionService(Service):
    """Read-only; one query for all units of a period."""

    def latest(self, period_id: int, only: str | None = None) -> list[SubmittedReport]:
        """For every report with at least one submitted version: that latest version, in unit order; with `only`
        (a question id), its `answers` hold that question's answer alone, read by the database (the desk's
        side-by-side page: one answer of each of 1,000 reports, not all of them)."""
        answers_column = ReportVersion.answers if only is None else \
            col(ReportVersion.answers)[only].label("answer")
        with self.db.session() as session:
            newest = (select(ReportVersion.report_id, func.max(ReportVersion.version).label("version"))
                      .join(Report, col(Report.id) == ReportVersion.report_id)
                      .where(Report.period_id == period_id).group_by(ReportVersion.report_id).subquery())
            rows = session.exec(  # columns, not entities: 1,000 reports' ORM objects cost more than their answers
                select(Report.id, Unit.id, Unit.name, ReportVersion.version, Report.state, ReportVersion.submitted_at,
                       Person.full_name, ReportVersion.is_late, Report.questionnaire_code,
                       Report.questionnaire_version, answers_column)
                .select_from(ReportVersion)
                .join(newest, (col(ReportVersion.report_id) == newest.c.report_id)
                      & (col(ReportVersion.version) == newest.c.version))
                .join(Report, col(Report.id) == ReportVersion.report_id)
                .join(Unit, col(Unit.id) == Report.unit_id)
                .join(Person, col(Person.id) == ReportVersion.submitted_by, isouter=True)
                .order_by(Unit.sort_order, Unit.id)
            ).all()
            return [SubmittedReport(
                report_id=report_id, unit_id=unit_id, unit_name=unit_name, period_id=period_id, version=version,
                state=ReportState(state), submitted_at=submitted_at, submitted_by=submitter or "", is_late=is_late,
                questionnaire_code=code, questionnaire_version=code_version,
                answers=dict(answers) if only is None else {} if answers is None else {only: answers},
            ) for (report_id, unit_id, unit_name, version, state, submitted_at, submitter, is_late, code, code_version,
                   answers) in rows]

    def waiting(self, period_id: int) -> tuple[str, ...]:
        """The names of the units with nothing submitted yet in the period, in unit order: every active unit and
        every retired one that has a report (the units progress lists), less those with a submitted version. One
        query of names, not every unit's progress."""
        with self.db.session() as session:
            submitted = exists().where(ReportVersion.report_id == Report.id)
            names = session.exec(
                select(Unit.name).select_from(Unit)
                .join(Report, (col(Report.unit_id) == Unit.id) & (col(Report.period_id) == period_id), isouter=True)
                .where(or_(col(Unit.is_active), col(Report.id).is_not(None)), ~submitted)
                .order_by(Unit.sort_order, Unit.id)
            ).all()
        return tuple(names)
