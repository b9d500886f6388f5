"""Polling the stand-in: the webhook is removed first, updates are handed over in order, failures back off."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.channels.zalo.api import ZaloBotApi, ZaloUnauthorized
from bot.channels.zalo.polling import poll
from bot.transport.backoff import Backoff
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi

USER = "6ede9afa66b88fe6d6a9"


async def test_polling_hands_over_every_update_in_order():
    fake = ZaloFakeApi()
    fake.webhook_url, fake.webhook_secret = "https://bot.example.vn/zalo", "s3cret-value"
    for text in ("/start", "1", "xin chào"):
        fake.pending.append(fake.user_update(USER, text))
    stop, got = asyncio.Event(), []

    async def handle(update: dict) -> None:
        got.append(update["message"]["text"])
        if len(got) == 3:
            stop.set()

    async with ZaloBotApi(TOKEN, "https://zalo.test", transport=fake.transport()) as api:
        assert await poll(api, handle, stop, timeout=1) == 3
    assert got == ["/start", "1", "xin chào"] and fake.webhook_url == ""


async def test_failures_back_off_and_a_refused_token_stops():
    calls, pauses = [], []
    stop = asyncio.Event()

    def flaky(request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        calls.append(method)
        if method == "deleteWebhook":
            return httpx.Response(200, json={"ok": True, "result": {"url": ""}})
        if len(calls) <= 4:
            return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "busy"})
        return httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"})

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    async def handle(update: dict) -> None:
        raise AssertionError("no update expected")

    async with ZaloBotApi(TOKEN, "https://zalo.test", transport=httpx.MockTransport(flaky)) as api:
        with pytest.raises(ZaloUnauthorized):
            await poll(api, handle, stop, timeout=1, backoff=Backoff(1.0, 3.0), sleep=sleep, min_interval=0)
    assert pauses == [1.0, 2.0, 3.0]


async def test_a_getupdates_that_answers_at_once_is_polled_a_few_times_a_second_at_most():
    """The live API was measured answering at once with updates already handed out: a floor between calls, and a
    longer pause when an answer held nothing new, keep the loop from spinning (it made 133-153 calls a second)."""
    fake, now, stop = ZaloFakeApi(), [0.0], asyncio.Event()
    replay = fake.user_update(USER, "xin chào")
    seen: set[str] = set()
    polls: list[float] = []

    def instant(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/getUpdates"):
            polls.append(now[0])
            return httpx.Response(200, json={"ok": True, "result": replay})  # the same update, again and again
        return fake.transport().handle_request(request)

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        if now[0] >= 60:
            stop.set()

    async def handle(update: dict) -> bool:
        new = update["message"]["message_id"] not in seen
        seen.add(update["message"]["message_id"])
        return new

    async with ZaloBotApi(TOKEN, "https://zalo.test", transport=httpx.MockTransport(instant)) as api:
        await poll(api, handle, stop, timeout=1, sleep=sleep, clock=lambda: now[0])
    assert [method for method, _params in fake.calls] == ["deleteWebhook"] and len(seen) == 1
    assert 30 <= len(polls) <= 61  # one a second (nothing new each time), never 133-153 a second
    assert all(later - earlier >= 0.3 for earlier, later in zip(polls, polls[1:]))


async def test_webhook_deliveries_over_http_carry_the_secret_header():
    from bot.channels.zalo.updates import accept
    from bot.simulator.zalo_fake import http_sink

    seen = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        result = accept(request.headers, request.content, "s3cret-value")
        seen.append(result)
        return httpx.Response(result.status)

    fake = ZaloFakeApi()
    fake.answer(TOKEN, "setWebhook", {"url": "https://bot.example.vn/zalo", "secret_token": "s3cret-value"})
    fake.webhook_sink = http_sink("http://127.0.0.1:9/zalo", transport=httpx.MockTransport(endpoint))
    assert await fake.push(fake.user_update(USER, "/start")) == 200
    assert [m.text for m in seen[0].messages] == ["/start"]
    fake.webhook_secret = "not-the-secret"  # a forged delivery
    assert await fake.push(fake.user_update(USER, "1")) == 403 and len(seen[1].messages) == 0
