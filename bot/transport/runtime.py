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

from bot.app import Wiring
from bot.config import Settings
from bot.i18n import I18n
from bot.services import Services
from bot.transport.inbox import Inbox, Processor
from bot.transport.keepup import ChannelHealth, OfficeAlarm, Part, keep_up, watched
from bot.transport.policy import TELEGRAM, ChannelPolicy
from bot.transport.sender import Sender
from bot.transport.telegram import CHANNEL, inbound, telegram_send
from bot.transport.zalo import CHANNEL as ZALO_CHANNEL
from bot.transport.zalo import ZaloSide, tornado_routes, zalo_send

log = logging.getLogger(__name__)
TICKER_START_DELAY = 2.0  # seconds
IDLE_RECHECK = 0.05  # seconds before a worker claims again on a channel where it just found nothing


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
        self.zalo_sender: Sender | None = None
        self.bot: Bot | None = None
        # Zalo (docs/ZALO.md) only when its token is set: a Telegram-only run is unchanged.
        self.zalo: ZaloSide | None = None
        if self.settings.zalo_bot_token.get_secret_value():
            self.zalo = ZaloSide.from_settings(self.settings, self.db, self.services.clock, self.i18n)
        self._tls: ssl.SSLContext | None = None

    @property
    def wiring(self) -> Wiring:
        """How this process is put together (bot.app.Wiring), with the Zalo side it has now."""
        return Wiring(self.settings, self.services, self.i18n, self.zalo)

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
        return self.wiring.application(self._request(2))

    def _processors(self, app, owner: str) -> list[Processor]:  # noqa: ANN001
        return self.wiring.processors(app, self.inbox, owner)

    def wake_sender(self) -> None:
        if self.loop is not None:
            for sender in (self.sender, self.zalo_sender):
                if sender is not None:
                    self.loop.call_soon_threadsafe(sender.wake)

    # Threads --------------------------------------------------------------------------------------------
    def _worker(self, index: int) -> None:
        asyncio.run(self._work(f"{self.owner}:w{index}"))

    async def _work(self, owner: str) -> None:
        app = self._build_app()
        await app.initialize()
        processors = self._processors(app, owner)
        watched = CHANNEL if self.zalo is None else None
        try:
            idle_until = [0.0] * len(processors)
            while not self.stop_flag.is_set():
                done = 0
                for index, processor in enumerate(processors):  # each channel in turn: neither starves the other
                    if time.monotonic() < idle_until[index]:
                        continue  # found nothing a moment ago: no empty claim per update of the busy channel
                    if await processor.process_next():
                        done += 1
                    else:
                        idle_until[index] = time.monotonic() + IDLE_RECHECK
                if done:
                    self.processed += done
                    self.wake_sender()
                    continue
                # Idle: a blocking wait is fine (this thread has nothing else to do), then a lock-free look.
                while not self.stop_flag.is_set():
                    self.work_ready.wait(0.25)
                    self.work_ready.clear()
                    if self.inbox.has_work(watched):
                        idle_until = [0.0] * len(processors)
                        break
        finally:
            await app.shutdown()

    def _ticker(self) -> None:
        asyncio.run(self._tick())

    async def _tick(self) -> None:
        # Nothing here is urgent (the tasks' first run is 10 s away): leave the CPU to the worker answering the
        # first update at start-up.
        if self.stop_flag.wait(TICKER_START_DELAY):
            return
        self.i18n.warm()
        app = self._build_app()
        await app.initialize()
        try:
            await self.wiring.started(app)
            due = {task.name: time.monotonic() + 10 for task in app.bot_data.ticker.tasks}
            # Finished updates and settled calls are deleted by the daily retention task (handlers/privacy).
            while not self.stop_flag.wait(1.0):
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

    async def poll(self, stop: asyncio.Event, health: ChannelHealth | None = None) -> None:
        """getUpdates, store, and only then ask for the next offset (which confirms the stored ones). Any failure
        that escapes (deleteWebhook unanswered, a refused token) is `keep_up`'s to retry."""
        health = health or ChannelHealth(CHANNEL)
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
                await health.failed(error)
                await asyncio.sleep(1)
                continue
            await health.ok()
            if updates:
                await asyncio.to_thread(self.store, updates)
                offset = updates[-1]["update_id"] + 1

    def store_zalo(self, updates: list[dict]) -> int:
        stored = self.zalo.store(self.inbox, updates)
        self.work_ready.set()
        return stored

    async def poll_zalo(self, stop: asyncio.Event, health: ChannelHealth | None = None) -> None:
        """Zalo long polling (no ZALO_WEBHOOK_URL): one poller per bot (a second would share Zalo's updates). A
        refused token ends it with `ZaloUnauthorized`, which `keep_up` retries after a long pause."""
        from bot.channels.zalo.polling import poll

        health = health or ChannelHealth(ZALO_CHANNEL)

        async def handle(update: dict) -> bool:
            return bool(await asyncio.to_thread(self.store_zalo, [update]))

        async def report(error: BaseException | None) -> None:
            await (health.ok() if error is None else health.failed(error))

        api = self.zalo.api()
        try:
            await poll(api, handle, stop, report=report)
        finally:
            await api.close()

    def web_routes(self) -> list:
        """The tornado routes `python -m bot run` serves: Telegram's webhook, Zalo's, the file links, and the desk
        unless a desk process of its own serves it (DESK_SEPARATE: `desk_routes`, `serve_desk`)."""
        import tornado.web

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

        routes: list = [(r"/telegram", Hook)] if self.settings.webhook_url else []
        if self.zalo is not None:
            routes += tornado_routes(self.zalo, self.inbox, self.work_ready.set)
        return routes + (self.desk_routes() if self.settings.desk_enabled else [])

    def desk_routes(self) -> list:
        """The desk's routes (bot/web/) and its static files, with its actions run by this process's wiring."""
        from bot.web.app import live_desk_routes  # tornado and Jinja2 load only with the desk

        return live_desk_routes(self)

    async def serve_desk(self, stop: asyncio.Event | None = None, sockets: list | None = None) -> None:
        """`python -m bot desk`: the desk alone on DESK_LISTEN:DESK_PORT until SIGINT/SIGTERM (or `stop`). No
        channel, polling, ticker, sender or webhook: sessions are database rows, and what its actions tell people
        are outbox rows that the bot process's sender reads at its next look (every 0.1 s, `Sender.run`)."""
        import tornado.web
        from tornado.httpserver import HTTPServer

        if stop is None:
            stop = asyncio.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        server = HTTPServer(tornado.web.Application(self.desk_routes()))
        if sockets:  # bound once by the parent of several desk workers (bot/__main__.py)
            server.add_sockets(sockets)
        else:
            server.listen(self.settings.desk_port, self.settings.desk_listen)
        log.info("the desk listens on %s:%s", self.settings.desk_listen, self.settings.desk_port)
        try:
            await stop.wait()
        finally:
            server.stop()

    async def serve_web(self, stop: asyncio.Event) -> None:
        """One tornado server for every route; webhooks answer 200 only after the update is stored. It listens
        before any webhook is registered, and each registration is a part of its own (`register_telegram`,
        `register_zalo`): one channel refusing never keeps the other's route, or the file links, away."""
        import tornado.web
        from tornado.httpserver import HTTPServer

        server = HTTPServer(tornado.web.Application(self.web_routes()))
        server.listen(self.settings.webhook_port, self.settings.webhook_listen)
        await stop.wait()
        server.stop()

    async def register_telegram(self) -> None:
        await self.bot._post("setWebhook", {  # noqa: SLF001
            "url": self.settings.webhook_url.rstrip("/") + "/telegram",
            "secret_token": self.settings.webhook_secret or None,
            "max_connections": self.settings.webhook_max_connections,
            "allowed_updates": list(Update.ALL_TYPES)})

    async def register_zalo(self) -> None:
        api = self.zalo.api()
        try:
            await api.set_webhook(self.zalo.webhook_url, self.settings.zalo_webhook_secret.get_secret_value())
        finally:
            await api.close()

    def needs_web(self) -> bool:
        return bool(self.web_routes())

    def _telegram_sender(self) -> Sender:
        self.sender = self.wiring.sender(CHANNEL, self.policy, telegram_send(self.bot), self.owner)
        return self.sender

    def _zalo_sender(self, request, health: ChannelHealth | None = None) -> Sender:  # noqa: ANN001
        """With a webhook, nothing but sending calls Zalo: its sends tell whether Zalo works (`watched`)."""
        send = zalo_send(request)
        if health is not None and self.zalo.webhook:
            send = watched(send, health)
        self.zalo_sender = self.wiring.sender(ZALO_CHANNEL, self.zalo.policy, send, self.owner)
        return self.zalo_sender

    def parts(self, webhook: bool, stop: asyncio.Event, zalo_request=None) -> list[Part]:  # noqa: ANN001
        """Every task of the event loop, each kept up on its own (bot.transport.keepup): a failing part is retried
        with back-off and never ends the process; a channel down for ten minutes is told to the Office once."""
        alarm = OfficeAlarm(self.services, self.i18n)
        telegram = ChannelHealth(CHANNEL, alarm)
        parts = [Part("Telegram sender", lambda: self._telegram_sender().run(stop), telegram)]
        if not webhook:
            parts.append(Part("Telegram polling", lambda: self.poll(stop, telegram), telegram))
        elif self.settings.webhook_url:
            parts.append(Part("Telegram setWebhook", self.register_telegram, telegram, once=True))
        if self.zalo is not None:
            zalo = ChannelHealth(ZALO_CHANNEL, alarm)
            parts.append(Part("Zalo sender", lambda: self._zalo_sender(zalo_request, zalo).run(stop), zalo))
            if self.zalo.webhook:
                parts.append(Part("Zalo setWebhook", self.register_zalo, zalo, once=True))
            else:
                parts.append(Part("Zalo polling", lambda: self.poll_zalo(stop, zalo), zalo))
        if self.needs_web():
            parts.append(Part("web server", lambda: self.serve_web(stop), telegram))
        return parts

    async def run(self, webhook: bool, stop: asyncio.Event | None = None) -> None:
        """Until SIGINT/SIGTERM (or `stop`, in tests): receive, process in threads, send."""
        self.loop = asyncio.get_running_loop()
        self.bot = Bot(self.settings.telegram_bot_token, request=self._request(32),
                       get_updates_request=self._request(2), **self._bot_kwargs())
        await self.bot.initialize()
        if stop is None:
            stop = asyncio.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.loop.add_signal_handler(sig, stop.set)
        zalo_request = self.zalo.request() if self.zalo is not None else None
        self.start_threads()
        try:
            await asyncio.gather(*(keep_up(part, stop) for part in self.parts(webhook, stop, zalo_request)))
        finally:
            self.stop_flag.set()
            self.work_ready.set()
            await asyncio.to_thread(lambda: [t.join(10) for t in self.threads])
            await self.bot.shutdown()
            if zalo_request is not None:
                await zalo_request.shutdown()
