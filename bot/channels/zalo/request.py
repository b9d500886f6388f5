"""The Zalo transport under the python-telegram-bot Application: a `BaseRequest` that carries out, on Zalo, the
Bot API calls handlers make to a Zalo chat, and a router that sends every other call to Telegram.

A Zalo chat is known by its stand-in integer (bot.services.channels.addresses): `ChannelRouter` sends a call
whose chat id (or callback query id, or file id) is one of those to `ZaloRequest`, everything else to the
Telegram request. Handlers stay as they are; they only ever see Telegram shapes.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

import httpx
from telegram.request import BaseRequest, RequestData

from bot.channels.zalo.api import (
    ZaloBotApi, ZaloError, ZaloForbidden, ZaloNetworkError, ZaloQuotaExceeded, ZaloSent, ZaloUnauthorized,
)
from bot.channels.zalo.outbound import message_result, plan_call
from bot.channels.zalo.render import LinkProvider, NoLinks
from bot.channels.zalo.updates import FILE_PREFIX, chat_of_callback, photo_url_of, telegram_int
from bot.i18n import I18n
from bot.services.channels import ChannelAddressService, MenuService, is_synthetic

log = logging.getLogger(__name__)

# The chat whose own message is being handled: a menu sent to it then is the one the person is looking at.
replying_to: ContextVar[int | None] = ContextVar("zalo_replying_to", default=None)
QUOTA_RETRY_AFTER = 30  # Zalo publishes no retry time for 429 (nor its meaning): a short pause, then a probe
DOWNLOAD_LIMIT = 20 * 1024 * 1024
BOT_USER = {"id": 1 << 59, "is_bot": True, "first_name": "Trợ lý Thi đua"}


def _answer(status: int, payload: dict[str, Any]) -> tuple[int, bytes]:
    return status, json.dumps(payload).encode()


def _failure(error: ZaloError) -> tuple[int, bytes]:
    """A Zalo error as the Bot API answer python-telegram-bot turns into the matching exception."""
    if isinstance(error, ZaloForbidden):
        return _answer(403, {"ok": False, "error_code": 403, "description": f"Forbidden: {error.description}"})
    if isinstance(error, ZaloQuotaExceeded):
        return _answer(429, {"ok": False, "error_code": 429, "description": f"Zalo quota: {error.description}",
                             "parameters": {"retry_after": QUOTA_RETRY_AFTER}})
    if isinstance(error, ZaloUnauthorized):
        return _answer(401, {"ok": False, "error_code": 401, "description": "Zalo token refused"})
    if isinstance(error, ZaloNetworkError):
        return _answer(502, {"ok": False, "error_code": 502, "description": f"Zalo unreachable: {error.description}"})
    return _answer(400, {"ok": False, "error_code": 400, "description": f"Zalo refused: {error.description}"})


def _params(request_data: RequestData | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if request_data is None:
        return {}, {}
    files = request_data.multipart_data if request_data.contains_files else {}
    return dict(request_data.parameters), dict(files or {})


class ZaloRequest(BaseRequest):
    """Carries out Bot API calls addressed to Zalo chats on the Zalo Bot Platform."""

    def __init__(self, api: ZaloBotApi, addresses: ChannelAddressService, menus: MenuService, i18n: I18n,
                 links: LinkProvider | None = None, download: httpx.AsyncBaseTransport | None = None) -> None:
        self.api, self.addresses, self.menus, self.i18n = api, addresses, menus, i18n
        self.links = links or NoLinks()
        self._download = httpx.AsyncClient(transport=download, timeout=30.0, follow_redirects=True)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        await self._download.aclose()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        if FILE_PREFIX in url and method == "GET":
            return await self.download(url)
        params, files = _params(request_data)
        return await self.execute(url.rsplit("/", 1)[-1], params, files)

    async def download(self, url: str) -> tuple[int, bytes]:
        """The bytes of a photo a Zalo user sent (its URL travels inside the file id; Zalo serves it publicly)."""
        source = photo_url_of(url)
        if source is None:
            return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found: file"})
        try:
            response = await self._download.get(source)
        except httpx.HTTPError as error:
            return _answer(502, {"ok": False, "error_code": 502, "description": type(error).__name__})
        if response.status_code != 200 or len(response.content) > DOWNLOAD_LIMIT:
            return _answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: file unavailable"})
        return 200, response.content

    async def execute(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        """One Bot API call for a Zalo chat: plan it, send it, remember the menu, answer like the Bot API."""
        chat_id = params.get("chat_id")
        if chat_id is None and method == "answerCallbackQuery":
            chat_id = chat_of_callback(str(params.get("callback_query_id", "")))
            params = {**params, "chat_id": chat_id}
        address = self.addresses.by_synthetic(chat_id) if chat_id is not None else None
        if chat_id is not None and address is None:
            return _answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        numbered = True
        if address is not None and "reply_markup" in params:
            numbered = self.menus.numbered_for(address.id)
        tr = self.i18n.get(self.addresses.locale_of(address) if address else None)
        plan = plan_call(method, params, files, tr, numbered, self.links)
        if not plan.known:
            log.info("Zalo has no equivalent of %s; answered locally", method)
        last: ZaloSent | None = None
        last_text = ""
        try:
            for send in plan.sends:
                if address is None:
                    break
                if send.kind == "text":
                    last, last_text = await self.api.send_message(address.external_id, send.text), send.text
                elif send.kind == "photo":
                    last = await self.api.send_photo(address.external_id, send.photo_url or "", send.text or None)
                    last_text = send.text
                else:
                    await self.api.send_chat_action(address.external_id)
        except ZaloError as error:
            log.warning("Zalo %s to address %s failed: %s", error.method, address.id if address else "-", error)
            return _failure(error)
        if address is not None and plan.clear_menu_of is not None:
            self.menus.clear(address.id, plan.clear_menu_of)
        if last is None:
            return _answer(200, {"ok": True, "result": plan.result})
        message_id = telegram_int(last.message_id)
        if plan.menu is not None and address is not None:
            self.menus.record(address.id, message_id, plan.menu.choices, plan.menu.text, numbered,
                              reply=replying_to.get() == int(chat_id))
        result = message_result(int(chat_id), message_id, last.date // 1000, last_text, BOT_USER)
        return _answer(200, {"ok": True, "result": result})


def is_zalo_call(params: dict[str, Any]) -> bool:
    """Whether a Bot API call is addressed to a Zalo chat: its chat id, callback query id, command scope or file
    id names a Zalo stand-in (the outbox uses it to queue the call for the Zalo sender)."""
    scope = params.get("scope")
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            scope = None
    ids = (params.get("chat_id"), chat_of_callback(str(params.get("callback_query_id", ""))),
           scope.get("chat_id") if isinstance(scope, dict) else None)
    return any(is_synthetic(value) for value in ids) or FILE_PREFIX in str(params.get("file_id", ""))


def zalo_route(params: dict[str, Any]) -> str | None:
    """`RecordingRequest`'s route: "zalo" for a call to a Zalo chat, else the recorder's own channel."""
    return "zalo" if is_zalo_call(params) else None


class ChannelRouter(BaseRequest):
    """The Application's request object: Zalo chats to `ZaloRequest`, everything else to Telegram."""

    def __init__(self, telegram: BaseRequest, zalo: ZaloRequest) -> None:
        self.telegram, self.zalo = telegram, zalo

    @property
    def read_timeout(self) -> float | None:
        return self.telegram.read_timeout

    async def initialize(self) -> None:
        await self.telegram.initialize()
        await self.zalo.initialize()

    async def shutdown(self) -> None:
        await self.telegram.shutdown()
        await self.zalo.shutdown()

    def for_call(self, url: str, request_data: RequestData | None) -> BaseRequest:
        """Which transport serves this call."""
        if FILE_PREFIX in url:
            return self.zalo
        params, _files = _params(request_data)
        return self.zalo if is_zalo_call(params) else self.telegram

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        return await self.for_call(url, request_data).do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
