"""The Department's consolidated report as a DOCX laid out per Nghị định 30/2020/NĐ-CP (Phụ lục I).

A4; margins top 20, bottom 20, left 30, right 15 mm; Times New Roman; body 14 pt, justified, first line
indented; two-column header (agency | national motto), title, body in the plan's sections, "Nơi nhận"
and the signature block. The text is Vietnamese whatever language the requester uses.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from lxml.etree import SubElement
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.consolidation import Consolidation, as_items
from bot.contracts import Q_DIFFICULTIES, Q_EXEMPLARS, Q_INITIATIVES, Q_PROPOSALS, EscalationState
from bot.documents import vn
from bot.documents.criteria import SELF_ASSESSMENT, MergedSection, QuestionLabels, answer_text, merge, texts_of

W_P, W_R, W_RPR, W_T = qn("w:p"), qn("w:r"), qn("w:rPr"), qn("w:t")
W_B, W_I, W_SZ, W_VAL, XML_SPACE = qn("w:b"), qn("w:i"), qn("w:sz"), qn("w:val"), qn("xml:space")
FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH = Mm(210 - 30 - 15)
LEFT_COL, RIGHT_COL = Cm(7.0), Mm(165) - Cm(7.0)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


class ReportWriter:
    """Builds one document; `build()` returns the DOCX bytes."""

    def __init__(self, c: Consolidation, director: str = "", labels: QuestionLabels | None = None) -> None:
        self.c, self.director, self.labels = c, director, labels
        self.doc = Document()
        self._section_properties = self.doc.element.body.sectPr
        self._page_and_styles()

    # Layout -------------------------------------------------------------------------------------------
    def _page_and_styles(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1)
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.1
        # Page numbers from the second page, centred at the top (Nghị định 30/2020, Phụ lục I, mục 9).
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.paragraph_format.first_line_indent = Cm(0)
        _page_field(header)

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False, size: int | None = None,
             align: int | None = None, indent: bool = True, container=None, after: int | None = None) -> Paragraph:  # noqa: ANN001
        if container is not None:
            p = container.add_paragraph()
            element = p._p
        else:
            element = self._body_paragraph()
            p = Paragraph(element, self.doc._body)
        if text:
            _run(element, text, bold=bold, italic=italic, size=size)
        if align is not None:
            p.alignment = align
        if not indent:
            p.paragraph_format.first_line_indent = Cm(0)
        if after is not None:
            p.paragraph_format.space_after = Pt(after)
        return p

    def _body_paragraph(self):  # noqa: ANN202
        """A new last <w:p> of the body in constant time.

        python-docx's add_paragraph and add_run search the element's children on every call, which makes a
        report of thousands of paragraphs slow (quadratic in the body); plain lxml appends are not.
        """
        element = self._section_properties.makeelement(W_P, {})
        self._section_properties.addprevious(element)
        return element

    def labelled(self, label: str, text: str) -> None:
        """"- Phòng X: text" with the unit's name in italics, as consolidated reports name contributors."""
        element = self._body_paragraph()
        _run(element, "- ")
        _run(element, label, italic=True)
        _run(element, ": " + text)

    def heading(self, text: str) -> None:
        self.para(text, bold=True, after=6)

    # Parts ----------------------------------------------------------------------------------------------
    def header_block(self) -> None:
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        left, right = _widths(table, LEFT_COL, RIGHT_COL)
        _cell_lines(self, left, [(vn.PROVINCE, False, False, 12), (vn.AGENCY, True, False, 12)])
        _rule(self, left, Cm(2.2), LEFT_COL)
        _cell_lines(self, left, [("Số:        " + vn.SYMBOL, False, False, 13)], space_before=6)
        _cell_lines(self, right, [(vn.NATION, True, False, 12), (vn.MOTTO, True, False, 13)])
        _rule(self, right, Cm(6.0), RIGHT_COL)
        year = self.c.generated_at.year
        dateline = f"{vn.PLACE}, ngày      tháng      năm {year}"
        _cell_lines(self, right, [(dateline, False, True, 14)], space_before=6)
        for cell in (left, right):
            cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)

    def title_block(self) -> None:
        self.para("", after=0)
        self.para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
        self.para(f"Kết quả thực hiện {vn.MOVEMENT} {vn.period_phrase(self.c.period)}", bold=True,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
        _rule(self, None, Cm(4), TEXT_WIDTH)
        self.para(f"Thực hiện Kế hoạch số 42/KH-UBND ngày 03/3/2023 của UBND tỉnh Quảng Ngãi và Kế hoạch tổ chức "
                  f"thực hiện {vn.MOVEMENT} của {vn.AGENCY_NAME}, trên cơ sở báo cáo của các phòng, đơn vị thuộc Sở, "
                  f"{vn.AGENCY_NAME} báo cáo kết quả thực hiện {vn.period_phrase(self.c.period)} như sau:")

    def overview(self) -> None:
        c = self.c
        p = c.period
        self.heading("I. TÌNH HÌNH TỔNG HỢP BÁO CÁO")
        self.para(f"Số liệu báo cáo được tính từ ngày {vn.short_date(p.data_from)} đến ngày {vn.short_date(p.data_to)}. "
                  f"Đến {vn.long_date(c.generated_at.date())}, có {len(c.reports)}/{c.unit_count} phòng, đơn vị "
                  f"đã gửi báo cáo (hạn gửi {vn.long_date(p.deadline)}).")
        late = [u.unit_name for u in c.units if u.is_late and u.unit_id in {r.unit_id for r in c.reports}]
        if late:
            self.para("Các phòng, đơn vị gửi báo cáo sau thời hạn: " + "; ".join(late) + ".")
        if c.missing:
            self.para("Các phòng, đơn vị chưa gửi báo cáo (chưa được tổng hợp trong báo cáo này):", after=3)
            for u in c.missing:
                self.para(f"- {u.unit_name} ({vn.STAGES[u.stage].lower()}).")
        else:
            self.para("Tất cả các phòng, đơn vị đã gửi báo cáo.")

    def results(self) -> None:
        self.heading("II. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA")
        merged = merge(self.c.reports, self.labels)
        for number, section in enumerate(merged, start=1):
            self.heading(f"{number}. {section.section.heading}")
            self._section(section)
        self.heading(f"{len(merged) + 1}. Sáng kiến, điển hình tiên tiến")
        self._initiatives()

    def _section(self, merged: MergedSection) -> None:
        t = self.c.totals
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for code, criterion in merged.criteria.items():
            extra = self._figures_for(merged.section.code, code)
            if not criterion.contributions and not extra:
                continue
            self.para(f"{next(letters)}) {criterion.label}", italic=True, after=3)
            for line in extra:
                self.para(line)
            for item in criterion.contributions:
                text = f"{item.label}: {item.text}" if item.label else item.text
                self.labelled(item.unit_name, text)
        if merged.section.code == "thrift" and not t.savings and not any(m.contributions for m in merged.criteria.values()):
            self.para("Chưa có phòng, đơn vị báo cáo nội dung này.")

    def _figures_for(self, section: str, criterion: str) -> list[str]:
        """The totals that open a criterion, followed by each unit's figure."""
        t, figures = self.c.totals, self.c.figures
        if (section, criterion) == ("infra", "capital"):
            if not t.capital_plan:
                return ["Trong kỳ, chưa có phòng, đơn vị báo cáo được giao kế hoạch vốn đầu tư công."]
            gap = t.disbursement_gap or 0
            target = "đạt mục tiêu giải ngân 100% kế hoạch" if gap == 0 else \
                f"còn {vn.number(gap, 1)} điểm phần trăm so với mục tiêu giải ngân 100% kế hoạch"
            lines = [f"Tổng kế hoạch vốn đầu tư công được giao: {vn.money(t.capital_plan)}; đã giải ngân "
                     f"{vn.money(t.capital_disbursed)}, đạt {vn.pct(t.disbursement_pct)} kế hoạch, {target} "
                     f"({t.capital_units} phòng, đơn vị được giao vốn)."]
            lines += [f"- {f.unit_name}: kế hoạch {vn.money(f.capital_plan)}, đã giải ngân "
                      f"{vn.money(f.capital_disbursed)}, đạt {vn.pct(f.disbursement_pct)}."
                      for f in figures if f.holds_capital and f.capital_plan]
            return lines
        if (section, criterion) == ("thrift", "savings"):
            if not t.savings:
                return []
            lines = [f"Tổng số tiền tiết kiệm được: {vn.money(t.savings)}."]
            return lines + [f"- {f.unit_name}: {vn.money(f.savings)}." for f in figures if f.savings]
        return []

    def _initiatives(self) -> None:
        t, reports = self.c.totals, self.c.reports
        self.para(f"a) Sáng kiến: tổng số {t.initiatives} sáng kiến, giải pháp.", italic=True, after=3)
        for report in reports:
            for item in as_items(report.answers.get(Q_INITIATIVES)):
                title = str(item.get("title") or "").strip()
                author = str(item.get("author") or "").strip()
                detail = str(item.get("description") or "").strip()
                text = f"“{title}”" + (f" ({author})" if author else "") + (f": {detail}" if detail else "")
                self.labelled(report.unit_name, text)
        self.para(f"b) Điển hình tiên tiến: {t.exemplars} tập thể, cá nhân.", italic=True, after=3)
        for report in reports:
            for item in as_items(report.answers.get(Q_EXEMPLARS)):
                kind = vn.TARGET_KINDS.get(str(item.get("kind")), "")
                name = str(item.get("name") or "").strip()
                achievement = str(item.get("achievement") or "").strip()
                self.labelled(report.unit_name, " ".join(x for x in (kind.lower(), name) if x)
                              + (f": {achievement}" if achievement else ""))

    def difficulties(self) -> None:
        self.heading("III. KHÓ KHĂN, VƯỚNG MẮC VÀ Ý KIẾN CHỈ ĐẠO CỦA GIÁM ĐỐC SỞ")
        texts = texts_of(self.c.reports, Q_DIFFICULTIES)
        for unit_name, text in texts:
            self.labelled(unit_name, text)
        items = self.c.escalations
        if items:
            self.para(f"Trong kỳ, các phòng, đơn vị đã báo cáo {len(items)} khó khăn, vướng mắc đến Giám đốc Sở "
                      f"(qua Phòng Hành chính - Tổng hợp); {len(self.c.open_escalations)} nội dung đang được xử lý:")
            for item in items:
                urgent = " (khẩn)" if item.urgent else ""
                state = vn.escalation_state(str(item.state))
                line = f"“{item.title}”{urgent}, ngày {vn.short_date(item.created_at)}; tình trạng: {state.lower()}"
                if item.instruction:
                    line += f". Ý kiến chỉ đạo của Giám đốc Sở: {item.instruction.strip().rstrip('.')}"
                if item.state == EscalationState.CLOSED and item.outcome:
                    line += f". Kết quả: {vn.outcome(item.outcome)}"
                self.labelled(item.unit_name, line + ".")
        if not texts and not items:
            self.para("Trong kỳ, các phòng, đơn vị không báo cáo khó khăn, vướng mắc.")

    def proposals(self) -> None:
        self.heading("IV. ĐỀ XUẤT, KIẾN NGHỊ")
        texts = texts_of(self.c.reports, Q_PROPOSALS)
        for unit_name, text in texts:
            self.labelled(unit_name, text)
        if not texts:
            self.para("Không có đề xuất, kiến nghị.")

    def commendations(self) -> None:
        self.heading("V. TỰ ĐÁNH GIÁ VÀ ĐỀ XUẤT KHEN THƯỞNG")
        assessed = [(r.unit_name, answer_text(SELF_ASSESSMENT, r.answers[SELF_ASSESSMENT], self.labels))
                    for r in self.c.reports if r.answers.get(SELF_ASSESSMENT)]
        if assessed:
            self.para("Các phòng, đơn vị tự đánh giá mức độ hoàn thành Phong trào thi đua:", after=3)
            for unit_name, text in assessed:
                self.labelled(unit_name, text)
        t = self.c.totals
        if not t.commendations:
            self.para("Trong kỳ, các phòng, đơn vị chưa đề xuất khen thưởng.")
            return
        self.para(f"Các phòng, đơn vị đề xuất khen thưởng {t.commendations} tập thể, cá nhân, cụ thể:")
        items = iter(self.c.commendations)
        pending = next(items, None)
        for index, (form, count) in enumerate(t.commendations_by_form.items(), start=1):
            self.para(f"{index}. {vn.form_name(form)}: {count} đề xuất", italic=True, after=3)
            while pending is not None and pending.form == form:
                kind = vn.TARGET_KINDS.get(pending.target_kind, "Tập thể")
                text = f"{kind} {pending.name}" + (f": {pending.achievement}" if pending.achievement else "")
                self.labelled(pending.unit_name, text)
                pending = next(items, None)

    def closing(self) -> None:
        self.para(f"Trên đây là báo cáo kết quả thực hiện {vn.MOVEMENT} {vn.period_phrase(self.c.period)} "
                  f"của {vn.AGENCY_NAME}./.")
        table = self.doc.add_table(rows=1, cols=2)
        table.autofit = False
        left, right = _widths(table, Mm(80), Mm(85))
        first = left.paragraphs[0]
        first.paragraph_format.first_line_indent = Cm(0)
        first.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = first.add_run("Nơi nhận:")
        run.bold, run.italic, run.font.size = True, True, Pt(12)
        for line in vn.RECIPIENTS:
            p = left.add_paragraph()
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            p.add_run(line).font.size = Pt(11)
        _cell_lines(self, right, [(vn.SIGNER, True, False, 14)])
        right.paragraphs[0]._element.getparent().remove(right.paragraphs[0]._element)
        for _ in range(4):
            _cell_lines(self, right, [("", False, False, 14)])
        if self.director:
            _cell_lines(self, right, [(self.director, True, False, 14)])

    def build(self) -> bytes:
        self.header_block()
        self.title_block()
        self.overview()
        self.results()
        self.difficulties()
        self.proposals()
        self.commendations()
        self.closing()
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _run(paragraph, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None) -> None:  # noqa: ANN001
    """Append <w:r> with optional bold, italic and size (half-points) straight to the XML."""
    run = SubElement(paragraph, W_R)
    if bold or italic or size:
        properties = SubElement(run, W_RPR)
        if bold:
            SubElement(properties, W_B)
        if italic:
            SubElement(properties, W_I)
        if size:
            SubElement(properties, W_SZ).set(W_VAL, str(size * 2))
    node = SubElement(run, W_T)
    node.text = text
    if text != text.strip():
        node.set(XML_SPACE, "preserve")


def _widths(table, *widths) -> list[_Cell]:  # noqa: ANN001
    """Fix column widths for Word (cell widths) and LibreOffice (grid columns) alike."""
    cells = table.rows[0].cells
    for column, cell, width in zip(table.columns, cells, widths):
        column.width = width
        cell.width = width
    return list(cells)


def _cell_lines(writer: ReportWriter, cell: _Cell, lines: list[tuple[str, bool, bool, int]],
                space_before: int = 0) -> None:
    """Centred header lines in a table cell: (text, bold, italic, size)."""
    for index, (text, bold, italic, size) in enumerate(lines):
        p = writer.para(text, bold=bold, italic=italic, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                        container=cell, after=0)
        p.paragraph_format.line_spacing = 1.0
        if index == 0 and space_before:
            p.paragraph_format.space_before = Pt(space_before)


def _rule(writer: ReportWriter, cell: _Cell | None, length, width) -> None:  # noqa: ANN001
    """A short centred horizontal line (the decree's rule under the agency name, the motto and the title)."""
    p = writer.para(container=cell, indent=False, after=0)
    side = max(0, int((width - length) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    p.paragraph_format.line_spacing = 1.0
    p.paragraph_format.space_before = Pt(2)  # clear of the descenders of the line above
    mark = OxmlElement("w:rPr")  # a 1 pt paragraph mark: the empty paragraph is only as tall as the rule
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p._p.get_or_add_pPr().append(mark)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    # Schema order matters to Word: pBdr comes before shd, tabs, spacing, ind and jc.
    p._p.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc",
                                                 "w:rPr", "w:sectPr", "w:pPrChange")


def _page_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def build_report(c: Consolidation, director: str = "", labels: QuestionLabels | None = None) -> bytes:
    """The official report of a period as DOCX bytes."""
    return ReportWriter(c, director, labels).build()
