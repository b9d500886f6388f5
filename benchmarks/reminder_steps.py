"""Benchmark: the reminder tests' clock stepping (tests/reminder_helpers.run_until), every hour against next_tick.

    .venv/bin/python -m benchmarks.reminder_steps            # a period from opening to overdue (35 days)

Both runs play the same scenario on a fresh simulator (the demo people, the clock at Tuesday 24 November 2026
09:00, run to 29 December 18:00, as tests/test_reminders.py's first test): the baseline steps every hour, the
other steps with `next_tick`. It prints the ticks, the CPU seconds of this process (less sensitive than wall time
to a busy shared machine) and whether the two runs sent the same messages at the same moments.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import TZ, ManualClock
from bot.config import Settings
from bot.simulator.harness import ChatSimulator
from storage.db import Database
from tests.reminder_helpers import next_tick

START = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
END = datetime(2026, 12, 29, 18, 0, tzinfo=TZ)


async def play(folder: Path, hourly: bool) -> tuple[int, float, list[tuple[str, int, str]]]:
    """(ticks, CPU seconds, what was sent when) for one run from START to END."""
    settings = Settings(_env_file=None, telegram_bot_token="", data_dir=folder, database_url="")
    db = Database(f"sqlite:///{folder / 'steps.sqlite3'}")
    db.create_all()
    sim = ChatSimulator(settings, db, ManualClock(START))
    await sim.start()
    sim.load_demo_people()
    start, stop = settings.working_hours_start, settings.working_hours_end
    ticks, sent = 0, []
    began = time.process_time()
    try:
        while sim.clock.now() < END:
            step = sim.clock.now() + timedelta(hours=1) if hourly else next_tick(sim.clock.now(), start, stop)
            sim.clock.set(min(step, END))
            ticks += 1
            sent += [(sim.clock.now().isoformat(), m.chat_id, m.text) for m in await sim.tick()]
    finally:
        await sim.stop()
        db.dispose()
    return ticks, time.process_time() - began, sent


def main() -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        hourly = asyncio.run(play(Path(a), hourly=True))
        stepped = asyncio.run(play(Path(b), hourly=False))
    print(f"every hour (baseline): {hourly[0]} ticks, {hourly[1]:.1f} s CPU, {len(hourly[2])} messages")
    print(f"next_tick:             {stepped[0]} ticks, {stepped[1]:.1f} s CPU, {len(stepped[2])} messages")
    print(f"same messages at the same moments: {hourly[2] == stepped[2]}")


if __name__ == "__main__":
    main()
