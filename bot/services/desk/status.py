"""What the desk's status grid shows of a period: the chat's consolidation, with each unit's deadline
extension, the reminders sent to it and its open difficulties (those the viewer may see)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.clock import Clock
from bot.consolidation import STAGE_ORDER
from bot.contracts import SubmittedReport, UnitStage
from bot.domain import Actor, NotFound
from bot.questionnaire.model import Questionnaire
from bot.services.base import Service
from bot.services.periods.base import PeriodInfo
from bot.services.reports.base import QuestionnaireStore
from bot.services.status.service import StatusService
from storage.db import Database
from storage.models import AuditLog, DeadlineExtension, Period, ReminderDelivery, Report, Unit

SENT = "sent"


@dataclass(frozen=True)
class UnitRow:
    """One line of the grid."""

    unit_id: int
    unit_name: str
    stage: UnitStage
    answered: int
    total: int
    deadline: date  # the unit's own deadline, extension included
    extension_reason: str | None  # set when the unit was given a later deadline
    submitted_at: datetime | None
    version: int
    report_id: int | None
    reminders: int
    last_reminder_at: datetime | None
    open_difficulties: int


@dataclass(frozen=True)
class PeriodStatus:
    period: PeriodInfo
    generated_at: datetime
    rows: tuple[UnitRow, ...]
    stage_counts: dict[UnitStage, int]

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.stage in (UnitStage.SUBMITTED_ON_TIME, UnitStage.SUBMITTED_LATE,
                                                        UnitStage.ACCEPTED))


class DeskStatus(Service):
    """Reads for the status page; permission is the status command's (`can_see_status`)."""

    def __init__(self, db: Database, clock: Clock, status: StatusService) -> None:
        super().__init__(db, clock)
        self.status = status

    def periods(self, actor: Actor) -> list[PeriodInfo]:
        return self.status.choices(actor)

    def side_by_side(self, actor: Actor, period_id: int, store: QuestionnaireStore,
                     question_id: str | None = None) -> SideBySide:
        return side_by_side(self.status, store, actor, period_id, question_id)

    def period_status(self, actor: Actor, period_id: int) -> PeriodStatus:
        """The grid of one period as `actor` may see it (a deputy director: only assigned difficulties).

        The consolidation's progress and difficulties, without its reports' answers and figures: the grid shows
        none of them, and reading every unit's answers cost most of the page at 1,000 units."""
        self.status.check(actor)
        period = self.status.periods.get(period_id)
        units = self.status.progress.by_unit(period_id)
        extensions, reminders = self._extensions(period_id), self._reminders(period_id)
        open_items = self.status.escalations.open_counts(actor) if self.status.escalations is not None else {}
        counts = Counter(u.stage for u in units)
        rows = tuple(UnitRow(
            unit_id=u.unit_id, unit_name=u.unit_name, stage=u.stage, answered=u.answered, total=u.total,
            deadline=u.deadline, extension_reason=extensions.get(u.unit_id), submitted_at=u.submitted_at,
            version=u.version, report_id=u.report_id, reminders=reminders.get(u.unit_id, (0, None))[0],
            last_reminder_at=reminders.get(u.unit_id, (0, None))[1], open_difficulties=open_items.get(u.unit_id, 0),
        ) for u in units)
        return PeriodStatus(period, self.clock.now(), rows, {stage: counts.get(stage, 0) for stage in STAGE_ORDER})

    def version(self, actor: Actor, period_id: int) -> str:
        """A short key of everything `period_status`'s rows are built from, read without building them (the grid's
        poll answers "unchanged" with it): the same key means the same rows. Read it before the rows, never after:
        a change that lands in between then only sends the rows once more.

        Only what every change moves: counts of rows and sums of counters, never a latest id or time (on
        PostgreSQL an earlier transaction may commit after a later one). A report's `step` is bumped by each of its
        changes (an answer, a submission, a review, a reopening); a reminder counts once it is sent (such rows
        never leave that state); the open difficulties are the grid's own counts per unit, as this person may see
        them. What has no counter (a unit renamed, retired or restored, an extension given, changed or withdrawn,
        the deadline moved) is an administrative change, and every one writes its audit entry in its own
        transaction (docs/DEVELOPING.md, "Audit"), so the audit log's length stands for them. Today's date is
        part of it (a deadline passes overnight)."""
        self.status.check(actor)

        def scalar(column, *where):  # noqa: ANN001, ANN002, ANN202
            return sa_select(column).where(*where).scalar_subquery()

        in_period = Report.period_id == period_id
        with self.db.session() as session:
            values = tuple(session.execute(sa_select(
                scalar(Period.deadline, Period.id == period_id),
                scalar(func.count(Report.id), in_period),
                scalar(func.coalesce(func.sum(Report.step), 0), in_period),
                scalar(func.count(DeadlineExtension.id), DeadlineExtension.period_id == period_id),
                scalar(func.count(ReminderDelivery.id), ReminderDelivery.period_id == period_id,
                       ReminderDelivery.state == SENT, col(ReminderDelivery.unit_id).is_not(None)),
                scalar(func.count(Unit.id)),
                scalar(func.count(AuditLog.id)),
            )).one())
        if values[0] is None:
            raise NotFound()
        open_items = self.status.escalations.open_counts(actor) if self.status.escalations is not None else {}
        raw = repr((self.clock.today(), values, sorted(open_items.items())))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    def _extensions(self, period_id: int) -> dict[int, str]:
        with self.db.session() as session:
            rows = session.exec(select(DeadlineExtension.unit_id, DeadlineExtension.reason)
                                .where(DeadlineExtension.period_id == period_id)).all()
        return {unit_id: reason for unit_id, reason in rows}

    def _reminders(self, period_id: int) -> dict[int, tuple[int, datetime | None]]:
        """Reminders delivered to each unit's people in the period: how many, and the last one's time."""
        with self.db.session() as session:
            rows = session.exec(select(ReminderDelivery.unit_id, func.count(), func.max(ReminderDelivery.finished_at))
                                .where(ReminderDelivery.period_id == period_id, ReminderDelivery.state == SENT,
                                       col(ReminderDelivery.unit_id).is_not(None))
                                .group_by(ReminderDelivery.unit_id)).all()
        return {unit_id: (count, last) for unit_id, count, last in rows}


@dataclass(frozen=True)
class SideBySide:
    """Every unit's latest submitted answers in one period, and the questionnaires to read them with."""

    period: PeriodInfo
    questionnaire: Questionnaire  # the one in use now: its questions are the rows to choose from
    reports: tuple[SubmittedReport, ...]
    questionnaires: dict[tuple[str, int], Questionnaire]  # each report's own version (labels of its options)
    waiting: tuple[str, ...]  # units with nothing submitted yet


def side_by_side(status: StatusService, store: QuestionnaireStore, actor: Actor, period_id: int,
                 question_id: str | None = None) -> SideBySide:
    """For the status's readers (the Office and the leadership), as `/tinhhinh` allows: the consolidation's
    units and reports, without its figures and difficulties. With `question_id` (a question of the current
    questionnaire), each report's `answers` hold that answer alone: the page shows one answer per unit."""
    status.check(actor)
    period = status.periods.get(period_id)
    current = store.current()
    only = question_id if question_id is not None and current.question(question_id) is not None else None
    reports = tuple(status.submissions.latest(period_id, only))  # a submitted report's unit is always listed
    versions = {(r.questionnaire_code, r.questionnaire_version) for r in reports}
    return SideBySide(period, current, reports, {key: store.get(*key) for key in versions},
                      status.submissions.waiting(period_id))
