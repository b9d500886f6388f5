"""Reminders, database side: what is due now, claiming a send exactly once, marking it, snoozes, alerts.

Exactly-once protocol (see handlers.reminders.entry.fan_out and the outbox's sender for the sending side):
- a reminder is identified by (period, target, step) and claimed by inserting its row in state "sending"
  under that unique constraint (or, for a snooze, by a conditional UPDATE pending -> sending);
- the claim commits with the queued message (the outbox); the sender retries a call that certainly did not
  leave (flood control, no connection) and, once the channel answers, the row is marked sent / blocked /
  unreachable / failed (bot.transport.wiring.outcome_hook);
- a row still "sending" after IN_DOUBT_AFTER belongs to a process that died with the request in flight:
  it becomes "unknown" and is never resent (at most once: one person may miss one step, never get two).
Catch-up: only the latest due step of the schedule is considered, so after downtime a person gets at most
one reminder per period, at the next moment inside working hours.
A snooze holds: while a person's "remind me later" for a period waits (state "pending", `not_before` still to
come), no scheduled step of that period (opening notice, countdown, deadline day, overdue follow-ups, catch-up,
the Office's digest) goes to them; the step is not recorded, so it is due again once the snooze's time has come,
and then goes in one message with the snooze (see `bundle`). The Office's /nhacnho leaves them out too (and
names them with the time they asked for) unless the Office chooses "Remind them anyway".
One message per person and moment: everything due for one recipient at once (several periods, a snooze) goes
as one bundle, claimed all together in one transaction (each part keeps its own row). A scheduled step for a
person already reminded about that period the same day (by the Office's /nhacnho, say) is recorded as
"skipped", and /nhacnho leaves out (and names) people reminded the same day unless the Office insists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.calendar import WorkingCalendar
from bot.clock import Clock
from bot.config import Settings
from bot.contracts import ReportState, UnitProgress
from bot.domain import Actor, DomainError, NotFound, PermissionDenied, Recipient
from bot.i18n import N_
from bot.transport.results import Outcome
from bot.services.reminders.base import AlertLine, DueReminder, UnitLine, bundle
from bot.services.reminders.refs import REMINDER_REF, reminder_of
from bot.services.reminders.schedule import (ScheduleConfig, digest_day, in_working_hours, latest_due_step,
                                    next_working_morning, working_days_left)
from bot.services.base import Service
from bot.services.identity.addressing import reachable
from bot.services.identity.people import PeopleService
from bot.services.periods.base import PeriodInfo, to_info
from bot.services.progress import ProgressService
from storage.db import Database
from storage.models import DeadlineExtension, Period, Person, ReminderDelivery, Report, Unit
from storage.models.transport import OutboxMessage

log = logging.getLogger(__name__)
IN_DOUBT_AFTER = timedelta(minutes=10)  # far longer than one send with its bounded retries
SUBMITTED = (ReportState.SUBMITTED.value, ReportState.ACCEPTED.value)
SCHEDULED = ("open", "before", "day", "late")
REACHED = ("sent", "sending", "unknown")  # rows that (may) have put a reminder in front of the person


class _Taken(Exception):
    """A part of a bundle is no longer ours to send: the whole claim is rolled back."""


@dataclass(frozen=True)
class RecentReminder:
    """Someone already reminded about a period today, whom /nhacnho leaves out unless the Office insists."""

    name: str
    at: datetime
    by_schedule: bool


@dataclass(frozen=True)
class SnoozedPerson:
    """Someone who asked to be reminded about a period later, at `until`: /nhacnho leaves them out unless the
    Office insists."""

    name: str
    until: datetime


@dataclass(frozen=True)
class ManualPlan:
    """What /nhacnho will send now: one item per person, how many this request already covered, who was left out
    (reminded today, or waiting for the later reminder they asked for)."""

    items: list[DueReminder]
    already: int
    recent: tuple[RecentReminder, ...]
    snoozed: tuple[SnoozedPerson, ...] = ()


@dataclass(frozen=True)
class PendingPeriod:
    """An open period and its units that have not submitted (for /nhacnho)."""

    period: PeriodInfo
    units: tuple[UnitLine, ...]
    people: int  # recipients of those units
    unreachable: tuple[str, ...]
    reminded_today: int = 0  # of `people`, those /nhacnho leaves out (already reminded about it today)
    snoozed: int = 0  # of `people`, those /nhacnho leaves out (they asked to be reminded later), not counted above
    delivered_today: int = 0  # reminders about it today that the channel accepted
    waiting_today: int = 0  # and those still queued (a channel paused: Zalo after a 429)


class ReminderService(Service):
    """Derives everything from the database, so running it twice or in two processes is harmless."""

    def __init__(self, db: Database, clock: Clock, settings: Settings, calendar: WorkingCalendar,
                 people: PeopleService, progress: ProgressService) -> None:
        super().__init__(db, clock)
        self.calendar, self.people, self.progress = calendar, people, progress
        self.config = ScheduleConfig.from_settings(settings)
        self.office_chat_id = settings.office_chat_id.strip()
        self.default_locale = settings.default_locale

    # When ----------------------------------------------------------------------------------------
    def is_sending_time(self) -> bool:
        return in_working_hours(self.calendar, self.config, self.clock.now())

    def next_morning(self) -> datetime:
        return next_working_morning(self.calendar, self.config, self.clock.now())

    # What is due ---------------------------------------------------------------------------------
    def due(self) -> list[DueReminder]:
        """Scheduled steps, snoozes whose time has come, and the Office's digests, not yet claimed: one item
        (possibly a bundle) per recipient.

        Set-based: a fixed number of queries whatever the number of units and people (about twenty, half of them
        the working calendar's, once per deadline), and two when no period is open and no snooze waits.
        """
        today, now = self.clock.today(), self.clock.now()
        with self.db.session() as session:
            periods = self._open_periods_in(session, today)
            waiting = session.exec(select(ReminderDelivery).where(ReminderDelivery.state == "pending")
                                   .order_by(col(ReminderDelivery.id))).all()
        snoozes = [row for row in waiting if row.not_before is not None and row.not_before <= now]
        held = _holding(waiting, now)
        if not periods and not snoozes:
            return []
        known = {p.id: p for p in periods}
        with self.db.session() as session:
            if missing := {row.period_id for row in snoozes} - known.keys():
                known.update({p.id: p for p in session.exec(select(Period).where(col(Period.id).in_(sorted(missing))))})
            active = set(session.exec(select(Unit.id).where(Unit.is_active)).all())
            extensions: dict[int, dict[int, DeadlineExtension]] = {}
            for e in session.exec(select(DeadlineExtension).where(col(DeadlineExtension.period_id).in_(list(known)))):
                extensions.setdefault(e.period_id, {})[e.unit_id] = e
            blocked = set(session.exec(select(Person.id).where(col(Person.blocked_at).is_not(None))).all())
        progress = self.progress.by_periods(list(known))
        pending = {pid: _pending_lines(period, progress.get(pid, []), active, extensions.get(pid, {}), today)
                   for pid, period in known.items()}
        people = self.people.units_recipients({u.unit_id for p in periods for u in pending[p.id]})
        items: list[DueReminder] = []
        plans = [self._plan(period, pending[period.id], today) for period in periods]
        keys = {key for plan in plans for key in plan.keys}
        with self.db.session() as session:
            done = set(session.exec(select(ReminderDelivery.period_id, ReminderDelivery.target, ReminderDelivery.step)
                                    .where(col(ReminderDelivery.period_id).in_([p.id for p in periods]),
                                           col(ReminderDelivery.step).in_(sorted(keys)))).all()) if keys else set()
        office: list[tuple[str, Recipient]] | None = None
        for plan in plans:
            if plan.digests and office is None:
                office = self.office_targets()
            items += self._due_for_period(plan, people, done, blocked, office or [])
        # A person waiting for the later reminder they asked for gets no scheduled step of that period before it.
        items = [i for i in items if (i.period.period_id, i.target) not in held]
        skipped_snoozes: list[int] = []
        items += self._due_snoozes(snoozes, known, pending, today, skipped_snoozes)
        kept, skipped = self._skip_reminded_today(items)
        if skipped or skipped_snoozes:
            with self.db.session() as session:
                if skipped_snoozes:
                    session.execute(update(ReminderDelivery).where(col(ReminderDelivery.id).in_(skipped_snoozes),
                                                                col(ReminderDelivery.state) == "pending")
                                    .values(state="skipped", finished_at=now))
                if skipped:  # one statement, executemany
                    session.execute(self._insert(ReminderDelivery).on_conflict_do_nothing(
                        index_elements=["period_id", "target", "step"]), skipped)
        return bundle(kept)

    def _today_start(self) -> datetime:
        return datetime.combine(self.clock.today(), datetime.min.time(), tzinfo=self.clock.tz)

    def _reminded_today(self, period_id: int) -> dict[str, tuple[datetime, str]]:
        """target -> (when, step) of the latest reminder about this period that reached them today."""
        return self._reminded_today_in([period_id]).get(period_id, {})

    def _reminded_today_in(self, period_ids: list[int]) -> dict[int, dict[str, tuple[datetime, str]]]:
        """`_reminded_today` of several periods in one query."""
        result: dict[int, dict[str, tuple[datetime, str]]] = {}
        with self.db.session() as session:
            rows = session.exec(select(ReminderDelivery.period_id, ReminderDelivery.target,
                                       ReminderDelivery.attempted_at, ReminderDelivery.step)
                                .where(col(ReminderDelivery.period_id).in_(period_ids),
                                       col(ReminderDelivery.state).in_(REACHED),
                                       col(ReminderDelivery.attempted_at) >= self._today_start())
                                .order_by(col(ReminderDelivery.attempted_at))).all()
        for period_id, target, at, step in rows:
            result.setdefault(period_id, {})[target] = (at, step)
        return result

    def _skip_reminded_today(self, items: list[DueReminder]) -> tuple[list[DueReminder], list[dict]]:
        """A scheduled step for someone reminded about the period today is recorded as skipped, not sent:
        the items kept, and the "skipped" rows to insert."""
        scheduled = [i for i in items if i.kind in SCHEDULED and i.person_id is not None]
        if not scheduled:
            return items, []
        recent = self._reminded_today_in(sorted({i.period.period_id for i in scheduled}))
        kept, skipped, now = [], [], self.clock.now()
        for item in items:
            if item.kind in SCHEDULED and item.person_id is not None:
                pid = item.period.period_id
                if item.target in recent.get(pid, {}):
                    skipped.append(dict(period_id=pid, target=item.target, person_id=item.person_id,
                                        unit_id=item.unit.unit_id if item.unit else None, step=item.step,
                                        state="skipped", created_at=now, finished_at=now,
                                        error="reminded earlier today"))
                    continue
            kept.append(item)
        return kept, skipped

    @staticmethod
    def _open_periods_in(session: Session, today: date) -> list[Period]:
        extended = select(DeadlineExtension.id).where(DeadlineExtension.period_id == Period.id,
                                                      DeadlineExtension.deadline >= today).exists()
        return list(session.exec(select(Period).where(col(Period.closed_at).is_(None), Period.opens_on <= today,
                                                      or_(Period.closes_on >= today, extended))
                                 .order_by(Period.deadline, Period.id)).all())

    def _open_periods(self, today: date) -> list[Period]:
        """Periods not closed by the Office, opened, and still accepting reports from some unit."""
        with self.db.session() as session:
            return self._open_periods_in(session, today)

    def _pending_units(self, period: Period, today: date) -> list[UnitLine]:
        """Active units that have not submitted and may still report (their closing day not passed)."""
        with self.db.session() as session:
            active = set(session.exec(select(Unit.id).where(Unit.is_active)).all())
            extensions = {e.unit_id: e for e in session.exec(
                select(DeadlineExtension).where(DeadlineExtension.period_id == period.id)).all()}
        return _pending_lines(period, self.progress.by_unit(period.id), active, extensions, today)

    def _plan(self, period: Period, pending: list[UnitLine], today: date) -> _Plan:
        """The step due for each of the period's deadlines (one per unit extension) and the digests due."""
        steps = {}
        for unit in pending:
            if unit.deadline not in steps:
                steps[unit.deadline] = latest_due_step(self.calendar, self.config, period.opens_on, unit.deadline,
                                                       today)
        digests = {}
        for deadline in sorted(steps):
            day = digest_day(self.calendar, self.config, deadline)
            if day is not None and max(day, period.opens_on) <= today <= deadline:
                digests[deadline] = f"digest:{deadline:%Y%m%d}"
        return _Plan(period, pending, steps, digests)

    def _due_for_period(self, plan: _Plan, people: dict[int, list[Recipient]], done: set[tuple[int, str, str]],
                        blocked: set[int], office: list[tuple[str, Recipient]]) -> list[DueReminder]:
        period, today = plan.period, self.clock.today()
        ref = to_info(period, today)
        items: list[DueReminder] = []
        unreachable: dict[date, list[str]] = {}
        days_left: dict[date, int] = {}
        for unit in plan.pending:
            step = plan.steps[unit.deadline]
            recipients = people.get(unit.unit_id, [])
            unreachable.setdefault(unit.deadline, []).extend(
                r.full_name for r in recipients if not reachable(r) or r.person_id in blocked)
            if step is None:
                continue
            if unit.deadline not in days_left:  # one calendar read per deadline, not per unit
                days_left[unit.deadline] = working_days_left(self.calendar, today, unit.deadline)
            left = days_left[unit.deadline]
            for r in recipients:
                target = f"p{r.person_id}"
                if (period.id, target, step.key) not in done:
                    items.append(DueReminder(ref, step.key, step.kind, target, r, today, left, unit=unit,
                                             was_blocked=r.person_id in blocked))
        for deadline, key in plan.digests.items():
            units = tuple(u for u in plan.pending if u.deadline == deadline)
            left = days_left.get(deadline)
            if left is None:
                left = working_days_left(self.calendar, today, deadline)
            for target, recipient in office:
                if (period.id, target, key) not in done:
                    items.append(DueReminder(ref, key, "digest", target, recipient, today, left, pending=units,
                                             unreachable=tuple(unreachable.get(deadline, ()))))
        return items

    def _due_snoozes(self, rows: list[ReminderDelivery], periods: dict[int, Period],
                     pending: dict[int, list[UnitLine]], today: date, skipped: list[int]) -> list[DueReminder]:
        """Snoozes whose morning has come; one made pointless (unit submitted, reminded since) is skipped (its id
        added to `skipped`)."""
        if not rows:
            return []
        with self.db.session() as session:
            sent = session.exec(select(ReminderDelivery.id, ReminderDelivery.period_id, ReminderDelivery.target,
                                       ReminderDelivery.attempted_at)
                                .where(col(ReminderDelivery.state).in_(REACHED),  # sent, or on its way
                                       col(ReminderDelivery.period_id).in_(sorted({r.period_id for r in rows})),
                                       col(ReminderDelivery.target).in_(sorted({r.target for r in rows})))).all()
        sent_to: dict[tuple[int, str], list[tuple[int, datetime | None]]] = {}
        for other, pid, target, at in sent:
            sent_to.setdefault((pid, target), []).append((other, at))
        recipients = self.people.recipients({r.person_id for r in rows if r.person_id})
        items, days_left = [], {}
        for row in rows:
            period = periods.get(row.period_id)
            newer = any(other != row.id and at is not None and at >= row.created_at
                        for other, at in sent_to.get((row.period_id, row.target), ()))
            unit = next((u for u in pending.get(row.period_id, []) if u.unit_id == row.unit_id), None)
            recipient = recipients.get(row.person_id) if row.person_id else None
            if period is None or period.closed_at is not None or newer or unit is None or recipient is None:
                skipped.append(row.id)
                continue
            if unit.deadline not in days_left:
                days_left[unit.deadline] = working_days_left(self.calendar, today, unit.deadline)
            items.append(DueReminder(to_info(period, today), row.step, "snooze", row.target, recipient, today,
                                     days_left[unit.deadline], unit=unit, snooze_row_id=row.id))
        return items

    def office_targets(self) -> list[tuple[str, Recipient]]:
        """The Office's group when configured (one message for all), otherwise each Office person."""
        if self.office_chat_id:
            return [(f"g{self.office_chat_id}",
                     Recipient(0, "", self.default_locale, telegram_id=self.office_chat_id))]
        return [(f"p{r.person_id}", r) for r in self.people.office_recipients()]

    # /nhacnho -----------------------------------------------------------------------------------------
    def pending(self, actor: Actor) -> list[PendingPeriod]:
        """Open periods with their units still pending, for the Office."""
        if not actor.is_office:
            raise PermissionDenied()
        today = self.clock.today()
        with self.db.session() as session:
            blocked = set(session.exec(select(Person.id).where(col(Person.blocked_at).is_not(None))).all())
        result = []
        periods = self._open_periods(today)
        recent = self._reminded_today_in([p.id for p in periods]) if periods else {}
        held = self.snoozed_until([p.id for p in periods]) if periods else {}
        outcomes = self._outcomes_today([p.id for p in periods])
        for period in periods:
            units = self._pending_units(period, today)
            people = [r for u in units for r in self.people.unit_recipients(u.unit_id)]
            reminded = sum(f"p{r.person_id}" in recent.get(period.id, {}) for r in people)
            snoozed = sum((period.id, f"p{r.person_id}") in held and f"p{r.person_id}" not in recent.get(period.id, {})
                          for r in people)
            delivered, waiting = outcomes.get(period.id, (0, 0))
            result.append(PendingPeriod(to_info(period, today), tuple(units), len(people), tuple(
                r.full_name for r in people if not reachable(r) or r.person_id in blocked), reminded, snoozed,
                delivered, waiting))
        return result

    def _outcomes_today(self, period_ids: list[int]) -> dict[int, tuple[int, int]]:
        """period -> (reminders delivered today, reminders queued today and not sent yet)."""
        result: dict[int, tuple[int, int]] = {}
        if not period_ids:
            return result
        with self.db.session() as session:
            rows = session.exec(select(ReminderDelivery.period_id, ReminderDelivery.state).where(
                col(ReminderDelivery.period_id).in_(period_ids), col(ReminderDelivery.state).in_(("sent", "sending")),
                col(ReminderDelivery.attempted_at) >= self._today_start())).all()
        for period_id, state in rows:
            delivered, waiting = result.get(period_id, (0, 0))
            result[period_id] = (delivered + (state == "sent"), waiting + (state == "sending"))
        return result

    def snoozed_until(self, period_ids: list[int]) -> dict[tuple[int, str], datetime]:
        """(period, target) -> the time a person asked to be reminded at, for the snoozes still waiting."""
        with self.db.session() as session:
            rows = session.exec(select(ReminderDelivery).where(ReminderDelivery.state == "pending",
                                                               col(ReminderDelivery.period_id).in_(period_ids))).all()
        return _holding(rows, self.clock.now())

    def manual(self, actor: Actor, period_ids: list[int], stamp: str, force: bool = False) -> ManualPlan:
        """Reminders the Office asked for now (step "manual:<stamp>"), one message per person for all the
        periods; people already reminded about a period today are left out (and named) unless `force`."""
        if not actor.is_office:
            raise PermissionDenied()
        today = self.clock.today()
        items, already, recent, snoozed = [], 0, [], []
        held = {} if force else self.snoozed_until(period_ids)
        for period_id in period_ids:
            with self.db.session() as session:
                period = session.get(Period, period_id)
                if period is None:
                    raise NotFound()
                done = set(session.exec(select(ReminderDelivery.target).where(
                    ReminderDelivery.period_id == period_id, ReminderDelivery.step == f"manual:{stamp}")).all())
            if period.closed_at is not None or period.opens_on > today:
                raise DomainError(N_("This reporting period is not open."))
            reminded = {} if force else self._reminded_today(period_id)
            for unit in self._pending_units(period, today):
                left = working_days_left(self.calendar, today, unit.deadline)
                for r in self.people.unit_recipients(unit.unit_id):
                    target = f"p{r.person_id}"
                    if target in done:
                        already += 1
                    elif target in reminded:
                        at, step = reminded[target]
                        recent.append(RecentReminder(r.full_name, at, not step.startswith("manual:")))
                    elif (period_id, target) in held:
                        snoozed.append(SnoozedPerson(r.full_name, held[(period_id, target)]))
                    else:
                        items.append(DueReminder(to_info(period, today), f"manual:{stamp}", "manual", target, r, today, left,
                                                 unit=unit))
        return ManualPlan(bundle(items), already, tuple(recent), tuple(snoozed))

    # Snooze ---------------------------------------------------------------------------------------
    def snooze(self, actor: Actor, period_id: int) -> datetime:
        """"Remind me later": one more reminder at the next working morning (pressing twice changes nothing)."""
        if not actor.reports_for_unit:
            raise PermissionDenied()
        today, now = self.clock.today(), self.clock.now()
        with self.db.session() as session:
            period = session.get(Period, period_id)
        if period is None:
            raise NotFound()
        if not any(u.unit_id == actor.unit_id for u in self._pending_units(period, today)) or period.closed_at:
            raise DomainError(N_("Your unit has already sent this report, or the period is closed: "
                                 "no reminder is needed."))
        when = self.next_morning()
        row = dict(period_id=period_id, target=f"p{actor.person_id}", person_id=actor.person_id,
                   unit_id=actor.unit_id, step=f"snz:{when:%Y%m%d}", state="pending", not_before=when,
                   created_at=now)
        with self.db.session() as session:
            session.execute(self._insert_ignore(row))
        return when

    def snooze_all(self, actor: Actor) -> tuple[datetime | None, int]:
        """/nhacsau: snooze every open period the person's unit has not sent."""
        if not actor.reports_for_unit:
            raise PermissionDenied()
        today = self.clock.today()
        count, when = 0, None
        for period in self._open_periods(today):
            if any(u.unit_id == actor.unit_id for u in self._pending_units(period, today)):
                when = self.snooze(actor, period.id)
                count += 1
        return when, count

    # Claim, finish, release -------------------------------------------------------------------------
    def _insert(self, table):  # noqa: ANN001, ANN202
        """The dialect's INSERT (with ON CONFLICT); its module is loaded on first use, not at start-up."""
        if self.db.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(table)

    def _insert_ignore(self, values: dict):  # noqa: ANN202
        return self._insert(ReminderDelivery).values(**values).on_conflict_do_nothing(
            index_elements=["period_id", "target", "step"]).returning(ReminderDelivery.id)

    def claim(self, item: DueReminder, worker: str = "") -> int | None:
        """Record the send before it happens; None when it is not ours to send (taken, or no longer needed).

        A bundle is claimed whole in one transaction: if any part is taken or no longer needed, nothing is
        claimed, and the next run sends what is still due.
        """
        now = self.clock.now()
        try:
            with self.db.session() as session:
                ids = [self._claim_part(session, part, now, worker) for part in item.all_parts]
        except _Taken:
            return None
        return ids[0]

    def _claim_part(self, session: Session, item: DueReminder, now: datetime, worker: str) -> int:
        if item.unit is not None and _submitted(session, item.period.period_id, item.unit.unit_id):
            raise _Taken()
        if item.snooze_row_id is not None:
            result = session.execute(update(ReminderDelivery).where(
                col(ReminderDelivery.id) == item.snooze_row_id, col(ReminderDelivery.state) == "pending")
                .values(state="sending", attempted_at=now, worker=worker[:64]))
            if result.rowcount != 1:
                raise _Taken()
            return item.snooze_row_id
        row = session.execute(self._insert_ignore(dict(
            period_id=item.period.period_id, target=item.target, person_id=item.person_id,
            unit_id=item.unit.unit_id if item.unit else None, step=item.step, state="sending",
            created_at=now, attempted_at=now, worker=worker[:64], error=""))).first()
        if not row:
            raise _Taken()
        return row[0]

    @staticmethod
    def _rows(session: Session, item: DueReminder | None, row_id: int | None = None) -> list[ReminderDelivery]:
        """The claimed ("sending") rows of an item or of every part of a bundle.

        Without the item (the outbox's sender reports by the first row's id), the bundle is the rows claimed in
        the same transaction: same target, same claim instant, still "sending"."""
        if item is None:
            first = session.get(ReminderDelivery, row_id) if row_id is not None else None
            if first is None or first.state != "sending":
                return []
            return list(session.exec(select(ReminderDelivery).where(
                ReminderDelivery.target == first.target, ReminderDelivery.attempted_at == first.attempted_at,
                ReminderDelivery.state == "sending")).all())
        rows = []
        for part in item.all_parts:
            row = session.exec(select(ReminderDelivery).where(
                ReminderDelivery.period_id == part.period.period_id, ReminderDelivery.target == part.target,
                ReminderDelivery.step == part.step, ReminderDelivery.state == "sending")).first()
            if row is not None:
                rows.append(row)
        return rows

    def finish(self, row_id: int, item: DueReminder | None, outcome: Outcome, error: str = "",
               channel: str | None = None, office_told: bool = False) -> None:
        """Mark the rows; remember who blocked the bot (or came back) and whether the Office must hear of it.
        `channel`: where it was delivered (a fallback channel counts); `office_told`: the Office hears of this
        failure another way (a delivery notice), so no alert."""
        now = self.clock.now()
        with self.db.session() as session:
            for row in self._rows(session, item, row_id):
                self._finish_row(session, row, outcome, error, now, channel, office_told)

    @staticmethod
    def _finish_row(session: Session, row: ReminderDelivery, outcome: Outcome, error: str, now: datetime,
                    channel: str | None = None, office_told: bool = False) -> None:
        row.state, row.finished_at, row.error = outcome.value, now, error[:255]
        if outcome == Outcome.SENT and channel:
            row.channel = channel
        person = session.get(Person, row.person_id) if row.person_id else None
        if outcome in (Outcome.BLOCKED, Outcome.UNREACHABLE):
            known = person is None or office_told or (outcome == Outcome.BLOCKED and person.blocked_at is not None) or (
                outcome == Outcome.UNREACHABLE and _unreachable_known(session, row))
            row.office_notified_at = now if known else None  # None: the Office is told on the next run
            if outcome == Outcome.BLOCKED and person is not None and person.blocked_at is None:
                person.blocked_at = now
                session.add(person)
        elif outcome == Outcome.SENT and person is not None and person.blocked_at is not None:
            person.blocked_at = None  # they unblocked the bot
            session.add(person)
        session.add(row)

    def expire_in_doubt(self) -> int:
        """Rows left "sending" by a process that died mid-request become "unknown": never resent.

        Not a row whose message still waits in the outbox (or is being sent): a long queue (a large fan-out, a
        channel paused by its quota) is not a dead process, and the sender reports its outcome, in doubt
        included, when it gets there. A bundle's rows go by the call queued for the first of them."""
        now = self.clock.now()
        with self.db.session() as session:
            refs = session.exec(select(OutboxMessage.ref).where(
                col(OutboxMessage.state).in_(("pending", "sending")),
                col(OutboxMessage.ref).like(REMINDER_REF + "%"))).all()  # a fallback copy's too
            live = {row_id for ref in refs if (row_id := reminder_of(ref)) is not None}
            queued = aliased(ReminderDelivery)
            waiting = exists().where(queued.target == ReminderDelivery.target,
                                     queued.attempted_at == ReminderDelivery.attempted_at, col(queued.id).in_(sorted(live)))
            result = session.execute(update(ReminderDelivery).where(
                col(ReminderDelivery.state) == "sending", col(ReminderDelivery.attempted_at) < now - IN_DOUBT_AFTER,
                ~waiting)
                .values(state=Outcome.IN_DOUBT.value, finished_at=now, error="process stopped while sending"))
            if result.rowcount:
                log.warning("%s reminder(s) were in flight when a process stopped: not resent", result.rowcount)
            return result.rowcount

    def claim_alerts(self) -> list[AlertLine]:
        """People newly found unreachable, each claimed once (conditional update) for one Office alert."""
        now = self.clock.now()
        with self.db.session() as session:
            rows = session.exec(select(ReminderDelivery, Person, Unit)
                                .join(Person, col(Person.id) == ReminderDelivery.person_id)
                                .join(Unit, col(Unit.id) == Person.unit_id, isouter=True)
                                .where(col(ReminderDelivery.state).in_(["blocked", "unreachable"]),
                                       col(ReminderDelivery.office_notified_at).is_(None))).all()
            alerts, seen = [], set()
            for row, person, unit in rows:
                claimed = session.execute(update(ReminderDelivery).where(
                    col(ReminderDelivery.id) == row.id, col(ReminderDelivery.office_notified_at).is_(None))
                    .values(office_notified_at=now)).rowcount
                if claimed and person.id not in seen:
                    seen.add(person.id)
                    alerts.append(AlertLine(person.full_name, unit.name if unit else "", row.state == "blocked"))
            return alerts


@dataclass(frozen=True)
class _Plan:
    """What `due()` works out for one open period before reading which reminders already exist."""

    period: Period
    pending: list[UnitLine]
    steps: dict[date, object]  # a unit deadline -> the latest due step (or None)
    digests: dict[date, str]  # a deadline -> the key of the Office's digest due for it

    @property
    def keys(self) -> set[str]:
        return {step.key for step in self.steps.values() if step is not None} | set(self.digests.values())


def _pending_lines(period: Period, progress: list[UnitProgress], active: set[int],
                   extensions: dict[int, DeadlineExtension], today: date) -> list[UnitLine]:
    """Active units that have not submitted and may still report (their closing day not passed)."""
    lines = []
    for p in progress:
        extension = extensions.get(p.unit_id)
        closes_on = max(period.closes_on, extension.deadline) if extension else period.closes_on
        if p.unit_id in active and not p.has_submitted and today <= closes_on:
            lines.append(_line(p, extension.reason if extension else None))
    return lines


def _holding(rows: list[ReminderDelivery], now: datetime) -> dict[tuple[int, str], datetime]:
    """(period, target) -> when, for the pending snoozes whose time has not come: those people are not reminded
    about that period before it (the latest time when one asked twice)."""
    held: dict[tuple[int, str], datetime] = {}
    for row in rows:
        if row.state == "pending" and row.not_before is not None and row.not_before > now:
            key = (row.period_id, row.target)
            held[key] = max(held.get(key, row.not_before), row.not_before)
    return held


def _line(p: UnitProgress, reason: str | None) -> UnitLine:
    return UnitLine(p.unit_id, p.unit_name, p.stage, p.deadline, p.answered, p.total, reason)


def _submitted(session: Session, period_id: int, unit_id: int) -> bool:
    state = session.exec(select(Report.state).where(Report.period_id == period_id, Report.unit_id == unit_id)).first()
    return state in SUBMITTED


def _unreachable_known(session: Session, row: ReminderDelivery) -> bool:
    """The Office already heard, in this period, that this person cannot be reached."""
    return session.exec(select(ReminderDelivery.id).where(
        ReminderDelivery.period_id == row.period_id, ReminderDelivery.person_id == row.person_id,
        col(ReminderDelivery.id) != row.id, ReminderDelivery.state == "unreachable")).first() is not None
