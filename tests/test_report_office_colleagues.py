"""When one Office member accepts or returns a report, the other members are told, not only the unit."""

from __future__ import annotations

from tests.report_helpers import fill, submit
from tests.world import period_id


def submitted_report(sim) -> int:
    head = sim.services.people.actor_for("telegram", "1003")
    screen = submit(sim.services, head, fill(sim.services, head,
                                             sim.services.reports.open(head, period_id(sim.services, "2026-Y"))))
    return screen.ref.report_id


async def test_colleagues_hear_of_an_acceptance(sim):
    report_id = submitted_report(sim)
    sent = await sim.press_data("vanthu", f"rep:acc:{report_id}:1")
    to_colleague = [m for m in sent if m.chat_id == 1001]
    assert [m.text for m in to_colleague] == [
        "Thông báo: đồng chí Lê Văn Hòa đã tiếp nhận Báo cáo năm 2026 của Phòng Kế hoạch - Tài chính "
        "(phiên bản 1)."]
    assert not [m for m in sent if m.chat_id == 1002 and m.text.startswith("Thông báo:")]
    assert any(m.chat_id == 1003 for m in sent)


async def test_colleagues_hear_of_a_return(sim):
    report_id = submitted_report(sim)
    await sim.press_data("hcth", f"rep:ret:{report_id}:1")
    sent = await sim.send("hcth", "Đề nghị bổ sung số liệu giải ngân.")
    assert any(m.chat_id == 1002 and "đã trả lại" in m.text for m in sent)
