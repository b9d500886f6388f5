"""The reminder schedule: which step is due for a unit today, computed from its deadline and the calendar.

Every step lands on a working day by construction: countdown steps count working days back from the last
working day on or before the deadline; the deadline-day step is that day; overdue steps count working days
forward from the deadline. A step's key includes the deadline it was computed from, so a moved or extended
deadline starts a fresh countdown, while the same step for the same deadline is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.calendar import WorkingCalendar

ORDER = {"open": 0, "before": 1, "day": 2, "late": 3}


@dataclass(frozen=True)
class ScheduleConfig:
    """What the Office configured (settings `reminder_*`); see docs in bot/config.py."""

    days_before: tuple[int, ...] = (7, 3, 1)
    on_deadline_day: bool = True
    overdue_every: int = 2
    opening_notice: bool = True
    digest_days_before: int = 1
    hours: tuple[int, int] = (8, 17)

    @classmethod
    def from_settings(cls, settings) -> ScheduleConfig:  # noqa: ANN001
        return cls(days_before=tuple(sorted({d for d in settings.reminder_days_before if d > 0}, reverse=True)),
                   on_deadline_day=settings.reminder_on_deadline_day,
                   overdue_every=max(0, settings.reminder_overdue_every),
                   opening_notice=settings.reminder_opening_notice,
                   digest_days_before=max(0, settings.reminder_digest_days_before),
                   hours=(settings.working_hours_start, settings.working_hours_end))


@dataclass(frozen=True)
class Step:
    """One point of the schedule: `kind` is open | before | day | late; `n` the working days before or after."""

    kind: str
    day: date
    n: int = 0
    deadline: date | None = None

    @property
    def key(self) -> str:
        if self.kind == "open":
            return "open"
        stamp = self.deadline.strftime("%Y%m%d") if self.deadline else ""
        prefix = {"before": f"d{self.n}", "day": "d0", "late": f"late{self.n}"}[self.kind]
        return f"{prefix}:{stamp}"


def last_working_day(calendar: WorkingCalendar, deadline: date) -> date:
    """The deadline itself, or the working day before it when it falls on a weekend or holiday."""
    return calendar.previous_working_day(deadline)


def latest_due_step(calendar: WorkingCalendar, config: ScheduleConfig, opens_on: date, deadline: date,
                    today: date) -> Step | None:
    """The most recent step whose day has come (older ones are superseded: no burst after downtime)."""
    candidates: list[Step] = []
    if config.opening_notice:
        candidates.append(Step("open", calendar.next_working_day(opens_on)))
    anchor = last_working_day(calendar, deadline)
    for n in config.days_before:
        candidates.append(Step("before", calendar.add_working_days(anchor, -n), n, deadline))
    if config.on_deadline_day:
        candidates.append(Step("day", anchor, 0, deadline))
    if config.overdue_every and today > deadline:
        late = calendar.count_between(deadline, today) // config.overdue_every * config.overdue_every
        if late:
            candidates.append(Step("late", calendar.add_working_days(deadline, late), late, deadline))
    # A countdown step that would fall before the period opens is folded into the opening notice.
    due = [s for s in candidates if s.day <= today and (s.kind == "open" or s.day >= opens_on or not config.opening_notice)]
    if not due:
        return None
    return max(due, key=lambda s: (s.day, ORDER[s.kind], -s.n if s.kind == "before" else s.n))


def digest_day(calendar: WorkingCalendar, config: ScheduleConfig, deadline: date) -> date | None:
    """When the Office gets the list of units still pending before `deadline` (None: no digest)."""
    if not config.digest_days_before:
        return None
    return calendar.add_working_days(last_working_day(calendar, deadline), -config.digest_days_before)


def working_days_left(calendar: WorkingCalendar, today: date, deadline: date) -> int:
    """Working days after today up to the deadline; negative when overdue (working days since)."""
    if today <= deadline:
        return calendar.count_between(today, deadline)
    return -calendar.count_between(deadline, today)


def in_working_hours(calendar: WorkingCalendar, config: ScheduleConfig, now: datetime) -> bool:
    start, end = config.hours
    return start <= now.hour < end and calendar.is_working_day(now.date())


def next_working_morning(calendar: WorkingCalendar, config: ScheduleConfig, now: datetime) -> datetime:
    """The start of working hours on the next working day (today, if it is still before the start)."""
    start = config.hours[0]
    day = now.date()
    if not (now.hour < start and calendar.is_working_day(day)):
        day = calendar.next_working_day(day + timedelta(days=1))
    return datetime.combine(day, time(start), tzinfo=now.tzinfo)
