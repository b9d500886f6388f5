"""Crash scenario with Zalo on: a real `python -m bot run` (Telegram long polling against the Bot API stand-in, Zalo
long polling against the Zalo stand-in over HTTP) killed with SIGKILL while the Zalo channel is paused (every send
answered 429) and while it is down (its port refuses connections), and restarted each time.

Nothing may be lost: the replies queued for the Zalo person while Zalo refused reach them once Zalo is back, once
each; the update they wrote while Zalo was down is read and answered when it is back; and Telegram answers the
Office throughout. Each kill comes right after a 429 was answered (the next probe is 30 s away), so no Zalo call is
in flight at the kill; Zalo's own window (an update handed out by getUpdates and not yet stored) is not exercised.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from bot.domain import Role
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi, ZaloFakeServer, zalo_id
from storage.models import InboxUpdate, OutboxMessage
from tests.crash.scenario import OFFICE_ID, CrashScenario

ZALO_PERSON = zalo_id("crash-zalo-head")
WAIT = 20.0  # seconds for what the process should do on its own (a start, a lease take-over, a probe)


@dataclass
class ZaloOutcome:
    kills: int = 0
    telegram_answered: int = 0
    telegram_lost: int = 0
    zalo_expected: list[str] = field(default_factory=list)  # texts of the Zalo rows the bot queued, at the end
    zalo_received: list[str] = field(default_factory=list)  # what the Zalo person's phone shows
    zalo_states: Counter = field(default_factory=Counter)  # outbox states of the Zalo messages
    refused: int = 0  # 429s the Zalo stand-in answered
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0


class ZaloCrash(CrashScenario):
    def __init__(self, database_url: str, data_dir: Path) -> None:
        super().__init__(database_url, data_dir, seed=0, kills=0)
        self.kill_chance = 0.0  # kills are placed by the script, not at random
        self.zalo = ZaloFakeServer(ZaloFakeApi(monthly_quota=0))  # paused: every send refused with 429
        self.result = ZaloOutcome()

    def prepare(self) -> None:
        super().prepare()
        unit = self.services.org.find_unit("thanhtra") or self.services.org.find_unit("khtc")
        self.services.people.add_person(full_name="Trần Thị Zalo", role=Role.DEPUTY, telegram_id=None,
                                        zalo_id=ZALO_PERSON, unit_id=unit.unit_id)

    async def start_bot(self) -> None:
        import os

        os.environ.update({"ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": self.zalo.base_url, "ZALO_WEBHOOK_URL": ""})
        try:
            await super().start_bot()
        finally:
            for key in ("ZALO_BOT_TOKEN", "ZALO_API_BASE_URL", "ZALO_WEBHOOK_URL"):
                os.environ.pop(key, None)

    async def kill(self, why: str) -> None:
        await self.kill_bot()
        self.result.kills += 1
        self.result.log.append(f"kill -9 while Zalo is {why}")

    # What people do ----------------------------------------------------------------------------------------
    def zalo_writes(self, text: str) -> str:
        update = self.zalo.api.user_update(ZALO_PERSON, text, name="Trần Thị Zalo")
        self.zalo.api.pending.append(update)
        return update["message"]["message_id"]

    async def office_reads_status(self) -> None:
        if await self.say(OFFICE_ID, self._text_update(OFFICE_ID, "/tinhhinh"), "/tinhhinh"):
            self.result.telegram_answered += 1

    async def until(self, what: str, predicate, seconds: float = WAIT) -> None:  # noqa: ANN001
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{what}: not within {seconds} s; see {self.data_dir}/bot-*.log; {self.result.log}")

    def _zalo_rows(self, *states: str) -> list[OutboxMessage]:
        with Session(self.services.db.engine) as session:
            return list(session.exec(select(OutboxMessage).where(
                OutboxMessage.channel == "zalo", OutboxMessage.method == "sendMessage",
                OutboxMessage.state.in_(states or ("pending", "sending", "sent", "failed", "unknown")))).all())

    def _stored(self, message_id: str) -> bool:
        with Session(self.services.db.engine) as session:
            row = session.exec(select(InboxUpdate).where(InboxUpdate.external_key == f"zalo:{message_id}")).first()
            return row is not None and row.state == "done"

    # The script --------------------------------------------------------------------------------------------
    async def run_zalo(self) -> ZaloOutcome:
        began = time.monotonic()
        self.prepare()
        await self.api.start()
        await self.zalo.start()
        await self.start_bot()
        try:
            # 1. Zalo paused: the person's message is read and answered, the answer refused with 429 and kept.
            first = self.zalo_writes("/start")
            await self.until("the Zalo message stored and processed", lambda: self._stored(first))
            await self.until("Zalo refused the reply", lambda: self.zalo.api.refused[429] >= 1)
            await self.office_reads_status()  # Telegram serves while Zalo refuses (the next probe is 30 s away)
            await self.kill("paused (429)")
            # 2. Zalo down: the process starts anyway and serves Telegram; the person writes meanwhile.
            await self.zalo.stop()
            await self.start_bot()
            await self.office_reads_status()
            self.zalo_writes("/huy")  # waits at "Zalo" until it is back
            await asyncio.sleep(2.0)  # Zalo polling fails and backs off meanwhile
            await self.office_reads_status()
            await self.kill("down")
            # 3. Zalo back, accepting: what was kept goes, once; what was written meanwhile is answered.
            self.zalo.api.monthly_quota = None
            await self.zalo.start()
            await self.start_bot()
            await self.until("the kept replies and the new one reached the Zalo person",
                             lambda: len(self.zalo.api.texts_to(ZALO_PERSON)) >= 2 and not self._zalo_rows(
                                 "pending", "sending"), seconds=2 * WAIT)
            await self.office_reads_status()
        finally:
            await self.stop_bot()
            await self.api.stop()
            await self.zalo.stop()
        rows = self._zalo_rows()
        self.result.zalo_states = Counter(r.state for r in rows)
        self.result.zalo_expected = sorted(json.loads(r.params)["text"] for r in rows)
        self.result.zalo_received = sorted(self.zalo.api.texts_to(ZALO_PERSON))
        self.result.telegram_lost = len(self.outcome.lost)
        self.result.refused = self.zalo.api.refused[429]
        self.result.seconds = time.monotonic() - began
        return self.result
