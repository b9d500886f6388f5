"""The outbox: Bot API calls written in the transaction that decided them, read back by the channel's sender.

`RecordingRequest` is the Bot API stand-in that writes them: handlers keep calling `context.bot.send_message(...)`;
while an update is processed the call lands in the outbox inside the update's transaction (so the reply exists
exactly when the change does), and the channel's sender makes the real request later. Reads that must return data
(getMe, getFile) go to the network.

While an update from a **group chat** is processed (`Capture.group`), nothing is recorded to that group unless the
code that sends it declared it fit for a group (`for_group()`: the status board, the chart, the short "use a
private chat" notice, notices addressed to the group as a recipient). Anything else meant for the group is
re-routed to the private chat of the person who pressed or typed (an edit of the group's message becomes a new
private message), or dropped when it cannot be (a keyboard change, no known person). So a forged or misplaced
button press can never post a report, a document or a difficulty into a group, whatever the handler does.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, insert, select, update
from telegram.request import BaseRequest, RequestData

from bot.transport.policy import ANSWER, NOT_MESSAGES, NOTIFY, REPLY
from storage.db import Database
from storage.models.transport import OutboxMessage

if TYPE_CHECKING:
    from bot.clock import Clock

PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"
_INSERT = insert(OutboxMessage.__table__)


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    chat_key: str
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]]
    priority: int
    resend: bool
    attempts: int
    ref: str = ""
    not_before: float = 0.0  # epoch seconds: a refused call waits, and its chat's later calls wait behind it


def pack_files(files: dict[str, Any]) -> bytes | None:
    """Uploads as JSON (name, base64 content, mime type) so the row alone can replay the call."""
    if not files:
        return None
    packed = {}
    for field, value in files.items():
        name, content, mime = (value + (None,) * 3)[:3] if isinstance(value, tuple) else (field, value, None)
        if hasattr(content, "read"):
            content = content.read()
        packed[field] = [name, base64.b64encode(content).decode("ascii"), mime]
    return json.dumps(packed).encode("utf-8")


def unpack_files(blob: bytes | None) -> dict[str, tuple[str, bytes, str]]:
    if not blob:
        return {}
    return {field: (name, base64.b64decode(content), mime) for field, (name, content, mime)
            in json.loads(blob.decode("utf-8")).items()}


def enqueue_values(*, channel: str, chat_key: str, method: str, params: dict[str, Any], files: bytes | None,
                   priority: int, resend: bool, inbox_id: int | None, ref: str = "") -> dict[str, Any]:
    return dict(channel=channel, chat_key=chat_key, method=method, params=json.dumps(params, ensure_ascii=False),
                files=files, priority=priority, resend=resend, state=PENDING, inbox_id=inbox_id, ref=ref, not_before=0.0,
                attempts=0, created_at=time.time(), error="")


class Outbox:
    def __init__(self, db: Database, now=time.time) -> None:  # noqa: ANN001
        self.db = db
        self.now = now

    def enqueue(self, session, **values: Any) -> None:  # noqa: ANN001
        """Write one call into `session` (the update's unit of work, or a short transaction of its own)."""
        # Values as parameters of one prebuilt INSERT (compiled once): `.values(**...)` built a new statement per call.
        # Run on the session's connection (its transaction, SAVEPOINT included): a Core INSERT, without the ORM's
        # bulk-insert path, which cost more than the statement itself for one row.
        session.connection().execute(_INSERT, enqueue_values(**values))

    def pending(self, channel: str, limit: int = 200, *, min_priority: int = 0,
                including_later: bool = False) -> list[Outgoing]:
        """The next calls to make, whole, best priority first, oldest first within a priority; only those of
        `min_priority` or worse, and with `including_later` also those told to wait (`not_before`)."""
        query = (select(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.state == PENDING,
                                             OutboxMessage.priority >= min_priority)
                 .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit))
        if not including_later:
            query = query.where(OutboxMessage.not_before <= self.now())
        # Reads end with COMMIT, not ROLLBACK (`begin`, not `connect`): the cost is the same, but psycopg drops
        # every prepared statement of a connection on ROLLBACK, and the update path then parses them again.
        with self.db.engine.begin() as connection:
            rows = connection.execute(query).all()
        return [Outgoing(r.id, r.channel, r.chat_key, r.method, json.loads(r.params), unpack_files(r.files),
                         r.priority, r.resend, r.attempts, r.ref) for r in rows]

    def waiting(self, channel: str, limit: int = 300) -> list[Outgoing]:
        """What the sender's picker needs of the next calls (no parameters or files: `take` reads those for
        the one row it sends), best priority first, oldest first within a priority. Calls told to wait
        (`not_before`) are included: the picker holds their chat's later calls behind them."""
        query = (select(OutboxMessage.id, OutboxMessage.chat_key, OutboxMessage.method, OutboxMessage.priority,
                        OutboxMessage.resend, OutboxMessage.attempts, OutboxMessage.ref, OutboxMessage.not_before)
                 .where(OutboxMessage.channel == channel, OutboxMessage.state == PENDING)
                 .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit))
        with self.db.engine.begin() as connection:
            rows = connection.execute(query).all()
        return [Outgoing(r.id, channel, r.chat_key, r.method, {}, {}, r.priority, r.resend, r.attempts, r.ref,
                         r.not_before) for r in rows]

    def take(self, row: Outgoing) -> Outgoing | None:
        """`mark_sending`, and the call's parameters and files in the same statement; None if already taken."""
        with self.db.engine.begin() as connection:
            found = connection.execute(update(OutboxMessage).where(
                OutboxMessage.id == row.id, OutboxMessage.state == PENDING)
                .values(state=SENDING, attempts=OutboxMessage.attempts + 1)
                .returning(OutboxMessage.params, OutboxMessage.files)).first()
        if found is None:
            return None
        return replace(row, params=json.loads(found.params), files=unpack_files(found.files))

    def mark_sending(self, row_id: int) -> bool:
        """Right before the request leaves: a sender that dies from now on leaves the row in doubt (never resent)."""
        with self.db.engine.begin() as connection:
            return connection.execute(update(OutboxMessage).where(
                OutboxMessage.id == row_id, OutboxMessage.state == PENDING)
                .values(state=SENDING, attempts=OutboxMessage.attempts + 1)).rowcount == 1

    def finish(self, row_id: int, state: str, error: str = "") -> None:
        with self.db.engine.begin() as connection:
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                               .values(state=state, sent_at=self.now(), error=error[:255]))

    def finish_many(self, session, outcomes: list[tuple[int, str, str]]) -> None:  # noqa: ANN001
        """Settle several rows (id, state, error) in `session`: one statement, executed for each row."""
        if outcomes:
            session.connection().execute(update(OutboxMessage).where(OutboxMessage.id == bindparam("row_id"))
                            .values(state=bindparam("new_state"), sent_at=self.now(), error=bindparam("why")),
                            [{"row_id": i, "new_state": state, "why": error[:255]} for i, state, error in outcomes])

    def retry_later(self, row_id: int, after: float, error: str = "") -> None:
        """Certainly not delivered (429, connection refused): pending again, not before `after` seconds."""
        with self.db.engine.begin() as connection:
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                               .values(state=PENDING, not_before=self.now() + after, error=error[:255]))

    def recover(self, channel: str) -> list[str]:
        """A new sender found calls the last one left "sending": each may have reached the chat, so each is
        taken as sent ("unknown") and never sent again. The sender marks a row only after its wait for the
        budget, right before the request leaves, so a row found here had, all but certainly, left (see
        docs/UPDATES.md for the one remaining window). Returns their refs ("" for none), to tell the hooks."""
        with self.db.engine.begin() as connection:
            refs = [ref for (ref,) in connection.execute(select(OutboxMessage.ref).where(
                OutboxMessage.channel == channel, OutboxMessage.state == SENDING))]
            if refs:
                connection.execute(update(OutboxMessage).where(
                    OutboxMessage.channel == channel, OutboxMessage.state == SENDING)
                    .values(state=UNKNOWN, sent_at=self.now(), error="in flight when its sender stopped"))
        return refs

    def recent_chats(self, channel: str, since: float) -> set[str]:
        """Chats with a call settled since `since` (epoch seconds), or still "sending"; after `recover`, the calls
        in flight count as settled at that moment."""
        with self.db.engine.begin() as connection:
            return set(connection.execute(select(OutboxMessage.chat_key).distinct().where(
                OutboxMessage.channel == channel,
                (OutboxMessage.state == SENDING) | (OutboxMessage.sent_at >= since))).scalars())

    def sent_this_month(self, channel: str, min_priority: int, clock: Clock) -> int:
        """Calls sent in the clock's month, which starts at midnight on the 1st in the configured time zone
        (`clock.tz`), not in UTC nor in the machine's zone."""
        now = clock.now()
        start = datetime(now.year, now.month, 1, tzinfo=clock.tz).timestamp()
        with self.db.engine.begin() as connection:
            return connection.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == channel, OutboxMessage.state == SENT,
                OutboxMessage.method.notin_(NOT_MESSAGES), OutboxMessage.priority >= min_priority,
                OutboxMessage.sent_at >= start)).scalar_one()

    def counts(self, channel: str | None = None) -> dict[str, int]:
        query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        if channel:
            query = query.where(OutboxMessage.channel == channel)
        with self.db.engine.begin() as connection:
            return {state: count for state, count in connection.execute(query).all()}


# The Bot API stand-in that writes the rows ---------------------------------------------------------------------
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
log = logging.getLogger(__name__)


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
