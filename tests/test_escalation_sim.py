"""The escalation feature end to end in the simulator: the issue's "Done when" scenario and the bad input."""

from __future__ import annotations

from datetime import timedelta

from bot.contracts import EscalationState as S

from tests.world import GIAMDOC, HCTH, KHTC, PGD, QLKH, VANTHU


def reminders_in(sent, item_id: int = 1) -> list:
    return [m for m in sent if f"vướng mắc số {item_id}" in m.text and "nhắc" in m.text.lower()]


def to(sent, chat_id: int):
    """The last message of a batch to one chat."""
    return [m for m in sent if m.chat_id == chat_id][-1]


async def raise_via_chat(sim, who: str = "khtc", title: str = "Giải ngân vốn đầu tư công chậm") -> list:
    await sim.send(who, "/vuongmac moi")
    await sim.send(who, title)
    await sim.send(who, "Dự án kè chắn sóng chưa được phân bổ vốn năm 2026; đề nghị điều chỉnh kế hoạch vốn.")
    await sim.send(who, "không")
    return await sim.send(who, "1")


def history(sim, item_id: int = 1) -> list[str]:
    office = sim.services.people.actor_for("telegram", str(VANTHU))
    return [h.action for h in sim.services.escalations.history(office, item_id)]


async def test_done_when_scenario(sim):
    sent = await sim.send("khtc", "/vuongmac moi")
    assert "Bước 1/4" in sent[-1].text
    await sim.send("khtc", "Giải ngân vốn đầu tư công chậm")
    await sim.send("khtc", "Dự án kè chắn sóng chưa được phân bổ vốn; đề nghị điều chỉnh kế hoạch vốn.")
    sent = await sim.send_file("khtc", "ke-hoach-von.pdf")
    assert "Bước 4/4" in sent[-1].text
    sent = await sim.press("khtc", sent[-1], "Bình thường")
    assert "Vướng mắc số 1 đã được gửi tới Phòng Hành chính - Tổng hợp" in to(sent, KHTC).text
    office = to(sent, VANTHU)
    assert "Kính gửi Phòng Hành chính - Tổng hợp: Phòng Kế hoạch - Tài chính báo cáo khó khăn, vướng mắc mới" in office.text
    assert "Tệp đính kèm: ke-hoach-von.pdf" in office.text and to(sent, HCTH)  # every Office member

    # The Office asks for more information; the unit adds it.
    sent = await sim.press("vanthu", office, "Đề nghị bổ sung")
    assert "cần bổ sung những gì cho vướng mắc số 1" in sent[-1].text
    sent = await sim.send("vanthu", "Đề nghị bổ sung số liệu giải ngân đến ngày 20/11.")
    unit = to(sent, KHTC)
    assert "đề nghị đơn vị bổ sung thông tin về vướng mắc số 1" in unit.text
    sent = await sim.press("khtc", unit, "Bổ sung thông tin")
    sent = await sim.send("khtc", "Đến ngày 20/11 đã giải ngân 40% kế hoạch vốn.")
    assert "Vướng mắc đã được chuyển lại Phòng HC-TH" in to(sent, KHTC).text
    office = to(sent, VANTHU)

    # The Office forwards it to the Director with a note.
    await sim.press("vanthu", office, "Trình Giám đốc")
    sent = await sim.send("vanthu", "Kính trình Giám đốc cho ý kiến chỉ đạo.")
    director = to(sent, GIAMDOC)
    assert "Kính gửi đồng chí Giám đốc" in director.text and "Đồng ý" in str(director.buttons)
    assert "đã được Phòng HC-TH trình Giám đốc" in to(sent, KHTC).text

    # The Director does not answer: a reminder on the first working day after the three working days.
    sent = await sim.advance(timedelta(days=4))  # Tuesday 09:00 -> Saturday 09:00
    assert not reminders_in(sent)
    sent = await sim.advance(timedelta(days=2))  # -> Monday 30/11 09:00
    reminders = reminders_in(sent)
    assert [m.chat_id for m in reminders] == [GIAMDOC]
    assert "đang chờ ý kiến chỉ đạo của đồng chí" in reminders[0].text
    sent = await sim.send("vanthu", "/vuongmac quahan")
    assert "#1 Giải ngân vốn đầu tư công chậm" in sent[-1].text and "QUÁ HẠN" in sent[-1].text

    # The Director gives an instruction from the reminder; it goes to the Office and the unit.
    await sim.press("giamdoc", reminders[0], "Ghi ý kiến chỉ đạo")
    sent = await sim.send("giamdoc", "Đồng ý điều chỉnh; giao Phòng KH-TC phối hợp Văn phòng thực hiện.")
    assert "ý kiến chỉ đạo" in to(sent, VANTHU).text
    unit = to(sent, KHTC)
    assert "Đồng ý điều chỉnh; giao Phòng KH-TC" in unit.text

    # The unit head confirms: the item is closed with an outcome.
    sent = await sim.press("khtc", unit, "Xác nhận đã giải quyết")
    assert "đã được đóng" in to(sent, KHTC).text and "xác nhận vướng mắc số 1" in to(sent, VANTHU).text
    summary = sim.services.escalations.summaries()[0]
    assert summary.state == S.CLOSED and summary.outcome == "resolved"
    assert summary.instruction.startswith("Đồng ý điều chỉnh") and summary.instruction_by == "Hoàng Văn Quang"
    assert history(sim) == ["raise", "ask", "add_info", "forward", "instruct", "confirm"]
    sent = await sim.advance(timedelta(days=10))
    assert not reminders_in(sent)  # closed items are never chased
    # Nothing open any more: the head's list offers the closed items, by button or by word.
    empty = (await sim.send("khtc", "/vuongmac"))[-1]
    assert "Xem vướng mắc đã đóng: /vuongmac dadong" in empty.text
    closed = (await sim.press("khtc", empty, "Đã đóng"))[-1]
    assert "#1 Giải ngân vốn đầu tư công chậm" in closed.text


async def test_forged_and_foreign_buttons_are_refused(sim):
    await raise_via_chat(sim)
    sent = await sim.press_data("qlkh", "esc:v:1:0")
    assert "không có quyền xem vướng mắc này" in sent[-1].text
    sent = await sim.send("qlkh", "/vuongmac 1")
    assert "không có quyền xem" in sent[-1].text
    for data in ("esc:ok:1:0", "esc:add:1:0", "esc:fwd:1:0"):
        sent = await sim.press_data("qlkh", data)
        assert "không có quyền" in sent[-1].text, data
    sent = await sim.press_data("khtc", "esc:fwd:1:0")  # a unit head is not the Office
    assert "không có quyền" in sent[-1].text.lower()
    sent = await sim.press_data("pgd", "esc:ag:1:0")  # a deputy director not assigned
    assert "không có quyền" in sent[-1].text
    for data in ("esc:zz:1:0", "esc:v:abc:0", "esc:v:1", "esc:v:-1:0", "esc", "esc:urg:nope:u"):
        sent = await sim.press_data("vanthu", data)
        assert sent and "không còn hiệu lực" in sent[-1].text, data
    sent = await sim.press_data("vanthu", "esc:v:99:0")
    assert "Không có vướng mắc số 99" in sent[-1].text
    sent = await sim.press_data("giamdoc", "esc:asg:1:1003")  # assigning to someone who is not a deputy director
    assert sim.services.escalations.summaries()[0].state == S.NEW and history(sim) == ["raise"]


async def test_the_no_file_buttons_label_typed_is_accepted(sim):
    """Zalo shows the "No file" button of step 3 as a word to type: typing it moves on, in either language."""
    for who, label in (("khtc", "Không có tệp"), ("qlkh", "No file")):
        if label == "No file":
            await sim.send(who, "/ngonngu en")
        await sim.send(who, "/vuongmac moi")
        await sim.send(who, "Tiêu đề")
        sent = await sim.send(who, "Mô tả đầy đủ của vướng mắc.")
        assert label in [text for text, _data in sent[-1].flat_buttons]
        sent = await sim.send(who, label.upper())
        assert "Bước 4/4" in sent[-1].text or "Step 4 of 4" in sent[-1].text, sent[-1].text


def test_every_skip_buttons_label_typed_means_skip():
    """What Zalo shows as a word to type for a skip button is read as "skip", in every language."""
    from bot.i18n import I18n
    from bot.text import fold
    from handlers.escalations.actions import SKIP_WORDS

    i18n = I18n()
    for locale in ("vi", "en"):
        for label in ("No file", "Forward without a note", "Close without a note"):
            assert fold(i18n.get(locale).gettext(label)) in SKIP_WORDS, (locale, label)


async def test_bad_input_while_raising(sim):
    await sim.send("khtc", "/vuongmac moi")
    sent = await sim.send("khtc", "   ")
    assert "không được để trống" in sent[-1].text
    await sim.send("khtc", "Tiêu đề")
    sent = await sim.send("khtc", "x" * 10_000)
    assert "10000" in sent[-1].text and "4000" in sent[-1].text
    sent = await sim.send("khtc", "y" * 3500)
    assert "3500" in sent[-1].text and "3000" in sent[-1].text
    assert sim.services.escalations.summaries() == []  # nothing stored half-way
    await sim.restart()  # the draft lives in the database, not in memory
    sent = await sim.send("khtc", "Mô tả đầy đủ của vướng mắc.")
    assert "Bước 3/4" in sent[-1].text
    sent = await sim.send("khtc", "không")
    sent = await sim.send("khtc", "để mai")
    assert "gõ 1 (bình thường) hoặc 2 (khẩn)" in sent[-1].text
    sent = await sim.send("khtc", "Khẩn")
    urgency_message = [m for m in sim.api.outbox if "Bước 4/4" in m.text][-1]
    assert sim.services.escalations.summaries()[0].urgent
    sent = await sim.press("khtc", urgency_message, "Khẩn")  # the old button pressed again
    assert "đã được gửi trước đó" in sent[-1].text
    assert len(sim.services.escalations.summaries()) == 1


async def test_cancel_keeps_nothing(sim):
    await sim.send("khtc", "/vuongmac moi")
    await sim.send("khtc", "Tiêu đề")
    await sim.send("khtc", "/huy")
    sent = await sim.send("khtc", "Mô tả")
    assert "Trợ lý Thi đua chưa hiểu" in sent[-1].text
    assert sim.services.escalations.summaries() == []


async def test_forward_twice_and_two_office_members(sim):
    sent = await raise_via_chat(sim)
    mai, hoa = to(sent, HCTH), to(sent, VANTHU)
    prompt = (await sim.press("vanthu", hoa, "Trình Giám đốc"))[-1]
    sent = await sim.press("vanthu", prompt, "Trình không kèm ý kiến")
    assert "Đã trình Giám đốc vướng mắc số 1" in to(sent, VANTHU).text
    sent = await sim.press("vanthu", prompt, "Trình không kèm ý kiến")  # pressed twice
    assert "hiện ở trạng thái \"đã trình Giám đốc\"" in sent[-1].text
    sent = await sim.press("hcth", mai, "Đề nghị bổ sung")  # the other Office member, on her own copy
    assert "Lê Văn Hòa trình Giám đốc" in sent[-1].text
    assert history(sim) == ["raise", "forward"]


async def test_director_reply_to_closed_item_is_kept(sim):
    sent = await raise_via_chat(sim)
    await sim.send("vanthu", "/vuongmac 1 chuyen Kính trình Giám đốc.")
    director = [m for m in sim.api.outbox if m.chat_id == GIAMDOC][-1]
    await sim.send("vanthu", "/vuongmac 1 traloi thử")  # too late for the Office: already forwarded
    await sim.send("giamdoc", "/vuongmac 1 chidao Giao Văn phòng xử lý.")
    await sim.send("khtc", "/vuongmac 1 xacnhan")
    sent = await sim.press("giamdoc", director, "Không đồng ý")
    assert "hiện ở trạng thái \"đã đóng\"" in to(sent, GIAMDOC).text
    assert "Ý kiến của đồng chí được lưu vào quá trình xử lý" in to(sent, GIAMDOC).text  # pressed, not typed
    assert "sau khi vướng mắc đã chuyển bước:\nKhông đồng ý." in to(sent, VANTHU).text
    assert history(sim) == ["raise", "forward", "comment", "instruct", "confirm", "comment"]
    assert sim.services.escalations.summaries()[0].instruction == "Giao Văn phòng xử lý."


async def test_typed_forms_for_a_channel_without_buttons(sim):
    await raise_via_chat(sim)
    await raise_via_chat(sim, title="Trùng: giải ngân chậm")
    await sim.send("vanthu", "/vuongmac 1 tiepnhan")
    await sim.send("vanthu", "/vuongmac 1 yeucau Đề nghị gửi biên bản làm việc.")
    await sim.send("khtc", "/vuongmac 1 bosung Đã gửi biên bản.")
    await sim.send("vanthu", "/vuongmac 1 chuyen")
    await sim.send("vanthu", "không")
    sent = await sim.send("giamdoc", "/vuongmac 1 giao 1")
    assert "Đã giao đồng chí Phó Giám đốc Lý Thị Ngọc" in to(sent, GIAMDOC).text
    assert "Kính gửi đồng chí Phó Giám đốc" in to(sent, PGD).text
    sent = await sim.send("pgd", "/vuongmac")
    assert "#1" in sent[-1].text and "#2" not in sent[-1].text
    sent = await sim.send("pgd", "/vuongmac 1 moigap")
    # the unit is told who gave the instruction by title, not by a bare name it may not know
    assert "Đồng chí Phó Giám đốc Sở Lý Thị Ngọc có ý kiến chỉ đạo về vướng mắc số 1 của đơn vị" in to(sent, KHTC).text
    assert "Đồng chí Phó Giám đốc Sở Lý Thị Ngọc có ý kiến chỉ đạo về vướng mắc số 1:" in to(sent, VANTHU).text
    sent = await sim.send("pgd", "/vuongmac 1 theodoi")
    assert "theo dõi, đôn đốc" in to(sent, VANTHU).text
    await sim.send("khtc", "/vuongmac 1 phanhoi Đề nghị lùi lịch họp.")
    sent = await sim.send("vanthu", "/vuongmac 1 dong Đã thống nhất lịch họp.")
    assert "đã được đồng chí Lê Văn Hòa đóng: đã giải quyết - Đã thống nhất lịch họp." in to(sent, KHTC).text
    await sim.send("vanthu", "/vuongmac 2 trung #1 cùng nội dung")
    sent = await sim.send("vanthu", "/vuongmac dadong khtc")
    assert "#1" in sent[-1].text and "#2" in sent[-1].text
    sent = await sim.send("vanthu", "/vuongmac 2")
    assert "trùng với vướng mắc khác (#1)" in sent[-1].text
    sent = await sim.send("vanthu", "/vuongmac 1 bay")
    assert "Thao tác không hợp lệ" in sent[-1].text
    assert history(sim) == ["raise", "receive", "ask", "add_info", "forward", "assign", "instruct", "follow_up",
                            "reply", "close"]


async def test_office_group_chat_and_files(sim):
    sim.settings.office_chat_id = str(sim.group_chat_id)
    await sim.send("khtc", "/issue new")
    await sim.send("khtc", "Thiết bị đo hỏng")
    await sim.send("khtc", "Máy đo chuẩn hỏng, đề nghị sửa chữa.")
    sent = await sim.send_photo("khtc")
    sent = await sim.send("khtc", "2")
    group = to(sent, sim.group_chat_id)
    assert "[KHẨN] Thiết bị đo hỏng" in group.text and "Trình Giám đốc" in str(group.buttons)
    sent = await sim.press("vanthu", group, "Trình Giám đốc")  # pressed in the group: the prompt goes privately
    assert to(sent, VANTHU) and "ý kiến của Phòng HC-TH" in to(sent, VANTHU).text
    await sim.send("vanthu", "Đề nghị Giám đốc cho ý kiến.")
    await sim.send("giamdoc", "/vuongmac 1 dongy")
    unit = [m for m in sim.api.outbox if m.chat_id == KHTC][-1]
    await sim.press("khtc", unit, "Bổ sung thông tin")
    sent = await sim.send_file("khtc", "bien-ban.pdf")
    assert "Đã bổ sung thông tin cho vướng mắc số 1" in to(sent, KHTC).text
    sent = await sim.send("khtc", "/vuongmac 1")
    assert "[tệp: bien-ban.pdf]" in sent[-1].text
    await sim.press("khtc", sent[-1], "Tệp 1")
    await sim.press("khtc", sent[-1], "Mở tệp đính kèm")
    methods = [name for name, _params in sim.api.calls]
    assert "sendDocument" in methods and "sendPhoto" in methods


async def test_english_alias_and_lists(sim):
    sent = await sim.send("khtc", "/issue")
    assert "Không có vướng mắc nào" in sent[-1].text and "Nêu vướng mắc mới" in str(sent[-1].buttons)
    await raise_via_chat(sim)
    sent = await sim.send("khtc", "/issue")
    assert "#1 Giải ngân vốn đầu tư công chậm - mới, chờ Phòng HC-TH tiếp nhận" in sent[-1].text
    sent = await sim.send("vanthu", "/vuongmac")
    assert "Phòng Kế hoạch - Tài chính" in sent[-1].text and "Quá hạn" in str(sent[-1].buttons)
    sent = await sim.press("vanthu", sent[-1], "Theo đơn vị")
    sent = await sim.press("vanthu", sent[-1], "QLKH")
    assert "Không có vướng mắc nào" in sent[-1].text
    sent = await sim.send("giamdoc", "/vuongmac khtc")
    assert "#1" in sent[-1].text
    sent = await sim.send("pgd", "/vuongmac")
    assert "Không có vướng mắc nào" in sent[-1].text
    sent = await sim.send("khtc", "/vuongmac lung tung")
    assert "Trợ lý Thi đua chưa hiểu yêu cầu" in sent[-1].text
