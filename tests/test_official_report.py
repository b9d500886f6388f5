"""The official report on the demo period (`python -m bot sample-report`): content rules, annex print settings,
the phone chart, and the Office's texts written from chat, stored per period and audited."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from PIL import Image
from sqlmodel import select

from bot.domain import DomainError, PermissionDenied, Role
from bot.services import build_services
from bot.services.official_report.sample import FILE, OFFICE_TEXTS, build_sample
from storage.models import AuditLog, OfficialReportText

HEADINGS = ("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN", "II. KẾT QUẢ THỰC HIỆN",
            "1. Thi đua đẩy mạnh phát triển kết cấu hạ tầng", "2. Thi đua thực hành tiết kiệm, chống lãng phí",
            "3. Sáng kiến, điển hình tiên tiến", "4. Công tác khen thưởng", "III. ĐÁNH GIÁ CHUNG",
            "IV. KHÓ KHĂN, VƯỚNG MẮC", "V. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027", "VI. ĐỀ XUẤT, KIẾN NGHỊ")


def office(services):  # noqa: ANN001, ANN201
    return next(p for p in (services.people.actor_for("telegram", f"demo-{n}") for n in range(1, 12))
                if p is not None and p.role == Role.OFFICE)


@pytest.fixture
def sample(services, clock):  # noqa: ANN001, ANN201
    period_id = build_sample(services, clock)
    files = services.official_report.export(office(services), period_id)
    document = Document(BytesIO(files.docx))
    texts = [p.text for p in document.paragraphs]
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    return services, period_id, files, texts, signature


def test_every_section_in_order_and_the_closing(sample):
    _services, _pid, _files, texts, signature = sample
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    body = "\n".join(texts)
    assert "kính báo cáo UBND tỉnh (qua Sở Nội vụ)./." in body and "Phụ lục" in body
    assert signature == ["GIÁM ĐỐC", "Hoàng Văn Quang"]
    assert 40 <= len([t for t in texts if t.strip()]) <= 120  # 3-5 pages, not 121 bullets


def test_no_bare_numbers_no_yes_lines_no_listing(sample):
    _services, _pid, _files, texts, _signature = sample
    unit_and_number = re.compile(r"^-?\s*[^:]{1,60}:\s*[\d.,]+\s*(%|đồng)?\.?$")
    for text in texts:
        assert not unit_and_number.match(text), text
        assert not re.search(r":\s*(Có|Không|0)\.?$", text), text
    body = "\n".join(texts)
    assert body.count("Phòng Kế hoạch - Tài chính") <= 3  # short names, no unit name written out on every line
    assert "Không phát sinh" not in body  # empty answers left out


def test_totals_equal_the_sums_of_their_brackets(sample):
    services, period_id, _files, texts, _signature = sample
    c = services.status.build(period_id)
    body = "\n".join(texts)
    procedures = next(t for t in texts if "thủ tục hành chính (" in t)
    total = int(re.search(r"công khai (\d+) thủ tục", procedures)[1])
    parts = [int(n) for n in re.findall(r" (\d+)[,)]", procedures.split("(", 1)[1])]
    assert total == sum(parts) == 27 and 0 not in parts
    assert sum(f.capital_plan for f in c.figures) == c.totals.capital_plan == 16_500_000_000
    assert "tổng số 16.500.000.000 đồng" in body and "đã giải ngân 9.230.000.000 đồng" in body
    assert "tỷ lệ giải ngân đạt 55,9% kế hoạch vốn được giao" in body  # derived figure, labelled
    savings = next(t for t in texts if t.startswith("Tổng kinh phí tiết kiệm"))
    amounts = [int(a.replace(".", "")) for a in re.findall(r"([\d.]+) đồng", savings)]
    assert amounts[0] == sum(amounts[1:]) == c.totals.savings
    assert "8/8 phòng, đơn vị" not in body and "7/8 phòng, đơn vị quản lý, sử dụng tài sản công" in body


def test_reference_case_attribution_and_internal_facts(sample):
    _services, _pid, files, texts, _signature = sample
    body = "\n".join(texts)
    assert "số 12/CTr-SKHCN ngày 15/01/2026" in body and "CTR-SKHCN" not in body
    assert "Giám đốc Sở đã chỉ đạo: Giao Phòng Kế hoạch - Tài chính" in body
    assert ("Phó Giám đốc Sở Lý Thị Ngọc đồng ý với đề xuất của Phòng Hành chính - Tổng hợp: Bổ sung thiết bị "
            "kiểm định công tơ điện 3 pha") in body  # the quick reply "Đồng ý." written as what was agreed
    office_answer = next(t for t in texts if "Chưa có mẫu báo cáo" in t)
    assert "Phòng Hành chính - Tổng hợp đã trả lời, hướng dẫn: Sử dụng mẫu" in office_answer
    assert "chỉ đạo" not in office_answer
    assert body.count("Vốn đối ứng dự án Trung tâm dữ liệu") == 1  # the duplicate and the report text: once
    for internal in ("Mới gửi", "Đã trình", "chờ", "nộp muộn", "sau thời hạn", FILE["file_name"]):
        assert internal not in body, internal
    assert "Thanh tra Sở chưa gửi báo cáo" in body
    for text in OFFICE_TEXTS.values():
        assert text.split("\n")[0] in texts
    assert "Phấn đấu giải ngân 100% kế hoạch vốn" not in body  # the units' plans are in Phụ lục V
    annex = load_workbook(BytesIO(files.xlsx))
    plans = {r[1]: r[3] for r in annex["Đề xuất, nhiệm vụ"].iter_rows(min_row=5, values_only=True)}
    assert plans["Phòng Kế hoạch - Tài chính"].startswith("Phấn đấu giải ngân 100% kế hoạch vốn")
    assert any(FILE["file_name"] in str(c.value) for row in annex["Tài liệu minh chứng"].iter_rows() for c in row)


def test_annex_prints_on_landscape_pages(sample):
    _services, _pid, files, _texts, _signature = sample
    book = load_workbook(BytesIO(files.xlsx))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$4:$4"
        assert "Kèm theo Báo cáo số" in ws["A2"].value
        fonts = {c.font.name for row in ws.iter_rows(min_row=1) for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}
        for row in ws.iter_rows(min_row=4, max_row=ws.max_row):
            assert all(c.border.left.style == "thin" for c in row if not isinstance(c, MergedCell))
            assert ws.row_dimensions[row[0].row].height >= 16
        values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert not any(re.fullmatch(r"0\s*/\s*0", v) for v in values)
    status = {r[1]: r for r in book["Tình trạng nộp"].iter_rows(min_row=5, values_only=True)}
    assert status["Thanh tra Sở"][5] is None and "quá hạn" in status["Thanh tra Sở"][2].lower()
    assert status["Trung tâm Ứng dụng và Dịch vụ khoa học công nghệ"][5] == "Có"
    assert status["Phòng Kế hoạch - Tài chính"][5] == "Không"
    contents = [r[2] for r in book["Khó khăn, vướng mắc"].iter_rows(min_row=5, values_only=True)]
    assert sum("Vốn đối ứng" in c for c in contents) == 1 and len(contents) == 7


def test_every_number_cell_has_its_format_and_annexes_are_numbered_in_roman(sample):
    _services, _pid, files, _texts, _signature = sample
    book = load_workbook(BytesIO(files.xlsx))
    headings = [ws["A1"].value for ws in book.worksheets]
    assert [h.split(".")[0] for h in headings] == [f"Phụ lục {n}" for n in ("I", "II", "III", "IV", "V", "VI")]
    money_columns, share = {3, 4, 6}, 5
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                    continue
                assert cell.number_format != "General", (ws.title, cell.coordinate)
                if cell.column == 1 or isinstance(cell.value, int) and not (
                        ws.title == "Chỉ tiêu" and cell.column in (*money_columns, share)):
                    assert cell.number_format == "0", (ws.title, cell.coordinate, cell.number_format)
    indicators = book["Chỉ tiêu"]
    assert {indicators.cell(row=r, column=c).number_format for r in range(5, indicators.max_row + 1)
            for c in money_columns if isinstance(indicators.cell(row=r, column=c).value, int)} == {"#,##0"}


def test_chart_is_portrait_with_short_names(services, clock):
    from bot.documents.chart import build_chart
    from bot.i18n import I18n

    period_id = build_sample(services, clock)
    png = build_chart(services.status.build(period_id), I18n("vi").get("vi"), services.status.short_names())
    image = Image.open(BytesIO(png))
    assert image.height > image.width >= 700


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_chart_text_is_cut_off_at_the_edges(services, clock, locale):
    """Panel titles, legends and labels lie wholly inside the picture a phone shows (they once ran off the right)."""
    from matplotlib.text import Text

    from bot.documents.chart import chart_figure
    from bot.i18n import I18n

    period_id = build_sample(services, clock)
    figure = chart_figure(services.status.build(period_id), I18n(locale).get(locale), services.status.short_names())
    width, height = figure.bbox.width, figure.bbox.height
    renderer = figure.canvas.get_renderer()
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 20
    outside = [(t.get_text(), t.get_window_extent(renderer).bounds) for t in texts
               if not (lambda b: b.x0 >= -0.5 and b.x1 <= width + 0.5 and b.y0 >= -0.5 and b.y1 <= height + 0.5)(
                   t.get_window_extent(renderer))]
    assert outside == []


def test_office_texts_are_stored_audited_and_checked(services, clock, settings, db):
    period_id = build_sample(services, clock)
    staff = office(services)
    head = services.people.actor_for("telegram", "demo-3")
    with pytest.raises(PermissionDenied):
        services.official_report.save(head, period_id, "assessment", "Văn bản")
    with pytest.raises(DomainError):
        services.official_report.save(staff, period_id, "assessment", "  \n ")
    with pytest.raises(DomainError):
        services.official_report.save(staff, period_id, "nowhere", "Văn bản")
    draft = services.official_report.part(staff, period_id, "assessment")
    assert draft.is_draft and "1. Ưu điểm" in draft.text and "55,9%" in draft.text
    saved = services.official_report.save(staff, period_id, "assessment", "Ưu điểm: tốt.\n\nHạn chế: giải ngân chậm.")
    assert saved.text == "Ưu điểm: tốt.\nHạn chế: giải ngân chậm." and saved.written_by == "Lê Văn Hòa"
    services.official_report.set_signer(staff, period_id, "Lý Thị Ngọc")
    restarted = build_services(settings, db, clock)  # a new process on the same database
    inputs = restarted.official_report.inputs(period_id)
    assert inputs.texts["assessment"].startswith("Ưu điểm") and inputs.signer.deputy
    assert inputs.signer.lines == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    restarted.official_report.reset(staff, period_id, "assessment")
    assert restarted.official_report.part(staff, period_id, "assessment").is_draft
    with db.session() as session:
        actions = [a.action for a in session.exec(select(AuditLog).where(
            AuditLog.action.like("official_report.%"))).all()]
        rows = session.exec(select(OfficialReportText).where(OfficialReportText.period_id == period_id)).all()
    assert actions.count("official_report.write") == len(OFFICE_TEXTS) + 2 and "official_report.reset" in actions
    assert {r.part for r in rows} == {*OFFICE_TEXTS, "signer"}


async def test_office_writes_its_parts_in_chat_and_survives_a_restart(sim):
    sent = await sim.send("vanthu", "/xuatbaocao 2026-Y")
    menu = sent[-1].text
    assert "1. Mục I - Công tác lãnh đạo, chỉ đạo, triển khai: bản dự thảo của trợ lý" in menu
    assert "0. Xuất báo cáo ngay" in menu and not any(m.document for m in sent)
    sent = await sim.send("vanthu", "2")  # section III: the draft is shown to copy and edit
    assert any("1. Ưu điểm" in m.text for m in sent)
    await sim.restart()
    sent = await sim.send("vanthu", "Ưu điểm: các phòng chủ động.\nHạn chế: còn chậm.")
    assert "Đã lưu" in sent[-1].text and "Mục III - Đánh giá chung: do Lê Văn Hòa soạn" in sent[-1].text
    sent = await sim.send("vanthu", "5")
    assert "2. KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: Lý Thị Ngọc" in sent[-1].text
    sent = await sim.send("vanthu", "2")
    assert "Người ký: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: Lý Thị Ngọc" in sent[-1].text
    sent = await sim.send("vanthu", "xin chào")
    assert "số thứ tự trong danh sách" in sent[-1].text  # not a number: asked again, nothing changed
    sent = await sim.send("vanthu", "0")
    docx = next(m for m in sent if m.document).document[1]
    document = Document(BytesIO(docx))
    texts = [p.text for p in document.paragraphs]
    assert "Ưu điểm: các phòng chủ động." in texts and "Hạn chế: còn chậm." in texts
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lý Thị Ngọc"]
    forged = await sim.press_data("khtc", "xb:ed:1:1")
    assert "không có quyền" in forged[-1].text.lower() or "không còn hiệu lực" in forged[-1].text.lower()


def test_sample_report_command_writes_three_files(tmp_path, monkeypatch):
    from bot.__main__ import main

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    out = tmp_path / "out"
    assert main(["sample-report", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["BC-thi-dua-2026-Y.docx", "Bieu-do-thi-dua-2026-Y.png",
                                                    "Phu-luc-thi-dua-2026-Y.xlsx"]


def test_document_references_keep_their_case():
    from bot.questionnaire.model import parse_docref

    assert parse_docref("12/CTr-SKHCN") == "12/CTr-SKHCN" and parse_docref("Số 15/TTr-SKHCN") == "15/TTr-SKHCN"
    assert parse_docref("08/CTr-TTƯD") == "08/CTr-TTƯD"
    assert parse_docref("số 15/kh-skhcn") == "15/KH-SKHCN"  # typed without capitals: written as symbols are
    with pytest.raises(DomainError):
        parse_docref("kế hoạch 15")


def test_decimal_money_and_percentages_need_no_floats():
    from decimal import Decimal

    from bot.consolidation import consolidate
    from bot.documents.docx_report import build_report
    from tests.status_samples import NOW, period, progress, report
    from bot.contracts import UnitStage

    answers = {"capital_holds": True, "capital_plan": Decimal("2000000000"), "capital_disbursed": Decimal("500000000"),
               "thrift_savings": Decimal("12500000"), "recurrent_share": Decimal("62.5")}
    c = consolidate(period(), [progress(2, "Phòng Kế hoạch - Tài chính", UnitStage.SUBMITTED_ON_TIME)],
                    [report(2, "Phòng Kế hoạch - Tài chính", answers)], [], NOW)
    texts = [p.text for p in Document(BytesIO(build_report(c))).paragraphs]
    body = "\n".join(texts)
    assert "tổng số 2.000.000.000 đồng" in body and "tỷ lệ giải ngân đạt 25% kế hoạch" in body
    assert "Phòng Kế hoạch - Tài chính 62,5%" in body


def test_emoji_in_answers_stay_out_of_the_departments_documents():
    """A head may type "📁" or "👍" in chat; the official report and its annex carry the words without them."""
    import unicodedata

    from bot.consolidation import consolidate
    from bot.contracts import EscalationState, UnitStage
    from bot.documents.docx_report import build_report
    from bot.documents.xlsx_annex import build_annex
    from tests.status_samples import NOW, escalation, period, progress, report

    name = "Phòng Kế hoạch - Tài chính"
    answers = {"digital_results": "Số hóa hồ sơ thanh quyết toán 📁", "difficulties": "👉 Vốn đối ứng về chậm",
               "proposals": "Đề nghị bổ sung kinh phí 🙏🏻", "next_plan": "Giải ngân 100% ✅"}
    c = consolidate(period(), [progress(2, name, UnitStage.SUBMITTED_ON_TIME)], [report(2, name, answers)],
                    [escalation(1, 2, name, "Thiếu máy chủ 🖥️", EscalationState.FORWARDED, NOW)], NOW)
    document = Document(BytesIO(build_report(c)))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    sheet = load_workbook(BytesIO(build_annex(c))).active
    texts += [str(cell.value) for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    body = "\n".join(texts)
    assert "Số hóa hồ sơ thanh quyết toán" in body
    assert not [ch for ch in body if unicodedata.category(ch) == "So" or ch in "\ufe0f\u200d"], body


def test_units_still_to_report_before_their_deadline_are_not_called_late():
    """Drafted on 10 December for a deadline of 20 December: a unit that has not reported yet is not a "limit" of
    timeliness; after the deadline it is."""
    from datetime import timedelta

    from bot.consolidation import consolidate
    from bot.contracts import UnitStage
    from bot.documents.docx_report import build_report
    from tests.status_samples import NOW, period, progress, report

    units = [progress(2, "Phòng Kế hoạch - Tài chính", UnitStage.SUBMITTED_ON_TIME),
             progress(3, "Thanh tra Sở", UnitStage.NOT_STARTED)]
    reports = [report(2, "Phòng Kế hoạch - Tài chính", {})]
    late_words = "chưa bảo đảm thời hạn"
    before = consolidate(period(), units, reports, [], NOW - timedelta(days=11))
    assert late_words not in "\n".join(p.text for p in Document(BytesIO(build_report(before))).paragraphs)
    after = consolidate(period(), units, reports, [], NOW)  # 21 December: the deadline has passed
    assert late_words in "\n".join(p.text for p in Document(BytesIO(build_report(after))).paragraphs)
