"""The transactional inbox and outbox, and the per-channel sender lease (see docs/UPDATES.md)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, LargeBinary, Text
from sqlmodel import Column, Field, SQLModel, UniqueConstraint


class InboxUpdate(SQLModel, table=True):
    """One update as it arrived, stored before it is confirmed to the channel.

    `external_key` is Telegram's update_id (Zalo: its message_id); `seq` orders a chat's updates;
    `state`: pending, processing (leased by `lease_owner` until `lease_until`, epoch seconds), done, dead.
    """

    __table_args__ = (UniqueConstraint("channel", "external_key"),
                      Index("ix_inboxupdate_chat", "channel", "chat_key", "seq"))

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_key: str = Field(max_length=64)
    seq: int = Field(sa_type=BigInteger)
    chat_key: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    state: str = Field(max_length=12, index=True)
    lease_owner: str = Field(default="", max_length=64)
    lease_until: float = Field(default=0.0)
    attempts: int = Field(default=0)
    received_at: float = Field(default=0.0)
    done_at: float | None = Field(default=None)


class OutboxMessage(SQLModel, table=True):
    """One Bot API call to make, written in the transaction that decided it; sent by the channel's sender.

    `priority`: 0 answers to a button, 1 reply to the person waiting, 2 notification, 3 reminder fan-out.
    `state`: pending, sending (in flight), sent, failed, unknown (in flight when a sender died: taken as sent, never resent).
    """

    __table_args__ = (Index("ix_outboxmessage_pending", "channel", "state", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_key: str = Field(default="", max_length=64)
    method: str = Field(max_length=40)
    params: str = Field(sa_type=Text)  # JSON of the call's parameters
    files: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # JSON of uploads
    priority: int = Field(default=1)
    resend: bool = Field(default=True)  # replies and notices (True) or bulk; no longer read: nothing in doubt is resent
    state: str = Field(max_length=12, default="pending")
    inbox_id: int | None = Field(default=None)  # the update that produced it (diagnostics, ordering)
    ref: str = Field(default="", max_length=64)  # whom to tell the outcome, e.g. "rem:<reminderdelivery id>"
    not_before: float = Field(default=0.0)
    attempts: int = Field(default=0)
    created_at: float = Field(default=0.0)
    sent_at: float | None = Field(default=None)
    error: str = Field(default="", max_length=255)


class ChannelLease(SQLModel, table=True):
    """Which process is the one sender of a channel, until when (epoch seconds): one send budget per bot."""

    channel: str = Field(primary_key=True, max_length=16)
    owner: str = Field(default="", max_length=64)
    expires_at: float = Field(default=0.0)
