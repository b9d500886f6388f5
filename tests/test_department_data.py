"""What the official report cites about the Department and its units is organisation data the Office sets from
chat: a unit's short name (also typed in brackets when adding it) and the number and date of the Department's plan."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import DomainError, PermissionDenied
from bot.services.org.service import department_from, split_short_name


def test_the_organisation_file_gives_the_department(services):
    data = services.org.department()
    assert data.superior == "Ủy ban nhân dân tỉnh Quảng Ngãi" and "Phong trào thi đua" in data.movement
    assert data.plan_number == "" and data.plan_date is None
    assert data.recipients[0] == "Sở Nội vụ;"


def test_department_section_defaults_and_dates():
    data = department_from({"department": {"plan_number": "15/KH-SKHCN", "plan_date": "20/01/2026",
                                           "recipients": ["Sở Nội vụ;", "Lưu: VT."]}})
    assert (data.plan_number, data.plan_date, data.recipients) == ("15/KH-SKHCN", date(2026, 1, 20),
                                                                    ("Sở Nội vụ;", "Lưu: VT."))
    assert department_from({}).superior == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert department_from({"department": {"plan_date": "31/02/2026"}}).plan_date is None


def test_short_name_in_brackets():
    assert split_short_name("Phòng Thông tin (PTT)") == ("Phòng Thông tin", "PTT")
    assert split_short_name("Phòng Thông tin") == ("Phòng Thông tin", "")


async def test_office_sets_short_names_and_the_plan_from_chat(sim):
    sent = await sim.send("vanthu", "/donvi them Phòng Thông tin và Thống kê (TT-TK)")
    assert "Đã thêm phòng, đơn vị: Phòng Thông tin và Thống kê." in sent[-1].text
    assert "Tên viết tắt của Phòng Thông tin và Thống kê nay là TT-TK." in sent[-1].text
    unit = sim.services.org.find_unit("TT-TK")
    assert unit is not None and unit.name == "Phòng Thông tin và Thống kê"
    sent = await sim.send("vanthu", "/donvi tat thanhtra Thanh tra")
    assert sent[-1].text == "Tên viết tắt của Thanh tra Sở nay là Thanh tra."
    sent = await sim.send("vanthu", "/donvi tat thanhtra " + "X" * 30)
    assert "tối đa 24 ký tự" in sent[-1].text
    sent = await sim.send("vanthu", "/donvi kehoach 15/KH-SKHCN 20/01/2026")
    assert sent[-1].text == "Báo cáo của Sở nay dẫn Kế hoạch số 15/KH-SKHCN ngày 20/01/2026."
    for wrong in ("/donvi kehoach mười lăm 20/01/2026", "/donvi kehoach 15/KH-SKHCN 31/02/2026",
                  "/donvi kehoach 15/KH-SKHCN 20/01/2099"):
        sent = await sim.send("vanthu", wrong)
        assert sent[-1].text.startswith("Đề nghị đồng chí gõ"), (wrong, sent[-1].text)
    data = sim.services.org.department()
    assert (data.plan_number, data.plan_date) == ("15/KH-SKHCN", date(2026, 1, 20))
    sent = await sim.send("khtc", "/donvi kehoach 16/KH-SKHCN 20/01/2026")
    assert sim.services.org.department().plan_number == "15/KH-SKHCN"
    sent = await sim.send("vanthu", "/donvi phongtrao Phong trào thi đua “Đổi mới sáng tạo”")
    assert sent[-1].text == "Báo cáo chính thức từ nay trích dẫn tên phong trào: Phong trào thi đua “Đổi mới sáng tạo”."
    sent = await sim.send("vanthu", "/donvi phongtrao ngắn")
    assert sent[-1].text.startswith("Đề nghị nhập đầy đủ tên phong trào"), sent[-1].text
    assert sim.services.org.department().movement == "Phong trào thi đua “Đổi mới sáng tạo”"


def test_only_the_office_sets_them(services):
    from bot.domain import Actor, Role

    head = Actor(person_id=1, full_name="A", role=Role.UNIT_HEAD, unit_id=1, unit_name="x", locale="vi")
    with pytest.raises(PermissionDenied):
        services.org.set_plan(head, "15/KH-SKHCN", "20/01/2026")
    with pytest.raises(PermissionDenied):
        services.org.set_short_name(head, 1, "X")
    office = Actor(person_id=1, full_name="A", role=Role.OFFICE, unit_id=1, unit_name="x", locale="vi")
    with pytest.raises(DomainError):
        services.org.set_short_name(office, 1, "🙂")
