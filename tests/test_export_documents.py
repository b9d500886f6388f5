"""The official report (DOCX) and its annex (XLSX), read back; /xuatbaocao in chat; the command-line export."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from bot.consolidation import consolidate
from bot.documents.docx_report import build_report
from bot.documents.xlsx_annex import build_annex
from bot.periods import PeriodKind
from tests.status_samples import KHTC, NOW, QLKH, THANHTRA, TTUD, KHTC_ANSWERS, TTUD_ANSWERS, period, sample_inputs, submit


def consolidation(kind: PeriodKind = PeriodKind.ANNUAL):  # noqa: ANN201
    p, units, reports, escalations = sample_inputs()
    if kind != PeriodKind.ANNUAL:
        p = period(kind=kind, year=2026 if kind == PeriodKind.SIX_MONTH else 2025, phase=1 if kind != PeriodKind.SIX_MONTH else 2)
    return consolidate(p, units, reports, escalations, NOW)


def paragraphs(data: bytes) -> tuple[list[str], Document]:
    document = Document(BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for cell in table.rows[0].cells:
            texts += [p.text for p in cell.paragraphs]
    return texts, document


def test_header_title_and_layout():
    texts, document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang"))
    header = [p.text for cell in document.tables[0].rows[0].cells for p in cell.paragraphs if p.text]
    assert header[:2] == ["UBND TỈNH QUẢNG NGÃI", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert header[2].startswith("Số:") and header[2].endswith("/BC-SKHCN")
    assert header[3:5] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header[5].startswith("Quảng Ngãi, ngày") and header[5].endswith("năm 2026")
    right = document.tables[0].rows[0].cells[1].paragraphs
    assert any(r.bold for p in right if p.text == "Độc lập - Tự do - Hạnh phúc" for r in p.runs)
    assert all(r.italic for p in right if p.text.startswith("Quảng Ngãi") for r in p.runs)
    assert "BÁO CÁO" in texts
    assert ("Kết quả thực hiện Phong trào thi đua “Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; "
            "thực hành tiết kiệm, chống lãng phí” năm 2026") in texts
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)  # A4
    def within(value, low: float, high: float) -> bool:  # noqa: ANN001
        return Mm(low - 0.1) <= value <= Mm(high + 0.1)  # Word stores twentieths of a point: 15 mm is 14.99 mm

    assert within(section.top_margin, 20, 25) and within(section.bottom_margin, 20, 25)
    assert within(section.left_margin, 30, 35) and within(section.right_margin, 15, 20)
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)


def test_decree_layout_spacing_kinh_gui_rules_and_kept_headings():
    """Nghị định 30/2020, Phụ lục I: 6 pt between paragraphs, "Kính gửi", rules of 1/3-1/2, no lone heading."""
    from datetime import date

    from bot.contracts import DepartmentData
    from bot.documents.docx_report import AGENCY_RULE, LEFT_COL, TEXT_WIDTH, TITLE_RULE
    from bot.documents.narrative import ReportInputs

    department = DepartmentData(plan_number="15/KH-SKHCN", plan_date=date(2026, 1, 20))
    texts, document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang",
                                              inputs=ReportInputs(department=department)))
    normal = document.styles["Normal"].paragraph_format.space_after
    body = [p for p in document.paragraphs if p.text.strip()]
    title = texts.index("BÁO CÁO")
    for p in body:
        if p.text in ("BÁO CÁO",) or p.text.startswith("Kết quả thực hiện Phong trào"):
            continue  # the title's two lines stay together
        after = p.paragraph_format.space_after if p.paragraph_format.space_after is not None else normal
        assert after >= Pt(6), (p.text, after)
    assert texts[title + 2:title + 4] == ["", "Kính gửi: Ủy ban nhân dân tỉnh Quảng Ngãi."]
    opening = next(t for t in texts if t.startswith("Thực hiện Kế hoạch"))
    assert "Kế hoạch số 15/KH-SKHCN ngày 20/01/2026 của Sở Khoa học và Công nghệ" in opening
    assert LEFT_COL / 3 <= AGENCY_RULE <= LEFT_COL / 2 and TEXT_WIDTH / 3 <= TITLE_RULE <= TEXT_WIDTH / 2
    headings = [p for p in body if p.runs and p.runs[0].bold and p.text[:2] in ("I.", "II", "IV", "V.", "VI")]
    labels = [p for p in body if p.runs and p.runs[0].italic and p.text[1:3] == ") "]
    assert headings and labels
    assert all(p.paragraph_format.keep_with_next for p in headings + labels)


def test_titles_of_the_other_period_kinds():
    six = paragraphs(build_report(consolidation(PeriodKind.SIX_MONTH)))[0]
    assert any(t.endswith("chống lãng phí” 6 tháng đầu năm 2026") for t in six)
    review = paragraphs(build_report(consolidation(PeriodKind.PHASE_REVIEW)))[0]
    assert any(t.endswith("sơ kết giai đoạn 1 (2022 - 2025)") for t in review)


def test_sections_are_synthesised_not_listed():
    texts, _document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang"))
    body = "\n".join(texts)
    for heading in ("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN", "II. KẾT QUẢ THỰC HIỆN",
                    "1. Thi đua đẩy mạnh phát triển kết cấu hạ tầng", "2. Thi đua thực hành tiết kiệm, chống lãng phí",
                    "3. Sáng kiến, điển hình tiên tiến", "4. Công tác khen thưởng", "III. ĐÁNH GIÁ CHUNG",
                    "IV. KHÓ KHĂN, VƯỚNG MẮC", "V. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027", "VI. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in texts, heading
    # Free text attributed once under its criterion.
    assert f"- {KHTC}: Triển khai hệ thống quản lý văn bản điều hành liên thông bốn cấp." in texts
    assert f"- {TTUD}: Sắp xếp lại 03 phòng chuyên môn của Trung tâm." in texts
    # Totals with the contributors in brackets; derived figures labelled.
    assert ("2 phòng, đơn vị được giao kế hoạch vốn đầu tư công với tổng số 15.000.000.000 đồng; đến thời điểm báo "
            "cáo đã giải ngân 13.500.000.000 đồng, tỷ lệ giải ngân đạt 90% kế hoạch vốn được giao") in body
    assert (f"Tổng kinh phí tiết kiệm được trong kỳ là 400.000.000 đồng ({KHTC} 250.000.000 đồng, {QLKH} "
            f"30.000.000 đồng, {TTUD} 120.000.000 đồng).") in texts
    assert "- Bằng khen của Thủ tướng Chính phủ: 1 (tập thể Trung tâm Ứng dụng)." in texts
    # Difficulties with the Director's instruction; the units' proposals are not the Department's.
    assert "Giám đốc Sở đã chỉ đạo: Giao Phòng KH-TC bố trí kinh phí." in body
    assert f"- {QLKH}: Thiếu nhân lực chuyên trách." in texts
    assert "Đề nghị UBND tỉnh sớm phân bổ vốn." not in body
    # One neutral sentence on the missing unit; who was late stays out of the body.
    assert "3/4 phòng, đơn vị đã gửi báo cáo: " in body and f". {THANHTRA} chưa gửi báo cáo" in body
    assert "sau thời hạn" not in body and "Mới gửi" not in body and "Đã trình" not in body
    assert "Trên đây là báo cáo" in body and "kính báo cáo UBND tỉnh (qua Sở Nội vụ)./." in body


def test_office_texts_and_a_deputy_signer():
    from bot.documents.narrative import ReportInputs, Signer

    inputs = ReportInputs(texts={"leadership": "Sở đã ban hành Kế hoạch số 05/KH-SKHCN.\nLãnh đạo Sở chỉ đạo sát sao.",
                                 "recommendations": "Đề nghị UBND tỉnh bố trí vốn."},
                          signer=Signer(deputy=True, name="Lý Thị Ngọc"), short_names={2: "KH-TC"})
    texts, document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang", inputs=inputs))
    assert "Sở đã ban hành Kế hoạch số 05/KH-SKHCN." in texts and "Lãnh đạo Sở chỉ đạo sát sao." in texts
    assert "Đề nghị UBND tỉnh bố trí vốn." in texts
    assert any(t.startswith("- Phòng KH-TC: Triển khai hệ thống") for t in texts)  # short names
    right = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert right == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lý Thị Ngọc"]


def test_document_language_is_vietnamese():
    _texts, document = paragraphs(build_report(consolidation()))
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "vi-VN" and document.core_properties.language == "vi-VN"


def test_recipients_and_signature():
    texts, document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang"))
    closing = document.tables[-1].rows[0].cells
    left = [p.text for p in closing[0].paragraphs]
    assert left == ["Nơi nhận:", "- Như trên;", "- Sở Nội vụ;", "- GĐ, các PGĐ Sở;", "- Lưu: VT, HCTH."]
    right = [p.text for p in closing[1].paragraphs if p.text]
    assert right == ["GIÁM ĐỐC", "Hoàng Văn Quang"]


def test_annex_sheets_and_cells():
    book = load_workbook(BytesIO(build_annex(consolidation())))
    assert book.sheetnames == ["Chỉ tiêu", "Tình trạng nộp", "Khen thưởng", "Khó khăn, vướng mắc",
                               "Đề xuất, nhiệm vụ", "Tài liệu minh chứng"]
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("Phụ lục")
        assert "/BC-SKHCN ngày" in sheet["A2"].value and "của Sở Khoa học và Công nghệ" in sheet["A2"].value
    rows = list(book["Chỉ tiêu"].iter_rows(min_row=4, values_only=True))
    assert rows[0][:3] == ("STT", "Phòng, đơn vị", "Kế hoạch vốn đầu tư công được giao (đồng)")
    assert rows[1][1] == KHTC and rows[1][2] == 10_000_000_000 and rows[1][3] == 8_500_000_000 and rows[1][4] == 0.85
    assert rows[2][1] == QLKH and rows[2][2] == "Không được giao" and rows[2][3] is None  # no "0 / 0"
    assert rows[3][1] == THANHTRA and rows[3][-1] == "Chưa gửi báo cáo"
    assert rows[-1][1] == "Tổng cộng" and rows[-1][2] == 15_000_000_000 and rows[-1][5] == 400_000_000
    status = list(book["Tình trạng nộp"].iter_rows(min_row=4, values_only=True))
    assert status[4][1] == TTUD and status[4][2] == "Đã nộp muộn" and status[4][5] == "Có"
    assert status[3][2] == "Chưa bắt đầu" and status[3][4] is None and status[3][5] is None  # "Nộp muộn": submitted only
    assert status[1][4].strftime("%d/%m/%Y %H:%M") == "18/12/2026 09:00"
    forms = list(book["Khen thưởng"].iter_rows(min_row=5, values_only=True))
    assert [r[1] for r in forms if r[0] is None] == ["Bằng khen của Thủ tướng Chính phủ (1)",
                                                      "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (1)",
                                                      "Giấy khen của Giám đốc Sở (1)"]
    difficulties = list(book["Khó khăn, vướng mắc"].iter_rows(min_row=5, values_only=True))
    assert all(r[2].startswith(title) for r, title in zip(difficulties, ["Vướng thủ tục thanh lý", "Chậm phân bổ vốn",
                                                                      "Thiếu phòng thí nghiệm"], strict=False))
    assert difficulties[2][5] == "Giám đốc Sở đã chỉ đạo: Giao Phòng KH-TC bố trí kinh phí."
    assert any(r[4] == "Nêu trong báo cáo kỳ" for r in difficulties)


async def test_export_in_chat_sends_both_files(sim):
    submit(sim.services, "khtc", {**KHTC_ANSWERS, "digital_tasks": ["databases", "digital_signature"],
                                  "public_assets_ok": False, "self_assessment": "good"})
    submit(sim.services, "ttud", TTUD_ANSWERS, late=True)
    sent = await sim.send("giamdoc", "/xuatbaocao")
    docs = [m for m in sent if m.document]
    assert [d.document[0] for d in docs] == ["BC-thi-dua-2026-Y.docx", "Phu-luc-thi-dua-2026-Y.xlsx"]
    texts, _document = paragraphs(docs[0].document[1])
    assert "- Phòng KH-TC: Triển khai hệ thống quản lý văn bản điều hành liên thông bốn cấp." in texts
    # Choices counted per option, yes/no as a count naming the exception, from the questionnaire's labels.
    assert ("Nhiệm vụ chuyển đổi số đã triển khai: sử dụng chữ ký số (1 phòng, đơn vị); xây dựng, cập nhật cơ sở "
            "dữ liệu chuyên ngành (1 phòng, đơn vị).") in texts
    assert any(t.startswith("0/1 phòng, đơn vị quản lý, sử dụng tài sản công") and "Phòng KH-TC chưa bảo đảm" in t
               for t in texts)
    assert "Về tự đánh giá mức độ hoàn thành Phong trào thi đua: 1 phòng, đơn vị hoàn thành tốt." in texts
    assert any(t == "Hoàng Văn Quang" for t in texts)  # the registered Director signs
    assert "(6)" in docs[1].text
    sent = await sim.send("vanthu", "/tinhhinh")
    sent = await sim.press("vanthu", sent[-1], "Xuất báo cáo")
    assert "0. Xuất báo cáo ngay" in sent[-1].text and not any(m.document for m in sent)
    sent = await sim.send("vanthu", "0")
    assert [m.document[0] for m in sent if m.document][0] == "BC-thi-dua-2026-Y.docx"


async def test_english_alias_still_gives_the_vietnamese_document(sim):
    await sim.send("giamdoc", "/ngonngu en")
    sent = await sim.send("giamdoc", "/export 2026-Y")
    docs = [m for m in sent if m.document]
    assert "BÁO CÁO" in paragraphs(docs[0].document[1])[0]
    assert docs[0].text.startswith("Official report: Annual report 2026")


def test_command_line_export(tmp_path, monkeypatch):
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    out = tmp_path / "out"
    assert main(["export", "--period", "2026-Y", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["BC-thi-dua-2026-Y.docx", "Phu-luc-thi-dua-2026-Y.xlsx"]
    assert main(["export", "--period", "1999-Y", "--out", str(out)]) == 2
