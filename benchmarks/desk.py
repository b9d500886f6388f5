"""Benchmark (not a test): the desk under load beside the chat, in its own process as in production.

    .venv/bin/python -m benchmarks.desk                      # SQLite, 1,000 units, 20 desk users, 60 heads
    .venv/bin/python -m benchmarks.desk --one-process        # the desk served by the bot process itself
    .venv/bin/python -m benchmarks.desk --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m benchmarks.desk --units 200 --phase 10   # a quick look
    .venv/bin/python -m benchmarks.desk --profile all --keep /tmp/deskprof   # each page alone: statements, CPU
    .venv/bin/python -m benchmarks.desk --profile question --keep /tmp/deskprof  # one page, with cProfile's top

One `python -m bot run` process in webhook mode serves the webhooks, against the local Bot API stand-in (100 ms round
trip, 30 messages/s and 1/s per chat enforced), and one `python -m bot desk` process serves the desk on its own port
on the same database, as in production (compose.yaml: DESK_SEPARATE=true for the bot, Caddy passing /desk to the
desk). With `--one-process` the bot process serves the desk too, on its webhooks' tornado server (the shape of a
one-process install, and of production before issue 19).
The database holds N units (the organisation file's and synthetic ones) with a head each; most units' reports are
submitted (copies of one report filled in through the report service), some accepted or returned, the rest not
started; 300 difficulties in every state, a quarter assigned to the deputy directors.

60 heads answer their reports in chat the whole time (each posts an update, waits for the reply, thinks 4-8 s:
below the 30/s pace, so a reply's latency is the bot's work and the round trip, not a queue). The run alternates
phases of chat alone and chat with 20 desk users (15 of the Office, the Director, 4 deputy directors) clicking
through the desk (home, the status page and its grid, a unit's report, one question across all units, the
difficulties list and one item, and the desk's CSS) with 0.5-1.5 s between clicks. A reply is counted in the phase
its update was sent in.

Server time is tornado's own (from the request's arrival to the end of the answer), read from the access log of the
process that served the request, which this script turns on in its bot and desk processes only (`--serve`,
`--serve-desk`); the static file is the desk's CSS from the same server in the same run. Periodic messages
(reminders, summaries) are turned off in the bot process: only the measured load runs. Targets (issue 19): every
page's p95 under 150 ms at 1,000 units; chat replies not slower by more than 10% with the desk users.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from benchmarks.fake_bot_api_server import FakeBotApiServer
from benchmarks.update_handling import SECRET, TOKEN, _free_port, _pg_database, pct

ROOT = Path(__file__).resolve().parent.parent
HEADS, DESK_USERS, ITEMS = 60, 20, 300
PAGES = ["home", "status", "grid", "report", "question", "difficulties", "difficulty", "static"]
PROFILED = PAGES + ["poll"]  # poll: the grid again with its ETag (If-None-Match), as desk.js asks every 15 s
QUIET = {"REMINDER_DAYS_BEFORE": "[]", "REMINDER_ON_DEADLINE_DAY": "false", "REMINDER_OVERDUE_EVERY": "0",
         "REMINDER_OPENING_NOTICE": "false", "REMINDER_DIGEST_DAYS_BEFORE": "0", "STATUS_SUMMARY_WEEKDAYS": "",
         "STATUS_SUMMARY_AFTER_DEADLINE": "false", "OFFICE_CHAT_ID": "", "LEADERSHIP_CHAT_ID": ""}


# The bot process ---------------------------------------------------------------------------------------------
class AccessFile(logging.Handler):
    """tornado's access log (status, "METHOD uri (ip)", milliseconds) as lines: wall time, status, method, uri, ms."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process's life

    def emit(self, record: logging.LogRecord) -> None:
        status, summary, ms = record.args  # type: ignore[misc]
        method, uri = str(summary).split(" ")[:2]
        self.out.write(f"{time.time():.3f} {status} {method} {uri} {ms:.2f}\n")


def serve(access_path: str, command: str = "run") -> int:
    """`python -m bot run` (or `desk`), with tornado's access log (kept at WARNING in production) written to
    `access_path`."""
    import bot.logs
    from bot.__main__ import main as bot_main

    configure = bot.logs.configure

    def with_access_log(zone, level=logging.INFO) -> None:  # noqa: ANN001
        configure(zone, level)
        access = logging.getLogger("tornado.access")
        access.setLevel(logging.INFO)
        access.propagate = False
        access.addHandler(AccessFile(access_path))

    bot.logs.configure = with_access_log
    return bot_main([command])


# The data ----------------------------------------------------------------------------------------------------
def prepare(url: str, data_dir: str, units: int) -> dict:
    """The organisation, the reports, the difficulties, the heads who answer, and a desk session per desk user."""
    from sqlmodel import select

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.domain import Role
    from bot.services import build_services
    from bot.services.reports.autofill import type_until_review
    from storage.db import Database
    from storage.models import Person, Report, ReportAnswer, ReportVersion, Unit

    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, database_url=url, data_dir=Path(data_dir))
    services = build_services(settings, Database(url), SystemClock(settings.tz))
    services.db.upgrade()
    services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    now = services.clock.now()
    period = next(p for p in services.periods.list_periods() if p.code == f"{now.year}-Y")
    existing = [u.unit_id for u in services.org.list_units()]
    with services.db.session() as session:
        extra = [Unit(code=f"b{i:04d}", name=f"Đơn vị thử nghiệm số {i}", sort_order=100 + i, created_at=now)
                 for i in range(units - len(existing))]
        session.add_all(extra)
        session.flush()
        unit_ids = existing + [u.id for u in extra]
        heads = [Person(full_name=f"Trưởng đơn vị {i}", telegram_id=str(700_000 + i), role="unit_head",
                        unit_id=unit_id, created_at=now, updated_at=now) for i, unit_id in enumerate(unit_ids)]
        session.add_all(heads)
        session.flush()
        head_ids = {h.unit_id: h.id for h in heads}
    chatting = unit_ids[-HEADS:]  # their heads answer in chat; their reports are started by /baocao
    with services.db.session() as session:
        for i, unit_id in enumerate(chatting):
            session.get(Person, head_ids[unit_id]).telegram_id = str(500_000 + i)

    # One report filled in through the service, then copied to most other units, in a mix of states.
    first = services.people.actor_for("telegram", str(700_000))
    defaults = {"text": "Đơn vị đã triển khai đầy đủ theo kế hoạch, bảo đảm tiến độ và chất lượng.", "yesno": "có",
                "single": "1", "multi": "1", "integer": "3", "money": "120 triệu", "percent": "80",
                "date": "15/01/2026", "docref": "15/KH-SKHCN"}
    from bot.questionnaire.model import QType

    screen = services.reports.open(first, period.period_id)
    screen = type_until_review(services.reports, first, screen, typed={}, groups={},
                               defaults={getattr(QType, k.upper()): v for k, v in defaults.items()},
                               file={"file_id": "BENCHFILE", "file_name": "ke-hoach.pdf",
                                     "mime_type": "application/pdf", "size": 20480, "kind": "document"})
    screen = services.reports.type_text(first, screen.ref.report_id, screen.ref.step, "gửi")
    services.reports.type_text(first, screen.ref.report_id, screen.ref.step, "xác nhận")
    model_id = screen.ref.report_id
    with services.db.session() as session:
        model = session.get(Report, model_id)
        version = session.exec(select(ReportVersion).where(ReportVersion.report_id == model_id)).one()
        answers = session.exec(select(ReportAnswer).where(ReportAnswer.report_id == model_id)).all()
        report_fields = model.model_dump(exclude={"id", "unit_id", "submitted_by"})
        version_fields = version.model_dump(exclude={"id", "report_id", "submitted_by"})
        answer_fields = [a.model_dump(exclude={"id", "report_id"}) for a in answers]
        question_ids = [a.question_id for a in answers]
    office = services.people.add_person(full_name="Văn thư thử nghiệm", role=Role.OFFICE, telegram_id="600000",
                                        unit_id=services.org.office_unit().unit_id)
    rng = random.Random(19)
    submitted = [u for u in unit_ids[1:] if u not in chatting][: int(units * 0.75)]
    report_ids = [model_id]
    with services.db.session() as session:
        for n, unit_id in enumerate(submitted):
            state = "accepted" if n % 8 == 0 else "returned" if n % 11 == 0 else "submitted"
            decided = {"accepted_at": now, "accepted_by": office.person_id} if state == "accepted" else {}
            report = Report(**{**report_fields, "state": state, "is_late": n % 10 == 0, **decided}, unit_id=unit_id,
                            submitted_by=head_ids[unit_id])
            session.add(report)
            session.flush()
            report_ids.append(report.id)
            session.add(ReportVersion(**{**version_fields, "is_late": n % 10 == 0,
                                         "review_state": state,
                                         **({"reviewed_at": now, "reviewed_by": office.person_id}
                                            if state != "submitted" else {}),
                                         "review_comment": "Đề nghị bổ sung số liệu." if state == "returned" else None},
                                      report_id=report.id, submitted_by=head_ids[unit_id]))
            session.add_all([ReportAnswer(**fields, report_id=report.id) for fields in answer_fields])

    # Difficulties in every state; a quarter assigned to the deputy directors.
    director = services.people.add_person(full_name="Giám đốc thử nghiệm", role=Role.DIRECTOR, telegram_id="600001")
    deputies = [services.people.add_person(full_name=f"Phó Giám đốc {i}", role=Role.DEPUTY_DIRECTOR,
                                           telegram_id=str(600_010 + i)) for i in range(4)]
    clerks = [office] + [services.people.add_person(full_name=f"Chuyên viên {i}", role=Role.OFFICE,
                                                    telegram_id=str(600_100 + i),
                                                    unit_id=services.org.office_unit().unit_id) for i in range(14)]
    assigned: dict[int, list[int]] = defaultdict(list)
    item_ids = []
    for n in range(ITEMS):
        unit_id = rng.choice(submitted)
        head = services.people.actor_for("telegram", str(700_000 + unit_ids.index(unit_id)))
        view, _ = services.escalations.raise_item(head, title=f"Vướng mắc số {n} về giải ngân vốn đầu tư",
                                                  description="Chậm phân bổ kinh phí, đề nghị Sở hướng dẫn.",
                                                  urgent=n % 7 == 0)
        item_ids.append(view.item_id)
        kind = n % 4
        if kind >= 1:
            services.escalations.forward(office, view.item_id, "Kính trình Giám đốc cho ý kiến.")
        if kind == 2:
            deputy = deputies[(n // 4) % len(deputies)]
            services.escalations.assign(director, view.item_id, deputy.person_id)
            assigned[deputy.person_id].append(view.item_id)
        if kind == 3 and n % 8 == 3:
            services.escalations.instruct(director, view.item_id, "Đề nghị Phòng KH-TC phối hợp xử lý.")
    users = []
    for actor in clerks + [director] + deputies:
        secret = services.desk.redeem(services.desk.issue_link(actor)[0]).secret
        users.append({"cookie": secret, "items": assigned.get(actor.person_id) or item_ids})
    services.db.dispose()
    return {"period": period.period_id, "reports": report_ids, "questions": question_ids, "users": users,
            "units": len(unit_ids)}


# The load ----------------------------------------------------------------------------------------------------
async def run(url: str, units: int, phase: float, one_process: bool = False) -> None:
    workdir = tempfile.mkdtemp(prefix="desk-bench-")
    started = time.monotonic()
    world = prepare(url, workdir, units)
    print(f"data: {world['units']} units, {len(world['reports'])} submitted reports, {ITEMS} difficulties, "
          f"{HEADS} heads answering, {len(world['users'])} desk users; prepared in {time.monotonic() - started:.0f} s",
          flush=True)
    api = FakeBotApiServer(global_rate=30, per_chat_seconds=1.0, rtt=0.1)
    await api.start()
    port, desk_port = _free_port(), _free_port()
    accesses = [Path(workdir) / "access.log"] + ([] if one_process else [Path(workdir) / "desk-access.log"])
    env = {**os.environ, **QUIET, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url,
           "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot", "WEBHOOK_URL": f"http://127.0.0.1:{port}",
           "WEBHOOK_PORT": str(port), "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_SECRET": SECRET, "DATA_DIR": workdir,
           "DESK_SEPARATE": "false" if one_process else "true", "DESK_LISTEN": "127.0.0.1",
           "DESK_PORT": str(desk_port), "DESK_BASE_URL": ""}
    procs = []
    for flag, access, name in zip(("--serve", "--serve-desk"), accesses, ("bot", "desk")):
        log = open(Path(workdir) / f"{name}.log", "a")  # noqa: SIM115, ASYNC230 - the child's output, before the load
        procs.append(subprocess.Popen([sys.executable, "-m", "benchmarks.desk", flag, str(access)], cwd=ROOT,
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
    bot_base = f"http://127.0.0.1:{port}"
    base = bot_base if one_process else f"http://127.0.0.1:{desk_port}"  # where the desk users click
    hook = httpx.AsyncClient(timeout=30)
    for probe in {f"{bot_base}/telegram", f"{base}/desk/static/desk.css"}:  # each process listens (any answer)
        for _ in range(600):
            try:
                await hook.get(probe)
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    rng = random.Random(7)
    ids = iter(range(1, 10_000_000))
    phases = ["chat", "chat+desk", "chat", "chat+desk"]
    bounds: list[tuple[float, float, str]] = []  # (start, end, name) in time.monotonic() and time.time()
    turns: list[tuple[float, float]] = []  # (when the update was posted, reply latency)
    unanswered = 0
    desk_on = asyncio.Event()
    done = asyncio.Event()
    client_times: dict[str, list[float]] = defaultdict(list)
    refused = 0

    def phase_at(moment: float) -> str | None:
        return next((name for start, end, name in bounds if start <= moment < end), None)

    lock = asyncio.Lock()  # Telegram delivers one update at a time (max_connections=1), as update_handling does

    async def head(i: int) -> None:
        nonlocal unanswered
        chat = str(500_000 + i)
        user = {"id": 500_000 + i, "is_bot": False, "first_name": f"T{i}", "language_code": "vi"}
        k = 0
        await asyncio.sleep(rng.random() * 4)
        while not done.is_set():
            body = "/baocao" if k == 0 else f"Đơn vị đã triển khai nội dung số {k} theo kế hoạch."
            update_id = next(ids)
            payload = {"update_id": update_id, "message": {
                "message_id": update_id, "date": int(time.time()), "text": body,
                "chat": {"id": int(chat), "type": "private"}, "from": user,
                **({"entities": [{"type": "bot_command", "offset": 0, "length": len(body)}]}
                   if body.startswith("/") else {})}}
            seen = len(api.arrivals[chat])
            async with lock:
                sent_at = time.monotonic()
                await hook.post(f"{bot_base}/telegram", json=payload,
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            k += 1
            arrived = await api.wait_arrival(chat, seen, 30)
            if arrived is None:
                unanswered += 1
            else:
                turns.append((sent_at, arrived[seen] - sent_at))
            await asyncio.sleep(4 + 4 * rng.random())

    async def desk_user(user: dict) -> None:
        nonlocal refused
        cookies = {"__Host-desk": user["cookie"]}
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as client:
            while not done.is_set():
                await desk_on.wait()
                for page in PAGES:
                    if done.is_set() or not desk_on.is_set():
                        break
                    address = address_of(page, world, user, rng)
                    at = time.monotonic()
                    response = await client.get(address)
                    client_times[page].append(time.monotonic() - at)
                    if response.status_code != 200:
                        refused += 1
                    await asyncio.sleep(0.5 + rng.random())

    # Warm-up: every page once (templates compiled, caches filled), outside the figures.
    async with httpx.AsyncClient(base_url=base, cookies={"__Host-desk": world["users"][0]["cookie"]}) as warm:
        for address in ("/desk/", f"/desk/status/{world['period']}", f"/desk/status/{world['period']}/grid",
                        f"/desk/reports/{world['reports'][1]}", f"/desk/questions/{world['period']}",
                        "/desk/difficulties", f"/desk/difficulties/{world['users'][0]['items'][0]}"):
            assert (await warm.get(address)).status_code == 200, address
    # One desk user alone (no chat, no other user), five passes: what each page costs by itself.
    alone_window = [time.time(), 0.0]
    async with httpx.AsyncClient(base_url=base, cookies={"__Host-desk": world["users"][0]["cookie"]}) as one:
        for _ in range(5):
            for page in PAGES:
                await one.get(address_of(page, world, world["users"][0], rng))
    alone_window[1] = time.time()
    tasks = [asyncio.create_task(head(i)) for i in range(HEADS)] + \
        [asyncio.create_task(desk_user(user)) for user in world["users"][:DESK_USERS]]
    await asyncio.sleep(8)  # the heads have all started their reports
    wall: dict[str, list[tuple[float, float]]] = defaultdict(list)
    load_start = os.getloadavg()[0]
    busy: dict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))  # phase -> process -> CPU s
    for name in phases:
        start, wall_start = time.monotonic(), time.time()
        before = cpu_of(procs)
        (desk_on.set if "desk" in name else desk_on.clear)()
        await asyncio.sleep(phase)
        for process, seconds in cpu_of(procs).items():
            busy[name][process] += seconds - before[process]
        bounds.append((start, time.monotonic(), name))
        wall[name].append((wall_start, time.time()))
    desk_on.set()
    done.set()
    await asyncio.wait(tasks, timeout=40)
    load_end = os.getloadavg()[0]
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(30)
    await hook.aclose()
    await api.stop()

    server: dict[str, list[float]] = defaultdict(list)
    by_itself: dict[str, list[float]] = defaultdict(list)
    webhooks_alone: list[float] = []
    for line in (line for access in accesses for line in access.read_text(encoding="utf-8").splitlines()):
        at, status, method, uri, ms = line.split(" ")
        moment = float(at)
        name = next((n for n, spans in wall.items() for a, b in spans if a <= moment < b), None)
        if alone_window[0] <= moment < alone_window[1] and status == "200":
            by_itself[page_of(method, uri)].append(float(ms) / 1000)
        if name is None or status != "200":
            continue
        page = page_of(method, uri)
        if name == "chat+desk":
            server[page].append(float(ms) / 1000)
        elif page == "webhook":
            webhooks_alone.append(float(ms) / 1000)
    print(f"machine: {os.cpu_count()} CPUs shared with other work (load average {load_start:.2f} at the start of the "
          f"phases, {load_end:.2f} at the end); python {sys.version.split()[0]}; "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print("shape: " + ("one `python -m bot run` serving the webhooks and the desk" if one_process else
                       "`python -m bot run` serving the webhooks, `python -m bot desk` the desk (DESK_SEPARATE=true)"))
    print(f"phases: {' / '.join(phases)}, {phase:.0f} s each; desk answers other than 200: {refused}")
    print("server time per page, one desk user alone (no chat), 5 passes:")
    print("  " + ", ".join(f"{page} p50 {pct(v, 50) * 1000:.1f} / p95 {pct(v, 95) * 1000:.1f} ms"
                           for page in PAGES if (v := by_itself.get(page))))
    print("server time per page during chat+desk (tornado's, from the access log of the process serving it):")
    static = server.get("static", [])
    for page in PAGES + ["webhook"]:
        values = server.get(page, [])
        if not values:
            continue
        mark = "" if page in ("static", "webhook") else ("  ok" if pct(values, 95) < 0.150 else "  OVER 150 ms")
        ratio = f", p95 {pct(values, 95) / pct(static, 95):5.1f}x the static file's" if static and page != "static" \
            else ""
        client = client_times.get(page, [])
        seen = f"; seen by the client p95 {pct(client, 95) * 1000:6.1f} ms" if client else ""
        print(f"  {page:<12} {len(values):>5} requests  p50 {pct(values, 50) * 1000:6.1f} ms  "
              f"p95 {pct(values, 95) * 1000:6.1f} ms{ratio}{seen}{mark}")
    print(f"  (webhook alone, chat phases: p50 {pct(webhooks_alone, 50) * 1000:.1f} ms, "
          f"p95 {pct(webhooks_alone, 95) * 1000:.1f} ms over {len(webhooks_alone)} updates)")
    replies: dict[str, list[float]] = defaultdict(list)
    for sent_at, latency in turns:
        if (name := phase_at(sent_at)) is not None:
            replies[name].append(latency)
    alone, loaded = replies.get("chat", []), replies.get("chat+desk", [])
    print("chat reply latency (update posted -> first reply accepted by the stand-in, 100 ms round trip):")
    print(f"  without desk users: {len(alone):>4} replies  p50 {pct(alone, 50) * 1000:6.1f} ms  "
          f"p95 {pct(alone, 95) * 1000:6.1f} ms")
    change = pct(loaded, 95) / pct(alone, 95) - 1 if alone and loaded else float("nan")
    print(f"  with 20 desk users: {len(loaded):>4} replies  p50 {pct(loaded, 50) * 1000:6.1f} ms  "
          f"p95 {pct(loaded, 95) * 1000:6.1f} ms  ({change:+.1%}{'  ok' if change <= 0.10 else '  OVER 10%'})")
    print(f"  heads left without a reply within 30 s: {unanswered}")
    print("CPU used (cores busy, from /proc; the driver is this script: heads, desk users, the Bot API stand-in):")
    for name in dict.fromkeys(phases):
        seconds = sum(b - a for a, b, n in bounds if n == name)
        print(f"  {name:<10} " + ", ".join(f"{process} {used / seconds:.2f}" for process, used in busy[name].items()))


def cpu_of(procs: list[subprocess.Popen]) -> dict[str, float]:
    """CPU seconds (user and system, every thread) so far of the bot process, the desk process with its workers
    (DESK_PROCESSES, forked), and this one."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))

    def of(pid: int) -> float:
        return stats.get(pid, (0, 0.0))[1] + sum(used for parent, used in stats.values() if parent == pid)

    return {**{name: of(proc.pid) for name, proc in zip(("bot", "desk"), procs)}, "driver": time.process_time()}


# Quiet profile of one page ---------------------------------------------------------------------------------------
def profile(page: str, units: int, keep: str, repeat: int, top: int) -> None:
    """One page's cost by itself, in this one process: its SQL statements and CPU time per request, then cProfile's
    costliest functions. Service and template work runs inline on the loop (not in worker threads) so that one
    profiler sees all of it. The data is prepared once in `keep` (a folder) and reused by later runs."""
    import cProfile
    import json
    import pstats

    from sqlalchemy import event

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.i18n import I18n
    from bot.services import build_services
    from bot.web import base as web_base
    from bot.web.app import serve
    from bot.web.desk import Desk, LoopActions
    from storage.db import Database

    folder = Path(keep or tempfile.mkdtemp(prefix="desk-profile-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, saved = f"sqlite:///{folder}/desk.sqlite3", folder / "world.json"
    if not saved.exists() or json.loads(saved.read_text())["units"] != units:
        for stale in folder.glob("desk.sqlite3*"):
            stale.unlink()
        saved.write_text(json.dumps(prepare(url, str(folder), units)))
    world = json.loads(saved.read_text())
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, database_url=url, data_dir=folder,
                        desk_cookie_secure=False)
    services = build_services(settings, Database(url), SystemClock(settings.tz))
    statements = [0]
    event.listen(services.db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))

    async def inline(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - DeskHandler.call, without the thread
        return fn(*args, **kwargs)

    web_base.DeskHandler.call = inline

    async def measure() -> None:
        desk = Desk(services, I18n(tz=settings.tz), settings, LoopActions(lambda: None))
        port = _free_port()
        server = serve(desk, "127.0.0.1", port)
        user, rng = world["users"][0], random.Random(7)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", cookies={"desk": user["cookie"]},
                                     timeout=60) as client:
            names = PROFILED if page == "all" else [page]
            results = []
            for name in names:
                address = address_of(name, world, user, rng)
                warm = await client.get(address)  # warm: templates, caches
                assert warm.status_code == 200, address
                headers, expected = ({"If-None-Match": warm.headers["ETag"]}, 304) if name == "poll" else ({}, 200)
                profiler = cProfile.Profile()
                statements[0], cpu = 0, time.process_time()
                profiler.enable()
                for _ in range(repeat):
                    response = await client.get(address_of(name, world, user, rng), headers=headers)
                    assert response.status_code == expected, name
                profiler.disable()
                cpu = (time.process_time() - cpu) / repeat
                results.append((name, statements[0] / repeat, cpu * 1000, len(response.content)))
                if page != "all":
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
        server.stop()
        print(f"{world['units']} units, SQLite, {repeat} requests per page after one warm-up; CPU of this one "
              f"process (server and client; the static file is the floor); load average {os.getloadavg()[0]:.2f}")
        for name, count, ms, size in results:
            print(f"  {name:<12} {count:6.1f} statements  {ms:7.1f} ms CPU  {size / 1024:7.1f} KiB")

    asyncio.run(measure())
    services.db.dispose()


def address_of(page: str, world: dict, user: dict, rng: random.Random) -> str:
    return {"home": "/desk/", "status": f"/desk/status/{world['period']}",
            "grid": f"/desk/status/{world['period']}/grid", "poll": f"/desk/status/{world['period']}/grid",
            "report": f"/desk/reports/{rng.choice(world['reports'])}",
            "question": f"/desk/questions/{world['period']}?q={rng.choice(world['questions'])}",
            "difficulties": "/desk/difficulties", "difficulty": f"/desk/difficulties/{rng.choice(user['items'])}",
            "static": "/desk/static/desk.css"}[page]


def page_of(method: str, uri: str) -> str:
    path = uri.split("?", 1)[0]
    if path == "/telegram":
        return "webhook"
    if path.startswith("/desk/static/"):
        return "static"
    if path == "/desk/":
        return "home"
    if path.endswith("/grid"):
        return "grid"
    parts = path.strip("/").split("/")
    return {"status": "status", "reports": "report", "questions": "question"}.get(parts[1], "") or \
        ("difficulties" if len(parts) == 2 else "difficulty")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="a PostgreSQL server's URL (a fresh database is made on it)")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--phase", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--one-process", action="store_true",
                        help="the bot process serves the desk too (the shape before issue 19), not a desk process")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--serve-desk", help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="PAGE", choices=PROFILED + ["all"],
                        help="no load: one page's statements, CPU time and cProfile in this process (SQLite)")
    parser.add_argument("--keep", default="", help="with --profile: a folder to keep the prepared data in and reuse")
    parser.add_argument("--repeat", type=int, default=5, help="with --profile: requests per page")
    parser.add_argument("--top", type=int, default=30, help="with --profile: functions listed")
    args = parser.parse_args()
    if args.serve:
        sys.exit(serve(args.serve))
    if args.serve_desk:
        sys.exit(serve(args.serve_desk, "desk"))
    if args.profile:
        profile(args.profile, args.units, args.keep, args.repeat, args.top)
        return
    if args.database:
        url, drop = _pg_database(args.database)
        try:
            asyncio.run(run(url, args.units, args.phase, args.one_process))
        finally:
            drop()
    else:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(f"sqlite:///{folder}/desk.sqlite3", args.units, args.phase, args.one_process))


if __name__ == "__main__":
    main()
