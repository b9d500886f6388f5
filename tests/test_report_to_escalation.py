"""Difficulties written in a submitted report can be raised to the Director as a tracked item."""

from __future__ import annotations

from tests.report_helpers import fill
from tests.world import period_id


async def test_difficulties_of_a_report_become_a_tracked_item(sim):
    services = sim.services
    head = services.people.actor_for("telegram", "1003")
    difficulty = "Chưa được bố trí đủ kinh phí mua sắm thiết bị đo lường."
    fill(services, head, services.reports.open(head, period_id(services, "2026-Y")),
         typed={"capital_holds": "không", "difficulties": difficulty})
    await sim.send("khtc", "/baocao")
    await sim.send("khtc", "gửi")
    sent = await sim.send("khtc", "xác nhận")
    submitted = next(m for m in sent if m.chat_id == 1003 and m.buttons)
    assert "Báo cáo có nêu khó khăn, vướng mắc" in submitted.text
    assert submitted.flat_buttons[-1] == ("Báo cáo Giám đốc Sở", f"esc:frr:{submitted.flat_buttons[0][1].split(':')[2]}:1")
    sent = await sim.press("khtc", submitted, len(submitted.flat_buttons))
    assert difficulty in sent[-1].text and "Bước 1/4" in sent[-1].text  # numbered like the flow it joins
    sent = await sim.send("khtc", "Thiếu kinh phí thiết bị đo lường")
    assert "Bước 3/4" in sent[-1].text
    await sim.send("khtc", "không")
    sent = await sim.send("khtc", "1")
    items = services.escalations.summaries()
    assert [(i.title, i.description) for i in items] == [("Thiếu kinh phí thiết bị đo lường", difficulty)]
    assert any(m.chat_id == 1002 and "Thiếu kinh phí thiết bị đo lường" in m.text for m in sent)
    # Pressing the button again does not raise it twice.
    await sim.press("khtc", submitted, len(submitted.flat_buttons))
    await sim.send("khtc", "Tiêu đề khác")
    await sim.send("khtc", "không")
    sent = await sim.send("khtc", "1")
    assert len(services.escalations.summaries()) == 1
    assert "đã được gửi" in sent[-1].text


async def test_another_unit_cannot_raise_from_someone_elses_report(sim):
    services = sim.services
    head = services.people.actor_for("telegram", "1003")
    screen = fill(services, head, services.reports.open(head, period_id(services, "2026-Y")),
                  typed={"capital_holds": "không", "difficulties": "Khó khăn A"})
    sent = await sim.press_data("qlkh", f"esc:frr:{screen.ref.report_id}:0")
    assert "quyền" in sent[-1].text
    assert services.escalations.summaries() == []
