"""The update path under concurrency and crashes: per-chat order across processes, nothing lost or doubled,
replies before fan-outs, and one send budget across senders (docs/UPDATES.md)."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.app import Wiring
from bot.transport.results import Outcome, SendResult
from bot.services import build_services
from bot.transport.inbox import Inbox
from bot.transport.outbox import Outbox, RecordingRequest
from bot.transport.policy import BULK, REPLY, ChannelPolicy
from bot.transport.sender import Sender
from storage.models import InboxUpdate, OutboxMessage, Report, ReportAnswer
from tests.world import SIX_MONTH_OPEN

HEADS = ["hcth", "khtc", "qlkh", "qlcn", "qlcnganh", "thanhtra", "chicuc", "ttud"]


class Killed(BaseException):
    """The process dies here (not an error any code may catch)."""


def replies_to(sim, who):
    return [m.text for m in sim.api.outbox if m.chat_id == sim.personas[who].user_id and not m.edited]


def _process_in_thread(sim, owner: str, counts: Counter, ready: threading.Barrier) -> None:
    """A second (or third) process: its own event loop, Application and services, on the same database."""

    async def main() -> None:
        services = build_services(sim.settings, sim.db, sim.clock)
        wiring = Wiring(sim.settings, services, sim.i18n)  # a Telegram-only process
        app = wiring.application(sim.api)
        await app.initialize()
        [processor] = wiring.processors(app, sim.inbox, owner)
        ready.wait(30)  # both processes start together
        idle = 0
        while idle < 20:
            if await processor.process_next():
                counts[owner] += 1
                idle = 0
                await asyncio.sleep(0.02)  # the other process gets its turn at the database
            else:
                idle += 1
                await asyncio.sleep(0.01)
        await app.shutdown()

    asyncio.run(main())


async def test_two_processes_keep_each_persons_order(sim):
    """Eight heads each send /baocao and two answers back to back (all stored before anyone processes); two
    processes share the work: every reply once and in order, every answer saved under its own question."""
    sim.clock.set(SIX_MONTH_OPEN)
    ids = itertools.count(10_000)
    for who in HEADS:  # all stored before anyone processes: the worst case for ordering
        sim.deliver(sim.typed(who, "/baocao", next(ids)))
        sim.deliver(sim.typed(who, f"Trả lời câu 1 của {who}", next(ids)))
        sim.deliver(sim.typed(who, "1", next(ids)))  # question 2 is a choice: option 1
    counts: Counter[str] = Counter()
    ready = threading.Barrier(2)
    threads = [threading.Thread(target=_process_in_thread, args=(sim, name, counts, ready)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    await sim.sender.drain()
    assert sum(counts.values()) == 3 * len(HEADS) and counts["A"] and counts["B"], counts
    with sim.db.session() as session:
        assert set(session.exec(select(InboxUpdate.state)).all()) == {"done"}
    with sim.db.session() as session:
        saved = session.exec(select(ReportAnswer)).all()
        report = session.exec(select(Report)).first()
    order = [q.id for q in sim.services.reports.store.get(report.questionnaire_code,
                                                           report.questionnaire_version).questions]
    for who in HEADS:
        texts = replies_to(sim, who)
        assert len(texts) == 3, (who, texts)  # one reply per update, none doubled
        assert "Câu 1/" in texts[0] and "Câu 2/" in texts[1] and "Câu 3/" in texts[2], (who, texts)  # in order
        first = next(a for a in saved if a.value == f"Trả lời câu 1 của {who}")  # 0 lost
        mine = sorted((order.index(a.question_id), a.question_id) for a in saved if a.report_id == first.report_id)
        assert len(mine) == 2 and mine[0][1] == first.question_id, (who, mine)  # the typed one, then the choice
    assert len(sim.api.outbox) == len({(m.chat_id, m.message_id) for m in sim.api.outbox})


async def test_redelivered_update_is_processed_once(sim):
    payload = sim.typed("khtc", "/baocao", 77)
    assert sim.deliver(payload) and not sim.deliver(json.loads(json.dumps(payload)))
    await sim.process()
    assert len(replies_to(sim, "khtc")) == 1


async def test_killed_between_commit_and_send_replies_once_after_restart(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    sim.deliver(sim.typed("khtc", "/baocao", 500))
    await sim.process(drain=False)  # committed: the reply is in the outbox, not sent; the process dies
    assert replies_to(sim, "khtc") == []
    await sim.restart()  # a new process's sender finds it
    await sim.process()
    texts = replies_to(sim, "khtc")
    assert len(texts) == 1 and "Câu 1/17" in texts[0]


async def test_killed_before_commit_leaves_nothing_and_is_redone(sim, monkeypatch):
    sim.clock.set(SIX_MONTH_OPEN)
    sim.deliver(sim.typed("khtc", "/baocao", 600))
    sim.deliver(sim.typed("khtc", "Câu trả lời đầu tiên", 601))
    await sim.process()
    original = RecordingRequest._enqueue

    def die(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise Killed  # the answer is written (in the open transaction) and the process dies before replying

    monkeypatch.setattr(RecordingRequest, "_enqueue", die)
    sim.deliver(sim.typed("khtc", "Câu trả lời thứ hai", 602))
    try:
        await sim.process()
    except Killed:
        pass
    monkeypatch.setattr(RecordingRequest, "_enqueue", original)
    with sim.db.session() as session:  # nothing of the half-done update survived, not even its claim
        assert session.exec(select(InboxUpdate.state).where(InboxUpdate.external_key == "602")).one() == "pending"
        assert session.exec(select(OutboxMessage).where(OutboxMessage.state == "pending")).all() == []
    await sim.restart()
    assert await sim.process() == 1
    texts = replies_to(sim, "khtc")
    assert len(texts) == 3 and "Câu 2/17" in texts[-1], texts  # one reply per update, none doubled
    with sim.db.session() as session:
        values = [a.value for a in session.exec(select(ReportAnswer)).all()]
    assert values.count("Câu trả lời đầu tiên") == 1


def _queue(db, rows: list[tuple[str, int]]) -> None:
    outbox = Outbox(db)
    with db.session() as session:
        for chat, level in rows:
            outbox.enqueue(session, channel="test", chat_key=chat, method="sendMessage",
                           params={"chat_id": chat, "text": f"{level}"}, files=None, priority=level,
                           resend=True, inbox_id=None)


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Wait for a background sender to get where `condition` says (never a fixed sleep); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.005)


def states_by_chat(db) -> dict[str, str]:  # noqa: ANN001
    with db.session() as session:
        return dict(session.exec(select(OutboxMessage.chat_key, OutboxMessage.state)).all())


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[float, int, str]] = []

    async def send(self, out) -> SendResult:  # noqa: ANN001
        self.sent.append((time.monotonic(), out.id, out.chat_key))  # when the request leaves
        await asyncio.sleep(0.02)  # the round trip
        return SendResult(Outcome.SENT)


async def test_reply_goes_before_a_running_fan_out(db):
    """A reply queued while 1,000 reminders wait goes out next: only the calls already booked go before it."""
    policy = ChannelPolicy("test", rate=50.0, hard_limit=55, per_chat=1.0, per_group=3.0)
    _queue(db, [(str(20_000 + i), BULK) for i in range(1000)])
    recorder = Recorder()
    sender = Sender(db, policy, recorder.send, "solo", max_in_flight=4)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    while len(recorder.sent) < 20:
        await asyncio.sleep(0.01)
    _queue(db, [("1003", REPLY)])
    asked, before = time.monotonic(), len(recorder.sent)
    sender.wake()
    while "1003" not in {chat for _t, _i, chat in recorder.sent}:
        await asyncio.sleep(0.005)
    position = next(k for k, (_t, _i, chat) in enumerate(recorder.sent) if chat == "1003")
    answered = recorder.sent[position][0]
    stop.set()
    await task
    assert position - before <= sender.max_in_flight + 1, position - before  # booked ones, then the reply
    assert answered - asked < 0.4, answered - asked  # 980 reminders queued ahead would take 20 s


class Stuck:
    """A channel whose requests never come back (the process dies while they are in flight)."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, out) -> SendResult:  # noqa: ANN001
        self.sent.append(out.id)
        await asyncio.Event().wait()
        return SendResult(Outcome.SENT)


async def _die(sender: Sender, task: asyncio.Task) -> None:
    """SIGKILL: the loop and every call it has started stop where they are; nothing is recorded or handed over."""
    for each in [task, *sender.tasks]:
        each.cancel()
    await asyncio.gather(task, *sender.tasks, return_exceptions=True)


@pytest.mark.slow
async def test_sender_killed_mid_call_neither_loses_nor_doubles(db):
    """Killed with one call on the wire and one waiting for the budget: after the restart the first is taken as
    sent ("unknown", never resent: no double) and the second, never marked, goes out once (not lost)."""
    policy = ChannelPolicy("test", rate=50.0, hard_limit=55, per_chat=1.0, per_group=3.0)
    _queue(db, [("4001", REPLY), ("4002", REPLY)])
    stuck = Stuck()
    first = Sender(db, policy, stuck.send, "first", lease_seconds=2.0)
    gate = first.budget.gate

    async def held(chat_key: str, free: bool, level: int) -> None:  # the second call waits for the budget
        if chat_key == "4002":
            await asyncio.Event().wait()
        await gate(chat_key, free, level)

    first.budget.gate = held
    task = asyncio.create_task(first.run(asyncio.Event()))
    deadline = time.monotonic() + 10
    while (not stuck.sent or len(first.in_flight) < 2) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await _die(first, task)
    with db.session() as session:
        states = dict(session.exec(select(OutboxMessage.chat_key, OutboxMessage.state)).all())
    assert states == {"4001": "sending", "4002": "pending"}  # marked only once nothing was left to wait for
    recorder = Recorder()
    second = Sender(db, policy, recorder.send, "second", lease_seconds=2.0)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    # Both rows final: the one in doubt settled as "unknown" (so it can never be picked again), the other sent.
    await until(lambda: states_by_chat(db) == {"4001": "unknown", "4002": "sent"}, "both rows are final")
    stop.set()
    await task
    assert [chat for _t, _i, chat in recorder.sent] == ["4002"]


async def test_a_429_goes_back_in_order_and_outcomes_reach_their_hooks(db):
    """A 429 is recorded at once (the row is pending again before the chat's next row may go); final outcomes
    are recorded in batches, each told to its hook, and a failing hook does not keep rows in "sending"."""
    policy = ChannelPolicy("test", rate=50.0, hard_limit=55, per_chat=0.05, per_group=0.05)
    outbox = Outbox(db)
    with db.session() as session:
        for n, ref in enumerate(["reminder:1", "reminder:2", "bad:3"]):
            outbox.enqueue(session, channel="test", chat_key="5001", method="sendMessage",
                           params={"chat_id": "5001", "text": str(n)}, files=None, priority=REPLY, resend=True,
                           inbox_id=None, ref=ref)
    calls: list[str] = []
    told: list[tuple[str, Outcome]] = []

    async def send(out) -> SendResult:  # noqa: ANN001
        calls.append(out.params["text"])
        if calls == ["0"]:
            return SendResult(Outcome.RETRY, retry_after=0.2)
        return SendResult(Outcome.SENT, message_id=100 + len(calls))

    def on_outcome(ref: str, outcome: Outcome, _error: str) -> None:
        if ref.startswith("bad"):
            raise RuntimeError("a hook that fails")
        told.append((ref, outcome))

    sender = Sender(db, policy, send, "solo", on_outcome=on_outcome)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await until(lambda: len(calls) >= 4 and len(told) >= 2 and set(states_by_chat(db).values()) == {"sent"},
                "every row is recorded and told")
    stop.set()
    await task
    assert calls == ["0", "0", "1", "2"]  # the refused one again first: the chat's order holds
    assert told == [("reminder:1", Outcome.SENT), ("reminder:2", Outcome.SENT)]
    with db.session() as session:
        assert set(session.exec(select(OutboxMessage.state)).all()) == {"sent"}


async def test_two_senders_share_one_budget_and_a_takeover_loses_nothing(db):
    policy = ChannelPolicy("test", rate=20.0, hard_limit=22, per_chat=1.0, per_group=3.0)
    chats = [str(3000 + i) for i in range(15)]
    _queue(db, [(chat, REPLY) for _round in range(6) for chat in chats])  # 90 messages
    recorder = Recorder()
    first = Sender(db, policy, recorder.send, "one", lease_seconds=2.0)
    second = Sender(db, policy, recorder.send, "two", lease_seconds=2.0)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(first.run(stop)), asyncio.create_task(second.run(stop))]
    while len(recorder.sent) < 30:
        await asyncio.sleep(0.01)
    leader = tasks[0] if first.lease.valid() else tasks[1]
    leader.cancel()  # the sending process dies: the other takes over when the lease runs out
    deadline = time.monotonic() + 30
    while len(recorder.sent) < 90 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    ids = Counter(i for _t, i, _c in recorder.sent)
    assert len(ids) == 90 and max(ids.values()) == 1  # none lost, none doubled
    times = sorted(t for t, _i, _c in recorder.sent)
    assert max(sum(1 for u in times[k:] if u - t < 1.0) for k, t in enumerate(times)) <= policy.hard_limit
    by_chat: dict[str, list[float]] = defaultdict(list)
    for t, _i, chat in recorder.sent:
        by_chat[chat].append(t)
    gaps = [b - a for ts in by_chat.values() for a, b in zip(sorted(ts), sorted(ts)[1:])]
    assert min(gaps) >= policy.per_chat - 0.05, min(gaps)
    with db.session() as session:
        states = dict(session.exec(select(OutboxMessage.id, OutboxMessage.state)).all())
    # The dead sender's calls in flight (and those sent but not yet recorded) are "in doubt: sent", never resent.
    assert set(states.values()) <= {"sent", "unknown"}
    assert {i for i, state in states.items() if state == "unknown"} <= set(ids)


async def test_a_takeover_holds_only_the_chats_the_dead_sender_just_wrote_to(db):
    """The new holder starts half a second after the lease runs out; a chat the last holder wrote to waits its own
    interval from the takeover (a group's 3 s here), the others go at once (all of them waited 3 s before)."""
    policy = ChannelPolicy("test", rate=20.0, hard_limit=22, per_chat=1.0, per_group=3.0)
    _queue(db, [("-100", REPLY), ("1", REPLY)])
    recorder = Recorder()
    stop = asyncio.Event()
    first = asyncio.create_task(Sender(db, policy, recorder.send, "one", lease_seconds=2.0).run(stop))
    await until(lambda: set(states_by_chat(db).values()) == {"sent"}, "both are answered and recorded")
    first.cancel()  # the sending process dies
    died = time.monotonic()
    _queue(db, [("-100", REPLY), ("2", REPLY)])
    second = asyncio.create_task(Sender(db, policy, recorder.send, "two", lease_seconds=2.0).run(stop))
    while len(recorder.sent) < 4 and time.monotonic() - died < 15:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(first, second, return_exceptions=True)
    at = {chat: [t for t, _i, c in recorder.sent if c == chat] for chat in ("-100", "1", "2")}
    assert len(at["-100"]) == 2 and len(at["2"]) == 1
    assert at["-100"][1] - at["-100"][0] >= policy.per_group
    # The lease (2 s, renewed every second) ran out at most 2 s after the death; then a poll, then the margin.
    assert at["2"][0] - died < 2.0 + 1.0 + 0.5 + 0.4, at["2"][0] - died


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
def test_only_an_updates_own_transaction_commits_without_waiting_for_the_disk(db, channel):
    """PostgreSQL: the claim relaxes `synchronous_commit` for the update's transaction alone; the store that lets
    the update be confirmed, and the sender's mark before a call leaves, still wait for their commit to be on disk
    (and the mark's flush carries the update's transaction with it)."""
    from sqlalchemy import text

    from bot.transport.inbox import InboundUpdate

    if db.is_sqlite:
        pytest.skip("PostgreSQL's setting")
    inbox, outbox = Inbox(db), Outbox(db)
    assert inbox.store(InboundUpdate(channel, "1", 1, "5", "{}"))
    with db.unit_of_work() as session:
        assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        assert inbox.claim_in(session, channel) is not None
        assert session.execute(text("SHOW synchronous_commit")).scalar() == "off"
        _queue(db, [("5", REPLY)])
    for _ in range(3):  # every pooled connection is back to the server's default
        with db.engine.begin() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
    with db.storing() as connection:
        assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
    assert outbox.take(outbox.pending("test")[0]) is not None


def test_start_skips_migrating_a_database_already_at_head(tmp_path):
    from storage.db import Database

    database = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert not database._at_head()
    database.upgrade()
    assert database._at_head()  # the next start reads one row instead of loading Alembic
    database.dispose()


async def test_a_reply_passes_the_budget_gate_before_a_reminder_waiting_there():
    """When the sliding second is full, the call of better priority gets the next departure, whatever came first."""
    from bot.transport.sender import Budget

    budget = Budget(ChannelPolicy("test", rate=50.0, hard_limit=2, per_chat=1.0, per_group=3.0))
    for chat in ("a", "b"):  # the second is full: two departures (the limit is hard_limit)
        await budget.gate(chat, False, BULK)
        budget.landed(budget.stamp(chat, False))
    order: list[str] = []

    async def leave(chat: str, level: int) -> None:
        await budget.gate(chat, False, level)
        order.append(chat)
        budget.landed(budget.stamp(chat, False))

    reminder = asyncio.create_task(leave("reminder", BULK))
    await asyncio.sleep(0.05)
    reply = asyncio.create_task(leave("reply", REPLY))
    await asyncio.gather(reminder, reply)
    assert order == ["reply", "reminder"]


class FakeClock:
    def __init__(self, at: float = 1000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


TELEGRAM_LIKE = ChannelPolicy("test", rate=28.0, hard_limit=30, per_chat=1.1, per_group=3.1, window=1.05,
                              chat_429=True)


def _left(budget, chat: str):  # noqa: ANN001, ANN202
    """One call through the gate (which has room: no waiting) and out, answered at once."""
    assert budget.fits()
    budget.reserved += 1
    departure = budget.stamp(chat, False)
    budget.landed(departure)
    return departure


def _row(row_id: int, chat: str, priority: int = REPLY):  # noqa: ANN202
    from bot.transport.outbox import Outgoing

    return Outgoing(row_id, "test", chat, "sendMessage", {}, {}, priority, True, 0)


def test_the_sliding_window_keeps_its_margin_against_jitter():
    """Never more than `hard_limit` (30) departures within `window` (1.05 s): the next one waits until the oldest
    is that old, so the channel cannot count 31 in its one second unless arrivals bunch by more than 50 ms."""
    from bot.transport.sender import Budget

    clock = FakeClock()
    budget = Budget(TELEGRAM_LIKE, now=clock)
    for n in range(30):
        clock.at = 1000.0 + n * 0.03
        _left(budget, f"c{n}")
    clock.at = 1000.0 + 1.04  # a second and a bit after the first: still within the window
    assert not budget.fits()
    clock.at = 1000.0 + 1.051
    assert budget.fits()


def test_a_429_in_a_chat_that_just_had_a_message_holds_only_that_chat(db):
    """Telegram's one-message-per-second in a chat: its 429 holds that chat's rows; every other chat keeps the
    pace (no pause, no slowing)."""
    clock = FakeClock()
    sender = Sender(db, TELEGRAM_LIKE, Recorder().send, "solo")
    sender.budget.now = clock
    _left(sender.budget, "A")
    clock.at += 1.2
    departure = _left(sender.budget, "A")
    assert (departure.at, departure.previous) == (clock.at, clock.at - 1.2)
    clock.at += 0.1  # the answer: 429, retry after 1 s
    sender._refused(_row(1, "A"), SendResult(Outcome.RETRY, retry_after=1.0), departure)
    assert sender.budget.paused_until == 0.0 and sender.budget.interval == 1 / 28.0
    assert sender.budget.chat_ready("A") >= clock.at + 1.0
    later, other = _row(2, "A"), _row(3, "B")
    clock.at += 0.5
    assert sender._pick([later, other]) is other  # A waits, B goes
    clock.at += 0.6
    assert sender._pick([later, other]) is later  # A's hold is over


def test_a_429_nothing_in_the_chat_explains_pauses_every_chat_and_the_pace_recovers(db):
    from bot.transport.sender import Budget

    clock = FakeClock()
    sender = Sender(db, TELEGRAM_LIKE, Recorder().send, "solo")
    sender.budget.now = clock
    departure = _left(sender.budget, "fresh")  # a reminder to a chat with no message before it
    clock.at += 0.1
    sender._refused(_row(1, "fresh", BULK), SendResult(Outcome.RETRY, retry_after=2.0), departure)
    assert sender.budget.paused_until == clock.at + 2.0
    assert sender.budget.interval > sender.budget.base_interval
    assert sender.rate_limited == 1

    async def book() -> None:
        await sender.budget.take("other", False)

    clock.at += Budget.RECOVER_AFTER + 3.0
    asyncio.run(book())  # a minute without another bot-wide 429: the policy's pace again
    assert sender.budget.interval == sender.budget.base_interval
    # Two chats refused within the window: whatever each chat's history, the bot-wide limit is the likelier one.
    budget = Budget(TELEGRAM_LIKE, now=clock)
    for chat in ("A", "B"):
        _left(budget, chat)
    clock.at += 1.2
    first, second = _left(budget, "A"), _left(budget, "B")
    assert not budget.refused("A", 1.0, first)
    assert budget.refused("B", 1.0, second) and budget.paused_until == clock.at + 1.0
    assert (second.at, second.previous) == (clock.at, clock.at - 1.2)


def test_a_zalo_429_always_pauses_the_whole_channel(db):
    """Zalo's 429 is the bot's quota, never one chat's limit: even in a chat that just had a message, it pauses all."""
    from bot.transport.policy import ZALO
    from bot.transport.sender import Budget

    clock = FakeClock()
    budget = Budget(ZALO, now=clock)
    _left(budget, "z1")
    clock.at += 1.1
    departure = _left(budget, "z1")
    assert budget.refused("z1", 3600.0, departure)
    assert budget.paused_until == clock.at + 3600.0


def test_a_group_429_holds_the_group_for_its_retry_time():
    """Groups (20 per minute): a 429 right after the group's last post holds that group only."""
    from bot.transport.sender import Budget

    clock = FakeClock()
    budget = Budget(TELEGRAM_LIKE, now=clock)
    _left(budget, "-100")
    clock.at += 3.2
    departure = _left(budget, "-100")
    clock.at += 0.1
    assert not budget.refused("-100", 20.0, departure)
    assert budget.chat_ready("-100") == clock.at + 20.0 and budget.paused_until == 0.0


def test_a_call_that_left_late_counts_in_the_window_from_when_it_may_have_arrived():
    """A stall between the stamp and the request leaving bunches arrivals: a call whose round trip took longer
    than the quickest counts in the window that much later, and a call still in flight counts whatever its age."""
    from bot.transport.sender import Budget

    clock = FakeClock()
    budget = Budget(ChannelPolicy("test", rate=50.0, hard_limit=2, per_chat=1.0, per_group=3.0, window=1.0),
                    now=clock)
    budget.reserved += 1
    quick = budget.stamp("a", False)
    clock.at += 0.1
    budget.landed(quick)  # the quickest round trip: 0.1 s
    budget.reserved += 1
    slow = budget.stamp("b", False)
    clock.at += 0.4
    budget.landed(slow)  # 0.4 s: it may have reached the channel 0.3 s after it was stamped
    assert slow.counts_from == slow.at + 0.3
    clock.at = quick.at + 1.01
    assert budget.fits()  # the quick one is out of the window
    budget.reserved += 1
    budget.stamp("c", False)  # flying
    clock.at = slow.at + 1.2  # a plain stamp-based window would have let the slow one go
    assert not budget.fits()
    clock.at = slow.at + 1.31
    assert budget.fits()  # the slow one is out; "c" still counts
    budget.reserved += 1
    clock.at += 5.0
    assert not budget.fits()  # "c" is still in flight (and counts, however old) beside a reservation


def test_a_call_refused_at_once_does_not_pass_for_the_quickest_round_trip():
    from bot.transport.sender import Budget

    clock = FakeClock()
    budget = Budget(TELEGRAM_LIKE, now=clock)
    for answered, trip in ((True, 0.1), (False, 0.001), (True, 0.15)):
        budget.reserved += 1
        departure = budget.stamp("a", False)
        clock.at += trip
        budget.landed(departure, answered)
    assert abs(min(budget.round_trips) - 0.1) < 1e-9
    assert abs(departure.counts_from - (departure.at + 0.05)) < 1e-9


async def test_a_stop_during_an_hour_long_quota_pause_returns_at_once(db):
    """Zalo's quota 429 pauses its sender for an hour; a shutdown then must not wait that hour (seen as a test
    that hung under load: the picker slept in `take` until the pause ended)."""
    from bot.transport.policy import ZALO

    _queue(db, [(str(40_000 + i), REPLY) for i in range(40)])
    refused: list[int] = []

    async def send(out) -> SendResult:  # noqa: ANN001
        refused.append(out.id)
        return SendResult(Outcome.RETRY, retry_after=3600.0, error="monthly quota reached")

    sender = Sender(db, ChannelPolicy("test", rate=ZALO.rate, hard_limit=ZALO.hard_limit, per_chat=ZALO.per_chat,
                                      per_group=ZALO.per_group, window=ZALO.window), send, "solo")
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    # The calls already under way have come back and the channel is paused for an hour: nothing more is picked.
    await until(lambda: refused and not sender.in_flight and sender.budget.paused_until > sender.budget.now() + 3000,
                "the channel is paused with nothing in flight")
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert len(refused) <= sender.max_in_flight < 40  # only calls already under way when the 429 came
