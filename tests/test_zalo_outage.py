"""A Zalo outage never stops Telegram: the live process (`Runtime.run`) with Zalo unreachable while polling, or
answering HTTP 500 to setWebhook, keeps answering on Telegram; each part retries with back-off; the Office is told
once (through the outbox, on Telegram) when a channel stays down, and when it is back."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import httpx
from pydantic import SecretStr

from bot.channels.zalo.api import ZaloNetworkError, ZaloUnauthorized
from bot.config import Settings
from bot.i18n import I18n
from bot.services import build_services
from bot.simulator.fake_api import FakeBotApi
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi
from bot.transport.backoff import Backoff
from bot.transport.keepup import ChannelHealth, OfficeAlarm, Part, keep_up, reason_of
from bot.transport.outbox import Outbox
from bot.transport.runtime import Runtime
from bot.transport.zalo import ZaloSide

SECRET = "a-good-zalo-secret"
STRANGER = 5550001


class PollingTelegram(FakeBotApi):
    """The Telegram stand-in with a getUpdates that hands out queued updates once and otherwise waits a little."""

    def __init__(self) -> None:
        super().__init__()
        self.queued: list[dict] = []

    async def do_request(self, url, method, request_data=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        if url.endswith("/getUpdates"):
            updates, self.queued = self.queued, []
            if not updates:
                await asyncio.sleep(0.05)
            return 200, json.dumps({"ok": True, "result": updates}).encode()
        return await super().do_request(url, method, request_data, **kwargs)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_update() -> dict:
    return {"update_id": 1, "message": {
        "message_id": 1, "date": 1790000000, "chat": {"id": STRANGER, "type": "private"},
        "from": {"id": STRANGER, "is_bot": False, "first_name": "Khách"}, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


def live(tmp_path, db, clock, **values) -> tuple[Runtime, PollingTelegram]:
    configured = Settings(_env_file=None, telegram_bot_token="123:abc", data_dir=tmp_path, database_url="",
                          zalo_bot_token=SecretStr(TOKEN), update_workers=1, **values)
    services = build_services(configured, db, clock)
    services.org.load_file(configured.organization_file)
    runtime = Runtime(configured, services, I18n())
    telegram = PollingTelegram()
    telegram.queued.append(start_update())
    runtime._request = lambda pool=8: telegram
    return runtime, telegram


async def answered_on_telegram(telegram: PollingTelegram, task: asyncio.Task, seconds: float = 20.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if any(m.chat_id == STRANGER for m in telegram.outbox):
            return True
        assert not task.done(), task.exception() if task.done() else None
        await asyncio.sleep(0.05)
    return False


async def test_zalo_unreachable_while_polling_leaves_telegram_serving(tmp_path, db, clock, caplog):
    runtime, telegram = live(tmp_path, db, clock, zalo_api_base_url=f"http://127.0.0.1:{closed_port()}")
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING)
    task = asyncio.create_task(runtime.run(webhook=False, stop=stop))
    try:
        assert await answered_on_telegram(telegram, task)
        await asyncio.sleep(1.5)  # Zalo has failed and backed off meanwhile; the process is still up
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert str(STRANGER) in next(m.text for m in telegram.outbox if m.chat_id == STRANGER)  # the stranger notice
    assert any("Zalo deleteWebhook failed" in r.getMessage() for r in caplog.records)


async def test_one_http_500_to_set_webhook_is_retried_and_telegram_serves_meanwhile(tmp_path, db, clock, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime, telegram = live(tmp_path, db, clock, zalo_webhook_url="https://bot.example.vn",
                             zalo_webhook_secret=SecretStr(SECRET), webhook_listen="127.0.0.1", webhook_port=port)
    fake, refused = ZaloFakeApi(), []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/setWebhook") and not refused:
            refused.append(request)
            return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "Internal error"})
        return fake.transport().handle_request(request)

    runtime.zalo = ZaloSide.from_settings(runtime.settings, db, clock, I18n(), transport=httpx.MockTransport(handle))
    stop = asyncio.Event()
    caplog.set_level(logging.ERROR)
    task = asyncio.create_task(runtime.run(webhook=False, stop=stop))
    try:
        assert await answered_on_telegram(telegram, task)
        for _ in range(100):  # the second try comes a second after the first
            if fake.webhook_url:
                break
            await asyncio.sleep(0.05)
        assert refused and fake.webhook_url == "https://bot.example.vn/zalo" and not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert any("Zalo setWebhook failed" in r.getMessage() and "next try in 1 s" in r.getMessage()
               for r in caplog.records)


async def test_a_failing_part_is_retried_with_growing_pauses_and_a_refused_token_waits_longest():
    stop, failures = asyncio.Event(), []

    async def start() -> None:
        failures.append(1)
        if len(failures) <= 3:
            raise ZaloNetworkError("getUpdates", None, "ConnectError")
        stop.set()

    part = Part("Zalo polling", start, ChannelHealth("zalo"), backoff=Backoff(0.01, 0.03))
    await asyncio.wait_for(keep_up(part, stop), 5)
    assert part.tries == 4 and part.health.down_since is not None and part.health.reason == "unreachable"
    assert reason_of(ZaloUnauthorized("getMe", 401, "Unauthorized")) == "token"
    assert reason_of(RuntimeError("boom")) == "error"


async def test_the_office_is_told_once_on_the_other_channel_and_again_when_it_is_back(sim):
    services, outbox = sim.services, Outbox(sim.services.db)
    before = {row.id for row in outbox.pending("telegram", 1000)}
    targets = services.reminders.office_targets()
    health = ChannelHealth("zalo", OfficeAlarm(services, sim.app.bot_data.i18n), stay_down=0.0)
    await health.failed(ZaloNetworkError("getUpdates", None, "ConnectError"))
    await health.failed(ZaloNetworkError("getUpdates", None, "ConnectError"))  # the same outage: told once
    other = ChannelHealth("zalo", OfficeAlarm(services, sim.app.bot_data.i18n), stay_down=0.0)
    other.down_since = health.down_since  # another process, the same outage
    await other.failed(ZaloNetworkError("getUpdates", None, "ConnectError"))
    told = [row for row in outbox.pending("telegram", 1000) if row.id not in before]
    assert health.told and not other.told and len(told) == len(targets) > 0
    assert all("Kênh Zalo không hoạt động" in row.params["text"] for row in told)
    assert not outbox.pending("zalo", 1000)
    await health.ok()
    back = [row for row in outbox.pending("telegram", 1000) if row.id not in before][len(told):]
    assert len(back) == len(targets) and "hoạt động trở lại" in back[0].params["text"]


async def test_with_a_webhook_the_zalo_senders_calls_tell_whether_zalo_works():
    """By webhook the bot calls Zalo only to send: a send that finds no Zalo counts as the channel down (so a long
    outage is told to the Office), an accepted one as working again."""
    from bot.transport.keepup import watched
    from bot.transport.results import Outcome, SendResult

    answers = [SendResult(Outcome.TRANSIENT, error="Zalo unreachable: ConnectError"), SendResult(Outcome.SENT)]
    health = ChannelHealth("zalo")

    async def send(_out):  # noqa: ANN001, ANN202
        return answers.pop(0)

    checked = watched(send, health)
    assert (await checked(None)).outcome == Outcome.TRANSIENT
    assert health.down_since is not None and health.reason == "unreachable"
    assert (await checked(None)).outcome == Outcome.SENT and health.down_since is None
