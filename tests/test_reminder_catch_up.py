"""One reminder message per person and moment; /nhacnho does not repeat what the schedule just sent."""

from __future__ import annotations

from collections import Counter

from tests.reminder_helpers import at, run_until
from tests.world import period_id
from tests.world import KHTC, VANTHU



async def two_open_periods(sim) -> tuple[int, int]:
    """The annual report of 2026 and the six-month report of 2027, both open."""
    office = sim.services.people.actor_for("telegram", str(VANTHU))
    annual, six = period_id(sim.services, "2026-Y"), period_id(sim.services, "2027-H1")
    sim.services.periods.open_now(office, six)
    return annual, six


async def test_several_due_periods_make_one_message(sim):
    await two_open_periods(sim)
    log = await run_until(sim, at(2026, 11, 25, 9))
    to_head = [m for _when, m in log if m.chat_id == KHTC]
    assert len(to_head) == 1, [m.text for m in to_head]
    text = to_head[0].text
    assert "Báo cáo năm 2026" in text and "6 tháng đầu năm 2027" in text
    assert text.count("Kính gửi") == 1
    codes = {d.split(":")[2] for _l, d in to_head[0].flat_buttons}
    assert len(codes) == 2 and len(to_head[0].flat_buttons) == 4  # start and "later" for each period
    per_chat = Counter(m.chat_id for _when, m in log)
    assert all(n == 1 for n in per_chat.values()), per_chat


async def test_manual_reminder_skips_who_the_schedule_just_reminded(sim):
    await two_open_periods(sim)
    await run_until(sim, at(2026, 11, 25, 9))  # the opening notices went out at 08:00
    sent = await sim.send("vanthu", "/nhacnho gui")
    assert not [m for m in sent if m.chat_id == KHTC]
    answer = sent[-1].text
    assert "Nguyễn Văn An (08:00 - do lịch nhắc tự động)" in answer
    assert "/nhacnho gui lai" in answer and "Vẫn nhắc lại" in str(sent[-1].buttons)
    # The Office insists: one combined message per person, once.
    forced = await sim.press("vanthu", sent[-1], "Vẫn nhắc lại")
    assert len([m for m in forced if m.chat_id == KHTC]) == 1
    # Later the same day the schedule does not come back; the snoozed reminders come as one message.
    sim.clock.set(at(2026, 11, 25, 10))
    await sim.press_data("khtc", f"rem:snz:{period_id(sim.services, '2026-Y')}")
    await sim.press_data("khtc", f"rem:snz:{period_id(sim.services, '2027-H1')}")
    log = await run_until(sim, at(2026, 11, 25, 18))
    assert not [m for _w, m in log if m.chat_id == KHTC]
    log = await run_until(sim, at(2026, 11, 26, 12))
    mine = [m for _w, m in log if m.chat_id == KHTC]
    assert len(mine) == 1 and "Báo cáo năm 2026" in mine[0].text and "6 tháng đầu năm 2027" in mine[0].text


async def test_scheduled_step_after_a_manual_reminder_the_same_day_is_skipped(sim):
    sim.clock.set(at(2026, 12, 9, 7))  # the seven-working-day step of 2026-Y is due at 08:00 on 9/12
    sent = await sim.send("vanthu", "/nhacnho gui 2026-Y")
    assert len([m for m in sent if m.chat_id == KHTC]) == 1
    log = await run_until(sim, at(2026, 12, 9, 17))
    assert not [m for _w, m in log if m.chat_id == KHTC]
    log = await run_until(sim, at(2026, 12, 15, 12))  # the next step still comes, once
    assert len([m for _w, m in log if m.chat_id == KHTC]) == 1
