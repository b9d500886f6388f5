"""The plan's criteria (section III.1) and how each unit's answers are merged under them, unit by unit.

The questionnaire is data the Office edits, so question ids are matched by key words ("digital",
"norm", ...) rather than listed one by one; an answer no criterion claims still appears, under
"other contents" of its section. Labels come from the questionnaire when a `QuestionLabels` is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.contracts import (
    Q_CAPITAL_DISBURSED, Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_COMMENDATIONS, Q_DIFFICULTIES, Q_EXEMPLARS,
    Q_INITIATIVES, Q_NEXT_PLAN, Q_PROPOSALS, Q_SAVINGS, SubmittedReport,
)
from bot.documents.vn import value_text

SELF_ASSESSMENT = "self_assessment"  # shown with the commendation proposals, as the plan's section III.2 does
# Answers the documents aggregate or show in their own sections, never as a criterion's prose.
AGGREGATED = frozenset({Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_CAPITAL_DISBURSED, Q_SAVINGS, Q_INITIATIVES,
                        Q_EXEMPLARS, Q_DIFFICULTIES, Q_PROPOSALS, Q_COMMENDATIONS, SELF_ASSESSMENT,
                        Q_NEXT_PLAN})


class QuestionLabels(Protocol):
    """What the questionnaire can tell the documents (optional): a question's Vietnamese label and section."""

    def label(self, question_id: str) -> str | None: ...

    def option_label(self, question_id: str, code: str) -> str | None: ...


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str  # Vietnamese, from the plan
    keys: tuple[str, ...]  # words that, found in a question id, place its answers here


@dataclass(frozen=True)
class Section:
    code: str
    heading: str
    prefixes: tuple[str, ...]  # question ids starting with these belong here when no criterion claims them
    criteria: tuple[Criterion, ...]


INFRASTRUCTURE = Section("infra", "Thi đua đẩy mạnh phát triển kết cấu hạ tầng", ("infra", "capital"), (
    Criterion("planning", "Nâng cao chất lượng công tác quy hoạch, hoàn thiện cơ chế, chính sách về đầu tư "
              "kết cấu hạ tầng", ("planning", "policy", "quy_hoach", "mechanism")),
    Criterion("digital", "Đẩy mạnh chuyển đổi số, xây dựng chính quyền số, phát triển kinh tế số",
              ("digital", "chuyen_doi_so", "egov")),
    Criterion("admin_reform", "Cải cách thủ tục hành chính, công khai, minh bạch thông tin",
              ("admin_reform", "procedure", "tthc", "transparen")),
    Criterion("enterprise", "Hỗ trợ, hướng dẫn doanh nghiệp đào tạo, phát triển nguồn nhân lực",
              ("enterprise", "business", "training", "human_resource", "doanh_nghiep")),
    Criterion("capital", "Giải ngân kế hoạch vốn đầu tư công được giao", ("capital", "disburse")),
))
THRIFT = Section("thrift", "Thi đua thực hành tiết kiệm, chống lãng phí", ("thrift", "waste"), (
    Criterion("programme", "Xây dựng, thực hiện Chương trình thực hành tiết kiệm, chống lãng phí hằng năm và "
              "giai đoạn", ("programme", "program", "chuong_trinh")),
    Criterion("norms", "Ban hành, công khai định mức kinh tế - kỹ thuật, tiêu chuẩn thuộc lĩnh vực khoa học và công nghệ",
              ("norm", "standard", "dinh_muc")),
    Criterion("recurrent", "Giảm dần tỷ trọng chi thường xuyên", ("recurrent", "spending_share", "chi_thuong_xuyen")),
    Criterion("funds", "Sử dụng hiệu quả kinh phí nhà nước trong mua sắm, phương tiện, thiết bị, trụ sở, "
              "tài sản công", ("fund", "procure", "vehicle", "equipment", "office", "asset", "mua_sam")),
    Criterion("centre", "Đổi mới hệ thống tổ chức và quản lý, nâng cao hiệu quả hoạt động của Trung tâm "
              "Ứng dụng và Dịch vụ khoa học công nghệ", ("centre", "center", "ttud", "reorgan")),
    Criterion("investment_law", "Thực hiện Luật Đầu tư công; quản lý, sử dụng tài sản công đúng quy định",
              ("investment_law", "public_investment", "law")),
    Criterion("reform", "Đẩy mạnh cải cách hành chính, công khai, minh bạch thông tin", ("reform", "cchc")),
    Criterion("savings", "Kết quả tiết kiệm", ("saving",)),
))
SECTIONS = (INFRASTRUCTURE, THRIFT)
OTHER = "Các nội dung khác"


@dataclass(frozen=True)
class Contribution:
    unit_name: str
    label: str  # the question's label when the criterion gathers several questions, else ""
    text: str


@dataclass
class MergedCriterion:
    label: str
    contributions: list[Contribution] = field(default_factory=list)


@dataclass
class MergedSection:
    section: Section
    criteria: dict[str, MergedCriterion]


def place(question_id: str) -> tuple[Section, str] | None:
    """The section and criterion code of a question id; criterion "" means the section's other contents."""
    key = question_id.lower()
    # A section prefix ("thrift_...") decides the section first: both sections have a reform criterion.
    owner = next((s for s in SECTIONS if key.startswith(s.prefixes)), None)
    for section in (owner,) if owner else SECTIONS:
        for criterion in section.criteria:
            if any(word in key for word in criterion.keys):
                return section, criterion.code
    return (owner, "") if owner else None


def answer_text(question_id: str, value: Any, labels: QuestionLabels | None) -> str:
    if labels is not None and isinstance(value, (str, list)):
        codes = value if isinstance(value, list) else [value]
        named = [labels.option_label(question_id, c) if isinstance(c, str) else None for c in codes]
        if any(named):
            return ", ".join(n or str(c) for n, c in zip(named, codes))
    return value_text(value)


def merge(reports: Iterable[SubmittedReport], labels: QuestionLabels | None = None) -> list[MergedSection]:
    """Every unit's prose under the plan's criteria, in unit order; answers not placed go to the last section."""
    merged = [MergedSection(s, {c.code: MergedCriterion(c.label) for c in s.criteria}) for s in SECTIONS]
    by_code = {m.section.code: m for m in merged}
    for report in reports:
        for question_id, value in report.answers.items():
            if question_id in AGGREGATED:
                continue
            text = answer_text(question_id, value, labels)
            if not text:
                continue
            found = place(question_id)
            section, code = found if found else (SECTIONS[-1], "")
            target = by_code[section.code].criteria.setdefault(code, MergedCriterion(OTHER))
            label = (labels.label(question_id) if labels else None) or ""
            target.contributions.append(Contribution(report.unit_name, label, text))
    return merged
