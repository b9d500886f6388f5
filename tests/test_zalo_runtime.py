"""The live process with Zalo: start-up checks, what runs with and without ZALO_BOT_TOKEN, how a Zalo send's
answer becomes a sender outcome, and the quota pause."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.channels.zalo.updates import photo_file_id
from bot.config import Settings
from bot.i18n import I18n
from bot.transport.results import Outcome
from bot.services import build_services
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi
from bot.transport.outbox import Outgoing
from bot.transport.policy import NOTIFY, REPLY
from bot.transport.runtime import Runtime
from bot.transport.zalo import ZaloSide, outcome_of, policy, zalo_send
from storage.models import OutboxMessage

SECRET = "a-good-zalo-secret"


def settings(tmp_path, **values) -> Settings:
    return Settings(_env_file=None, telegram_bot_token="123:abc", data_dir=tmp_path, database_url="", **values)


def test_zalo_start_up_needs_an_https_webhook_with_a_secret_and_https_file_links(tmp_path):
    token = {"zalo_bot_token": SecretStr(TOKEN)}
    assert settings(tmp_path, **token).startup_problems() == []  # no webhook URL: long polling
    problems = settings(tmp_path, **token, zalo_webhook_url="http://bot.example.vn",
                        zalo_webhook_secret=SecretStr(SECRET)).startup_problems()
    assert len(problems) == 1 and "HTTPS" in problems[0] and "phải là địa chỉ HTTPS" in problems[0]
    for secret in ("", "short", "x" * 257):
        problems = settings(tmp_path, **token, zalo_webhook_url="https://bot.example.vn",
                            zalo_webhook_secret=SecretStr(secret)).startup_problems()
        assert len(problems) == 1 and "ZALO_WEBHOOK_SECRET" in problems[0] and "8 to 256" in problems[0]
    assert settings(tmp_path, **token, zalo_webhook_url="https://bot.example.vn",
                    zalo_webhook_secret=SecretStr(SECRET)).startup_problems() == []
    problems = settings(tmp_path, **token, public_base_url="http://bot.example.vn").startup_problems()
    assert len(problems) == 1 and "PUBLIC_BASE_URL" in problems[0]
    assert settings(tmp_path, zalo_webhook_url="http://x").startup_problems() == []  # no token: Zalo is off


def test_a_telegram_only_run_has_no_zalo_part(tmp_path, db, clock):
    runtime = Runtime(settings(tmp_path), build_services(settings(tmp_path), db, clock), I18n())
    assert runtime.zalo is None and runtime.web_routes() == []
    assert len(runtime._processors(object(), "w")) == 1
    with_webhook = settings(tmp_path, webhook_url="https://bot.example.vn", webhook_secret="s" * 32)
    runtime = Runtime(with_webhook, build_services(with_webhook, db, clock), I18n())
    assert [route[0] for route in runtime.web_routes() if not route[0].startswith("/desk")] == ["/telegram"]


def test_with_zalo_the_process_serves_its_webhook_and_file_links(tmp_path, db, clock):
    configured = settings(tmp_path, zalo_bot_token=SecretStr(TOKEN), zalo_webhook_url="https://bot.example.vn",
                          zalo_webhook_secret=SecretStr(SECRET), public_base_url="https://bot.example.vn")
    runtime = Runtime(configured, build_services(configured, db, clock), I18n())
    assert runtime.zalo is not None and runtime.zalo.webhook_url == "https://bot.example.vn/zalo"
    assert [route[0] for route in runtime.web_routes() if not route[0].startswith("/desk")] == [
        "/zalo", r"/f/([A-Za-z0-9_-]+)/([^/]+)"]  # and the desk beside them (tests/test_desk_*.py)
    assert [p.channel for p in runtime._processors(object(), "w")] == ["telegram", "zalo"]
    polling = settings(tmp_path, zalo_bot_token=SecretStr(TOKEN), zalo_monthly_quota=2000, zalo_send_rate=50)
    runtime = Runtime(polling, build_services(polling, db, clock), I18n())
    assert not runtime.zalo.webhook and runtime.web_routes() == []  # polling, no file links
    assert (runtime.zalo.policy.monthly_quota, runtime.zalo.policy.text_limit) == (2000, 2000)
    assert runtime.zalo.policy.rate < runtime.zalo.policy.hard_limit  # never above the hard guard
    assert policy(settings(tmp_path)).monthly_quota is None  # 0 = unknown


@pytest.mark.parametrize(("status", "description", "outcome"), [
    (200, "", Outcome.SENT),
    (429, "Zalo quota: Quota exceeded", Outcome.RETRY),
    (403, "Forbidden: blocked", Outcome.BLOCKED),
    (403, "Forbidden: the user has blocked the bot", Outcome.BLOCKED),
    (403, "Forbidden: the user has not started a chat with the bot", Outcome.BLOCKED),
    (403, "Forbidden: Internal server error", Outcome.TRANSIENT),  # the documentation's own name for 403
    (403, "Forbidden: something else", Outcome.TRANSIENT),  # unclear: tried once more before a block
    (502, "Zalo unreachable: ConnectError", Outcome.TRANSIENT),
    (502, "Zalo unreachable: ReadTimeout", Outcome.IN_DOUBT),
    (400, "Bad Request: chat not found", Outcome.UNREACHABLE),
    (400, "Zalo refused: text too long", Outcome.FAILED),
    (401, "Zalo token refused", Outcome.FAILED),
])
def test_zalo_answers_become_sender_outcomes(status, description, outcome):
    body = json.dumps({"ok": status == 200, "result": {"message_id": 1}, "description": description}).encode()
    result = outcome_of(status, body)
    assert result.outcome == outcome
    if outcome == Outcome.RETRY:  # no published retry time nor meaning: a short pause, then a probe; never an hour
        assert 10 <= result.retry_after <= 60


@pytest.mark.parametrize(("description", "first", "again"), [
    ("Forbidden: the user has blocked the bot", Outcome.BLOCKED, Outcome.BLOCKED),
    ("Forbidden: Internal server error", Outcome.TRANSIENT, Outcome.TRANSIENT),
    ("Forbidden: Lỗi hệ thống, vui lòng thử lại", Outcome.TRANSIENT, Outcome.TRANSIENT),
    ("Forbidden: ", Outcome.TRANSIENT, Outcome.BLOCKED),
    ("Forbidden: not permitted", Outcome.TRANSIENT, Outcome.BLOCKED),
])
def test_a_403_is_a_block_only_when_it_says_so_or_comes_again(description, first, again):
    body = json.dumps({"ok": False, "error_code": 403, "description": description}).encode()
    assert outcome_of(403, body, attempts=0).outcome == first
    assert outcome_of(403, body, attempts=1).outcome == again


async def test_over_quota_the_send_is_retried_later_and_a_reply_records_its_menu_as_read(tmp_path, db, clock):
    fake = ZaloFakeApi(monthly_quota=1, now=lambda: clock.now().timestamp())
    fake.user_update("a1b2c3", "xin chào")
    configured = settings(tmp_path, zalo_bot_token=SecretStr(TOKEN))
    side = ZaloSide.from_settings(configured, db, clock, I18n(), transport=fake.transport())
    chat = side.addresses.address_for("zalo", "a1b2c3").synthetic_id
    request = side.request()
    send = zalo_send(request)
    markup = {"inline_keyboard": [[{"text": "Mở báo cáo", "callback_data": "rep:open:1"}]]}
    try:
        first = await send(Outgoing(1, "zalo", str(chat), "sendMessage",
                                    {"chat_id": chat, "text": "Báo cáo", "reply_markup": markup}, {}, REPLY, True, 0))
        second = await send(Outgoing(2, "zalo", str(chat), "sendMessage", {"chat_id": chat, "text": "Nhắc"}, {},
                                     NOTIFY, True, 0))
    finally:
        await request.shutdown()
    assert first.outcome == Outcome.SENT and fake.texts_to("a1b2c3")[0].endswith("Gõ số để chọn.")
    menu = side.menus.current(side.addresses.address_for("zalo", "a1b2c3").id)
    assert menu.choices == ("rep:open:1",) and menu.unread == 1  # a reply: the list the person is looking at
    assert second.outcome == Outcome.RETRY and second.retry_after <= 60 and len(fake.sent) == 1


async def test_the_repl_switches_a_persona_to_zalo_and_prints_what_zalo_shows(sim, tmp_path, capsys):
    import re

    from bot.simulator.repl import HELP, Repl
    from tests.status_samples import KHTC_ANSWERS, submit

    assert ":zalo / :telegram" in HELP and ":newzalo" in HELP
    submit(sim.services, "khtc", KHTC_ANSWERS)
    repl = Repl(sim, tmp_path / "out")
    await repl.handle(":newzalo la Người Lạ")
    await repl.handle("xin chào")
    out = capsys.readouterr().out
    assert "💬 Zalo → Người Lạ (la):" in out and "Tài khoản Zalo của đồng chí chưa được đăng ký" in out
    await repl.handle(":as vanthu")
    await repl.handle("/lienket")
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", capsys.readouterr().out).group(1)
    await repl.handle(":zalo")
    await repl.handle(code)
    await repl.handle("/xuatbaocao")
    out = capsys.readouterr().out
    assert "💬 Zalo → Lê Văn Hòa (vanthu):" in out and "Tài khoản Zalo này đã được liên kết" in out
    assert "0. Xuất báo cáo ngay" in out and "[1]" not in out  # numbered lines, no buttons
    await repl.handle("#0")
    out = capsys.readouterr().out
    assert 'Không gửi được tệp "BC-thi-dua-2026-Y.docx" qua Zalo' in out  # no PUBLIC_BASE_URL: where to get it
    sim.settings = sim.settings.model_copy(update={"public_base_url": "https://simulator.invalid"})
    await repl.handle(":restart")
    await repl.handle("/xuatbaocao")
    await repl.handle("#0")
    out = capsys.readouterr().out
    assert "https://simulator.invalid/f/" in out and "[tệp tải về / downloaded file]" in out
    assert (tmp_path / "out" / "BC-thi-dua-2026-Y.docx").read_bytes().startswith(b"PK")
    await repl.handle(":telegram")
    await repl.handle(":who")
    assert "vanthu" in capsys.readouterr().out


async def test_the_live_process_receives_on_zalo_processes_in_a_worker_thread_and_sends_on_zalo(tmp_path, db, clock):
    """The runtime's own pieces: the /zalo route stores, a worker thread processes, the Zalo sender replies."""
    import asyncio
    import threading

    import httpx
    import tornado.web
    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port

    from bot.simulator.fake_api import FakeBotApi
    from bot.simulator.zalo_fake import SECRET_HEADER

    configured = settings(tmp_path, zalo_bot_token=SecretStr(TOKEN), zalo_webhook_url="https://bot.example.vn",
                          zalo_webhook_secret=SecretStr(SECRET), update_workers=1)
    services = build_services(configured, db, clock)
    services.org.load_file(configured.organization_file)
    runtime = Runtime(configured, services, I18n())
    fake = ZaloFakeApi(now=lambda: clock.now().timestamp())
    runtime.zalo = ZaloSide.from_settings(configured, db, clock, I18n(), transport=fake.transport())
    runtime._request = lambda pool=8: FakeBotApi()  # Telegram's side stays offline
    sock, port = bind_unused_port()
    server = HTTPServer(tornado.web.Application(runtime.web_routes()))
    server.add_sockets([sock])
    worker = threading.Thread(target=runtime._worker, args=(0,), daemon=True)
    worker.start()
    request = runtime.zalo.request()
    try:
        update = fake.user_update("0a0b0c0d0e0f10111213", "xin chào", name="Người Lạ")
        body = json.dumps({"ok": True, "result": update}).encode()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.post("/zalo", content=body, headers={SECRET_HEADER: "wrong"})).status_code == 403
            assert (await client.post("/zalo", content=body, headers={SECRET_HEADER: SECRET})).status_code == 200
        for _ in range(200):
            if runtime.processed:
                break
            await asyncio.sleep(0.05)
        assert runtime.processed == 1
        sender = runtime.wiring.sender("zalo", runtime.zalo.policy, zalo_send(request), "test")
        assert await sender.drain() == 1
    finally:
        runtime.stop_flag.set()
        runtime.work_ready.set()
        worker.join(10)
        server.stop()
        await request.shutdown()
    assert "Tài khoản Zalo của đồng chí chưa được đăng ký" in fake.texts_to("0a0b0c0d0e0f10111213")[-1]


async def test_a_photo_sent_on_zalo_can_be_fetched_by_the_handlers_bot(sim):
    """getFile and the download are reads: they reach Zalo's photo URL through the router, never the outbox."""
    sim.add_zalo_persona("la", "Người Lạ")
    await sim.zalo_send_photo("la")
    url, (content, _sent_at) = next(iter(sim.zalo_api.media.items()))
    file = await sim.app.bot.get_file(photo_file_id(url))
    assert bytes(await file.download_as_bytearray()) == content
    with sim.services.db.session() as session:
        assert not session.exec(select(OutboxMessage).where(OutboxMessage.method.in_(("getFile", "GET")))).all()


async def test_a_menu_pushed_on_a_reply_menu_numbers_on_so_the_next_number_is_applied(tmp_path, db, clock):
    """Issue 22: the Director's instruction arriving on top of a reply menu made the first number "stale" and sent
    the whole message again. Numbered on from the reply's choices, each number means one thing."""
    fake = ZaloFakeApi(now=lambda: clock.now().timestamp())
    fake.user_update("a1b2c3", "xin chào")
    configured = settings(tmp_path, zalo_bot_token=SecretStr(TOKEN))
    side = ZaloSide.from_settings(configured, db, clock, I18n(), transport=fake.transport())
    address = side.addresses.address_for("zalo", "a1b2c3")
    chat = address.synthetic_id
    request = side.request()
    send = zalo_send(request)

    def keyboard(*labels: str) -> dict:
        return {"inline_keyboard": [[{"text": label, "callback_data": data}] for label, data in
                                    (label.split("=") for label in labels)]}

    try:
        await send(Outgoing(1, "zalo", str(chat), "sendMessage", {"chat_id": chat, "text": "Đã gửi báo cáo.",
                   "reply_markup": keyboard("Xem báo cáo=rep:v:1:1", "Đề nghị sửa lại=rep:rev:1:1")}, {}, REPLY,
                   True, 0))
        clock.advance(timedelta(minutes=2))
        await send(Outgoing(2, "zalo", str(chat), "sendMessage", {"chat_id": chat, "text": "Ý kiến chỉ đạo: …",
                   "reply_markup": keyboard("Đã nắm=esc:ack:7", "Xem vướng mắc=esc:v:7")}, {}, NOTIFY, True, 0))
        pushed = fake.texts_to("a1b2c3")[-1]
        assert "3. Đã nắm\n4. Xem vướng mắc" in pushed and "1. " not in pushed
        for number, data in (("3", "esc:ack:7"), ("1", "rep:v:1:1"), ("4", "esc:v:7")):
            resolved = side.menus.resolve(address.id, number)
            assert (resolved.kind, resolved.data) == ("choice", data)
        # An hour later the reply menu is no longer being read: a push starts at 1 and is not ambiguous.
        clock.advance(timedelta(hours=1))
        await send(Outgoing(3, "zalo", str(chat), "sendMessage", {"chat_id": chat, "text": "Nhắc hạn",
                   "reply_markup": keyboard("Mở báo cáo=rep:open:1")}, {}, NOTIFY, True, 0))
        assert fake.texts_to("a1b2c3")[-1].endswith("1. Mở báo cáo\nGõ số để chọn.")
        assert side.menus.resolve(address.id, "1").data == "rep:open:1"
    finally:
        await request.shutdown()
