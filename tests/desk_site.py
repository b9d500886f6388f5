"""The desk served for real on 127.0.0.1, for the browser tests: a ChatSimulator (the whole bot, demo people) and
the desk's tornado server on one event loop in a background thread, as in `make run`; and Chromium driven by
Playwright (Debian's /usr/bin/chromium, no browser download). Tests talk to the site through `site.call(...)`.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import PROJECT_ROOT, Settings
from bot.domain import Actor, Role
from bot.simulator.harness import ChatSimulator
from storage.db import Database

CHROMIUM = os.environ.get("DESK_CHROMIUM", "/usr/bin/chromium")
SAMPLES = PROJECT_ROOT / "docs" / "samples"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://127\.0\.0\.1:\d+/desk/login/[A-Za-z0-9_-]+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DeskSite:
    """The bot and its desk on a loop of their own; `base` is the desk's address."""

    def __init__(self, settings: Settings, db: Database, clock: ManualClock) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = settings.model_copy(update={"desk_base_url": self.base, "desk_cookie_secure": False})
        self.db, self.clock = db, clock
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="desk-site", daemon=True)
        self.thread.start()
        self.sim: ChatSimulator = self.call(self._start())

    async def _start(self) -> ChatSimulator:
        from bot.web.app import serve_simulator

        sim = ChatSimulator(self.settings, self.db, self.clock)
        await sim.start()
        sim.load_demo_people()

        async def deliver() -> None:
            await sim.drain()

        self.server = serve_simulator(sim, self.port, after=deliver)
        return sim

    def call(self, coro: Coroutine) -> Any:
        """Run a coroutine on the site's loop (the simulator lives there) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def run(self, fn, *args: Any) -> Any:  # noqa: ANN001
        """A plain call (a service) on the site's loop, between two requests."""
        async def wrapped() -> Any:
            return fn(*args)
        return self.call(wrapped())

    def actor(self, key: str) -> Actor:
        return self.run(self.sim.services.people.actor_for, "telegram", str(self.sim.personas[key].user_id))

    def add_person(self, key: str, user_id: int, name: str, role: Role, unit: str | None = None) -> Actor:
        def add() -> Actor:
            unit_id = self.sim.services.org.find_unit(unit).unit_id if unit else None
            actor = self.sim.services.people.add_person(full_name=name, role=role, telegram_id=str(user_id),
                                                        unit_id=unit_id)
            self.sim.add_persona(key, user_id, name)
            return actor
        return self.run(add)

    def link_for(self, key: str) -> str:
        """What /banlamviec answers this persona in the chat: the sign-in link."""
        sent = self.call(self.sim.send(key, "/banlamviec"))
        found = LINK.search(sent[-1].text)
        assert found, sent[-1].text
        return found.group(0)

    def chat_of(self, key: str) -> list[str]:
        """Every text the persona's private chat has received."""
        user_id = self.sim.personas[key].user_id
        return [m.text for m in self.sim.api.outbox if m.chat_id == user_id]

    def stop(self) -> None:
        async def close() -> None:
            self.server.stop()
            await self.sim.stop()
        self.call(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def browser_or_skip():  # noqa: ANN201
    """Playwright's Chromium on Debian's browser; a clear skip where none could be installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the desk's browser tests need Playwright: make install (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (make test does it as root)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    return playwright, browser


def shoot(page, name: str) -> None:  # noqa: ANN001
    """docs/samples/desk-<name>.png at desktop width, and desk-<name>-phone.png."""
    SAMPLES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SAMPLES / f"desk-{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SAMPLES / f"desk-{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
