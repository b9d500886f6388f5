"""Bad input never crashes the bot, never stores anything half-way, and gets a short reply in the person's language."""

from __future__ import annotations

import logging

from handlers.errors import RedactToken


async def test_unknown_command(sim):
    sent = await sim.send("khtc", "/khonglenhnay")
    assert sent[-1].text.startswith("Lệnh không hợp lệ.")


async def test_sticker_and_unexpected_files(sim):
    sent = await sim.send_sticker("khtc")
    assert "chỉ đọc được tin nhắn chữ" in sent[-1].text
    sent = await sim.send_photo("khtc")
    assert "không cần tệp đính kèm" in sent[-1].text
    sent = await sim.send_file("khtc", "bao-cao.pdf")
    assert "không cần tệp đính kèm" in sent[-1].text


async def test_file_where_text_is_expected(sim):
    sent = await sim.send("vanthu", "/donvi")
    await sim.press("vanthu", sent[-1], "Thêm phòng")
    sent = await sim.send_file("vanthu", "ten-phong.docx")
    assert "cần trả lời bằng chữ" in sent[-1].text
    assert sim.services.dialogs.get(sim.services.people.actor_for("telegram", "1002").person_id) is not None


async def test_five_thousand_characters_are_refused_whole(sim):
    sent = await sim.send("vanthu", "/donvi")
    await sim.press("vanthu", sent[-1], "Thêm phòng")
    units = len(sim.services.org.list_units())
    sent = await sim.send("vanthu", "Phòng " + "a" * 5000)
    assert "Tin nhắn quá dài (5006 ký tự)" in sent[-1].text
    assert len(sim.services.org.list_units()) == units


async def test_emoji_and_plain_chatter(sim):
    sent = await sim.send("khtc", "👍🙏")
    assert "Trợ lý Thi đua chưa hiểu ý đồng chí" in sent[-1].text
    await sim.send("khtc", "/language en")
    sent = await sim.send("khtc", "hello?")
    assert sent[-1].text.startswith("I did not understand.")


async def test_stale_and_forged_buttons(sim):
    for data in ("zzz:1", "lang:fr", "unit", "x" * 64, "lang:vi:extra"):
        sent = await sim.press_data("khtc", data)
        assert sent[-1].text in ("Nút này không còn hiệu lực.", "Đồng chí không có quyền thực hiện thao tác này.")


async def test_unit_buttons_with_broken_ids(sim):
    for data in ("unit:menu:abc", "unit:menu:99999", "unit:ren", "unit:zz:1"):
        sent = await sim.press_data("vanthu", data)
        assert sent[-1].text in ("Nút này không còn hiệu lực.", "Mục này không còn tồn tại.")


async def test_expired_and_garbage_invite_codes(sim):
    stranger = sim.add_persona("x", 9500, "Người Thử")
    sent = await sim.send(stranger, "/start " + "Ä" * 80)
    assert "không hợp lệ" in sent[-1].text
    sent = await sim.send(stranger, "/start ../../etc/passwd")
    assert "không hợp lệ" in sent[-1].text


async def test_cancel_forgets_the_pending_question(sim):
    sent = await sim.send("vanthu", "/donvi")
    await sim.press("vanthu", sent[-1], "Thêm phòng")
    sent = await sim.send("vanthu", "/huy")
    assert sent[-1].text.startswith("Đã hủy.")
    sent = await sim.send("vanthu", "/huy")
    assert sent[-1].text == "Hiện không có nội dung nào cần hủy."


async def test_a_failing_handler_gets_an_apology_and_the_log_hides_the_token(sim, caplog, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(sim.services.org, "list_units", boom)
    with caplog.at_level(logging.ERROR):
        sent = await sim.send("vanthu", "/donvi")
    assert sent[-1].text.startswith("Xin lỗi đồng chí, hệ thống vừa gặp sự cố.")
    assert "database exploded" in caplog.text


def test_token_is_redacted_from_logs():
    token = "123456:ABC-secret"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "POST https://api.telegram.org/bot%s/sendMessage",
                               (token,), None)
    RedactToken(token).filter(record)
    assert token not in record.getMessage() and "<token>" in record.getMessage()
