"""The Zalo sender's `send`: replay one outbox row through `ZaloRequest.execute` and say what happened.

The row holds the Bot API call as the handler made it (Telegram shapes); `execute` translates it (numbered
choices, 2,000-character pieces, files as links) and answers like the Bot API, which is mapped here to the
sender's outcomes. Zalo's 429 becomes RETRY with an hour's wait: it means the quota, not a burst.
"""

from __future__ import annotations

import json

from bot.channels.zalo.transport import QUOTA_RETRY_AFTER, ZaloRequest
from bot.reminders.fanout import Outcome, SendResult
from bot.transport.outbox import Outgoing

SAFE_NETWORK_ERRORS = ("ConnectError", "ConnectTimeout", "PoolTimeout")  # the request never left


def outcome_of_answer(status: int, body: bytes) -> SendResult:
    """A Bot API shaped answer from `ZaloRequest` as the sender's outcome."""
    if status == 200:
        return SendResult(Outcome.SENT)
    try:
        description = str(json.loads(body).get("description", ""))
    except (ValueError, AttributeError):
        description = ""
    if status == 429:
        return SendResult(Outcome.RETRY, retry_after=float(QUOTA_RETRY_AFTER), error=description)
    if status == 403:
        return SendResult(Outcome.BLOCKED, error=description)
    if status == 400 and "chat not found" in description.lower():
        return SendResult(Outcome.UNREACHABLE, error=description)
    if status == 502:
        safe = any(name in description for name in SAFE_NETWORK_ERRORS)
        return SendResult(Outcome.TRANSIENT if safe else Outcome.IN_DOUBT, error=description)
    return SendResult(Outcome.FAILED, error=description or f"HTTP {status}")


def zalo_send(request: ZaloRequest):  # noqa: ANN201
    """`send(Outgoing) -> SendResult` for `Sender(db, ZALO, zalo_send(request), owner, ...)`."""

    async def send(out: Outgoing) -> SendResult:
        status, body = await request.execute(out.method, dict(out.params), out.files)
        return outcome_of_answer(status, body)

    return send
