"""Working days: Monday to Friday, minus Vietnamese public holidays (with Tết), plus the Office's exceptions."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from sqlmodel import select

from storage.db import Database
from storage.models import CalendarOverride


@lru_cache(maxsize=64)
def _vietnam_holidays(year: int):  # noqa: ANN202 - holidays.HolidayBase, imported on first use (start-up time)
    import holidays

    return holidays.country_holidays("VN", years=year)


def public_holiday_name(day: date) -> str | None:
    """The holiday's name from the `holidays` package, or None on an ordinary day."""
    return _vietnam_holidays(day.year).get(day)


class WorkingCalendar:
    """Answers working-day questions; exceptions are read from the database on each question."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _overrides(self, start: date, end: date) -> dict[date, bool]:
        with self._db.session() as session:
            rows = session.exec(
                select(CalendarOverride).where(CalendarOverride.day >= start, CalendarOverride.day <= end)
            ).all()
            return {row.day: row.is_working for row in rows}

    @staticmethod
    def _default(day: date) -> bool:
        return day.weekday() < 5 and public_holiday_name(day) is None

    def is_working_day(self, day: date) -> bool:
        return self._overrides(day, day).get(day, self._default(day))

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from `start` to `end`, both included."""
        overrides = self._overrides(start, end)
        days, day = [], start
        while day <= end:
            if overrides.get(day, self._default(day)):
                days.append(day)
            day += timedelta(days=1)
        return days

    def count_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        return len(self.working_days(start + timedelta(days=1), end))

    @staticmethod
    def window(start: date, n: int) -> tuple[date, date]:
        """The days `add_working_days(start, n)` may look at."""
        span = abs(n) * 3 + 30
        return (start, start + timedelta(days=span)) if n >= 0 else (start - timedelta(days=span), start)

    def exceptions(self, start: date, end: date) -> dict[date, bool]:
        """The Office's exceptions from `start` to `end`: read once for many `add_working_days` calls."""
        return self._overrides(start, end)

    def add_working_days(self, start: date, n: int, exceptions: dict[date, bool] | None = None) -> date:
        """The n-th working day after `start` (n > 0) or before it (n < 0); `start` itself when n == 0.
        `exceptions` (from `exceptions()`, covering `window(start, n)`) saves the query."""
        step = 1 if n >= 0 else -1
        overrides = self._overrides(*self.window(start, n)) if exceptions is None else exceptions
        day, left = start, abs(n)
        while left:
            day += timedelta(days=step)
            if overrides.get(day, self._default(day)):
                left -= 1
        return day

    def next_working_day(self, day: date, include: bool = True) -> date:
        if include and self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: date, include: bool = True) -> date:
        if include and self.is_working_day(day):
            return day
        return self.add_working_days(day, -1)
