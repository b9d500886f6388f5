"""The organisation: units, people and their roles, invites, audit log, and per-person dialog state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Unit(SQLModel, table=True):
    """A phòng or đơn vị of the Department; data the Administration Office edits."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=255)
    short_name: str = Field(default="", max_length=64)
    is_admin_office: bool = False
    is_active: bool = True
    sort_order: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)


class OrgSetting(SQLModel, table=True):
    """A fact about the Department the official report cites (the plan's number and date), set by the Office;
    it overrides the organisation file's value of the same key."""

    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=500)
    updated_by: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """Someone who talks to the bot; one role, and a unit for unit heads, deputies and office staff."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=255)
    telegram_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    zalo_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    preferred_channel: str = Field(default="telegram", max_length=16, sa_column_kwargs={"server_default": "telegram"})
    locale: str = Field(default="vi", max_length=8)
    role: str = Field(max_length=32, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    is_active: bool = True
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A one-time, expiring registration code; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=32)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    full_name: str = Field(default="", max_length=255)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditLog(SQLModel, table=True):
    """Who did what to which record, and when, with the values before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=64)
    entity_id: str = Field(default="", max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class DialogState(SQLModel, table=True):
    """What a person's next typed message answers (kept in the database so restarts lose nothing)."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
