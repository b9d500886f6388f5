"""A Bot API stand-in that turns the bot's calls into outbox rows instead of network requests.

Handlers keep calling `context.bot.send_message(...)`; while an update is processed the call lands in the
outbox inside the update's transaction (so the reply exists exactly when the change does), and the channel's
sender makes the real request later. Reads that must return data (getMe, getFile) go to the network.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.transport.outbox import Outbox, pack_files
from bot.transport.policy import ANSWER, NOTIFY, REPLY
from storage.db import Database

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


_CAPTURE: ContextVar[Capture | None] = ContextVar("outbox_capture", default=None)
_MEANT: ContextVar[bool] = ContextVar("outbox_meant", default=False)


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
    with capturing(Capture(current.chat_key, current.inbox_id, level, ref)):
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
        self._enqueue(api_method, params, files)
        return 200, json.dumps({"ok": True, "result": _synthetic(api_method, params)}).encode()

    def _enqueue(self, api_method: str, params: dict[str, Any], files: dict[str, Any]) -> None:
        capture = _CAPTURE.get() or Capture()
        chat_key = str(params.get("chat_id", ""))
        if capture.priority is not None:
            level = capture.priority
        elif api_method == "answerCallbackQuery":
            level = ANSWER
        elif capture.inbox_id is not None and chat_key == capture.chat_key:
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
