"""Section II of the official report: the units' answers synthesised under the plan's criteria.

Numbers become a Department total with the contributing units in brackets (zeros left out); yes/no questions
one sentence with the count and the exceptions; choices counts per option; free text each unit's substantive
answer once, attributed; document references as typed; attachments stay in the annex. No number stands alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.consolidation import Consolidation, as_int
from bot.contracts import SubmittedReport
from bot.documents import vn
from bot.documents.abbreviations import expand
from bot.documents.criteria import AGGREGATED, SECTIONS, QuestionLabels, Section, place
from bot.documents.narrative import UNITS, ReportInputs, sentence, short_name, substantive
from bot.questionnaire.model import QType

# How a total reads in a sentence, for the questions the movement's questionnaire asks ({n}: the total).
PHRASES: dict[str, str] = {
    "admin_procedures": "Các phòng, đơn vị đã rà soát, đơn giản hóa, công khai {n} thủ tục hành chính",
    "enterprises_supported": "Đã hỗ trợ, hướng dẫn {n} doanh nghiệp đào tạo, phát triển nguồn nhân lực",
    "norms_published": "Đã tham mưu ban hành, công khai {n} định mức kinh tế - kỹ thuật, tiêu chuẩn thuộc lĩnh vực "
                       "khoa học và công nghệ",
}
YES_PHRASES: dict[str, tuple[str, str]] = {  # (what "yes" means, what the exceptions did not do)
    "public_assets_ok": ("quản lý, sử dụng tài sản công, phương tiện, thiết bị, trụ sở đúng mục đích, tiêu chuẩn, "
                         "định mức", "chưa bảo đảm yêu cầu này"),
}
# A document reference and the date question that goes with it.
REF_DATES = {"thrift_programme_ref": "thrift_programme_date"}
DATES_SHOWN_WITH_REF = frozenset(REF_DATES.values())


@dataclass
class Criterion:
    label: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Part:
    section: Section
    criteria: list[Criterion]


class Synthesis:
    """Builds section II's lines; one instance per report."""

    def __init__(self, c: Consolidation, inputs: ReportInputs, labels: QuestionLabels | None) -> None:
        self.c, self.inputs, self.labels = c, inputs, labels

    def name(self, report: SubmittedReport) -> str:
        return short_name(self.c, self.inputs, report.unit_id, report.unit_name)

    def label(self, question_id: str) -> str:
        found = self.labels.label(question_id) if self.labels else None
        return expand(found) if found else question_id.replace("_", " ").capitalize()

    def qtype(self, question_id: str) -> str:
        question = self.labels.question(question_id) if self.labels and hasattr(self.labels, "question") else None
        if question is not None:
            return question.type
        values = [r.answers[question_id] for r in self.c.reports if question_id in r.answers]
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, bool):
            return QType.YESNO
        if isinstance(sample, int):
            return QType.INTEGER
        if isinstance(sample, (float, Decimal)):
            return QType.PERCENT
        if isinstance(sample, dict):
            return QType.ATTACHMENT
        if isinstance(sample, list):
            return QType.GROUP if any(isinstance(v, dict) for v in sample) else QType.MULTI
        return QType.TEXT

    def question_ids(self) -> list[str]:
        ordered = self.labels.order() if self.labels and hasattr(self.labels, "order") else []
        for report in self.c.reports:
            ordered += [q for q in report.answers if q not in ordered]
        derived = getattr(self.labels, "is_derived", None) or (lambda q: q.endswith("_pct"))
        return [q for q in ordered if q not in AGGREGATED and q not in DATES_SHOWN_WITH_REF and not derived(q)]

    def parts(self) -> list[Part]:
        """The plan's sections and criteria, each with its synthesised lines, empty criteria left out."""
        found: dict[tuple[str, str], list[str]] = {}
        for question_id in self.question_ids():
            lines = self.lines(question_id)
            if not lines:
                continue
            where = place(question_id)
            section, code = where if where else (SECTIONS[-1], "")
            found.setdefault((section.code, code), []).extend(lines)
        parts = []
        for section in SECTIONS:
            criteria = [Criterion(k.label, found[(section.code, k.code)]) for k in section.criteria
                        if (section.code, k.code) in found]
            if (section.code, "") in found:
                criteria.append(Criterion("Các nội dung khác", found[(section.code, "")]))
            parts.append(Part(section, criteria))
        return parts

    def lines(self, question_id: str) -> list[str]:
        answering = [r for r in self.c.reports if r.answers.get(question_id) not in (None, "", [])]
        if not answering:
            return []
        writer: dict[str, Callable[[str, list[SubmittedReport]], list[str]]] = {
            QType.INTEGER: self._number, QType.MONEY: self._money, QType.PERCENT: self._percent,
            QType.YESNO: self._yesno, QType.SINGLE: self._choice, QType.MULTI: self._choice,
            QType.DOCREF: self._docref, QType.DATE: self._date, QType.TEXT: self._text,
        }
        write = writer.get(self.qtype(question_id))
        return write(question_id, answering) if write else []  # attachments and groups: the annex

    # One writer per answer type ----------------------------------------------------------------------
    def _brackets(self, parts: list[str]) -> str:
        return f" ({', '.join(parts)})" if parts else ""

    def _number(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        values = [(self.name(r), as_int(r.answers[question_id])) for r in reports]
        total = sum(v for _, v in values)
        label = self.label(question_id)
        if not total:
            return [f"{label}: không phát sinh trong kỳ."]
        contributors = self._brackets([f"{name} {vn.number(v)}" for name, v in values if v])
        phrase = PHRASES.get(question_id)
        if phrase:
            return [f"{phrase.format(n=vn.number(total))}{contributors}."]
        return [f"{label}: tổng số {vn.number(total)}{contributors}."]

    def _money(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        values = [(self.name(r), r.answers[question_id]) for r in reports]
        total = sum(as_int(v) for _, v in values)
        if not total:
            return []
        contributors = self._brackets([f"{name} {vn.money(as_int(v))}" for name, v in values if as_int(v)])
        return [f"{self.label(question_id)}: tổng cộng {vn.money(total)}{contributors}."]

    def _percent(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        values = [f"{self.name(r)} {vn.number(r.answers[question_id], 1)}%" for r in reports
                  if isinstance(r.answers[question_id], (int, float, Decimal))
                  and not isinstance(r.answers[question_id], bool)]
        return [f"{self.label(question_id)}: {', '.join(values)}."] if values else []

    def _yesno(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        yes = [r for r in reports if r.answers[question_id] is True]
        no = [self.name(r) for r in reports if r.answers[question_id] is False]
        meaning, exception = YES_PHRASES.get(question_id, (f"xác nhận nội dung “{self.label(question_id)}”",
                                                          "chưa thực hiện nội dung này"))
        text = f"{len(yes)}/{len(reports)} {UNITS} {meaning}"
        if no:
            text += f"; {', '.join(no)} {exception}"
        return [sentence(text)]

    def _choice(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        """Each option with its count; an option fewer than half the units chose names them instead."""
        chose: dict[str, list[str]] = {}
        for report in reports:
            value = report.answers[question_id]
            for code in value if isinstance(value, list) else [value]:
                chose.setdefault(str(code), []).append(self.name(report))
        counts = {code: len(names) for code, names in chose.items()}
        question = self.labels.question(question_id) if self.labels and hasattr(self.labels, "question") else None
        order = [o.code for o in question.options] if question else []
        ordered = sorted(counts, key=lambda code: order.index(code) if code in order else len(order))
        parts = []
        for code in ordered:
            named = (self.labels.option_label(question_id, code) if self.labels else None) or code
            who = ", ".join(chose[code]) if 2 * counts[code] < len(reports) else f"{counts[code]} {UNITS}"
            parts.append(f"{named[:1].lower() + named[1:]} ({who})")
        return [f"{self.label(question_id)}: {'; '.join(parts)}."]

    def _docref(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        """Each document once whatever its case ("12/ctr-skhcn" is "12/CTr-SKHCN"), printed as most units typed
        it, with its date and the units that named it."""
        date_id = REF_DATES.get(question_id)
        documents: dict[tuple[str, str], tuple[Counter[str], list[str]]] = {}
        for report in reports:
            ref = " ".join(str(report.answers[question_id]).split())
            day = vn.value_text(report.answers.get(date_id)) if date_id else ""
            forms, units = documents.setdefault((ref.casefold(), day), (Counter(), []))
            forms[ref] += 1
            units.append(self.name(report))
        parts = [f"số {forms.most_common(1)[0][0]}" + (f" ngày {day}" if day else "") + f" ({', '.join(units)})"
                 for (_key, day), (forms, units) in documents.items()]
        return [f"{self.label(question_id)}: {'; '.join(parts)}."]

    def _date(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        parts = [f"{self.name(r)} {vn.value_text(r.answers[question_id])}" for r in reports]
        return [f"{self.label(question_id)}: {', '.join(parts)}."]

    def _text(self, question_id: str, reports: list[SubmittedReport]) -> list[str]:
        return [f"- {self.name(r)}: {sentence(text)}" for r in reports
                if (text := substantive(_as_text(r.answers[question_id])))]


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""
