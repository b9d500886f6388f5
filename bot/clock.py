"""Time, injected everywhere so the simulator and the tests can move it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real wall clock in the Department's time zone."""

    def __init__(self, tz: ZoneInfo = TZ) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()


class ManualClock:
    """A clock that only moves when told to (simulator and tests)."""

    def __init__(self, start: datetime, tz: ZoneInfo = TZ) -> None:
        self.tz = tz
        self._now = start if start.tzinfo else start.replace(tzinfo=tz)

    def now(self) -> datetime:
        return self._now.astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta
