"""The report conversation in the simulator: the issue's "Done when" scenario end to end, and every bad input."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from bot.clock import TZ
from bot.contracts import ReportState
from storage.models import Report, ReportVersion
from tests.world import period_id
from tests.world import GIAMDOC, HCTH, KHTC, PHOTTUD, SIX_MONTH_OPEN, TTUD, VANTHU



def last(sent):
    return sent[-1]


async def type_(sim, who, text, expect=None):
    """`who` types `text`; `expect` must be in the last reply to them (others may be notified after it)."""
    sent = await sim.send(who, text)
    if expect is not None:
        mine = [m for m in sent if m.chat_id == sim.personas[who].user_id]
        assert mine and expect in mine[-1].text, [m.text for m in sent]
    return sent


async def test_done_when_full_six_month_report_with_restart_return_and_accept(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    sent = await type_(sim, "khtc", "/baocao", "Báo cáo 6 tháng đầu năm 2027 - Phòng Kế hoạch - Tài chính")
    assert "Câu 1/17" in last(sent).text
    await type_(sim, "khtc", "Đã tham mưu 02 văn bản về cơ chế đầu tư hạ tầng KH&CN.", "Câu 2/17")
    sent = await sim.press("khtc", last(await sim.send("khtc", "/baocao")), "1. Dịch vụ công")  # resumes, toggles
    assert "✓ 1. Dịch vụ công trực tuyến" in [b for b, _d in last(sent).flat_buttons]
    sent = await sim.press("khtc", last(sent), "3. Sử dụng chữ ký số")
    sent = await sim.press("khtc", last(sent), "Xong")
    assert "Câu 3/17" in last(sent).text
    sent = await sim.press("khtc", last(sent), "Bỏ qua")
    await type_(sim, "khtc", "12", "Câu 5/17")
    sent = await type_(sim, "khtc", "1.234", "Câu 6/17")
    sent = await sim.press("khtc", last(sent), "Có")
    assert "Câu 7/20" in last(sent).text  # the capital questions now apply
    await type_(sim, "khtc", "1,5 tỷ", "Câu 8/20")
    sent = await type_(sim, "khtc", "1 tỷ 200 triệu", "Tỷ lệ giải ngân vốn đầu tư công: 80%; chưa đạt mục tiêu 100%")
    await type_(sim, "khtc", "15/QĐ-UBND", "Câu 10/20")
    sent = await type_(sim, "khtc", "1", "Câu 11/22")  # issued: number and date of the programme apply
    # Leave half-way, the bot restarts, and the report resumes exactly there.
    sent = await sim.press("khtc", last(sent), "Lưu và thoát")
    assert "đã được lưu (9/22)" in last(sent).text  # question 3 was skipped: settled, not answered
    await sim.restart()
    await type_(sim, "khtc", "/baocao", "Câu 11/22")
    await type_(sim, "khtc", "15/KH-SKHCN", "Câu 12/22")
    await type_(sim, "khtc", "15/01/2027", "Câu 13/22")
    await type_(sim, "khtc", "250 triệu", "Câu 14/22")
    await type_(sim, "khtc", "0", "Câu 15/22")
    await type_(sim, "khtc", "có", "Câu 16/22")
    sent = await sim.send_file("khtc", "chuong-trinh-thtk-2027.pdf")
    assert "Câu 17/22" in last(sent).text
    sent = await sim.press("khtc", last(sent), "Thêm")
    await type_(sim, "khtc", "Số hóa hồ sơ kế hoạch vốn")
    await type_(sim, "khtc", "Giảm 30% chi phí in ấn, lưu trữ.")
    sent = await type_(sim, "khtc", "bỏ qua", "Đã thêm mục thứ 1")
    sent = await sim.press("khtc", last(sent), "Xong")
    sent = await sim.press("khtc", last(sent), "Xong")  # no exemplars
    await type_(sim, "khtc", "Chậm phân bổ vốn do thủ tục điều chỉnh kế hoạch.", "Câu 20/22")
    await type_(sim, "khtc", "bỏ qua", "Câu 21/22")  # questionnaire v2: the unit's tasks for the next period
    sent = await type_(sim, "khtc", "bỏ qua", "Câu 22/22")
    # Two commendation proposals: one with buttons, one typed.
    sent = await sim.press("khtc", last(sent), "Thêm")
    sent = await sim.press("khtc", last(sent), "Tập thể")
    await type_(sim, "khtc", "Phòng Kế hoạch - Tài chính")
    sent = await type_(sim, "khtc", "/baocao")  # an interruption changes nothing
    sent = await sim.press("khtc", last(sent), "Chủ tịch Ủy ban nhân dân tỉnh")
    sent = await type_(sim, "khtc", "Hoàn thành xuất sắc nhiệm vụ giải ngân.", "Đã thêm mục thứ 1")
    await type_(sim, "khtc", "thêm")
    await type_(sim, "khtc", "2")
    await type_(sim, "khtc", "Nguyễn Văn Bình, chuyên viên")
    await type_(sim, "khtc", "6")
    sent = await type_(sim, "khtc", "Có sáng kiến tiết kiệm chi thường xuyên.", "Đã thêm mục thứ 2")
    sent = await type_(sim, "khtc", "xong", "Đề nghị đồng chí xem lại báo cáo trước khi gửi (đã trả lời 19/22")
    review = last(sent).text  # paged by section: the first part, with "Submit" on every page
    assert "Kế hoạch vốn được giao: 1.500.000.000 đồng" in review and "Gửi báo cáo" in str(last(sent).buttons)
    assert "Tỷ lệ giải ngân vốn đầu tư công: 80% (mục tiêu 100%: chưa đạt)" in review
    page_two = last(await sim.press("khtc", last(sent), "Mục 2 »"))
    assert page_two.edited and "tệp chuong-trinh-thtk-2027.pdf" in page_two.text and "Sửa 13" in str(page_two.buttons)
    page = page_two
    for number in (3, 4, 5, 6):
        page = last(await sim.press("khtc", page, f"Mục {number} »"))
    assert "Giấy khen của Giám đốc Sở" in page.text and "Mục 5" in str(page.buttons)
    # Edit one answer from the review, then submit with confirmation.
    for number in (5, 4, 3, 2):
        page = last(await sim.press("khtc", page, f"Mục {number}"))
    sent = await sim.press("khtc", page, "Sửa 13")
    assert "Trả lời hiện tại: 250.000.000 đồng" in last(sent).text
    sent = await type_(sim, "khtc", "300 triệu", "Kinh phí tiết kiệm được: 300.000.000 đồng")
    sent = await sim.press("khtc", last(sent), "Gửi báo cáo")
    assert "Đồng chí xác nhận gửi Báo cáo 6 tháng đầu năm 2027" in last(sent).text
    before = len(sim.api.outbox)
    sent = await sim.press("khtc", last(sent), "Xác nhận gửi")
    assert "đã được gửi (phiên bản 1)" in next(m for m in sent if m.chat_id == KHTC and not m.edited).text
    notices = [m for m in sim.api.outbox[before:] if m.chat_id in (VANTHU, HCTH)]
    assert len(notices) == 2 and "Phòng Kế hoạch - Tài chính đã gửi Báo cáo 6 tháng đầu năm 2027" in notices[0].text
    assert "Tỷ lệ giải ngân vốn đầu tư công: 80%" in notices[0].text and "đề xuất khen thưởng: 2" in notices[0].text
    assert "19/22" in notices[0].text  # the same count as the head's review
    # The Office returns it with a comment.
    notice = next(m for m in notices if m.chat_id == VANTHU)
    await sim.press("vanthu", notice, "Trả lại kèm ý kiến")
    sent = await type_(sim, "vanthu", "Đề nghị cập nhật số vốn đã giải ngân đến ngày 31/5.", "Đã trả lại")
    to_head = sim.api.last_to(KHTC)
    assert "đã trả lại Báo cáo 6 tháng đầu năm 2027" in to_head.text and "31/5" in to_head.text
    stale_accept = await sim.press("vanthu", notice, "Tiếp nhận")  # an old button: refused, nothing changes
    assert "đã được trả lại" in last(stale_accept).text
    # The head revises and resubmits.
    sent = await sim.press("khtc", to_head, "Mở báo cáo")
    assert "với ý kiến: Đề nghị cập nhật số vốn" in last(sent).text
    await type_(sim, "khtc", "sửa 8", "Trả lời hiện tại: 1.200.000.000 đồng")
    sent = await type_(sim, "khtc", "1,5 tỷ", "100% (mục tiêu 100%: đã đạt)")
    await type_(sim, "khtc", "gửi", "phiên bản 2")
    sent = await type_(sim, "khtc", "xác nhận", "đã được gửi (phiên bản 2)")
    notice = sim.api.last_to(VANTHU)
    assert "phiên bản 2" in notice.text
    await sim.press("vanthu", notice, "Tiếp nhận")
    assert "Đã tiếp nhận" in sim.api.last_to(VANTHU).text
    assert "đã tiếp nhận Báo cáo 6 tháng đầu năm 2027" in sim.api.last_to(KHTC).text
    with sim.services.db.session() as session:
        report = session.exec(select(Report)).one()
        versions = session.exec(select(ReportVersion).order_by(ReportVersion.version)).all()
    assert report.state == ReportState.ACCEPTED.value and not report.is_late
    assert [v.review_state for v in versions] == ["returned", "accepted"]
    assert versions[0].answers["capital_disbursed"] == 1_200_000_000
    assert versions[1].answers["capital_disbursed"] == 1_500_000_000
    assert versions[1].answers["thrift_savings"] == 300_000_000
    assert len(versions[1].answers["commendations"]) == 2
    # Reading: the Office sees both versions; the Director reads only; another unit cannot.
    sent = await type_(sim, "vanthu", "/xembaocao", "Đồng chí muốn xem báo cáo của kỳ nào?")
    sent = await sim.press("vanthu", last(sent), "Báo cáo 6 tháng đầu năm 2027")
    assert "Phòng Kế hoạch - Tài chính: đã tiếp nhận" in last(sent).text
    sent = await type_(sim, "vanthu", "1", "Phiên bản 2, gửi lúc")
    sent = await sim.press("vanthu", last(sent), "Phiên bản 1")
    assert "Đã được đồng chí Lê Văn Hòa trả lại" in last(sent).text
    view = await sim.press_data("giamdoc", f"rep:v:{report.id}:0")
    assert "Phiên bản 2" in last(view).text and not [b for b, _d in last(view).flat_buttons if "Tiếp nhận" in b]
    assert "không có quyền" in last(await sim.press_data("ttud", f"rep:v:{report.id}:0")).text
    # The head reads the accepted version, not a "working draft, not submitted yet" line.
    sent = await sim.send("khtc", "/xembaocao")
    sent = await sim.send("khtc", "1")
    assert "Phiên bản 2, gửi lúc" in last(sent).text and "Đã được đồng chí Lê Văn Hòa tiếp nhận" in last(sent).text
    assert "chưa gửi" not in last(sent).text


async def test_bad_inputs_get_a_clear_reply_and_the_question_again(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    await type_(sim, "khtc", "/baocao")
    await type_(sim, "khtc", "Nội dung")
    sent = await type_(sim, "khtc", "1")
    old_question = last(sent)
    await type_(sim, "khtc", "bỏ qua", "Câu 4/17")
    await type_(sim, "khtc", "bỏ qua")
    sent = await type_(sim, "khtc", "bỏ qua", "Câu 6/17")
    sent = await type_(sim, "khtc", "có")
    # A wrong type: explanation with an example, then the same question.
    sent = await type_(sim, "khtc", "một tỷ rưỡi", "ví dụ: 1.234.567, 250 triệu, 1,5 tỷ")
    assert "Câu 7/20" in last(sent).text
    sent = await sim.send_file("khtc", "bang-tinh.xlsx")
    assert "cần nhập nội dung trả lời, không phải gửi tệp" in last(sent).text and "Câu 7/20" in last(sent).text
    sent = await sim.send_sticker("khtc")
    assert last(sent).text
    sent = await type_(sim, "khtc", "x" * 4500, "quá dài")
    sent = await sim.press("khtc", old_question, "Bỏ qua")  # a stale button from an old message
    assert "Nút này thuộc một tin nhắn cũ" in last(sent).text and "Câu 7/20" in last(sent).text
    forged = await sim.press_data("khtc", "rep:a:1:999:zz")
    assert "Câu 7/20" in last(forged).text
    for data in ("rep:a:1:x:s", "rep:open:abc", "rep:open:99999", "rep:rev:1"):
        assert last(await sim.press_data("khtc", data)).text
    await type_(sim, "khtc", "2 tỷ", "Câu 8/20")
    # Required question skipped: refused, question again.
    sent = await type_(sim, "khtc", "bỏ qua", "Đây là câu hỏi bắt buộc")
    assert "Câu 8/20" in last(sent).text
    # Another unit's head presses this report's buttons: refused, nothing changes.
    with sim.services.db.session() as session:
        report = session.exec(select(Report)).one()
    refused = await sim.press_data("ttud", f"rep:a:{report.id}:{report.step}:s")
    assert "Chỉ Trưởng phòng" in last(refused).text
    refused = await sim.press_data("ttud", f"rep:rev:{report.id}:1")
    assert "Chỉ Trưởng phòng" in last(refused).text
    with sim.services.db.session() as session:
        assert session.get(Report, report.id).step == report.step


async def test_gui_typed_at_a_question_brings_the_review_and_is_never_saved_as_the_answer(sim):
    """A head edits question 1 from the review ("1"), then types "gửi" meaning "done": the review comes back with
    the answer unchanged, and "gửi" there submits."""
    sim.clock.set(SIX_MONTH_OPEN)
    await type_(sim, "khtc", "/baocao")
    sent = await type_(sim, "khtc", "Đã tham mưu 02 văn bản.")
    for word in ("gửi", "Xác nhận", "nộp"):
        sent = await type_(sim, "khtc", word, "xem lại báo cáo trước khi gửi")
        assert "Quy hoạch, cơ chế, chính sách: Đã tham mưu 02 văn bản." in last(sent).text
        sent = await type_(sim, "khtc", "1", "Câu 1/")
    with sim.services.db.session() as session:
        report_id = session.exec(select(Report)).one().id
    head = sim.services.people.actor_for("telegram", str(sim.personas["khtc"].user_id))
    answers = sim.services.reports.current(head, report_id).answers
    typed = set(map(str, answers.values()))
    assert "Đã tham mưu 02 văn bản." in typed and not {"gửi", "Xác nhận", "nộp"} & typed


async def test_text_where_a_file_is_expected_and_the_deputy_moving_on(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    services = sim.services
    head = services.people.actor_for("telegram", str(TTUD))
    screen = services.reports.open(head, period_id(services, "2027-H1"))
    from tests.report_helpers import fill
    screen = fill(services, head, screen, typed={"capital_holds": "không", "thrift_programme": "3"})
    number = [q.id for q in screen.applicable].index("thrift_evidence") + 1
    await type_(sim, "ttud", "/baocao")
    sent = await type_(sim, "ttud", f"sửa {number}", "tài liệu minh chứng gửi kèm")
    sent = await type_(sim, "ttud", "tài liệu ở phòng", "cần ảnh hoặc tệp")
    sent = await sim.send_photo("ttud")
    assert "Đề nghị đồng chí xem lại báo cáo" in last(sent).text and "tệp ảnh" in last(sent).text
    # The deputy edits from the review meanwhile; the head's next typed word is not applied to a stale screen.
    await type_(sim, "phottud", "/baocao")
    await type_(sim, "phottud", "sửa 1")
    sent = await type_(sim, "ttud", "gửi", "Đồng chí Ngô Thị Kim vừa cập nhật báo cáo")
    assert "Câu 1/" in last(sent).text


async def test_no_typed_at_the_evidence_question_means_no_file(sim):
    """"Đơn vị có tài liệu minh chứng gửi kèm không?" answered "không" is "no file" (as "bỏ qua"), not a refusal."""
    sim.clock.set(SIX_MONTH_OPEN)
    services = sim.services
    head = services.people.actor_for("telegram", str(TTUD))
    screen = services.reports.open(head, period_id(services, "2027-H1"))
    from tests.report_helpers import fill
    screen = fill(services, head, screen, typed={"capital_holds": "không", "thrift_programme": "3",
                                                 "thrift_evidence": "bỏ qua"})
    number = [q.id for q in screen.applicable].index("thrift_evidence") + 1
    await type_(sim, "ttud", "/baocao")
    await type_(sim, "ttud", f"sửa {number}", "tài liệu minh chứng gửi kèm")
    sent = await type_(sim, "ttud", "Không", "Đề nghị đồng chí xem lại báo cáo")
    assert "cần ảnh hoặc tệp" not in last(sent).text
    assert services.reports.current(head, screen.ref.report_id).answers.get("thrift_evidence") is None


async def test_a_date_after_today_is_refused(sim):
    """The programme's issue date cannot be in the future (05/02/2027 typed for 05/02/2026 was stored and reached
    the Office and the official report)."""
    sim.clock.set(SIX_MONTH_OPEN)
    services = sim.services
    head = services.people.actor_for("telegram", str(KHTC))
    screen = services.reports.open(head, period_id(services, "2027-H1"))
    from tests.report_helpers import fill
    screen = fill(services, head, screen, typed={"thrift_programme": "1"})
    number = [q.id for q in screen.applicable].index("thrift_programme_date") + 1
    await type_(sim, "khtc", "/baocao")
    await type_(sim, "khtc", f"sửa {number}", "Chương trình được ban hành ngày nào?")
    sent = await type_(sim, "khtc", "5/2/2028", "Ngày 05/02/2028 chưa tới (sau ngày hôm nay)")
    assert "Chương trình được ban hành ngày nào?" in last(sent).text
    await type_(sim, "khtc", "3/6/2027", "Đề nghị đồng chí xem lại báo cáo")  # today is accepted
    assert services.reports.current(head, screen.ref.report_id).answers["thrift_programme_date"] == "2027-06-03"


async def test_none_yet_is_not_chosen_with_other_digital_tasks(sim):
    """"Chưa triển khai" together with "Dịch vụ công trực tuyến" was stored, and counted in the official report."""
    sim.clock.set(SIX_MONTH_OPEN)
    await type_(sim, "khtc", "/baocao", "Câu 1/17")
    await type_(sim, "khtc", "Đã tham mưu 02 văn bản.", "Câu 2/17")
    sent = await type_(sim, "khtc", "1, 6", "Không thể chọn “Chưa triển khai” cùng với các lựa chọn khác")
    assert "Câu 2/17" in last(sent).text
    sent = await sim.press("khtc", last(sent), "1. Dịch vụ công")  # the same by buttons, then "Xong"
    sent = await sim.press("khtc", last(sent), "6. Chưa triển khai")
    sent = await sim.press("khtc", last(sent), "Xong")
    assert "Không thể chọn “Chưa triển khai”" in last(sent).text
    await type_(sim, "khtc", "6", "Câu 3/17")  # alone it is an answer


async def test_late_closed_and_no_period(sim):
    sim.clock.set(datetime(2027, 6, 25, 9, 0, tzinfo=TZ))  # after the 20 June deadline, within the grace period
    services = sim.services
    head = services.people.actor_for("telegram", str(KHTC))
    from tests.report_helpers import fill
    screen = fill(services, head, services.reports.open(head, period_id(services, "2027-H1")))
    await type_(sim, "khtc", "/baocao", "Đề nghị đồng chí xem lại")
    await type_(sim, "khtc", "gửi", "sẽ được ghi nhận là nộp muộn")
    sent = await type_(sim, "khtc", "xác nhận", "được ghi nhận là nộp muộn")
    assert "ghi nhận nộp muộn" in sim.api.last_to(VANTHU).text
    sent = await type_(sim, "khtc", "/baocao", "đang chờ Phòng Hành chính - Tổng hợp xem xét")
    sim.clock.set(datetime(2027, 7, 25, 9, 0, tzinfo=TZ))  # the period has closed
    await type_(sim, "qlkh", "/baocao", "Hiện chưa có kỳ báo cáo nào đang mở")
    sent = await sim.press_data("qlkh", f"rep:open:{screen.ref.period_id}")
    assert "Kỳ báo cáo này đã kết thúc" in last(sent).text
    sent = await type_(sim, "vanthu", "/baocao", "/xembaocao")


@pytest.mark.parametrize("who", ["giamdoc", "pgd"])
async def test_leadership_reads_but_cannot_decide(sim, who):
    sim.clock.set(SIX_MONTH_OPEN)
    services = sim.services
    head = services.people.actor_for("telegram", str(KHTC))
    from tests.report_helpers import fill, submit
    screen = submit(services, head, fill(services, head, services.reports.open(head, period_id(services, "2027-H1"))))
    rid = screen.ref.report_id
    sent = await sim.press_data(who, f"rep:acc:{rid}:1")
    assert "không có quyền" in last(sent).text
    sent = await sim.press_data(who, f"rep:ret:{rid}:1")
    assert "không có quyền" in last(sent).text
    sent = await type_(sim, who, "/xembaocao")
    sent = await type_(sim, who, "1", "Phòng Kế hoạch - Tài chính")
    with services.db.session() as session:
        assert session.get(Report, rid).state == ReportState.SUBMITTED.value


async def test_a_long_review_is_split_under_the_telegram_limit(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    services = sim.services
    head = services.people.actor_for("telegram", str(KHTC))
    from tests.report_helpers import fill
    long_text = "Nội dung chi tiết về kết quả thực hiện. " * 70  # about 2,800 characters each
    fill(services, head, services.reports.open(head, period_id(services, "2027-H1")),
         typed={"infra_policy": long_text, "digital_results": long_text, "difficulties": long_text})
    sent = await sim.send("khtc", "/baocao")
    assert len(sent) >= 2 and all(len(m.text) <= 4096 for m in sent)
    assert not sent[0].buttons and sent[-1].button_data("Gửi báo cáo").endswith(":sub")
    assert "Đề nghị đồng chí xem lại báo cáo" in sent[0].text


async def test_the_words_an_english_screen_offers_are_understood(sim):
    """An English head is told to type English words ("back", "save"), which the bot takes as it takes
    "quay lại" and "tạm dừng"; no Vietnamese word is offered in English."""
    await sim.send("khtc", "/language en")
    first = last(await sim.send("khtc", "/report")).text
    assert "quay lại" not in first and "tạm dừng" not in first and '"save"' in first
    assert "Question 2/" in last(await type_(sim, "khtc", "Guidance documents issued.")).text
    back = last(await type_(sim, "khtc", "back")).text
    assert "Question 1/" in back
    left = last(await type_(sim, "khtc", "save")).text
    assert "saved" in left.lower()
