"""Follow-up reminders reach whoever holds the item: the Office, the Director, an assigned deputy director, the unit."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.test_escalation_sim import GIAMDOC, HCTH, KHTC, PGD, VANTHU, raise_via_chat, reminders_in


def chats(sent) -> set[int]:
    return {m.chat_id for m in reminders_in(sent)}


async def test_follow_ups_reach_every_holder(sim, caplog):
    caplog.set_level(logging.ERROR)
    await raise_via_chat(sim)  # Tuesday 24/11 09:00: the Office has two working days
    office = sim.services.people.actor_for("telegram", str(VANTHU))
    sent = await sim.advance(timedelta(days=3))  # -> Friday 27/11 09:00
    assert chats(sent) == {VANTHU, HCTH}  # every Office member
    assert "Tiếp nhận" in str(reminders_in(sent)[0].buttons)  # the holder can act from the reminder

    sim.services.escalations.forward(office, 1, "Kính trình")
    sent = await sim.advance(timedelta(days=7))  # the Director's three working days pass
    assert chats(sent) == {GIAMDOC}

    director = sim.services.people.actor_for("telegram", str(GIAMDOC))
    pgd = sim.services.people.actor_for("telegram", str(PGD))
    sim.services.escalations.assign(director, 1, pgd.person_id)
    sent = await sim.advance(timedelta(days=7))
    assert chats(sent) == {PGD}  # an assigned deputy director holds it, not the Director

    sim.services.escalations.instruct(pgd, 1, "Đồng ý")
    sent = await sim.advance(timedelta(days=10))
    assert chats(sent) == {KHTC}
    assert not [r for r in caplog.records if "periodic task" in r.getMessage()]
