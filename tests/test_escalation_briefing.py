"""The Director decides from the forwarded message itself: description, the Office's note and the unit's additions."""

from __future__ import annotations

from datetime import timedelta

from tests.test_escalation_sim import GIAMDOC, KHTC, PGD, VANTHU, raise_via_chat, reminders_in, to

DESCRIPTION = "Dự án kè chắn sóng chưa được phân bổ vốn năm 2026; đề nghị điều chỉnh kế hoạch vốn."
ASKED = "Đề nghị bổ sung số liệu giải ngân đến ngày 20/11."
ADDED = "Đến ngày 20/11 đã giải ngân 40% kế hoạch vốn."
NOTE = "Kính trình Giám đốc cho ý kiến về việc điều chỉnh vốn."


def has_context(text: str) -> bool:
    return all(part in text for part in (DESCRIPTION, ASKED, ADDED, NOTE))


async def test_forwarded_card_carries_what_the_director_needs(sim):
    sent = await raise_via_chat(sim)
    await sim.press("vanthu", to(sent, VANTHU), "Đề nghị bổ sung")
    sent = await sim.send("vanthu", ASKED)
    await sim.press("khtc", to(sent, KHTC), "Bổ sung thông tin")
    sent = await sim.send("khtc", ADDED)
    await sim.press("vanthu", to(sent, VANTHU), "Trình Giám đốc")
    sent = await sim.send("vanthu", NOTE)
    director = to(sent, GIAMDOC)
    assert has_context(director.text), director.text
    assert "Đồng ý" in str(director.buttons)
    assert ADDED not in to(sent, KHTC).text  # the unit gets a short notice only

    sent = await sim.press("giamdoc", director, "Lý Thị Ngọc")  # assign to the deputy director
    assert has_context(to(sent, PGD).text)
    pgd = sim.services.people.actor_for("telegram", str(PGD))
    sim.services.escalations.instruct(pgd, 1, "Đồng ý")
    office = sim.services.people.actor_for("telegram", str(VANTHU))
    sim.services.escalations.reply(sim.services.people.actor_for("telegram", str(KHTC)), 1, "Chưa rõ nguồn vốn.")
    sim.services.escalations.forward(office, 1, NOTE)
    sent = await sim.advance(timedelta(days=7))
    reminder = [m for m in reminders_in(sent) if m.chat_id == PGD]
    assert reminder and has_context(reminder[0].text) and "Chưa rõ nguồn vốn." in reminder[0].text
