"""The official report (DOCX) and its annex (XLSX), read back; /xuatbaocao in chat; the command-line export."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from bot.consolidation import consolidate
from bot.documents.docx_report import build_report
from bot.documents.xlsx_annex import SHEETS, build_annex
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


def test_titles_of_the_other_period_kinds():
    six = paragraphs(build_report(consolidation(PeriodKind.SIX_MONTH)))[0]
    assert any(t.endswith("chống lãng phí” 6 tháng đầu năm 2026") for t in six)
    review = paragraphs(build_report(consolidation(PeriodKind.PHASE_REVIEW)))[0]
    assert any(t.endswith("sơ kết giai đoạn 1 (2022 - 2025)") for t in review)


def test_sections_contributions_totals_and_missing_units():
    texts, _document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang"))
    body = "\n".join(texts)
    for heading in ("I. TÌNH HÌNH TỔNG HỢP BÁO CÁO", "II. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA",
                    "1. Thi đua đẩy mạnh phát triển kết cấu hạ tầng", "2. Thi đua thực hành tiết kiệm, chống lãng phí",
                    "3. Sáng kiến, điển hình tiên tiến", "III. KHÓ KHĂN, VƯỚNG MẮC VÀ Ý KIẾN CHỈ ĐẠO CỦA GIÁM ĐỐC SỞ",
                    "IV. ĐỀ XUẤT, KIẾN NGHỊ", "V. TỰ ĐÁNH GIÁ VÀ ĐỀ XUẤT KHEN THƯỞNG"):
        assert heading in texts, heading
    # Each unit's contribution under its criterion, with the unit named.
    assert f"- {KHTC}: Triển khai hệ thống quản lý văn bản điều hành liên thông bốn cấp." in texts
    assert f"- {QLKH}: Cập nhật CSDL nhiệm vụ KH&CN." in texts
    assert f"- {TTUD}: Sắp xếp lại 03 phòng chuyên môn của Trung tâm." in texts
    assert f"- {KHTC}: Ban hành 02 định mức kinh tế - kỹ thuật." in texts
    # Totals.
    assert ("Tổng kế hoạch vốn đầu tư công được giao: 15.000.000.000 đồng; đã giải ngân 13.500.000.000 đồng, "
            "đạt 90% kế hoạch") in body
    assert "Tổng số tiền tiết kiệm được: 400.000.000 đồng." in texts
    assert "a) Sáng kiến: tổng số 3 sáng kiến, giải pháp." in texts
    assert f"- {TTUD}: “Ứng dụng IoT quan trắc” (Đỗ Thanh Sơn)" in texts
    assert "Các phòng, đơn vị đề xuất khen thưởng 3 tập thể, cá nhân, cụ thể:" in texts
    assert "1. Bằng khen của Thủ tướng Chính phủ: 1 đề xuất" in texts
    assert f"- {KHTC}: Cá nhân Nguyễn Văn An: Có sáng kiến" in texts
    # Difficulties with the Director's instruction; proposals.
    assert f"- {QLKH}: Thiếu nhân lực chuyên trách." in texts
    assert "Ý kiến chỉ đạo của Giám đốc Sở: Giao Phòng KH-TC bố trí kinh phí." in body
    assert f"- {KHTC}: Đề nghị UBND tỉnh sớm phân bổ vốn." in texts
    # Missing units, late units.
    assert "có 3/4 phòng, đơn vị đã gửi báo cáo" in body
    assert f"- {THANHTRA} (chưa bắt đầu)." in texts
    assert f"Các phòng, đơn vị gửi báo cáo sau thời hạn: {TTUD}." in texts


def test_recipients_and_signature():
    texts, document = paragraphs(build_report(consolidation(), "Hoàng Văn Quang"))
    closing = document.tables[-1].rows[0].cells
    left = [p.text for p in closing[0].paragraphs]
    assert left == ["Nơi nhận:", "- UBND tỉnh (báo cáo);", "- Sở Nội vụ;", "- GĐ, các PGĐ Sở;", "- Lưu: VT, HCTH."]
    right = [p.text for p in closing[1].paragraphs if p.text]
    assert right == ["GIÁM ĐỐC", "Hoàng Văn Quang"]


def test_annex_sheets_and_cells():
    book = load_workbook(BytesIO(build_annex(consolidation())))
    assert book.sheetnames == list(SHEETS)
    indicators = book["Chỉ tiêu"]
    rows = list(indicators.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Phòng, đơn vị", "Được giao vốn đầu tư công", "Kế hoạch vốn (đồng)")
    assert rows[1][1] == KHTC and rows[1][3] == 10_000_000_000 and rows[1][4] == 8_500_000_000 and rows[1][5] == 85.0
    assert rows[3][1] == THANHTRA and rows[3][-1] == "Chưa gửi báo cáo"
    assert rows[-1][1] == "Tổng cộng" and rows[-1][3] == 15_000_000_000 and rows[-1][6] == 400_000_000
    assert rows[-1][7] == 3 and rows[-1][9] == 3
    status = list(book["Tình trạng nộp"].iter_rows(values_only=True))
    assert status[4][1] == TTUD and status[4][2] == "Đã nộp muộn" and status[4][5] == "Có"
    assert status[3][2] == "Chưa bắt đầu" and status[3][4] is None
    assert status[1][4].strftime("%d/%m/%Y %H:%M") == "18/12/2026 09:00"
    forms = list(book["Đề xuất khen thưởng"].iter_rows(values_only=True))
    assert forms[1][1] == "Bằng khen của Thủ tướng Chính phủ (1)"
    assert forms[2][1:4] == ("Bằng khen của Thủ tướng Chính phủ", "Tập thể", "Trung tâm Ứng dụng")
    assert [r[1] for r in forms if r[0] is None] == ["Bằng khen của Thủ tướng Chính phủ (1)",
                                                      "Bằng khen của Chủ tịch UBND tỉnh (1)",
                                                      "Giấy khen của Giám đốc Sở (1)"]
    difficulties = list(book["Khó khăn, vướng mắc"].iter_rows(values_only=True))
    states = {r[2].split(":")[0]: r[5] for r in difficulties[1:4]}
    assert states == {"Vướng thủ tục thanh lý": "Đã đóng", "Chậm phân bổ vốn": "Đã trình Giám đốc",
                      "Thiếu phòng thí nghiệm": "Đã trả lời, chờ đơn vị xác nhận"}  # the glossary's words
    assert not difficulties[2][6] and difficulties[3][6] == "Giao Phòng KH-TC bố trí kinh phí."
    assert any(r[5] == "Nêu trong báo cáo kỳ" and r[1] == QLKH for r in difficulties)


async def test_export_in_chat_sends_both_files(sim):
    submit(sim.services, "khtc", {**KHTC_ANSWERS, "digital_tasks": ["databases", "digital_signature"],
                                  "public_assets_ok": False, "self_assessment": "good"})
    submit(sim.services, "ttud", TTUD_ANSWERS, late=True)
    sent = await sim.send("giamdoc", "/xuatbaocao")
    docs = [m for m in sent if m.document]
    assert [d.document[0] for d in docs] == ["BC-thi-dua-2026-Y.docx", "Phu-luc-thi-dua-2026-Y.xlsx"]
    texts, _document = paragraphs(docs[0].document[1])
    assert f"- {KHTC}: Triển khai hệ thống quản lý văn bản điều hành liên thông bốn cấp." in texts
    assert "- Phòng Quản lý Khoa học (chưa bắt đầu)." in texts
    # Labels come from the questionnaire: the question's short label, the options' Vietnamese labels.
    assert (f"- {KHTC}: Nhiệm vụ chuyển đổi số đã triển khai: Xây dựng, cập nhật cơ sở dữ liệu chuyên ngành, "
            "Sử dụng chữ ký số") in texts
    assert f"- {KHTC}: Tài sản công sử dụng đúng mục đích, định mức: Không" in texts
    assert f"- {KHTC}: Hoàn thành tốt" in texts
    assert any(t == "Hoàng Văn Quang" for t in texts)  # the registered Director signs
    assert "(6)" in docs[1].text
    book = load_workbook(BytesIO(docs[1].document[1]))
    assert book["Chỉ tiêu"].cell(row=10, column=2).value == "Tổng cộng"
    sent = await sim.send("vanthu", "/tinhhinh")
    sent = await sim.press("vanthu", sent[-1], "Xuất báo cáo")
    assert [m.document[0] for m in sent if m.document][0] == "BC-thi-dua-2026-Y.docx"


async def test_english_alias_still_gives_the_vietnamese_document(sim):
    await sim.send("vanthu", "/ngonngu en")
    sent = await sim.send("vanthu", "/export 2026-Y")
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
