"""Secrets (bot token, webhook secret, database password) never reach a log or the console.

Redaction happens on the finished text of each record, exception tracebacks included, and in the hook that prints
an uncaught exception, so no code path has to remember to do it. This is the one redactor: the Telegram token's
filter (handlers/errors.py) and the Zalo client's (its httpx request log and its error texts, bot/channels/zalo/api.py)
are made of `Redactor` and `RedactingFilter` too.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

from sqlalchemy.engine import make_url

MASK = "<secret>"


class Redactor:
    """Replaces each known secret by a mask."""

    def __init__(self, secrets: Iterable[str], mask: str = MASK) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self.mask = mask

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, self.mask)
        return text


class RedactingFilter(logging.Filter):
    """A handler filter: the message and any traceback are rendered, redacted, and frozen into the record."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(settings) -> list[str]:  # noqa: ANN001
    """What must never be shown: the token, the webhook secret, the database password."""
    found = [settings.telegram_bot_token, settings.webhook_secret, settings.zalo_bot_token.get_secret_value(),
             settings.zalo_webhook_secret.get_secret_value()]
    if settings.database_url:
        try:
            found.append(make_url(settings.database_url).password or "")
        except Exception:  # noqa: BLE001 - an unparsable URL has no password we can find; it is reported elsewhere
            pass
    return [s for s in found if s]


def install(redact: Redactor) -> None:
    """Every handler of the root logger (and the last-resort one) filters, and uncaught exceptions are redacted."""
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redact))

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, error, tb))))

    sys.excepthook = hook
