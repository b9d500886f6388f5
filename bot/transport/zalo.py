"""The Zalo side of the transport (docs/ZALO.md, docs/UPDATES.md), beside `telegram.py`: what an arrival is, how
a claimed inbox row becomes an update for the same handlers, how a queued call is made on Zalo, and the bot's
own web routes for Zalo (the webhook, and the short-lived file links).

Per process: the receiver stores (webhook or long polling), worker threads decode and process with the shared
`Processor`, and one paced `Sender` replays the "zalo" outbox rows through `ZaloRequest.execute`.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from bot.channels.links import FileLinks
from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.render import LinkProvider
from bot.channels.zalo.request import QUOTA_RETRY_AFTER, ZaloRequest, replying_to
from bot.channels.zalo.updates import ZaloIncoming, parse, unwrap, accept, decide
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import I18n
from bot.transport.results import Outcome, SendResult
from bot.services.channels import ChannelAddressService, MenuService
from bot.services.files import kept_files
from bot.transport.inbox import Claimed, Inbox, InboundUpdate
from bot.transport.outbox import Outbox, Outgoing
from bot.transport.policy import REPLY, ZALO, ChannelPolicy
from storage.db import Database

log = logging.getLogger(__name__)
CHANNEL = "zalo"
# On a queued direct answer that shows the current menu again: its choices and text, recorded once it is sent,
# so the person's next number applies to it. Never sent to Zalo.
MENU_KEY = "_zalo_menu"
_SAFE_NETWORK = ("ConnectError", "ConnectTimeout", "PoolTimeout")  # the request certainly never left


def inbound(incoming: ZaloIncoming, raw: dict[str, Any]) -> InboundUpdate:
    """Zalo has no update_id: the message id is the key, its time (ms) the order within the chat."""
    return InboundUpdate(CHANNEL, incoming.dedupe_key, incoming.date_ms, incoming.chat_id,
                         json.dumps(raw, ensure_ascii=False))


def policy(settings: Settings) -> ChannelPolicy:
    """Zalo's budget from the settings: the rate, 2,000-character texts, the plan's monthly quota (0 = unknown)."""
    rate = min(settings.zalo_send_rate or ZALO.rate, ZALO.hard_limit - 1)
    return replace(ZALO, rate=rate, monthly_quota=settings.zalo_monthly_quota or None)


# A 429 whose meaning is unclear (the documentation says only "vượt quá giới hạn sử dụng API cho phép": a rate, or
# the month's quota?): the channel pauses briefly, then the next call probes; each further 429 in a row doubles the
# pause (`Sender._lengthen`, `bot.transport.backoff`, up to `ChannelPolicy.longest_pause`). Never an hour at the
# first one: replies would wait that long. The same 30 s that `ZaloRequest` tells python-telegram-bot (RetryAfter).
QUOTA_PAUSE = float(QUOTA_RETRY_AFTER)
# A 403 is "Internal server error" in the documentation's error table, "Forbidden" in the SDK and integrations:
# a block only when the description says so, or when an unclear 403 comes again for the same call.
_BLOCK_WORDS = ("block", "chặn", "not started", "not allowed", "no permission", "permission denied",
                "not a friend", "unfollow", "has not interacted", "forbidden: the user")
_SERVER_WORDS = ("internal", "server error", "try again", "thử lại", "lỗi hệ thống")


def forbidden_outcome(description: str, attempts: int) -> Outcome:
    """What a 403 means: BLOCKED when the description names a block, TRANSIENT (retried later) when it names a
    server error, and for an unclear one TRANSIENT at the first try and BLOCKED when it comes again."""
    folded = description.casefold()
    if any(word in folded for word in _SERVER_WORDS):
        return Outcome.TRANSIENT
    if any(word in folded for word in _BLOCK_WORDS):
        return Outcome.BLOCKED
    return Outcome.TRANSIENT if attempts < 1 else Outcome.BLOCKED


def outcome_of(status: int, body: bytes, attempts: int = 0) -> SendResult:
    """What `ZaloRequest`'s Telegram-shaped answer means for the sender (see docs/ZALO.md, 429 and 403);
    `attempts`: how often this call was tried before."""
    if status == 200:
        return SendResult(Outcome.SENT)
    try:
        description = str(json.loads(body).get("description", ""))
    except (ValueError, AttributeError):
        description = f"HTTP {status}"
    if status == 429:  # no published retry time, no clear meaning: a short pause, then a probe
        return SendResult(Outcome.RETRY, retry_after=QUOTA_PAUSE, error=description)
    if status == 403:
        return SendResult(forbidden_outcome(description, attempts), error=description)
    if status == 502:  # no answer from Zalo: only a refused connection proves the message did not leave
        safe = any(name in description for name in _SAFE_NETWORK)
        return SendResult(Outcome.TRANSIENT if safe else Outcome.IN_DOUBT, error=description)
    if "chat not found" in description:
        return SendResult(Outcome.UNREACHABLE, error=description)
    return SendResult(Outcome.FAILED, error=description)


def zalo_send(request: ZaloRequest):  # noqa: ANN201
    """`send(Outgoing) -> SendResult` for `Sender(db, zalo_policy, zalo_send(request), owner, ...)`: replay one
    queued call on Zalo. A reply (or the answer to a typed number) is the list the person is looking at, so its
    menu is recorded as read (`replying_to`)."""

    async def send(out: Outgoing) -> SendResult:
        params = dict(out.params)
        menu = params.pop(MENU_KEY, None)
        chat = params.get("chat_id")
        token = replying_to.set(int(chat) if out.priority <= REPLY and chat is not None else None)
        try:
            status, body = await request.execute(out.method, params, dict(out.files))
        finally:
            replying_to.reset(token)
        result = outcome_of(status, body, out.attempts)
        if result.outcome == Outcome.SENT and menu and chat is not None:
            address = request.addresses.by_synthetic(chat)
            message_id = json.loads(body).get("result", {}).get("message_id")
            if address is not None:
                request.menus.record(address.id, message_id, list(menu["choices"]), menu["text"], numbered=True,
                                     reply=True)
        return result

    return send


class _OwnedZaloRequest(ZaloRequest):
    """A `ZaloRequest` for one event loop that also closes its API client (one per thread)."""

    async def shutdown(self) -> None:
        await super().shutdown()
        await self.api.close()


@dataclass
class ZaloSide:
    """Everything Zalo-specific one process needs; `request()` builds a transport for the calling event loop."""

    settings: Settings
    db: Database
    clock: Clock
    i18n: I18n
    links: LinkProvider
    transport: httpx.AsyncBaseTransport | None = None  # the stand-in's, in the simulator and tests
    download: httpx.AsyncBaseTransport | None = None

    def __post_init__(self) -> None:
        self.kept = kept_files(self.settings)  # the same store as `services.files`
        self.addresses = ChannelAddressService(self.db, self.clock)
        self.menus = MenuService(self.db, self.clock)
        self.outbox = Outbox(self.db)
        self.policy = policy(self.settings)

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, clock: Clock, i18n: I18n, **kwargs: Any) -> ZaloSide:
        return cls(settings, db, clock, i18n, FileLinks.from_settings(settings, clock), **kwargs)

    @property
    def webhook(self) -> bool:
        return bool(self.settings.zalo_webhook_url)

    @property
    def webhook_url(self) -> str:
        """The address Zalo calls: ZALO_WEBHOOK_URL, with "/zalo" added unless it already ends so."""
        url = self.settings.zalo_webhook_url.rstrip("/")
        return url if url.endswith("/zalo") else url + "/zalo"

    def api(self) -> ZaloBotApi:
        return ZaloBotApi(self.settings.zalo_bot_token.get_secret_value(), self.settings.zalo_api_base_url,
                          transport=self.transport)

    def request(self) -> ZaloRequest:
        """A ZaloRequest with its own HTTP clients: each thread's event loop needs its own."""
        return _OwnedZaloRequest(self.api(), self.addresses, self.menus, self.i18n, self.links, self.download,
                                 self.kept)

    # Receiving -----------------------------------------------------------------------------------------
    def store(self, inbox: Inbox, updates: list[dict[str, Any]]) -> int:
        """Store each readable update; returns how many were new. A redelivery or a replay is ignored: the inbox
        keeps every Zalo key for ZALO_REPLAY_DAYS (bot/services/privacy/retention.py), and an update dated
        before that window is not taken (its key may be gone). One without a usable date gets its arrival time."""
        stored = 0
        now_ms = int(self.clock.now().timestamp() * 1000)
        oldest = now_ms - max(self.settings.zalo_replay_days, self.settings.retention_inbox_days, 1) * 86_400_000
        for raw in updates:
            try:
                incoming = parse(raw)
            except (ValueError, TypeError, OverflowError) as error:  # never a 500 for what Zalo sent: log, skip
                log.warning("Zalo update not readable (%s): skipped", type(error).__name__)
                continue
            if incoming is None:
                continue
            if incoming.date_ms == 0:
                raw = {**raw, "message": {**raw["message"], "date": now_ms}}
                incoming = replace(incoming, date_ms=now_ms)
            elif incoming.date_ms < oldest:
                log.warning("Zalo update %s is dated before the replay window (%d days): not taken",
                            incoming.message_id[:64], self.settings.zalo_replay_days)
                continue
            stored += inbox.store(inbound(incoming, raw))
        return stored

    def receive(self, inbox: Inbox, headers: Any, body: bytes) -> tuple[int, int]:
        """One webhook request: (HTTP status, updates stored). The secret is checked before anything is read,
        and the status is only returned (and answered) once the updates are stored."""
        result = accept(headers, body, self.settings.zalo_webhook_secret.get_secret_value())
        if result.status != 200 or not result.messages:
            return result.status, 0
        return 200, self.store(inbox, unwrap(json.loads(body)))

    # Processing ------------------------------------------------------------------------------------------
    def decode(self, session: Any, claimed: Claimed) -> tuple[dict[str, Any], str] | None:
        """A claimed Zalo row: the update for the handlers (and its chat), or None after queueing a direct answer
        (a notice, or the current menu again for a number that cannot be applied)."""
        decided = decide(parse(json.loads(claimed.payload)), self.addresses, self.menus, self.i18n,
                         update_id=claimed.id)
        if decided.address is None:
            return None
        chat = decided.address.synthetic_id
        if decided.answer is not None:
            params: dict[str, Any] = {"chat_id": chat, "text": decided.answer}
            if decided.menu_choices:
                params[MENU_KEY] = {"choices": list(decided.menu_choices), "text": decided.menu_text}
            self.outbox.enqueue(session, channel=CHANNEL, chat_key=str(chat), method="sendMessage", params=params,
                                files=None, priority=REPLY, resend=True, inbox_id=claimed.id)
        if decided.update is None:
            return None
        return decided.update, str(chat)

    # Sending -------------------------------------------------------------------------------------------
    def add_tasks(self, ticker) -> None:  # noqa: ANN001
        """Expired file links are deleted every ten minutes."""
        if isinstance(self.links, FileLinks):
            links = self.links

            async def purge() -> None:
                links.purge()

            ticker.add("file_links", timedelta(minutes=10), purge)


def file_response(links: LinkProvider, token: str) -> tuple[int, dict[str, str], bytes]:
    """What `/f/<token>/<name>` answers: the file while its link lives, else 404 (unknown, expired, no links)."""
    opened = links.open(token) if isinstance(links, FileLinks) else None
    if opened is None:
        return 404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, b"Not found\n"
    name, content = opened
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return 200, {"Content-Type": kind, "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                 "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}, content


def tornado_routes(side: ZaloSide, inbox: Inbox, on_stored=None) -> list:  # noqa: ANN001
    """The Zalo routes for the bot's tornado server: `/zalo` (webhook, when set) and `/f/<token>/<name>` (links)."""
    import asyncio

    import tornado.web

    class Hook(tornado.web.RequestHandler):
        async def post(self) -> None:  # noqa: D102
            status, stored = await asyncio.to_thread(side.receive, inbox, self.request.headers, self.request.body)
            if stored and on_stored is not None:
                on_stored()
            self.set_status(status)

    class Files(tornado.web.RequestHandler):
        def get(self, token: str, _name: str) -> None:  # noqa: D102
            status, headers, body = file_response(side.links, token)
            self.set_status(status)
            for key, value in headers.items():
                self.set_header(key, value)
            self.finish(body)

    routes: list = []
    if side.webhook:
        routes.append((r"/zalo", Hook))
    if isinstance(side.links, FileLinks):
        routes.append((r"/f/([A-Za-z0-9_-]+)/([^/]+)", Files))
    return routes
