"""A local stand-in for the Zalo Bot Platform, written from its documentation (docs/ZALO.md), strict where the
documentation is vague: string chat ids only, text of 1 to 2,000 characters, no buttons (a `reply_markup` is
refused), photos by URL only, no writing to someone who never wrote to the bot, 403 for people who blocked it,
429 once the monthly quota (or an optional per-second rate) is used up, getUpdates refused while a webhook is
set, and every webhook delivery carrying the `X-Bot-Api-Secret-Token` header.

Use it in-process through `transport()` (an httpx MockTransport for `ZaloBotApi`) or over real HTTP on
127.0.0.1 with `ZaloFakeServer` (benchmarks).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.simulator.http_stand_in import Call, StandInServer
from bot.text import utf16_length

TOKEN = "1234567890:fake-zalo-token"
BOT_ID = "7f1e2d3c4b5a69788796"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"

WebhookSink = Callable[[dict[str, str], bytes], Awaitable[int]]


@dataclass
class ZaloSentMessage:
    """One message the bot sent, as the person sees it on Zalo."""

    chat_id: str
    message_id: str
    text: str = ""
    photo: str | None = None  # URL


def zalo_id(seed: str) -> str:
    """A 20-hex-digit id like Zalo's, stable for a seed (persona key, counter...)."""
    return hashlib.sha1(seed.encode()).hexdigest()[:20]


class ZaloFakeApi:
    """The platform's state and rules; `answer()` serves one call (both transports use it)."""

    def __init__(self, token: str = TOKEN, *, monthly_quota: int | None = None, rate_per_second: int | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.token = token
        self.monthly_quota, self.rate_per_second = monthly_quota, rate_per_second
        self._now = now
        self.sent: list[ZaloSentMessage] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.known: dict[str, str] = {}  # user id -> display name: people who wrote to the bot
        self.blocked: set[str] = set()
        self.pending: deque[dict[str, Any]] = deque()  # updates waiting for getUpdates
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_sink: WebhookSink | None = None  # in-process receiver of webhook deliveries
        self.chat_actions: list[str] = []
        self.refused = {429: 0, 403: 0, 400: 0}
        # Answers given to the next sends before any rule, as the live platform was seen to give them: a single
        # 429 among successes, a 403 "Internal server error" (the documentation's name for 403).
        self.scripted: deque[tuple[int, str]] = deque()
        self._month_count: dict[str, int] = {}
        self._recent: deque[float] = deque()
        self._ids = itertools.count(1)
        self.run = ""  # a prefix of this run's message ids: a later run on the same database reuses no id
        # Photos people sent, served at their media URL: captures show such URLs stop working after a while, so
        # `media_ttl` (seconds; None: never) makes them answer 403 once that long has passed since they were sent.
        self.media: dict[str, tuple[bytes, float]] = {}
        self.media_ttl: float | None = None
        self.media_fetches = 0

    # What people do ---------------------------------------------------------------------------------
    def user_update(self, user_id: str, text: str | None = None, *, name: str = "Người dùng Zalo",
                    photo_url: str | None = None, caption: str | None = None, sticker: str | None = None,
                    unsupported: bool = False) -> dict[str, Any]:
        """The update Zalo would send when `user_id` writes text, sends a photo or a sticker."""
        self.known[user_id] = name
        message: dict[str, Any] = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": zalo_id(f"in-{self.run}{next(self._ids)}-{user_id}"),
            "date": int(self._now() * 1000),
        }
        if unsupported:
            event = "message.unsupported.received"
        elif sticker is not None:
            event, message["sticker"], message["url"] = "message.sticker.received", sticker, f"https://zalo.test/s/{sticker}"
        elif photo_url is not None:
            event, message["photo_url"] = "message.image.received", photo_url
            if caption:
                message["caption"] = caption
        else:
            event, message["text"] = "message.text.received", text or ""
        return {"event_name": event, "message": message}

    def host_photo(self, content: bytes = b"\xff\xd8\xff\xe0 simulated photo") -> str:
        """A photo a person is about to send: its media URL (served by `media_transport`)."""
        url = f"https://photo-stal.zdn.vn/sim/{self.run}{len(self.media) + 1}.jpg"
        self.media[url] = (content, self._now())
        return url

    def media_transport(self) -> httpx.MockTransport:
        """Zalo's media host: the photo while its URL lives, then 403 (as an expired signed URL answers), 404 for
        what was never sent."""

        def handle(request: httpx.Request) -> httpx.Response:
            self.media_fetches += 1
            found = self.media.get(str(request.url))
            if found is None:
                return httpx.Response(404)
            content, sent_at = found
            if self.media_ttl is not None and self._now() - sent_at > self.media_ttl:
                return httpx.Response(403, text="URL signature expired")
            return httpx.Response(200, content=content, headers={"Content-Type": "image/jpeg"})

        return httpx.MockTransport(handle)

    async def push(self, update: dict[str, Any]) -> int | None:
        """Deliver an update: to the webhook (returns its HTTP status) when one is set, else queue it for polling."""
        if self.webhook_url and self.webhook_sink is not None:
            body = json.dumps({"ok": True, "result": update}).encode()
            return await self.webhook_sink({SECRET_HEADER: self.webhook_secret, "Content-Type": "application/json"},
                                           body)
        self.pending.append(update)
        return None

    # Helpers for tests ------------------------------------------------------------------------------
    def texts_to(self, chat_id: str) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id and m.photo is None]

    def month_used(self) -> int:
        return self._month_count.get(time.strftime("%Y-%m", time.gmtime(self._now())), 0)

    # The API ------------------------------------------------------------------------------------------
    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for one call."""
        self.calls.append((method, params))
        if token != self.token:
            return _fail(401, "Unauthorized")
        handler = getattr(self, f"_m_{method}", None)  # method names are case-sensitive, as on Zalo
        if handler is None:
            return _fail(400, "Bad request: unknown API name")
        return handler(params)

    def _m_getMe(self, _params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return _ok({"id": BOT_ID, "account_name": "bot.TroLyThiDua", "account_type": "BASIC", "can_join_groups": False})

    def _m_getUpdates(self, _params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.webhook_url:
            return _fail(400, "Bad request: getUpdates is not available while a webhook is set")
        if not self.pending:
            return _fail(408, "Request timeout")
        return _ok(self.pending.popleft())  # one update object per answer, as observed

    def _m_setWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith("https://"):
            return _fail(400, "Bad request: url must be HTTPS")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return _fail(400, "Bad request: secret_token must have 8 to 256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": int(self._now() * 1000)})

    def _m_deleteWebhook(self, _params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.webhook_url = self.webhook_secret = ""
        return _ok({"url": "", "updated_at": int(self._now() * 1000)})

    def _m_getWebhookInfo(self, _params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return _ok({"url": self.webhook_url, "updated_at": int(self._now() * 1000)})

    def _m_sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= utf16_length(text) <= TEXT_LIMIT:
            return self._refuse(400, f"Bad request: text must have 1 to {TEXT_LIMIT} characters")
        return self._deliver(params, ZaloSentMessage("", "", text=text))

    def _m_sendPhoto(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        photo, caption = params.get("photo"), params.get("caption", "")
        if not isinstance(photo, str) or not photo.startswith(("https://", "http://")):
            return self._refuse(400, "Bad request: photo must be a URL")
        if not isinstance(caption, str) or utf16_length(caption) > TEXT_LIMIT:
            return self._refuse(400, f"Bad request: caption must have at most {TEXT_LIMIT} characters")
        return self._deliver(params, ZaloSentMessage("", "", text=caption, photo=photo))

    def _m_sendChatAction(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if params.get("action") not in ("typing", "upload_photo"):
            return _fail(400, "Bad request: unknown action")
        problem = self._check_chat(params)
        if problem:
            return problem
        self.chat_actions.append(params["chat_id"])
        return 200, {"ok": True}

    # ------------------------------------------------------------------------------------------------
    def _refuse(self, code: int, description: str) -> tuple[int, dict[str, Any]]:
        self.refused[code] = self.refused.get(code, 0) + 1
        return _fail(code, description)

    def _check_chat(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        chat_id = params.get("chat_id")
        if "reply_markup" in params:
            return self._refuse(400, "Bad request: buttons (reply_markup) are not supported")
        if not isinstance(chat_id, str) or not chat_id:
            return self._refuse(400, "Bad request: chat_id must be a string")
        if chat_id in self.blocked:
            return self._refuse(403, "Forbidden: the user has blocked the bot")
        if chat_id not in self.known:
            return self._refuse(403, "Forbidden: the user has not started a chat with the bot")
        return None

    def _deliver(self, params: dict[str, Any], message: ZaloSentMessage) -> tuple[int, dict[str, Any]]:
        if self.scripted:
            return self._refuse(*self.scripted.popleft())
        problem = self._check_chat(params)
        if problem:
            return problem
        now = self._now()
        month = time.strftime("%Y-%m", time.gmtime(now))
        if self.monthly_quota is not None and self._month_count.get(month, 0) >= self.monthly_quota:
            return self._refuse(429, "Quota exceeded")
        if self.rate_per_second is not None:
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.rate_per_second:
                return self._refuse(429, "Too many requests")
            self._recent.append(now)
        self._month_count[month] = self._month_count.get(month, 0) + 1
        message.chat_id, message.message_id = params["chat_id"], zalo_id(f"out-{self.run}{next(self._ids)}")
        self.sent.append(message)
        return _ok({"message_id": message.message_id, "date": int(now * 1000)})

    # Transports -------------------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering `/bot<token>/<method>` from this fake (for `ZaloBotApi(transport=...)`)."""

        def handle(request: httpx.Request) -> httpx.Response:
            status, body = self.answer(*_route(request.url.path), _params(request.content, request.url.params))
            return httpx.Response(status, json=body)

        return httpx.MockTransport(handle)


def http_sink(url: str, transport: httpx.AsyncBaseTransport | None = None) -> WebhookSink:
    """A webhook receiver over HTTP at `url` (a local endpoint: the HTTPS address registered with setWebhook stands
    for it, since benchmarks on 127.0.0.1 have no TLS); returns the endpoint's HTTP status."""

    async def deliver(headers: dict[str, str], body: bytes) -> int:
        async with httpx.AsyncClient(transport=transport, timeout=30.0) as client:
            return (await client.post(url, content=body, headers=headers)).status_code

    return deliver


def _route(path: str) -> tuple[str, str]:
    """("<token>", "<method>") from "/bot<token>/<method>"."""
    head, _sep, method = path.rstrip("/").rpartition("/")
    token = head.rsplit("/", 1)[-1]
    return (token[3:] if token.startswith("bot") else ""), method


def _params(body: bytes, query: Any) -> dict[str, Any]:
    params: dict[str, Any] = dict(query)
    if body:
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            params.update(loaded)
    return params


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _fail(code: int, description: str) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


class ZaloFakeServer:
    """The same fake over real HTTP on 127.0.0.1 (the stand-ins' one server, bot/simulator/http_stand_in.py), for
    benchmarks and manual runs."""

    def __init__(self, api: ZaloFakeApi | None = None) -> None:
        self.api = api or ZaloFakeApi()
        self._server = StandInServer(self._serve)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        return self._server.base_url

    async def start(self, port: int = 0) -> None:
        """Listen (again on the same port after `stop`: a Zalo that comes back, for the crash test)."""
        await self._server.start(port or self._server.port)

    async def stop(self) -> None:
        """Zalo down: the port refuses connections, open keep-alive connections are closed."""
        await self._server.stop()

    def _serve(self, call: Call) -> tuple[int, dict[str, Any]]:
        return self.api.answer(*_route(call.path), call.params)
