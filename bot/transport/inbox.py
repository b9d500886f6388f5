"""The inbox: every arrived update is stored before it is confirmed, then claimed in order per chat.

A row is claimable when it is pending and no earlier row of the same chat is unfinished, so one chat's updates
are processed one at a time and in order, by whichever process claims them, while different chats go in
parallel. The claim is part of the update's one transaction (see `claim_in`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from storage.db import Database
from storage.models.transport import InboxUpdate

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"  # processing, dead: set by hand


@dataclass(frozen=True)
class InboundUpdate:
    """What a channel adapter hands the inbox: a unique key, an order, the chat, and the raw payload."""

    channel: str
    external_key: str
    seq: int
    chat_key: str
    payload: str


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    chat_key: str
    payload: str
    attempts: int


class Inbox:
    def __init__(self, db: Database, now=time.time) -> None:  # noqa: ANN001
        self.db = db
        self.now = now

    def store(self, item: InboundUpdate) -> bool:
        """Durably record an arrival; False when it was already stored (a redelivery). Commits."""
        values = dict(channel=item.channel, external_key=item.external_key, seq=item.seq, chat_key=item.chat_key,
                      payload=item.payload, state=PENDING, lease_owner="", lease_until=0.0, attempts=0,
                      received_at=self.now())
        try:
            with self.db.engine.begin() as connection:
                connection.execute(insert(InboxUpdate).values(**values))
        except IntegrityError:
            return False
        return True

    def claim_in(self, session, channel: str | None = None) -> Claimed | None:  # noqa: ANN001
        """Inside the update's unit of work: take the oldest update of a chat with nothing earlier unfinished.

        The row is marked done at once, in the same transaction that will hold everything the update changes
        and queues: a crash before the commit undoes the mark, so the update is simply claimed again. No lease
        is needed: PostgreSQL's row lock (SKIP LOCKED lets other workers pass it, and the still-uncommitted
        row keeps blocking that chat's later updates) and SQLite's write lock last exactly as long as the work.
        """
        earlier = aliased(InboxUpdate)
        blocked = exists().where(earlier.channel == InboxUpdate.channel, earlier.chat_key == InboxUpdate.chat_key,
                                 earlier.seq < InboxUpdate.seq, earlier.state.in_((PENDING, PROCESSING)))
        query = select(InboxUpdate).where(InboxUpdate.state == PENDING, ~blocked)
        if channel:
            query = query.where(InboxUpdate.channel == channel)
        query = query.order_by(InboxUpdate.seq, InboxUpdate.id).limit(1)
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True, of=InboxUpdate)
        row = session.execute(query).scalars().first()
        if row is None:
            return None
        session.execute(update(InboxUpdate).where(InboxUpdate.id == row.id)
                        .values(state=DONE, done_at=self.now(), attempts=row.attempts + 1))
        return Claimed(row.id, row.channel, row.chat_key, row.payload, row.attempts + 1)

    def has_work(self, channel: str | None = None) -> bool:
        """A cheap read (no lock) before opening a unit of work when idle."""
        query = select(InboxUpdate.id).where(InboxUpdate.state == PENDING)
        if channel:
            query = query.where(InboxUpdate.channel == channel)
        with self.db.engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func
        with self.db.engine.connect() as connection:
            rows = connection.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)).all()
        return {state: count for state, count in rows}

    def prune(self, older_than: float = 7 * 86400) -> int:
        """Forget finished updates after a week (they carry people's texts)."""
        from sqlalchemy import delete
        with self.db.engine.begin() as connection:
            return connection.execute(delete(InboxUpdate).where(
                InboxUpdate.state == DONE, InboxUpdate.done_at < self.now() - older_than)).rowcount
