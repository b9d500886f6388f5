"""When the group gets a short scheduled summary: pure functions of the period, the time and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.services.periods.base import PeriodInfo
from bot.text import fold

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
            "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}
AFTER_DEADLINE = "after-deadline"


@dataclass(frozen=True)
class SummarySchedule:
    weekdays: frozenset[int]
    at: time
    after_deadline: bool

    @classmethod
    def parse(cls, weekdays: str, at: str, after_deadline: bool) -> SummarySchedule:
        """From the settings: "mon,thu" (or "t2,t5"), "08:00"; unknown day names are ignored."""
        days = frozenset(WEEKDAYS[w] for w in (fold(p) for p in weekdays.replace(";", ",").split(",")) if w in WEEKDAYS)
        hour, _, minute = at.strip().partition(":")
        return cls(days, time(int(hour or 8), int(minute or 0)), after_deadline)


def due_moments(period: PeriodInfo, now: datetime, schedule: SummarySchedule) -> list[str]:
    """Moments of `period` due at `now`: only today's, so a day the bot was down is not posted a day late."""
    today = now.date()
    if now.time() < schedule.at or period.closed_at is not None:
        return []
    moments = []
    if today.weekday() in schedule.weekdays and period.opens_on <= today <= period.deadline:
        moments.append(f"week-{today.isoformat()}")
    if schedule.after_deadline and today == period.deadline + timedelta(days=1):
        moments.append(AFTER_DEADLINE)
    return moments
