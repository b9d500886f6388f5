"""What the period modules and their readers share: a stored period as a plain result (`PeriodInfo`, the one shape
every feature carries a period in), its state today, and a unit's deadline extension read once per update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from bot.periods import PeriodKind, PeriodPlan
from storage.db import Database
from storage.models import DeadlineExtension, Period


@dataclass(frozen=True)
class PeriodInfo(PeriodPlan):
    """A stored period: the plan's fields (`deadline` is the unit's extended one when asked for a unit, and
    `closes_on` then the later of the two), the row's id, the Office's closing and the state today."""

    period_id: int
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


def extension_of(session: Session, period_id: int, unit_id: int) -> DeadlineExtension | None:
    """A unit's deadline extension for a period (None: none), read once per update."""
    return Database.remembered(session, ("extension", period_id, unit_id), lambda: session.exec(select(
        DeadlineExtension).where(DeadlineExtension.period_id == period_id, DeadlineExtension.unit_id == unit_id)
    ).first(), keep=lambda _row: True)


@dataclass(frozen=True)
class ExtensionInfo:
    unit_id: int
    unit_name: str
    deadline: date
    reason: str


@dataclass(frozen=True)
class OverrideInfo:
    day: date
    is_working: bool
    note: str
    holiday: str | None  # the public holiday the day would otherwise be, if any
