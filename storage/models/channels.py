"""Addresses on channels whose ids are not Telegram integers, and the last numbered menu each was sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class ChannelAddress(SQLModel, table=True):
    """A chat on another channel (Zalo's hex string ids); its row id gives the integer that stands for it in
    Telegram-shaped updates (see bot.services.channels.addresses.synthetic_id)."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class ChannelMenu(SQLModel, table=True):
    """The last menu sent to an address: what each typed number means there, and how many menus arrived unread."""

    address_id: int = Field(primary_key=True, foreign_key="channeladdress.id")
    version: int = 0
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    numbered: bool = True  # False when a typed answer was pending: numbers then answer the question, not the menu
    text: str = Field(default="", sa_column=Column(Text, nullable=False))  # as shown, to show it again
    unread: int = 0  # menus sent since the person last wrote; above one a bare number is ambiguous
    updated_at: datetime = Field(sa_type=UTCDateTime)
