"""A stable integer for each chat address on a channel whose ids are strings (Zalo), for Telegram-shaped updates.

Telegram ids have at most 52 significant bits, so integers from 2**60 up can never collide with one: handlers,
the inbox and the outbox can tell a Zalo chat from a Telegram chat by the number alone. This module is the one
place that rule lives (docs/ZALO.md, "Addresses"): `is_synthetic` for an id, `speaker` for the person behind an
update's user id, `is_zalo_call` for a Bot API call (its chat id, the chat named in a Zalo button press's query id,
or a Zalo photo's file id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.services.base import Service
from bot.services.identity.base import CHANNEL_COLUMNS
from bot.text import clean_line
from storage.models import ChannelAddress, Person

SYNTHETIC_BASE = 1 << 60
SYNTHETIC_LIMIT = 1 << 62  # keeps the integers inside a signed 64-bit column
CHANNELS = ("zalo",)
FILE_PREFIX = "zalo-file/"  # Telegram-side file ids (and file paths) of Zalo photos carry their URL after this


def synthetic_id(row_id: int) -> int:
    """The stand-in integer of address row `row_id`."""
    return SYNTHETIC_BASE + row_id


def is_synthetic(chat_id: int | str | None) -> bool:
    """True for the stand-in integer of a non-Telegram address (never a real Telegram id)."""
    try:
        value = int(chat_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return SYNTHETIC_BASE < value < SYNTHETIC_LIMIT


def callback_id(chat_id: int, zalo_message_id: str) -> str:
    """A callback query id that names its chat (answerCallbackQuery carries no chat id)."""
    return f"zalo-{chat_id}-{zalo_message_id}"


def chat_of_callback(query_id: str) -> int | None:
    """The stand-in chat id inside a `callback_id`, else None (a Telegram query id)."""
    parts = str(query_id).split("-", 2)
    if len(parts) == 3 and parts[0] == "zalo" and parts[1].isdigit():
        return int(parts[1])
    return None


def is_zalo_call(params: dict[str, Any]) -> bool:
    """Whether a Bot API call is addressed to a Zalo chat: its chat id, callback query id, command scope or file
    id names a Zalo stand-in (the outbox uses it to queue the call for the Zalo sender)."""
    scope = params.get("scope")
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            scope = None
    ids = (params.get("chat_id"), chat_of_callback(str(params.get("callback_query_id", ""))),
           scope.get("chat_id") if isinstance(scope, dict) else None)
    return any(is_synthetic(value) for value in ids) or FILE_PREFIX in str(params.get("file_id", ""))


def zalo_route(params: dict[str, Any]) -> str | None:
    """`RecordingRequest`'s route: "zalo" for a call to a Zalo chat, else the recorder's own channel."""
    return "zalo" if is_zalo_call(params) else None


@dataclass(frozen=True)
class Address:
    id: int
    channel: str
    external_id: str
    display_name: str

    @property
    def synthetic_id(self) -> int:
        return synthetic_id(self.id)


def _plain(row: ChannelAddress) -> Address:
    return Address(row.id, row.channel, row.external_id, row.display_name)


class ChannelAddressService(Service):
    """Get-or-create of addresses; safe when two processes see the same new chat at once."""

    def address_for(self, channel: str, external_id: str, display_name: str = "") -> Address:
        """The address of `external_id` on `channel`, created on first sight; the display name is refreshed."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        external_id = external_id.strip()
        if not external_id or len(external_id) > 64:
            raise ValueError("an external id has 1 to 64 characters")
        name = clean_line(display_name)[:255]
        for _attempt in range(2):
            try:
                with self.db.session() as session:
                    row = session.exec(select(ChannelAddress).where(
                        ChannelAddress.channel == channel, ChannelAddress.external_id == external_id)).first()
                    now = self.clock.now()
                    if row is None:
                        row = ChannelAddress(channel=channel, external_id=external_id, display_name=name,
                                             created_at=now, last_seen_at=now)
                    else:
                        row.last_seen_at = now
                        row.display_name = name or row.display_name
                    session.add(row)
                    session.flush()
                    return _plain(row)
            except IntegrityError:  # another process created it between our read and insert: read it again
                continue
        raise RuntimeError("address could not be created")  # pragma: no cover - two collisions in a row

    def find(self, channel: str, external_id: str) -> Address | None:
        with self.db.session() as session:
            row = session.exec(select(ChannelAddress).where(
                ChannelAddress.channel == channel, ChannelAddress.external_id == external_id.strip())).first()
            return _plain(row) if row else None

    def person_of(self, address: Address) -> tuple[int, str] | None:
        """(person id, language) of the active person registered with this address, or None for a stranger."""
        column = CHANNEL_COLUMNS.get(address.channel)
        if column is None:
            return None
        with self.db.session() as session:
            person = session.exec(select(Person).where(column == address.external_id)).first()
            return (person.id, person.locale or "vi") if person and person.is_active else None

    def locale_of(self, address: Address, default: str = "vi") -> str:
        """The language of the person registered with this address (the default for strangers)."""
        known = self.person_of(address)
        return known[1] if known else default

    def speaker(self, user_id: int | str) -> tuple[str, str]:
        """(channel, external id) behind a user id of a Telegram-shaped update (Zalo chats have stand-in ids)."""
        if is_synthetic(user_id):
            with self.db.session() as session:
                row = session.get(ChannelAddress, int(user_id) - SYNTHETIC_BASE)
                if row is not None and row.channel in CHANNELS:
                    return row.channel, row.external_id
        return "telegram", str(user_id)

    def by_synthetic(self, chat_id: int | str) -> Address | None:
        """The address a stand-in integer stands for, or None (a Telegram id, or unknown)."""
        if not is_synthetic(chat_id):
            return None
        with self.db.session() as session:
            row = session.get(ChannelAddress, int(chat_id) - SYNTHETIC_BASE)
            return _plain(row) if row else None
