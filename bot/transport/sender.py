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
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.transport.backoff import Backoff
from bot.transport.results import Outcome, SendResult
from bot.transport.outbox import FAILED, SENT, UNKNOWN, Outbox, Outgoing
from bot.transport.policy import BULK, NOTIFY, ChannelPolicy
from storage.db import Database
from storage.models.transport import ChannelLease

log = logging.getLogger(__name__)
SendFn = Callable[[Outgoing], Awaitable[SendResult]]


# A new holder starts this long after the last one's lease ran out. The last holder stopped a second before then
# (`valid_until`), so its last calls have arrived and left the channel's one-second window by now; the chats it
# wrote to last are held for their own interval besides (`Sender._hold_recent_chats`), which before cost every
# chat a group's 3.1 s.
HANDOVER_MARGIN = 0.5  # seconds
TRANSIENT_TRIES = 300  # a refused connection is tried again this often: about a day of tries in all
TRANSIENT = Backoff(first=1.0, longest=300.0)  # its pauses: 1, 2, 4 ... s, at most 5 minutes


class Lease:
    """`channellease` row: the owner may send until `expires_at` (epoch seconds); renewed every second."""

    def __init__(self, db: Database, channel: str, owner: str, seconds: float = 5.0, now=time.time) -> None:  # noqa: ANN001
        self.db, self.channel, self.owner, self.seconds, self.now = db, channel, owner, seconds, now
        self.valid_until = 0.0  # local monotonic deadline, one second short of the stored one
        self.taken_over_at = 0.0

    def hold(self) -> tuple[bool, float, bool]:
        """(held, seconds to wait before the first send, whether it just changed hands to this sender)."""
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
            return False, 0.0, False
        fresh = previous_owner != self.owner
        self.valid_until = time.monotonic() + self.seconds - 1.0
        return True, (max(0.0, previous_expiry - now + HANDOVER_MARGIN) if fresh and previous_owner else 0.0), fresh

    def valid(self) -> bool:
        return time.monotonic() < self.valid_until

    def give_up(self) -> None:
        with self.db.engine.begin() as connection:
            connection.execute(update(ChannelLease).where(ChannelLease.channel == self.channel,
                                                          ChannelLease.owner == self.owner).values(expires_at=0.0))
        self.valid_until = 0.0


@dataclass(eq=False)
class Departure:
    """When a call left (the budget's clock), and when its chat's call before it left (None: not in memory).

    `counts_from`: where the sliding window counts it, its departure plus how much longer than the quickest
    recent round trip its own took (set when its answer comes back; until then, `flying`, it counts whatever
    its age)."""

    at: float
    previous: float | None = None
    counts_from: float = 0.0
    flying: bool = True


class Budget:
    """Overall pace (`rate`/s, and never more than `hard_limit` departures within any `window` seconds) and
    per-chat spacing, on one clock.

    Three steps per message. `take`, when the row is picked, books the next overall slot. `gate`, before the
    row is marked as leaving, waits until fewer than the limit of departures are stamped or reserved within the
    last `window`, and reserves one. `stamp`, right after the mark, turns the reservation into a departure at that
    instant and starts the chat's interval from it. So every wait comes before the mark, and between the mark
    and the request there is nothing to wait for (a row marked "sending" has left, but for that instant).

    The channel counts a message where it arrives, and a departure is stamped before the request leaves: a stall
    in between (the process descheduled, the GIL held by a worker thread) delays that arrival, and the stamps no
    longer show how arrivals bunch (measured on the benchmark's loaded machine: stamp to arrival 51 ms at best,
    54 ms median, 101 ms p99, 190 ms at worst, for a 50 ms path). So the window does not count a departure from
    its stamp but from `counts_from`: the stamp plus how much longer its round trip took than the quickest
    recent one (`landed`, when the answer comes back), and counts it whatever its age while it is in flight.
    A call arrives at most that much after the quickest call's one-way time, and the window's answer for the
    next call comes well after the earlier calls' answers at a pace of 30/s (the window is a second, a round
    trip a tenth of it), so a stall is seen before it could matter; `window - 1` (20 ms for Telegram) covers the
    quickest round trip's two halves not being each the quickest.

    Why the limit holds at the channel: take 31 arrivals within one second and the call among them whose gate
    passed last, at g. Every other one was reserved or stamped before g; if stamped and answered, it arrived
    after that call's arrival minus a second, so its `counts_from` is after g - 1 (it is at least its arrival
    minus the quickest one-way time, and this call arrives at least that after g); if still in flight, it is
    counted anyway. So at g the gate saw 30 and would not have let it through. With the mark between gate and
    stamp nothing changes: a reservation counts from the gate on. Per chat: a chat's next row is picked only
    when `chat_ready` (set by the stamp of the one before) has passed, and it is stamped after it is picked, so
    the gap between the two departures is at least the interval (1.1 s for a private chat: 100 ms of margin).

    A 429 (`refused`): when the policy says a 429 may be one chat's limit (`chat_429`), one in a chat that had a
    message within its interval plus a second, with no other chat refused within the window, holds only that
    chat for `retry_after` (the others keep the pace: the window's margin is there so that the bot-wide limit is
    not what refused it). Any other 429 pauses every chat for `retry_after` and slows the pace by 3%, back to
    `rate` after a minute without another such pause (Telegram's limits are not fixed, and a minute is enough to
    learn again that they are).
    """

    RECOVER_AFTER = 60.0  # seconds without a bot-wide 429 before the pace is back to the policy's rate

    def __init__(self, policy: ChannelPolicy, now: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.now = now
        self.base_interval = self.interval = 1.0 / policy.rate
        self.limit = max(1, policy.hard_limit)
        self.window = max(1.0, policy.window)
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.slowed_at = 0.0
        self.refused_at = -1e9  # the last 429, of any kind
        self.chat_next: dict[str, float] = {}
        self.departed: dict[str, float] = {}  # each chat's last departure
        self.recent: list[Departure] = []  # departures still in the window (or still flying)
        self.round_trips: deque[float] = deque(maxlen=200)  # the last calls' round trips, for the quickest
        self.reserved = 0  # gates passed whose departure is not stamped yet
        self.waiting: Counter[int] = Counter()  # calls waiting at the gate, by priority

    def chat_ready(self, chat_key: str) -> float:
        return self.chat_next.get(chat_key, 0.0)

    async def take(self, chat_key: str, free: bool) -> None:
        """Wait for the next overall slot and book it; `free` calls (answers to buttons) skip the budget."""
        if free:
            return
        now = self.now()
        if self.interval != self.base_interval and now - self.slowed_at >= self.RECOVER_AFTER:
            self.interval = self.base_interval
        slot = max(now, self.next_slot, self.paused_until)
        self.next_slot = slot + self.interval
        self.chat_next[chat_key] = max(self.chat_next.get(chat_key, 0.0), slot + self.policy.interval_for(chat_key))
        if slot > now:
            await asyncio.sleep(slot - now)

    async def gate(self, chat_key: str, free: bool, priority: int = BULK) -> None:
        """Before the mark: wait until one more departure fits in the sliding window, and reserve it; a call
        waiting here lets any better-priority call that waits too go first (a reply never queues behind a
        reminder that was picked before it)."""
        if free:
            return
        self.waiting[priority] += 1
        try:
            while True:
                ahead = any(self.waiting[better] for better in range(priority))
                if not ahead and self.fits():
                    break
                await asyncio.sleep(0.002 if ahead else self._until_room())
        finally:
            self.waiting[priority] -= 1
        self.reserved += 1

    def fits(self) -> bool:
        """Whether one more departure now keeps the sliding window under the limit (reservations count)."""
        horizon = self.now() - self.window
        self.recent = [d for d in self.recent if d.flying or d.counts_from > horizon]  # a few dozen at most
        return len(self.recent) + self.reserved < self.limit

    def _until_room(self) -> float:
        """A short sleep, up to when the first landed departure leaves the window."""
        ends = [d.counts_from + self.window for d in self.recent if not d.flying]
        return min(max(0.001, min(ends, default=0.0) - self.now()), 0.01)

    def landed(self, departure: Departure | None, answered: bool = True) -> None:
        """The call's answer came back. It reached the channel no later than it left plus the time its request
        took beyond the quickest request's: the window counts it from there (a stall between the stamp and the
        request leaving, which would bunch arrivals, moves it later), and no longer while it flies. Only a call
        the channel `answered` tells what a round trip takes (a refused connection fails at once)."""
        if departure is None:
            return
        trip = self.now() - departure.at
        if answered or not self.round_trips:
            self.round_trips.append(trip)
        departure.counts_from = departure.at + max(0.0, trip - min(self.round_trips))
        departure.flying = False

    def stamp(self, chat_key: str, free: bool) -> Departure | None:
        """Right after the mark, right before the request: the departure, counted from now (a slow mark must not
        shorten the gap that the channel measures in the chat)."""
        if free:
            return None
        self.reserved -= 1
        now = self.now()
        self.chat_next[chat_key] = max(self.chat_next.get(chat_key, 0.0), now + self.policy.interval_for(chat_key))
        previous = self.departed.get(chat_key)
        self.departed[chat_key] = now
        if len(self.chat_next) > 50_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}
            self.departed = {c: t for c, t in self.departed.items() if t > now - 60.0}
        departure = Departure(now, previous, now)
        self.recent.append(departure)
        return departure

    def release(self, free: bool) -> None:
        """A gate was passed but the row will not leave (taken by another sender, lease lost)."""
        if not free:
            self.reserved -= 1

    def refused(self, chat_key: str, retry_after: float, departure: Departure | None) -> bool:
        """A 429 for a call that left at `departure`: hold that chat, or (True) pause the whole channel."""
        now = self.now()
        others_refused = now - self.refused_at < self.window
        self.refused_at = now
        chat_limit = (self.policy.chat_429 and departure is not None and departure.previous is not None
                      and departure.at - departure.previous < self.policy.interval_for(chat_key) + 1.0)
        if chat_limit and not others_refused:
            self.hold(chat_key, retry_after)
            return False
        self.pause(retry_after)
        return True

    def hold(self, chat_key: str, seconds: float) -> None:
        """One chat's limit was crossed: that chat waits `seconds`, every other one keeps its pace."""
        self.chat_next[chat_key] = max(self.chat_next.get(chat_key, 0.0), self.now() + seconds)

    def pause(self, seconds: float) -> None:
        """A bot-wide 429: every chat waits, then the pace is 3% slower (for a minute after the last such 429)."""
        now = self.now()
        self.paused_until = max(self.paused_until, now + seconds)
        self.interval = min(self.interval * 1.03, 1.0)
        self.slowed_at = now


class Sender:
    """Reads the channel's outbox best-priority-first and sends within the budget while holding the lease.

    Per message, one write on the way out (the mark, which also reads the call's parameters) and a share of one
    batched write afterwards: final outcomes are recorded, with their hooks, in one transaction every
    `settle_every` seconds. A row already sent but not yet recorded is "sending", which after a crash reads as
    "in doubt: sent", and is never resent; only a retry (429, refused connection) is recorded at once, since the
    row must be pending again before the chat's next row may go.
    """

    def __init__(self, db: Database, policy: ChannelPolicy, send: SendFn, owner: str, *,
                 on_blocked: Callable[[str], None] | None = None,
                 on_outcome: Callable[[str, Outcome, str], None] | None = None, max_in_flight: int = 16,
                 lease_seconds: float = 5.0, on_message: Callable[[str, int], None] | None = None,
                 settle_every: float = 0.1, on_failed: Callable[[Outgoing, SendResult], bool] | None = None,
                 clock: Clock | None = None) -> None:
        self.db, self.policy, self.send, self.owner = db, policy, send, owner
        self.outbox = Outbox(db)
        self.clock = clock  # the process's clock: the monthly quota's month is the configured zone's
        self.lease = Lease(db, policy.name, owner, lease_seconds)
        self.budget = Budget(policy)
        self.on_blocked = on_blocked
        self.on_outcome = on_outcome
        self.on_failed = on_failed  # hands a failed call to the person's other channel (bot.transport.fallback)
        self.on_message = on_message  # a sent row with a `ref` learns the message id the channel gave it
        self.max_in_flight = max_in_flight
        self.settle_every = settle_every
        self.kick = asyncio.Event()  # the picker may find something now
        self.fresh = asyncio.Event()  # rows were queued since the last read of the outbox
        self.candidates: list[Outgoing] = []  # the last read of the outbox, less what was picked since
        self.start_after = 0.0  # after taking over: not before the last holder's last per-chat interval
        self.busy_chats: set[str] = set()
        self.in_flight: set[int] = set()
        self.tasks: set[asyncio.Task] = set()
        self.settled: list[tuple[Outgoing, SendResult, float]] = []
        self.settling: asyncio.Task | None = None
        self.sent = 0
        self.rate_limited = 0
        self._quota_checked = (0.0, 0)  # (when counted, notifications and reminders sent this month)
        self.handing_over: set[int] = set()  # rows over the monthly quota being handed to the other channel
        self.refusals_in_row = 0  # 429s answering one probe after another (a channel without a retry time)

    def wake(self) -> None:
        """Something was queued in this process: look now instead of at the next poll."""
        self.fresh.set()

    async def run(self, stop: asyncio.Event, poll: float = 0.1) -> None:
        """The picker; the lease and the reads of the outbox run beside it (`_keep`), so that neither a slow
        lease write nor a slow read stalls the pace."""
        keeper = asyncio.create_task(self._keep(stop, poll))
        try:
            while not stop.is_set():
                self._settle_soon()
                # Probing after a 429 without a retry time: one call at a time until one is accepted.
                probing = self.refusals_in_row > 0 and bool(self.in_flight)
                row = self._pick(self.candidates) if self._may_send() and not probing else None
                if row is None or len(self.in_flight) >= self.max_in_flight:
                    self.kick.clear()
                    await _wait_kick(self.kick, stop, 0.02)
                    continue
                self.candidates.remove(row)
                if self.policy.monthly_quota is not None and row.priority >= NOTIFY:
                    checked, count = self._quota_checked
                    self._quota_checked = (checked, count + 1)  # booked now: calls in flight count too
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
        except BaseException:  # cancelled (a test's stand-in for a dead process) or failed: no clean hand-over
            keeper.cancel()
            raise
        # A clean stop: finish what is in flight, record it, and hand the lease over at once.
        await asyncio.gather(keeper, return_exceptions=True)
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.settling is not None:
            await asyncio.gather(self.settling, return_exceptions=True)
        if self.settled:
            batch, self.settled = self.settled, []
            await asyncio.to_thread(self._record_many, [(row, result) for row, result, _at in batch])
        await asyncio.to_thread(self.lease.give_up)

    def _may_send(self) -> bool:
        """Holding the lease, past a take-over's wait, and not paused by a 429 (nothing is picked during a pause,
        so a stop is never stuck behind a booking an hour away, and the best row is picked when it ends)."""
        return (self.lease.valid() and time.monotonic() >= self.start_after
                and self.budget.now() >= self.budget.paused_until)

    async def _keep(self, stop: asyncio.Event, poll: float) -> None:
        """Hold the lease (renewed every second; on taking over, settle what the last holder left in flight and
        wait out its last per-chat interval), and keep `candidates` fresh: on a wake, else every `poll` s."""
        renew_at = fetched_at = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= renew_at or not self.lease.valid():
                renew_at = now + 1.0
                held, wait, fresh = await asyncio.to_thread(self.lease.hold)
                if not held:
                    self.candidates = []
                    await _sleep_or(stop, 1.0)
                    continue
                if fresh or self.lease.taken_over_at == 0.0:
                    self.lease.taken_over_at = now
                    self.start_after = time.monotonic() + wait
                    doubt = await asyncio.to_thread(self._recover)
                    await asyncio.to_thread(self._hold_recent_chats)
                    log.info("%s sender %s took over (%d calls left in flight: taken as sent)",
                             self.policy.name, self.owner, doubt)
            if self.fresh.is_set() or now - fetched_at >= poll:
                self.fresh.clear()
                self.candidates = await asyncio.to_thread(self.outbox.waiting, self.policy.name, 300)
                fetched_at = time.monotonic()
                self.kick.set()
            await _wait_kick(self.fresh, stop, max(0.0, min(poll - (time.monotonic() - fetched_at),
                                                            renew_at - time.monotonic())))

    def _hold_recent_chats(self) -> None:
        """On taking over: a chat the last holder wrote to within its interval (or had a call in flight to) waits
        that interval from now, so two senders' calls never come closer in a chat than one sender's would."""
        longest = max(self.policy.per_chat, self.policy.per_group)
        for chat_key in self.outbox.recent_chats(self.policy.name, self.outbox.now() - longest - HANDOVER_MARGIN):
            self.budget.hold(chat_key, self.policy.interval_for(chat_key))

    def _recover(self) -> int:
        """Calls the last sender left in flight are in doubt, never resent; whoever asked (a reminder, the
        status board) is told so."""
        refs = self.outbox.recover(self.policy.name)
        if self.on_outcome is not None and any(refs):
            with self.db.unit_of_work():
                for ref in filter(None, refs):
                    try:
                        self.on_outcome(ref, Outcome.IN_DOUBT, "in flight when its sender stopped")
                    except Exception:  # noqa: BLE001 - the rows are settled; a hook's row expires on its own
                        log.exception("%s outcome hook failed for %s", self.policy.name, ref)
        return len(refs)

    def _pick(self, candidates: list[Outgoing]) -> Outgoing | None:
        """Best priority first; within a chat strictly in order (behind a refused call that waits, too), one
        call in flight, spaced by the budget."""
        now, wall = self.budget.now(), self.outbox.now()
        seen: set[str] = set()
        for row in candidates:
            if row.chat_key in seen or row.id in self.in_flight:
                continue
            seen.add(row.chat_key)
            if row.chat_key in self.busy_chats or row.not_before > wall:
                continue
            if row.method not in self.policy.free_methods and self.budget.chat_ready(row.chat_key) > now:
                continue
            if self.policy.monthly_quota is not None and row.priority >= NOTIFY and self._over_quota():
                self._hand_over_unsent(row)
                continue
            return row
        return None

    def _hand_over_unsent(self, row: Outgoing) -> None:
        """The month's quota is used up: a waiting notification or reminder goes to the person's other channel
        (as after the channel's own 429), without pausing replies, which the quota never holds."""
        if self.on_failed is None or row.id in self.handing_over:
            return  # no other channel to offer: it waits for next month's quota
        self.handing_over.add(row.id)
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self._give_up_unsent, row))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _give_up_unsent(self, row: Outgoing) -> None:
        taken = self.outbox.take(row)
        if taken is None:
            return
        try:
            result = SendResult(Outcome.RETRY, retry_after=3600.0, error="monthly quota reached")
            handed = self.on_failed is not None and self.on_failed(taken, result)
        except Exception:  # noqa: BLE001 - the row must not stay "sending" (it never left)
            log.exception("%s could not hand over call %s", self.policy.name, row.id)
            handed = False
        if handed:
            self.outbox.finish(row.id, FAILED, "monthly quota reached (handed over)")
        else:
            self.outbox.retry_later(row.id, 3600.0, "monthly quota reached")

    def _over_quota(self) -> bool:
        checked, count = self._quota_checked
        if time.monotonic() - checked > 60:
            if self.clock is None:
                raise RuntimeError("a channel with a monthly quota needs the clock (Wiring.sender gives it)")
            count = self.outbox.sent_this_month(self.policy.name, NOTIFY, self.clock)
            self._quota_checked = (time.monotonic(), count)
        return count >= (self.policy.monthly_quota or 0)

    async def _one(self, row: Outgoing) -> None:
        """Wait for the budget, mark, stamp, send: after the mark nothing waits before the request leaves."""
        free = row.method in self.policy.free_methods
        retrying = False
        try:
            await self.budget.gate(row.chat_key, free, row.priority)
            if not self.lease.valid():  # the budget is another sender's now: the row stays pending, untouched
                self.budget.release(free)
                return
            try:
                taken = await asyncio.to_thread(self.outbox.take, row)
            except Exception:  # noqa: BLE001 - the database is away: the row stays pending, tried again later
                log.exception("%s sender could not mark call %s", self.policy.name, row.id)
                taken = None
            if taken is None:  # another sender took it (a lease hand-over race), or the mark failed
                self.budget.release(free)
                return
            departure = self.budget.stamp(row.chat_key, free)
            result = None
            try:
                result = await self.send(taken)
            except Exception as error:  # noqa: BLE001 - unknown failure: it may have reached the chat
                log.exception("%s %s to %s failed", self.policy.name, row.method, row.chat_key)
                result = SendResult(Outcome.IN_DOUBT, error=repr(error)[:200])
            finally:
                self.budget.landed(departure, result is not None and result.outcome not in (
                    Outcome.TRANSIENT, Outcome.IN_DOUBT))
            if result.outcome == Outcome.RETRY:  # at once, in the loop: the next booking must know
                result = self._lengthen(result)
                self._refused(taken, result, departure)
            elif result.outcome == Outcome.SENT:
                self.refusals_in_row = 0
            if self._retry(taken, result) or self._may_fail_over(result):
                retrying = True  # pending again (or handed over) before the chat's next row may be picked
                await asyncio.to_thread(self._record, taken, result)  # with its parameters: a hand-over copies them
            else:
                self.settled.append((taken, result, time.monotonic()))
        finally:
            self.busy_chats.discard(row.chat_key)
            self.in_flight.discard(row.id)
            if retrying:
                self.fresh.set()
            self.kick.set()

    def _may_fail_over(self, result: SendResult) -> bool:
        return self.on_failed is not None and result.outcome in (Outcome.RETRY, Outcome.BLOCKED, Outcome.UNREACHABLE)

    def _failed_over(self, row: Outgoing, result: SendResult) -> bool:
        """A failure another channel may not share (quota, block): when `on_failed` took the call over (queued
        it on the person's other channel, or settled it), the row ends failed here; a 429 still pauses."""
        if not self._may_fail_over(result) or not self.on_failed(row, result):
            return False
        self.outbox.finish(row.id, FAILED, f"{result.outcome}: {result.error} (handed over)")
        return True

    def _lengthen(self, result: SendResult) -> SendResult:
        """A channel whose 429 gives no time (Zalo): the pause doubles with each 429 that answers a probe (the first
        call after a pause), up to `policy.longest_pause`; 429s of calls already in flight count once."""
        if self.policy.chat_429:
            return result
        if self.budget.now() >= self.budget.paused_until:
            self.refusals_in_row += 1
        pause = Backoff(result.retry_after, self.policy.longest_pause).pause(self.refusals_in_row)
        return replace(result, retry_after=max(pause, result.retry_after))

    def _refused(self, row: Outgoing, result: SendResult, departure: Departure | None) -> None:
        """A 429: hold the chat, or pause the channel (`Budget.refused` says which)."""
        self.rate_limited += 1
        if self.budget.refused(row.chat_key, result.retry_after, departure):
            log.warning("%s: 429 (%s); every chat waits %.1f s", self.policy.name, result.error, result.retry_after)
        else:
            log.info("%s: 429 in chat %s (%s); that chat waits %.1f s", self.policy.name, row.chat_key,
                     result.error, result.retry_after)

    def _settle_soon(self) -> None:
        """Record the outcomes waiting for `settle_every` seconds (or 64 of them) in one transaction."""
        if not self.settled or self.settling is not None:
            return
        if len(self.settled) < 64 and time.monotonic() - self.settled[0][2] < self.settle_every:
            return
        batch, self.settled = self.settled, []
        self.settling = asyncio.create_task(self._settle(batch))

    async def _settle(self, batch: list[tuple[Outgoing, SendResult, float]]) -> None:
        try:
            await asyncio.to_thread(self._record_many, [(row, result) for row, result, _at in batch])
        except Exception:  # noqa: BLE001 - the database is away: keep the outcomes and try again
            log.exception("%s sender could not record %d outcomes; retrying", self.policy.name, len(batch))
            self.settled[:0] = batch
            await asyncio.sleep(1.0)
        finally:
            self.settling = None

    @staticmethod
    def _retry(row: Outgoing, result: SendResult) -> bool:
        """A 429 is retried for as long as it takes, a refused connection for about a day (`TRANSIENT_TRIES`, the
        pause doubling up to `TRANSIENT.longest`): either way the call certainly did not leave, so a channel that
        is down for an hour loses nothing."""
        return result.outcome == Outcome.RETRY or (result.outcome == Outcome.TRANSIENT
                                                   and row.attempts < TRANSIENT_TRIES)

    def _hooks(self, row: Outgoing, result: SendResult) -> None:
        """Tell whoever asked (a reminder row, the status board) how the call ended; remember blocked people."""
        if row.ref and self.on_message is not None and result.outcome == Outcome.SENT and result.message_id:
            self.on_message(row.ref, result.message_id)
        if row.ref and self.on_outcome is not None:
            self.on_outcome(row.ref, result.outcome, result.error)
        elif result.outcome == Outcome.BLOCKED and self.on_blocked is not None:
            self.on_blocked(row.chat_key)

    @staticmethod
    def _state(result: SendResult) -> tuple[str, str]:
        if result.outcome == Outcome.SENT:
            return SENT, ""
        if result.outcome == Outcome.IN_DOUBT:
            return UNKNOWN, result.error
        return FAILED, f"{result.outcome}: {result.error}"

    def _record_many(self, batch: list[tuple[Outgoing, SendResult]]) -> None:
        """Final outcomes and their hooks in one transaction (each hook's service session is a savepoint of it,
        so a failing hook undoes only its own writes)."""
        with self.db.unit_of_work() as session:
            for row, result in batch:
                try:
                    self._hooks(row, result)
                except Exception:  # noqa: BLE001 - one hook must not keep the others' rows in "sending"
                    log.exception("%s outcome hook failed for %s", self.policy.name, row.ref or row.chat_key)
            self.outbox.finish_many(session, [(row.id, *self._state(result)) for row, result in batch])
        self.sent += sum(result.outcome == Outcome.SENT for _row, result in batch)

    def _record(self, row: Outgoing, result: SendResult) -> None:
        if self._failed_over(row, result):
            return
        if self._retry(row, result):
            # A 429 says when (Telegram's retry_after); a refused connection backs off 1, 2, 4 ... s (`row.attempts`
            # counts the tries before this one).
            after = (max(result.retry_after, 1.0) if result.outcome == Outcome.RETRY
                     else TRANSIENT.pause(row.attempts + 1))
            self.outbox.retry_later(row.id, after, result.error)
            return
        self._hooks(row, result)
        if result.outcome == Outcome.SENT:
            self.sent += 1
        self.outbox.finish(row.id, *self._state(result))

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
                    if result.outcome == Outcome.RETRY:
                        self._refused(row, result, None)
                    count += 1
                    continue
                if result.outcome == Outcome.TRANSIENT:
                    result = SendResult(Outcome.FAILED, error=result.error)  # no waiting in a drain
                # a 429 is kept (retry_later): a later drain sends it once its wait is over, as live
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
