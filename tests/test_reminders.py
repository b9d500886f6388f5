"""Reminders end to end on the simulator: schedule over a period, silence after submission, extension,
snooze, blocked people, restart and catch-up, two bot processes at once, a fan-out waiting in the outbox."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

from bot.simulator.harness import ChatSimulator
from handlers.reminders import run_reminders
from storage.models import Person, ReminderDelivery
from tests.reminder_helpers import at, draft, run_until, submit
from tests.world import period_id
from tests.world import KHTC, QLKH, VANTHU



def to(log, chat):
    return [(when, m) for when, m in log if m.chat_id == chat]


async def test_a_period_from_opening_to_overdue_on_working_days_only(sim):
    log = await run_until(sim, at(2026, 12, 29, 18))
    mine = to(log, KHTC)
    days = [when.date() for when, _m in mine]
    assert days == [date(2026, 11, 25), date(2026, 12, 9), date(2026, 12, 15), date(2026, 12, 17),
                    date(2026, 12, 18), date(2026, 12, 22), date(2026, 12, 24), date(2026, 12, 28)]
    assert all(when.hour == 8 and when.weekday() < 5 for when, _m in mine)
    first = mine[0][1]
    assert "Kính gửi đồng chí Nguyễn Văn An" in first.text
    assert "hạn nộp: ngày 20 tháng 12 năm 2026 (còn 17 ngày làm việc)" in first.text
    pid = period_id(sim.services)
    assert [d for _l, d in first.flat_buttons] == [f"rep:open:{pid}", f"rem:snz:{pid}"]
    assert "còn 3 ngày làm việc" in mine[2][1].text
    assert "hôm nay là ngày làm việc cuối cùng trước hạn" in mine[4][1].text
    assert "đã quá hạn 2 ngày làm việc" in mine[5][1].text
    # The Office's digest the working day before the (Friday) last working day, listing who is pending.
    digest = [m for when, m in to(log, VANTHU) if "Các đơn vị chưa nộp" in m.text]
    assert len(digest) == 1 and "Phòng Kế hoạch - Tài chính" in digest[0].text
    # Nobody got the same step twice.
    with sim.services.db.session() as session:
        rows = session.exec(select(ReminderDelivery.target, ReminderDelivery.step, ReminderDelivery.attempted_at)).all()
    assert len(rows) == len({(t, step) for t, step, _at in rows})
    # One message per person and moment: HC-TH's head (also on the Office's list) gets the digest and the
    # unit's own step in one message.
    assert len(log) == len({(t, at) for t, _step, at in rows}) < len(rows)


async def test_silence_after_submission_and_draft_progress(sim):
    await run_until(sim, at(2026, 11, 25, 10))
    submit(sim.services, "khtc")
    draft(sim.services, "qlkh", answered=5)
    log = await run_until(sim, at(2026, 12, 31, 18))
    assert to(log, KHTC) == []
    qlkh = to(log, QLKH)
    assert qlkh and "5/20" in qlkh[0][1].text and "Tiếp tục báo cáo" in qlkh[0][1].flat_buttons[0][0]


async def test_returned_report_is_reminded_again(sim):
    submit(sim.services, "khtc", state="returned")
    log = await run_until(sim, at(2026, 11, 25, 9))
    assert len(to(log, KHTC)) == 1 and "trả lại để chỉnh sửa" in to(log, KHTC)[0][1].text


async def test_extension_for_one_unit_moves_only_its_schedule(sim):
    await sim.send("vanthu", "/kybaocao giahan 2026-Y khtc 30/12/2026 Đơn vị đang tổng hợp số liệu giải ngân")
    log = await run_until(sim, at(2026, 12, 31, 18))
    khtc = [when.date() for when, _m in to(log, KHTC)]
    qlkh = [when.date() for when, _m in to(log, QLKH)]
    # 30/12/2026 is a Wednesday: d7 = 21/12, d3 = 25/12, d1 = 29/12, d0 = 30/12.
    assert khtc == [date(2026, 11, 25), date(2026, 12, 21), date(2026, 12, 25), date(2026, 12, 29), date(2026, 12, 30)]
    assert date(2026, 12, 9) in qlkh and date(2026, 12, 22) in qlkh
    assert "gia hạn: Đơn vị đang tổng hợp số liệu giải ngân" in to(log, KHTC)[-1][1].text
    assert "ngày 30 tháng 12 năm 2026" in to(log, KHTC)[-1][1].text


async def test_snooze_reminds_next_working_morning_once(sim):
    log = await run_until(sim, at(2026, 11, 27, 10))  # Friday
    reminder = to(log, KHTC)[0][1]
    reply = await sim.press("khtc", reminder, "Nhắc lại sau")
    assert "08:00 ngày 30 tháng 11 năm 2026" in reply[-1].text
    assert reply[0].edited and reply[0].message_id == reminder.message_id and not reply[0].buttons  # done with
    await sim.press("khtc", reminder, "Nhắc lại sau")  # pressed twice: still one reminder
    await sim.send("khtc", "/nhacsau")  # and the typed form
    log = await run_until(sim, at(2026, 12, 1, 18))
    mine = to(log, KHTC)
    assert [when for when, _m in mine] == [at(2026, 11, 30, 8)]
    assert "Theo yêu cầu của đồng chí" in mine[0][1].text


async def test_snooze_is_dropped_when_the_unit_submits(sim):
    log = await run_until(sim, at(2026, 11, 25, 10))
    await sim.press("khtc", to(log, KHTC)[0][1], "Nhắc lại sau")
    submit(sim.services, "khtc")
    assert to(await run_until(sim, at(2026, 11, 27, 10)), KHTC) == []
    reply = await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    assert "đã nộp báo cáo này" in reply[-1].text


async def test_nothing_outside_working_hours(sim):
    sim.clock.set(at(2026, 11, 25, 7))
    assert await sim.tick() == []
    sim.clock.set(at(2026, 11, 25, 17))
    assert await sim.tick() == []  # 17:00 is after hours; the day's step waits for 8:00 tomorrow
    sim.clock.set(at(2026, 11, 26, 8))
    assert len(to([(None, m) for m in await sim.tick()], KHTC)) == 1


async def test_blocked_person_is_reported_once_and_remembered(sim):
    sim.api.blocked.add(KHTC)
    log = await run_until(sim, at(2026, 11, 25, 10))
    alerts = [m for _w, m in to(log, VANTHU) if "không gửi được nhắc nhở" in m.text]
    assert len(alerts) == 1 and "Nguyễn Văn An" in alerts[0].text and "đã chặn" in alerts[0].text
    with sim.services.db.session() as session:
        assert session.exec(select(Person.blocked_at).where(Person.telegram_id == str(KHTC))).one() is not None
    log = await run_until(sim, at(2026, 12, 10, 10))
    assert not [m for _w, m in to(log, VANTHU) if "không gửi được nhắc nhở" in m.text]
    reply = await sim.send("vanthu", "/nhacnho")
    assert "Không liên lạc được qua Trợ lý Thi đua: Nguyễn Văn An" in reply[-1].text
    sim.api.blocked.discard(KHTC)  # they unblock: the next step reaches them and clears the mark
    log = await run_until(sim, at(2026, 12, 15, 10))
    assert to(log, KHTC)
    with sim.services.db.session() as session:
        assert session.exec(select(Person.blocked_at).where(Person.telegram_id == str(KHTC))).one() is None


async def test_restart_and_catch_up_send_only_the_latest_step(sim):
    await run_until(sim, at(2026, 11, 25, 10))
    # Down from 25/11 to 16/12 10:00: d7 (9/12) and d3 (15/12) were missed; only d3 is sent, once.
    sim.clock.set(at(2026, 12, 16, 10))
    await sim.restart()
    sent = to([(None, m) for m in await sim.tick()], KHTC)
    assert len(sent) == 1 and "còn 2 ngày làm việc" in sent[0][1].text
    await sim.restart()
    assert to([(None, m) for m in await sim.tick()], KHTC) == []


async def test_two_bot_processes_never_double(sim, settings, db, clock):
    other = ChatSimulator(settings, db, clock)
    await other.start()
    try:
        clock.set(at(2026, 11, 25, 8))
        first, second = await asyncio.gather(sim.tick(), other.tick())
        chats = Counter(m.chat_id for m in first + second)
        assert chats[KHTC] == 1 and len(first) + len(second) == 9
        assert all(n == 1 for n in chats.values())
        clock.set(at(2026, 11, 25, 9))
        assert await asyncio.gather(sim.tick(), other.tick()) == [[], []]
    finally:
        await other.stop()


async def test_office_reminds_everyone_now_exactly_once(sim):
    sim.clock.set(at(2026, 11, 26, 14))
    shown = await sim.send("vanthu", "/nhacnho")
    assert "Các đơn vị chưa nộp (8)" in shown[-1].text
    sent = await sim.press("vanthu", shown[-1], "Nhắc kỳ 2026-Y ngay")
    assert len([m for m in sent if m.chat_id != VANTHU]) == 9
    again = await sim.press("vanthu", shown[-1], "Nhắc kỳ 2026-Y ngay")
    assert [m.chat_id for m in again] == [VANTHU] and "9 người đã được nhắc" in again[-1].text
    typed = await sim.send("vanthu", "/nhacnho gui 2026-Y")
    assert len([m for m in typed if m.chat_id != VANTHU]) in (0, 9)
    refused = await sim.send("khtc", "/nhacnho")
    assert "không có quyền" in refused[-1].text.lower()


async def test_office_preview_counts_only_who_will_be_reminded(sim):
    """/nhacnho after the day's scheduled reminders: the preview must not promise 9 reminders and then send 0."""
    await run_until(sim, at(2026, 11, 25, 10))  # the period-opened reminders went out at 08:00
    shown = await sim.send("vanthu", "/nhacnho")
    assert "0 người sẽ nhận nhắc nhở." in shown[-1].text
    assert "9 người khác đã được nhắc về kỳ báo cáo này trong ngày hôm nay" in shown[-1].text
    assert "Hôm nay: 9 tin nhắc đã gửi được, 0 tin còn chờ gửi." in shown[-1].text  # delivered, not queued
    sent = await sim.press("vanthu", shown[-1], "Nhắc kỳ 2026-Y ngay")
    assert [m.chat_id for m in sent] == [VANTHU] and "đang gửi tới 0 người" in sent[-1].text


async def test_forged_reminder_buttons(sim):
    reply = await sim.press_data("khtc", "rem:snz:abc")
    assert "không còn hiệu lực" in reply[-1].text
    reply = await sim.press_data("khtc", f"rem:now:{period_id(sim.services)}:1")
    assert "không có quyền" in reply[-1].text.lower()


async def test_run_reminders_reports_counts(sim):
    sim.clock.set(at(2026, 11, 25, 8))
    report = await run_reminders(sim.app)
    assert report.sent == 9 and report.lost_claims == 0  # eight unit heads and one deputy; no digest yet
    assert await run_reminders(sim.app) is None or (await run_reminders(sim.app)).sent == 0


async def test_a_fan_out_waiting_in_the_outbox_is_not_taken_for_a_dead_process(sim):
    """A reminder queued long ago whose call still waits (a long queue, a paused channel) stays "sending" until
    the sender reports it; only a row whose call is gone (its process died) becomes "unknown"."""
    sim.clock.set(at(2026, 11, 25, 8))
    report = await run_reminders(sim.app)  # queued in the outbox, not sent yet
    assert report.sent == 9
    sim.clock.set(at(2026, 11, 25, 8) + timedelta(minutes=30))
    assert sim.services.reminders.expire_in_doubt() == 0
    from sqlalchemy import update

    from bot.reminders.refs import FALLBACK_MARK
    from storage.models.transport import OutboxMessage

    with sim.services.db.session() as session:  # what waits may be the copy handed to the other channel
        session.execute(update(OutboxMessage).where(OutboxMessage.ref.like("reminder:%"))
                        .values(ref=OutboxMessage.ref + FALLBACK_MARK))
    assert sim.services.reminders.expire_in_doubt() == 0
    await sim.sender.drain()
    with sim.services.db.session() as session:
        states = Counter(session.exec(select(ReminderDelivery.state)).all())
    assert states == {"sent": 9}
