"""Personal data (docs/PRIVACY.md): people's requests to correct or erase, erasures done, and the daily cleanup."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PrivacyRequest(SQLModel, table=True):
    """A person asks the Office to correct or erase their data; `state`: open, acknowledged, done."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=16)  # correct | erase
    text: str = Field(default="", sa_column=Column(Text, nullable=False))  # what to correct (a correction only)
    state: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    answer_by: date  # the Office answers within 2 working days (bot/services/privacy/deadlines.py)
    due_by: date  # and corrects within 10 days, or erases within 20
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: int | None = Field(default=None, foreign_key="person.id")
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: int | None = Field(default=None, foreign_key="person.id")


class PersonErasure(SQLModel, table=True):
    """A person whose identifiers were erased: their row stays (reports keep their unit and role), nameless."""

    person_id: int = Field(primary_key=True, foreign_key="person.id")
    erased_at: datetime = Field(sa_type=UTCDateTime)
    erased_by: int | None = Field(default=None, foreign_key="person.id")
    request_id: int | None = Field(default=None, foreign_key="privacyrequest.id")


class RetentionRun(SQLModel, table=True):
    """One cleanup per day, claimed by inserting the day's row: a second process finds it and does nothing."""

    day: date = Field(primary_key=True)
    owner: str = Field(default="", max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
