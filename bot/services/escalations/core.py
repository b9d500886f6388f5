"""Escalations: the state machine's rules, labels, limits and the plain views the service returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.contracts import EscalationState as S
from bot.domain import Actor, DomainError, meaningful_or_refuse
from bot.glossary import ACTION_LABELS, OUTCOME_LABELS, STATE_LABELS  # noqa: F401 (one glossary, re-exported)
from bot.i18n import N_
from bot.text import clean_line, meaningful, nfc

TITLE_LIMIT = 200
TEXT_LIMIT = 3000  # description, notes, answers and instructions; longer texts are refused whole

QUICK_REPLIES = {"agreed": N_("Agreed."), "not_agreed": N_("Not agreed."), "see_me": N_("Please come and see me.")}

OFFICE, DIRECTOR, UNIT = "office", "director", "unit"
HOLDERS = {S.NEW: OFFICE, S.WITH_OFFICE: OFFICE, S.FORWARDED: DIRECTOR, S.INFO_REQUESTED: UNIT, S.INSTRUCTED: UNIT}
OPEN_STATES = tuple(s for s in S if s != S.CLOSED)


def holder_of(state: str) -> str | None:
    """Who must act next: the Office, the Director (or the assigned deputy), the unit, or nobody once closed."""
    return HOLDERS.get(S(state))


@dataclass(frozen=True)
class Rule:
    """Who may take an action, from which states, and where it leads (None: the state does not change)."""

    who: str  # office | leader | director | unit
    allowed: tuple[S, ...]
    to: S | None
    needs_text: bool = False


RULES: dict[str, Rule] = {
    "receive": Rule("office", (S.NEW,), S.WITH_OFFICE),
    "forward": Rule("office", (S.NEW, S.WITH_OFFICE), S.FORWARDED),
    "answer": Rule("office", (S.NEW, S.WITH_OFFICE), S.INSTRUCTED, needs_text=True),
    "ask": Rule("office", (S.NEW, S.WITH_OFFICE), S.INFO_REQUESTED, needs_text=True),
    "close": Rule("office", (S.NEW, S.WITH_OFFICE, S.INFO_REQUESTED, S.INSTRUCTED), S.CLOSED),
    "duplicate": Rule("office", (S.NEW, S.WITH_OFFICE, S.INFO_REQUESTED), S.CLOSED),
    "instruct": Rule("leader", (S.FORWARDED,), S.INSTRUCTED, needs_text=True),
    "assign": Rule("director", (S.FORWARDED,), None),
    "follow_up": Rule("leader", (S.INSTRUCTED,), None),
    "add_info": Rule("unit", OPEN_STATES, None),  # from "more information requested" it goes back to the Office
    "confirm": Rule("unit", (S.INSTRUCTED,), S.CLOSED),
    "reply": Rule("unit", (S.INSTRUCTED,), S.WITH_OFFICE, needs_text=True),
}


def may_see(actor: Actor, unit_id: int, assignee_id: int | None) -> bool:
    """Unit heads see their unit's items, the Office and the Director all, a deputy director those assigned."""
    if actor.is_office or actor.is_director or actor.acts_for(unit_id):
        return True
    return actor.is_deputy_director and assignee_id == actor.person_id


def may_act(actor: Actor, who: str, unit_id: int, assignee_id: int | None) -> bool:
    if who == "office":
        return actor.is_office
    if who == "director":
        return actor.is_director
    if who == "leader":
        return actor.is_director or (actor.is_deputy_director and assignee_id == actor.person_id)
    return actor.acts_for(unit_id)


def checked_title(text: str | None) -> str:
    """A one-line title, not empty, at most TITLE_LIMIT characters."""
    title = meaningful_or_refuse(clean_line(text or ""))
    if not title:
        raise DomainError(N_("The title cannot be empty. Please type a short title."))
    if len(title) > TITLE_LIMIT:
        raise DomainError(N_("The title has {n} characters; the limit is {limit}. Please shorten it."),
                          n=len(title), limit=TITLE_LIMIT)
    return title


def checked_text(text: str | None, *, required: bool, limit: int = TEXT_LIMIT) -> str | None:
    """NFC-cleaned text within the limit; an over-long text is refused whole, never cut."""
    value = nfc(text or "").strip()
    if not required and not meaningful(value):  # an optional note of only invisible marks or emoji is no note
        value = ""
    meaningful_or_refuse(value)
    if len(value) > limit:
        raise DomainError(N_("This text has {n} characters; the limit is {limit}. Nothing was saved: please "
                             "shorten it, or attach the details as a file."), n=len(value), limit=limit)
    if required and not value:
        raise DomainError(N_("The text cannot be empty. Please type a few words."))
    return value or None


@dataclass(frozen=True)
class EscalationView:
    """An item as people see it (names resolved); `due` is when the current holder should have acted."""

    item_id: int
    unit_id: int
    unit_name: str
    title: str
    description: str
    urgent: bool
    state: S
    version: int
    step: int
    raised_by_id: int
    raised_by: str
    created_at: datetime
    held_since: datetime
    attachment: dict[str, Any] | None = None
    office_handler: str | None = None
    assignee_id: int | None = None
    assignee: str | None = None
    office_note: str | None = None
    office_answer: str | None = None
    office_answer_by: str | None = None
    instruction: str | None = None
    instruction_kind: str | None = None
    instruction_by_id: int | None = None
    instruction_by: str | None = None
    instruction_at: datetime | None = None
    follow_up_by_office: bool = False
    outcome: str | None = None
    outcome_note: str | None = None
    duplicate_of_id: int | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    due: date | None = None
    overdue: bool = False

    @property
    def holder(self) -> str | None:
        return holder_of(self.state)

    @property
    def is_open(self) -> bool:
        return self.state != S.CLOSED


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    from_state: S | None
    to_state: S
    text: str | None = None
    attachment: dict[str, Any] | None = None


@dataclass(frozen=True)
class FollowUp:
    """A reminder claimed for sending: to whom (holder) about which item, and the missed due date."""

    item: EscalationView
    holder: str
    due: date


@dataclass(frozen=True)
class FollowUpRule:
    """Working days each holder has before a reminder; urgent items use `urgent_days` for every holder."""

    office_days: int = 2
    director_days: int = 3
    unit_days: int = 3
    urgent_days: int = 1
    start_hour: int = 8  # reminders go out from this hour on working days, never at night

    @classmethod
    def from_settings(cls, settings: Any) -> FollowUpRule:
        """ESCALATION_OFFICE_DAYS, ESCALATION_DIRECTOR_DAYS, ESCALATION_UNIT_DAYS, ESCALATION_URGENT_DAYS."""
        return cls(settings.escalation_office_days, settings.escalation_director_days, settings.escalation_unit_days,
                   settings.escalation_urgent_days, settings.working_hours_start)

    def days(self, holder: str, urgent: bool) -> int:
        if urgent:
            return self.urgent_days
        return {OFFICE: self.office_days, DIRECTOR: self.director_days, UNIT: self.unit_days}[holder]


class Superseded(DomainError):
    """The item is no longer in a state that allows the action (someone else acted first, or it is closed).

    `kept` is True when the person's text was saved in the history as a note instead, so nothing is lost.
    """

    def __init__(self, item: EscalationView, last: HistoryEntry | None, kept: bool = False) -> None:
        super().__init__(N_("Difficulty #{id} has already moved on, so this was not done."), id=item.item_id)
        self.item, self.last, self.kept = item, last, kept
        self.kept_text: str | None = None


@dataclass
class Change:
    """What one action writes: column values, the history text and an optional check inside the transaction."""

    values: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    attachment: dict[str, Any] | None = None
    check: Callable[..., None] | None = None
