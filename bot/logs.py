"""Log lines for journald and `docker logs`: one line per event, stamped in the configured time zone.

`2026-12-08T09:00:00.123+07:00 INFO bot.transport.sender: ...`: the offset is written, so a line read on a machine
set to UTC still says when it happened in Quảng Ngãi. A traceback stays on its event's line (newlines written as
"\\n"), so rotation and `grep` never split an event. What is logged names people by their number, never by
what they wrote (tests/test_logs.py); secrets are masked by bot/redact.py on the finished line.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """Times with the zone's offset; the message and any traceback on a single line."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__(FORMAT)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


def configure(zone: tzinfo, level: int = logging.INFO) -> None:
    """The root logger writes one-line records to stderr; chatty libraries only from WARNING."""
    logging.basicConfig(level=level)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(OneLineFormatter(zone))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
