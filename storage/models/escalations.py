"""Difficulties (khó khăn, vướng mắc) a unit raises to the Director through the Administration Office."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class Escalation(SQLModel, table=True):
    """One difficulty; `state` is a bot.contracts.EscalationState and changes only by a conditional update."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    raised_by: int = Field(foreign_key="person.id")
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    urgent: bool = False
    # {"file_id", "file_name", "mime_type", "size", "kind"}: a Telegram file id, the file stays on Telegram.
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    state: str = Field(default="new", max_length=16, index=True)
    # Bumped by every change: a writer updates only the version it read (optimistic lock).
    version: int = 1
    # Bumped whenever the item passes to another holder: follow-up reminders are sent once per step.
    step: int = 1
    held_since: datetime = Field(sa_type=UTCDateTime)
    office_handler_id: int | None = Field(default=None, foreign_key="person.id")
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    office_note: str | None = Field(default=None, sa_column=Column(Text))
    office_answer: str | None = Field(default=None, sa_column=Column(Text))
    office_answer_by: int | None = Field(default=None, foreign_key="person.id")
    instruction: str | None = Field(default=None, sa_column=Column(Text))
    instruction_kind: str | None = Field(default=None, max_length=16)  # text | agreed | not_agreed | see_me
    instruction_by: int | None = Field(default=None, foreign_key="person.id")
    instruction_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_by_office: bool = False
    outcome: str | None = Field(default=None, max_length=16)  # resolved | duplicate
    outcome_note: str | None = Field(default=None, sa_column=Column(Text))
    duplicate_of_id: int | None = Field(default=None, foreign_key="escalation.id")
    closed_by: int | None = Field(default=None, foreign_key="person.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The raise dialog's key: pressing "send" twice creates one item, not two.
    draft_key: str | None = Field(default=None, max_length=40, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class EscalationEvent(SQLModel, table=True):
    """The item's history: who did what, when, from which state to which, with their text."""

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    text: str | None = Field(default=None, sa_column=Column(Text))
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class EscalationReminder(SQLModel, table=True):
    """A follow-up reminder claimed for one step of one item: the unique pair makes it go out once."""

    __table_args__ = (UniqueConstraint("escalation_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    step: int
    holder: str = Field(max_length=16)  # office | director | unit
    sent_at: datetime = Field(sa_type=UTCDateTime)
