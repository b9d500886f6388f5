"""The XLSX annex of the official report, ready to print and staple to it.

Each sheet: a title row and "(Kèm theo Báo cáo số …/BC-SKHCN ngày … của Sở Khoa học và Công nghệ)", a bordered
table with its header repeated on every printed page, A4 landscape fitted to one page wide, wrapped text with
row heights that fit, Times New Roman throughout. States are worded as the chat words them.
"""

from __future__ import annotations

import math
from copy import copy
from functools import cache
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.consolidation import Consolidation, as_int
from bot.contracts import Q_PROPOSALS, UNIT_STAGE_LABELS
from bot.documents import narrative, vn
from bot.documents.criteria import QuestionLabels
from bot.documents.narrative import ReportInputs
from bot.i18n import I18n
from bot.text import without_emoji

FONT = "Times New Roman"
SIZE = 12
# Every cell gets an explicit number format: styles were once built on one shared cell and a count inherited the
# format of the cell before it ("###" in a narrow STT column, "6.0" for a total).
COUNT, MONEY, PERCENT, DAY, MOMENT, TEXT = "0", "#,##0", "0.0%", "DD/MM/YYYY", "DD/MM/YYYY HH:MM", "@"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # title, reference line, blank, header
LINE_HEIGHT = 16.5  # points per text line at 12 pt
REFERENCE = f"(Kèm theo Báo cáo số       {vn.SYMBOL} ngày      tháng      năm {{year}} của {vn.AGENCY_NAME})"


@cache
def _vi():  # noqa: ANN202
    return I18n("vi").get("vi")


def stage_label(stage) -> str:  # noqa: ANN001
    """The unit's state as the chat says it ("đã nộp muộn"), capitalised for a table cell."""
    text = _vi().gettext(UNIT_STAGE_LABELS[stage])
    return text[:1].upper() + text[1:]


def escalation_state(state: str) -> str:
    from bot.services.escalations.core import STATE_LABELS  # the chat's own wording

    label = next((v for k, v in STATE_LABELS.items() if str(k) == state), None)
    text = _vi().gettext(label) if label else state
    return text[:1].upper() + text[1:]


class Sheet:
    """One annex sheet: title rows, bordered table, print settings; row heights follow the wrapped text."""

    def __init__(self, book: Workbook, title: str, heading: str, columns: list[tuple[str, int]], year: int,
                 scratch: Worksheet) -> None:
        self.ws: Worksheet = book.create_sheet(title)
        self.scratch = scratch
        self.widths = [w for _, w in columns]
        last = get_column_letter(len(columns))
        for index, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        for row, (text, bold, italic) in enumerate(((heading, True, False),
                                                    (REFERENCE.format(year=year), False, True)), start=1):
            self.ws.merge_cells(f"A{row}:{last}{row}")
            cell = self.ws.cell(row=row, column=1, value=text)
            cell.font = Font(name=FONT, size=SIZE + (1 if bold else 0), bold=bold, italic=italic)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self.ws.row_dimensions[row].height = LINE_HEIGHT * 1.3
        self.row = HEADER_ROW
        self._styles: dict[tuple, Any] = {}
        self.append([name for name, _ in columns], bold=True, center=True)
        self._print_settings()

    def _print_settings(self) -> None:
        ws = self.ws
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = "&P/&N"
        ws.oddFooter.center.font = FONT
        ws.freeze_panes = f"A{HEADER_ROW + 1}"

    def _style(self, bold: bool, horizontal: str, fmt: str):  # noqa: ANN202
        """A cell style built once per combination: openpyxl hashes every style object it is given, which made
        styling cell by cell dominate the time of a large annex. Each combination gets a cell of its own on the
        scratch sheet, every attribute set, so nothing carries over from the previous style."""
        key = (bold, horizontal, fmt)
        if key not in self._styles:
            scratch = self.scratch.cell(row=len(self._styles) + 1, column=1)  # a sheet removed before saving
            scratch.font = Font(name=FONT, size=SIZE, bold=bold)
            scratch.border = BOX
            scratch.alignment = Alignment(wrap_text=True, vertical="center", horizontal=horizontal)
            scratch.number_format = fmt
            self._styles[key] = copy(scratch._style)
        return self._styles[key]

    def group(self, text: str) -> None:
        """A bold group heading across the table (a form of commendation)."""
        self.append([None, text], bold=True)
        last = get_column_letter(len(self.widths))
        self.ws.merge_cells(f"B{self.row - 1}:{last}{self.row - 1}")
        self.ws.row_dimensions[self.row - 1].height = LINE_HEIGHT + 3

    def append(self, values: list[Any], *, bold: bool = False, center: bool = False,
               formats: dict[int, str] | None = None) -> None:
        """A bordered row; text wraps and the row is as tall as its longest cell."""
        lines = 1
        for index, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=index,
                                value=without_emoji(value) if isinstance(value, str) else value)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            horizontal = "center" if center or index == 1 else ("right" if numeric else "left")
            fmt = (formats or {}).get(index) or _default_format(value)
            cell._style = copy(self._style(bold, horizontal, fmt))
            lines = max(lines, _lines(_shown(value, fmt), self.widths[index - 1]))
        for index in range(len(values) + 1, len(self.widths) + 1):
            self.ws.cell(row=self.row, column=index)._style = copy(self._style(False, "left", TEXT))
        self.ws.row_dimensions[self.row].height = LINE_HEIGHT * lines + 3
        self.row += 1


def _share(pct: float | None) -> float | None:
    """A percentage as the fraction a "0.0%" cell shows: 55.94 -> 0.5594 ("55.9%")."""
    return None if pct is None else round(float(pct), 1) / 100


def _default_format(value: Any) -> str:
    """A whole number (STT, counts) prints as "7", a fraction with one decimal, anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return TEXT
    return COUNT if isinstance(value, int) else "#,##0.0"


def _shown(value: Any, fmt: str | None) -> str:
    if value is None:
        return ""
    if fmt in (DAY, MOMENT):
        return "00/00/0000" + (" 00:00" if fmt == MOMENT else "")
    if fmt == MONEY and isinstance(value, (int, float)):
        return f"{int(value):,}"  # only its length matters here; Babel per cell is slow on a large annex
    return str(value)


def _lines(text: str, width: int) -> int:
    """Printed lines of a wrapped cell: about 1.1 characters of 12 pt Times per unit of column width."""
    per_line = max(1, int(width * 1.1) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")) if text else 1


def local(moment, tz):  # noqa: ANN001, ANN201
    """openpyxl cannot store aware datetimes: wall time in the configured zone `tz`, as people read it."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment is not None else None


class Annex:
    def __init__(self, c: Consolidation, inputs: ReportInputs, labels: QuestionLabels | None) -> None:
        self.c, self.inputs, self.labels = c, inputs, labels
        self.book = Workbook()
        self.scratch = self.book.active  # styles are built on it once, then it is removed
        self.year = c.generated_at.year
        self.period = vn.period_phrase(c.period)

    def sheet(self, title: str, heading: str, columns: list[tuple[str, int]]) -> Sheet:
        return Sheet(self.book, title, f"Phụ lục {ROMAN[len(self.book.sheetnames) - 1]}. {heading}", columns, self.year,
                     self.scratch)

    def name(self, unit_id: int, full: str) -> str:
        return full

    def indicators(self) -> None:
        sheet = self.sheet("Chỉ tiêu", f"SỐ LIỆU CHỈ TIÊU CỦA CÁC PHÒNG, ĐƠN VỊ {self.period.upper()}", [
            ("STT", 6), ("Phòng, đơn vị", 34), ("Kế hoạch vốn đầu tư công được giao (đồng)", 20),
            ("Vốn đã giải ngân (đồng)", 20), ("Tỷ lệ giải ngân so với kế hoạch", 13), ("Kinh phí tiết kiệm (đồng)", 18),
            ("Số sáng kiến, giải pháp", 12), ("Số tập thể, cá nhân điển hình", 13), ("Số đề xuất khen thưởng", 12),
            ("Ghi chú", 22)])
        figures = {f.unit_id: f for f in self.c.figures}
        formats = {3: MONEY, 4: MONEY, 5: PERCENT, 6: MONEY}
        for index, unit in enumerate(self.c.units, start=1):
            f = figures.get(unit.unit_id)
            if f is None:
                sheet.append([index, unit.unit_name, None, None, None, None, None, None, None, "Chưa gửi báo cáo"])
                continue
            pct = f.disbursement_pct
            capital = [f.capital_plan, f.capital_disbursed, _share(pct)] \
                if f.holds_capital and as_int(f.capital_plan) else ["Không được giao", None, None]
            sheet.append([index, f.unit_name, *capital, f.savings, f.initiatives, f.exemplars, f.commendations, None],
                         formats=formats)
        t = self.c.totals
        pct = t.disbursement_pct
        sheet.append([None, "Tổng cộng", t.capital_plan or None, t.capital_disbursed if t.capital_plan else None,
                      _share(pct), t.savings, t.initiatives, t.exemplars,
                      t.commendations, "Mục tiêu giải ngân: 100% kế hoạch"], bold=True, formats=formats)

    def submissions(self) -> None:
        sheet = self.sheet("Tình trạng nộp", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC PHÒNG, ĐƠN VỊ", [
            ("STT", 6), ("Phòng, đơn vị", 38), ("Tình trạng", 22), ("Hạn gửi", 13), ("Thời điểm gửi", 18),
            ("Nộp muộn", 10), ("Số lần gửi", 9), ("Số câu đã trả lời", 13)])
        for index, u in enumerate(self.c.units, start=1):
            submitted = u.submitted_at is not None and u.version > 0
            sheet.append([index, u.unit_name, stage_label(u.stage), u.deadline, local(u.submitted_at, self.c.tz),
                          ("Có" if u.is_late else "Không") if submitted else None, u.version or None,
                          f"{u.answered}/{u.total}" if u.total else None], formats={4: DAY, 5: MOMENT})

    def commendations(self) -> None:
        sheet = self.sheet("Khen thưởng", "DANH SÁCH ĐỀ XUẤT KHEN THƯỞNG", [
            ("STT", 6), ("Tập thể, cá nhân được đề xuất", 34), ("Tập thể / cá nhân", 12), ("Thành tích", 56),
            ("Đơn vị đề xuất", 30)])
        if not self.c.commendations:
            sheet.append([None, "Không có đề xuất khen thưởng trong kỳ.", None, None, None])
        current, number = None, 0
        for item in self.c.commendations:
            if item.form != current:
                current = item.form
                count = self.c.totals.commendations_by_form.get(item.form, 0)
                sheet.group(f"{vn.form_name(item.form)} ({count})")
            number += 1
            sheet.append([number, item.name, vn.TARGET_KINDS.get(item.target_kind, item.target_kind),
                          item.achievement, item.unit_name])

    def difficulties(self) -> None:
        sheet = self.sheet("Khó khăn, vướng mắc", "KHÓ KHĂN, VƯỚNG MẮC VÀ KẾT QUẢ XỬ LÝ", [
            ("STT", 6), ("Phòng, đơn vị", 26), ("Nội dung", 52), ("Ngày báo cáo", 13), ("Tình trạng", 22),
            ("Trả lời, ý kiến chỉ đạo", 52)])
        number = 0
        for item in self.c.escalations:
            if item.outcome == "duplicate":
                continue  # each difficulty once: the original carries it
            number += 1
            content = narrative.escalation_body(item) + (" (khẩn)" if item.urgent else "")
            answer = narrative.outcome_text(item)
            sheet.append([number, item.unit_name, content, local(item.created_at, self.c.tz).date(),
                          escalation_state(str(item.state)), answer], formats={4: DAY})
        for line in narrative.difficulty_items(self.c, ReportInputs())[len([e for e in self.c.escalations
                                                                           if e.outcome != "duplicate"]):]:
            number += 1
            unit, _, text = line.partition(": ")
            sheet.append([number, unit, text, None, "Nêu trong báo cáo kỳ", None])
        if not number:
            sheet.append([None, "Không có khó khăn, vướng mắc trong kỳ.", None, None, None, None])

    def proposals(self) -> None:
        next_period = narrative.next_period_phrase(self.c)
        sheet = self.sheet("Đề xuất, nhiệm vụ", f"ĐỀ XUẤT, KIẾN NGHỊ VÀ NHIỆM VỤ TRỌNG TÂM {next_period.upper()} "
                           "CỦA CÁC PHÒNG, ĐƠN VỊ", [
            ("STT", 6), ("Phòng, đơn vị", 30), ("Đề xuất, kiến nghị với Lãnh đạo Sở", 55),
            (f"Nhiệm vụ trọng tâm {next_period}", 55)])
        plans = {unit_id: text for unit_id, _name, text in narrative.unit_plans(self.c, self.inputs)}
        rows = [(r.unit_name, narrative.sentence(text) if (text := narrative.substantive(r.answers.get(Q_PROPOSALS)))
                 else None, plans.get(r.unit_id)) for r in self.c.reports]
        rows = [row for row in rows if row[1] or row[2]]
        for number, (unit, proposal, plan) in enumerate(rows, start=1):
            sheet.append([number, unit, proposal, plan])
        if not rows:
            sheet.append([None, "Không có đề xuất, kiến nghị và nhiệm vụ đăng ký trong kỳ.", None, None])

    def evidence(self) -> None:
        sheet = self.sheet("Tài liệu minh chứng", "TÀI LIỆU MINH CHỨNG DO CÁC PHÒNG, ĐƠN VỊ GỬI KÈM", [
            ("STT", 6), ("Phòng, đơn vị", 34), ("Nội dung", 50), ("Tên tệp", 50)])
        number = 0
        for report in self.c.reports:
            for question_id, value in report.answers.items():
                if isinstance(value, dict) and ("file_id" in value or "file_name" in value):
                    number += 1
                    label = (self.labels.label(question_id) if self.labels else None) or question_id
                    sheet.append([number, report.unit_name, label, str(value.get("file_name") or "(không tên)")])
        if not number:
            sheet.append([None, "Không có tài liệu minh chứng gửi kèm.", None, None])

    def build(self) -> bytes:
        for write in (self.indicators, self.submissions, self.commendations, self.difficulties, self.proposals,
                      self.evidence):
            write()
        self.book.remove(self.scratch)
        buffer = BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def build_annex(c: Consolidation, inputs: ReportInputs | None = None, labels: QuestionLabels | None = None) -> bytes:
    """The annex as XLSX bytes."""
    return Annex(c, inputs or ReportInputs(), labels).build()
