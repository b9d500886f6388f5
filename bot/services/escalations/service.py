"""Escalations: a unit's difficulty goes to the Director through the Administration Office and is tracked to an answer.

Every transition is one transaction: read the item, check the person and the state, then
`UPDATE ... WHERE id = :id AND version = :read_version`. A writer that loses the race re-reads and decides again,
so two Office members pressing at once, or "forward" pressed twice, give one outcome and a clear answer to the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.calendar import WorkingCalendar
from bot.clock import Clock
from bot.contracts import EscalationState as S
from bot.domain import Actor, DomainError, PermissionDenied, Role
from bot.i18n import N_
from bot.services.escalations.core import (QUICK_REPLIES, RULES, UNIT, Change, EscalationView, FollowUp, FollowUpRule,
                                           Superseded, checked_text, checked_title, holder_of, may_act)
from bot.services.escalations.read import EscalationReads
from storage import audit
from storage.db import Database
from storage.models import Escalation, EscalationEvent, EscalationReminder, Person, ReminderDelivery

ATTEMPTS = 5  # re-reads after losing a race to a change that still allows the action (e.g. information added)


class EscalationService(EscalationReads):
    """Raise, route, answer and close difficulties; follow-up reminders once per item and step."""

    def __init__(self, db: Database, clock: Clock, calendar: WorkingCalendar, rule: FollowUpRule | None = None) -> None:
        super().__init__(db, clock)
        self.calendar = calendar
        self.rule = rule or FollowUpRule()

    # Raising ---------------------------------------------------------------------------------------
    def raise_item(self, actor: Actor, *, title: str, description: str, urgent: bool = False,
                   attachment: dict[str, Any] | None = None,
                   draft_key: str | None = None) -> tuple[EscalationView, bool]:
        """A unit head (or deputy) raises a difficulty for their own unit; False when `draft_key` was already sent."""
        if not actor.reports_for_unit:
            raise PermissionDenied(N_("Only a unit head or deputy can raise a difficulty for their unit."))
        title = checked_title(title)
        text = checked_text(description, required=True)
        if draft_key and (existing := self.by_draft(draft_key)) is not None:
            return existing, False
        now = self.clock.now()
        try:
            with self.db.session() as session:
                item = Escalation(unit_id=actor.unit_id, raised_by=actor.person_id, title=title, description=text,
                                  urgent=urgent, attachment=attachment, state=S.NEW.value, held_since=now,
                                  draft_key=draft_key, created_at=now, updated_at=now)
                session.add(item)
                session.flush()
                session.add(EscalationEvent(escalation_id=item.id, at=now, actor_id=actor.person_id, action="raise",
                                            from_state=None, to_state=S.NEW.value, text=title, attachment=attachment))
                audit.record(session, at=now, actor_id=actor.person_id, action="escalation.raise", entity="escalation",
                             entity_id=item.id, before=None, after={"state": S.NEW.value, "unit_id": actor.unit_id,
                                                                    "title": title, "urgent": urgent})
                return self._views(session, [item])[0], True
        except IntegrityError:
            existing = self.by_draft(draft_key) if draft_key else None
            if existing is None:
                raise
            return existing, False  # the same draft sent twice at once: the other press created it

    def by_draft(self, draft_key: str) -> EscalationView | None:
        """The item a raise dialog created, if it was sent already (its key starts with the person's id)."""
        with self.db.session() as session:
            item = session.exec(select(Escalation).where(Escalation.draft_key == draft_key)).first()
            return self._views(session, [item])[0] if item else None

    # Office ----------------------------------------------------------------------------------------
    def receive(self, actor: Actor, item_id: int) -> EscalationView:
        return self._apply(actor, item_id, "receive", Change({"office_handler_id": actor.person_id}))

    def forward(self, actor: Actor, item_id: int, note: str | None = None) -> EscalationView:
        note = checked_text(note, required=False)
        return self._apply(actor, item_id, "forward", Change(
            {"office_note": note, "office_handler_id": actor.person_id}, text=note), keep=True)

    def answer(self, actor: Actor, item_id: int, text: str) -> EscalationView:
        text = checked_text(text, required=True)
        return self._apply(actor, item_id, "answer", Change(
            {"office_answer": text, "office_answer_by": actor.person_id, "office_handler_id": actor.person_id},
            text=text), keep=True)

    def ask_info(self, actor: Actor, item_id: int, text: str) -> EscalationView:
        text = checked_text(text, required=True)
        return self._apply(actor, item_id, "ask", Change({"office_handler_id": actor.person_id}, text=text), keep=True)

    def close(self, actor: Actor, item_id: int, note: str | None = None) -> EscalationView:
        note = checked_text(note, required=False)
        change = Change(self._closing(actor, "resolved", note), text=note)
        return self._apply(actor, item_id, "close", change, keep=True)

    def close_duplicate(self, actor: Actor, item_id: int, of_id: int, note: str | None = None) -> EscalationView:
        note = checked_text(note, required=False)

        def check(session: Session, item: Escalation) -> None:
            other = session.get(Escalation, of_id)
            if of_id == item.id or other is None or other.duplicate_of_id == item.id:
                raise DomainError(N_("Difficulty #{of} cannot be the original of #{id}. Please give the number of "
                                     "another item."), of=of_id, id=item.id)

        values = {**self._closing(actor, "duplicate", note), "duplicate_of_id": of_id}
        return self._apply(actor, item_id, "duplicate", Change(values, text=f"#{of_id}" + (f": {note}" if note else ""),
                                                              check=check))

    def _closing(self, actor: Actor, outcome: str, note: str | None) -> dict[str, Any]:
        return {"outcome": outcome, "outcome_note": note, "closed_by": actor.person_id, "closed_at": self.clock.now()}

    # Director and deputy directors --------------------------------------------------------------------
    def instruct(self, actor: Actor, item_id: int, text: str | None = None, kind: str = "text") -> EscalationView:
        """The instruction (ý kiến chỉ đạo) in words, or a quick reply; on a closed item it is kept as a note."""
        if kind not in ("text", *QUICK_REPLIES):
            raise DomainError(N_("Unknown quick reply."))
        text = checked_text(text or (QUICK_REPLIES.get(kind) if kind != "text" else None), required=True)
        values = {"instruction": text, "instruction_kind": kind, "instruction_by": actor.person_id,
                  "instruction_at": self.clock.now()}
        return self._apply(actor, item_id, "instruct", Change(values, text=text), keep=True)

    def assign(self, actor: Actor, item_id: int, deputy_id: int) -> EscalationView:
        """The Director hands a forwarded item to a deputy director, who then holds it."""
        def check(session: Session, _item: Escalation) -> None:
            person = session.get(Person, deputy_id)
            if person is None or not person.is_active or person.role != Role.DEPUTY_DIRECTOR.value:
                raise DomainError(N_("That person is not a deputy director."))

        with self.db.session() as session:
            person = session.get(Person, deputy_id)
            name = person.full_name if person else None
        return self._apply(actor, item_id, "assign", Change({"assignee_id": deputy_id}, text=name, check=check))

    def request_follow_up(self, actor: Actor, item_id: int) -> EscalationView:
        """After an instruction, the Director asks the Administration Office to follow up its execution."""
        def check(_session: Session, item: Escalation) -> None:
            if item.follow_up_by_office:
                raise DomainError(N_("The Administration Office has already been asked to follow up #{id}."),
                                  id=item.id)

        return self._apply(actor, item_id, "follow_up", Change({"follow_up_by_office": True}, check=check))

    # The unit ----------------------------------------------------------------------------------------
    def add_info(self, actor: Actor, item_id: int, text: str | None = None,
                 attachment: dict[str, Any] | None = None) -> EscalationView:
        """More text or a file; when the Office asked for it, the item goes back to the Office."""
        text = checked_text(text, required=attachment is None)
        return self._apply(actor, item_id, "add_info", Change(text=text, attachment=attachment), keep=True)

    def confirm(self, actor: Actor, item_id: int, note: str | None = None) -> EscalationView:
        note = checked_text(note, required=False)
        return self._apply(actor, item_id, "confirm", Change(self._closing(actor, "resolved", note), text=note))

    def reply(self, actor: Actor, item_id: int, text: str) -> EscalationView:
        text = checked_text(text, required=True)
        return self._apply(actor, item_id, "reply", Change(text=text), keep=True)

    def require(self, actor: Actor, item_id: int, action: str) -> EscalationView:
        """Check, without writing, that the person may take `action` now (before asking them to type)."""
        with self.db.session() as session:
            return self._views(session, [self._actionable(session, actor, item_id, RULES[action])])[0]

    def _actionable(self, session, actor: Actor, item_id: int, rule):  # noqa: ANN001, ANN202
        """The item, if this person may take this step on it in its current state."""
        item = self._load_visible(session, actor, item_id)
        if not may_act(actor, rule.who, item.unit_id, item.assignee_id):
            raise PermissionDenied()
        if item.state not in rule.allowed:
            raise self._superseded(session, item)
        return item

    # The transition ------------------------------------------------------------------------------------
    def _apply(self, actor: Actor, item_id: int, action: str, change: Change, keep: bool = False) -> EscalationView:
        """One conditional update plus its history and audit entries, in one transaction."""
        for _attempt in range(ATTEMPTS):
            try:
                view = self._attempt(actor, item_id, action, change)
            except Superseded as refused:
                if keep and (change.text or change.attachment):
                    self._keep(actor, item_id, refused.item.state, change)
                    refused.kept, refused.kept_text = True, change.text
                raise
            if view is not None:
                return view
        raise DomainError(N_("Several people are changing difficulty #{id} at this moment. Please try again."),
                          id=item_id)

    def _attempt(self, actor: Actor, item_id: int, action: str, change: Change) -> EscalationView | None:
        rule, now = RULES[action], self.clock.now()
        with self.db.session() as session:
            item = self._actionable(session, actor, item_id, rule)
            if change.check is not None:
                change.check(session, item)
            to_state = rule.to or (S.WITH_OFFICE if action == "add_info" and item.state == S.INFO_REQUESTED
                                   else S(item.state))
            values = dict(change.values)
            before = {key: getattr(item, key) for key in ("state", "version", *values)}
            values.update(state=to_state.value, version=item.version + 1, updated_at=now)
            if action == "assign" or holder_of(item.state) != holder_of(to_state):
                values.update(step=item.step + 1, held_since=now)  # a new holder: a new follow-up clock
            result = session.execute(
                update(Escalation).where(col(Escalation.id) == item_id, col(Escalation.version) == item.version)
                .values(**values).execution_options(synchronize_session=False))
            if result.rowcount != 1:
                return None  # someone changed it since we read it: read again and decide again
            session.add(EscalationEvent(escalation_id=item_id, at=now, actor_id=actor.person_id, action=action,
                                        from_state=item.state, to_state=to_state.value, text=change.text,
                                        attachment=change.attachment))
            audit.record(session, at=now, actor_id=actor.person_id, action=f"escalation.{action}",
                         entity="escalation", entity_id=item_id, before=before,
                         after={key: values[key] for key in before})
            session.flush()
            session.refresh(item)
            return self._views(session, [item])[0]

    def _superseded(self, session: Session, item: Escalation) -> Superseded:
        history = self._history(session, item.id)
        return Superseded(self._views(session, [item])[0], history[-1] if history else None)

    def _keep(self, actor: Actor, item_id: int, state: S, change: Change) -> None:
        """A text that arrived too late is saved in the history as a note, so nothing a person wrote is lost."""
        now = self.clock.now()
        with self.db.session() as session:
            session.add(EscalationEvent(escalation_id=item_id, at=now, actor_id=actor.person_id, action="comment",
                                        from_state=state.value, to_state=state.value, text=change.text,
                                        attachment=change.attachment))
            audit.record(session, at=now, actor_id=actor.person_id, action="escalation.comment", entity="escalation",
                         entity_id=item_id, before=None, after={"state": state.value, "text": change.text})

    # Follow-up -----------------------------------------------------------------------------------------
    def claim_follow_ups(self) -> list[FollowUp]:
        """Items whose holder let the time pass, each claimed once per step (unique row) before it is sent.

        Only on working days from the start of working hours, so a weekend or a holiday never brings reminders.
        A unit's follow-up waits while one of its people waits for the later reminder they asked for ("remind me
        later", a pending snooze whose time has not come): it is claimed, for all of them, once that time has come.
        """
        now = self.clock.now()
        today = now.date()
        if now.hour < self.rule.start_hour or not self.calendar.is_working_day(today):
            return []
        with self.db.session() as session:
            items = session.exec(select(Escalation).where(Escalation.state != S.CLOSED.value)).all()
            sent = {(r.escalation_id, r.step) for r in session.exec(
                select(EscalationReminder).where(col(EscalationReminder.escalation_id).in_([i.id for i in items])))}
            candidates = [view for view in self._views(session, items, today)
                          if view.overdue and (view.item_id, view.step) not in sent]
            if any(view.holder == UNIT for view in candidates):
                snoozed = set(session.exec(select(Person.unit_id).join(
                    ReminderDelivery, col(ReminderDelivery.person_id) == Person.id).where(
                    ReminderDelivery.state == "pending", col(ReminderDelivery.not_before) > now)).all())
                candidates = [view for view in candidates if not (view.holder == UNIT and view.unit_id in snoozed)]
        claimed = []
        for view in candidates:
            if self._claim(view, now):
                claimed.append(FollowUp(view, view.holder, view.due))
        return claimed

    def _claim(self, view: EscalationView, now: datetime) -> bool:
        try:
            with self.db.session() as session:
                item = session.get(Escalation, view.item_id)
                if item is None or item.step != view.step or item.state == S.CLOSED.value:
                    return False  # it moved on meanwhile: the new step has its own clock
                session.add(EscalationReminder(escalation_id=view.item_id, step=view.step, holder=view.holder,
                                               sent_at=now))
                session.flush()
            return True
        except IntegrityError:  # another process claimed it first
            return False
