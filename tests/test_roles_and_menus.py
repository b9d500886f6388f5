"""Each role sees its own commands, and every command and button is checked on the server."""

from __future__ import annotations

import pytest


async def test_menus_follow_roles(sim):
    for key in ("khtc", "vanthu", "giamdoc", "hcth"):
        await sim.send(key, "/start")
    head, office, director, office_head = (sim.api.menu_of(uid) for uid in (1003, 1002, 1011, 1001))
    assert "moi" not in head and "donvi" not in head and "ngonngu" in head
    assert {"moi", "donvi", "nguoidung", "nhatky"} <= set(office)
    assert "moi" not in director and "nguoidung" in director and "nhatky" in director
    # The head of the Administration Office administers too.
    assert "moi" in office_head


async def test_menu_switches_language(sim):
    await sim.send("khtc", "/start")
    sent = await sim.send("khtc", "/language en")
    assert sent[-1].text == "From now on I will write to you in English."
    menu = sim.api.commands["chat:1003:"]
    assert any(c["command"] == "language" and c["description"].startswith("Choose") for c in menu)
    sent = await sim.send("khtc", "/help")
    assert "Welcome, Nguyễn Văn An (Head of the office, Phòng Kế hoạch - Tài chính)" in sent[-1].text
    sent = await sim.send("khtc", "/ngonngu vi")
    assert "tiếng Việt" in sent[-1].text


async def test_stranger_default_menu_has_both_languages(sim):
    vi = sim.api.commands["default::"]
    en = sim.api.commands["default::en"]
    assert [c["command"] for c in vi] == ["start", "trogiup", "ngonngu"]
    assert [c["command"] for c in en] == ["start", "help", "language"]


@pytest.mark.parametrize("command", ["/moi", "/donvi", "/nguoidung", "/nhatky", "/invite director"])
async def test_unit_head_is_refused_admin_commands(sim, command):
    sent = await sim.send("khtc", command)
    assert sent[-1].text == "Đồng chí không có quyền thực hiện thao tác này."


@pytest.mark.parametrize("data", ["unit:ret:2", "unit:add:0", "inv:r:g", "inv:u:h:2", "ppl:rm:1002", "inv:x:1"])
async def test_forged_admin_buttons_are_refused(sim, data):
    units_before = sim.services.org.list_units()
    sent = await sim.press_data("khtc", data)
    assert sent[-1].text == "Đồng chí không có quyền thực hiện thao tác này."
    assert sim.services.org.list_units() == units_before
    assert sim.services.people.actor_for("telegram", "1002") is not None


async def test_stranger_sees_only_the_notice(sim):
    stranger = sim.add_persona("la", 4242, "Người Lạ")
    for action in ("/start", "/moi", "xin chào", "/baocao"):
        sent = await sim.send(stranger, action)
        assert "4242" in sent[-1].text and "chưa được đăng ký" in sent[-1].text
    sent = await sim.press_data(stranger, "unit:ret:1")
    assert "chưa được đăng ký" in sent[-1].text
    english = sim.add_persona("en", 4343, "Stranger", language_code="en")
    sent = await sim.send(english, "/start")
    assert "not yet registered" in sent[-1].text and "4343" in sent[-1].text


async def test_director_reads_people_but_cannot_remove(sim):
    sent = await sim.send("giamdoc", "/nguoidung")
    assert "Nguyễn Văn An" in sent[-1].text and "/nguoidung xoa" not in sent[-1].text
    sent = await sim.send("giamdoc", "/nguoidung xoa 1003")
    assert "Người dùng đã đăng ký" in sent[-1].text
    assert sim.services.people.actor_for("telegram", "1003") is not None


async def test_office_removes_access(sim):
    target = sim.services.people.actor_for("telegram", "1007")
    sent = await sim.send("vanthu", f"/nguoidung xoa {target.person_id}")
    sent = await sim.press("vanthu", sent[-1], 1)
    assert "không còn sử dụng được Trợ lý Thi đua" in sent[-1].text
    sent = await sim.send("thanhtra", "/start")
    assert "chưa được đăng ký" in sent[-1].text


async def test_a_heads_help_does_not_promise_other_units_reports(sim):
    """A unit head reads only their own unit's reports: the help says "submitted reports", not "the units'"."""
    text = (await sim.send("khtc", "/trogiup"))[-1].text
    assert "Xem các báo cáo đã nộp" in text and "báo cáo của các phòng, đơn vị" not in text
