"""Reporting periods: defaults for a fresh install, which are open, each unit's effective deadline, and the Office's
changes to periods, deadlines, extensions and the calendar (all audited)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import and_
from sqlmodel import Session, col, select

from bot.calendar import public_holiday_name
from bot.domain import Actor, DomainError, NotFound, PermissionDenied, meaningful_or_refuse
from bot.i18n import N_
from bot.periods import FIRST_YEAR, LAST_YEAR, LATE_GRACE, default_periods
from bot.services.base import Service
from bot.services.periods.base import ExtensionInfo, OverrideInfo, PeriodInfo, extension_of, to_info
from bot.text import clean_line, fold, parse_index
from storage import audit
from storage.models import CalendarOverride, DeadlineExtension, Period, Unit

REASON_MAX = 1000
NOTE_MAX = 255


class PeriodReader(Service):
    """Read side of periods; the Office's editing commands build on it."""

    def ensure_defaults(self) -> int:
        """Create this year's and next year's periods if missing; returns how many were created."""
        today = self.clock.today()
        now = self.clock.now()
        created = 0
        with self.db.session() as session:
            known = set(session.exec(select(Period.code)).all())
            for year in (today.year, today.year + 1):
                if not FIRST_YEAR <= year <= LAST_YEAR:
                    continue
                for spec in default_periods(year):
                    if spec.code in known:
                        continue
                    session.add(Period(**{**asdict(spec), "kind": spec.kind.value}, created_at=now, updated_at=now))
                    created += 1
        return created

    def list_periods(self) -> list[PeriodInfo]:
        today = self.clock.today()
        with self.db.session() as session:
            rows = session.exec(select(Period).order_by(Period.opens_on, Period.id)).all()
            return [to_info(p, today) for p in rows]

    def get(self, period_id: int, unit_id: int | None = None) -> PeriodInfo:
        """A period; with `unit_id`, its deadline is that unit's (extended) one."""
        today = self.clock.today()
        with self.db.session() as session:
            period = session.get(Period, period_id)
            if period is None:
                raise NotFound()
            extension = None
            if unit_id is not None:
                extension = extension_of(session, period_id, unit_id)
            return to_info(period, today, extension)

    def open_for_unit(self, unit_id: int) -> list[PeriodInfo]:
        """Periods a unit can report on today, earliest deadline first, with the unit's own deadline."""
        today = self.clock.today()
        with self.db.session() as session:
            # The periods with the unit's extension of each, in one statement (two round trips before).
            rows = session.exec(
                select(Period, DeadlineExtension)
                .outerjoin(DeadlineExtension, and_(col(DeadlineExtension.period_id) == Period.id,
                                                   col(DeadlineExtension.unit_id) == unit_id))
                .where(col(Period.closed_at).is_(None), Period.opens_on <= today)
                .order_by(Period.deadline, Period.id)).all()
            periods = [period for period, _ in rows]
            extensions = {period.id: extension for period, extension in rows}
            memo = self.db.memo(session)
            if memo is not None:  # the unit's report screens read the same rows next (reports/base.extension_of)
                for period in periods:
                    memo[("extension", period.id, unit_id)] = extensions.get(period.id)
            infos = [to_info(p, today, extensions.get(p.id)) for p in periods]
            return [i for i in infos if i.state == "open"]


def _snapshot(period: Period) -> dict:
    return {"opens_on": period.opens_on, "deadline": period.deadline, "closes_on": period.closes_on,
            "closed_at": period.closed_at}


def _require_office(actor: Actor) -> None:
    if not actor.is_office:
        raise PermissionDenied()


class PeriodService(PeriodReader):
    """The Administration Office's changes to periods, deadlines, extensions and the calendar; all audited."""

    def find(self, word: str) -> PeriodInfo | None:
        """A period by code ("2026-Y", case-insensitive) or by its number in `list_periods()`."""
        periods = self.list_periods()
        key = fold(word)
        if (index := parse_index(key, len(periods))) is not None:
            return periods[index - 1]
        return next((p for p in periods if fold(p.code) == key), None)

    def _change(self, actor: Actor, period_id: int, action: str, apply) -> PeriodInfo:  # noqa: ANN001
        _require_office(actor)
        now = self.clock.now()
        with self.db.session() as session:
            period = session.get(Period, period_id)
            if period is None:
                raise NotFound()
            before = _snapshot(period)
            apply(period)
            period.updated_at = now
            session.add(period)
            audit.record(session, at=now, actor_id=actor.person_id, action=action, entity="period",
                         entity_id=period.id, before=before, after=_snapshot(period))
            return to_info(period, self.clock.today())

    def open_now(self, actor: Actor, period_id: int) -> PeriodInfo:
        """Open today (or reopen a closed period); reminders start with the opening notice."""
        today = self.clock.today()

        def apply(period: Period) -> None:
            if period.closed_at is None and period.opens_on <= today <= period.closes_on:
                raise DomainError(N_("This reporting period is already open."))
            period.closed_at = None
            period.opens_on = min(period.opens_on, today)
            if period.closes_on < today:
                period.closes_on = max(today, period.deadline) + LATE_GRACE
        return self._change(actor, period_id, "period.open", apply)

    def close(self, actor: Actor, period_id: int) -> PeriodInfo:
        """No more reports and no more reminders for this period."""
        now = self.clock.now()

        def apply(period: Period) -> None:
            if period.closed_at is not None:
                raise DomainError(N_("This reporting period is already closed."))
            period.closed_at = now
        return self._change(actor, period_id, "period.close", apply)

    def set_opens_on(self, actor: Actor, period_id: int, day: date) -> PeriodInfo:
        def apply(period: Period) -> None:
            if day > period.deadline:
                raise DomainError(N_("The opening date must not be after the deadline ({deadline})."),
                                  deadline=period.deadline.strftime("%d/%m/%Y"))
            period.opens_on = day
        return self._change(actor, period_id, "period.opens_on", apply)

    def set_deadline(self, actor: Actor, period_id: int, day: date) -> PeriodInfo:
        """Move the deadline; late reports stay accepted for the same grace period after it."""
        def apply(period: Period) -> None:
            if day < period.opens_on:
                raise DomainError(N_("The deadline must not be before the opening date ({opens})."),
                                  opens=period.opens_on.strftime("%d/%m/%Y"))
            period.deadline = day
            period.closes_on = day + LATE_GRACE
        return self._change(actor, period_id, "period.deadline", apply)

    # Extensions for one unit -----------------------------------------------------------------------
    def extensions(self, period_id: int) -> list[ExtensionInfo]:
        with self.db.session() as session:
            rows = session.exec(select(DeadlineExtension, Unit).join(Unit, col(Unit.id) == DeadlineExtension.unit_id)
                                .where(DeadlineExtension.period_id == period_id).order_by(Unit.sort_order)).all()
            return [ExtensionInfo(u.id, u.name, e.deadline, e.reason) for e, u in rows]

    def extend(self, actor: Actor, period_id: int, unit_id: int, day: date, reason: str) -> PeriodInfo:
        """A later deadline for one unit, with the reason (replaces an earlier extension)."""
        _require_office(actor)
        reason = meaningful_or_refuse(clean_line(reason))
        if not reason:
            raise DomainError(N_("Please give the reason for the extension."))
        if len(reason) > REASON_MAX:
            raise DomainError(N_("The reason may have at most {limit} characters."), limit=REASON_MAX)
        now = self.clock.now()
        with self.db.session() as session:
            period, unit = session.get(Period, period_id), session.get(Unit, unit_id)
            if period is None or unit is None:
                raise NotFound()
            if day <= period.deadline:
                raise DomainError(N_("An extension must be later than the period's deadline ({deadline})."),
                                  deadline=period.deadline.strftime("%d/%m/%Y"))
            row = _extension(session, period_id, unit_id)
            before = {"deadline": row.deadline, "reason": row.reason} if row else None
            if row is None:
                row = DeadlineExtension(period_id=period_id, unit_id=unit_id, deadline=day, reason=reason,
                                        created_by=actor.person_id, created_at=now)
            else:
                row.deadline, row.reason, row.created_by, row.created_at = day, reason, actor.person_id, now
            session.add(row)
            audit.record(session, at=now, actor_id=actor.person_id, action="period.extend", entity="period",
                         entity_id=f"{period_id}/{unit_id}", before=before,
                         after={"unit": unit.name, "deadline": day, "reason": reason})
            return to_info(period, self.clock.today(), row)

    def remove_extension(self, actor: Actor, period_id: int, unit_id: int) -> None:
        _require_office(actor)
        now = self.clock.now()
        with self.db.session() as session:
            row = _extension(session, period_id, unit_id)
            if row is None:
                raise DomainError(N_("This unit has no extension in this period."))
            audit.record(session, at=now, actor_id=actor.person_id, action="period.unextend", entity="period",
                         entity_id=f"{period_id}/{unit_id}", before={"deadline": row.deadline, "reason": row.reason})
            session.delete(row)

    # Calendar exceptions ---------------------------------------------------------------------------------
    def overrides(self, start: date | None = None) -> list[OverrideInfo]:
        start = start or self.clock.today().replace(month=1, day=1)
        with self.db.session() as session:
            rows = session.exec(select(CalendarOverride).where(CalendarOverride.day >= start)
                                .order_by(CalendarOverride.day)).all()
            return [OverrideInfo(r.day, r.is_working, r.note, public_holiday_name(r.day)) for r in rows]

    def set_override(self, actor: Actor, day: date, is_working: bool, note: str = "") -> OverrideInfo:
        """Declare a day off (is_working=False) or a make-up working day; replaces an earlier exception."""
        _require_office(actor)
        note = clean_line(note)[:NOTE_MAX]
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(CalendarOverride, day)
            before = {"is_working": row.is_working, "note": row.note} if row else None
            if row is None:
                row = CalendarOverride(day=day, is_working=is_working, note=note, created_by=actor.person_id,
                                       created_at=now)
            else:
                row.is_working, row.note, row.created_by, row.created_at = is_working, note, actor.person_id, now
            session.add(row)
            audit.record(session, at=now, actor_id=actor.person_id, action="calendar.set", entity="calendar",
                         entity_id=day.isoformat(), before=before, after={"is_working": is_working, "note": note})
            return OverrideInfo(day, is_working, note, public_holiday_name(day))

    def clear_override(self, actor: Actor, day: date) -> None:
        _require_office(actor)
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(CalendarOverride, day)
            if row is None:
                raise DomainError(N_("There is no exception for that day."))
            audit.record(session, at=now, actor_id=actor.person_id, action="calendar.clear", entity="calendar",
                         entity_id=day.isoformat(), before={"is_working": row.is_working, "note": row.note})
            session.delete(row)


def _extension(session: Session, period_id: int, unit_id: int) -> DeadlineExtension | None:
    return session.exec(select(DeadlineExtension).where(DeadlineExtension.period_id == period_id,
                                                        DeadlineExtension.unit_id == unit_id)).first()
