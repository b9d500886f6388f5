"""Count the project files one action runs: a unit head types an answer, on Telegram and on Zalo.

    .venv/bin/python -m benchmarks.trace_files

Through the simulator (the production wiring on a fake network: inbox, one transaction, outbox, sender), with
the clock in the open six-month period: the head opens the report and types one answer first (imports and
caches warm up), then the next typed answer is traced with sys.setprofile (and threading.setprofile, for the
work handed to threads). Counted: every file under the project (not .venv) in which Python code ran, and the
moves between project files (a call into, or a return to, another file; library code in between is skipped),
with how many of those moves go back to a file already left. Run it from another checkout to compare:
`cd ../old && .venv/bin/python /path/to/benchmarks/trace_files.py`.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path.cwd().resolve()
if str(ROOT) not in sys.path:  # run as a file from another checkout: import that checkout's code
    sys.path.insert(0, str(ROOT))

from bot.clock import TZ, ManualClock  # noqa: E402 - after the path is set
from bot.config import Settings  # noqa: E402
from bot.simulator.harness import ChatSimulator  # noqa: E402
from storage.db import Database  # noqa: E402

SIX_MONTH_OPEN = datetime(2027, 6, 3, 9, 0, tzinfo=TZ)  # only "Báo cáo 6 tháng đầu năm 2027" is open

PROJECT = tuple(str(ROOT / part) for part in ("bot", "handlers", "storage"))


class Trace:
    """The project files that ran, and the moves between them, while active."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.moves = 0
        self.returns = 0
        self._current: str | None = None
        self._left: set[str] = set()
        self._lock = threading.Lock()

    def _at(self, filename: str) -> None:
        if not filename.startswith(PROJECT):
            return
        with self._lock:
            self.files.add(filename)
            if filename != self._current:
                if self._current is not None:
                    self.moves += 1
                    self._left.add(self._current)
                    self.returns += filename in self._left
                self._current = filename

    def profile(self, frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            self._at(frame.f_code.co_filename)
        elif event == "return" and frame.f_back is not None:
            self._at(frame.f_back.f_code.co_filename)

    async def around(self, action: Callable[[], Awaitable[Any]]) -> Any:  # noqa: ANN401
        threading.setprofile(self.profile)
        sys.setprofile(self.profile)
        try:
            return await action()
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]


async def measure(folder: Path, replies: dict[str, list[str]]) -> dict[str, Trace]:
    settings = Settings(_env_file=None, telegram_bot_token="", data_dir=folder, database_url="")
    db = Database(f"sqlite:///{folder / 'trace.sqlite3'}")
    db.create_all()
    sim = ChatSimulator(settings, db, ManualClock(SIX_MONTH_OPEN))
    await sim.start()
    sim.load_demo_people()
    traces: dict[str, Trace] = {}
    try:
        # Telegram: the head of khtc opens the report, types one answer, then the traced one.
        await sim.send("khtc", "/baocao")
        await sim.send("khtc", "3")
        traces["telegram"] = Trace()
        replies["telegram"] = [m.text for m in await traces["telegram"].around(lambda: sim.send("khtc", "3"))]
        # Zalo: an invited head registers by typing the code, opens the report, answers, then the traced one.
        sent = await sim.send("vanthu", "/moi truongphong thanhtra Phạm Văn Mới")
        code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", "\n".join(m.text for m in sent)).group(1)
        sim.add_zalo_persona("moi", "Phạm Văn Mới", user_id=9500)
        await sim.send("moi", code)
        await sim.send("moi", "/baocao")
        await sim.send("moi", "3")
        traces["zalo"] = Trace()
        replies["zalo"] = [m.text for m in await traces["zalo"].around(lambda: sim.send("moi", "3"))]
    finally:
        await sim.stop()
        db.dispose()
    return traces


def main() -> None:
    replies: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        traces = asyncio.run(measure(Path(folder), replies))
    for channel, trace in traces.items():
        outside = [f for f in trace.files if not f.startswith(str(ROOT / "bot" / "simulator"))]
        print(f"a typed answer on {channel}: {len(trace.files)} project files ({len(outside)} outside bot/simulator/, "
              f"the stand-ins and the driver), {trace.moves} moves between files ({trace.returns} back to a file "
              f"already left)")
    if "-v" in sys.argv:
        for channel, trace in traces.items():
            print(f"\n{channel}, the reply: {replies[channel][-1][:160]!r}")
            print("\n".join(sorted(str(Path(f).relative_to(ROOT)) for f in trace.files)))


if __name__ == "__main__":
    main()
