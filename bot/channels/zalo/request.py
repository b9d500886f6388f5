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
    ZALO_TEXT_LIMIT, LinkProvider, MenuItem, NoLinks, OutgoingFile, RenderedMenu, file_text, render_menu, size_of,
    split_text,
)
from bot.channels.zalo.updates import photo_url_of, telegram_int
from bot.i18n import I18n, Translator
from bot.services.channels import ChannelAddressService, MenuService
from bot.services.channels.addresses import FILE_PREFIX, chat_of_callback, is_zalo_call
from bot.services.files import KeptFiles

log = logging.getLogger(__name__)

# The chat whose own message is being handled: a menu sent to it then is the one the person is looking at.
replying_to: ContextVar[int | None] = ContextVar("zalo_replying_to", default=None)
QUOTA_RETRY_AFTER = 30  # Zalo publishes no retry time for 429 (nor its meaning): a short pause, then a probe
DOWNLOAD_LIMIT = 20 * 1024 * 1024
# Not a Zalo method: queued by a handler (through the outbox, in the update's transaction) for a photo a Zalo user
# sent as evidence; the Zalo sender carries it out after the commit by fetching the photo into the file store.
KEEP_FILE = "keepFile"
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
                 links: LinkProvider | None = None, download: httpx.AsyncBaseTransport | None = None,
                 kept: KeptFiles | None = None) -> None:
        self.api, self.addresses, self.menus, self.i18n = api, addresses, menus, i18n
        self.links = links or NoLinks()
        self.kept = kept
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
        """The bytes of a photo a Zalo user sent: from the file store when it was kept, else from Zalo (its URL
        travels inside the file id; Zalo serves it publicly, for a while)."""
        source = photo_url_of(url)
        if source is None:
            return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found: file"})
        file_id = FILE_PREFIX + url.rsplit(FILE_PREFIX, 1)[1].split("/", 1)[0]
        kept = self.kept.open(file_id) if self.kept is not None else None
        if kept is not None:
            return 200, kept
        return await self._fetch(source, DOWNLOAD_LIMIT)

    async def _fetch(self, source: str, limit: int) -> tuple[int, bytes]:
        """GET a Zalo media URL, at most `limit` bytes (read as it streams, so a larger file is never held)."""
        try:
            async with self._download.stream("GET", source) as response:
                if response.status_code != 200:
                    return _answer(400, {"ok": False, "error_code": 400, "description":
                                         f"Zalo refused: file unavailable (HTTP {response.status_code})"})
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > limit:
                        return _answer(400, {"ok": False, "error_code": 400, "description":
                                             f"Zalo refused: file larger than {limit} bytes"})
        except httpx.HTTPError as error:
            return _answer(502, {"ok": False, "error_code": 502,
                                 "description": f"Zalo unreachable: {type(error).__name__}"})
        return 200, bytes(content)

    async def keep(self, file_id: str) -> tuple[int, bytes]:
        """`keepFile`: fetch a Zalo photo into the file store (done already: nothing to do). A URL that no longer
        answers fails for good (logged); a network error is retried by the sender."""
        source = photo_url_of(file_id)
        if source is None or self.kept is None:
            return _answer(400, {"ok": False, "error_code": 400, "description": "Zalo refused: not a Zalo file"})
        if self.kept.has(file_id):
            return _answer(200, {"ok": True, "result": True})
        status, body = await self._fetch(source, self.kept.max_bytes)
        if status != 200:
            log.warning("a Zalo photo could not be kept: %s", json.loads(body).get("description"))
            return status, body
        self.kept.keep(file_id, body)
        return _answer(200, {"ok": True, "result": True})

    async def execute(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        """One Bot API call for a Zalo chat: plan it, send it, remember the menu, answer like the Bot API."""
        if method == KEEP_FILE:
            return await self.keep(str(params.get("file_id", "")))
        chat_id = params.get("chat_id")
        if chat_id is None and method == "answerCallbackQuery":
            chat_id = chat_of_callback(str(params.get("callback_query_id", "")))
            params = {**params, "chat_id": chat_id}
        address = self.addresses.by_synthetic(chat_id) if chat_id is not None else None
        if chat_id is not None and address is None:
            return _answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        numbered = True
        reply = chat_id is not None and replying_to.get() == int(chat_id)
        stack: tuple[int, int] | None = None
        if address is not None and "reply_markup" in params:
            numbered = self.menus.numbered_for(address.id)
            if numbered and not reply:  # pushed: numbered on from a menu the person may still be answering
                stack = self.menus.stack_point(address.id)
        tr = self.i18n.get(self.addresses.locale_of(address) if address else None)
        plan = plan_call(method, params, files, tr, numbered, self.links, stack[1] + 1 if stack else 1)
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
            self.menus.record(address.id, message_id, plan.menu.choices, plan.menu.text, numbered, reply=reply,
                              stacked_on=stack if stack and plan.menu.first > 1 else None)
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
              links: LinkProvider, first: int = 1) -> ZaloPlan:
    """The Zalo calls for one Bot API call to a Zalo chat (`numbered`: whether a menu sent now is numbered;
    `first`: its first number, above 1 when it goes on top of a menu the person may still be answering)."""
    chat_id = _int(params.get("chat_id")) or 0
    if method in TEXT_METHODS:
        text = str(params.get("text", params.get("caption", "")) or "")
        menu = render_menu(tr, text, keyboard(params.get("reply_markup")), numbered, first)
        plan = ZaloPlan(_texts(menu.text), menu if menu.choices else None)
        if method != "sendMessage" and not menu.choices:
            plan.clear_menu_of = _int(params.get("message_id"))
        return plan
    if method == "editMessageReplyMarkup":
        rows = keyboard(params.get("reply_markup"))
        if not any(rows):
            return ZaloPlan(clear_menu_of=_int(params.get("message_id")))
        menu = render_menu(tr, tr.gettext("Choices:"), rows, numbered, first)
        return ZaloPlan(_texts(menu.text), menu if menu.choices else None)
    if method in ("sendDocument", "sendPhoto"):
        return _plan_file(method, params, files, tr, chat_id, links, numbered, first)
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
               links: LinkProvider, numbered: bool, first: int = 1) -> ZaloPlan:
    key = "document" if method == "sendDocument" else "photo"
    caption = str(params.get("caption") or "")
    menu = render_menu(tr, caption, keyboard(params.get("reply_markup")), numbered, first)
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
        if size_of(menu.text) <= ZALO_TEXT_LIMIT:
            return ZaloPlan([ZaloSend("photo", menu.text, url)], remembered)
        return ZaloPlan([ZaloSend("photo", "", url), *_texts(menu.text)], remembered)
    return ZaloPlan(_texts(file_text(tr, name, url, menu.text)), remembered)


def message_result(chat_id: int, message_id: int, date: int, text: str, bot_user: dict[str, Any]) -> dict[str, Any]:
    """The Telegram Message the handlers get back for what was sent (ids are stand-in integers)."""
    return {"message_id": message_id, "date": date, "chat": {"id": chat_id, "type": "private"},
            "from": bot_user, "text": text}
