"""Log lines: one per event, stamped with the configured zone's offset, and no one's message text at INFO."""

from __future__ import annotations

import logging
import sys
import time
from zoneinfo import ZoneInfo

from bot.logs import OneLineFormatter

MARKER = "Bí mật riêng của đồng chí 4711"


def test_a_traceback_stays_on_its_events_line_with_the_local_offset(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "UTC")  # the machine's zone must not matter
    time.tzset()
    try:
        raise ValueError("broken\nsecond line")
    except ValueError:
        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info())
    line = OneLineFormatter(ZoneInfo("Asia/Ho_Chi_Minh")).format(record)
    monkeypatch.delenv("TZ")
    time.tzset()
    assert "\n" not in line and "Traceback" in line and "second line" in line
    assert line.split(" ", 1)[0].endswith("+07:00")
    assert " ERROR bot.x: failed here" in line


async def test_what_people_type_never_reaches_an_info_log(sim, caplog) -> None:
    caplog.set_level(logging.INFO)
    await sim.send("khtc", "/baocao")
    for _ in range(4):
        await sim.send("khtc", MARKER)
    await sim.send("khtc", "/vuongmac moi")
    for _ in range(3):
        await sim.send("khtc", MARKER)
    await sim.send("vanthu", "/vuongmac")
    assert not [r for r in caplog.records if MARKER in r.getMessage() or MARKER in (r.exc_text or "")]
