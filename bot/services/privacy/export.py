"""Everything the bot holds about one person, as one JSON document (the person's copy of their data)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import (AuditLog, DialogState, Escalation, EscalationEvent, Period, Person, PrivacyRequest,
                            ReminderDelivery, Report, ReportAnswer, ReportVersion, Unit)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _rows(objects: list, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{name: _plain(getattr(row, name)) for name in fields} for row in objects]


def personal_data(session: Session, person_id: int, generated_at: datetime) -> dict[str, Any]:
    """The person's own record and what they did: answers typed, versions submitted, difficulties raised and
    acted on, reminders sent to them, their audit entries (what they did, without other people's values)."""
    person = session.get(Person, person_id)
    unit = session.get(Unit, person.unit_id) if person.unit_id else None
    labels = {r.id: (p.code, u.name) for r, p, u in session.exec(
        select(Report, Period, Unit).join(Period, Period.id == Report.period_id).join(Unit, Unit.id == Report.unit_id))}

    def report(report_id: int) -> dict[str, str]:
        period, unit_name = labels.get(report_id, ("", ""))
        return {"period": period, "unit": unit_name}

    answers = session.exec(select(ReportAnswer).where(ReportAnswer.answered_by == person_id)
                           .order_by(ReportAnswer.id)).all()
    versions = session.exec(select(ReportVersion).where(ReportVersion.submitted_by == person_id)
                            .order_by(ReportVersion.id)).all()
    raised = session.exec(select(Escalation).where(Escalation.raised_by == person_id).order_by(Escalation.id)).all()
    events = session.exec(select(EscalationEvent).where(EscalationEvent.actor_id == person_id)
                          .order_by(EscalationEvent.id)).all()
    reminders = session.exec(select(ReminderDelivery, Period).join(Period)
                             .where(ReminderDelivery.person_id == person_id).order_by(ReminderDelivery.id)).all()
    audit = session.exec(select(AuditLog).where(AuditLog.actor_id == person_id).order_by(col(AuditLog.id))).all()
    dialog = session.get(DialogState, person_id)
    requests = session.exec(select(PrivacyRequest).where(PrivacyRequest.person_id == person_id)
                            .order_by(PrivacyRequest.id)).all()
    return {
        "generated_at": generated_at.isoformat(),
        "person": {"id": person.id, "full_name": person.full_name, "role": person.role,
                   "unit": unit.name if unit else None, "telegram_id": person.telegram_id, "zalo_id": person.zalo_id,
                   "preferred_channel": person.preferred_channel, "language": person.locale,
                   "active": person.is_active, "registered_at": _plain(person.created_at),
                   "blocked_the_bot_at": _plain(person.blocked_at)},
        "report_answers": [{**report(a.report_id), "question": a.question_id, "value": a.value,
                            "answered_at": _plain(a.answered_at)} for a in answers],
        "report_versions_submitted": [{**report(v.report_id), "version": v.version,
                                       "submitted_at": _plain(v.submitted_at), "review": v.review_state}
                                      for v in versions],
        "difficulties_raised": _rows(raised, ("id", "title", "description", "urgent", "state", "created_at")),
        "difficulty_actions": _rows(events, ("escalation_id", "at", "action", "to_state", "text")),
        "reminders_received": [{"period": p.code, "step": r.step, "state": r.state, "channel": r.channel,
                                "at": _plain(r.finished_at or r.created_at)} for r, p in reminders],
        "audit_entries": _rows(audit, ("at", "action", "entity", "entity_id")),
        "pending_question": {"kind": dialog.kind, "since": _plain(dialog.updated_at)} if dialog else None,
        "requests_about_this_data": _rows(requests, ("id", "kind", "text", "state", "created_at", "answer_by",
                                                     "due_by", "done_at")),
    }


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
