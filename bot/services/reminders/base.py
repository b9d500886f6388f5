"""What the fan-out sends: one due reminder for one recipient, with everything its text needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.contracts import UnitStage
from bot.domain import Recipient
from bot.services.periods.base import PeriodInfo


@dataclass(frozen=True)
class UnitLine:
    """A unit still pending in a period, as the reminder and the Office's digest describe it."""

    unit_id: int
    unit_name: str
    stage: UnitStage
    deadline: date
    answered: int = 0
    total: int = 0
    extension_reason: str | None = None


@dataclass(frozen=True)
class DueReminder:
    """One message to send: `kind` is open | before | day | late | manual | snooze | digest, or bundle.

    A bundle is one message to one recipient carrying several due items (`parts`, e.g. the six-month and the
    annual report at the same moment); each part keeps its own exactly-once row.
    """

    period: PeriodInfo  # the period as it stands, with its own deadline (each unit's is in `unit`)
    step: str  # the unique key within (period, target)
    kind: str
    target: str  # "p<person id>" or "g<chat id>"
    recipient: Recipient
    today: date
    days_left: int  # working days to the (unit's or digest's) deadline; negative when overdue
    unit: UnitLine | None = None  # the unit reminded (not for a digest)
    pending: tuple[UnitLine, ...] = ()  # a digest's list
    unreachable: tuple[str, ...] = ()  # a digest's people who cannot be reached
    was_blocked: bool = False
    snooze_row_id: int | None = None
    parts: tuple[DueReminder, ...] = ()

    @property
    def all_parts(self) -> tuple[DueReminder, ...]:
        return self.parts or (self,)

    @property
    def person_id(self) -> int | None:
        return int(self.target[1:]) if self.target.startswith("p") else None

    @property
    def chat(self) -> str | None:
        """The recipient's account on their preferred channel (Telegram id or Zalo id), None when no channel
        reaches them; a key for pacing. The chat id to address is `Addressing.routes(recipient)[0]`."""
        r = self.recipient
        first, second = (r.zalo_id, r.telegram_id) if r.preferred_channel == "zalo" else (r.telegram_id, r.zalo_id)
        return first or second


def bundle(items: list[DueReminder]) -> list[DueReminder]:
    """One item per recipient: several due for the same target at one moment become one bundle.

    A snooze for a period that also has a scheduled or manual part is dropped (it is skipped next run, since
    a newer reminder was sent).
    """
    groups: dict[str, list[DueReminder]] = {}
    for item in items:
        groups.setdefault(item.target, []).append(item)
    result = []
    for target, group in groups.items():
        periods = {i.period.period_id for i in group if i.kind != "snooze"}
        group = [i for i in group if i.kind != "snooze" or i.period.period_id not in periods]
        if len(group) == 1:
            result.append(group[0])
            continue
        first = group[0]
        result.append(DueReminder(first.period, first.step, "bundle", target, first.recipient, first.today,
                                  min(i.days_left for i in group), unit=first.unit, parts=tuple(group)))
    return result


@dataclass(frozen=True)
class AlertLine:
    """Someone a reminder could not reach, for the Office."""

    person_name: str
    unit_name: str
    blocked: bool


@dataclass
class FanOutReport:
    """Counts from one fan-out; `lost_claims` are items another process (or an earlier run) had already taken."""

    sent: int = 0
    blocked: int = 0
    unreachable: int = 0
    failed: int = 0
    in_doubt: int = 0
    lost_claims: int = 0
    released: int = 0
    rate_limited: int = 0
    retries: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
