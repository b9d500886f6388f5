"""The inbox: every arrived update is stored before it is confirmed, then claimed in order per chat.

A row is claimable when it is pending (or its lease expired: the process that had it died) and no earlier
row of the same chat is unfinished, so one chat's updates are processed one at a time and in order, by
whichever process claims them, while different chats go in parallel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from storage.db import Database
from storage.models.transport import InboxUpdate

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"
MAX_ATTEMPTS = 5  # an update that crashed its process this often is set aside (state dead), not retried forever


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
    def __init__(self, db: Database, lease_seconds: float = 60.0, now=time.time) -> None:  # noqa: ANN001
        self.db = db
        self.lease_seconds = lease_seconds
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

    def claim(self, owner: str, channel: str | None = None) -> Claimed | None:
        """The oldest claimable update of a chat with nothing earlier in flight; leased to `owner`."""
        now = self.now()
        earlier = aliased(InboxUpdate)
        blocked = exists().where(earlier.channel == InboxUpdate.channel, earlier.chat_key == InboxUpdate.chat_key,
                                 earlier.seq < InboxUpdate.seq, earlier.state.in_((PENDING, PROCESSING)))
        ready = and_(or_(InboxUpdate.state == PENDING,
                         and_(InboxUpdate.state == PROCESSING, InboxUpdate.lease_until < now)), ~blocked)
        query = select(InboxUpdate.id).where(ready)
        if channel:
            query = query.where(InboxUpdate.channel == channel)
        query = query.order_by(InboxUpdate.seq, InboxUpdate.id).limit(8)
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True, of=InboxUpdate)
        with self.db.engine.begin() as connection:
            for row_id in connection.execute(query).scalars().all():
                won = connection.execute(
                    update(InboxUpdate).where(InboxUpdate.id == row_id, ready)
                    .values(state=PROCESSING, lease_owner=owner, lease_until=now + self.lease_seconds,
                            attempts=InboxUpdate.attempts + 1))
                if won.rowcount == 1:
                    row = connection.execute(select(InboxUpdate).where(InboxUpdate.id == row_id)).one()
                    return Claimed(row.id, row.channel, row.chat_key, row.payload, row.attempts)
        return None

    def finish_in(self, session, claimed: Claimed, owner: str) -> bool:  # noqa: ANN001
        """Mark the update done inside its unit of work (the first write of it); False if the lease was lost."""
        result = session.execute(update(InboxUpdate).where(
            InboxUpdate.id == claimed.id, InboxUpdate.state == PROCESSING, InboxUpdate.lease_owner == owner)
            .values(state=DONE, done_at=self.now()))
        return result.rowcount == 1

    def set_aside(self, claimed: Claimed, owner: str) -> None:
        """An update that failed too often: kept for inspection, no longer blocks its chat."""
        with self.db.engine.begin() as connection:
            connection.execute(update(InboxUpdate).where(InboxUpdate.id == claimed.id,
                                                         InboxUpdate.lease_owner == owner).values(state=DEAD))

    def release(self, claimed: Claimed, owner: str) -> None:
        """Give an update back at once (this process stops): the next claim takes it."""
        with self.db.engine.begin() as connection:
            connection.execute(update(InboxUpdate).where(InboxUpdate.id == claimed.id, InboxUpdate.state == PROCESSING,
                                                         InboxUpdate.lease_owner == owner)
                               .values(state=PENDING, lease_owner="", lease_until=0.0))

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
