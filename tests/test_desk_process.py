"""The desk in a process of its own (issue 19): a real `python -m bot desk` serves only the desk, on its own port,
beside a real `python -m bot run` that leaves the desk out (DESK_SEPARATE=true); the Office returns a report on
the desk, and the notice to the unit's head, an outbox row the desk process wrote, is sent by the bot process's
sender at its next look at the outbox (every 0.1 s), with no wake-up from the process that queued it. On SQLite
and PostgreSQL, each database migrated by Alembic as in production (the desk process waits for that schema)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from benchmarks.fake_bot_api_server import FakeBotApiServer
from bot.app import boot_services
from bot.clock import ManualClock, SystemClock
from bot.config import PROJECT_ROOT, Settings
from bot.services import build_services
from bot.services.desk.auth import csrf_for
from storage.db import Database
from storage.models.transport import ChannelLease
from tests.conftest import BACKENDS, PG_URL, START
from tests.crash.scenario import QUIET
from tests.desk_site import free_port
from tests.report_helpers import fill, submit
from tests.world import KHTC, head, office, period_id

TOKEN = "123456:DESK-PROCESS"
SECRET = "s" * 40
COMMENT = "Đề nghị bổ sung số liệu giải ngân quý IV."


@pytest.fixture(params=BACKENDS)
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database brought to the newest migration: a SQLite file, or a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
        Database(url).upgrade()
        yield url
        return
    base, name = make_url(PG_URL), f"thidua_desk_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        database = Database(url)
        database.upgrade()
        database.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, data_dir: Path) -> tuple[int, str]:
    """The Office and a unit head; the head's report submitted (at the tests' clock); a desk session of the Office
    started now (the desk process reads the real clock). Returns the report and the session's secret."""
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, database_url=url, data_dir=data_dir)
    database = Database(url)
    services = boot_services(settings, database, ManualClock(START), migrate=False)
    clerk, unit_head = office(services), head(services)
    screen = services.reports.open(unit_head, period_id(services))
    report_id = submit(services, unit_head, fill(services, unit_head, screen)).ref.report_id
    now = build_services(settings, database, SystemClock(settings.tz))
    secret = now.desk.redeem(now.desk.issue_link(clerk)[0]).secret
    database.dispose()
    return report_id, secret


def lease_held(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(ChannelLease).where(ChannelLease.channel == "telegram")).first()
    finally:
        engine.dispose()
    return row is not None and bool(row.owner) and row.expires_at > time.time()


async def until(condition, what: str, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.05)


async def answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(url)
        return True
    except httpx.HTTPError:
        return False


async def test_a_notice_queued_by_the_desk_process_is_sent_by_the_bot_process(migrated: str, tmp_path: Path):
    report_id, secret = await asyncio.to_thread(prepare, migrated, tmp_path)
    api = FakeBotApiServer()
    await api.start()
    bot_port, desk_port = free_port(), free_port()
    env = {**os.environ, **QUIET, "PYTHONUNBUFFERED": "1", "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": migrated,
           "DATA_DIR": str(tmp_path), "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot",
           "WEBHOOK_URL": f"http://127.0.0.1:{bot_port}", "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
           "WEBHOOK_PORT": str(bot_port), "DESK_SEPARATE": "true", "DESK_LISTEN": "127.0.0.1",
           "DESK_PORT": str(desk_port), "DESK_COOKIE_SECURE": "false", "ZALO_BOT_TOKEN": "", "ZALO_WEBHOOK_URL": "",
           "DESK_BASE_URL": "", "OFFICE_CHAT_ID": "", "LEADERSHIP_CHAT_ID": ""}
    processes = []
    for name in ("desk", "run"):
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115, ASYNC230 - the child's output, closed after
        processes.append(await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", name, cwd=PROJECT_ROOT,
                                                              env=env, stdout=log, stderr=log))
        log.close()
    desk, bot = f"http://127.0.0.1:{desk_port}", f"http://127.0.0.1:{bot_port}"
    try:
        await until(lambda: answers(f"{desk}/desk/static/desk.css"), "the desk process listens")
        await until(lambda: answers(f"{bot}/telegram"), "the bot process listens")
        await until(lambda: asyncio.to_thread(lease_held, migrated), "the bot process's sender holds the lease")
        async with httpx.AsyncClient(timeout=30) as client:  # each process serves only its own routes
            assert (await client.get(f"{bot}/desk/static/desk.css")).status_code == 404
            assert (await client.get(f"{bot}/desk/")).status_code == 404
            assert (await client.post(f"{desk}/telegram", content=b"{}")).status_code == 404
            assert (await client.get(f"{desk}/desk/static/desk.css")).status_code == 200
        async with httpx.AsyncClient(base_url=desk, cookies={"desk": secret}, timeout=30) as browser:
            page = await browser.get(f"/desk/reports/{report_id}")
            assert page.status_code == 200 and f'action="/desk/reports/{report_id}/return"' in page.text
            seen = len(api.arrivals[str(KHTC)])
            returned = await browser.post(f"/desk/reports/{report_id}/return",
                                          data={"version": "1", "comment": COMMENT, "csrf": csrf_for(secret)})
            answered_at = time.monotonic()
            assert returned.status_code == 303, returned.text
            assert returned.headers["location"] == f"/desk/reports/{report_id}?done=returned"
        arrived = await api.wait_arrival(str(KHTC), seen, 10)
        assert arrived is not None, (tmp_path / "run.log").read_text(errors="replace")
        latency = arrived[seen] - answered_at
        texts = [t for _at, chat, _method, t in api.log if chat == str(KHTC)]
        assert any(COMMENT in t for t in texts), texts
        print(f"\nthe head's notice arrived {latency * 1000:.0f} ms after the desk process's answer")
        assert latency < 2.0, f"the notice left {latency:.2f} s after the desk's answer"
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
        await api.stop()
    for name in ("desk", "run"):
        logged = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert " ERROR " not in logged and "Traceback" not in logged, logged


def test_run_leaves_the_desk_out_when_a_desk_process_serves_it(tmp_path: Path, db, clock):  # noqa: ANN001
    from bot.i18n import I18n
    from bot.transport.runtime import Runtime

    def runtime(**values) -> Runtime:  # noqa: ANN003
        configured = Settings(_env_file=None, telegram_bot_token=TOKEN, data_dir=tmp_path, database_url="",
                              webhook_url="https://thidua.example.vn", webhook_secret=SECRET, **values)
        return Runtime(configured, build_services(configured, db, clock), I18n())

    one = runtime()
    assert any(route[0].startswith("/desk") for route in one.web_routes())  # one process: `run` serves the desk
    apart = runtime(desk_separate=True)
    assert [route[0] for route in apart.web_routes()] == ["/telegram"]
    desk = [route[0] for route in apart.desk_routes()]
    assert desk[0] == r"/desk/static/(.*)" and all(pattern.startswith("/desk") for pattern in desk)
    # The link /banlamviec sends: the public address (the proxy passes /desk to the desk process), else its port.
    assert apart.settings.desk_url == "https://thidua.example.vn"
    alone = Settings(_env_file=None, desk_separate=True, desk_port=8800)
    assert (alone.desk_url, alone.desk_enabled) == ("http://127.0.0.1:8800", False)
    assert Settings(_env_file=None).desk_url == "http://127.0.0.1:8443"  # unchanged for one process


def test_the_desk_process_needs_a_token(tmp_path: Path, monkeypatch, capsys):  # noqa: ANN001
    from bot.__main__ import main

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert main(["desk"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def desk_workers(parent: int) -> set[int]:
    """The pids whose parent is `parent` (Linux's /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts the workers in Linux's /proc")
async def test_the_desk_process_keeps_its_workers_and_stops_them_all(migrated: str, tmp_path: Path):
    """DESK_PROCESSES workers share the one port; one killed is replaced; SIGTERM to the parent ends every one."""
    port = free_port()
    env = {**os.environ, **QUIET, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": migrated, "DATA_DIR": str(tmp_path),
           "DESK_SEPARATE": "true", "DESK_LISTEN": "127.0.0.1", "DESK_PORT": str(port), "DESK_PROCESSES": "3",
           "ZALO_BOT_TOKEN": "", "ZALO_WEBHOOK_URL": "", "WEBHOOK_URL": ""}
    log = open(tmp_path / "desk.log", "wb")  # noqa: SIM115, ASYNC230 - the child's output, closed after
    desk = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "desk", cwd=PROJECT_ROOT, env=env,
                                                stdout=log, stderr=log)
    log.close()
    css = f"http://127.0.0.1:{port}/desk/static/desk.css"
    try:
        await until(lambda: answers(css), "the desk listens")
        await until(lambda: asyncio.sleep(0, len(desk_workers(desk.pid)) == 3), "three workers")
        first = desk_workers(desk.pid)
        os.kill(min(first), 9)
        await until(lambda: asyncio.sleep(0, len(desk_workers(desk.pid) - {min(first)}) == 3), "a new worker")
        assert len(desk_workers(desk.pid) - first) == 1
        assert await answers(css)
        workers = desk_workers(desk.pid)
        desk.terminate()
        assert await asyncio.wait_for(desk.wait(), 20) == 0
        assert not any(Path(f"/proc/{pid}").exists() and "desk" in Path(f"/proc/{pid}/cmdline").read_text(
            errors="replace") for pid in workers)
        assert not await answers(css)
    finally:
        if desk.returncode is None:
            desk.kill()
    logged = (tmp_path / "desk.log").read_text(errors="replace")
    assert "Traceback" not in logged, logged


GIVES_UP = """
import sys, time
import bot.__main__ as cli
from bot.config import Settings
from bot.redact import Redactor
from tornado.netutil import bind_sockets

cli._serve_desk = lambda settings, sockets=None: 1  # every worker fails at once, as with a broken start
cli.QUICK_DEATH_SECONDS = 30.0
settings = Settings(_env_file=None)
started = time.monotonic()
code = cli._desk_workers(settings, bind_sockets(0, "127.0.0.1"), Redactor([]))
print(code, round(time.monotonic() - started))
"""


def test_the_desk_gives_up_when_its_workers_die_at_start(tmp_path: Path):
    """Workers that end as soon as they start are not restarted for ever: the desk stops and exits 1."""
    import subprocess

    env = {**os.environ, "DATA_DIR": str(tmp_path), "DESK_PROCESSES": "2", "TELEGRAM_BOT_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-c", GIVES_UP], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    code, seconds = done.stdout.split()
    assert code == "1" and int(seconds) < 15, done.stdout
    assert "stopping the desk" in done.stderr
