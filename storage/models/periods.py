"""Reporting periods, per-unit deadline extensions and the working-day calendar's exceptions."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class Period(SQLModel, table=True):
    """One reporting round: six-month, annual, or a phase review."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)  # "2026-H1", "2026-Y", "2025-R"
    kind: str = Field(max_length=16)  # PeriodKind
    year: int
    phase: int
    data_from: date
    data_to: date
    opens_on: date
    deadline: date
    closes_on: date  # last day a late report is still accepted
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class DeadlineExtension(SQLModel, table=True):
    """A later deadline granted to one unit for one period, with the reason."""

    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    deadline: date
    reason: str = Field(max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class CalendarOverride(SQLModel, table=True):
    """A day the Administration Office declares off (is_working=False) or a make-up working day."""

    day: date = Field(primary_key=True)
    is_working: bool
    note: str = Field(default="", max_length=255)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
