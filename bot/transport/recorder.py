"""A Bot API stand-in that turns the bot's calls into outbox rows instead of network requests.

Handlers keep calling `context.bot.send_message(...)`; while an update is processed the call lands in the
outbox inside the update's transaction (so the reply exists exactly when the change does), and the channel's
sender makes the real request later. Reads that must return data (getMe, getFile) go to the network.

While an update from a **group chat** is processed (`Capture.group`), nothing is recorded to that group unless the
code that sends it declared it fit for a group (`for_group()`: the status board, the chart, the short "use a
private chat" notice, notices addressed to the group as a recipient). Anything else meant for the group is
re-routed to the private chat of the person who pressed or typed (an edit of the group's message becomes a new
private message), or dropped when it cannot be (a keyboard change, no known person). So a forged or misplaced
button press can never post a report, a document or a difficulty into a group, whatever the handler does.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.transport.outbox import Outbox, pack_files
from bot.transport.policy import ANSWER, NOTIFY, REPLY
from storage.db import Database

log = logging.getLogger(__name__)
PASS_THROUGH = frozenset({"getMe", "getFile", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
                          "getChat", "getChatMember", "logOut", "close"})
# Removing a pressed keyboard adds nothing (presses are re-checked anyway), unless it is the acknowledgement
# itself: such a call is made inside `meant()` (handlers.common.drop_buttons(acknowledge=True)) and is kept.
DROPPED = "editMessageReplyMarkup"


@dataclass(frozen=True)
class Capture:
    """What is being processed: its chat (replies to it are REPLY, others NOTIFY) and inbox row."""

    chat_key: str = ""
    inbox_id: int | None = None
    priority: int | None = None  # forces one priority (reminder fan-outs use BULK)
    ref: str = ""  # told the outcome by the sender (see Sender.on_outcome)
    group: str = ""  # the group chat the update came from ("" for a private chat)
    presser: str = ""  # in a group: the private chat of the person who pressed or typed ("" when unknown)


_CAPTURE: ContextVar[Capture | None] = ContextVar("outbox_capture", default=None)
_MEANT: ContextVar[bool] = ContextVar("outbox_meant", default=False)
_FOR_GROUP: ContextVar[bool] = ContextVar("outbox_for_group", default=False)
_PRIVATE_CHAT_TYPES = frozenset({"private", "sender"})
# What a call to the group becomes in the presser's private chat: sends keep their content; an edit of a group
# message becomes a new private message (its text or caption); anything else (keyboards, deletions) is dropped.
_KEEP_ON_REROUTE = ("text", "caption", "reply_markup", "document", "photo", "parse_mode", "link_preview_options",
                    "entities", "caption_entities", "filename")


def group_of(payload: dict[str, Any]) -> tuple[str, str]:
    """(group chat id, presser's private chat id) of a Telegram update from a group chat, ("", "") otherwise."""
    query = payload.get("callback_query")
    if isinstance(query, dict):
        chat, user = (query.get("message") or {}).get("chat") or {}, query.get("from") or {}
    else:
        holder = next((v for v in payload.values() if isinstance(v, dict) and isinstance(v.get("chat"), dict)), {})
        chat, user = holder.get("chat") or {}, holder.get("from") or {}
    if not isinstance(chat, dict) or chat.get("id") is None or chat.get("type", "private") in _PRIVATE_CHAT_TYPES:
        return "", ""
    presser = user.get("id") if isinstance(user, dict) else None
    return str(chat["id"]), (str(presser) if isinstance(presser, int) and presser > 0 else "")


@contextmanager
def for_group() -> Iterator[None]:
    """Calls inside may reach the group chat being processed: only for what a group may show (the board, the
    chart, the "use a private chat" notice, a notice addressed to the group itself)."""
    token = _FOR_GROUP.set(True)
    try:
        yield
    finally:
        _FOR_GROUP.reset(token)


def private_of(api_method: str, params: dict[str, Any], presser: str) -> tuple[str, dict[str, Any]] | None:
    """The call re-addressed to the presser's private chat, or None when it must be dropped."""
    if not presser:
        return None
    kept = {k: v for k, v in params.items() if k in _KEEP_ON_REROUTE}
    if api_method in ("editMessageText", "editMessageCaption"):
        text = params.get("text") if api_method == "editMessageText" else params.get("caption")
        if not text:
            return None
        kept.pop("caption", None)
        return "sendMessage", {**kept, "text": text, "chat_id": presser}
    if api_method.startswith("send") and api_method != "sendChatAction":
        return api_method, {**kept, "chat_id": presser}
    return None


@contextmanager
def meant() -> Iterator[None]:
    """Calls inside are sent even when the outbox would drop them as adding nothing."""
    token = _MEANT.set(True)
    try:
        yield
    finally:
        _MEANT.reset(token)


@contextmanager
def capturing(capture: Capture) -> Iterator[None]:
    token = _CAPTURE.set(capture)
    try:
        yield
    finally:
        _CAPTURE.reset(token)


@contextmanager
def priority(level: int, ref: str = "") -> Iterator[None]:
    """Every call queued inside the block gets `level` (e.g. BULK for a reminder fan-out) and `ref`."""
    current = _CAPTURE.get() or Capture()
    with capturing(replace(current, priority=level, ref=ref)):
        yield


class RecordingRequest(BaseRequest):
    """Wraps the real request: reads pass through, writes become outbox rows with a synthetic answer."""

    def __init__(self, inner: BaseRequest, db: Database, channel: str = "telegram",
                 route: Callable[[dict[str, Any]], str | None] | None = None) -> None:
        self.inner = inner
        self.route = route  # the channel of a call addressed elsewhere (a Zalo stand-in id), None for `channel`
        self.outbox = Outbox(db)
        self.db = db
        self.channel = channel
        self.queued = 0
        self.dropped = 0
        self._me: bytes | None = None
        self.on_enqueue = None  # a callback (no arguments) that wakes this process's sender

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if api_method in PASS_THROUGH or method == "GET":  # GET: a file download
            if api_method == "getMe" and self._me is not None:
                return 200, self._me
            code, body = await self.inner.do_request(url, method, request_data, read_timeout=read_timeout,
                                                     write_timeout=write_timeout, connect_timeout=connect_timeout,
                                                     pool_timeout=pool_timeout)
            if api_method == "getMe" and code == 200:
                self._me = body
            return code, body
        params = dict(request_data.parameters) if request_data else {}
        if api_method == DROPPED and not params.get("reply_markup") and not _MEANT.get():
            self.dropped += 1
            return 200, b'{"ok": true, "result": true}'
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        capture = _CAPTURE.get()
        if (capture is not None and capture.group and str(params.get("chat_id", "")) == capture.group
                and not _FOR_GROUP.get()):
            private = private_of(api_method, params, capture.presser)
            log.info("%s for group %s while processing its update: %s", api_method, capture.group,
                     "sent to the presser's private chat" if private else "dropped")
            if private is None:
                return 200, b'{"ok": true, "result": true}'
            api_method, params = private
        self._enqueue(api_method, params, files)
        return 200, json.dumps({"ok": True, "result": _synthetic(api_method, params)}).encode()

    def _enqueue(self, api_method: str, params: dict[str, Any], files: dict[str, Any]) -> None:
        capture = _CAPTURE.get() or Capture()
        chat_key = str(params.get("chat_id", ""))
        if capture.priority is not None:
            level = capture.priority
        elif api_method == "answerCallbackQuery":
            level = ANSWER
        elif capture.inbox_id is not None and (chat_key == capture.chat_key
                                                 or (capture.presser and chat_key == capture.presser)):
            level = REPLY
        else:
            level = NOTIFY
        channel = (self.route(params) if self.route is not None else None) or self.channel
        values = dict(channel=channel, chat_key=chat_key or capture.chat_key, method=api_method, params=params,
                      files=pack_files(files), priority=level, resend=level <= NOTIFY, inbox_id=capture.inbox_id,
                      ref=capture.ref)
        ambient = self.db.ambient()
        if ambient is not None:
            self.outbox.enqueue(ambient, **values)
        else:
            with self.db.session() as session:
                self.outbox.enqueue(session, **values)
        self.queued += 1
        if self.on_enqueue is not None:
            self.on_enqueue()


def _synthetic(api_method: str, params: dict[str, Any]) -> Any:
    """What the Bot API would answer, enough for the handler to go on (the message id is not known yet)."""
    if not api_method.startswith("send"):
        return True
    chat = params.get("chat_id", 0)
    try:
        chat_id = int(chat)
    except (TypeError, ValueError):
        chat_id = 0
    message = {"message_id": 0, "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}}
    if "text" in params:
        message["text"] = params["text"]
    if "caption" in params:
        message["caption"] = params["caption"]
    return message
