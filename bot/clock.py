"""Time, injected everywhere so the simulator and the tests can move it.

One clock per process, in the configured time zone (`settings.tz`, TIMEZONE): every "now" and "today" comes
from `clock.now()` / `clock.today()`, and every moment shown or read as a date uses `clock.tz` (or a translator
built by `I18n.of(settings)`, which carries it). The machine's own zone never matters. `TZ` is the settings'
default zone, for tests and tools that build a ManualClock without settings; production code does not import it
(tests/test_clock_rule.py).
"""

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

    def __init__(self, tz: ZoneInfo) -> None:
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
