"""What a channel says about one call: sent, refused for good, certainly not delivered (retry), or in doubt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot (403)
    UNREACHABLE = "unreachable"  # no chat id, or the chat no longer exists
    FAILED = "failed"  # rejected for good (400): not delivered, not retried
    RETRY = "retry"  # flood control (429): certainly not delivered, retry after `retry_after`
    TRANSIENT = "transient"  # connection failed before the request left: certainly not delivered
    IN_DOUBT = "unknown"  # the request may or may not have been delivered: never resent



@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    retry_after: float = 0.0
    error: str = ""
    message_id: int | None = None  # what the channel called the message it accepted, when it says
