"""The outbox: Bot API calls written in the transaction that decided them, read back by the channel's sender."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from bot.transport.policy import NOT_MESSAGES
from storage.db import Database
from storage.models.transport import OutboxMessage

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

    def sent_this_month(self, channel: str, min_priority: int) -> int:
        start = datetime.now(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()
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
