"""The live process: a receiver (polling or webhook) that only stores, worker threads that process, one sender.

Threads, not tasks, process updates: every handler's database work is synchronous, and in its own thread (with
its own event loop and Application) it never stalls receiving or sending, and a lock wait in one update never
holds up another. Across processes the inbox claim spreads the work; the sender lease keeps one send budget.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field, replace

import httpx
from telegram import Bot, Update
from telegram.error import Conflict, NetworkError
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.i18n import I18n
from bot.services import Services
from bot.transport.inbox import Inbox
from bot.transport.outbox import Outbox
from bot.transport.policy import TELEGRAM, ChannelPolicy
from bot.transport.recorder import RecordingRequest
from bot.transport.sender import Sender
from bot.transport.telegram import CHANNEL, Processor, inbound, telegram_send
from bot.transport.wiring import blocked_hook, outcome_hook

log = logging.getLogger(__name__)
TICKER_START_DELAY = 2.0  # seconds


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:48]


@dataclass
class Runtime:
    """Everything one process runs; `stop` ends it cleanly (a kill -9 is covered by the leases)."""

    settings: Settings
    services: Services
    i18n: I18n
    owner: str = field(default_factory=process_name)
    stop_flag: threading.Event = field(default_factory=threading.Event)
    work_ready: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    processed: int = 0

    def __post_init__(self) -> None:
        self.db = self.services.db
        self.inbox = Inbox(self.db)
        rate = min(self.settings.send_rate or TELEGRAM.rate, TELEGRAM.hard_limit - 1)
        self.policy: ChannelPolicy = replace(TELEGRAM, rate=rate)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sender: Sender | None = None
        self.bot: Bot | None = None
        self._tls: ssl.SSLContext | None = None

    def _request(self, pool: int = 8) -> HTTPXRequest:
        # Every client shares one TLS context: each would otherwise load the CA bundle again (~40 ms of CPU at
        # start for each of the four or five clients a process makes).
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return HTTPXRequest(connection_pool_size=pool, read_timeout=30, httpx_kwargs={"verify": self._tls})

    def _bot_kwargs(self) -> dict:
        base = self.settings.telegram_api_base_url
        return {"base_url": base} if base else {}

    def _build_app(self):  # noqa: ANN202
        """An Application for one thread: its bot records calls into the outbox (reads go to the network)."""
        from bot.app import build_application

        return build_application(self.settings, self.services, self.i18n,
                                 request=RecordingRequest(self._request(2), self.db, CHANNEL), live=False)

    def wake_sender(self) -> None:
        if self.loop is not None and self.sender is not None:
            self.loop.call_soon_threadsafe(self.sender.wake)

    # Threads --------------------------------------------------------------------------------------------
    def _worker(self, index: int) -> None:
        asyncio.run(self._work(f"{self.owner}:w{index}"))

    async def _work(self, owner: str) -> None:
        app = self._build_app()
        await app.initialize()
        processor = Processor(app, self.db, self.inbox, owner)
        try:
            while not self.stop_flag.is_set():
                if await processor.process_next():
                    self.processed += 1
                    self.wake_sender()
                    continue
                # Idle: a blocking wait is fine (this thread has nothing else to do), then a lock-free look.
                while not self.stop_flag.is_set():
                    self.work_ready.wait(0.25)
                    self.work_ready.clear()
                    if self.inbox.has_work(CHANNEL):
                        break
        finally:
            await app.shutdown()

    def _ticker(self) -> None:
        asyncio.run(self._tick())

    async def _tick(self) -> None:
        from handlers.commands import publish_default_menus

        # Nothing here is urgent (the tasks' first run is 10 s away): leave the CPU to the worker answering the
        # first update at start-up.
        if self.stop_flag.wait(TICKER_START_DELAY):
            return
        app = self._build_app()
        await app.initialize()
        try:
            await publish_default_menus(app.bot, app.bot_data.commands, app.bot_data.i18n)
            due = {task.name: time.monotonic() + 10 for task in app.bot_data.ticker.tasks}
            prune_at = time.monotonic() + 60
            while not self.stop_flag.wait(1.0):
                if time.monotonic() >= prune_at:  # finished updates and sent calls are kept a week
                    prune_at = time.monotonic() + 6 * 3600
                    self.inbox.prune()
                    Outbox(self.db).prune()
                for task in app.bot_data.ticker.tasks:
                    if time.monotonic() >= due[task.name]:
                        due[task.name] = time.monotonic() + task.every.total_seconds()
                        try:
                            await task.run()
                        except Exception:  # one failing task must not stop the others
                            log.exception("periodic task %s failed", task.name)
                        self.wake_sender()
        finally:
            await app.shutdown()

    def start_threads(self) -> None:
        workers = self.settings.update_workers or (1 if self.db.is_sqlite else 2)
        for index in range(workers):
            self.threads.append(threading.Thread(target=self._worker, args=(index,), name=f"worker-{index}",
                                                 daemon=True))
        self.threads.append(threading.Thread(target=self._ticker, name="ticker", daemon=True))
        for thread in self.threads:
            thread.start()

    # The event loop: receiving and sending -----------------------------------------------------------------
    def store(self, payloads: list[dict]) -> int:
        stored = sum(self.inbox.store(inbound(p)) for p in payloads)
        self.work_ready.set()
        return stored

    async def poll(self, stop: asyncio.Event) -> None:
        """getUpdates, store, and only then ask for the next offset (which confirms the stored ones)."""
        await self.bot._post("deleteWebhook", {"drop_pending_updates": False})  # noqa: SLF001
        offset: int | None = None
        while not stop.is_set():
            try:
                updates = await self.bot._post("getUpdates", {  # noqa: SLF001 - the raw JSON is what we store
                    "offset": offset, "timeout": 20, "allowed_updates": list(Update.ALL_TYPES)},
                    read_timeout=30)
            except Conflict:
                log.warning("another process is polling this bot: run one poller, or use a webhook")
                await asyncio.sleep(5)
                continue
            except NetworkError as error:
                log.info("getUpdates failed (%s); retrying", error)
                await asyncio.sleep(1)
                continue
            if updates:
                await asyncio.to_thread(self.store, updates)
                offset = updates[-1]["update_id"] + 1

    async def serve_webhook(self, stop: asyncio.Event) -> None:
        """Answers 200 only after the update is stored; checks Telegram's secret header when one is set."""
        import tornado.web
        from tornado.httpserver import HTTPServer

        runtime, secret = self, self.settings.webhook_secret

        class Hook(tornado.web.RequestHandler):
            async def post(self) -> None:  # noqa: D102
                if secret and self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
                    self.set_status(403)
                    return
                try:
                    payload = json.loads(self.request.body)
                    int(payload["update_id"])
                except (ValueError, KeyError, TypeError):
                    self.set_status(400)
                    return
                await asyncio.to_thread(runtime.store, [payload])
                self.set_status(200)

        server = HTTPServer(tornado.web.Application([(r"/telegram", Hook)]))
        server.listen(self.settings.webhook_port, self.settings.webhook_listen)
        await self.bot._post("setWebhook", {  # noqa: SLF001
            "url": self.settings.webhook_url.rstrip("/") + "/telegram", "secret_token": secret or None,
            "max_connections": self.settings.webhook_max_connections,
            "allowed_updates": list(Update.ALL_TYPES)})
        await stop.wait()
        server.stop()

    async def run(self, webhook: bool) -> None:
        self.loop = asyncio.get_running_loop()
        self.bot = Bot(self.settings.telegram_bot_token, request=self._request(32),
                       get_updates_request=self._request(2), **self._bot_kwargs())
        await self.bot.initialize()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.loop.add_signal_handler(sig, stop.set)
        self.sender = Sender(self.db, self.policy, telegram_send(self.bot), self.owner,
                             on_blocked=blocked_hook(self.services), on_outcome=outcome_hook(self.services))
        self.start_threads()
        receiver = self.serve_webhook(stop) if webhook else self.poll(stop)
        try:
            await asyncio.gather(receiver, self.sender.run(stop))
        finally:
            self.stop_flag.set()
            self.work_ready.set()
            await asyncio.to_thread(lambda: [t.join(10) for t in self.threads])
            await self.bot.shutdown()
