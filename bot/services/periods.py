"""Reporting periods: defaults for a fresh install, which are open, and each unit's effective deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from bot.domain import NotFound
from bot.periods import FIRST_YEAR, LAST_YEAR, PeriodKind, default_periods
from bot.services.base import Service
from storage.models import DeadlineExtension, Period


@dataclass(frozen=True)
class PeriodInfo:
    period_id: int
    code: str
    kind: PeriodKind
    year: int
    phase: int
    data_from: date
    data_to: date
    opens_on: date
    deadline: date  # the period's deadline, or the unit's extended one when asked for a unit
    closes_on: date
    closed_at: datetime | None
    state: str  # "upcoming" | "open" | "closed"
    extension_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def period_state(period: Period, today: date, closes_on: date | None = None) -> str:
    if period.closed_at is not None or today > (closes_on or period.closes_on):
        return "closed"
    if today < period.opens_on:
        return "upcoming"
    return "open"


def to_info(period: Period, today: date, extension: DeadlineExtension | None = None) -> PeriodInfo:
    closes_on = max(period.closes_on, extension.deadline) if extension else period.closes_on
    return PeriodInfo(
        period_id=period.id, code=period.code, kind=PeriodKind(period.kind), year=period.year, phase=period.phase,
        data_from=period.data_from, data_to=period.data_to, opens_on=period.opens_on,
        deadline=extension.deadline if extension else period.deadline,
        closes_on=closes_on, closed_at=period.closed_at, state=period_state(period, today, closes_on),
        extension_reason=extension.reason if extension else None,
    )


class PeriodService(Service):
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
                    session.add(Period(code=spec.code, kind=spec.kind.value, year=spec.year, phase=spec.phase,
                                       data_from=spec.data_from, data_to=spec.data_to, opens_on=spec.opens_on,
                                       deadline=spec.deadline, closes_on=spec.closes_on,
                                       created_at=now, updated_at=now))
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
                extension = session.exec(select(DeadlineExtension).where(
                    DeadlineExtension.period_id == period_id, DeadlineExtension.unit_id == unit_id)).first()
            return to_info(period, today, extension)

    def open_for_unit(self, unit_id: int) -> list[PeriodInfo]:
        """Periods a unit can report on today, earliest deadline first, with the unit's own deadline."""
        today = self.clock.today()
        with self.db.session() as session:
            periods = session.exec(select(Period).where(col(Period.closed_at).is_(None), Period.opens_on <= today)
                                   .order_by(Period.deadline, Period.id)).all()
            extensions = {e.period_id: e for e in session.exec(
                select(DeadlineExtension).where(DeadlineExtension.unit_id == unit_id)).all()}
            infos = [to_info(p, today, extensions.get(p.id)) for p in periods]
            return [i for i in infos if i.state == "open"]
