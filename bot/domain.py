"""Plain domain types shared by services and channels: roles, the acting person, recipients, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.i18n import N_
from bot.text import fold, meaningful


class Role(StrEnum):
    UNIT_HEAD = "unit_head"
    DEPUTY = "deputy"  # deputy head of a unit, may act for the head
    OFFICE = "office"  # staff of Phòng Hành chính - Tổng hợp
    DIRECTOR = "director"
    DEPUTY_DIRECTOR = "deputy_director"


ROLE_LABELS: dict[Role, str] = {
    Role.UNIT_HEAD: N_("Unit head"),
    Role.DEPUTY: N_("Deputy unit head"),
    Role.OFFICE: N_("Administration Office staff"),
    Role.DIRECTOR: N_("Director"),
    Role.DEPUTY_DIRECTOR: N_("Deputy director"),
}

# Words a person may type for a role (compared after `fold`), so every choice also works without buttons.
ROLE_WORDS: dict[str, Role] = {
    "truongphong": Role.UNIT_HEAD, "truong": Role.UNIT_HEAD, "head": Role.UNIT_HEAD, "unit_head": Role.UNIT_HEAD,
    "pho": Role.DEPUTY, "phophong": Role.DEPUTY, "deputy": Role.DEPUTY,
    "hcth": Role.OFFICE, "vanphong": Role.OFFICE, "office": Role.OFFICE,
    "giamdoc": Role.DIRECTOR, "director": Role.DIRECTOR,
    "phogiamdoc": Role.DEPUTY_DIRECTOR, "pgd": Role.DEPUTY_DIRECTOR, "deputy_director": Role.DEPUTY_DIRECTOR,
}

ROLES_WITH_UNIT = (Role.UNIT_HEAD, Role.DEPUTY)


def parse_role(word: str) -> Role | None:
    """A role from a typed word ("trưởng phòng", "head", "pgd"...), or None."""
    key = fold(word).replace(" ", "").replace("-", "")
    return ROLE_WORDS.get(key) or next((r for r in Role if r.value == key), None)


@dataclass(frozen=True)
class Actor:
    """The registered person behind an incoming message, as services see them."""

    person_id: int
    full_name: str
    role: Role
    locale: str
    unit_id: int | None = None
    unit_name: str | None = None
    unit_is_office: bool = False
    telegram_id: str | None = None
    zalo_id: str | None = None
    preferred_channel: str = "telegram"

    @property
    def reports_for_unit(self) -> bool:
        """Unit heads and deputies fill in their unit's reports and raise its difficulties."""
        return self.role in ROLES_WITH_UNIT and self.unit_id is not None

    @property
    def is_office(self) -> bool:
        """Administration Office staff, and the head and deputy of that office, administer the bot."""
        return self.role == Role.OFFICE or (self.unit_is_office and self.role in ROLES_WITH_UNIT)

    @property
    def is_director(self) -> bool:
        return self.role == Role.DIRECTOR

    @property
    def is_deputy_director(self) -> bool:
        return self.role == Role.DEPUTY_DIRECTOR

    @property
    def is_leadership(self) -> bool:
        return self.role in (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)

    @property
    def sees_all_units(self) -> bool:
        return self.is_office or self.is_leadership

    def acts_for(self, unit_id: int) -> bool:
        return self.reports_for_unit and self.unit_id == unit_id


@dataclass(frozen=True)
class Recipient:
    """Where and in which language to send a message to one person."""

    person_id: int
    full_name: str
    locale: str
    telegram_id: str | None = None
    zalo_id: str | None = None
    preferred_channel: str = "telegram"  # "telegram" or "zalo"; see bot.services.identity.base.recipient_channels


@dataclass(frozen=True)
class Button:
    """An inline choice: `data` is a short ASCII id (Telegram allows 64 bytes), never display text."""

    label: str
    data: str


@dataclass
class OutMessage:
    """A channel-neutral message: text plus rows of buttons (Zalo renders the buttons as numbered text)."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


class DomainError(Exception):
    """A refusal a person should read: `message` is a msgid, formatted with `params` after translation."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class PermissionDenied(DomainError):
    def __init__(self, message: str = N_("You do not have permission to do this.")) -> None:
        super().__init__(message)


class NotFound(DomainError):
    def __init__(self, message: str = N_("That item no longer exists."), **params: Any) -> None:
        super().__init__(message, **params)


MEANINGLESS = N_("Please use words or numbers: a text made only of emoji, symbols or invisible characters cannot be "
                 "saved.")


def meaningful_or_refuse(text: str) -> str:
    """The one "meaningful text" rule for what people type (answers, titles, unit names, reasons, comments):
    an empty text passes through (the caller decides whether it may be empty); a text with no letter or digit
    is refused with a short reply."""
    if text and not meaningful(text):
        raise DomainError(MEANINGLESS)
    return text
