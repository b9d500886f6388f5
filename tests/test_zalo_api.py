"""The Zalo API client against the local stand-in: shapes, limits, errors mapped by code, the token kept secret."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.channels.zalo.api import (
    REDACTED, ZaloBotApi, ZaloError, ZaloForbidden, ZaloNetworkError, ZaloQuotaExceeded, ZaloUnauthorized,
)
from bot.config import Settings
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi, ZaloFakeServer

USER = "6ede9afa66b88fe6d6a9"


@pytest.fixture
def fake() -> ZaloFakeApi:
    api = ZaloFakeApi(monthly_quota=3)
    api.user_update(USER, "xin chào", name="Ted")  # the person wrote first, so the bot may answer
    return api


@pytest.fixture
async def api(fake: ZaloFakeApi):
    client = ZaloBotApi(TOKEN, "https://zalo.test", transport=fake.transport())
    yield client
    await client.close()


async def test_get_me_and_webhook_cycle(api: ZaloBotApi, fake: ZaloFakeApi):
    me = await api.get_me()
    assert me.can_join_groups is False and me.id
    info = await api.set_webhook("https://bot.example.vn/zalo", "s3cret-value")
    assert info["url"] == "https://bot.example.vn/zalo"
    assert (await api.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    with pytest.raises(ZaloError) as refused:  # polling is refused while the webhook is set
        await api.get_updates()
    assert refused.value.code == 400
    await api.delete_webhook()
    assert (await api.get_webhook_info())["url"] == ""


async def test_set_webhook_checks_https_and_secret_length_before_calling(api: ZaloBotApi, fake: ZaloFakeApi):
    with pytest.raises(ValueError):
        await api.set_webhook("http://bot.example.vn/zalo", "s3cret-value")
    with pytest.raises(ValueError):
        await api.set_webhook("https://bot.example.vn/zalo", "short")
    assert not any(method == "setWebhook" for method, _ in fake.calls)


async def test_get_updates_takes_one_object_a_list_or_a_timeout(api: ZaloBotApi, fake: ZaloFakeApi):
    assert await api.get_updates(timeout=1) == []  # 408: the poll ended empty
    await fake.push(fake.user_update(USER, "1"))
    updates = await api.get_updates(timeout=1)
    assert [u["message"]["text"] for u in updates] == ["1"]

    def listing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True, "result": [{"event_name": "message.text.received",
                                                                 "message": {"text": "a"}}, "junk"]})

    other = ZaloBotApi(TOKEN, "https://zalo.test", transport=httpx.MockTransport(listing))
    assert len(await other.get_updates()) == 1
    await other.close()


async def test_send_message_limits_and_string_ids(api: ZaloBotApi, fake: ZaloFakeApi):
    sent = await api.send_message(USER, "Câu 1/21")
    assert isinstance(sent.message_id, str) and sent.date > 0
    assert fake.texts_to(USER) == ["Câu 1/21"]
    with pytest.raises(ValueError):
        await api.send_message(USER, "x" * 2001)
    with pytest.raises(ValueError):
        await api.send_message(USER, "")
    with pytest.raises(ValueError):
        await api.send_message(12345, "hi")  # type: ignore[arg-type]
    assert await api.send_message(USER, "x" * 2000)


async def test_errors_map_to_exceptions(api: ZaloBotApi, fake: ZaloFakeApi):
    with pytest.raises(ZaloForbidden):
        await api.send_message("0000000000aaaaaaaaaa", "never wrote to the bot")
    fake.blocked.add(USER)
    with pytest.raises(ZaloForbidden) as blocked:
        await api.send_message(USER, "hello")
    assert blocked.value.code == 403
    fake.blocked.clear()
    for _ in range(3):
        await api.send_message(USER, "ok")
    with pytest.raises(ZaloQuotaExceeded) as over:
        await api.send_message(USER, "one too many")
    assert over.value.code == 429 and fake.month_used() == 3
    bad = ZaloBotApi("999:wrong", "https://zalo.test", transport=fake.transport())
    with pytest.raises(ZaloUnauthorized):
        await bad.get_me()
    await bad.close()


async def test_photo_by_url_and_chat_action(api: ZaloBotApi, fake: ZaloFakeApi):
    await api.send_photo(USER, "https://bot.example.vn/f/abc.png", "Biểu đồ")
    assert fake.sent[-1].photo == "https://bot.example.vn/f/abc.png" and fake.sent[-1].text == "Biểu đồ"
    with pytest.raises(ValueError):
        await api.send_photo(USER, "/tmp/chart.png")
    assert await api.send_chat_action(USER, "upload_document")
    assert fake.chat_actions == [USER]


async def test_fake_refuses_buttons_and_long_text_sent_directly(fake: ZaloFakeApi):
    status, body = fake.answer(TOKEN, "sendMessage", {"chat_id": USER, "text": "hi",
                                                      "reply_markup": {"inline_keyboard": []}})
    assert status == 400 and "reply_markup" in body["description"]
    status, _body = fake.answer(TOKEN, "sendMessage", {"chat_id": USER, "text": "x" * 2001})
    assert status == 400
    status, _body = fake.answer(TOKEN, "sendMessage", {"chat_id": 42, "text": "hi"})
    assert status == 400
    status, _body = fake.answer(TOKEN, "sendmessage", {"chat_id": USER, "text": "hi"})  # names are case-sensitive
    assert status == 400


async def test_token_never_in_errors_reprs_or_logs(fake: ZaloFakeApi, caplog: pytest.LogCaptureFixture):
    secret = "4242424242:VerySecretTokenValue"
    fake.token = secret

    def echo_token(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"ok": False, "error_code": 500, "description": f"bad url {request.url}"})

    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    caplog.set_level(logging.DEBUG)
    for handler in (echo_token, fail):
        api = ZaloBotApi(secret, "https://zalo.test", transport=httpx.MockTransport(handler))
        with pytest.raises(ZaloError) as failure:
            await api.get_me()
        assert secret not in str(failure.value) and secret not in repr(failure.value)
        assert failure.value.__cause__ is None
        assert failure.value.__context__ is None or failure.value.__suppress_context__  # no URL in a traceback
        assert secret not in repr(api)
        logging.getLogger("httpx").info("HTTP Request: POST https://zalo.test/bot%s/getMe", secret)
        await api.close()
    assert isinstance(failure.value, ZaloNetworkError)
    assert secret not in caplog.text and REDACTED in caplog.text
    settings = Settings(_env_file=None, zalo_bot_token=secret, zalo_webhook_secret="webhook-secret-1")
    assert secret not in repr(settings) and "webhook-secret-1" not in str(settings)
    assert settings.zalo_bot_token.get_secret_value() == secret


async def test_over_real_http_on_localhost():
    server = ZaloFakeServer(ZaloFakeApi())
    await server.start()
    try:
        server.api.user_update(USER, "hi")
        async with ZaloBotApi(TOKEN, server.base_url) as api:
            assert (await api.get_me()).account_type == "BASIC"
            await api.send_message(USER, "Xin chào đồng chí")
        assert server.api.texts_to(USER) == ["Xin chào đồng chí"]
    finally:
        await server.stop()
