"""What every desk handler is given: the services, translations, settings, templates and the action runner."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.config import Settings
from bot.i18n import I18n
from bot.services import Services

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
T = TypeVar("T")
Work = Callable[[Any], Awaitable[T]]  # given a bot whose sends become outbox rows (a PTB Bot)


class Actions(Protocol):
    """Runs a state change that also tells people in chat: `work(bot)` runs inside one unit of work."""

    async def run(self, work: Work) -> T: ...


class LoopActions:
    """On the caller's event loop, one at a time (the simulator and tests: one loop holds the bot)."""

    def __init__(self, bot_source: Callable[[], Any], after: Callable[[], Awaitable[None]] | None = None) -> None:
        self.bot_source, self.after = bot_source, after
        self._lock: asyncio.Lock | None = None

    async def run(self, work: Work) -> T:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # an SQLite unit of work holds the write lock: never two on one loop
            result = await work(self.bot_source())
        if self.after is not None:
            await self.after()
        return result


class ThreadActions:
    """On a thread of its own with its own loop and Application, like the runtime's ticker (the live process):
    a lock wait in a desk action never stalls the loop that receives updates and sends messages."""

    def __init__(self, app_factory: Callable[[], Any], wake: Callable[[], None] | None = None) -> None:
        self.app_factory, self.wake = app_factory, wake
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: Any = None
        self._ready = threading.Lock()
        self._lock: asyncio.Lock | None = None

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._ready:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="desk-actions", daemon=True).start()
                self._loop = loop
        return self._loop

    async def _run_here(self, work: Work) -> T:
        if self._app is None:
            self._app = self.app_factory()
            await self._app.initialize()
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            return await work(self._app.bot)

    async def run(self, work: Work) -> T:
        future = asyncio.run_coroutine_threadsafe(self._run_here(work), self._start())
        result = await asyncio.wrap_future(future)
        if self.wake is not None:
            self.wake()
        return result


def templates() -> Environment:
    """Autoescaped HTML; a missing variable is an error, never an empty cell."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


@dataclass
class Desk:
    """The desk of one process."""

    services: Services
    i18n: I18n
    settings: Settings
    actions: Actions
    env: Environment = field(default_factory=templates)

    @property
    def secure_cookie(self) -> bool:
        return self.settings.desk_cookie_secure

    @property
    def cookie_name(self) -> str:
        # "__Host-": the browser takes it only over HTTPS, for this host and path "/" (no subdomain can set it).
        return "__Host-desk" if self.secure_cookie else "desk"
