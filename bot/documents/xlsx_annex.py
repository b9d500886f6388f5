"""The XLSX annex of the official report: indicators per unit, submission status, commendations, difficulties."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.clock import TZ
from bot.consolidation import Consolidation
from bot.contracts import Q_DIFFICULTIES
from bot.documents import vn
from bot.documents.criteria import texts_of

SHEETS = ("Chỉ tiêu", "Tình trạng nộp", "Đề xuất khen thưởng", "Khó khăn, vướng mắc")
MONEY, PERCENT, DAY, MOMENT = "#,##0", "0.0", "DD/MM/YYYY", "DD/MM/YYYY HH:MM"


class Sheet:
    """A write-only sheet (constant memory, fast) with a bold header row and column widths."""

    def __init__(self, book: Workbook, title: str, columns: list[tuple[str, int]]) -> None:
        self.ws: WriteOnlyWorksheet = book.create_sheet(title)
        for index, (_name, width) in enumerate(columns):
            self.ws.column_dimensions[chr(ord("A") + index)].width = width
        self.ws.freeze_panes = "A2"
        self.row([self.cell(name, bold=True, wrap=True) for name, _width in columns])

    def cell(self, value: Any, *, bold: bool = False, fmt: str | None = None, wrap: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        if bold:
            cell.font = Font(bold=True)
        if fmt:
            cell.number_format = fmt
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def row(self, values: list[Any]) -> None:
        self.ws.append(values)


def local(moment):  # noqa: ANN001, ANN201
    """openpyxl cannot store aware datetimes: local wall time, as people read it."""
    return moment.astimezone(TZ).replace(tzinfo=None) if moment is not None else None


def indicators(book: Workbook, c: Consolidation) -> None:
    sheet = Sheet(book, SHEETS[0], [("STT", 6), ("Phòng, đơn vị", 42), ("Được giao vốn đầu tư công", 12),
                                   ("Kế hoạch vốn (đồng)", 20), ("Đã giải ngân (đồng)", 20),
                                   ("Tỷ lệ giải ngân (%)", 12), ("Tiết kiệm (đồng)", 18), ("Số sáng kiến", 10),
                                   ("Số điển hình", 10), ("Số đề xuất khen thưởng", 12), ("Ghi chú", 24)])
    figures = {f.unit_id: f for f in c.figures}
    for index, unit in enumerate(c.units, start=1):
        f = figures.get(unit.unit_id)
        if f is None:
            sheet.row([index, unit.unit_name, None, None, None, None, None, None, None, None, "Chưa gửi báo cáo"])
            continue
        pct = f.disbursement_pct
        sheet.row([index, f.unit_name, "Có" if f.holds_capital else "Không",
                   sheet.cell(f.capital_plan, fmt=MONEY), sheet.cell(f.capital_disbursed, fmt=MONEY),
                   sheet.cell(round(pct, 1) if pct is not None else None, fmt=PERCENT),
                   sheet.cell(f.savings, fmt=MONEY), f.initiatives, f.exemplars, f.commendations, None])
    t = c.totals
    pct = t.disbursement_pct
    sheet.row([None, sheet.cell("Tổng cộng", bold=True), t.capital_units,
               sheet.cell(t.capital_plan, bold=True, fmt=MONEY), sheet.cell(t.capital_disbursed, bold=True, fmt=MONEY),
               sheet.cell(round(pct, 1) if pct is not None else None, bold=True, fmt=PERCENT),
               sheet.cell(t.savings, bold=True, fmt=MONEY), t.initiatives, t.exemplars, t.commendations,
               "Mục tiêu giải ngân: 100% kế hoạch"])


def submissions(book: Workbook, c: Consolidation) -> None:
    sheet = Sheet(book, SHEETS[1], [("STT", 6), ("Phòng, đơn vị", 42), ("Tình trạng", 20), ("Hạn nộp", 12),
                                   ("Thời điểm nộp", 17), ("Nộp muộn", 10), ("Số lần nộp", 10),
                                   ("Số câu đã trả lời", 12), ("Tổng số câu", 10)])
    for index, u in enumerate(c.units, start=1):
        sheet.row([index, u.unit_name, vn.STAGES[u.stage], sheet.cell(u.deadline, fmt=DAY),
                   sheet.cell(local(u.submitted_at), fmt=MOMENT), "Có" if u.is_late else "Không", u.version,
                   u.answered, u.total])


def commendations(book: Workbook, c: Consolidation) -> None:
    sheet = Sheet(book, SHEETS[2], [("STT", 6), ("Hình thức khen thưởng", 40), ("Tập thể / cá nhân", 12),
                                   ("Tên tập thể, cá nhân", 32), ("Thành tích", 50), ("Đơn vị đề xuất", 36)])
    current, number = None, 0
    for item in c.commendations:
        if item.form != current:
            current = item.form
            count = c.totals.commendations_by_form.get(item.form, 0)
            sheet.row([None, sheet.cell(f"{vn.form_name(item.form)} ({count})", bold=True)])
        number += 1
        sheet.row([number, vn.form_name(item.form), vn.TARGET_KINDS.get(item.target_kind, item.target_kind),
                   item.name, sheet.cell(item.achievement, wrap=True), item.unit_name])


def difficulties(book: Workbook, c: Consolidation) -> None:
    sheet = Sheet(book, SHEETS[3], [("STT", 6), ("Phòng, đơn vị", 36), ("Nội dung", 50), ("Khẩn", 8),
                                   ("Ngày báo cáo", 12), ("Tình trạng", 24), ("Ý kiến chỉ đạo", 50),
                                   ("Người chỉ đạo", 20), ("Ngày kết thúc", 12), ("Kết quả", 18)])
    number = 0
    for item in c.escalations:
        number += 1
        sheet.row([number, item.unit_name, sheet.cell(f"{item.title}: {item.description}", wrap=True),
                   "Có" if item.urgent else "Không", sheet.cell(local(item.created_at).date(), fmt=DAY),
                   vn.escalation_state(str(item.state)),
                   sheet.cell(item.instruction or "", wrap=True), item.instruction_by or "",
                   sheet.cell(local(item.closed_at).date() if item.closed_at else None, fmt=DAY),
                   vn.outcome(item.outcome)])
    for unit_name, text in texts_of(c.reports, Q_DIFFICULTIES):
        number += 1
        sheet.row([number, unit_name, sheet.cell(text, wrap=True), "Không", None, "Nêu trong báo cáo kỳ"])


def build_annex(c: Consolidation) -> bytes:
    """The annex as XLSX bytes."""
    book = Workbook(write_only=True)
    for write in (indicators, submissions, commendations, difficulties):
        write(book, c)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
