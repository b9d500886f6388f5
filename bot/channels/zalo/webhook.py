"""What the bot's webhook endpoint answers Zalo: the secret is checked first, then the body is read.

- wrong or missing `X-Bot-Api-Secret-Token` (or no secret configured): 403, nothing read;
- an empty body or a health probe: 200, no updates;
- a body that is not JSON: 400 (Zalo's own verification treats any non-2xx as a failed delivery, so this is only
  seen by something that is not Zalo);
- otherwise 200 with the parsed messages, which the caller stores in the inbox before answering.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.channels.zalo.updates import ZaloIncoming, parse, secret_ok, unwrap


@dataclass(frozen=True)
class WebhookResult:
    status: int
    messages: list[ZaloIncoming] = field(default_factory=list)
    ignored: int = 0  # update objects that were not a person's message (bots, malformed)


def accept(headers: Any, body: bytes, secret: str) -> WebhookResult:
    """Check and parse one webhook request."""
    if not secret_ok(headers, secret):
        return WebhookResult(403)
    if not body.strip():
        return WebhookResult(200)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return WebhookResult(400)
    updates = unwrap(payload)
    messages = [m for m in (parse(u) for u in updates) if m is not None]
    return WebhookResult(200, messages, len(updates) - len(messages))
