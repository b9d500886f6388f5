"""Reading the audit log (writing happens inside each service's own transaction: storage/audit.py).

Entries come back with the names behind the ids (people, units, periods, questions), so the channel can write
each one as a sentence without another query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select

from bot.domain import Actor, PermissionDenied
from bot.questionnaire.loader import parse_questionnaire
from bot.services.base import Service
from storage.models import AuditLog, Invite, Period, Person, QuestionnaireSnapshot, Report, Unit
from storage.models.escalations import Escalation

KINDS = ("invite", "person", "unit", "period", "calendar", "report", "escalation", "status")


@dataclass(frozen=True)
class AuditFilter:
    """What to show: one person (as actor), one unit (actor's or subject's), one kind, a date range."""

    person_id: int | None = None
    unit_id: int | None = None
    kind: str | None = None  # one of KINDS
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_name: str | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    names: dict[str, Any] = field(default_factory=dict)  # unit, person, period (kind/year/phase), question...


class AuditService(Service):
    def recent(self, actor: Actor, limit: int = 20, where: AuditFilter | None = None) -> list[AuditEntry]:
        """The latest entries that match `where`, newest first."""
        if not actor.is_office and not actor.is_director:
            raise PermissionDenied()
        where = where or AuditFilter()
        with self.db.session() as session:
            query = select(AuditLog, Person).join(Person, isouter=True)
            if where.person_id is not None:
                query = query.where(AuditLog.actor_id == where.person_id)
            if where.kind:
                query = query.where(col(AuditLog.action).startswith(where.kind + "."))
            if where.since:
                query = query.where(AuditLog.at >= datetime.combine(where.since, time(), self.clock.tz))
            if where.until:
                query = query.where(AuditLog.at < datetime.combine(where.until + timedelta(days=1), time(), self.clock.tz))
            if where.unit_id is not None:
                query = query.where(or_(Person.unit_id == where.unit_id,
                                        (AuditLog.entity == "unit") & (AuditLog.entity_id == str(where.unit_id))))
            rows = session.exec(query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(
                limit if where.unit_id is None else limit * 5)).all()
            entries = [AuditEntry(a.at, p.full_name if p else None, a.action, a.entity, a.entity_id, a.before,
                                  a.after, _names(session, a, {})) for a, p in rows]
            if where.unit_id is not None:  # also entries about the unit (its report, its extension, its invite)
                entries = [e for e, (a, p) in zip(entries, rows, strict=True)
                           if (p and p.unit_id == where.unit_id) or e.names.get("unit_id") == where.unit_id]
            return entries[:limit]

    def people_and_units(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Names a filter may be typed with: (person id, name) and (unit id, name)."""
        with self.db.session() as session:
            people = [(p.id, p.full_name) for p in session.exec(select(Person).order_by(Person.id))]
            units = [(u.id, u.name) for u in session.exec(select(Unit).order_by(Unit.id))]
            return people, units


def _names(session: Session, entry: AuditLog, cache: dict) -> dict[str, Any]:
    """The names behind an entry's ids, as they are now (a renamed unit keeps its history in `before`)."""
    values = {**(entry.before or {}), **(entry.after or {})}
    names: dict[str, Any] = {}
    unit_id = values.get("unit_id")
    if entry.entity == "unit" and entry.entity_id.isdigit():
        unit_id = int(entry.entity_id)
    if entry.entity == "person" and entry.entity_id.isdigit():
        person = session.get(Person, int(entry.entity_id))
        if person:
            names["person"] = person.full_name
            unit_id = unit_id or person.unit_id
    if entry.entity == "invite" and entry.entity_id.isdigit():
        invite = session.get(Invite, int(entry.entity_id))
        if invite:
            names["role"] = invite.role
            unit_id = unit_id or invite.unit_id
    if entry.entity == "report" and entry.entity_id.isdigit():
        report = session.get(Report, int(entry.entity_id))
        if report:
            unit_id = report.unit_id
            names.update(_period(session, report.period_id))
            if entry.action == "report.answer":
                names["questions"] = _question_labels(session, report, values, cache)
    if entry.entity == "period":
        period_id, _sep, unit = entry.entity_id.partition("/")
        if period_id.isdigit():
            names.update(_period(session, int(period_id)))
        if unit.isdigit():
            unit_id = int(unit)
    if entry.entity == "escalation" and entry.entity_id.isdigit():
        item = session.get(Escalation, int(entry.entity_id))
        if item:
            unit_id, names["title"] = item.unit_id, item.title
    if unit_id:
        unit = session.get(Unit, int(unit_id))
        if unit:
            names["unit"], names["unit_id"] = unit.name, unit.id
    return names


def _period(session: Session, period_id: int) -> dict[str, Any]:
    period = session.get(Period, period_id)
    return {"period_kind": period.kind, "period_year": period.year, "period_phase": period.phase} if period else {}


def _question_labels(session: Session, report: Report, values: dict[str, Any], cache: dict) -> list[dict]:
    """The short labels (both languages) of the questions an answer entry touched."""
    key = (report.questionnaire_code, report.questionnaire_version)
    if key not in cache:
        snapshot = session.exec(select(QuestionnaireSnapshot).where(
            QuestionnaireSnapshot.code == key[0], QuestionnaireSnapshot.version == key[1])).first()
        cache[key] = parse_questionnaire(snapshot.definition) if snapshot else None
    questionnaire = cache[key]
    labels = []
    for question_id in values:
        question = questionnaire.question(question_id) if questionnaire else None
        if question is not None:
            labels.append({"vi": question.short_label("vi"), "en": question.short_label("en")})
    return labels
