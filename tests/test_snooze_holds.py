"""A snooze holds: whoever asked to be reminded later is not reminded about that period before the time they
were promised, by any scheduled step (countdown, deadline day, overdue follow-ups, catch-up) nor by the Office's
/nhacnho, unless the Office chooses "Vẫn nhắc lại"."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import ReminderDelivery
from tests.reminder_helpers import at, run_until
from tests.world import KHTC, VANTHU, period_id


def to(log, chat):
    return [(when, m) for when, m in log if m.chat_id == chat]


async def test_a_snooze_holds_the_scheduled_step_due_before_its_time(sim):
    await run_until(sim, at(2026, 12, 9, 7))  # the seven-working-day step of 2026-Y is due at 08:00 on 9/12
    sim.clock.set(at(2026, 12, 9, 8))  # pressed at 08:00, just before the run that sends the step
    reply = await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    assert "08:00 ngày 10 tháng 12 năm 2026" in reply[-1].text
    log = await run_until(sim, at(2026, 12, 10, 18))
    mine = to(log, KHTC)
    assert [when for when, _m in mine] == [at(2026, 12, 10, 8)], [(w, m.text[:60]) for w, m in mine]
    # The step held was not lost: it went at the promised time, and the snooze is settled, never sent twice.
    with sim.services.db.session() as session:
        rows = session.exec(select(ReminderDelivery.step, ReminderDelivery.state)
                            .where(ReminderDelivery.target == f"p{_person(sim, 'khtc')}")).all()
    assert ("d7:20261220", "sent") in rows and ("snz:20261210", "skipped") in rows
    # The schedule goes on afterwards.
    log = await run_until(sim, at(2026, 12, 15, 12))
    assert [when for when, _m in to(log, KHTC)] == [at(2026, 12, 15, 8)]


async def test_a_snooze_holds_an_overdue_follow_up(sim):
    """Asked for at 08:00 on Tuesday 22/12, the day of the first overdue follow-up, the snooze holds it until
    Wednesday 08:00; the next follow-up (Thursday 24/12) comes as usual."""
    await run_until(sim, at(2026, 12, 22, 7))
    sim.clock.set(at(2026, 12, 22, 8))
    reply = await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    assert "08:00 ngày 23 tháng 12 năm 2026" in reply[-1].text
    log = await run_until(sim, at(2026, 12, 24, 18))
    mine = to(log, KHTC)
    assert [when for when, _m in mine] == [at(2026, 12, 23, 8), at(2026, 12, 24, 8)]
    assert "đã quá hạn" in mine[0][1].text


async def test_office_reminder_leaves_out_who_asked_for_later_unless_it_insists(sim):
    sim.clock.set(at(2026, 11, 26, 14))  # no scheduled step today
    await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    shown = await sim.send("vanthu", "/nhacnho")
    assert "8 người sẽ nhận nhắc nhở." in shown[-1].text
    assert "1 người khác đã đề nghị được nhắc lại sau" in shown[-1].text
    sent = await sim.press("vanthu", shown[-1], "Nhắc kỳ 2026-Y ngay")
    assert not [m for m in sent if m.chat_id == KHTC]
    assert len([m for m in sent if m.chat_id != VANTHU]) == 8
    answer = next(m for m in sent if m.chat_id == VANTHU)
    assert "Nguyễn Văn An (08:00 27/11/2026)" in answer.text and "Vẫn nhắc lại" in str(answer.buttons)
    forced = await sim.press("vanthu", answer, "Vẫn nhắc lại")
    assert len([m for m in forced if m.chat_id == KHTC]) == 1


def _person(sim, persona: str) -> int:
    return sim.services.people.actor_for("telegram", str(sim.personas[persona].user_id)).person_id


async def test_a_snooze_holds_the_units_difficulty_follow_up(sim):
    """The Director's instruction leaves the unit three working days (to Friday 27/11); the head asks at 08:00 on
    Monday 30/11, before the run, to be reminded later: the follow-up waits for Tuesday 08:00 as promised."""
    from tests.test_escalation_sim import GIAMDOC, raise_via_chat, reminders_in

    await raise_via_chat(sim)
    office = sim.services.people.actor_for("telegram", str(VANTHU))
    director = sim.services.people.actor_for("telegram", str(GIAMDOC))
    sim.services.escalations.forward(office, 1, "Kính trình")
    sim.services.escalations.instruct(director, 1, "Đồng ý")
    await run_until(sim, at(2026, 11, 30, 7))
    sim.clock.set(at(2026, 11, 30, 8))
    reply = await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    assert "08:00 ngày 1 tháng 12 năm 2026" in reply[-1].text
    log = await run_until(sim, at(2026, 12, 1, 18))
    follow_ups = [when for when, m in to(log, KHTC) if reminders_in([m])]
    assert follow_ups == [at(2026, 12, 1, 8)], follow_ups


async def test_the_held_step_and_its_snooze_make_one_message_even_while_it_waits_to_be_sent(sim):
    """At the promised time the held step goes with the snooze; while that message still waits in the outbox
    (a long queue), the next run must not send the snooze on its own."""
    from handlers.reminders import run_reminders

    await run_until(sim, at(2026, 12, 9, 7))
    sim.clock.set(at(2026, 12, 9, 8))
    await sim.press_data("khtc", f"rem:snz:{period_id(sim.services)}")
    sim.clock.set(at(2026, 12, 10, 8))
    assert (await run_reminders(sim.app)).sent >= 1  # queued, not sent yet
    sim.clock.set(at(2026, 12, 10, 8) + timedelta(minutes=5))
    target = f"p{_person(sim, 'khtc')}"
    assert [i.step for i in sim.services.reminders.due() if i.target == target] == []
    log = await run_until(sim, at(2026, 12, 10, 18))
    assert len(to(log, KHTC)) == 1
