"""Processing stored updates, for any channel: claim one from the inbox, run the handlers in its transaction.

A channel plugs in with `decode(session, claimed)`: Telegram's stored update is already the update
(bot.transport.telegram.decode); Zalo's becomes a Telegram-shaped one (bot.transport.zalo.ZaloSide.decode).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.transport.inbox import Claimed, Inbox
from bot.transport.recorder import Capture, capturing, group_of
from storage.db import Database, Retry

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
