"""The pauses each place waits after failures in a row, pinned as tables (attempt -> seconds): the outbox sender's
refused connection and Zalo's 429, a live part of the process that fails (`keep_up`), and Zalo's long polling.
They were four hand-written doublings; they are one rule now (`bot.transport.backoff.Backoff`), each place with
its own first and longest pause, and these tables are what each place waited before."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.channels.zalo.api import ZaloBotApi, ZaloNetworkError, ZaloUnauthorized
from bot.channels.zalo.polling import poll
from bot.transport import keepup
from bot.transport.backoff import Backoff
from bot.transport.keepup import ChannelHealth, Part, keep_up
from bot.transport.outbox import Outgoing
from bot.transport.policy import TELEGRAM, ZALO
from bot.transport.results import Outcome, SendResult
from bot.transport.sender import TRANSIENT_TRIES, Budget, Sender


class FakeOutbox:
    def __init__(self) -> None:
        self.later: list[float] = []
        self.finished: list[str] = []

    def retry_later(self, row_id: int, after: float, error: str = "") -> None:
        self.later.append(after)

    def finish(self, row_id: int, state: str, error: str = "") -> None:
        self.finished.append(state)


def sender_for(policy) -> tuple[Sender, FakeOutbox]:  # noqa: ANN001
    async def send(_row):  # noqa: ANN001, ANN202
        raise AssertionError("not sent in these tests")

    sender = Sender(None, policy, send, "pinned")  # the database is never reached: the outbox is a fake
    sender.outbox = FakeOutbox()
    return sender, sender.outbox


def row(attempts: int) -> Outgoing:
    """`attempts`: how often the call was tried before this try (the row read before `take` counted it)."""
    return Outgoing(1, "zalo", "z1", "sendMessage", {}, {}, 1, False, attempts)


# A refused connection (TRANSIENT): tried again after 1, 2, 4 ... s, at most 300 s, 300 tries (about a day).
TRANSIENT_TABLE = {0: 1.0, 1: 2.0, 2: 4.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0, 7: 128.0, 8: 256.0, 9: 300.0,
                   10: 300.0, 100: 300.0, 299: 300.0}


@pytest.mark.parametrize(("attempts", "pause"), sorted(TRANSIENT_TABLE.items()))
def test_a_refused_connection_is_tried_again_after_a_doubling_pause(attempts, pause):
    sender, outbox = sender_for(ZALO)
    sender._record(row(attempts), SendResult(Outcome.TRANSIENT, error="ConnectError"))
    assert outbox.later == [pause] and outbox.finished == []


def test_a_refused_connection_is_given_up_after_about_a_day_of_tries():
    sender, outbox = sender_for(ZALO)
    sender._record(row(TRANSIENT_TRIES), SendResult(Outcome.TRANSIENT, error="ConnectError"))
    assert outbox.later == [] and outbox.finished == ["failed"]
    waited = sum(TRANSIENT_TABLE.get(n, 300.0) for n in range(TRANSIENT_TRIES))
    assert 86_000 < waited < 88_000  # seconds: about a day


@pytest.mark.parametrize(("retry_after", "pause"), [(0.0, 1.0), (0.3, 1.0), (1.0, 1.0), (5.0, 5.0), (30.0, 30.0),
                                                    (3600.0, 3600.0)])
def test_a_429_row_waits_its_retry_time_and_at_least_a_second(retry_after, pause):
    sender, outbox = sender_for(TELEGRAM)
    sender._record(row(0), SendResult(Outcome.RETRY, retry_after=retry_after))
    assert outbox.later == [pause]


class Clock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def zalo_sender() -> tuple[Sender, Clock]:
    clock = Clock()
    sender, _outbox = sender_for(ZALO)
    sender.budget = Budget(ZALO, now=clock)
    return sender, clock


def refused_probe(sender: Sender, retry_after: float = 30.0) -> float:
    """A 429 answering the first call after a pause, as `Sender._one` handles it: lengthened, then the pause."""
    result = sender._lengthen(SendResult(Outcome.RETRY, retry_after=retry_after))
    sender._refused(row(0), result, None)
    return result.retry_after


# Zalo's 429 (no retry time; `zalo.QUOTA_PAUSE` = 30 s): each refused probe doubles the channel's pause, up to
# `ChannelPolicy.longest_pause` (30 min).
ZALO_429_TABLE = [30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1800.0, 1800.0, 1800.0]


def test_a_zalo_429_starts_with_thirty_seconds_as_python_telegram_bot_is_told():
    from bot.channels.zalo.request import QUOTA_RETRY_AFTER
    from bot.transport.zalo import outcome_of

    result = outcome_of(429, b'{"description": "Quota exceeded"}')
    assert (result.outcome, result.retry_after) == (Outcome.RETRY, 30.0) and QUOTA_RETRY_AFTER == 30


def test_zalo_429s_in_a_row_double_the_channels_pause_up_to_half_an_hour():
    sender, clock = zalo_sender()
    pauses = []
    for _ in ZALO_429_TABLE:
        pauses.append(refused_probe(sender))
        assert sender.budget.paused_until == clock.at + pauses[-1]
        clock.at = sender.budget.paused_until  # the pause is over: the next call is a probe
    assert pauses == ZALO_429_TABLE and sender.refusals_in_row == len(ZALO_429_TABLE)


def test_zalo_429s_of_calls_already_in_flight_count_once_and_a_sent_call_starts_again():
    sender, clock = zalo_sender()
    assert refused_probe(sender) == 30.0
    clock.at += 1.0  # still paused: two calls that had left before the pause are refused too
    assert [refused_probe(sender), refused_probe(sender)] == [30.0, 30.0]
    clock.at = sender.budget.paused_until
    assert refused_probe(sender) == 60.0
    sender.refusals_in_row = 0  # what `Sender._one` does when a call is sent
    clock.at = sender.budget.paused_until
    assert refused_probe(sender) == 30.0


def test_a_published_retry_time_is_never_shortened_by_the_longest_pause():
    sender, _clock = zalo_sender()
    assert refused_probe(sender, retry_after=7200.0) == 7200.0


def test_a_telegram_429_keeps_its_own_retry_time():
    sender, outbox = sender_for(TELEGRAM)
    for _ in range(3):
        assert sender._lengthen(SendResult(Outcome.RETRY, retry_after=3.0)).retry_after == 3.0
    assert sender.refusals_in_row == 0


# A part of the live process (a receiver, a webhook registration): 1, 2, 4 ... s after failures in a row, at
# most 5 min; a refused token waits the longest at once (and stays there); a part that ran a minute before it
# failed starts again from the first pause; a loop that ended by itself waits the pause the next failure would.
async def run_part(script: list[str], part_kwargs: dict | None = None) -> list[float]:
    """`script`: what each start does: "down" fails at once, "token" is a refused token, "healthy" fails after
    running a minute, "ended" returns by itself; the part is stopped after the script."""
    stop, clock, pauses = asyncio.Event(), Clock(), []
    steps = iter(script)

    async def start() -> None:
        step = next(steps, None)
        if step is None:
            stop.set()
        elif step == "down":
            raise ZaloNetworkError("getUpdates", None, "ConnectError")
        elif step == "token":
            raise ZaloUnauthorized("getUpdates", 401, "Unauthorized")
        elif step == "healthy":
            clock.at += keepup.HEALTHY_AFTER
            raise ZaloNetworkError("getUpdates", None, "ConnectError")

    async def sleep_or(_stop: asyncio.Event, seconds: float) -> None:
        pauses.append(seconds)

    part = Part("Zalo polling", start, ChannelHealth("zalo"), **(part_kwargs or {}))
    original, keepup._sleep_or = keepup._sleep_or, sleep_or
    try:
        await asyncio.wait_for(keep_up(part, stop, clock=clock), 5)
    finally:
        keepup._sleep_or = original
    return pauses


async def test_a_failing_part_waits_a_doubling_pause_up_to_five_minutes():
    pauses = await run_part(["down"] * 12)
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0, 300.0]


async def test_a_refused_token_waits_longest_and_a_healthy_run_starts_again_from_the_first_pause():
    pauses = await run_part(["down", "down", "token", "down", "healthy", "down", "ended", "down"])
    assert pauses == [1.0, 2.0, 300.0, 300.0, 1.0, 2.0, 4.0, 4.0]


async def test_a_loop_that_ends_by_itself_waits_the_first_pause_and_does_not_lengthen_it():
    assert await run_part(["ended", "ended", "down", "ended"]) == [1.0, 1.0, 1.0, 2.0]


async def test_a_part_with_its_own_pauses():
    pauses = await run_part(["down"] * 4, {"backoff": Backoff(0.5, 3.0)})
    assert pauses == [0.5, 1.0, 2.0, 3.0]


# Zalo's long polling: getUpdates failing (an HTTP 500, no answer) waits 1, 2, 4 ... s, at most 30 s, and a
# success starts again from 1 s.
async def test_zalo_polling_waits_a_doubling_pause_up_to_thirty_seconds():
    stop, pauses, calls = asyncio.Event(), [], []
    answers = ["busy"] * 8 + ["ok"] + ["busy"] * 2 + ["token"]

    def flaky(request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        if method == "deleteWebhook":
            return httpx.Response(200, json={"ok": True, "result": {"url": ""}})
        calls.append(method)
        answer = answers[len(calls) - 1]
        if answer == "ok":
            return httpx.Response(200, json={"ok": True, "result": []})
        if answer == "token":
            return httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"})
        return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "busy"})

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    async def handle(update: dict) -> None:
        raise AssertionError("no update expected")

    async with ZaloBotApi("1:t", "https://zalo.test", transport=httpx.MockTransport(flaky)) as api:
        with pytest.raises(ZaloUnauthorized):
            await poll(api, handle, stop, timeout=1, sleep=sleep, min_interval=0)
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 1.0, 2.0]


# The rule itself -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "longest"), [(1.0, 300.0), (30.0, 1800.0), (1.0, 30.0), (0.01, 0.03), (0.5, 3.0),
                                                (1.0, 0.5), (0.0, 10.0)])
def test_the_two_forms_of_the_rule_agree(first, longest):
    backoff, previous = Backoff(first, longest), 0.0
    for failures in range(1, 40):
        previous = backoff.after(previous)
        assert backoff.pause(failures) == previous
    assert backoff.pause(0) == backoff.pause(1)


def test_a_month_of_refusals_in_a_row_stays_at_the_longest_pause():
    """The old `retry_after * 2 ** (n - 1)` raised OverflowError past 1,024 refusals in a row (three weeks of
    half-hour pauses), inside the sender's call task."""
    assert Backoff(30.0, 1800.0).pause(1500) == 1800.0
    assert Backoff(1.0, 300.0).pause(10**9) == 300.0
