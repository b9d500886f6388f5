"""The official report and its annex as the Office prints them: rendered through LibreOffice and checked by machine.

The demo period (`python -m bot sample-report`: a difficulty raised both ways, a unit added from chat, a reference
typed in lower case, abbreviations, a quick reply) and a second period (tests/status_samples.py: other units, a
six-month period) go through the same checks. In the DOCX: 6 pt or more between paragraphs, the "Kính gửi" block,
no unit's short name before its full name, no item repeated in section IV, no entry starting in lower case. In the
XLSX: every number cell's format explicit, and the PDF text (pdftotext) shows no "###" and no "6.0".
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from bot.consolidation import consolidate
from bot.documents import narrative
from bot.documents.docx_report import build_report
from bot.documents.narrative import ReportInputs
from bot.documents.xlsx_annex import build_annex
from bot.services.official_report.sample import build_sample
from tests.status_samples import NOW, sample_inputs
from tests.test_official_report import office

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
ABBREVIATIONS = re.compile(r"(?<![\w/&-])(vb|DN|DVC|CSDL|KBNN|ĐTC|CĐS|SHTT)(?![\w/&-])")


def check_docx(data: bytes, units: list[tuple[str, str]]) -> list[str]:
    """The report's body as printed lines, after the checks a reviewer would make by eye."""
    document = Document(BytesIO(data))
    normal = document.styles["Normal"].paragraph_format.space_after
    body = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in body]
    start = texts.index("BÁO CÁO") + 2  # the title's two lines stay together; spacing counts from "Kính gửi"
    assert texts[start] == "Kính gửi: Ủy ban nhân dân tỉnh Quảng Ngãi."
    for p in body[start:]:
        after = p.paragraph_format.space_after if p.paragraph_format.space_after is not None else normal
        assert after >= Pt(6), (p.text, after)
    closing = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert closing[:2] == ["Nơi nhận:", "- Như trên;"]
    whole = "\n".join(texts)
    for full, short in units:
        if short == full or short not in whole:
            continue
        assert full in whole and whole.index(full) < whole.index(short), (full, short)
        assert f"{full} ({short})" in whole, short
    section = texts[texts.index("IV. KHÓ KHĂN, VƯỚNG MẮC") + 1:next(i for i, t in enumerate(texts)
                                                                    if t.startswith("V. PHƯƠNG HƯỚNG"))]
    items = [re.sub(r"^- [^:]+: ", "", t) for t in section]
    assert len(items) == len(set(items))
    firsts = [t.split(":")[0].split(". ")[0] for t in items]  # each difficulty's own first sentence, once
    assert len(firsts) == len(set(firsts)), firsts
    for text in texts:
        start = re.sub(r"^(- |[a-z]\) |\d\. )", "", text)
        entry = re.sub(r"^[^:]{1,90}: ", "", start) if text.startswith("- ") else start  # "- Phòng QLKH: tham..."
        assert not start[:1].islower() and not entry[:1].islower(), text
        assert not ABBREVIATIONS.search(text), text
    return texts


def check_xlsx_cells(data: bytes) -> None:
    book = load_workbook(BytesIO(data))
    assert [ws["A1"].value.split(".")[0] for ws in book.worksheets] == [
        f"Phụ lục {n}" for n in ("I", "II", "III", "IV", "V", "VI")]
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert cell.number_format in ("0", "#,##0", "0.0%"), (ws.title, cell.coordinate, cell.number_format)


def to_pdf_text(tmp_path: Path, name: str, data: bytes) -> str:
    source = tmp_path / name
    source.write_bytes(data)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pdf = source.with_suffix(".pdf")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def check_printed(tmp_path: Path, docx: bytes, xlsx: bytes) -> None:
    if SOFFICE is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed: the printed check did not run")
    annex = to_pdf_text(tmp_path, "annex.xlsx", xlsx)
    assert "Phụ lục I." in annex and "Phụ lục VI." in annex
    assert "###" not in annex
    assert not re.search(r"(?<![\d.,])\d+\.0(?![\d%])", annex), re.findall(r"\S*\d+\.0\S*", annex)
    report = to_pdf_text(tmp_path, "report.docx", docx)
    assert "Kính gửi: Ủy ban nhân dân tỉnh Quảng Ngãi." in report and "- Như trên;" in report


@pytest.mark.slow
def test_the_sample_period_prints_as_signed(services, clock, tmp_path):
    period_id = build_sample(services, clock)
    files = services.official_report.export(office(services), period_id)
    units = [(u.name, narrative.short_name(None, services.official_report.inputs(period_id), u.unit_id, u.name))
             for u in services.org.list_units()]
    texts = check_docx(files.docx, units)
    body = "\n".join(texts)
    assert "Kế hoạch số 15/KH-SKHCN ngày 20/01/2026 của Sở Khoa học và Công nghệ" in texts[texts.index("BÁO CÁO") + 3]
    assert body.count("Trung tâm Thông tin và Thống kê khoa học và công nghệ (Trung tâm TT&TK)") == 1
    assert "12/ctr-skhcn" not in body and body.count("12/CTr-SKHCN ngày 15/01/2026 (") == 1
    assert "Kho bạc Nhà nước" in body and "kế hoạch vốn đầu tư công qua cơ sở dữ liệu" in body
    section = body.split("IV. KHÓ KHĂN, VƯỚNG MẮC")[1].split("V. PHƯƠNG HƯỚNG")[0]
    assert section.count("Kinh phí bảo trì cơ sở dữ liệu") == 1 and "năm 2027 để bảo trì" not in section
    assert "- Phòng QLKH: Thiếu cán bộ chuyên trách chuyển đổi số." in section
    assert "Nội dung này đang được xem xét" not in body and "Đồng ý." not in section
    check_xlsx_cells(files.xlsx)
    check_printed(tmp_path, files.docx, files.xlsx)


@pytest.mark.slow
def test_another_period_prints_as_signed(tmp_path):
    p, units, reports, escalations = sample_inputs()
    c = consolidate(p, units, reports, escalations, NOW)
    inputs = ReportInputs(short_names={2: "KH-TC", 3: "QLKH", 8: "TTƯD&DV"})
    docx, xlsx = build_report(c, "Hoàng Văn Quang", inputs=inputs), build_annex(c, inputs)
    check_docx(docx, [(u.unit_name, narrative.short_name(c, inputs, u.unit_id, u.unit_name)) for u in c.units])
    check_xlsx_cells(xlsx)
    check_printed(tmp_path, docx, xlsx)
