"""The Department's consolidated report as a DOCX laid out per Nghị định 30/2020/NĐ-CP (Phụ lục I).

A4; margins top 20, bottom 20, left 30, right 15 mm; Times New Roman; body 14 pt, justified, first line
indented; two-column header (agency | national motto), title, body in the plan's sections, "Nơi nhận"
and the signature block. The text is Vietnamese whatever language the requester uses.
"""

from __future__ import annotations

import re
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
from bot.contracts import Q_EXEMPLARS, Q_INITIATIVES
from bot.documents import narrative, vn
from bot.documents.criteria import SELF_ASSESSMENT, QuestionLabels, answer_text
from bot.documents.narrative import ReportInputs
from bot.documents.synthesis import Synthesis
from bot.text import without_emoji

W_P, W_R, W_RPR, W_T = qn("w:p"), qn("w:r"), qn("w:rPr"), qn("w:t")
W_B, W_I, W_SZ, W_VAL, XML_SPACE = qn("w:b"), qn("w:i"), qn("w:sz"), qn("w:val"), qn("xml:space")
FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH = Mm(210 - 30 - 15)
LEFT_COL, RIGHT_COL = Cm(7.0), Mm(165) - Cm(7.0)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
PARAGRAPH_PT = 6
# The decree's rules: under the agency's name and under the title 1/3 to 1/2 of the line they underline (here
# also of the column or text width), under the motto as long as the motto.
AGENCY_RULE, MOTTO_RULE, TITLE_RULE = Cm(2.8), Cm(6.0), Cm(6.5)


class ReportWriter:
    """Builds one document; `build()` returns the DOCX bytes."""

    def __init__(self, c: Consolidation, director: str = "", labels: QuestionLabels | None = None,
                 inputs: ReportInputs | None = None) -> None:
        self.c, self.director, self.labels = c, director, labels
        self.inputs = inputs or ReportInputs()
        self.mentions = narrative.Mentions(c, self.inputs)  # full name first, short name after
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
        _language(self.doc)
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1)
        # Single line spacing and 6 pt between paragraphs: the decree's minimum (Phụ lục I, mục 2 điểm d).
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(PARAGRAPH_PT), 1.0
        # Page numbers from the second page, centred at the top (Nghị định 30/2020, Phụ lục I, mục 9).
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.paragraph_format.first_line_indent = Cm(0)
        _page_field(header)

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False, size: int | None = None,
             align: int | None = None, indent: bool = True, container=None, after: int | None = None,
             keep: bool = False) -> Paragraph:  # noqa: ANN001
        if container is not None:
            p = container.add_paragraph()
            element = p._p
        else:
            element = self._body_paragraph()
            p = Paragraph(element, self.doc._body)
            text = self.mentions(text) if text else text
        if text:
            _run(element, text, bold=bold, italic=italic, size=size)
        if align is not None:
            p.alignment = align
        if not indent:
            p.paragraph_format.first_line_indent = Cm(0)
        if after is not None:
            p.paragraph_format.space_after = Pt(after)
        if keep:  # a heading never ends a page: it stays with the text it introduces
            p.paragraph_format.keep_with_next = True
        return p

    def _body_paragraph(self):  # noqa: ANN202
        """A new last <w:p> of the body in constant time.

        python-docx's add_paragraph and add_run search the element's children on every call, which makes a
        report of thousands of paragraphs slow (quadratic in the body); plain lxml appends are not.
        """
        element = self._section_properties.makeelement(W_P, {})
        self._section_properties.addprevious(element)
        return element

    def heading(self, text: str) -> None:
        self.para(text, bold=True, after=PARAGRAPH_PT, keep=True)

    def label(self, text: str) -> None:
        """A criterion's label ("a) ...") in italics, kept with its first line."""
        self.para(text, italic=True, after=PARAGRAPH_PT, keep=True)

    # Parts ----------------------------------------------------------------------------------------------
    def header_block(self) -> None:
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        left, right = _widths(table, LEFT_COL, RIGHT_COL)
        _cell_lines(self, left, [(vn.PROVINCE, False, False, 12), (vn.AGENCY, True, False, 12)])
        _rule(self, left, AGENCY_RULE, LEFT_COL)
        _cell_lines(self, left, [("Số:        " + vn.SYMBOL, False, False, 13)], space_before=6)
        _cell_lines(self, right, [(vn.NATION, True, False, 12), (vn.MOTTO, True, False, 13)])
        _rule(self, right, MOTTO_RULE, RIGHT_COL)
        year = self.c.generated_at.year
        dateline = f"{vn.PLACE}, ngày      tháng      năm {year}"
        _cell_lines(self, right, [(dateline, False, True, 14)], space_before=6)
        for cell in (left, right):
            cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)

    def title_block(self) -> None:
        d = self.inputs.department
        self.para("", after=0)
        self.para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
        self.para(f"Kết quả thực hiện {d.movement} {vn.period_phrase(self.c.period)}", bold=True,
                  align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
        _rule(self, None, TITLE_RULE, TEXT_WIDTH)
        # A report to a superior names it (Nghị định 30/2020, Phụ lục I: "Kính gửi"), centred under the title.
        self.para(f"Kính gửi: {d.superior}.", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=12)
        self.para(narrative.opening(self.c, self.inputs))

    def office_text(self, part: str) -> None:
        """The Office's text for a part, or the bot's draft: one paragraph per line, numbered lines in italics."""
        text = self.inputs.texts.get(part) or narrative.draft(part, self.c, self.inputs)
        for line in narrative.paragraphs(text):
            if re.match(r"^\d\.\s", line) and len(line) < 80:
                self.para(line, bold=True, keep=True)
            else:
                self.para(line)

    def leadership(self) -> None:
        self.heading("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN")
        self.office_text(narrative.LEADERSHIP)
        self.para(narrative.reporting_facts(self.c, self.inputs))

    def results(self) -> None:
        self.heading("II. KẾT QUẢ THỰC HIỆN")
        self.para("Số liệu chi tiết của từng phòng, đơn vị tại Phụ lục kèm theo Báo cáo này.", italic=True)
        parts = Synthesis(self.c, self.inputs, self.labels).parts()
        number = 0
        for part in parts:
            figures = {code: self._figures_for(part.section.code, code) for code in ("capital", "savings")}
            number += 1
            self.heading(f"{number}. {part.section.heading}")
            letters = iter("abcdefghijklmnopqrstuvwxyz")
            done = set()
            for criterion in part.criteria:
                code = next((k.code for k in part.section.criteria if k.label == criterion.label), "")
                lines = figures.get(code, []) + criterion.lines
                done.add(code)
                self.label(f"{next(letters)}) {criterion.label}")
                for line in lines:
                    self.para(line)
            for code, lines in figures.items():
                if lines and code not in done:
                    label = next(k.label for k in part.section.criteria if k.code == code)
                    self.label(f"{next(letters)}) {label}")
                    for line in lines:
                        self.para(line)
            if not part.criteria and not any(figures.values()):
                self.para("Trong kỳ, chưa có phòng, đơn vị báo cáo kết quả nội dung này.")
        self.heading(f"{number + 1}. Sáng kiến, điển hình tiên tiến")
        self._initiatives()
        self.heading(f"{number + 2}. Công tác khen thưởng")
        self.commendations()

    def name(self, unit_id: int, unit_name: str) -> str:
        return narrative.short_name(self.c, self.inputs, unit_id, unit_name)

    def _figures_for(self, section: str, criterion: str) -> list[str]:
        """The Department's totals that open a criterion, the contributing units in brackets."""
        t, figures = self.c.totals, self.c.figures
        if (section, criterion) == ("infra", "capital"):
            if not t.capital_plan:
                return ["Trong kỳ, các phòng, đơn vị báo cáo không được giao kế hoạch vốn đầu tư công."]
            gap = t.disbursement_gap or 0
            target = "đạt mục tiêu giải ngân 100% kế hoạch" if gap == 0 else \
                f"thấp hơn {vn.number(gap, 1)} điểm phần trăm so với mục tiêu giải ngân 100% kế hoạch"
            per_unit = [f"{self.name(f.unit_id, f.unit_name)} đạt {vn.pct(f.disbursement_pct)}"
                        for f in figures if f.holds_capital and f.capital_plan]
            return [f"{t.capital_units} phòng, đơn vị được giao kế hoạch vốn đầu tư công với tổng số "
                    f"{vn.money(t.capital_plan)}; đến thời điểm báo cáo đã giải ngân {vn.money(t.capital_disbursed)}, "
                    f"tỷ lệ giải ngân đạt {vn.pct(t.disbursement_pct)} kế hoạch vốn được giao, {target} "
                    f"({', '.join(per_unit)})."]
        if (section, criterion) == ("thrift", "savings"):
            if not t.savings:
                return []
            per_unit = [f"{self.name(f.unit_id, f.unit_name)} {vn.money(f.savings)}" for f in figures if f.savings]
            return [f"Tổng kinh phí tiết kiệm được trong kỳ là {vn.money(t.savings)} ({', '.join(per_unit)})."]
        return []

    def _initiatives(self) -> None:
        t, reports = self.c.totals, self.c.reports
        if not t.initiatives and not t.exemplars:
            self.para("Trong kỳ, các phòng, đơn vị chưa báo cáo sáng kiến, giải pháp và điển hình tiên tiến.")
            return
        if t.initiatives:
            per_unit = [f"{self.name(f.unit_id, f.unit_name)} {f.initiatives}" for f in self.c.figures if f.initiatives]
            self.para(f"Các phòng, đơn vị đã đề xuất, áp dụng {t.initiatives} sáng kiến, giải pháp "
                      f"({', '.join(per_unit)}), tiêu biểu:")
            for report in reports:
                for item in as_items(report.answers.get(Q_INITIATIVES)):
                    title = str(item.get("title") or "").strip()
                    author = str(item.get("author") or "").strip()
                    detail = narrative.substantive(str(item.get("description") or ""))
                    text = f"- “{title}” ({self.name(report.unit_id, report.unit_name)}" + \
                        (f", tác giả: {author}" if author else "") + ")" + (f": {detail}" if detail else "")
                    self.para(narrative.sentence(text))
        if t.exemplars:
            self.para(f"Các phòng, đơn vị đã phát hiện, giới thiệu {t.exemplars} tập thể, cá nhân điển hình tiên tiến:")
            for report in reports:
                for item in as_items(report.answers.get(Q_EXEMPLARS)):
                    kind = vn.TARGET_KINDS.get(str(item.get("kind")), "")
                    name = str(item.get("name") or "").strip()
                    achievement = str(item.get("achievement") or "").strip()
                    text = f"- {kind} {name} ({self.name(report.unit_id, report.unit_name)})" + \
                        (f": {achievement}" if achievement else "")
                    self.para(narrative.sentence(text))

    def commendations(self) -> None:
        """Self-assessment counts (annual reports) and the proposals grouped by the law's forms, with counts."""
        assessed: dict[str, int] = {}
        for report in self.c.reports:
            code = report.answers.get(SELF_ASSESSMENT)
            if isinstance(code, str) and code:
                assessed[code] = assessed.get(code, 0) + 1
        if assessed:
            parts = [f"{n} {narrative.UNITS} {answer_text(SELF_ASSESSMENT, code, self.labels).lower()}"
                     for code, n in assessed.items()]
            self.para(f"Về tự đánh giá mức độ hoàn thành Phong trào thi đua: {'; '.join(parts)}.")
        t = self.c.totals
        if not t.commendations:
            self.para("Trong kỳ, các phòng, đơn vị chưa đề xuất khen thưởng.")
            return
        collectives = sum(1 for x in self.c.commendations if x.target_kind == "collective")
        individuals = len(self.c.commendations) - collectives
        self.para(f"Các phòng, đơn vị đề xuất khen thưởng {t.commendations} lượt tập thể, cá nhân ({collectives} "
                  f"tập thể, {individuals} cá nhân) có thành tích trong thực hiện Phong trào thi đua, gồm:")
        for form, count in t.commendations_by_form.items():
            names = [("tập thể " if x.target_kind == "collective" else "") + x.name
                     for x in self.c.commendations if x.form == form]
            self.para(f"- {vn.form_name(form)}: {count} ({'; '.join(names)}).")

    def difficulties(self) -> None:
        self.heading("IV. KHÓ KHĂN, VƯỚNG MẮC")
        lines = narrative.difficulty_items(self.c, self.inputs)
        if not lines:
            self.para("Trong kỳ, các phòng, đơn vị không báo cáo khó khăn, vướng mắc.")
        for line in lines:
            self.para(f"- {line}")

    def closing(self) -> None:
        d = self.inputs.department
        self.para(f"Trên đây là báo cáo kết quả thực hiện {d.movement} {vn.period_phrase(self.c.period)} "
                  f"của {vn.AGENCY_NAME}, kính báo cáo {d.superior_short} (qua Sở Nội vụ)./.")
        self.para("(Kèm theo Phụ lục số liệu chi tiết của các phòng, đơn vị.)", italic=True)
        table = self.doc.add_table(rows=1, cols=2)
        table.autofit = False
        left, right = _widths(table, Mm(80), Mm(85))
        first = left.paragraphs[0]
        first.paragraph_format.first_line_indent = Cm(0)
        first.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = first.add_run("Nơi nhận:")
        run.bold, run.italic, run.font.size = True, True, Pt(12)
        for line in ("Như trên;", *self.inputs.department.recipients):
            p = left.add_paragraph()
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            p.add_run(f"- {line}").font.size = Pt(11)
        signer = self.inputs.signer
        _cell_lines(self, right, [(line, True, False, 14) for line in signer.lines])
        right.paragraphs[0]._element.getparent().remove(right.paragraphs[0]._element)
        for _ in range(4):
            _cell_lines(self, right, [("", False, False, 14)])
        name = signer.name if signer.deputy else (signer.name or self.director)
        if name:
            _cell_lines(self, right, [(name, True, False, 14)])

    def build(self) -> bytes:
        self.header_block()
        self.title_block()
        self.leadership()
        self.results()
        self.heading("III. ĐÁNH GIÁ CHUNG")
        self.office_text(narrative.ASSESSMENT)
        self.difficulties()
        self.heading(f"V. PHƯƠNG HƯỚNG, NHIỆM VỤ {narrative.next_period_phrase(self.c).upper()}")
        self.office_text(narrative.DIRECTION)  # the Department's tasks; the units' own plans are in Phụ lục V
        self.heading("VI. ĐỀ XUẤT, KIẾN NGHỊ")
        self.office_text(narrative.RECOMMENDATIONS)
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
    node.text = text = without_emoji(text)  # people's answers may carry emoji; the Department's document does not
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


def _language(doc) -> None:  # noqa: ANN001
    """vi-VN for the defaults and the Normal style, so Word's spell checker does not underline every word."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            targets.append(rpr_default.find(qn("w:rPr")))
    for rpr in targets:
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        lang = OxmlElement("w:lang")
        for key in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(key), "vi-VN")
        rpr.append(lang)
    doc.core_properties.language = "vi-VN"


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


def build_report(c: Consolidation, director: str = "", labels: QuestionLabels | None = None,
                 inputs: ReportInputs | None = None) -> bytes:
    """The official report of a period as DOCX bytes; `inputs` carries the Office's texts and the signer."""
    return ReportWriter(c, director, labels, inputs).build()
