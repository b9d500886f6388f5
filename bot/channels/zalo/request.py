"""The Zalo transport under the python-telegram-bot Application: a `BaseRequest` that carries out, on Zalo, the
Bot API calls handlers make to a Zalo chat, and a router that sends every other call to Telegram.

A Zalo chat is known by its stand-in integer (bot.services.channels.addresses): `ChannelRouter` sends a call
whose chat id (or callback query id, or file id) is one of those to `ZaloRequest`, everything else to the
Telegram request. Handlers stay as they are; they only ever see Telegram shapes.

The Bot API calls the handlers make, translated into what Zalo can do (`plan_call`, a pure plan that `ZaloRequest`
carries out):
- sendMessage / editMessageText / editMessageCaption: the text (an edit becomes a new message) with the buttons
  as numbered lines, split into pieces of at most 2,000 characters; the numbered menu is remembered after sending.
- editMessageReplyMarkup: new buttons are sent as a numbered list; no buttons means the old menu is gone.
- sendDocument, and sendPhoto with uploaded bytes: a link from the LinkProvider (a photo by URL when it is one),
  or a note saying where to get the file.
- answerCallbackQuery with a text: the note is sent as a message (Zalo has no pop-ups); without one, nothing.
- sendChatAction: "typing". deleteMessage, pins, command menus: answered locally, nothing reaches Zalo.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.request import BaseRequest, RequestData

from bot.channels.zalo.api import (
    ZaloBotApi, ZaloError, ZaloForbidden, ZaloNetworkError, ZaloQuotaExceeded, ZaloSent, ZaloUnauthorized,
)
from bot.channels.zalo.render import (
    ZALO_TEXT_LIMIT, LinkProvider, MenuItem, NoLinks, OutgoingFile, RenderedMenu, file_text, render_menu, split_text,
)
from bot.channels.zalo.updates import photo_url_of, telegram_int
from bot.i18n import I18n, Translator
from bot.services.channels import ChannelAddressService, MenuService
from bot.services.channels.addresses import FILE_PREFIX, chat_of_callback, is_zalo_call

log = logging.getLogger(__name__)

# The chat whose own message is being handled: a menu sent to it then is the one the person is looking at.
replying_to: ContextVar[int | None] = ContextVar("zalo_replying_to", default=None)
QUOTA_RETRY_AFTER = 3600  # Zalo publishes no retry time for 429; callers should pause, not hammer
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


LOCAL_TRUE = frozenset({
    "deleteMessage", "deleteMessages", "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages",
    "setMyCommands", "deleteMyCommands", "setChatMenuButton", "setMessageReaction", "leaveChat",
})
TEXT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageCaption"})


# The plan of one call -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZaloSend:
    """One Zalo call: a text, a photo by URL (with an optional caption), or the typing indicator."""

    kind: str  # "text" | "photo" | "typing"
    text: str = ""
    photo_url: str | None = None


@dataclass
class ZaloPlan:
    sends: list[ZaloSend] = field(default_factory=list)
    menu: RenderedMenu | None = None  # remember after the sends succeed (numbered choices only)
    clear_menu_of: int | None = None  # a message whose buttons are gone
    result: Any = True  # the Bot API result when nothing is sent (sends answer with a Message)
    known: bool = True  # False for a method this translation does not know (answered True, logged by the caller)


def keyboard(markup: Any) -> list[list[MenuItem]]:
    """Rows of MenuItem from a reply_markup (dict or JSON string); other keyboards are ignored."""
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return []
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [[MenuItem(str(b.get("text", "")), b.get("callback_data"), b.get("url")) for b in row
             if isinstance(b, dict)] for row in rows if isinstance(row, list)]


def _texts(text: str) -> list[ZaloSend]:
    return [ZaloSend("text", piece) for piece in split_text(text, ZALO_TEXT_LIMIT)]


def _upload(files: dict[str, Any], key: str) -> tuple[str, bytes] | None:
    upload = files.get(key) or next(iter(files.values()), None)
    if not upload:
        return None
    name, content = upload[0], upload[1]
    return (name or key), (content if isinstance(content, bytes) else bytes(content or b""))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def plan_call(method: str, params: dict[str, Any], files: dict[str, Any], tr: Translator, numbered: bool,
              links: LinkProvider) -> ZaloPlan:
    """The Zalo calls for one Bot API call to a Zalo chat (`numbered`: whether a menu sent now is numbered)."""
    chat_id = _int(params.get("chat_id")) or 0
    if method in TEXT_METHODS:
        text = str(params.get("text", params.get("caption", "")) or "")
        menu = render_menu(tr, text, keyboard(params.get("reply_markup")), numbered)
        plan = ZaloPlan(_texts(menu.text), menu if menu.choices else None)
        if method != "sendMessage" and not menu.choices:
            plan.clear_menu_of = _int(params.get("message_id"))
        return plan
    if method == "editMessageReplyMarkup":
        rows = keyboard(params.get("reply_markup"))
        if not any(rows):
            return ZaloPlan(clear_menu_of=_int(params.get("message_id")))
        menu = render_menu(tr, tr.gettext("Choices:"), rows, numbered)
        return ZaloPlan(_texts(menu.text), menu if menu.choices else None)
    if method in ("sendDocument", "sendPhoto"):
        return _plan_file(method, params, files, tr, chat_id, links, numbered)
    if method == "answerCallbackQuery":
        note = str(params.get("text") or "").strip()
        return ZaloPlan(_texts(note)) if note else ZaloPlan()
    if method == "sendChatAction":
        return ZaloPlan([ZaloSend("typing")])
    if method == "getFile":
        file_id = str(params.get("file_id", ""))
        return ZaloPlan(result={"file_id": file_id, "file_unique_id": file_id[-16:] or "z", "file_path": file_id})
    return ZaloPlan(known=method in LOCAL_TRUE)


def _plan_file(method: str, params: dict[str, Any], files: dict[str, Any], tr: Translator, chat_id: int,
               links: LinkProvider, numbered: bool) -> ZaloPlan:
    key = "document" if method == "sendDocument" else "photo"
    caption = str(params.get("caption") or "")
    menu = render_menu(tr, caption, keyboard(params.get("reply_markup")), numbered)
    remembered = menu if menu.choices else None
    given = params.get(key)
    if key == "photo" and isinstance(given, str) and given.startswith(("https://", "http://")):
        url: str | None = given
        name = given.rsplit("/", 1)[-1] or "photo"
    else:
        upload = _upload(files, key)
        name = upload[0] if upload else str(given or key)
        url = links.link_for(OutgoingFile(name, upload[1] if upload else b"", chat_id, key)) if upload else None
    if key == "photo" and url:
        if len(menu.text) <= ZALO_TEXT_LIMIT:
            return ZaloPlan([ZaloSend("photo", menu.text, url)], remembered)
        return ZaloPlan([ZaloSend("photo", "", url), *_texts(menu.text)], remembered)
    return ZaloPlan(_texts(file_text(tr, name, url, menu.text)), remembered)


def message_result(chat_id: int, message_id: int, date: int, text: str, bot_user: dict[str, Any]) -> dict[str, Any]:
    """The Telegram Message the handlers get back for what was sent (ids are stand-in integers)."""
    return {"message_id": message_id, "date": date, "chat": {"id": chat_id, "type": "private"},
            "from": bot_user, "text": text}
