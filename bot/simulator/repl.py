"""The interactive (or scripted) simulator: lines from standard input, the bot's replies printed readably."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.config import Settings
from bot.simulator.fake_api import SentMessage
from bot.simulator.harness import SIM_GROUP_CHAT_ID, ChatSimulator
from storage.db import Database

HELP = """\
Trình mô phỏng Trợ lý Thi đua / Trợ lý Thi đua chat simulator
  (a line of text)        gửi tin nhắn với vai hiện tại / send as the current persona
  :as <vai>               đổi vai / switch persona (:who lists them)
  #<n>                    bấm nút số n của tin nhắn gần nhất có nút / press button n of the last message with buttons
  :file <tên tệp>         gửi tệp / send a document        :photo  gửi ảnh / send a photo
  :sticker                gửi nhãn dán / send a sticker
  :clock [+3d|+4h|+30m|YYYY-MM-DD HH:MM]  xem hoặc tua đồng hồ / show or move the clock forward
  :new <id> <tên>         người lạ mới / a new unregistered person   :lang vi|en  ngôn ngữ Telegram của vai
  :block / :unblock       vai hiện tại chặn / bỏ chặn bot / the persona blocks or unblocks the bot
  :restart                khởi động lại bot / restart the bot     :help     :quit
"""
DURATION = re.compile(r"^\+(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class Repl:
    def __init__(self, sim: ChatSimulator, out_dir: Path) -> None:
        self.sim = sim
        self.out_dir = out_dir
        self.current = next(iter(sim.personas.values()))
        self.last_with_buttons: dict[int, SentMessage] = {}

    def name_of(self, chat_id: int) -> str:
        if chat_id == self.sim.group_chat_id or chat_id < 0:
            return "nhóm / group"
        for persona in self.sim.personas.values():
            if persona.user_id == chat_id:
                return f"{persona.name} ({persona.key})"
        return str(chat_id)

    def show(self, messages: list[SentMessage]) -> None:
        for message in messages:
            head = "✎ (sửa tin / edited)" if message.edited else "🤖"
            print(f"\n{head} → {self.name_of(message.chat_id)}:")
            if message.document:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                path = self.out_dir / message.document[0]
                path.write_bytes(message.document[1])
                print(f"  [tệp / file] {path}")
            if message.photo is not None:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                path = self.out_dir / f"photo-{message.message_id}.png"
                path.write_bytes(message.photo)
                print(f"  [ảnh / photo] {path}")
            for line in message.text.splitlines() or [""]:
                print(f"  {line}")
            if message.buttons:
                self.last_with_buttons[message.chat_id] = message
                number = 0
                for row in message.buttons:
                    cells = []
                    for label, _data in row:
                        number += 1
                        cells.append(f"[{number}] {label}")
                    print("  " + "   ".join(cells))

    async def handle(self, line: str) -> bool:
        """Run one input line; False ends the session."""
        line = line.rstrip("\n")
        if not line.strip():
            return True
        sim, me = self.sim, self.current
        if line.startswith("#") and line[1:].strip().isdigit():
            message = self.last_with_buttons.get(me.user_id)
            index = int(line[1:])
            if message is None or not 1 <= index <= len(message.flat_buttons):
                print("(không có nút số đó / no such button)")
                return True
            self.show(await sim.press(me, message, index))
            self.show(await sim.tick())
            return True
        if not line.startswith(":"):
            self.show(await sim.send(me, line))
            # Live, the JobQueue runs the periodic tasks every few minutes; here they run after each action.
            self.show(await sim.tick())
            return True
        command, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if command in ("quit", "exit", "q"):
            return False
        if command == "help":
            print(HELP)
        elif command == "who":
            for persona in sim.personas.values():
                mark = "*" if persona == me else " "
                print(f" {mark} {persona.key:10} {persona.name} (id {persona.user_id})")
        elif command == "as":
            if rest not in sim.personas:
                print("(không có vai này; gõ :who / unknown persona; type :who)")
            else:
                self.current = sim.personas[rest]
                print(f"(bây giờ là / now: {self.current.name})")
        elif command == "new":
            user_id, _, name = rest.partition(" ")
            if not user_id.isdigit():
                print("(cú pháp / usage: :new 2001 Nguyễn Văn B)")
            else:
                self.current = sim.add_persona(f"u{user_id}", int(user_id), name or f"Người dùng {user_id}")
                print(f"(bây giờ là / now: {self.current.name}, :as u{user_id})")
        elif command == "lang":
            self.current = sim.add_persona(me.key, me.user_id, me.name, rest or "vi")
        elif command == "file":
            self.show(await sim.send_file(me, rest or "bao-cao.pdf"))
        elif command == "photo":
            self.show(await sim.send_photo(me, rest or None))
        elif command == "sticker":
            self.show(await sim.send_sticker(me))
        elif command in ("block", "unblock"):
            (sim.api.blocked.add if command == "block" else sim.api.blocked.discard)(me.user_id)
            print(f"({command}: {me.name})")
        elif command == "restart":
            await sim.restart()
            print("(bot đã khởi động lại / bot restarted)")
        elif command == "clock":
            await self.clock(rest)
        else:
            print("(lệnh mô phỏng không rõ; gõ :help / unknown simulator command; type :help)")
        return True

    async def clock(self, rest: str) -> None:
        sim = self.sim
        if rest:
            if match := DURATION.match(rest):
                delta = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
            else:
                try:
                    target = datetime.strptime(rest, "%Y-%m-%d %H:%M").replace(tzinfo=sim.clock.tz)
                except ValueError:
                    print("(ví dụ / e.g. :clock +3d, :clock 2026-12-18 08:00)")
                    return
                delta = target - sim.clock.now()
                if delta.total_seconds() < 0:
                    print("(chỉ tua tới được / the clock only moves forward)")
                    return
            self.show(await sim.advance(delta))
        print(f"(đồng hồ / clock: {sim.clock.now():%A %Y-%m-%d %H:%M} {sim.clock.tz.key})")


async def run_simulator(settings: Settings, fresh: bool = False, stream=None) -> None:  # noqa: ANN001
    """Start the simulator on an embedded SQLite file under the data directory."""
    db_path = settings.data_dir / "simulator.sqlite3"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    settings = settings.model_copy(update={"database_url": f"sqlite:///{db_path}", "telegram_bot_token": "",
                                           "leadership_chat_id": settings.leadership_chat_id or str(SIM_GROUP_CHAT_ID)})
    db = Database(settings.effective_database_url)
    clock = ManualClock(datetime.now(settings.tz).replace(second=0, microsecond=0), settings.tz)
    sim = ChatSimulator(settings, db, clock, migrate=True)
    await sim.start()
    sim.load_demo_people()
    repl = Repl(sim, settings.data_dir / "simulator-out")
    stream = stream or sys.stdin
    interactive = stream.isatty()
    print(HELP)
    print(f"Cơ sở dữ liệu / database: {db_path}")
    await repl.handle(":who")
    try:
        while True:
            if interactive:
                print(f"\n[{repl.current.key}]> ", end="", flush=True)
            line = await asyncio.get_running_loop().run_in_executor(None, stream.readline)
            if not line:
                break
            if not interactive:
                print(f"\n[{repl.current.key}]> {line.rstrip()}")
            if not await repl.handle(line):
                break
    finally:
        await sim.stop()
        db.dispose()
