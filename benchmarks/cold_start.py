"""Benchmark: time from process start to the first reply, and idle memory, beside a bare bot started the same way.

    .venv/bin/python -m benchmarks.cold_start

Both run as `python -m ...` in webhook mode against the local Bot API stand-in; one update is posted as soon as
the webhook answers, and the time is taken when the stand-in receives the reply. The idle RSS is read from
/proc five seconds later.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.fake_bot_api_server import FakeBotApiServer
from benchmarks.update_handling import ROOT, SECRET, TOKEN, _free_port, prepare


UPDATE_IDS = iter(range(1, 1_000_000))


def bare(port: int, api: str) -> None:
    """The baseline: python-telegram-bot's own webhook and one echo handler."""
    from telegram.ext import Application, MessageHandler, filters

    async def echo(update, context) -> None:  # noqa: ANN001
        await context.bot.send_message(update.effective_chat.id, update.message.text)

    app = Application.builder().token(TOKEN).base_url(api).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_webhook(listen="127.0.0.1", port=port, url_path="telegram", webhook_url=f"http://127.0.0.1:{port}/telegram",
                    secret_token=SECRET)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(command: list[str], env: dict, port: int, server: FakeBotApiServer) -> tuple[float, float]:
    before = len(server.log)
    started = time.monotonic()
    log = open(Path(tempfile.gettempdir()) / "cold_start.log", "a")  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    update_id = next(UPDATE_IDS)  # a new update each run: the bot ignores one it already stored
    payload = {"update_id": update_id, "message": {"message_id": update_id, "date": int(time.time()), "text": "/batdau",
                                           "chat": {"id": 500000, "type": "private"},
                                           "from": {"id": 500000, "is_bot": False, "first_name": "A"},
                                           "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}}
    async with httpx.AsyncClient(timeout=5) as client:  # noqa: SIM117
        while True:
            try:
                response = await client.post(f"http://127.0.0.1:{port}/telegram", json=payload,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.01)
    while len(server.log) == before:
        await asyncio.sleep(0.005)
    first_reply = server.log[before][0] - started
    await asyncio.sleep(5)
    memory = rss_mb(proc.pid)
    proc.terminate()
    proc.wait(30)
    return first_reply, memory


def compile_bytecode() -> None:
    """The project's modules compiled once, as a deployment's first start leaves them (Python writes __pycache__).

    Without this, a shell with PYTHONDONTWRITEBYTECODE=1 (this project's sandbox sets it) compiles the bot's ~150
    modules from source at every start, while the bare baseline's (site-packages) were compiled at install.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "bot", "handlers", "storage", "benchmarks"], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)


async def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (shared with other work)")
    compile_bytecode()
    print("project bytecode compiled before the runs (as after a deployment's first start)")
    server = FakeBotApiServer(global_rate=30)
    await server.start()
    api = f"http://127.0.0.1:{server.port}/bot"
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/cold.sqlite3"
    prepare(url, 1, 0)
    results = {}
    for name in ("bare", "bot"):
        port = _free_port()
        if name == "bare":
            command = [sys.executable, "-m", "benchmarks.cold_start", "--bare", str(port), api]
            env = dict(os.environ)
        else:
            command = [sys.executable, "-m", "bot", "run"]
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url, "TELEGRAM_API_BASE_URL": api,
                   "WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_PORT": str(port),
                   "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_SECRET": SECRET, "DATA_DIR": folder}
        runs = [await measure(command, env, port, server) for _ in range(3)]
        results[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
    await server.stop()
    for name, label in (("bare", "bare python-telegram-bot echo (run_webhook)"), ("bot", "Trợ lý Thi đua (python -m bot run)")):
        first, memory = results[name]
        print(f"{label}: first reply {first:.2f} s after start (best of 3), idle RSS {memory:.0f} MB")
    import_line = subprocess.run([sys.executable, "-c", "import sys, bot.app, handlers.registry; "
                                  "print(sorted(m for m in ('docx', 'openpyxl', 'matplotlib', 'alembic') if m in sys.modules))"],
                                 cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"heavy libraries loaded at start: {import_line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bare", nargs=2)
    args = parser.parse_args()
    if args.bare:
        bare(int(args.bare[0]), args.bare[1])
    else:
        asyncio.run(main())
