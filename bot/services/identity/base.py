"""What the identity modules share: a person's channels (their names, the `person` column of each, the order to try
them) and the plain results the services return (a person, their accounts, an invitation, a redeemed code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import Actor, Recipient, Role
from storage.models import Person

CHANNELS = ("telegram", "zalo")
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}
CHANNEL_COLUMNS = {"telegram": Person.telegram_id, "zalo": Person.zalo_id}


def recipient_channels(person: Recipient | Actor | Person) -> list[tuple[str, str]]:
    """(channel, external id) to try in order for one notification: the preferred channel, then the other."""
    known = [(c, i) for c, i in (("telegram", person.telegram_id), ("zalo", person.zalo_id)) if i]
    preferred = getattr(person, "preferred_channel", "telegram") or "telegram"
    return sorted(known, key=lambda pair: pair[0] != preferred)


@dataclass(frozen=True)
class PersonInfo:
    """A registered person as the Office's list shows them (`PeopleService.list_people`)."""

    person_id: int
    full_name: str
    role: Role
    unit_id: int | None
    unit_name: str | None
    locale: str
    is_active: bool
    telegram_id: str | None
    blocked_at: datetime | None
    zalo_id: str | None = None
    preferred_channel: str = "telegram"


@dataclass(frozen=True)
class Identities:
    """A person's accounts: which channels are linked, and which one receives reminders."""

    person_id: int
    full_name: str
    telegram_id: str | None
    zalo_id: str | None
    preferred_channel: str

    @classmethod
    def of(cls, person: Person) -> Identities:
        return cls(person.id, person.full_name, person.telegram_id, person.zalo_id, person.preferred_channel)

    def has(self, channel: str) -> bool:
        return bool(self.telegram_id if channel == "telegram" else self.zalo_id)


@dataclass(frozen=True)
class InviteInfo:
    invite_id: int
    code: str | None  # only known right after creation
    role: Role
    unit_id: int | None
    unit_name: str | None
    full_name: str
    expires_at: datetime


class RedeemStatus(StrEnum):
    """What redeeming an invitation did (`InviteService.redeem`)."""

    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    ALREADY_REGISTERED = "already_registered"


@dataclass(frozen=True)
class RedeemResult:
    status: RedeemStatus
    actor: Actor | None = None


class CodeStatus(StrEnum):
    """What a typed code (an invitation or a linking code) did (`IdentityService.redeem_code`)."""

    REGISTERED = "registered"  # an invitation code: a new person
    LINKED = "linked"  # a linking code: this channel now belongs to the code's person
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    ALREADY_REGISTERED = "already_registered"  # an invitation typed by someone already registered here
    ALREADY_LINKED = "already_linked"  # this channel id already belongs to the code's person
    CONFLICT = "conflict"  # this channel id belongs to another person
    CHANNEL_TAKEN = "channel_taken"  # the code's person already has another id on this channel
    TOO_MANY = "too_many"  # too many wrong codes from this chat (or this channel) lately: not looked up


@dataclass(frozen=True)
class CodeResult:
    status: CodeStatus
    actor: Actor | None = None


@dataclass(frozen=True)
class LinkCodeInfo:
    code: str  # display form, e.g. "K7QM-4XPD-9HTR"
    expires_at: datetime
