"""The status board message kept per period and group chat, and the scheduled summaries already posted."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class StatusBoard(SQLModel, table=True):
    """One message per period and chat, edited in place; `lease_until` lets one process at a time post or edit."""

    __table_args__ = (UniqueConstraint("period_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    chat_id: str = Field(max_length=64)
    message_id: int | None = None  # None until the first post succeeds
    digest: str = Field(default="", max_length=64)  # sha256 of the text shown, to skip identical edits
    source_key: str = Field(default="", max_length=128)  # cheap fingerprint of the inputs at the last build
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class StatusSummary(SQLModel, table=True):
    """A scheduled summary (e.g. "week-2026-11-30", "after-deadline"): the unique row makes it post once."""

    __table_args__ = (UniqueConstraint("period_id", "moment"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    moment: str = Field(max_length=32)
    chat_id: str = Field(max_length=64)
    message_id: int | None = None
    posted_at: datetime = Field(sa_type=UTCDateTime)
