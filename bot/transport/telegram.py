"""The Telegram side of the transport: what an update's chat is, how a queued call is made, and the processor."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.transport.results import Outcome, SendResult
from bot.transport.inbox import Claimed, Inbox, InboundUpdate
from bot.transport.outbox import Outgoing
from bot.transport.recorder import Capture, capturing
from storage.db import Database, Retry

log = logging.getLogger(__name__)
CHANNEL = "telegram"
_CHAT_HOLDERS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message",
                 "my_chat_member", "chat_member", "chat_join_request", "message_reaction")


def inbound(payload: dict[str, Any]) -> InboundUpdate:
    """Telegram's update_id is unique and increasing: the key and the order. The chat keeps a person's order."""
    update_id = int(payload["update_id"])
    return InboundUpdate(CHANNEL, str(update_id), update_id, chat_key_of(payload),
                         json.dumps(payload, ensure_ascii=False))


def chat_key_of(payload: dict[str, Any]) -> str:
    for key in _CHAT_HOLDERS:
        chat = (payload.get(key) or {}).get("chat")
        if chat and "id" in chat:
            return str(chat["id"])
    query = payload.get("callback_query")
    if query:
        message = query.get("message") or {}
        if (message.get("chat") or {}).get("id") is not None:
            return str(message["chat"]["id"])
        return str(query["from"]["id"])
    for value in payload.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return str(value["from"]["id"])
    return f"u{payload['update_id']}"  # no chat at all: orders with nothing


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def telegram_send(bot: Bot):  # noqa: ANN201
    """Make one queued call; say whether it certainly did not leave (retry) or may have (never resent)."""

    async def send(out: Outgoing) -> SendResult:
        data: dict[str, Any] = dict(out.params)
        for field, (name, content, _mime) in out.files.items():
            data[field] = InputFile(content, filename=name)
        try:
            answer = await bot._post(out.method, data)  # noqa: SLF001 - replaying a recorded call as it was made
        except TelegramError as error:
            return outcome_of(error)
        message_id = answer.get("message_id") if isinstance(answer, dict) else None
        return SendResult(Outcome.SENT, message_id=message_id if isinstance(message_id, int) else None)

    return send


def outcome_of(error: TelegramError) -> SendResult:
    """What a failed call means, separating "certainly not delivered" (retry) from "may have been" (never resent)."""
    if isinstance(error, RetryAfter):
        return SendResult(Outcome.RETRY, retry_after=_retry_seconds(error), error=str(error))
    if isinstance(error, Forbidden):
        return SendResult(Outcome.BLOCKED, error=str(error))
    if isinstance(error, BadRequest):
        text = str(error).lower()
        if "not modified" in text or "query is too old" in text or "query id is invalid" in text:
            return SendResult(Outcome.SENT, error=str(error))
        gone = any(w in text for w in ("chat not found", "user not found", "chat_id is empty", "deactivated"))
        return SendResult(Outcome.UNREACHABLE if gone else Outcome.FAILED, error=str(error))
    if isinstance(error, TimedOut):  # only a connect or pool timeout proves the request never left
        safe = isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))
        return SendResult(Outcome.TRANSIENT if safe else Outcome.IN_DOUBT, error=str(error))
    if isinstance(error, NetworkError):
        safe = isinstance(error.__cause__, httpx.ConnectError)
        return SendResult(Outcome.TRANSIENT if safe else Outcome.IN_DOUBT, error=str(error))
    return SendResult(Outcome.FAILED, error=str(error))


Decode = Callable[[Any, Claimed], "tuple[dict[str, Any], str] | None"]


def decode(_session: Any, claimed: Claimed) -> tuple[dict[str, Any], str] | None:
    """A stored Telegram update is already the update; its chat is the stored chat key."""
    return json.loads(claimed.payload), claimed.chat_key


class Processor:
    """Processes updates with an Application whose bot records calls: one transaction per update, claim included.

    `channel` picks the inbox rows; `decode(session, claimed)` turns one into (Telegram update dict, chat key of
    the replies) inside the update's transaction, or None when there is nothing for the handlers (Zalo's direct
    answers are queued by the decoder itself).
    """

    def __init__(self, app, db: Database, inbox: Inbox, owner: str, channel: str = CHANNEL,  # noqa: ANN001
                 decode: Decode = decode) -> None:
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
                with capturing(Capture(chat_key, claimed.id)):
                    await self.app.process_update(update)
            if Database.tainted(session):
                log.debug("update %s runs again with savepoints: %r", claimed.id, session.info.get("tainted"))
                raise Retry()
        return True
