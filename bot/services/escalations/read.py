"""Escalations, read side: who sees which items, lists, history, due dates, overdue items, summaries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, false, func, or_, true
from sqlmodel import Session, col, select

from bot.calendar import WorkingCalendar
from bot.contracts import EscalationState as S
from bot.contracts import EscalationSummary
from bot.domain import Actor, NotFound, PermissionDenied
from bot.i18n import N_
from bot.services.base import Service
from bot.services.escalations.core import (OPEN_STATES, EscalationView, FollowUpRule, HistoryEntry, holder_of,
                                           may_see)
from storage.models import Escalation, EscalationEvent, Person, Unit


def not_found(item_id: int) -> NotFound:
    return NotFound(N_("There is no difficulty number {id}."), id=item_id)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """`may_see` as a query condition: the one visibility rule for lists, status and documents alike."""
    if actor.is_office or actor.is_director:
        return true()
    if actor.is_deputy_director:
        return col(Escalation.assignee_id) == actor.person_id
    if actor.reports_for_unit and actor.unit_id is not None:
        return col(Escalation.unit_id) == actor.unit_id
    return false()


@dataclass(frozen=True)
class ItemPage:
    """One page of a list (`EscalationReads.list_page`)."""

    views: list[EscalationView]  # the page's items, in the list's order
    page: int  # its number (a page past the end is the last one)
    count: int  # the items that pass the filters, among the first `limit`
    more: bool  # more than `limit` items are in the states asked for


class EscalationReads(Service):
    """Read-only queries; every one that takes an actor checks what that person may see."""

    calendar: WorkingCalendar
    rule: FollowUpRule

    # Due dates ------------------------------------------------------------------------------------
    def due_date(self, state: str, urgent: bool, held_since: datetime,
                 exceptions: dict[date, bool] | None = None) -> date | None:
        """The last working day the current holder has; None once closed (`exceptions`: see `_exceptions`)."""
        holder = holder_of(state)
        if holder is None:
            return None
        start = held_since.astimezone(self.clock.tz).date()
        return self.calendar.add_working_days(start, self.rule.days(holder, urgent), exceptions)

    def _exceptions(self, items: Sequence[Escalation]) -> dict[date, bool] | None:
        """The calendar's exceptions over every open item's follow-up window, in one query (not one per item)."""
        windows = [self.calendar.window(item.held_since.astimezone(self.clock.tz).date(),
                                        self.rule.days(holder, item.urgent))
                   for item in items if (holder := holder_of(item.state)) is not None]
        if len(windows) < 2:
            return None
        return self.calendar.exceptions(min(a for a, _ in windows), max(b for _, b in windows))

    # Views ----------------------------------------------------------------------------------------
    def _views(self, session: Session, items: Sequence[Escalation], today: date | None = None) -> list[EscalationView]:
        """Resolve names in two queries, whatever the number of items."""
        today = today or self.clock.today()
        person_ids = {pid for item in items for pid in (
            item.raised_by, item.office_handler_id, item.assignee_id, item.office_answer_by, item.instruction_by,
            item.closed_by) if pid}
        # The two columns read, not whole rows (a list is up to 300 items from as many units and people).
        names = dict(session.exec(select(Person.id, Person.full_name).where(col(Person.id).in_(person_ids))).all()) \
            if person_ids else {}
        unit_ids = {item.unit_id for item in items}
        units = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(unit_ids))).all()) \
            if unit_ids else {}
        views = []
        exceptions = self._exceptions(items)
        for item in items:
            due = self.due_date(item.state, item.urgent, item.held_since, exceptions)
            views.append(EscalationView(
                item_id=item.id, unit_id=item.unit_id, unit_name=units.get(item.unit_id, ""), title=item.title,
                description=item.description, urgent=item.urgent, state=S(item.state), version=item.version,
                step=item.step, raised_by_id=item.raised_by, raised_by=names.get(item.raised_by, ""),
                created_at=item.created_at, held_since=item.held_since,
                attachment=dict(item.attachment) if item.attachment else None,
                office_handler=names.get(item.office_handler_id), assignee_id=item.assignee_id,
                assignee=names.get(item.assignee_id), office_note=item.office_note, office_answer=item.office_answer,
                office_answer_by=names.get(item.office_answer_by), instruction=item.instruction,
                instruction_kind=item.instruction_kind, instruction_by_id=item.instruction_by,
                instruction_by=names.get(item.instruction_by), instruction_at=item.instruction_at,
                follow_up_by_office=item.follow_up_by_office, outcome=item.outcome, outcome_note=item.outcome_note,
                duplicate_of_id=item.duplicate_of_id, closed_by=names.get(item.closed_by), closed_at=item.closed_at,
                due=due, overdue=due is not None and today > due,
            ))
        return views

    def _load_visible(self, session: Session, actor: Actor, item_id: int) -> Escalation:
        item = session.get(Escalation, item_id)
        if item is None:
            raise not_found(item_id)
        if not may_see(actor, item.unit_id, item.assignee_id):
            raise PermissionDenied(N_("You do not have access to this difficulty."))
        return item

    def get(self, actor: Actor, item_id: int) -> EscalationView:
        with self.db.session() as session:
            return self._views(session, [self._load_visible(session, actor, item_id)])[0]

    def history(self, actor: Actor, item_id: int) -> list[HistoryEntry]:
        """Every step of the item, oldest first."""
        with self.db.session() as session:
            self._load_visible(session, actor, item_id)
            return self._history(session, item_id)

    @staticmethod
    def _history(session: Session, item_id: int) -> list[HistoryEntry]:
        rows = session.exec(
            select(EscalationEvent, Person).join(Person, col(Person.id) == EscalationEvent.actor_id, isouter=True)
            .where(EscalationEvent.escalation_id == item_id).order_by(col(EscalationEvent.id))
        ).all()
        return [HistoryEntry(event_id=e.id, at=e.at, actor_id=e.actor_id, actor_name=p.full_name if p else None,
                             action=e.action, from_state=S(e.from_state) if e.from_state else None,
                             to_state=S(e.to_state), text=e.text,
                             attachment=dict(e.attachment) if e.attachment else None) for e, p in rows]

    def event_attachment(self, actor: Actor, item_id: int, event_id: int) -> dict | None:
        """The file attached to one history entry (0: the item's own attachment), if the person may see it."""
        with self.db.session() as session:
            item = self._load_visible(session, actor, item_id)
            if event_id == 0:
                return dict(item.attachment) if item.attachment else None
            event = session.get(EscalationEvent, event_id)
            if event is None or event.escalation_id != item_id or not event.attachment:
                return None
            return dict(event.attachment)

    def list_items(self, actor: Actor, *, states: Iterable[S] | None = None, unit_id: int | None = None,
                   limit: int = 200) -> list[EscalationView]:
        """The items this person may see, urgent first then oldest first; open ones unless `states` says otherwise."""
        query = self._listed(select(Escalation), actor, states, unit_id)
        with self.db.session() as session:
            return self._views(session, session.exec(query.limit(limit)).all())

    def list_page(self, actor: Actor, *, states: Iterable[S] | None = None, unit_id: int | None = None,
                  overdue: bool = False, page: int = 1, per_page: int = 50, limit: int = 300) -> ItemPage:
        """`list_items` a page at a time (the desk's list), narrowed to `unit_id` and to overdue items when asked,
        among the first `limit`: only the page's items are read whole and named; the others are read as the few
        columns that order them and give their due date (a 300-item list built 300 views to show 50)."""
        columns = select(Escalation.id, Escalation.unit_id, Escalation.state, Escalation.urgent, Escalation.held_since)
        query = self._listed(columns, actor, states, unit_id)
        with self.db.session() as session:
            rows = session.exec(query.limit(limit + 1)).all()
            more, rows = len(rows) > limit, rows[:limit]
            if unit_id is not None:  # a deputy director's list is theirs alone: the unit narrows it here
                rows = [r for r in rows if r.unit_id == unit_id]
            if overdue:
                today, exceptions = self.clock.today(), self._exceptions(rows)
                rows = [r for r in rows if (due := self.due_date(r.state, r.urgent, r.held_since, exceptions))
                        is not None and today > due]
            pages = max(1, -(-len(rows) // per_page))
            page = min(max(page, 1), pages)
            ids = [r.id for r in rows[(page - 1) * per_page:page * per_page]]
            items = {item.id: item for item in session.exec(select(Escalation).where(col(Escalation.id).in_(ids)))} \
                if ids else {}
            return ItemPage(self._views(session, [items[i] for i in ids if i in items]), page, len(rows), more)

    @staticmethod
    def _listed(query, actor: Actor, states: Iterable[S] | None, unit_id: int | None):  # noqa: ANN001, ANN205
        """The list's condition and order: what this person may see, in `states` (open ones by default)."""
        if not (actor.sees_all_units or actor.is_deputy_director or actor.reports_for_unit):
            raise PermissionDenied()
        query = query.where(col(Escalation.state).in_([s.value for s in (states or OPEN_STATES)]), visible_to(actor))
        if unit_id is not None and (actor.is_office or actor.is_director):
            query = query.where(Escalation.unit_id == unit_id)
        return query.order_by(col(Escalation.urgent).desc(), col(Escalation.created_at), col(Escalation.id))

    def open_counts(self, viewer: Actor) -> dict[int, int]:
        """Open items per unit that `viewer` may see (`visible_to`), counted by the database: the desk's grid.
        Every open item is among a period's relevant ones (`relevant_escalations`), whatever the period."""
        with self.db.session() as session:
            rows = session.exec(select(Escalation.unit_id, func.count()).where(
                col(Escalation.state) != S.CLOSED.value, visible_to(viewer)).group_by(Escalation.unit_id)).all()
        return {unit_id: count for unit_id, count in rows}

    def units_with_items(self, actor: Actor) -> list[tuple[int, str]]:
        """(unit id, name) of every unit with an item this person may see, in the unit list's order: the
        choices of the desk's unit filter (not the whole organisation: 1,000 units is no list to choose from)."""
        if not (actor.is_office or actor.is_director):
            raise PermissionDenied()
        with self.db.session() as session:
            rows = session.exec(select(Unit.id, Unit.name).where(
                col(Unit.id).in_(select(Escalation.unit_id).where(visible_to(actor)).distinct()))
                .order_by(Unit.sort_order, Unit.id)).all()
        return [(unit_id, name) for unit_id, name in rows]

    def overdue(self, actor: Actor) -> list[EscalationView]:
        """Open items whose holder has let the follow-up time pass: the Office's one list (the Director's too)."""
        if not (actor.is_office or actor.is_director):
            raise PermissionDenied()
        return [view for view in self.list_items(actor, limit=10_000) if view.overdue]

    # For the status board and the official report ----------------------------------------------------
    def summaries(self, since: date | None = None, until: date | None = None,
                  unit_id: int | None = None, viewer: Actor | None = None) -> list[EscalationSummary]:
        """Items open at some time between `since` and `until` (local dates, both included), oldest first.

        That is: raised on or before `until`, and not closed before `since`. `viewer` limits them to what that
        person may see (`visible_to`); None is the Department itself (the group's board, the command line).
        `outcome` is a code of OUTCOME_LABELS.
        """
        query = select(Escalation, Unit).join(Unit, col(Unit.id) == Escalation.unit_id)
        if viewer is not None:
            query = query.where(visible_to(viewer))
        if until is not None:
            query = query.where(Escalation.created_at < self._start_of(until + timedelta(days=1)))
        if since is not None:
            start = self._start_of(since)
            query = query.where(or_(col(Escalation.closed_at).is_(None), col(Escalation.closed_at) >= start))
        if unit_id is not None:
            query = query.where(Escalation.unit_id == unit_id)
        with self.db.session() as session:
            rows = session.exec(query.order_by(col(Escalation.created_at), col(Escalation.id))).all()
            leaders = {r.instruction_by for r, _ in rows if r.instruction_by}
            people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(leaders)))} \
                if leaders else {}
            names = {pid: p.full_name for pid, p in people.items()}
            roles = {pid: p.role for pid, p in people.items()}
            return [EscalationSummary(
                item_id=item.id, unit_id=item.unit_id, unit_name=unit.name, title=item.title,
                description=item.description, urgent=item.urgent, state=S(item.state), created_at=item.created_at,
                closed_at=item.closed_at, instruction=item.instruction,
                instruction_by=names.get(item.instruction_by), outcome=item.outcome,
                instruction_by_role=roles.get(item.instruction_by), office_answer=item.office_answer,
                outcome_note=item.outcome_note, instruction_kind=item.instruction_kind, office_note=item.office_note,
            ) for item, unit in rows]

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=self.clock.tz)
