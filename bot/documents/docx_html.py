"""The official report's DOCX read back as plain blocks for an HTML preview (the desk's report editor).

The preview is the document itself: the very bytes `docx_report.build_report` makes, walked in order (paragraphs
with their runs, alignment, indent and spacing; the two-column header and signature tables; the decree's rules),
so the page shows the DOCX's sections and wording and can never say something the document does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
         WD_ALIGN_PARAGRAPH.JUSTIFY: "justify", WD_ALIGN_PARAGRAPH.LEFT: "left"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    size: float | None = None  # points, when the run sets its own


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    align: str = "justify"
    indent: bool = True  # the body's first-line indent
    rule: bool = False  # an empty paragraph with a top border: the decree's short rule
    keep: bool = False  # a heading kept with what follows

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Columns:
    """A borderless two-column table: the header (agency | motto) and the signature block (recipients | signer)."""

    cells: tuple[tuple[Para, ...], ...]


@dataclass
class Preview:
    blocks: list[Para | Columns] = field(default_factory=list)


def _para(p: Paragraph, default_align: str) -> Para:
    runs = []
    for run in p.runs:
        if run.text:
            size = run.font.size.pt if run.font.size is not None else None
            runs.append(Run(run.text, bool(run.bold), bool(run.italic), size))
    properties = p._p.pPr
    rule = properties is not None and properties.find(qn("w:pBdr")) is not None and not p.text.strip()
    fmt = p.paragraph_format
    indent = fmt.first_line_indent
    return Para(tuple(runs), ALIGN.get(p.alignment, default_align) if p.alignment is not None else default_align,
                indent=indent is None or indent > 0, rule=rule, keep=bool(fmt.keep_with_next))


def read(docx: bytes) -> Preview:
    """The document's body in order."""
    document = Document(BytesIO(docx))
    preview = Preview()
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            preview.blocks.append(_para(Paragraph(child, document._body), "justify"))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document._body)
            for row in table.rows:
                preview.blocks.append(Columns(tuple(tuple(_para(p, "left") for p in cell.paragraphs)
                                                    for cell in row.cells)))
    return preview
