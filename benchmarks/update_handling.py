"""Benchmark: the update path, offline and live-like, beside a bare python-telegram-bot baseline in the same run.

    .venv/bin/python -m benchmarks.update_handling                       # all four parts, SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.update_handling --parts 1 --pg ""     # offline on SQLite only

1. offline: bare PTB echo vs the full bot (inbox -> one transaction -> outbox -> drain) on SQLite and PostgreSQL:
   updates/s, p50/p95/p99 of handling (store + claim + process + commit), transactions and statements per update;
2. live-like: bot processes (`python -m bot run`, webhook mode) against a local Bot API stand-in with a 100 ms
   round trip enforcing 30/s and 1/s per chat; people answer while a 1,000-recipient reminder fan-out runs
   (each person posts an update, waits for the reply, thinks 0.5-1.5 s, answers again);
3. two processes on PostgreSQL, each person's updates split across them, with back-to-back double sends;
4. (3) with kill -9 of a random process at random instants (restarted a second later).
Webhook deliveries are sequential, as Telegram's are with max_connections=1; a delivery that fails (the process
was killed) is retried on the other process, as a reverse proxy and Telegram's retries would.

What is measured, and how it is kept from disturbing itself: a reply's latency is the moment the stand-in
accepts the first message of the reply minus the moment the update was posted to the bot (its clock, in this
process). The stand-in, the people and the webhook deliveries share this process's event loop, so measuring must
cost next to nothing there: each person waits on a future the stand-in resolves when that chat's reply arrives
(a per-chat index of arrival times), not on a 20 ms poll scanning every message logged so far (which, with 60
people and thousands of messages, kept the loop busy, delayed the stand-in's timestamps and bunched arrivals);
the reminder fan-out is queued by a separate process, set up beforehand and told when to start (as a thread
here it held the GIL for seconds while the stand-in ran). The latency's definition is unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from benchmarks.fake_bot_api_server import FakeBotApiServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH"
WARMUP_ROUNDS = 3  # offline: rounds by other heads before measuring (a process that has been running)
SECRET = "bench-secret-0123456789-abcdefghijklmnop"  # 32+ characters, as the bot requires
FANOUT_AT = datetime(2026, 11, 25, 8, 0)  # a working morning with a reminder step due
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, 50) * 1000:.1f} ms, p95 {pct(values, 95) * 1000:.1f} ms, p99 {pct(values, 99) * 1000:.1f} ms"


class Counters:
    """Transactions (BEGIN, explicit or implicit) and statements on an engine."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.statements = self.transactions = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, *args) -> None:  # noqa: ANN002
        self.statements += 1

    def _begin(self, *args) -> None:  # noqa: ANN002
        self.transactions += 1

    def snapshot(self) -> tuple[int, int]:
        return self.transactions, self.statements


# Part 1 -------------------------------------------------------------------------------------------------
async def bare_echo(n: int) -> tuple[float, list[float]]:
    """python-telegram-bot alone: one MessageHandler that echoes, on the same in-process Bot API stand-in."""
    from telegram import Update
    from telegram.ext import Application, MessageHandler, filters

    from bot.simulator.fake_api import FakeBotApi

    api = FakeBotApi()
    app = Application.builder().token(TOKEN).request(api).get_updates_request(api).build()

    async def echo(update, context) -> None:  # noqa: ANN001
        await context.bot.send_message(update.effective_chat.id, update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    latencies = []
    started = time.perf_counter()
    for i in range(n):
        payload = {"update_id": i + 1, "message": {"message_id": i + 1, "date": 0, "text": f"xin chào {i}",
                                                    "chat": {"id": 1000 + i % 50, "type": "private"},
                                                    "from": {"id": 1000 + i % 50, "is_bot": False, "first_name": "A"}}}
        t = time.perf_counter()
        await app.process_update(Update.de_json(payload, app.bot))
        latencies.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    await app.shutdown()
    return n / total, latencies


async def full_bot(url: str, rounds: int, warmup: int = WARMUP_ROUNDS) -> dict:
    """The whole bot through the simulator (the live path: inbox, one transaction, outbox, drain).

    Measured as a process that has been running: first `warmup` rounds of the same script by the heads of
    nine other units (each statement compiled and prepared, lazily read data read), then `rounds` rounds by the
    nine demo heads, whose reports are started in the first measured round. The same run also reports the
    figures with the warm-up rounds counted, as a freshly started process would see them."""
    from bot.clock import TZ, ManualClock
    from bot.config import Settings
    from bot.domain import Role
    from bot.simulator.harness import ChatSimulator
    from storage.db import Database

    folder = tempfile.mkdtemp()
    settings = Settings(_env_file=None, telegram_bot_token="", data_dir=Path(folder), database_url="")
    db = Database(url)
    db.create_all()
    sim = ChatSimulator(settings, db, ManualClock(datetime(2027, 6, 3, 9, 0, tzinfo=TZ)))
    await sim.start()
    sim.load_demo_people()
    heads = ["hcth", "khtc", "qlkh", "qlcn", "qlcnganh", "thanhtra", "chicuc", "ttud", "phottud"]
    office = sim.services.people.actor_for("telegram", str(sim.personas["vanthu"].user_id))
    others = []
    for i in range(1, len(heads) + 1 if warmup else 1):
        unit = sim.services.org.add_unit(office, f"Đơn vị khởi động {i}")
        sim.services.people.add_person(full_name=f"Người khởi động {i}", role=Role.UNIT_HEAD,
                                       telegram_id=str(3000 + i), unit_id=unit.unit_id)
        sim.add_persona(f"warm{i}", 3000 + i, f"Người khởi động {i}")
        others.append(f"warm{i}")
    counters = Counters(db.engine)
    # As in production, where start-up ends with gc.freeze() (bot/__main__.py): what start-up built is never
    # scanned again, so collections while updates are handled stay short.
    gc.collect()
    gc.freeze()
    handling, cold, sending, last = [], [], [], {}
    totals = dict(tx_h=0, st_h=0, tx_s=0, st_s=0, messages=0)
    rng = random.Random(7)

    async def step(r: int, who: str, group: list[str], measured: bool) -> None:
        action = (r + group.index(who)) % 5
        before_messages = len(sim.api.outbox)
        c0 = counters.snapshot()
        t = time.perf_counter()
        if action == 0 or who not in last:
            payload = sim.typed(who, "/baocao")
        elif action == 2 and last[who].buttons:
            flat = last[who].flat_buttons
            label, data = flat[rng.randrange(len(flat))]
            payload = {"callback_query": {"id": str(rng.random()), "from": sim._user(sim.personas[who]),
                                          "chat_instance": "b", "data": data,
                                          "message": sim.api.message_json(last[who])}}
        elif action == 4:
            number = next(sim.api.file_ids)
            payload = {"message": sim._message(sim.personas[who], document={
                "file_id": f"F{number}", "file_unique_id": f"u{number}", "file_name": "ke-hoach.pdf",
                "mime_type": "application/pdf", "file_size": 24_000})}
        else:
            payload = sim.typed(who, rng.choice(["Đã triển khai 02 văn bản hướng dẫn.", "12", "1.234",
                                                 "có", "bỏ qua", "15/01/2027", "1,5 tỷ", "1"]))
        payload["update_id"] = sim._next_update_id()
        sim.deliver(payload)
        assert await sim.processor.process_next()
        took = time.perf_counter() - t
        cold.append(took)
        c1 = counters.snapshot()
        t = time.perf_counter()
        await sim.sender.drain()
        if measured:
            handling.append(took)
            sending.append(time.perf_counter() - t)
            c2 = counters.snapshot()
            totals["tx_h"] += c1[0] - c0[0]
            totals["st_h"] += c1[1] - c0[1]
            totals["tx_s"] += c2[0] - c1[0]
            totals["st_s"] += c2[1] - c1[1]
            totals["messages"] += len(sim.api.outbox) - before_messages
        mine = [m for m in sim.api.outbox[before_messages:] if m.chat_id == sim.personas[who].user_id]
        if mine:
            last[who] = mine[-1]

    for r in range(warmup):
        for who in others:
            await step(r, who, others, measured=False)
    started = time.perf_counter()
    for r in range(rounds):
        for who in heads:
            await step(r, who, heads, measured=True)
    total = time.perf_counter() - started
    n = len(handling)
    gc.unfreeze()
    await sim.stop()
    db.dispose()
    messages = totals["messages"]
    return {"n": n, "rate": n / sum(handling), "rate_with_sending": n / total, "handling": handling,
            "cold": cold, "warmup": len(cold) - n,
            "tx": totals["tx_h"] / n, "st": totals["st_h"] / n, "tx_send": totals["tx_s"] / max(1, messages),
            "st_send": totals["st_s"] / max(1, messages), "messages": messages}


def pg_floor(url: str, n: int = 300) -> tuple[list[float], list[float], str]:
    """The least a round trip and a durable commit cost on this server: `SELECT 1`, and `BEGIN; INSERT; COMMIT`
    on a logged table (what an update cannot do without; the difference is mostly the WAL flush)."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_floor (id serial PRIMARY KEY, v text)")
        raw.commit()
        sync = cursor.execute("SHOW synchronous_commit").fetchone()[0]
        raw.commit()
        trip, commit = [], []
        for _ in range(n):
            t = time.perf_counter()
            cursor.execute("SELECT 1").fetchone()
            trip.append(time.perf_counter() - t)
            raw.commit()
            t = time.perf_counter()
            cursor.execute("INSERT INTO bench_floor (v) VALUES ('x')")
            raw.commit()
            commit.append(time.perf_counter() - t)
        cursor.execute("DROP TABLE bench_floor")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return trip, commit, sync


async def part1(sqlite_url: str, pg_url: str, rounds: int, warmup: int = WARMUP_ROUNDS) -> None:
    print("== 1. offline handling (in-process Bot API stand-in, no network) ==")
    rate, lat = await bare_echo(2000)
    print(f"bare python-telegram-bot echo: {rate:,.0f} updates/s, {ms(lat)}")
    for name, url in (("SQLite", sqlite_url), ("PostgreSQL", pg_url)):
        if not url:
            continue
        r = await full_bot(url, rounds, warmup)
        print(f"full bot, {name}: {r['rate']:,.0f} updates/s handled ({r['rate_with_sending']:,.0f}/s with the "
              f"outbox drained after each), {ms(r['handling'])} over {r['n']} updates, after {r['warmup']} "
              f"by other heads")
        print(f"  counting from the process's first update: {ms(r['cold'])} over {len(r['cold'])} updates")
        print(f"  per update: {r['tx']:.2f} transactions, {r['st']:.1f} statements (store, claim+process+commit); "
              f"per message sent: {r['tx_send']:.2f} transactions, {r['st_send']:.1f} statements")
        if name == "PostgreSQL":
            trip, commit, sync = pg_floor(url)
            print(f"  floor on this server: a round trip (SELECT 1) {ms(trip)}; BEGIN; INSERT; COMMIT "
                  f"(synchronous_commit {sync}) {ms(commit)}")


# Parts 2-4 ----------------------------------------------------------------------------------------------
def prepare(url: str, people: int, fanout: int) -> None:
    """Schema by migration, the organisation, `people` heads who answer, `fanout` reminder recipients."""
    from bot.clock import TZ, ManualClock
    from bot.config import Settings
    from bot.services import build_services
    from storage.db import Database
    from storage.models import Person, Unit

    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, database_url=url)
    services = build_services(settings, Database(url), ManualClock(FANOUT_AT.replace(tzinfo=TZ)))
    services.db.upgrade()
    services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    now = services.clock.now()
    units = [u.unit_id for u in services.org.list_units()] if hasattr(services.org, "list_units") else []
    with services.db.session() as session:
        if not units:
            units = [u.id for u in session.exec(text("SELECT id FROM unit")).all()] if False else \
                [row[0] for row in session.execute(text("SELECT id FROM unit ORDER BY id")).all()]
        extra = [Unit(code=f"b{u:04d}", name=f"Đơn vị thử {u}", sort_order=100 + u, created_at=now)
                 for u in range((fanout + 9) // 10)]
        session.add_all(extra)
        session.flush()
        session.add_all([Person(full_name=f"Người trả lời {i}", telegram_id=str(500_000 + i), role="unit_head",
                                unit_id=units[i % len(units)], created_at=now, updated_at=now) for i in range(people)])
        session.add_all([Person(full_name=f"Người nhận {i}", telegram_id=str(100_000 + i),
                                role="unit_head" if i % 10 == 0 else "deputy", unit_id=extra[i // 10].id,
                                created_at=now, updated_at=now) for i in range(fanout)])
    services.db.dispose()


async def queue_fanout(url: str, go=None) -> int:  # noqa: ANN001
    """What the periodic reminder task does: due() and the claims with their queued messages, one step
    (after `go()` returns, when given: the imports and set-up are done before)."""
    from telegram.ext import ExtBot
    from telegram.request import HTTPXRequest

    from bot.clock import TZ, ManualClock
    from bot.config import Settings
    from bot.i18n import I18n
    from bot.services import build_services
    from bot.transport.outbox import RecordingRequest
    from handlers.reminders import fan_out
    from storage.db import Database

    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, database_url=url)
    services = build_services(settings, Database(url), ManualClock(FANOUT_AT.replace(tzinfo=TZ)))
    bot = ExtBot(TOKEN, request=RecordingRequest(HTTPXRequest(), services.db))
    if go is not None:
        go()
    items = services.reminders.due()
    report = await fan_out(bot, services, I18n("vi"), items)
    services.db.dispose()
    return report.sent


class Fleet:
    """Bot processes in webhook mode on one database; deliveries go one at a time, as Telegram sends them."""

    def __init__(self, url: str, api_port: int, count: int, workdir: str) -> None:
        self.url, self.api_port, self.workdir = url, api_port, workdir
        self.ports = [_free_port() for _ in range(count)]
        self.procs: list[subprocess.Popen | None] = [None] * count
        self.lock = asyncio.Lock()
        self.client = httpx.AsyncClient(timeout=10)
        self.delivered: list[int] = []
        self.kills = 0
        self.retries = 0

    def start(self, i: int) -> None:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": self.url,
               "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{self.api_port}/bot",
               "WEBHOOK_URL": f"http://127.0.0.1:{self.ports[i]}", "WEBHOOK_PORT": str(self.ports[i]),
               "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_SECRET": SECRET, "DATA_DIR": self.workdir,
               "OFFICE_CHAT_ID": "", "LEADERSHIP_CHAT_ID": ""}
        log = open(Path(self.workdir) / f"bot{i}.log", "a")  # noqa: SIM115
        self.procs[i] = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                         stdout=log, stderr=subprocess.STDOUT)

    async def ready(self) -> None:
        for port in self.ports:
            for _ in range(600):
                try:
                    await self.client.post(f"http://127.0.0.1:{port}/telegram", content=b"{}")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)

    def kill(self, i: int) -> None:
        proc = self.procs[i]
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.kills += 1

    async def deliver(self, payload: dict, target: int) -> float:
        """POST until a process answers 200 (another one when this one is down); returns when it was sent."""
        async with self.lock:
            sent_at = time.monotonic()
            for attempt in range(2000):
                port = self.ports[(target + attempt) % len(self.ports)]
                try:
                    response = await self.client.post(f"http://127.0.0.1:{port}/telegram", json=payload,
                                                      headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                    if response.status_code == 200:
                        self.delivered.append(payload["update_id"])
                        return sent_at
                except httpx.HTTPError:
                    pass
                self.retries += 1
                await asyncio.sleep(0.05)
            raise RuntimeError("no process accepted the update")

    async def stop(self) -> None:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc is not None:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await self.client.aclose()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _state(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as c:
        inbox = dict(c.execute(text("SELECT state, count(*) FROM inboxupdate GROUP BY state")).all())
        outbox = dict(c.execute(text("SELECT state, count(*) FROM outboxmessage GROUP BY state")).all())
    engine.dispose()
    return {"inbox": inbox, "outbox": outbox}


def _order_and_rows(url: str) -> tuple[int, list, set[int]]:
    """Misplaced: a chat's updates processed out of update_id order; sent rows; done update ids."""
    engine = create_engine(url)
    with engine.connect() as c:
        rows = c.execute(text("SELECT chat_key, seq, done_at, external_key FROM inboxupdate WHERE state='done'")).all()
        sent = c.execute(text("SELECT chat_key, method, params, priority, inbox_id, state FROM outboxmessage "
                              "WHERE state IN ('sent', 'unknown')")).all()
    engine.dispose()
    by_chat = defaultdict(list)
    for chat, seq, done_at, _k in rows:
        by_chat[chat].append((done_at, seq))
    misplaced = sum(1 for items in by_chat.values() for a, b in zip(sorted(items), sorted(items)[1:]) if b[1] < a[1])
    return misplaced, sent, {int(k) for *_x, k in rows}


async def live(url: str, processes: int, people: int, fanout: int, duration: float, doubles: bool, kill: bool,
               label: str) -> None:
    workdir = tempfile.mkdtemp()
    prepare(url, people, fanout)
    server = FakeBotApiServer(global_rate=30, per_chat_seconds=1.0, rtt=0.1)
    await server.start()
    fleet = Fleet(url, server.port, processes, workdir)
    for i in range(processes):
        fleet.start(i)
    await fleet.ready()
    rng = random.Random(11)
    ids = iter(range(1, 10_000_000))
    latencies: list[float] = []
    during_fanout: list[float] = []
    unanswered = 0
    fanout_window = [0.0, 0.0]
    stop_at = time.monotonic() + duration

    async def person(i: int) -> None:
        nonlocal unanswered
        chat = str(500_000 + i)
        user = {"id": 500_000 + i, "is_bot": False, "first_name": f"N{i}", "language_code": "vi"}
        k = 0
        await asyncio.sleep(rng.random() * 2)
        while time.monotonic() < stop_at:
            texts = ["/baocao"] if k == 0 else [f"Nội dung trả lời {k}"]
            if doubles and k and k % 3 == 0:
                texts.append(f"Nội dung bổ sung {k}")  # a second message right after the first
            seen = len(server.arrivals[chat])
            sent_at = 0.0
            for n, body in enumerate(texts):
                update_id = next(ids)
                payload = {"update_id": update_id, "message": {
                    "message_id": update_id, "date": int(time.time()), "text": body,
                    "chat": {"id": int(chat), "type": "private"}, "from": user,
                    **({"entities": [{"type": "bot_command", "offset": 0, "length": len(body)}]}
                       if body.startswith("/") else {})}}
                at = await fleet.deliver(payload, (i + k + n) % processes)
                sent_at = sent_at or at
            k += 1
            # Woken by the stand-in when the reply that completes this turn is accepted (no polling).
            replies = await server.wait_arrival(chat, seen + len(texts) - 1, 30)
            if replies is None:
                unanswered += 1
            else:
                latency = replies[seen] - sent_at
                latencies.append(latency)
                if fanout_window[0] and fanout_window[0] <= sent_at <= (fanout_window[1] or 1e18):
                    during_fanout.append(latency)
            await asyncio.sleep(0.5 + rng.random())

    async def start_fanout() -> None:
        # In a process of its own, started (and done importing) beforehand: as a thread of this process it held
        # the GIL for seconds while the stand-in and the people ran here, which delayed the stand-in's clock.
        queuer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.update_handling", "--queue-fanout", url, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        while (line := await queuer.stdout.readline()) and line.strip() != b"ready":
            pass
        await asyncio.sleep(max(0.0, started + 3 - time.monotonic()))
        fanout_window[0] = time.monotonic()
        queuer.stdin.write(b"go\n")
        await queuer.stdin.drain()
        while (line := await queuer.stdout.readline()) and not line.strip().isdigit():
            pass
        queued = int(line.strip() or 0)
        await queuer.wait()
        print(f"  fan-out queued: {queued} reminders")
        recipients = {str(100_000 + i) for i in range(fanout)}
        while time.monotonic() < stop_at + 60 and sum(1 for c in server.accepted if c in recipients) < queued:
            await asyncio.sleep(0.1)
        fanout_window[1] = time.monotonic()

    async def killer() -> None:
        while time.monotonic() < stop_at - 3:
            await asyncio.sleep(rng.uniform(2, 6))
            victim = rng.randrange(processes)
            fleet.kill(victim)
            await asyncio.sleep(1.0)
            fleet.start(victim)

    started = time.monotonic()
    tasks = [person(i) for i in range(people)] + ([start_fanout()] if fanout else []) + ([killer()] if kill else [])
    await asyncio.gather(*tasks)
    # Quiescence: everything stored is processed and everything queued is sent (or settled).
    for _ in range(1200):
        state = _state(url)
        if not state["inbox"].get("pending") and not state["outbox"].get("pending") and \
                not state["outbox"].get("sending"):
            break
        await asyncio.sleep(0.1)
    elapsed = time.monotonic() - started
    await fleet.stop()
    await server.stop()
    misplaced, sent_rows, done_ids = _order_and_rows(url)
    state = _state(url)
    # A row "sent" must arrive once; an "unknown" one (in flight, or sent and not yet recorded, at a kill) at most
    # once: it is taken as sent and never resent. One that never arrived was lost between its mark and the request.
    expected, in_doubt = Counter(), Counter()
    for chat, method, params, _p, _i, row_state in sent_rows:
        if method in FakeBotApiServer.MESSAGE_METHODS:
            (expected if row_state == "sent" else in_doubt)[(chat, json.loads(params).get("text", ""))] += 1
    received = Counter((chat, body) for _t, chat, _m, body in server.log)
    duplicates = sum(max(0, n - expected[key] - in_doubt[key]) for key, n in received.items())
    missed = sum(max(0, n - received[key]) for key, n in expected.items())
    doubt_lost = sum(min(n, max(0, expected[key] + n - received[key])) for key, n in in_doubt.items())
    lost_updates = len(set(fleet.delivered) - done_ids)
    times = sorted(t for t, *_r in server.log)
    peak = max((sum(1 for u in times[k:k + 40] if u - t < 1.0) for k, t in enumerate(times)), default=0)
    recipients = {str(100_000 + i) for i in range(fanout)}
    bulk = [t for t, chat, *_r in server.log if chat in recipients]
    busy = [t for t in times if bulk and bulk[0] <= t <= bulk[-1]]
    busy_rate = (len(busy) - 1) / (busy[-1] - busy[0]) if len(busy) > 2 else 0.0
    print(f"-- {label}: {processes} process(es), {people} people answering for {duration:.0f} s"
          + (f", {fanout}-recipient fan-out" if fanout else "") + (", back-to-back doubles" if doubles else "")
          + (f", kill -9 x{fleet.kills}" if kill else "") + f"; {elapsed:.0f} s in all")
    print(f"  reply latency (all {len(latencies)} answers): {ms(latencies)}")
    if fanout:
        print(f"  reply latency during the fan-out ({len(during_fanout)} answers): {ms(during_fanout)}")
        print(f"  bot-wide sends/s from the first to the last reminder ({len(bulk)} reminders): {busy_rate:.1f} "
              f"({busy_rate / 30:.0%} of 30/s)")
    print(f"  most messages accepted in any 1 s: {peak}; 429 responses: {server.too_many} "
          f"(bot-wide limit {server.too_many - server.too_many_chat}, a chat's limit {server.too_many_chat})")
    print(f"  updates delivered: {len(fleet.delivered)}, lost: {lost_updates}; misplaced (out of order in a chat): "
          f"{misplaced}; people left without a reply: {unanswered}")
    print(f"  replies/messages: duplicates {duplicates}, misses {missed}; in doubt at a kill {sum(in_doubt.values())}, "
          f"of which never arrived {doubt_lost}; inbox {state['inbox']}, outbox {state['outbox']}")
    print(f"  Bot API calls: {dict(server.calls)}")


def _pg_database(url: str):  # noqa: ANN202
    base = make_url(url)
    name = f"thidua_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start (shared with other work); "
          f"python {sys.version.split()[0]}")
    cleanups = []

    def pg() -> str:
        url, drop = _pg_database(args.pg)
        cleanups.append(drop)
        return url

    folder = tempfile.mkdtemp()
    try:
        if "1" in args.parts:
            await part1(f"sqlite:///{folder}/offline.sqlite3", pg() if args.pg else "", args.rounds, args.warmup)
        if "2" in args.parts:
            print("== 2. live-like: 100 ms round trip, 30/s and 1/s per chat enforced ==")
            await live(f"sqlite:///{folder}/live.sqlite3", 1, args.people, args.fanout, args.seconds, False, False,
                       "SQLite")
            if args.pg:
                await live(pg(), 1, args.people, args.fanout, args.seconds, False, False, "PostgreSQL")
        if "3" in args.parts and args.pg:
            print("== 3. two processes on PostgreSQL, each person's updates split across them ==")
            await live(pg(), 2, args.people, 0, args.seconds, True, False, "PostgreSQL x2")
        if "4" in args.parts and args.pg:
            print("== 4. as (2) with the fan-out, two processes, kill -9 at random instants ==")
            await live(pg(), 2, args.people, args.fanout, args.seconds, True, True, "PostgreSQL x2, kills")
    finally:
        for drop in cleanups:
            drop()
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def _queue_fanout_process(url: str) -> None:
    """`--queue-fanout URL`: set up, say "ready", queue the fan-out on "go", print how many were queued."""

    def go() -> None:
        print("ready", flush=True)
        sys.stdin.readline()

    queued = asyncio.run(queue_fanout(url, go))
    print(queued, flush=True)


def run() -> None:
    if sys.argv[1:2] == ["--queue-fanout"]:
        _queue_fanout_process(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="1234")
    parser.add_argument("--pg", default=PG_DEFAULT, help="a PostgreSQL server URL ('' to skip PostgreSQL)")
    parser.add_argument("--rounds", type=int, default=40, help="offline: rounds over the nine demo heads")
    parser.add_argument("--warmup", type=int, default=WARMUP_ROUNDS,
                        help="offline: rounds by nine other heads before measuring (0: measure from the start)")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--fanout", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=40)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    run()
