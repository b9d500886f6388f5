"""The interactive (or scripted) simulator: lines from standard input, the bot's replies printed readably."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.channels.links import FileLinks
from bot.simulator.fake_api import SentMessage
from bot.simulator.zalo_fake import ZaloSentMessage
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
  :zalo / :telegram       vai hiện tại nhắn qua Zalo hoặc Telegram / the persona writes on Zalo or on Telegram
  :newzalo <khóa> <tên>   người mới nhắn qua Zalo (gõ mã mời để đăng ký) / a new person on Zalo (types the code)
  :restart                khởi động lại bot / restart the bot     :help     :quit
Trên Zalo không có nút: tin nhắn hiện danh sách đánh số, gõ số hoặc gõ chữ; tệp đến dưới dạng đường dẫn.
On Zalo there are no buttons: messages show numbered lists, type the number or the word; files come as links.
"""
SIM_PUBLIC_URL = "https://simulator.invalid"
FILE_LINK = re.compile(r"https://\S+/f/([A-Za-z0-9_-]{24})/(\S+)")
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

    def name_of_zalo(self, zalo_id: str) -> str:
        for persona in self.sim.personas.values():
            if persona.zalo_id == zalo_id:
                return f"{persona.name} ({persona.key})"
        return zalo_id

    def show_zalo(self, messages: list[ZaloSentMessage]) -> None:
        """As Zalo shows them: plain text (numbered choices, no buttons), photos and files as links."""
        for message in messages:
            print(f"\n💬 Zalo → {self.name_of_zalo(message.chat_id)}:")
            if message.photo:
                print(f"  [ảnh / photo] {message.photo}")
            for line in message.text.splitlines() or [""]:
                print(f"  {line}")
            for token, name in FILE_LINK.findall(message.text + " " + (message.photo or "")):
                opened = self.sim.zalo.links.open(token) if isinstance(self.sim.zalo.links, FileLinks) else None
                if opened is not None:
                    self.out_dir.mkdir(parents=True, exist_ok=True)
                    path = self.out_dir / unquote(name)
                    path.write_bytes(opened[1])
                    print(f"  [tệp tải về / downloaded file] {path}")

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
        """Run one input line; False ends the session. What reached Zalo chats is printed after it."""
        zalo_before = len(self.sim.zalo_api.sent)
        try:
            return await self._handle(line)
        finally:
            self.show_zalo(self.sim.zalo_api.sent[zalo_before:])

    async def _on_zalo(self, line: str) -> None:
        """The current persona writes on Zalo; the Telegram messages it causes (to others) are shown here."""
        sim, me = self.sim, self.current
        before = len(sim.api.outbox)
        if line.startswith("#") and line[1:].strip().isdigit():
            line = line[1:].strip()  # no buttons on Zalo: the number is typed
        if line.startswith(":photo"):
            await sim.zalo_send_photo(me, line[len(":photo"):].strip() or None)
        elif line.startswith(":sticker"):
            await sim.zalo_send_sticker(me)
        else:
            await sim.send(me, line)
        self.show(sim.api.outbox[before:])
        self.show(await sim.tick())

    async def _handle(self, line: str) -> bool:
        line = line.rstrip("\n")
        if not line.strip():
            return True
        sim, me = self.sim, self.current
        if me.channel == "zalo" and (not line.startswith(":") or line.startswith((":photo", ":sticker"))):
            await self._on_zalo(line)
            return True
        if me.channel == "zalo" and line.startswith(":file"):
            print("(Zalo không chuyển tệp cho bot; gửi ảnh bằng :photo / Zalo passes no files to bots; "
                  "send a photo with :photo)")
            return True
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
            # Live, the ticker thread runs the periodic tasks every few minutes; here they run after each action.
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
                where = f"Zalo {persona.zalo_id}" if persona.channel == "zalo" else f"id {persona.user_id}"
                print(f" {mark} {persona.key:10} {persona.name} ({where})")
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
        elif command in ("zalo", "telegram"):
            self.current = sim.switch(me, command)
            print(f"({self.current.name}: {'Zalo' if command == 'zalo' else 'Telegram'})")
        elif command == "newzalo":
            key, _, name = rest.partition(" ")
            if not key:
                print("(cú pháp / usage: :newzalo moi Phạm Văn Mới)")
            else:
                self.current = sim.add_zalo_persona(key, name or key)
                print(f"(bây giờ là / now: {self.current.name} trên Zalo / on Zalo, :as {key})")
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
            if me.zalo_id:
                (sim.zalo_api.blocked.add if command == "block" else sim.zalo_api.blocked.discard)(me.zalo_id)
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


def start_desk(sim: ChatSimulator, settings: Settings, repl: Repl):  # noqa: ANN201
    """The desk on 127.0.0.1 (an Office member types /banlamviec and opens the printed link); None when the port
    is taken."""
    from bot.web.app import serve_simulator

    async def show() -> None:
        repl.show(await sim.tick())

    try:
        server = serve_simulator(sim, settings.desk_port, after=show)
    except OSError as error:
        print(f"(Bàn làm việc không mở được cổng {settings.desk_port} / the desk could not open port "
              f"{settings.desk_port}: {error}; đặt DESK_PORT khác / set another DESK_PORT)")
        return None
    print(f"Bàn làm việc / desk: {settings.desk_base_url}/desk/ (gõ /banlamviec với vai Phòng HC-TH để nhận "
          f"liên kết đăng nhập / type /banlamviec as an Office persona for a sign-in link)")
    return server


async def run_simulator(settings: Settings, fresh: bool = False, stream=None) -> None:  # noqa: ANN001
    """Start the simulator on an embedded SQLite file under the data directory."""
    db_path = settings.data_dir / "simulator.sqlite3"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    # Files for Zalo personas come as links; the REPL saves the linked file next to the others.
    settings = settings.model_copy(update={"database_url": f"sqlite:///{db_path}", "telegram_bot_token": "",
                                           "leadership_chat_id": settings.leadership_chat_id or str(SIM_GROUP_CHAT_ID),
                                           "public_base_url": settings.public_base_url or SIM_PUBLIC_URL,
                                           "desk_base_url": f"http://127.0.0.1:{settings.desk_port}",
                                           "desk_cookie_secure": False})
    db = Database(settings.effective_database_url)
    clock = ManualClock(SystemClock(settings.tz).now().replace(second=0, microsecond=0), settings.tz)
    sim = ChatSimulator(settings, db, clock, migrate=True)
    await sim.start()
    sim.load_demo_people()
    repl = Repl(sim, settings.data_dir / "simulator-out")
    stream = stream or sys.stdin
    interactive = stream.isatty()
    print(HELP)
    print(f"Cơ sở dữ liệu / database: {db_path}")
    desk = start_desk(sim, settings, repl)
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
        if desk is not None:
            desk.stop()
        await sim.stop()
        db.dispose()
