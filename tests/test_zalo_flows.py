"""Issue 12 end to end on the live path (inbox -> processor -> outbox -> sender) with the Zalo stand-in, on SQLite
and PostgreSQL: a unit head invited on Zalo reports by typing only, survives a kill, links Telegram and finishes
there; the Office returns and accepts on Telegram; a difficulty goes from Zalo to the Director and back; an
exported report reaches a Zalo user as a link served by the bot's own file route; stale numbers, long texts and
a wrong webhook secret.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from bot.config import Settings
from bot.contracts import ReportState
from bot.questionnaire.model import QType
from bot.services.reports.base import Mode
from bot.simulator.harness import ChatSimulator
from bot.simulator.zalo_fake import SECRET_HEADER
from bot.transport.zalo import file_response, tornado_routes
from storage.models import InboxUpdate, OfficialReportText, OutboxMessage, Report, ReportVersion
from tests.report_helpers import TYPED_DEFAULTS
from tests.world import GIAMDOC, SIX_MONTH_OPEN, VANTHU

CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")
LINK = re.compile(r"https://bot\.example\.vn/f/([A-Za-z0-9_-]+)/(\S+)")
HEAD_TG = 9500


@pytest.fixture
def settings(tmp_path) -> Settings:
    """File links on: PUBLIC_BASE_URL is an HTTPS address."""
    return Settings(_env_file=None, telegram_bot_token="", data_dir=tmp_path, database_url="",
                    public_base_url="https://bot.example.vn")


def joined(sent) -> str:
    return "\n".join(m.text for m in sent)


async def invite_on_zalo(sim: ChatSimulator, unit: str = "thanhtra", name: str = "Phạm Văn Mới"):
    sent = await sim.send("vanthu", f"/moi truongphong {unit} {name}")
    code = CODE.search(sent[-1].text).group(1)
    sim.add_zalo_persona("moi", name, user_id=HEAD_TG)
    said = joined(await sim.send("moi", code.lower().replace("-", " ")))  # typed, any case and spacing
    assert f"Kính chào đồng chí {name}" in said
    return sim.services.people.actor_for("zalo", sim.personas["moi"].zalo_id)


def typed_answer(screen) -> str:
    """What a person types for the question on screen (words and numbers only, never a file)."""
    question, field_ = screen.question, screen.group_field
    if question.type == QType.GROUP and field_ is None:
        return "xong"
    target = field_ or question
    if target.type == QType.ATTACHMENT:
        return "bỏ qua"
    return TYPED_DEFAULTS[target.type]


async def answer_until(sim: ChatSimulator, who: str, actor, report_id: int, stop_at: str | None = None) -> str:
    """Type answers until the review (or until `stop_at` is shown); returns the last text seen."""
    said = ""
    for _guard in range(80):
        screen = sim.services.reports.current(actor, report_id)
        if screen.mode != Mode.ASK or (stop_at is not None and stop_at in said):
            return said
        said = joined(await sim.send(who, typed_answer(screen)))
    raise AssertionError("the questionnaire did not reach the review")


def report_of(sim: ChatSimulator) -> Report:
    with sim.services.db.session() as session:
        return session.exec(select(Report)).one()


async def test_zalo_head_reports_by_typing_survives_a_kill_links_telegram_and_office_returns_and_accepts(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    head = await invite_on_zalo(sim)
    said = joined(await sim.send("moi", "/baocao"))
    assert "Báo cáo 6 tháng đầu năm 2027 - Thanh tra Sở" in said and "Câu 1/17" in said
    assert "Gõ số để chọn" not in said and '"tạm dừng" (lưu và thoát)' in said  # a typed answer is pending: words
    report_id = report_of(sim).id
    first = sim.services.reports.current(head, report_id).question.id
    said = await answer_until(sim, "moi", head, report_id, stop_at="Câu 6/17")
    assert "Câu 6/17" in said and "Gõ: Quay lại · Lưu và thoát" in said  # yes/no, typed as the words quoted
    said = joined(await sim.send("moi", "không"))
    asked = re.search(r"Câu (\d+)/", said).group(1)

    # Killed half-way: the next answer is stored by the webhook, then the process dies before handling it.
    screen = sim.services.reports.current(head, report_id)
    update = sim.zalo_api.user_update(sim.personas["moi"].zalo_id, typed_answer(screen), name="Phạm Văn Mới")
    assert await sim.zalo_api.push(update) == 200
    await sim.restart()
    before = len(sim.zalo_api.sent)
    await sim.process()
    assert f"Câu {int(asked) + 1}/" in joined(sim.zalo_api.sent[before:])  # handled once, after the restart
    assert await sim.zalo_api.push(update) == 200  # Zalo delivers it again: stored once, never applied twice
    assert await sim.process() == 0
    said = joined(await sim.send("moi", "/baocao"))
    assert f"Câu {int(asked) + 1}/" in said  # resumed on Zalo at the same question

    # Link Telegram from Zalo, then finish on Telegram.
    said = joined(await sim.send("moi", "/lienket"))
    code = CODE.search(said).group(1)
    sim.switch("moi", "telegram")
    sent = await sim.send("moi", f"/start {code}")
    assert "Tài khoản Telegram này đã được liên kết" in sent[-1].text
    assert sim.services.people.actor_for("telegram", str(HEAD_TG)).person_id == head.person_id
    sent = await sim.send("moi", "/baocao")
    assert f"Câu {int(asked) + 1}/" in sent[-1].text and sent[-1].buttons  # Telegram shows buttons again
    await answer_until(sim, "moi", head, report_id)
    sent = await sim.send("moi", "gửi")
    sent = await sim.send("moi", "xác nhận")
    assert "đã được gửi (phiên bản 1)" in joined(sent)

    # The Office, on Telegram, returns it; the head (preferring Zalo) hears it on Zalo and revises there.
    notice = sim.api.last_to(VANTHU)
    assert "Thanh tra Sở đã gửi Báo cáo 6 tháng đầu năm 2027" in notice.text
    await sim.press("vanthu", notice, "Trả lại kèm ý kiến")
    before = len(sim.zalo_api.sent)
    sent = await sim.send("vanthu", "Đề nghị bổ sung kết quả thanh tra đến ngày 31/5.")
    assert "Đã trả lại" in sim.api.last_to(VANTHU).text
    to_head = joined(sim.zalo_api.sent[before:])
    assert "đã trả lại Báo cáo 6 tháng đầu năm 2027" in to_head and "31/5" in to_head
    assert "1. Mở báo cáo" in to_head  # the button is a numbered choice on Zalo
    sim.switch("moi", "zalo")
    said = joined(await sim.press("moi", sim.zalo_api.sent[-1], "Mở báo cáo"))
    assert "với ý kiến: Đề nghị bổ sung kết quả thanh tra" in said
    said = joined(await sim.send("moi", "sửa 1"))
    assert "Câu 1/" in said
    await sim.send("moi", "Đã thanh tra 05 đơn vị đến ngày 31/5.")
    said = joined(await sim.send("moi", "gửi"))
    said = joined(await sim.send("moi", "xác nhận"))
    assert "đã được gửi (phiên bản 2)" in said
    notice = sim.api.last_to(VANTHU)
    assert "phiên bản 2" in notice.text
    before = len(sim.zalo_api.sent)
    await sim.press("vanthu", notice, "Tiếp nhận")
    assert "Đã tiếp nhận" in sim.api.last_to(VANTHU).text
    assert "đã tiếp nhận Báo cáo 6 tháng đầu năm 2027" in joined(sim.zalo_api.sent[before:])
    with sim.services.db.session() as session:
        versions = session.exec(select(ReportVersion).order_by(ReportVersion.version)).all()
    assert report_of(sim).state == ReportState.ACCEPTED.value
    assert [v.review_state for v in versions] == ["returned", "accepted"]
    assert versions[0].answers[first] == TYPED_DEFAULTS[QType.TEXT]
    assert versions[1].answers[first] == "Đã thanh tra 05 đơn vị đến ngày 31/5."
    assert all(len(m.text) <= 2000 for m in sim.zalo_api.sent)
    assert sim.zalo_api.refused[400] == 0  # nothing Zalo cannot take (buttons, long texts) was ever sent


async def test_everything_a_zalo_head_reads_while_reporting_asks_them_to_type_never_to_press(sim):
    """Zalo has no buttons: every hint, help text and refusal on the way to the submission reads true there
    (type a number or a word; "choose" is fine, "press a button" is not)."""
    sim.clock.set(SIX_MONTH_OPEN)
    head = await invite_on_zalo(sim)
    before = len(sim.zalo_api.sent)
    await sim.send("moi", "/baocao")
    report_id = report_of(sim).id
    await sim.send("moi", "9")  # an option number out of range for the first choice question, or a text answer
    for text in ("xong", "có không", "0"):  # a few refusals on the way
        await sim.send("moi", text)
    await answer_until(sim, "moi", head, report_id)
    await sim.send("moi", "gửi")
    await sim.send("moi", "xác nhận")
    seen = joined(sim.zalo_api.sent[before:])
    assert "Câu 2/17" in seen and "Đề nghị sửa lại" in seen  # the walk reached the submission
    assert not re.search(r"\b[Bb]ấm\b|\bnút\b", seen), re.findall(r".*(?:[Bb]ấm|nút).*", seen)


async def test_a_new_command_ends_the_menu_left_open_before_it(sim):
    """The Office leaves the /xuatbaocao menu open (a typed number edits a section), then types /donvi and "2": the
    2 is the second unit of the new menu, never section III of the report; the next "1" is not saved as its text."""
    await zalo_office(sim)
    await sim.send("vanthu_zalo", "/xuatbaocao")
    said = joined(await sim.send("vanthu_zalo", "/donvi"))
    assert "1. HC-TH" in said and "Gõ số để chọn." in said  # numbered: no typed answer is pending any more
    said = joined(await sim.send("vanthu_zalo", "2"))
    assert "Phòng Kế hoạch - Tài chính" in said and "Mục III" not in said
    await sim.send("vanthu_zalo", "1")
    with sim.services.db.session() as session:
        assert session.exec(select(OfficialReportText)).all() == []  # nothing written into the report


async def test_a_difficulty_raised_on_zalo_goes_to_the_director_and_back(sim):
    await invite_on_zalo(sim)
    said = joined(await sim.send("moi", "/vuongmac moi"))
    assert "Bước 1/4" in said
    await sim.send("moi", "Chậm kết luận thanh tra dự án")
    await sim.send("moi", "Dự án thiếu hồ sơ quyết toán; đề nghị gia hạn thời gian thanh tra.")
    said = joined(await sim.zalo_send_photo("moi", "Biên bản làm việc"))  # Zalo passes photos on: attached
    assert "Bước 4/4" in said
    said = joined(await sim.send("moi", "bình thường"))
    assert "Vướng mắc số 1 đã được gửi tới Phòng Hành chính - Tổng hợp" in said
    office = sim.api.last_to(VANTHU)
    assert "Thanh tra Sở báo cáo khó khăn, vướng mắc mới" in office.text and "Tệp đính kèm: photo.jpg" in office.text
    details = (await sim.press("vanthu", office, "Chi tiết, quá trình xử lý"))[-1]
    photo = (await sim.press("vanthu", details, "Mở tệp đính kèm"))[-1]  # the Zalo photo, kept when it arrived
    assert photo.chat_id == VANTHU and photo.text == "#1" and photo.photo == b"\xff\xd8\xff\xe0 simulated photo"
    with sim.services.db.session() as session:
        queued = session.exec(select(OutboxMessage).where(OutboxMessage.method == "sendPhoto")).one()
    assert "photo-stal.zdn.vn" not in queued.params  # uploaded from the file store, not sent by its Zalo URL
    await sim.press("vanthu", office, "Trình Giám đốc")
    before = len(sim.zalo_api.sent)
    await sim.send("vanthu", "Kính trình Giám đốc cho ý kiến chỉ đạo.")
    assert "đã được Phòng HC-TH trình Giám đốc" in joined(sim.zalo_api.sent[before:])
    director = sim.api.last_to(GIAMDOC)
    assert "Kính gửi đồng chí Giám đốc" in director.text
    # The head opens their list on Zalo (a numbered menu), and the Director's answer arrives on top of it.
    listing = joined(await sim.send("moi", "/vuongmac"))
    assert "1. " in listing and "Gõ số để chọn." in listing
    await sim.press("giamdoc", director, "Ghi ý kiến chỉ đạo")
    before = len(sim.zalo_api.sent)
    await sim.send("giamdoc", "Đồng ý gia hạn 15 ngày; Thanh tra Sở báo cáo kết quả trước ngày 15/12.")
    back = joined(sim.zalo_api.sent[before:])
    assert "Đồng chí Giám đốc Sở Hoàng Văn Quang có ý kiến chỉ đạo về vướng mắc số 1" in back and "Đồng ý gia hạn 15 ngày" in back
    # Numbered on from the list it arrived on (issue 22: its first number was refused as stale and the whole
    # message sent again): a number typed for the older list still means that list's line.
    shown = [int(n) for n in re.findall(r"^(\d+)\. ", listing, re.M)]
    assert f"{max(shown) + 2}. Xác nhận đã giải quyết" in back and "\n1. " not in back
    history = [h.action for h in sim.services.escalations.history(
        sim.services.people.actor_for("telegram", str(VANTHU)), 1)]
    said = joined(await sim.send("moi", "1"))
    assert "Đồng chí vừa nhận được một danh sách mới hơn" not in said
    assert [h.action for h in sim.services.escalations.history(
        sim.services.people.actor_for("telegram", str(VANTHU)), 1)] == history
    said = joined(await sim.send("moi", "99"))  # not in the list: the list again, nothing applied
    assert "Xác nhận đã giải quyết" in said
    before = len(sim.api.outbox)
    said = joined(await sim.press("moi", sim.zalo_api.sent[-1], "Xác nhận đã giải quyết"))
    assert "đã được đóng" in said
    assert any("xác nhận vướng mắc số 1" in m.text for m in sim.api.outbox[before:] if m.chat_id == VANTHU)
    summary = sim.services.escalations.summaries()[0]
    assert summary.outcome == "resolved" and summary.instruction.startswith("Đồng ý gia hạn 15 ngày")


async def zalo_office(sim: ChatSimulator):
    """The Office member links Zalo from Telegram and prefers it."""
    sent = await sim.send("vanthu", "/lienket")
    code = CODE.search(sent[-1].text).group(1)
    sim.add_zalo_persona("vanthu_zalo", "Lê Văn Hòa", user_id=VANTHU)
    assert "Tài khoản Zalo này đã được liên kết" in joined(await sim.send("vanthu_zalo", code))
    assert "gửi đến đồng chí qua Zalo" in joined(await sim.send("vanthu_zalo", "/lienket uutien zalo"))


async def serve(sim: ChatSimulator):
    """The bot's own web endpoint with the Zalo routes, on 127.0.0.1 (as `bot run` serves them)."""
    import tornado.web
    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port

    socket, port = bind_unused_port()
    server = HTTPServer(tornado.web.Application(tornado_routes(sim.zalo, sim.inbox)))
    server.add_sockets([socket])
    return server, f"http://127.0.0.1:{port}"


async def test_office_on_zalo_gets_the_export_as_links_and_downloads_the_files(sim):
    from docx import Document
    from io import BytesIO
    from openpyxl import load_workbook

    from tests.status_samples import KHTC_ANSWERS, TTUD_ANSWERS, submit

    submit(sim.services, "khtc", KHTC_ANSWERS)
    submit(sim.services, "ttud", TTUD_ANSWERS, late=True)
    await zalo_office(sim)
    said = joined(await sim.send("vanthu_zalo", "/xuatbaocao"))
    assert "0. Xuất báo cáo ngay" in said
    said = joined(await sim.send("vanthu_zalo", "0"))
    links = LINK.findall(said)
    assert [name for _token, name in links] == ["BC-thi-dua-2026-Y.docx", "Phu-luc-thi-dua-2026-Y.xlsx"]
    assert "chỉ dành cho đồng chí" in said and not sim.api.last_to(VANTHU).document  # nothing went to Telegram
    server, base = await serve(sim)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            docx = await client.get(f"/f/{links[0][0]}/{links[0][1]}")
            xlsx = await client.get(f"/f/{links[1][0]}/{links[1][1]}")
            forged = await client.get(f"/f/{'A' * 24}/BC-thi-dua-2026-Y.docx")
            listing = await client.get("/f/")
            sim.clock.advance(timedelta(minutes=sim.settings.file_link_minutes + 1))
            expired = await client.get(f"/f/{links[0][0]}/{links[0][1]}")
    finally:
        server.stop()
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx.headers["Content-Type"] == ("application/vnd.openxmlformats-officedocument."
                                           "wordprocessingml.document")
    assert 'filename="BC-thi-dua-2026-Y.docx"' in docx.headers["Content-Disposition"]
    assert any("BÁO CÁO" in p.text for p in Document(BytesIO(docx.content)).paragraphs)
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"].endswith("spreadsheetml.sheet")
    assert load_workbook(BytesIO(xlsx.content)).sheetnames
    assert (forged.status_code, listing.status_code, expired.status_code) == (404, 404, 404)
    assert file_response(sim.zalo.links, "../../etc/passwd")[0] == 404


async def test_a_long_notification_reaches_zalo_split_without_breaking_a_line(sim):
    await zalo_office(sim)
    await sim.send("khtc", "/vuongmac moi")
    await sim.send("khtc", "Giải ngân vốn đầu tư công chậm")
    lines = [f"{n}. Công trình số {n} chưa được phân bổ 1.234.567.890 đồng theo kế hoạch vốn." for n in range(1, 38)]
    description = "\n".join(lines)
    assert 2000 < len(description) <= 3000
    await sim.send("khtc", description)
    await sim.send("khtc", "không")
    before = len(sim.zalo_api.sent)
    await sim.send("khtc", "bình thường")
    pieces = [m.text for m in sim.zalo_api.sent[before:]]
    assert len(pieces) >= 2 and all(len(p) <= 2000 for p in pieces)
    shown = "\n".join(pieces).splitlines()
    assert f"Nội dung: {lines[0]}" in shown  # every line whole: no number cut across two messages
    assert all(line in shown for line in lines[1:])
    assert "Gõ số để chọn." in pieces[-1]  # the choices come last, numbered


async def test_the_zalo_webhook_refuses_a_wrong_secret_and_stores_nothing(sim):
    update = sim.zalo_api.user_update("0123456789abcdef0123", "xin chào")
    body = json.dumps({"ok": True, "result": update}).encode()
    for headers in ({SECRET_HEADER: "wrong-secret-123"}, {}):
        assert sim.zalo.receive(sim.inbox, headers, body) == (403, 0)
    server, base = await serve(sim)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            refused = await client.post("/zalo", content=body, headers={SECRET_HEADER: "wrong-secret-123"})
            accepted = await client.post("/zalo", content=body, headers={
                SECRET_HEADER: sim.settings.zalo_webhook_secret.get_secret_value()})
    finally:
        server.stop()
    assert refused.status_code == 403 and accepted.status_code == 200
    with sim.services.db.session() as session:
        rows = session.exec(select(InboxUpdate).where(InboxUpdate.channel == "zalo")).all()
    assert [row.external_key for row in rows] == [f"zalo:{update['message']['message_id']}"]


async def test_zalo_head_reads_the_whole_review_in_one_message_and_can_still_type_a_section(sim):
    """Zalo cannot edit a page in place: the review comes whole (Roman section headings, so no "1." reads like a
    menu choice), and typing "mục 2" still shows that section alone."""
    sim.clock.set(SIX_MONTH_OPEN)
    head = await invite_on_zalo(sim)
    await sim.send("moi", "/baocao")
    said = await answer_until(sim, "moi", head, report_of(sim).id)
    assert said == sim.zalo_api.sent[-1].text  # the last answer's reply: the whole review, one message
    assert "I. PHÁT TRIỂN KẾT CẤU HẠ TẦNG" in said and "VI. TỰ ĐÁNH GIÁ" in said and "Mục 2" not in said
    assert "1. PHÁT TRIỂN" not in said and "Sửa 1" not in said and 'Gõ "sửa" và số thứ tự' in said
    said = joined(await sim.send("moi", "Mục 2"))
    assert "II. THỰC HÀNH TIẾT KIỆM, CHỐNG LÃNG PHÍ" in said and "I. PHÁT TRIỂN" not in said, said
    said = joined(await sim.send("moi", "gửi"))
    assert "xác nhận" in said  # the review still answers its words after a section
