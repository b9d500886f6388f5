"""The input boundary: numbers and ids, control characters, meaningless text, edits, forwards and group chats.

Each test names the defect it keeps out (issue 10). "Crash" means the handler raised and the person saw the
generic apology; the `crashes` fixture records every error the application's error handlers see.
"""

from __future__ import annotations

import pytest

APOLOGY = "Xin lỗi đồng chí, hệ thống vừa gặp sự cố"
HUGE = "99999999999999999999"  # above SQLite's 2^63; 3000000000 is above PostgreSQL's 2^31


@pytest.fixture
def crashes(sim) -> list[BaseException]:
    """Every exception that reached the application's error handlers during the test."""
    seen: list[BaseException] = []

    async def record(_update: object, context) -> None:  # noqa: ANN001
        seen.append(context.error)

    sim.app.add_error_handler(record)
    return seen


def test_numbers_are_ascii_and_bounded():
    from bot.text import DB_INT_MAX, parse_id, parse_index, parse_int

    assert parse_int("12") == 12 and parse_int(" 7 ") == 7 and parse_int("0") == 0
    for text in ("²", "①", "١٢", "1_000", "-1", "+1", "1e3", "", None, "12a", str(DB_INT_MAX + 1), HUGE):
        assert parse_int(text) is None, text
    assert parse_id("#12") == 12 and parse_id("0") is None and parse_id("3000000000") is None
    assert parse_index("2.", 3) == 2 and parse_index("4", 3) is None and parse_index("²", 3) is None


def test_control_characters_are_removed_and_meaningless_text_is_recognised():
    from bot.text import clean_line, meaningful, nfc

    assert nfc("Kho\x00 khăn\x07") == "Kho khăn"
    assert nfc("a\r\nb\tc") == "a\nb\tc"
    assert clean_line("\x1b[31mĐỏ\x1b[0m") == "Đỏ"
    assert nfc("Tie\u0302\u0301ng") == "Tiếng"
    for text in ("\u200b", "\ufeff", "\u202e\u202d", "\u00ad", "👍🙏", "...", " \x00 ", ""):
        assert not meaningful(text), repr(text)
    assert meaningful("Vốn 5") and meaningful("①")


@pytest.mark.parametrize("text", ["/vuongmac 3000000000", f"/vuongmac {HUGE}", "/vuongmac ²", "/vuongmac #①",
                                  f"/vuongmac {HUGE} dong xong"])
async def test_typed_item_numbers_out_of_range(sim, crashes, text):
    sent = await sim.send("khtc", text)
    assert not crashes and sent[-1].text == "Mục này không còn tồn tại."


@pytest.mark.parametrize("data", [f"esc:v:{HUGE}:0", "esc:v:3000000000:0", "esc:v:²:0", "esc:file:1:²",
                                  f"esc:file:1:{HUGE}", f"rep:open:{HUGE}", f"rep:v:{HUGE}:1", f"unit:menu:{HUGE}",
                                  f"per:show:{HUGE}", "esc:asg:1:²", f"esc:asg:1:{HUGE}"])
async def test_button_ids_out_of_range(sim, crashes, data):
    for persona in ("khtc", "vanthu", "giamdoc"):
        sent = await sim.press_data(persona, data)
        assert not crashes, (persona, data, crashes)
        assert sent and APOLOGY not in sent[-1].text


async def test_non_ascii_digits_in_typed_commands(sim, crashes):
    sent = await sim.send("vanthu", "/kybaocao dong ²")
    assert not crashes and APOLOGY not in sent[-1].text
    sent = await sim.send("giamdoc", "/vuongmac 1 giao ²")
    assert not crashes and APOLOGY not in sent[-1].text


async def test_forged_option_number_in_report_button(sim, crashes):
    sent = await sim.send("khtc", "/baocao")
    data = next(d for m in reversed(sent) for _label, d in m.flat_buttons if d.startswith("rep:a:"))
    prefix = data.rsplit(":", 1)[0]
    for action in ("o²", "e①", "d" + HUGE, "o" + HUGE):
        sent = await sim.press_data("khtc", f"{prefix}:{action}")
        assert not crashes, (action, crashes)
        assert sent and APOLOGY not in sent[-1].text


async def test_nul_in_a_difficulty_is_removed_and_the_dialog_goes_on(sim, crashes):
    await sim.send("khtc", "/vuongmac moi")
    sent = await sim.send("khtc", "Chậm\x00 giải ngân")
    assert "Bước 2" in sent[-1].text
    await sim.send("khtc", "Thiếu\x00 hồ sơ\x1b[2J thanh toán")
    await sim.send("khtc", "không")
    await sim.send("khtc", "1")
    assert not crashes
    actor = sim.services.people.actor_for("telegram", "1003")
    view = sim.services.escalations.list_items(actor)[-1]
    assert view.title == "Chậm giải ngân" and "\x00" not in view.description and "\x1b" not in view.description


@pytest.mark.parametrize("title", ["\u200b\u200b", "\ufeff", "\u202e\u00ad", "🙏🙏🙏"])
async def test_meaningless_difficulty_title_is_refused(sim, title):
    await sim.send("khtc", "/vuongmac moi")
    sent = await sim.send("khtc", title)
    assert "ký tự ẩn không lưu được" in sent[-1].text
    sent = await sim.send("khtc", "Chậm giải ngân")
    assert "Bước 2" in sent[-1].text


async def test_meaningless_unit_name_is_refused(sim):
    sent = await sim.send("vanthu", "/donvi")
    await sim.press("vanthu", sent[-1], "Thêm phòng")
    units = len(sim.services.org.list_units())
    sent = await sim.send("vanthu", "\u200b\ufeff")
    assert "ký tự ẩn không lưu được" in sent[-1].text
    assert len(sim.services.org.list_units()) == units


async def test_button_press_without_a_message_is_answered_privately(sim, crashes):
    user = {"id": 1003, "is_bot": False, "first_name": "An", "language_code": "vi"}
    for data in ("esc:v:1:0", "zzz", "rep:open:1"):
        sent = await sim.feed({"callback_query": {"id": "q1", "from": user, "chat_instance": "i",
                                                   "inline_message_id": "AAAA", "data": data}})
        assert not crashes, (data, crashes)
        assert sent and sent[-1].chat_id == 1003


async def test_an_edit_is_not_an_answer(sim, crashes):
    """Editing a typed answer saved the edit as the answer to the next question; an edited command ran again."""
    await sim.send("khtc", "/vuongmac moi")
    await sim.send("khtc", "Chậm giải ngân")  # the title; the description is pending
    sent = await sim.edit("khtc", "Chậm giải ngân vốn")
    assert sent[-1].text.startswith("Sửa tin nhắn đã gửi không thay đổi câu trả lời")
    dialog = sim.services.dialogs.get(sim.services.people.actor_for("telegram", "1003").person_id)
    assert dialog.payload["step"] == "desc" and dialog.payload["title"] == "Chậm giải ngân"
    sent = await sim.edit("vanthu", "/kybaocao dong 2026-Y")
    assert [m.text for m in sent] == ["Sửa một lệnh đã gửi không làm lệnh đó chạy lại. Đề nghị đồng chí gõ lệnh mới "
                                      "trong một tin nhắn mới: /kybaocao"]
    assert all(p.state != "closed" for p in sim.services.periods.list_periods() if p.code == "2026-Y")
    await sim.send("khtc", "/language en")
    sent = await sim.edit("khtc", "hello")
    assert sent[-1].text.startswith("Editing a message you already sent")
    assert not crashes


async def test_an_edited_command_asks_for_the_command_anew(sim, crashes):
    """An edited /baocao is not an edited answer: the person is told to type the command again, and nothing runs."""
    before = len(sim.api.outbox)
    sent = await sim.edit("khtc", "/baocao")
    assert [m.text for m in sent] == ["Sửa một lệnh đã gửi không làm lệnh đó chạy lại. Đề nghị đồng chí gõ lệnh mới "
                                      "trong một tin nhắn mới: /baocao"]
    assert len(sim.api.outbox) == before + 1 and sim.services.dialogs.get(
        sim.services.people.actor_for("telegram", "1003").person_id) is None
    await sim.send("khtc", "/language en")
    sent = await sim.edit("khtc", "/report@TroLyThiDuaBot")
    assert [m.text for m in sent] == ["Editing a command you already sent does not run it again. Please type the "
                                      "command anew, as a new message: /report"]
    sent = await sim.edit("khtc", "Báo cáo")  # a plain text edit keeps the answer's wording
    assert sent[-1].text.startswith("Editing a message you already sent")
    assert not crashes


async def test_a_forwarded_text_is_not_an_answer(sim):
    await sim.send("khtc", "/vuongmac moi")
    sent = await sim.forward("khtc", "Chậm giải ngân", sender="qlkh")
    assert sent[-1].text.startswith("Tin nhắn chuyển tiếp không được ghi nhận")
    dialog = sim.services.dialogs.get(sim.services.people.actor_for("telegram", "1003").person_id)
    assert dialog.payload["step"] == "title"
    sent = await sim.forward("vanthu", "/kybaocao dong 2026-Y")
    assert sent[-1].text.startswith("Tin nhắn chuyển tiếp")


@pytest.mark.parametrize("text", ["/moi hcth", "/invite khtc", "/xembaocao", "/baocao", "/vuongmac", "/kybaocao",
                                  "/donvi", "/nguoidung", "/nhatky", "/xuatbaocao", "/huy", "/start",
                                  "/moi@TroLyThiDuaBot hcth"])
async def test_personal_and_admin_commands_are_refused_in_groups(sim, text):
    sent = await sim.send_group("vanthu", text)
    assert [m.text for m in sent] == ["Đề nghị đồng chí dùng lệnh này trong cuộc trò chuyện riêng với Trợ lý, "
                                      "không dùng trong nhóm."]
    assert sent[-1].chat_id == sim.group_chat_id  # and nothing else: no invitation link, no report


async def test_status_and_chart_work_in_groups(sim):
    sent = await sim.send_group("giamdoc", "/tinhhinh")
    assert sent and "trò chuyện riêng" not in sent[-1].text
    sent = await sim.send_group("giamdoc", "/bieudo@TroLyThiDuaBot")
    assert sent and "trò chuyện riêng" not in sent[-1].text
    assert await sim.send_group("vanthu", "/moi@OtherBot hcth") == []  # addressed to another bot


async def test_nul_in_a_file_name_is_removed(sim, crashes):
    await sim.send("khtc", "/vuongmac moi")
    await sim.send("khtc", "Chậm giải ngân")
    await sim.send("khtc", "Thiếu hồ sơ thanh toán")
    await sim.send_file("khtc", "ke\x00hoach\x1b[0m.pdf")
    await sim.send("khtc", "1")
    assert not crashes
    actor = sim.services.people.actor_for("telegram", "1003")
    view = sim.services.escalations.list_items(actor)[-1]
    history = sim.services.escalations.history(actor, view.item_id)
    names = [e.attachment["file_name"] for e in history if e.attachment]
    assert names == ["kehoach.pdf"]


def test_money_totals_are_exact_integers():
    """/tinhhinh showed "1.000.000.000.000.000.015.287.555.072 đồng": a float answer summed in binary floating point."""
    from bot.consolidation import as_int
    from bot.i18n import I18n

    assert as_int(1e27) == 10**27 and as_int("2000000000") == 2 * 10**9 and as_int(float("nan")) == 0
    total = sum(as_int(v) for v in (1e27, 2_000_000_000, "15"))
    assert I18n().get("vi").money(total) == "1.000.000.000.000.000.002.000.000.015 đồng"
