"""Crash scenario: a real `python -m bot run` process, killed with SIGKILL at seeded random moments and restarted,
while a unit head answers the six-month report question by question and the Administration Office acts on it.

The driver plays the people from outside the process, through the Bot API stand-in only: it pushes one update at a
time and waits for the bot's answer. It reads the database (never writes it while the bot runs) to know which
question is on the head's screen, as the head would read it on the phone.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.clock import SystemClock
from bot.config import PROJECT_ROOT, Settings
from bot.domain import Actor, Role
from bot.questionnaire.model import QType
from bot.services import Services, build_services
from bot.services.reports.base import Mode
from storage.db import Database
from storage.models import InboxUpdate, OutboxMessage
from tests.crash.bot_api import BOT_USER, BotApiStandIn

HEAD_ID, OFFICE_ID = 7001, 7002
TYPED = {QType.YESNO: "không", QType.SINGLE: "1", QType.MULTI: "1", QType.INTEGER: "3", QType.MONEY: "100 triệu",
         QType.PERCENT: "60", QType.DATE: "15/01/2026", QType.DOCREF: "15/KH-SKHCN"}
# The bot process gets no reminders or summaries: every message it sends answers something a person did.
QUIET = {"REMINDER_DAYS_BEFORE": "[]", "REMINDER_ON_DEADLINE_DAY": "false", "REMINDER_OVERDUE_EVERY": "0",
         "REMINDER_OPENING_NOTICE": "false", "REMINDER_DIGEST_DAYS_BEFORE": "0", "STATUS_SUMMARY_WEEKDAYS": "",
         "STATUS_SUMMARY_AFTER_DEADLINE": "false",
         # A shorter lease (5 s live) makes each kill cheaper: the next process sends 3 s after it, not 5; the
         # take-over path is the same.
         "SENDER_LEASE_SECONDS": "3"}
ANSWER_WAIT = 30.0  # seconds an update may stay unanswered once the current process polls (a busy machine)
# An update confirmed by a killed process and still unanswered this long after the next one polls is lost. The
# inbox design answers it late rather than never: the new process waits out the dead sender's lease (SENDER_LEASE_SECONDS) first.
LOST_AFTER = 15.0
NOTICE_WAIT = 10.0  # seconds a person waits for a notice the bot sends after answering someone else
MESSAGE_METHODS = ("sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageCaption")  # as recorded
MESSAGES_PER_ROUND = 30  # about how many updates the script pushes before its closing loop (six-month report)


@dataclass
class Outcome:
    """What the scenario did and saw; the tests assert on it."""

    report_id: int = 0
    kills: int = 0
    messages: int = 0  # updates pushed (person messages and button presses)
    answered: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # text question id -> the typed answer the bot took
    acknowledged_other: set[str] = field(default_factory=set)  # other question ids answered and acknowledged
    lost: list[tuple[int, str]] = field(default_factory=list)  # (update id, what) confirmed but never answered
    # (update id, what) handled, but its reply was marked as leaving and the process was killed before the
    # request left: the row is "unknown" and the stand-in never received it (the one window, docs/UPDATES.md)
    reply_in_window: list[tuple[int, str]] = field(default_factory=list)
    doubled: dict[tuple[str, int, str], int] = field(default_factory=dict)  # message -> copies beyond its rows
    missed: dict[tuple[str, int, str], int] = field(default_factory=dict)  # recorded "sent", never received
    in_doubt: int = 0  # rows "unknown" (in flight, or sent but not yet recorded, at a kill): taken as sent
    in_doubt_missing: int = 0  # of those, never received: lost in the window between the mark and the request
    answered_by: dict[int, int] = field(default_factory=dict)  # update id -> generation whose answer was seen
    twice: list[int] = field(default_factory=list)  # answered, then handed out again to a later process: redone
    redelivered: int = 0  # updates handed out again to a later process (not confirmed before the kill)
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0


class CrashScenario:
    def __init__(self, database_url: str, data_dir: Path, seed: int, kills: int) -> None:
        self.database_url, self.data_dir, self.kills_wanted = database_url, data_dir, kills
        self.rng = random.Random(seed)
        self.api = BotApiStandIn()
        self.outcome = Outcome()
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self._message_ids = itertools.count(1)
        settings = Settings(_env_file=None, telegram_bot_token="", data_dir=data_dir, database_url=database_url)
        self.services: Services = build_services(settings, Database(database_url), SystemClock(settings.tz))
        self.head: Actor | None = None
        self._expect_status = False
        self.office: Actor | None = None

    # The world ---------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Schema, units, the two people, and exactly one open period: this year's six-month one."""
        from bot.app import prepare_database

        services = self.services
        prepare_database(Settings(_env_file=None, data_dir=self.data_dir, database_url=self.database_url), services)
        unit = services.org.find_unit("khtc")
        office_unit = services.org.office_unit()
        self.head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD,
                                               telegram_id=str(HEAD_ID), unit_id=unit.unit_id)
        self.office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE,
                                                 telegram_id=str(OFFICE_ID), unit_id=office_unit.unit_id)
        today, periods = services.clock.today(), services.periods
        target = next(p for p in periods.list_periods() if p.code == f"{today.year}-H1")
        for step in (lambda: periods.set_opens_on(self.office, target.period_id, today - timedelta(days=1)),
                     lambda: periods.set_deadline(self.office, target.period_id, today + timedelta(days=30)),
                     lambda: periods.set_opens_on(self.office, target.period_id, today - timedelta(days=1))):
            try:
                step()
            except Exception:  # noqa: BLE001 - the order that works depends on today's date
                pass
        if target.closed_at is not None or periods.get(target.period_id).state != "open":
            periods.open_now(self.office, target.period_id)
        for other in periods.list_periods():
            if other.period_id != target.period_id and other.state == "open":
                periods.close(self.office, other.period_id)
        assert [p.code for p in periods.list_periods() if p.state == "open"] == [target.code]

    # The process -------------------------------------------------------------------------------------
    async def start_bot(self) -> None:
        self.api.generation += 1
        env = {**os.environ, **QUIET, "TELEGRAM_BOT_TOKEN": "123456:CRASH-TEST", "PYTHONUNBUFFERED": "1",
               "TELEGRAM_API_BASE_URL": self.api.base_url, "DATABASE_URL": self.database_url,
               "DATA_DIR": str(self.data_dir), "WEBHOOK_URL": "", "OFFICE_CHAT_ID": "", "LEADERSHIP_CHAT_ID": ""}
        log = open(self.data_dir / f"bot-{self.api.generation}.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT,
                                                            env=env, stdout=log, stderr=log)
        log.close()
        self.started_at = time.monotonic()

    async def kill_bot(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
            self.outcome.kills += 1
            self.outcome.log.append(f"kill {self.outcome.kills} after update {self.api._next_update - 1}")

    async def stop_bot(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    # People ----------------------------------------------------------------------------------------
    def _person(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "An" if user_id == HEAD_ID else "Hòa",
                "language_code": "vi"}

    def _text_update(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                   "chat": {"id": user_id, "type": "private", "first_name": "x"},
                                   "from": self._person(user_id), "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"message": message}

    def _press_update(self, user_id: int, data: str) -> dict[str, Any]:
        shown = {"message_id": self.api.next_message_id(), "date": int(time.time()), "text": "-",
                 "from": BOT_USER, "chat": {"id": user_id, "type": "private"}}
        return {"callback_query": {"id": str(next(self._message_ids)), "from": self._person(user_id),
                                   "chat_instance": "crash", "data": data, "message": shown}}

    async def say(self, user_id: int, update: dict[str, Any], what: str) -> bool:
        """Push one update, maybe kill the bot meanwhile, and wait until it is answered; False if it was lost."""
        self._expect_status = what == "/tinhhinh"
        while True:
            before = len(self.api.sent)
            update_id = await self.api.push(update)
            self.outcome.messages += 1
            if self.outcome.kills < self.kills_wanted and self.rng.random() < self.kill_chance:
                await asyncio.sleep(self.rng.uniform(0.0, 0.4))
                await self.kill_bot()
                await self.start_bot()
            answered = await self._answered(user_id, update_id, before)
            if answered:
                self.outcome.answered += 1
                self.outcome.answered_by.setdefault(update_id, self.api.generation)
                return True
            if self._reply_in_window(update_id, user_id, before):
                self.outcome.reply_in_window.append((update_id, what))
                self.outcome.log.append(f"update {update_id} ({what}) handled, its reply lost in the window between "
                                        f"the mark and the request; typed again")
            else:
                self.outcome.lost.append((update_id, what))
                self.outcome.log.append(f"lost update {update_id}: {what}; typed again")
            update = dict(update)  # the person sees no answer and does it again: a new update

    def _reply_since(self, user_id: int, before: int) -> bool:
        """An answer to the person's last update: not a notice the bot sends on someone else's account.

        The Office's status has its chart button; a submission notice (accept / return buttons) or a reminder
        is never the answer to what the Office or the head just did."""
        for sent in self.api.sent[before:]:
            if sent.chat_id != user_id or any(b.startswith(("rem:", "rep:acc:")) for b in sent.buttons):
                continue
            if user_id == OFFICE_ID and self._expect_status != any(b.startswith("st:chart:") for b in sent.buttons):
                continue
            return True
        return False

    def _reply_in_window(self, update_id: int, user_id: int, before: int) -> bool:
        """The update was handled and every reply it queued to the person is "unknown" and never arrived."""
        with Session(self.services.db.engine) as session:
            inbox = session.exec(select(InboxUpdate).where(InboxUpdate.channel == "telegram",
                                                           InboxUpdate.external_key == str(update_id))).first()
            if inbox is None or inbox.state != "done":
                return False
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.inbox_id == inbox.id,
                                                            OutboxMessage.chat_key == str(user_id),
                                                            col(OutboxMessage.method).in_(MESSAGE_METHODS))).all()
        return bool(rows) and all(r.state == "unknown" for r in rows) and not self._reply_since(user_id, before)

    def account_messages(self) -> None:
        """Every message the stand-in received against the outbox rows: doubled, missed, lost in the window.

        A message is keyed by (method, chat, text); a row "sent" must arrive once, an "unknown" one at most once.
        """
        expected: Counter = Counter()
        in_doubt: Counter = Counter()
        with Session(self.services.db.engine) as session:
            for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.method).in_(MESSAGE_METHODS))):
                params = json.loads(row.params)
                key = (row.method, int(params.get("chat_id") or 0), params.get("text") or params.get("caption") or "")
                if row.state == "sent":
                    expected[key] += 1
                elif row.state == "unknown":
                    in_doubt[key] += 1
        received = Counter((m.method, m.chat_id, m.text) for m in self.api.sent)
        self.outcome.in_doubt = sum(in_doubt.values())
        for key in set(expected) | set(in_doubt) | set(received):
            sent, doubt, got = expected[key], in_doubt[key], received[key]
            if got > sent + doubt:
                self.outcome.doubled[key] = got - sent - doubt
            if got < sent:
                self.outcome.missed[key] = sent - got
            self.outcome.in_doubt_missing += min(doubt, max(0, sent + doubt - got))

    async def _answered(self, user_id: int, update_id: int, before: int) -> bool:
        """Answered, or False once a later process had its chance after an earlier one confirmed it."""
        began = time.monotonic()
        while time.monotonic() < max(began, self.api.first_poll_at.get(self.api.generation, began)) + ANSWER_WAIT:
            if await self.api.wait_for(lambda: self._reply_since(user_id, before), 0.5):
                return True
            confirmed = self.api.confirmed_by.get(update_id)
            if confirmed is not None and confirmed < self.api.generation and self.api.polls.get(self.api.generation):
                await self.api.wait_for(lambda: self._reply_since(user_id, before), LOST_AFTER)
                return self._reply_since(user_id, before)
        raise AssertionError(f"update {update_id} neither answered nor confirmed in {ANSWER_WAIT} s; "
                             f"see {self.data_dir}/bot-*.log")

    # The script ------------------------------------------------------------------------------------
    def _screen(self):  # noqa: ANN202
        return self.services.reports.current(self.head, self.outcome.report_id)

    def _report_id(self) -> int:
        (info, ref), = self.services.reports.open_periods(self.head)
        return ref.report_id if ref else 0

    async def head_fills_and_submits(self) -> None:
        """/baocao, then every question the screen shows, then "gửi" and "xác nhận"."""
        await self.say(HEAD_ID, self._text_update(HEAD_ID, "/baocao"), "/baocao")
        self.outcome.report_id = self._report_id()
        for _guard in range(400):
            if self.rng.random() < 0.15:
                await self.say(OFFICE_ID, self._text_update(OFFICE_ID, "/tinhhinh"), "/tinhhinh")
            screen = self._screen()
            if screen.mode == Mode.LOCKED:
                return
            if screen.mode == Mode.LEFT:
                await self.say(HEAD_ID, self._text_update(HEAD_ID, "/baocao"), "/baocao")
                continue
            if screen.mode in (Mode.REVIEW, Mode.CONFIRM):
                word, code = ("gửi", "sub") if screen.mode == Mode.REVIEW else ("xác nhận", "cf")
                await self.say(HEAD_ID, self._typed_or_pressed(screen, word, code), word)
                continue
            await self._answer_question(screen)
        raise AssertionError("the head never reached the end of the report")

    async def _answer_question(self, screen) -> None:  # noqa: ANN001
        question, field_ = screen.question, screen.group_field
        target = field_ or question
        if question.type == QType.GROUP and field_ is None:
            await self.say(HEAD_ID, self._text_update(HEAD_ID, "xong"), f"{question.id}: xong")
            return
        if target.type == QType.ATTACHMENT:
            document = {"file_id": f"CRASH{self.outcome.messages}", "file_unique_id": f"c{self.outcome.messages}",
                        "file_name": "ke-hoach.pdf", "mime_type": "application/pdf", "file_size": 2048}
            update = self._text_update(HEAD_ID, "")
            del update["message"]["text"]
            update["message"]["document"] = document
            if await self.say(HEAD_ID, update, f"{target.id}: file"):
                self.outcome.acknowledged_other.add(target.id)
            return
        text = f"Trả lời {target.id} lần {self.outcome.messages}" if target.type == QType.TEXT else TYPED[target.type]
        update = self._text_update(HEAD_ID, text)
        if field_ is None and target.type in (QType.YESNO, QType.SINGLE):
            update = self._typed_or_pressed(screen, text, "n" if target.type == QType.YESNO else "o1")
        await self.say(HEAD_ID, update, f"{target.id}: {text}")
        # Acknowledged: the bot answered. Whether it was *this* answer that moved the screen on is read back
        # from the database at the end (a lost update was typed again by `say`).
        if target.type == QType.TEXT and field_ is None:
            self.outcome.acknowledged[target.id] = text
        elif field_ is None:
            self.outcome.acknowledged_other.add(target.id)

    def _typed_or_pressed(self, screen, word: str, code: str) -> dict[str, Any]:  # noqa: ANN001
        """Half the time the head presses the button shown for this step (if it is on screen), else types."""
        data = f"rep:a:{screen.ref.report_id}:{screen.ref.step}:{code}"
        shown = any(data in sent.buttons for sent in self.api.sent if sent.chat_id == HEAD_ID)
        if shown and self.rng.random() < 0.5:
            return self._press_update(HEAD_ID, data)
        return self._text_update(HEAD_ID, word)

    async def office_decides(self, action: str, version: int) -> None:
        """Press accept (or return and type the comment) until the status shows it done, as a person would."""
        rid, expected = self.outcome.report_id, {"acc": "accepted", "ret": "returned"}[action]
        # The Office acts on the submission notice, so that notice cannot be taken for the answer to its press.
        notice = f"rep:{action}:{rid}:{version}"
        if not await self.api.wait_for(lambda: any(notice in m.buttons for m in self.api.sent
                                                   if m.chat_id == OFFICE_ID), NOTICE_WAIT):
            self.outcome.log.append(f"no submission notice with {notice} reached the Office")
        for _attempt in range(5):
            before = len(self.api.sent)
            await self.say(OFFICE_ID, self._press_update(OFFICE_ID, f"rep:{action}:{rid}:{version}"), f"rep:{action}")
            if action == "ret":
                await self.say(OFFICE_ID, self._text_update(OFFICE_ID, "Đề nghị bổ sung số liệu giải ngân."),
                               "comment")
            (_info, ref), = self.services.reports.open_periods(self.head)
            if ref.state.value == expected:  # and the head reads the decision before going on
                await self.api.wait_for(lambda: any(m.chat_id == HEAD_ID for m in self.api.sent[before:]),
                                        NOTICE_WAIT)
                return
            answers = " | ".join(m.text[:80] for m in self.api.sent[before:] if m.chat_id == OFFICE_ID)
            self.outcome.log.append(f"rep:{action} not done yet (report {ref.state.value}, the Office read: "
                                    f"{answers}); the Office does it again")
        raise AssertionError(f"the Office could not {action} the report: {self.outcome.log}")

    async def run(self) -> Outcome:
        began = time.monotonic()
        self.prepare()
        await self.api.start()
        # Spread the kills over roughly the number of messages a round takes (the questionnaire plus the Office).
        self.kill_chance = min(0.9, self.kills_wanted / MESSAGES_PER_ROUND)
        await self.start_bot()
        try:
            await self.head_fills_and_submits()
            await self.office_decides("ret", 1)
            await self.head_fills_and_submits()
            await self.office_decides("acc", 2)
            while self.outcome.kills < self.kills_wanted:  # the rest of the kills while the Office keeps reading
                self.kill_chance = 0.5
                await self.say(OFFICE_ID, self._text_update(OFFICE_ID, "/tinhhinh"), "/tinhhinh")
            self.outcome.redelivered = sum(len(gens) > 1 for gens in self.api.handed_to.values())
            self.outcome.twice = sorted(u for u, gen in self.outcome.answered_by.items()
                                        if any(later > gen for later in self.api.handed_to.get(u, ())))
        finally:
            await self.stop_bot()
            await self.api.stop()
        self.account_messages()
        self.outcome.seconds = time.monotonic() - began
        return self.outcome
