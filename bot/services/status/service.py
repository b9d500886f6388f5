"""The consolidated status of a period, the group's status message and scheduled summaries, and the export.

Read access is for the Administration Office, the Director and deputy directors, checked here on the server.
The group message and the summaries are claimed through unique rows and leases, so two processes never post
the same message twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.clock import Clock
from bot.consolidation import Consolidation, consolidate
from bot.contracts import EscalationSummary
from bot.documents.criteria import QuestionLabels
from bot.documents.labels import QuestionnaireLabels, load_labels
from bot.domain import Actor, PermissionDenied, Role
from bot.services.base import Service
from bot.services.periods.base import PeriodInfo
from bot.services.periods.service import PeriodService
from bot.services.progress import ProgressService
from bot.services.submissions import SubmissionService
from storage import audit
from storage.db import Database
from storage.models import (
    DeadlineExtension, Person, QuestionnaireSnapshot, Report, StatusBoard, StatusSummary, Unit,
)

# Outbox refs of the group's posts: "board:<board id>", "summary:<period id>:<moment>" (see `settle_post`).
BOARD_REF, SUMMARY_REF = "board", "summary"
BOARD_LEASE = timedelta(seconds=60)  # long enough for one send or edit; a crashed holder frees it after this
CHOICES = 6  # periods offered in the period choice


class EscalationSource(Protocol):
    """What the status needs from the escalation service (bot/services/escalations/)."""

    def summaries(self, since: date | None = None, until: date | None = None,
                  unit_id: int | None = None, viewer: Actor | None = None) -> list[EscalationSummary]: ...

    def open_counts(self, viewer: Actor) -> dict[int, int]: ...


@dataclass(frozen=True)
class ExportFiles:
    """The official report and its annex for one period."""

    period: PeriodInfo
    docx_name: str
    docx: bytes
    xlsx_name: str
    xlsx: bytes
    missing: int  # units listed as missing


@dataclass(frozen=True)
class BoardState:
    board_id: int
    period_id: int
    chat_id: str
    message_id: int | None
    digest: str
    source_key: str


def can_see_status(actor: Actor) -> bool:
    """The Administration Office, the Director and deputy directors."""
    return actor.is_office or actor.is_leadership


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StatusService(Service):
    """Builds `Consolidation`s; keeps the board and summary rows."""

    def __init__(self, db: Database, clock: Clock, periods: PeriodService, progress: ProgressService,
                 submissions: SubmissionService, escalations: EscalationSource | None = None) -> None:
        super().__init__(db, clock)
        self.periods, self.progress, self.submissions = periods, progress, submissions
        self.escalations = escalations
        self._labels: QuestionLabels | None = None
        self._labels_of: tuple = ()  # the stored versions the labels were read from

    # Reading ---------------------------------------------------------------------------------------
    def check(self, actor: Actor) -> None:
        if not can_see_status(actor):
            raise PermissionDenied()

    def choices(self, actor: Actor) -> list[PeriodInfo]:
        """Periods that have opened, the latest deadline first: what a person may ask the status of."""
        self.check(actor)
        today = self.clock.today()
        opened = [p for p in self.periods.list_periods() if p.opens_on <= today]
        return sorted(opened, key=lambda p: (p.deadline, p.period_id), reverse=True)[:CHOICES]

    def open_periods(self) -> list[PeriodInfo]:
        """Periods open today: those the group's status message follows."""
        return [p for p in self.periods.list_periods() if p.is_open]

    def consolidation(self, actor: Actor, period_id: int) -> Consolidation:
        self.check(actor)
        return self.build(period_id, viewer=actor)

    def build(self, period_id: int, viewer: Actor | None = None) -> Consolidation:
        """For a person (`viewer`: difficulties limited to what they may see), or for periodic tasks and the
        command line, which act for the Department (None)."""
        period = self.periods.get(period_id)
        progress = self.progress.by_unit(period_id)
        reports = self.submissions.latest(period_id)
        return consolidate(period, progress, reports, self._escalations(period, viewer), self.clock.now())

    def _escalations(self, period: PeriodInfo, viewer: Actor | None) -> list[EscalationSummary]:
        if self.escalations is None:
            return []
        # Open at some time since the window began: older items still open matter too.
        return self.escalations.summaries(since=period.data_from, viewer=viewer)

    def director_name(self) -> str:
        """The active Director's name for the signature block ("" when none is registered)."""
        with self.db.session() as session:
            person = session.exec(select(Person).where(Person.role == Role.DIRECTOR.value, Person.is_active)
                                  .order_by(Person.id)).first()
            return person.full_name if person else ""

    def record_export(self, actor: Actor | None, period_id: int) -> None:
        """Who produced the official report, and when (the audit log keeps it)."""
        with self.db.session() as session:
            audit.record(session, at=self.clock.now(), actor_id=actor.person_id if actor else None,
                         action="status.export", entity="period", entity_id=period_id)

    def short_names(self) -> dict[int, str]:
        """Unit id -> short name (config/organization.yaml), for the chart and the documents."""
        with self.db.session() as session:
            return {u.id: u.short_name for u in session.exec(select(Unit)).all() if u.short_name}

    def labels(self) -> QuestionLabels | None:
        """Question and option labels for the report from the stored questionnaire versions (a version uploaded on
        the desk as well as the files), read again only when a version is stored or replaced; the files when none
        is stored yet."""
        from bot.questionnaire.loader import QuestionnaireError, parse_questionnaire

        with self.db.session() as session:
            stored = tuple(session.exec(select(QuestionnaireSnapshot.code, QuestionnaireSnapshot.version,
                                               QuestionnaireSnapshot.checksum)
                                        .order_by(QuestionnaireSnapshot.code, QuestionnaireSnapshot.version)).all())
            if self._labels is not None and stored == self._labels_of:
                return self._labels
            rows = session.exec(select(QuestionnaireSnapshot)).all() if stored else []
            definitions = [(r.code, r.version, dict(r.definition)) for r in rows]
        if not definitions:
            self._labels, self._labels_of = load_labels(), ()
            return self._labels
        try:
            self._labels = QuestionnaireLabels(parse_questionnaire(d, f"{c}-v{v} (stored)") for c, v, d in definitions)
        except QuestionnaireError:  # the report must still be produced: it names answers by id instead
            self._labels = load_labels()
        self._labels_of = stored
        return self._labels

    def fingerprint(self, period_id: int) -> str:
        """A cheap key of everything the board shows: one aggregate query per table that feeds it.

        The hour is part of it, so escalation changes and unit renames are picked up within the hour.
        """
        now = self.clock.now()
        with self.db.session() as session:
            reports = session.exec(select(func.count(), func.max(Report.updated_at), func.max(Report.submitted_at),
                                          func.sum(Report.version), func.sum(Report.answered_count),
                                          func.count(Report.accepted_at))
                                   .where(Report.period_id == period_id)).one()
            extensions = session.exec(select(func.count(), func.max(DeadlineExtension.deadline))
                                      .where(DeadlineExtension.period_id == period_id)).one()
        raw = f"{now:%Y%m%d%H}|{reports}|{extensions}"
        return digest(raw)[:40]

    # The group's status message ----------------------------------------------------------------------
    def board(self, period_id: int, chat_id: str) -> BoardState | None:
        with self.db.session() as session:
            row = session.exec(select(StatusBoard).where(StatusBoard.period_id == period_id,
                                                         StatusBoard.chat_id == chat_id)).first()
            return _board(row) if row else None

    def claim_board(self, period_id: int, chat_id: str) -> BoardState | None:
        """Take the right to post or edit the board for a minute; None when another process holds it."""
        now = self.clock.now()
        try:
            with self.db.session() as session:
                row = StatusBoard(period_id=period_id, chat_id=chat_id, lease_until=now + BOARD_LEASE, updated_at=now)
                session.add(row)
                session.flush()
                return _board(row)
        except IntegrityError:
            pass  # the row exists: take its lease with a conditional update
        with self.db.session() as session:
            taken = session.exec(update(StatusBoard).where(
                StatusBoard.period_id == period_id, StatusBoard.chat_id == chat_id,
                (col(StatusBoard.lease_until).is_(None)) | (col(StatusBoard.lease_until) < now),
            ).values(lease_until=now + BOARD_LEASE))
            if taken.rowcount != 1:
                return None
            row = session.exec(select(StatusBoard).where(StatusBoard.period_id == period_id,
                                                         StatusBoard.chat_id == chat_id)).one()
            return _board(row)

    def release_board(self, board_id: int, *, message_id: int | None = None, text_digest: str | None = None,
                      source_key: str | None = None) -> None:
        """Record what the board now shows (only the given fields) and free the lease."""
        values: dict = {"lease_until": None, "updated_at": self.clock.now()}
        if message_id is not None:
            values["message_id"] = message_id
        if text_digest is not None:
            values["digest"] = text_digest
        if source_key is not None:
            values["source_key"] = source_key
        with self.db.session() as session:
            session.exec(update(StatusBoard).where(StatusBoard.id == board_id).values(**values))

    def board_queued(self, board_id: int, *, text_digest: str, source_key: str) -> None:
        """The post or edit is in the outbox: keep the lease until the sender reports how it ended."""
        values = {"lease_until": self.clock.now() + BOARD_LEASE, "updated_at": self.clock.now(),
                  "digest": text_digest, "source_key": source_key}
        with self.db.session() as session:
            session.exec(update(StatusBoard).where(StatusBoard.id == board_id).values(**values))

    def board_posted(self, board_id: int, message_id: int) -> None:
        """The sender got the board's message id: later refreshes edit that message."""
        with self.db.session() as session:
            session.exec(update(StatusBoard).where(StatusBoard.id == board_id).values(message_id=message_id))

    def board_settled(self, board_id: int, outcome: str) -> None:
        """How the queued post or edit ended ("sent", "unknown", or a failure); frees the lease.

        Unknown: shown again at the next refresh. A failure (the message was deleted, the bot left the group):
        the next refresh posts a new message."""
        values: dict = {"lease_until": None, "updated_at": self.clock.now()}
        if outcome != "sent":
            values["digest"] = ""
        if outcome not in ("sent", "unknown"):
            values["message_id"] = None
        with self.db.session() as session:
            session.exec(update(StatusBoard).where(StatusBoard.id == board_id).values(**values))

    def settle_post(self, ref: str, outcome: str) -> bool:
        """The sender's outcome for a board or summary post; False for any other ref.

        A summary that could not be posted is freed for a later tick; one in doubt stays posted."""
        kind, _, rest = ref.partition(":")
        if kind == BOARD_REF and rest.isdigit():
            self.board_settled(int(rest), outcome)
            return True
        period, _, moment = rest.partition(":")
        if kind == SUMMARY_REF and period.isdigit() and moment:
            if outcome not in ("sent", "unknown"):
                self.release_summary(int(period), moment)
            return True
        return False

    def note_post(self, ref: str, message_id: int) -> bool:
        """The message id the channel gave a board or summary post; False for any other ref."""
        kind, _, rest = ref.partition(":")
        if kind == BOARD_REF and rest.isdigit():
            self.board_posted(int(rest), message_id)
            return True
        period, _, moment = rest.partition(":")
        if kind == SUMMARY_REF and period.isdigit() and moment:
            self.summary_posted(int(period), moment, message_id)
            return True
        return False

    # Scheduled summaries -------------------------------------------------------------------------------
    def claim_summary(self, period_id: int, moment: str, chat_id: str) -> bool:
        """True for exactly one caller per period and moment, whatever the number of processes."""
        try:
            with self.db.session() as session:
                session.add(StatusSummary(period_id=period_id, moment=moment, chat_id=chat_id,
                                          posted_at=self.clock.now()))
            return True
        except IntegrityError:
            return False

    def summary_posted(self, period_id: int, moment: str, message_id: int) -> None:
        with self.db.session() as session:
            session.exec(update(StatusSummary).where(StatusSummary.period_id == period_id,
                                                     StatusSummary.moment == moment).values(message_id=message_id))

    def release_summary(self, period_id: int, moment: str) -> None:
        """The send failed: let a later tick of the same day try again."""
        with self.db.session() as session:
            row = session.exec(select(StatusSummary).where(StatusSummary.period_id == period_id,
                                                           StatusSummary.moment == moment)).first()
            if row is not None and row.message_id is None:
                session.delete(row)

    def summaries_posted(self, period_id: int) -> list[str]:
        with self.db.session() as session:
            return list(session.exec(select(StatusSummary.moment).where(StatusSummary.period_id == period_id)
                                     .order_by(StatusSummary.id)).all())


def _board(row: StatusBoard) -> BoardState:
    return BoardState(board_id=row.id, period_id=row.period_id, chat_id=row.chat_id, message_id=row.message_id,
                      digest=row.digest, source_key=row.source_key)
