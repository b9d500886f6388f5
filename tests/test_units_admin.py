"""The unit list is data the Office edits from chat, audited, and loaded from the YAML file."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.domain import DomainError, Role
from storage.models import AuditLog


async def test_rename_through_a_dialog_that_survives_a_restart(sim):
    unit = sim.services.org.find_unit("qlkh")
    sent = await sim.send("vanthu", "/donvi")
    sent = await sim.press("vanthu", sent[-1], "QLKH")
    sent = await sim.press("vanthu", sent[-1], "Đổi tên")
    assert "nhập tên mới" in sent[-1].text
    await sim.restart()
    sent = await sim.send("vanthu", "Phòng Quản lý Khoa học và Đổi mới sáng tạo")
    assert sent[-1].text == "Đã đổi tên thành: Phòng Quản lý Khoa học và Đổi mới sáng tạo."
    assert sim.services.org.get_unit(unit.unit_id).name == "Phòng Quản lý Khoa học và Đổi mới sáng tạo"
    with sim.db.session() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "unit.rename")).one()
        assert entry.before["name"] == "Phòng Quản lý Khoa học"
        assert entry.after["name"].endswith("Đổi mới sáng tạo")
    sent = await sim.send("vanthu", "/nhatky")
    assert "đồng chí Lê Văn Hòa đổi tên đơn vị Phòng Quản lý Khoa học thành Phòng Quản lý Khoa học và Đổi mới" in sent[-1].text


async def test_typed_subcommands_add_retire_restore(sim):
    sent = await sim.send("vanthu", "/donvi them Phòng Thông tin và Thống kê")
    assert sent[-1].text == "Đã thêm phòng, đơn vị: Phòng Thông tin và Thống kê."
    sent = await sim.send("vanthu", "/donvi ngung thanhtra")
    assert "Đã ngừng hoạt động: Thanh tra Sở" in sent[-1].text
    assert all(u.code != "thanhtra" for u in sim.services.org.list_units())
    sent = await sim.send("vanthu", "/donvi khoiphuc thanhtra")
    assert sent[-1].text == "Đã khôi phục: Thanh tra Sở."
    sent = await sim.send("vanthu", "/donvi ngung hcth")
    assert "Không thể ngừng hoạt động Phòng Hành chính - Tổng hợp" in sent[-1].text
    sent = await sim.send("vanthu", "/donvi doiten khongco Tên")
    assert "Không tìm thấy" in sent[-1].text


async def test_empty_and_overlong_names_are_refused_and_the_question_stays(sim):
    sent = await sim.send("vanthu", "/donvi")
    sent = await sim.press("vanthu", sent[-1], "Thêm phòng")
    sent = await sim.send("vanthu", "x" * 300)
    assert "không được dài quá 200 ký tự" in sent[-1].text
    sent = await sim.send("vanthu", "Phòng Kế hoạch - Tài chính")
    assert sent[-1].text == "Đã có phòng, đơn vị mang tên này."
    sent = await sim.send("vanthu", "Phòng Pháp chế")
    assert sent[-1].text == "Đã thêm phòng, đơn vị: Phòng Pháp chế."
    sent = await sim.send("vanthu", "Phòng nữa")
    assert "chưa hiểu" in sent[-1].text


def test_load_file_is_idempotent_and_keeps_one_office(services, settings, tmp_path):
    assert services.org.load_file(settings.organization_file) == (0, 0, 0)
    assert services.org.office_unit().code == "hcth"
    broken = tmp_path / "org.yaml"
    broken.write_text("units:\n  - {code: a, name: A}\n", encoding="utf-8")
    with pytest.raises(ValueError):
        services.org.load_file(broken)
    smaller = tmp_path / "org2.yaml"
    smaller.write_text("units:\n  - {code: hcth, name: Phòng Hành chính - Tổng hợp, short_name: HC-TH, admin_office: true}\n",
                       encoding="utf-8")
    assert services.org.load_file(smaller, retire_missing=True) == (0, 0, 7)
    assert [u.code for u in services.org.list_units()] == ["hcth"]


def test_unit_head_cannot_edit_units(services):
    unit = services.org.find_unit("khtc")
    head = services.people.add_person(full_name="A", role=Role.UNIT_HEAD, telegram_id="1", unit_id=unit.unit_id)
    with pytest.raises(DomainError):
        services.org.rename_unit(head, unit.unit_id, "B")
