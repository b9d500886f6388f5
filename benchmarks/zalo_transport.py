"""Benchmark (not a test): the Zalo transport's own cost, over real HTTP to the local stand-in on 127.0.0.1.

    .venv/bin/python benchmarks/zalo_transport.py              # 300 people
    .venv/bin/python benchmarks/zalo_transport.py --people 1000

For N Zalo people on a fresh SQLite database: (1) inbound: each writes "/start" and then types "2" (decide:
address lookup, menu resolution, Telegram-shaped update); (2) outbound: the bot sends each a three-button menu
through python-telegram-bot (`Bot.send_message` -> ChannelRouter -> ZaloRequest -> HTTP -> stand-in) and the
menu is remembered. No pacing: this measures the translation, database and HTTP overhead a paced sender adds to
each Zalo message (the default pace is ZALO_SEND_RATE = 5 messages/second).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402

from bot.channels.zalo.api import ZaloBotApi  # noqa: E402
from bot.channels.zalo.request import ChannelRouter, ZaloRequest  # noqa: E402
from bot.channels.zalo.updates import decide, parse  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.i18n import I18n  # noqa: E402
from bot.services.channels import ChannelAddressService, MenuService  # noqa: E402
from bot.simulator.fake_api import FakeBotApi  # noqa: E402
from bot.simulator.zalo_fake import TOKEN, ZaloFakeServer, zalo_id  # noqa: E402
from storage.db import Database  # noqa: E402

MENU = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"rep:open:{n}")]
                             for n, label in enumerate(["Báo cáo 6 tháng", "Báo cáo năm", "Tạm dừng"], 1)])


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


async def run(people: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'zalo.sqlite3'}")
        db.create_all()
        clock = ManualClock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
        addresses, menus, i18n = ChannelAddressService(db, clock), MenuService(db, clock), I18n()
        server = ZaloFakeServer()
        await server.start()
        api = ZaloBotApi(TOKEN, server.base_url)
        bot = Bot("1:bench", request=ChannelRouter(FakeBotApi(), ZaloRequest(api, addresses, menus, i18n)))
        await bot.initialize()
        users = [zalo_id(f"bench-{n}") for n in range(people)]
        inbound: list[float] = []
        started = time.perf_counter()
        for n, user in enumerate(users):
            for text in ("/start", "2"):
                raw = server.api.user_update(user, text, name=f"Người {n}")
                t0 = time.perf_counter()
                decide(parse(raw), addresses, menus, i18n, update_id=n)
                inbound.append(time.perf_counter() - t0)
        t_in = time.perf_counter() - started
        outbound: list[float] = []
        started = time.perf_counter()
        for user in users:
            chat = addresses.find("zalo", user).synthetic_id
            t0 = time.perf_counter()
            await bot.send_message(chat, "Đồng chí chọn việc cần làm:", reply_markup=MENU)
            outbound.append(time.perf_counter() - t0)
        t_out = time.perf_counter() - started
        await bot.shutdown()
        await api.close()
        await server.stop()
        db.dispose()
        assert len(server.api.sent) == people and all(menus.current(a) for a in (1, people))
    return [f"{people:>5} people | inbound {2 * people / t_in:7.0f} msg/s, p50 {pct(inbound, .5):5.2f} ms, "
            f"p95 {pct(inbound, .95):5.2f} ms | outbound {people / t_out:6.0f} msg/s, p50 {pct(outbound, .5):5.2f} ms, "
            f"p95 {pct(outbound, .95):5.2f} ms, mean {statistics.mean(outbound) * 1000:5.2f} ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, action="append", help="number of Zalo people (repeatable)")
    sizes = parser.parse_args().people or [300]
    asyncio.run(run(10))  # warm-up
    for size in sizes:
        for line in asyncio.run(run(size)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
