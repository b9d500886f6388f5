"""A stable integer for each chat address on a channel whose ids are strings (Zalo), for Telegram-shaped updates.

Telegram ids have at most 52 significant bits, so integers from 2**60 up can never collide with one: handlers,
the inbox and the outbox can tell a Zalo chat from a Telegram chat by the number alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.services.base import Service
from bot.services.people import CHANNEL_COLUMNS
from bot.text import clean_line
from storage.models import ChannelAddress, Person

SYNTHETIC_BASE = 1 << 60
SYNTHETIC_LIMIT = 1 << 62  # keeps the integers inside a signed 64-bit column
CHANNELS = ("zalo",)


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

    def by_synthetic(self, chat_id: int | str) -> Address | None:
        """The address a stand-in integer stands for, or None (a Telegram id, or unknown)."""
        if not is_synthetic(chat_id):
            return None
        with self.db.session() as session:
            row = session.get(ChannelAddress, int(chat_id) - SYNTHETIC_BASE)
            return _plain(row) if row else None
