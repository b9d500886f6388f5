"""The bot on a machine whose time zone is UTC, run with the system clock (SystemClock over the OS's time, which
the test sets): every hour from 16:00 on 30 November to 18:00 on 1 December 2026 in Hanoi, across midnight and
the month's end (17:00 UTC), the working-hours rule, a snooze against the scheduled steps, the reminders, the
difficulties' follow-ups, the board's "Cập nhật lúc" and Zalo's month all go by Hanoi's wall clock.

The OS clock is the one thing stood in for: `bot.clock.datetime.now` answers the instant the test chose, exactly
as the OS would (aware in the zone asked for, naive in the machine's zone, UTC here).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

import bot.clock
from bot.clock import SystemClock
from bot.simulator.harness import ChatSimulator
from bot.transport.outbox import SENT, Outbox, enqueue_values
from bot.transport.policy import ANSWER
from handlers.status.render import board_text, stamped
from storage.models.transport import OutboxMessage
from tests.test_escalation_sim import raise_via_chat, reminders_in
from tests.world import HCTH, KHTC, QLKH, VANTHU, period_id

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc


class _OsTime:
    instant = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


class _OsDatetime(datetime):
    """datetime.now as the OS answers it: the instant, in the zone asked for or naive in the machine's zone."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        moment = _OsTime.instant
        return moment.astimezone(tz) if tz is not None else datetime.fromtimestamp(moment.timestamp())


class OsClock(SystemClock):
    """The production SystemClock; `set` moves the (stood-in) OS time, for the simulator's helpers."""

    def set(self, moment: datetime) -> None:
        _OsTime.instant = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        _OsTime.instant += delta


@pytest.fixture
def utc_machine(monkeypatch):
    before = os.environ.get("TZ")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(bot.clock, "datetime", _OsDatetime)
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
async def night_sim(utc_machine, settings, db):
    assert datetime.now().hour == datetime.now(UTC).hour  # the machine is on UTC
    clock = OsClock(settings.tz)
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=HANOI))  # Thursday
    simulator = ChatSimulator(settings, db, clock)
    await simulator.start()
    simulator.load_demo_people()
    yield simulator
    await simulator.stop()


def hanoi(sim) -> datetime:
    return _OsTime.instant.astimezone(HANOI)


def working_hour(moment: datetime) -> bool:
    """The rule, from Hanoi's wall clock: 08:00 to 17:00, Monday to Friday (no holiday in these days)."""
    return 8 <= moment.hour < 17 and moment.weekday() < 5


def zalo_sent_now(sim) -> None:
    row = enqueue_values(channel="zalo", chat_key="z", method="sendMessage", params={"text": "x"}, files=None,
                         priority=ANSWER, resend=False, inbox_id=None)
    with sim.db.engine.begin() as connection:
        connection.execute(insert(OutboxMessage.__table__), [row | {"state": SENT, "sent_at": _OsTime.instant.timestamp()}])


UNIT_HEADS = {KHTC, QLKH}


async def test_a_night_and_a_month_end_on_a_utc_machine(night_sim):
    sim = night_sim
    assert sim.services.clock.now().utcoffset() == timedelta(hours=7)
    pid = period_id(sim.services)
    await sim.send("vanthu", "/kybaocao han 2026-Y 2/12/2026")  # the one-day step falls on Tuesday 1/12
    await raise_via_chat(sim)  # Thursday 26/11 09:00: the Office has until Monday 30/11
    await sim.tick()  # the opening notices (catch-up) go now
    sim.clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=HANOI))  # Monday 16:00 = 09:00 UTC
    assert [m.chat_id for m in reminders_in(await sim.tick())] == []  # not overdue yet
    reply = await sim.press_data("khtc", f"rem:snz:{pid}")
    assert "08:00 ngày 1 tháng 12 năm 2026" in reply[-1].text  # Hanoi's next working morning, not UTC's

    log: list[tuple[datetime, object]] = []
    zalo_rows: list[datetime] = []
    while hanoi(sim) < datetime(2026, 12, 1, 18, 0, tzinfo=HANOI):
        sim.clock.advance(timedelta(hours=1))
        local = hanoi(sim)
        if local.hour == 8 and local.day == 1:  # QLKH asks for later just before the 08:00 run
            reply = await sim.press_data("qlkh", f"rem:snz:{pid}")
            assert "08:00 ngày 2 tháng 12 năm 2026" in reply[-1].text
        assert sim.services.reminders.is_sending_time() == working_hour(local), local
        sent = await sim.tick()
        log += [(local, m) for m in sent]
        shown = f"{local:%H:%M %d/%m/%Y}"
        status = (await sim.send("vanthu", "/tinhhinh"))[-1].text
        assert f"Số liệu lúc {shown}." in status, (local, status[:120])
        c = sim.services.status.build(pid)  # the group's board, as the status_board task renders it
        board = stamped(board_text(c, sim.i18n.get("vi")), c, sim.i18n.get("vi"))
        assert board.endswith(f"Cập nhật lúc {shown}."), (local, board[-40:])
        zalo_sent_now(sim)
        zalo_rows.append(local)
        month = [r for r in zalo_rows if (r.year, r.month) == (local.year, local.month)]
        assert Outbox(sim.db).sent_this_month("zalo", ANSWER, sim.services.clock) == len(month), local

    morning = datetime(2026, 12, 1, 8, 0, tzinfo=HANOI)
    heads = [(when, m.chat_id) for when, m in log if m.chat_id in UNIT_HEADS]
    # KHTC: once, at the time promised (the day's step and the snooze in one message); QLKH: held until 2/12.
    assert heads == [(morning, KHTC)], heads
    # Every other unit's head gets the day's step at 08:00, and nothing is sent to anyone outside working hours.
    assert {when for when, _m in log} == {morning}, sorted({when for when, _m in log})
    # The difficulty's follow-up reaches the Office on the first working hour after its due day, not at midnight.
    follow_ups = [(when, m.chat_id) for when, m in log if m in reminders_in([m])]
    assert sorted(follow_ups) == [(morning, HCTH), (morning, VANTHU)], follow_ups
    assert len(zalo_rows) == 26 and zalo_rows[7].day == 1 and zalo_rows[7].hour == 0  # midnight was crossed
