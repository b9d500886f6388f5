"""A person's own data: see it, take a copy, ask the Office to correct or erase it; the Office's side of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.calendar import WorkingCalendar
from bot.clock import Clock
from bot.domain import Actor, DomainError, NotFound, PermissionDenied, Role, meaningful_or_refuse
from bot.i18n import N_
from bot.services.base import Service
from bot.services.privacy import deadlines
from bot.services.privacy.erasure import erase_person
from bot.services.privacy.export import as_json, personal_data
from bot.text import clean_line
from storage import audit
from storage.db import Database
from storage.models import (AuditLog, Escalation, Person, PersonErasure, PrivacyRequest, ReportAnswer, ReportVersion,
                            Unit)

KINDS = ("correct", "erase")
OPEN_STATES = ("open", "acknowledged")
TEXT_LIMIT = 1000


@dataclass(frozen=True)
class DataSummary:
    """What /dulieu shows: the person's identifiers and how much the bot holds of what they did."""

    full_name: str
    role: Role
    unit_name: str | None
    telegram_id: str | None
    zalo_id: str | None
    locale: str
    preferred_channel: str
    registered_at: datetime
    answers: int
    versions: int
    difficulties: int
    audit_entries: int
    open_requests: tuple[RequestInfo, ...]


@dataclass(frozen=True)
class RequestInfo:
    request_id: int
    person_id: int
    person_name: str
    role: Role
    unit_name: str | None
    kind: str
    text: str
    state: str
    created_at: datetime
    answer_by: date
    due_by: date


@dataclass(frozen=True)
class Erasure:
    person_id: int
    removed: dict[str, int]
    request: RequestInfo | None


def _info(row: PrivacyRequest, person: Person, unit: Unit | None) -> RequestInfo:
    return RequestInfo(row.id, row.person_id, person.full_name, Role(person.role), unit.name if unit else None,
                       row.kind, row.text, row.state, row.created_at, row.answer_by, row.due_by)


class PrivacyService(Service):
    """Permissions: everyone registered sees and exports only their own data; only the Office handles requests."""

    def __init__(self, db: Database, clock: Clock, calendar: WorkingCalendar, data_dir: Path) -> None:
        super().__init__(db, clock)
        self.calendar = calendar
        self.data_dir = data_dir

    # The person's side ----------------------------------------------------------------------------------------
    def summary(self, actor: Actor) -> DataSummary:
        with self.db.session() as session:
            person = self._active(session, actor.person_id)
            unit = session.get(Unit, person.unit_id) if person.unit_id else None

            def count(model, column) -> int:  # noqa: ANN001
                return session.exec(select(func.count()).select_from(model).where(column == person.id)).one()

            return DataSummary(
                person.full_name, Role(person.role), unit.name if unit else None, person.telegram_id, person.zalo_id,
                person.locale, person.preferred_channel, person.created_at,
                count(ReportAnswer, ReportAnswer.answered_by), count(ReportVersion, ReportVersion.submitted_by),
                count(Escalation, Escalation.raised_by), count(AuditLog, AuditLog.actor_id),
                tuple(self._requests(session, PrivacyRequest.person_id == person.id)))

    def export(self, actor: Actor) -> tuple[str, bytes]:
        """The person's copy of their data: (file name, JSON), and an audit entry saying it was taken."""
        now = self.clock.now()
        with self.db.session() as session:
            self._active(session, actor.person_id)
            content = as_json(personal_data(session, actor.person_id, now))
            audit.record(session, at=now, actor_id=actor.person_id, action="privacy.export", entity="person",
                         entity_id=actor.person_id)
        return f"du-lieu-ca-nhan-{now:%Y%m%d}.json", content

    def request(self, actor: Actor, kind: str, text: str = "") -> tuple[RequestInfo, bool]:
        """Ask the Office to correct (saying what) or erase: (the request, True when new). Asking again while
        one of the same kind is open returns that one."""
        if kind not in KINDS:
            raise DomainError(N_("Unknown request."))
        text = clean_line(text)[:TEXT_LIMIT] if text else ""
        if kind == "correct" and not meaningful_or_refuse(text):
            raise DomainError(N_("Please write what should be corrected."))
        now = self.clock.now()
        with self.db.session() as session:
            person = self._active(session, actor.person_id)
            waiting = self._requests(session, (PrivacyRequest.person_id == person.id) & (PrivacyRequest.kind == kind))
            if waiting:
                return waiting[0], False
            row = PrivacyRequest(person_id=person.id, kind=kind, text=text, state="open", created_at=now,
                                 answer_by=deadlines.answer_by(self.calendar, now.date()),
                                 due_by=deadlines.due_by(kind, now.date()))
            session.add(row)
            session.flush()
            audit.record(session, at=now, actor_id=person.id, action="privacy.request", entity="privacy",
                         entity_id=row.id, after={"kind": kind, "answer_by": row.answer_by, "due_by": row.due_by})
            return _info(row, person, session.get(Unit, person.unit_id) if person.unit_id else None), True

    # The Office's side ----------------------------------------------------------------------------------------
    def open_requests(self, actor: Actor) -> list[RequestInfo]:
        if not actor.is_office:
            raise PermissionDenied()
        with self.db.session() as session:
            return self._requests(session, True)

    def acknowledge(self, actor: Actor, request_id: int) -> RequestInfo:
        """The Office has received it and told the person how it will be handled (within 2 working days)."""
        return self._move(actor, request_id, "open", "acknowledged", "privacy.acknowledge")

    def close(self, actor: Actor, request_id: int) -> RequestInfo:
        """The correction is made (by the Office, where the data is kept: unit lists, a new invitation)."""
        return self._move(actor, request_id, None, "done", "privacy.done", kind="correct")

    def erase(self, actor: Actor, person_id: int, request_id: int | None = None) -> Erasure:
        """Erase a person's identifiers (on their request, or when they left); audited without their name."""
        if not actor.is_office:
            raise PermissionDenied()
        if person_id == actor.person_id:
            raise DomainError(N_("You cannot erase your own data; another Office member must do it."))
        now = self.clock.now()
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is None or session.get(PersonErasure, person_id) is not None:
                raise NotFound(N_("No registered person has number {n}."), n=person_id)
            request = session.get(PrivacyRequest, request_id) if request_id else None
            if request is not None and (request.person_id != person_id or request.kind != "erase"):
                raise NotFound()
            unit = session.get(Unit, person.unit_id) if person.unit_id else None
            removed = erase_person(session, person, self.data_dir)
            session.add(PersonErasure(person_id=person_id, erased_at=now, erased_by=actor.person_id,
                                      request_id=request.id if request else None))
            if request is not None:
                request.state, request.done_at, request.done_by = "done", now, actor.person_id
                session.add(request)
            for other in self._requests(session, PrivacyRequest.person_id == person_id, info=False):
                other.state, other.done_at, other.done_by = "done", now, actor.person_id
                other.text = ""  # a correction's text may name the person
                session.add(other)
            audit.record(session, at=now, actor_id=actor.person_id, action="person.erase", entity="person",
                         entity_id=person_id, after={"request_id": request.id if request else None, **removed})
            session.flush()
            return Erasure(person_id, removed, _info(request, person, unit) if request else None)

    # Helpers --------------------------------------------------------------------------------------------------
    @staticmethod
    def _active(session: Session, person_id: int) -> Person:
        person = session.get(Person, person_id)
        if person is None or not person.is_active:
            raise PermissionDenied()
        return person

    @staticmethod
    def _requests(session: Session, where, info: bool = True) -> list:  # noqa: ANN001
        rows = session.exec(select(PrivacyRequest, Person, Unit).join(Person, Person.id == PrivacyRequest.person_id)
                            .join(Unit, Unit.id == Person.unit_id, isouter=True)
                            .where(col(PrivacyRequest.state).in_(OPEN_STATES), where)
                            .order_by(PrivacyRequest.id)).all()
        return [_info(*row) for row in rows] if info else [row[0] for row in rows]

    def _move(self, actor: Actor, request_id: int, from_state: str | None, to_state: str, action: str,
              kind: str | None = None) -> RequestInfo:
        if not actor.is_office:
            raise PermissionDenied()
        now = self.clock.now()
        expected = (from_state,) if from_state else OPEN_STATES
        with self.db.session() as session:
            row = session.get(PrivacyRequest, request_id)
            if row is None or (kind and row.kind != kind):
                raise NotFound()
            previous = row.state
            values = {"state": to_state}
            values.update({"acknowledged_at": now, "acknowledged_by": actor.person_id} if to_state == "acknowledged"
                          else {"done_at": now, "done_by": actor.person_id})
            moved = session.execute(update(PrivacyRequest).where(
                PrivacyRequest.id == request_id, col(PrivacyRequest.state).in_(expected)).values(**values)).rowcount
            if not moved:
                raise DomainError(N_("This request has already been handled."))
            session.expire(row)
            audit.record(session, at=now, actor_id=actor.person_id, action=action, entity="privacy",
                         entity_id=request_id, before={"state": previous},
                         after={"state": to_state})
            person = session.get(Person, row.person_id)
            return _info(session.get(PrivacyRequest, request_id), person,
                         session.get(Unit, person.unit_id) if person.unit_id else None)
