"""One-time codes that bind a second channel (Telegram or Zalo) to a person who is already registered."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class LinkCode(SQLModel, table=True):
    """A short-lived, single-use linking code from /lienket; only its hash is stored, like invites."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryNotice(SQLModel, table=True):
    """A send to one channel failed (quota, block) and the person's other channel was used, or none was left:
    one row per person and day, so the Office hears of it once, in one combined message."""

    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: date
    channel: str = Field(max_length=16)  # the channel that failed
    reason: str = Field(max_length=16)  # "quota" or "blocked"
    fallback: str | None = Field(default=None, max_length=16)  # the channel used instead, or None: not reached
    created_at: datetime = Field(sa_type=UTCDateTime)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
