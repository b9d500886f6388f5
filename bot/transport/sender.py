"""One paced sender per channel: a database lease elects it, so the budget holds across any number of processes.

Why a lease and not a shared token bucket: Telegram counts messages where they arrive, per bot. With exactly
one process sending for a channel at any moment, the overall rate and the per-chat spacing are enforced by one
clock in one place (provably, up to the lease hand-over, which waits out the longest per-chat interval),
and no database round trip is spent per message on rate accounting. Any process can take over within
`lease_seconds` when the sender dies; the others keep receiving and processing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.reminders.fanout import Outcome, SendResult
from bot.transport.outbox import FAILED, SENT, UNKNOWN, Outbox, Outgoing
from bot.transport.policy import NOTIFY, ChannelPolicy
from storage.db import Database
from storage.models.transport import ChannelLease

log = logging.getLogger(__name__)
SendFn = Callable[[Outgoing], Awaitable[SendResult]]


class Lease:
    """`channellease` row: the owner may send until `expires_at` (epoch seconds); renewed every second."""

    def __init__(self, db: Database, channel: str, owner: str, seconds: float = 5.0, now=time.time) -> None:  # noqa: ANN001
        self.db, self.channel, self.owner, self.seconds, self.now = db, channel, owner, seconds, now
        self.valid_until = 0.0  # local monotonic deadline, one second short of the stored one
        self.taken_over_at = 0.0

    def hold(self) -> tuple[bool, float]:
        """(held, seconds to wait before the first send when the lease just changed hands)."""
        now = self.now()
        with self.db.engine.begin() as connection:
            row = connection.execute(select(ChannelLease).where(ChannelLease.channel == self.channel)).first()
            if row is None:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(ChannelLease).values(channel=self.channel, owner="", expires_at=0.0))
                except IntegrityError:
                    pass
                previous_owner, previous_expiry = "", 0.0
            else:
                previous_owner, previous_expiry = row.owner, row.expires_at
            won = connection.execute(update(ChannelLease).where(
                ChannelLease.channel == self.channel,
                (ChannelLease.owner == self.owner) | (ChannelLease.expires_at < now))
                .values(owner=self.owner, expires_at=now + self.seconds)).rowcount == 1
        if not won:
            self.valid_until = 0.0
            return False, 0.0
        fresh = previous_owner != self.owner
        self.valid_until = time.monotonic() + self.seconds - 1.0
        return True, (max(0.0, previous_expiry - now + 3.1) if fresh and previous_owner else 0.0)

    def valid(self) -> bool:
        return time.monotonic() < self.valid_until

    def give_up(self) -> None:
        with self.db.engine.begin() as connection:
            connection.execute(update(ChannelLease).where(ChannelLease.channel == self.channel,
                                                          ChannelLease.owner == self.owner).values(expires_at=0.0))
        self.valid_until = 0.0


class Budget:
    """Overall pace (`rate`/s and never `hard_limit` within any second) and per-chat spacing, on one clock."""

    def __init__(self, policy: ChannelPolicy, now: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.now = now
        self.interval = 1.0 / policy.rate
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.chat_next: dict[str, float] = {}
        self.recent: deque[float] = deque(maxlen=max(1, policy.hard_limit - 1))

    def chat_ready(self, chat_key: str) -> float:
        return self.chat_next.get(chat_key, 0.0)

    async def take(self, chat_key: str, free: bool) -> None:
        """Wait for the next overall slot and book it; `free` calls (answers to buttons) skip the budget."""
        if free:
            return
        now = self.now()
        slot = max(now, self.next_slot, self.paused_until)
        self.next_slot = slot + self.interval
        self.chat_next[chat_key] = max(self.chat_next.get(chat_key, 0.0), slot + self.policy.interval_for(chat_key))
        if slot > now:
            await asyncio.sleep(slot - now)

    async def gate(self, chat_key: str, free: bool) -> None:
        """Right before the request leaves: never `hard_limit` departures within a second, and the chat's
        next message counted from this actual departure (a slow database write in between must not shorten
        the gap that Telegram measures)."""
        if free:
            return
        while len(self.recent) == self.recent.maxlen and (wait := 1.0 - (self.now() - self.recent[0])) > 0:
            await asyncio.sleep(wait)
        now = self.now()
        self.recent.append(now)
        self.chat_next[chat_key] = max(self.chat_next.get(chat_key, 0.0), now + self.policy.interval_for(chat_key))
        if len(self.chat_next) > 50_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}

    def pause(self, seconds: float) -> None:
        """429: the whole bot waits, then goes 3% slower (Telegram's limits are not fixed)."""
        self.paused_until = max(self.paused_until, self.now() + seconds)
        self.interval = min(self.interval * 1.03, 1.0)


class Sender:
    """Reads the channel's outbox best-priority-first and sends within the budget while holding the lease."""

    def __init__(self, db: Database, policy: ChannelPolicy, send: SendFn, owner: str, *,
                 on_blocked: Callable[[str], None] | None = None,
                 on_outcome: Callable[[str, Outcome, str], None] | None = None, max_in_flight: int = 16,
                 lease_seconds: float = 5.0,
                 on_failed: Callable[[Outgoing, SendResult], bool] | None = None) -> None:
        self.db, self.policy, self.send, self.owner = db, policy, send, owner
        self.outbox = Outbox(db)
        self.lease = Lease(db, policy.name, owner, lease_seconds)
        self.budget = Budget(policy)
        self.on_blocked = on_blocked
        self.on_outcome = on_outcome
        self.on_failed = on_failed  # hands a failed call to the person's other channel (bot.transport.fallback)
        self.max_in_flight = max_in_flight
        self.kick = asyncio.Event()
        self.busy_chats: set[str] = set()
        self.in_flight: set[int] = set()
        self.tasks: set[asyncio.Task] = set()
        self.sent = 0
        self.rate_limited = 0
        self._quota_checked = (0.0, 0)

    def wake(self) -> None:
        """Something was queued in this process: look now instead of at the next poll."""
        self.kick.set()

    async def run(self, stop: asyncio.Event, poll: float = 0.1) -> None:
        renew_at = 0.0
        candidates: list[Outgoing] = []
        fetched_at = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= renew_at or not self.lease.valid():
                held, wait = await asyncio.to_thread(self.lease.hold)
                renew_at = now + 1.0
                if not held:
                    await _sleep_or(stop, 1.0)
                    continue
                if wait or self.lease.taken_over_at == 0.0:
                    self.lease.taken_over_at = now
                    again = await asyncio.to_thread(self.outbox.recover, self.policy.name)
                    log.info("%s sender %s took over (%d calls in flight resent)", self.policy.name, self.owner, again)
                    if wait:
                        await _sleep_or(stop, wait)
            if self.kick.is_set() or now - fetched_at >= poll or not candidates:
                self.kick.clear()
                candidates = await asyncio.to_thread(self.outbox.pending, self.policy.name, 300)
                fetched_at = time.monotonic()
            row = self._pick(candidates)
            if row is None or len(self.in_flight) >= self.max_in_flight:
                await _wait_kick(self.kick, stop, 0.02 if candidates else poll)
                continue
            candidates.remove(row)
            free = row.method in self.policy.free_methods
            self.busy_chats.add(row.chat_key)
            self.in_flight.add(row.id)
            await self.budget.take(row.chat_key, free)
            if not self.lease.valid():  # lost the lease while waiting: another sender owns the budget now
                self.busy_chats.discard(row.chat_key)
                self.in_flight.discard(row.id)
                continue
            task = asyncio.create_task(self._one(row))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.to_thread(self.lease.give_up)

    def _pick(self, candidates: list[Outgoing]) -> Outgoing | None:
        """Best priority first; within a chat strictly in order, one call in flight, spaced by the budget."""
        now = time.monotonic()
        seen: set[str] = set()
        for row in candidates:
            if row.chat_key in seen or row.id in self.in_flight:
                continue
            seen.add(row.chat_key)
            if row.chat_key in self.busy_chats:
                continue
            if row.method not in self.policy.free_methods and self.budget.chat_ready(row.chat_key) > now:
                continue
            if self.policy.monthly_quota is not None and row.priority >= NOTIFY and self._over_quota():
                continue
            return row
        return None

    def _over_quota(self) -> bool:
        checked, count = self._quota_checked
        if time.monotonic() - checked > 60:
            count = self.outbox.sent_this_month(self.policy.name, NOTIFY)
            self._quota_checked = (time.monotonic(), count)
        return count >= (self.policy.monthly_quota or 0)

    async def _one(self, row: Outgoing) -> None:
        try:
            if not await asyncio.to_thread(self.outbox.mark_sending, row.id):
                return  # another sender took it (a lease hand-over race): it is theirs
            await self.budget.gate(row.chat_key, row.method in self.policy.free_methods)
            if not self.lease.valid():  # the budget is another sender's now: give the call back untouched
                await asyncio.to_thread(self.outbox.retry_later, row.id, 0.0, "lease lost")
                return
            try:
                result = await self.send(row)
            except Exception as error:  # noqa: BLE001 - unknown failure: it may have reached the chat
                log.exception("%s %s to %s failed", self.policy.name, row.method, row.chat_key)
                result = SendResult(Outcome.IN_DOUBT, error=repr(error)[:200])
            await asyncio.to_thread(self._record, row, result)
        finally:
            self.busy_chats.discard(row.chat_key)
            self.in_flight.discard(row.id)
            self.kick.set()

    def _failed_over(self, row: Outgoing, result: SendResult) -> bool:
        """A failure another channel may not share (quota, block): when `on_failed` took the call over (queued
        it on the person's other channel, or settled it), the row ends failed here; a 429 still pauses."""
        if result.outcome not in (Outcome.RETRY, Outcome.BLOCKED, Outcome.UNREACHABLE) or self.on_failed is None:
            return False
        if not self.on_failed(row, result):
            return False
        if result.outcome == Outcome.RETRY:
            self.rate_limited += 1
            self.budget.pause(result.retry_after)
        self.outbox.finish(row.id, FAILED, f"{result.outcome}: {result.error} (handed over)")
        return True

    def _record(self, row: Outgoing, result: SendResult) -> None:
        if self._failed_over(row, result):
            return
        retry = result.outcome in (Outcome.RETRY, Outcome.TRANSIENT) and row.attempts < 6
        if row.ref and self.on_outcome is not None:
            if not retry:
                self.on_outcome(row.ref, result.outcome, result.error)
        elif result.outcome == Outcome.BLOCKED and self.on_blocked is not None:
            self.on_blocked(row.chat_key)
        if result.outcome == Outcome.SENT:
            self.sent += 1
            self.outbox.finish(row.id, SENT)
        elif retry:
            if result.outcome == Outcome.RETRY:
                self.rate_limited += 1
                self.budget.pause(result.retry_after)
            self.outbox.retry_later(row.id, max(result.retry_after, 2.0 ** row.attempts), result.error)
        elif result.outcome == Outcome.IN_DOUBT:
            self.outbox.finish(row.id, UNKNOWN, result.error)
        else:
            self.outbox.finish(row.id, FAILED, f"{result.outcome}: {result.error}")

    async def drain(self) -> int:
        """Send everything pending now, in priority order, without pacing (the simulator and tests)."""
        count = 0
        while rows := await asyncio.to_thread(self.outbox.pending, self.policy.name, 500):
            for row in rows:
                if not await asyncio.to_thread(self.outbox.mark_sending, row.id):
                    continue
                try:
                    result = await self.send(row)
                except Exception as error:  # noqa: BLE001
                    log.exception("%s %s failed", self.policy.name, row.method)
                    result = SendResult(Outcome.IN_DOUBT, error=repr(error)[:200])
                if await asyncio.to_thread(self._failed_over, row, result):
                    count += 1
                    continue
                if result.outcome in (Outcome.RETRY, Outcome.TRANSIENT):
                    result = SendResult(Outcome.FAILED, error=result.error)  # no waiting in a drain
                await asyncio.to_thread(self._record, row, result)
                count += 1
        return count


async def _sleep_or(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def _wait_kick(kick: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    if stop.is_set():
        return
    try:
        await asyncio.wait_for(kick.wait(), seconds)
    except TimeoutError:
        pass
