"""Reminder deliveries: one row per (period, recipient, step), written before the message is sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class ReminderDelivery(SQLModel, table=True):
    """A reminder step for one recipient in one period; the unique key makes every step exactly-once.

    `target` is "p<person id>" for a person or "g<chat id>" for the Office group. `state`:
    pending (a snooze waiting for `not_before`), sending (claimed, the send is in flight), sent,
    blocked (the person blocked the bot), unreachable (no chat, or the chat is gone), unknown (the process died
    while the message was in flight: never resent), skipped (a snooze made pointless by a later reminder).
    """

    __table_args__ = (UniqueConstraint("period_id", "target", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    target: str = Field(max_length=40)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    step: str = Field(max_length=40)  # "open", "d3:20261218", "late2:20261220", "manual:…", "snz:…", "digest:…"
    state: str = Field(max_length=16, index=True)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    attempted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    worker: str = Field(default="", max_length=64)  # which process claimed it (diagnostics)
    error: str = Field(default="", max_length=255)
    office_notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=16)  # where it was delivered: telegram or zalo (a fallback)
