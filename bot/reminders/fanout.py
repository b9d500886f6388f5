"""The paced, exactly-once fan-out: pace, claim (a committed row), send, mark; channel-neutral.

Protocol for each item: wait for a sending slot, then claim the item (an INSERT under the unique key
(period, target, step), or a conditional UPDATE of a pending snooze), then pass the burst gate (normally no
wait; a few milliseconds when a stalled loop releases several workers at once), then call the channel, then
mark the row. A claim that loses (another process, an earlier run) skips the item. The slot is taken *before*
the claim so that a row is in state "sending" only while its one request is in flight: a crash can leave at
most `workers` rows in doubt, and those are never resent (see ReminderService.expire_in_doubt).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.reminders.items import DueReminder, FanOutReport

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 60.0  # a longer flood wait releases the item to the next tick instead of holding a worker


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot (403)
    UNREACHABLE = "unreachable"  # no chat id, or the chat no longer exists
    FAILED = "failed"  # rejected for good (400): not delivered, not retried
    RETRY = "retry"  # flood control (429): certainly not delivered, retry after `retry_after`
    TRANSIENT = "transient"  # connection failed before the request left: certainly not delivered
    IN_DOUBT = "unknown"  # the request may or may not have been delivered: never resent


FINAL = {Outcome.SENT, Outcome.BLOCKED, Outcome.UNREACHABLE, Outcome.FAILED, Outcome.IN_DOUBT}


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    retry_after: float = 0.0
    error: str = ""
    message_id: int | None = None  # what the channel called the message it accepted, when it says


class Pacer:
    """At most `rate` sends per second overall and one per `per_chat` seconds to a chat; `rate=None` never waits."""

    def __init__(self, rate: float | None, per_chat: float = 1.05, now: Callable[[], float] = time.monotonic,
                 burst: int = 29, window: float = 1.0) -> None:
        self.interval = self._base = 1.0 / rate if rate else 0.0
        self.per_chat = per_chat if rate else 0.0
        self._now = now
        self._next = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[str, float] = {}
        self._lock = asyncio.Lock()
        self._gate = asyncio.Lock()
        # A hard guard as well: never `burst` sends within `window` seconds, even when a stalled event loop
        # wakes several workers late at once (the interval alone would then let them through together).
        # One message below Telegram's 30 per second: requests leave here but are counted where they arrive, and
        # a few milliseconds of jitter on the way must not add up to a 31st. At a pace up to ~28.8/s an evenly
        # paced run never waits at the gate (a row waiting there is already claimed, and a crash would leave it
        # in doubt).
        self._window = window
        self._recent: deque[float] = deque(maxlen=burst)

    async def acquire(self, chat: str | None) -> None:
        """Reserve the next slot (under a lock, without sleeping) and sleep until it."""
        if not self.interval:
            return
        async with self._lock:
            now = self._now()
            slot = max(now, self._next, self._paused_until, self._chat_next.get(chat or "", 0.0))
            self.interval = max(self._base, self.interval * 0.9999)  # back to full pace over a few hundred sends
            self._next = slot + self.interval
            if chat:
                self._chat_next[chat] = slot + self.per_chat
                if len(self._chat_next) > 50_000:  # forget old chats on very large runs
                    self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        delay = slot - self._now()
        if delay > 0:
            await asyncio.sleep(delay)

    async def gate(self) -> None:
        """The last check, right before the request: it sees when requests actually leave (after the claim)."""
        if not self.interval:
            return
        async with self._gate:
            while len(self._recent) == self._recent.maxlen and (wait := self._window - (self._now() - self._recent[0])) > 0:
                await asyncio.sleep(wait)
            self._recent.append(self._now())

    def pause(self, seconds: float) -> None:
        """Flood control is per bot: every worker waits, and the pace slows by 3% for a while (limits are not fixed)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        if self.interval:
            self.interval = min(self.interval * 1.03, 1.0)


@dataclass
class FanOut:
    """Wiring of one fan-out: the database side (claim, finish, release) and the channel's `send`."""

    claim: Callable[[DueReminder], int | None]
    finish: Callable[[int, DueReminder, Outcome, str], None]
    release: Callable[[int, DueReminder], None]
    send: Callable[[DueReminder], Awaitable[SendResult]]
    pacer: Pacer
    workers: int = 8
    max_attempts: int = 4
    backoff: float = 1.0

    async def run(self, items: Sequence[DueReminder]) -> FanOutReport:
        report = FanOutReport()
        started = time.monotonic()
        queue: asyncio.Queue[DueReminder] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._one(item, report)

        await asyncio.gather(*(worker() for _ in range(max(1, min(self.workers, len(items))))))
        report.seconds = time.monotonic() - started
        return report

    async def _one(self, item: DueReminder, report: FanOutReport) -> None:
        for attempt in range(1, self.max_attempts + 1):
            if item.chat:
                await self.pacer.acquire(item.chat)
            # Database work runs in a thread: a commit must not hold up the event loop that paces the sends.
            row_id = await asyncio.to_thread(self.claim, item)
            if row_id is None:
                report.lost_claims += 1
                return
            try:
                if item.chat:
                    await self.pacer.gate()
                result = await self.send(item) if item.chat else SendResult(Outcome.UNREACHABLE, error="no chat")
            except Exception as error:  # noqa: BLE001 - an unknown failure may have reached the chat
                log.exception("reminder %s to %s failed", item.step, item.target)
                result = SendResult(Outcome.IN_DOUBT, error=repr(error)[:200])
            if result.outcome in FINAL:
                await asyncio.to_thread(self.finish, row_id, item, result.outcome, result.error)
                _count(report, result)
                return
            # Certainly not delivered: give the claim back so a retry (here, next tick, or another process) may send.
            await asyncio.to_thread(self.release, row_id, item)
            report.retries += 1
            wait = self.backoff * 2 ** (attempt - 1)
            if result.outcome == Outcome.RETRY:
                report.rate_limited += 1
                self.pacer.pause(result.retry_after)
                if result.retry_after > MAX_RETRY_AFTER:
                    break
                wait = result.retry_after
            if attempt < self.max_attempts:
                await asyncio.sleep(wait)
        report.released += 1
        log.warning("reminder %s to %s released after retries; the next run tries again", item.step, item.target)


def _count(report: FanOutReport, result: SendResult) -> None:
    if result.outcome == Outcome.SENT:
        report.sent += 1
    elif result.outcome == Outcome.BLOCKED:
        report.blocked += 1
    elif result.outcome == Outcome.UNREACHABLE:
        report.unreachable += 1
    elif result.outcome == Outcome.FAILED:
        report.failed += 1
        report.errors.append(result.error)
    else:
        report.in_doubt += 1
        report.errors.append(result.error)
