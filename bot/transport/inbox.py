"""The inbox: every arrived update is stored before it is confirmed, then claimed in order per chat.

A row is claimable when it is pending and no earlier row of the same chat is unfinished, so one chat's updates
are processed one at a time and in order, by whichever process claims them, while different chats go in
parallel. The claim is part of the update's one transaction (see `claim_in`).

`Processor` processes stored updates, for any channel: it claims one and runs the handlers in its transaction.
A channel plugs in with `decode(session, claimed)`: Telegram's stored update is already the update
(bot.transport.telegram.decode); Zalo's becomes a Telegram-shaped one (bot.transport.zalo.ZaloSide.decode).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, insert, literal_column, select, text
from sqlalchemy.exc import IntegrityError
from telegram import Update

from bot.transport.outbox import Capture, capturing, group_of
from storage.db import Database, Retry
from storage.models import DialogState, Person, Unit
from storage.models.transport import InboxUpdate

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"  # processing, dead: set by hand


# The claim runs for every update: plain SQL, compiled once. A chat's later update waits while an earlier one is
# pending or being processed (the earlier row's claim is not committed yet, so it still reads "pending"). The row
# is picked and marked done in one statement: one round trip, where a SELECT then an UPDATE took two.
_PICK = ("SELECT i.id FROM inboxupdate i "
         "WHERE i.state = 'pending' AND i.channel = :channel AND NOT EXISTS ("
         "SELECT 1 FROM inboxupdate j WHERE j.channel = i.channel AND j.chat_key = i.chat_key "
         "AND j.seq < i.seq AND j.state IN ('pending', 'processing')) ORDER BY i.seq, i.id LIMIT 1")
_CLAIM = ("UPDATE inboxupdate SET state = 'done', done_at = :at, attempts = attempts + 1 WHERE id = ({pick}) "
          "RETURNING id, channel, chat_key, payload, attempts")
# On PostgreSQL the update's transaction commits without waiting for its WAL to reach the disk
# (`synchronous_commit` off for that transaction alone, set by the claim: no statement of its own). Safe because
# nothing leaves the database on its strength alone: the update itself was stored with a durable commit before it
# was confirmed, and every reply or notice it queued is sent only after the sender's mark, a durable commit, which
# flushes the WAL up to and past this one. A PostgreSQL crash can only undo the last fraction of a second of
# processing, claim included, and the stored updates are then processed again: none lost, none twice.
_RELAXED = "set_config('synchronous_commit', 'off', true)"
_CLAIM_SQLITE = text(_CLAIM.format(pick=_PICK))
_CLAIM_PG = text(_CLAIM.format(pick=_PICK + " FOR UPDATE OF i SKIP LOCKED") + f", {_RELAXED} AS relaxed")
_STORE = insert(InboxUpdate)
_ROW = ("id", "channel", "chat_key", "payload", "attempts")


def _claim_with_speaker():  # noqa: ANN202
    """PostgreSQL, Telegram: the claim, and in the same round trip the active person whose Telegram id is the chat's
    (a private chat's id is its person's), with their unit and dialog state. Every update starts by looking up
    its speaker and what their typed message answers: two round trips saved."""
    table = InboxUpdate.__table__
    # (a bound name equal to a column's, such as :channel, would be taken for a SET value of the UPDATE)
    pick = text(_PICK.replace(":channel", ":pick_channel") + " FOR UPDATE OF i SKIP LOCKED")
    pick = pick.columns(id=Integer).scalar_subquery()
    claimed = (table.update().where(table.c.id == pick)
               .values(state=DONE, done_at=bindparam("at"), attempts=table.c.attempts + 1)
               .returning(*(table.c[name] for name in _ROW)).cte("claimed"))
    return (select(*(claimed.c[name] for name in _ROW), Person, Unit, DialogState,
                   literal_column(_RELAXED).label("relaxed")).select_from(claimed)
            .outerjoin(Person, and_(Person.telegram_id == claimed.c.chat_key, Person.is_active))
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .outerjoin(DialogState, DialogState.person_id == Person.id))


_CLAIM_WITH_SPEAKER = _claim_with_speaker()


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
            with self.db.storing() as connection:
                connection.execute(_STORE, values)  # one prebuilt INSERT, compiled once
        except IntegrityError:
            return False
        return True

    def claim_in(self, session, channel: str) -> Claimed | None:  # noqa: ANN001
        """Inside the update's unit of work: take the oldest update of a chat with nothing earlier unfinished.

        The row is marked done at once, in the same transaction that will hold everything the update changes
        and queues: a crash before the commit undoes the mark, so the update is simply claimed again. No lease
        is needed: PostgreSQL's row lock (SKIP LOCKED lets other workers pass it, and the still-uncommitted
        row keeps blocking that chat's later updates) and SQLite's write lock last exactly as long as the work.
        """
        params = {"channel": channel, "at": self.now()}
        if channel == "telegram" and not self.db.is_sqlite:
            rows = session.execute(_CLAIM_WITH_SPEAKER, {"pick_channel": channel, "at": params["at"]}).all()
            if not rows:
                return None
            row = rows[0]
            if len(rows) == 1:  # (telegram_id is unique: never more than one)
                from bot.services.dialogs import remember_dialog
                from bot.services.identity.people import remember_speaker

                memo = self.db.memo(session)
                remember_speaker(memo, "telegram", row.chat_key, row.Person, row.Unit)
                if row.Person is not None:
                    remember_dialog(memo, row.Person.id, row.DialogState)
        else:
            row = session.execute(_CLAIM_SQLITE if self.db.is_sqlite else _CLAIM_PG, params).first()
            if row is None:
                return None
        return Claimed(row.id, row.channel, row.chat_key, row.payload, row.attempts)

    def has_work(self, channel: str | None = None) -> bool:
        """A cheap read (no lock) before opening a unit of work when idle."""
        query = select(InboxUpdate.id).where(InboxUpdate.state == PENDING)
        if channel:
            query = query.where(InboxUpdate.channel == channel)
        with self.db.engine.begin() as connection:
            return connection.execute(query.limit(1)).first() is not None

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func
        with self.db.engine.begin() as connection:
            rows = connection.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)).all()
        return {state: count for state, count in rows}


# Processing a claimed update ----------------------------------------------------------------------------------
log = logging.getLogger(__name__)
Decode = Callable[[Any, Claimed], "tuple[dict[str, Any], str] | None"]


class Processor:
    """Processes one channel's updates with an Application whose bot records calls: one transaction per update,
    claim included (the same class for Telegram and Zalo).

    `channel` picks the inbox rows; `decode(session, claimed)` turns one into (Telegram update dict, chat key of
    the replies) inside the update's transaction, or None when there is nothing for the handlers (Zalo's direct
    answers are queued by the decoder itself).
    """

    def __init__(self, app, db: Database, inbox: Inbox, owner: str, channel: str, decode: Decode) -> None:  # noqa: ANN001
        self.app, self.db, self.inbox, self.owner = app, db, inbox, owner
        self.channel, self.decode = channel, decode
        self.processed = 0

    async def process_next(self) -> bool:
        """Claim, process and commit one update; False when none is claimable.

        A crash anywhere before the commit undoes everything, claim included: the update is processed again
        from scratch. After the commit, its replies are in the outbox. A handler's exception is answered by the
        error handler (an apology, queued) and committed like any other outcome, as before.
        """
        try:
            if not await self._process(savepoints=False):
                return False
        except Retry:  # a block wrote and then raised: run the update again, each block in a SAVEPOINT
            if not await self._process(savepoints=True):
                return False
        self.processed += 1
        return True

    async def _process(self, savepoints: bool) -> bool:
        with self.db.unit_of_work(savepoints=savepoints) as session:
            claimed = self.inbox.claim_in(session, self.channel)
            if claimed is None:
                return False
            decoded = self.decode(session, claimed)
            if decoded is not None:
                payload, chat_key = decoded
                update = Update.de_json(payload, self.app.bot)
                group, presser = group_of(payload)  # a group's update: nothing private may be recorded to it
                with capturing(Capture(chat_key, claimed.id, group=group, presser=presser)):
                    await self.app.process_update(update)
            if Database.tainted(session):
                log.debug("update %s runs again with savepoints: %r", claimed.id, session.info.get("tainted"))
                raise Retry()
        return True
