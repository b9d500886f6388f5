"""The official report's prose: the bot's drafts of sections I, III, V, VI and the synthesis of section II.

Pure functions over a `Consolidation`: the same draft is shown in chat as the Office's starting point and
printed when the Office has written nothing. Units are named by their short names ("Phòng KH-TC").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re

from bot.consolidation import Consolidation
from bot.contracts import Q_DIFFICULTIES, Q_NEXT_PLAN, DepartmentData, EscalationState, EscalationSummary
from bot.documents import legal, vn
from bot.documents.abbreviations import expand
from bot.periods import PeriodKind
from bot.i18n import N_
from bot.text import fold

# The parts the Office writes (sections I, III, V, VI) and the signer.
LEADERSHIP, ASSESSMENT, DIRECTION, RECOMMENDATIONS, SIGNER = (
    "leadership", "assessment", "direction", "recommendations", "signer")
TEXT_PARTS = (LEADERSHIP, ASSESSMENT, DIRECTION, RECOMMENDATIONS)
PARTS = (*TEXT_PARTS, SIGNER)
PART_LABELS = {
    "leadership": N_("Section I - Leadership and organisation"),
    "assessment": N_("Section III - General assessment"),
    "direction": N_("Section V - Tasks for the next period"),
    "recommendations": N_("Section VI - Recommendations"),
    SIGNER: N_("Signer"),
}  # msgids: what the Office writes, as chat and audit log name it
UNITS = "phòng, đơn vị"
# Answers that say nothing: left out of the report.
EMPTY_ANSWERS = frozenset({"", "0", "-", ".", "khong", "khong co", "khong phat sinh", "chua phat sinh", "none", "no",
                           "khong co kho khan", "khong co kien nghi", "khong co de xuat", "khong co y kien"})


@dataclass(frozen=True)
class Signer:
    """Who signs: the Director ("GIÁM ĐỐC") or a deputy director for the Director ("KT. GIÁM ĐỐC")."""

    deputy: bool = False
    name: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        return ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") if self.deputy else ("GIÁM ĐỐC",)


@dataclass(frozen=True)
class ReportInputs:
    """What the Office decided for one period (empty: the bot's drafts and the Director)."""

    texts: dict[str, str] = field(default_factory=dict)  # part -> text (paragraphs separated by new lines)
    signer: Signer = Signer()
    short_names: dict[int, str] = field(default_factory=dict)  # unit id -> short name from the organisation
    department: DepartmentData = field(default_factory=DepartmentData)


def substantive(value: Any) -> str:
    """A free-text answer worth printing, abbreviations written out, or "" for "Không phát sinh", "Không", "0"."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split()).strip()
    key = fold(text).strip(" .;:!")
    if key in EMPTY_ANSWERS or key.startswith(("khong phat sinh", "chua phat sinh")):
        return ""
    return expand(text)


def capital(text: str) -> str:
    """The first letter upper case ("tham mưu..." -> "Tham mưu..."); a text opening with a digit or quote as it is."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def sentence(text: str) -> str:
    """Starts with a capital and ends with one full stop."""
    text = capital(text.strip())
    return text if text.endswith((".", "!", "?", ":", "./.")) else text + "."


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def short_name(c: Consolidation, inputs: ReportInputs, unit_id: int, full: str) -> str:
    """"Phòng KH-TC", "Chi cục TĐC", "Thanh tra Sở": what a report calls a unit after its first mention."""
    short = inputs.short_names.get(unit_id, "").strip()
    if not short or len(full) <= 14:
        return full
    for prefix in ("Phòng ", "Trung tâm ", "Chi cục "):
        if full.startswith(prefix) and not short.startswith(prefix.strip()) and not short.startswith("TT"):
            return prefix + short
    return short


class Mentions:
    """Each unit in full at its first mention with the short form in brackets, as the report writes it after:
    "Phòng Kế hoạch - Tài chính (Phòng KH-TC)". Fed the document's paragraphs in order."""

    def __init__(self, c: Consolidation, inputs: ReportInputs) -> None:
        self.pending: dict[str, tuple[str, re.Pattern[str]]] = {}
        for unit in c.units:
            short = short_name(c, inputs, unit.unit_id, unit.unit_name)
            if short != unit.unit_name:
                self.pending[short] = (unit.unit_name, re.compile(rf"(?<![\w&]){re.escape(short)}(?![\w&])"))

    def __call__(self, text: str) -> str:
        for short, (full, pattern) in list(self.pending.items()):
            first_full, match = text.find(full), pattern.search(text)
            if first_full < 0 and match is None:
                continue
            if first_full >= 0 and (match is None or first_full < match.start()):
                end = first_full + len(full)
                if not text[end:].lstrip().startswith(f"({short})"):
                    text = f"{text[:end]} ({short}){text[end:]}"
            else:
                text = f"{text[:match.start()]}{full} ({short}){text[match.end():]}"
            del self.pending[short]
        return text


def next_period_phrase(c: Consolidation) -> str:
    p = c.period
    if p.kind == PeriodKind.SIX_MONTH:
        return f"6 tháng cuối năm {p.year}"
    if p.kind == PeriodKind.ANNUAL:
        return f"năm {p.year + 1}"
    return "giai đoạn tiếp theo"


def submitted_ids(c: Consolidation) -> set[int]:
    return {r.unit_id for r in c.reports}


# Drafts of the Office's sections ---------------------------------------------------------------------------
def draft(part: str, c: Consolidation, inputs: ReportInputs | None = None) -> str:
    """The bot's draft of one of the Office's parts, as plain text (one paragraph per line)."""
    inputs = inputs or ReportInputs()
    builders = {LEADERSHIP: _leadership, ASSESSMENT: _assessment, DIRECTION: _direction,
                RECOMMENDATIONS: _recommendations}
    return "\n".join(builders[part](c, inputs))


def _leadership(c: Consolidation, inputs: ReportInputs) -> list[str]:
    return [
        "Trong kỳ, Sở Khoa học và Công nghệ tiếp tục quán triệt, triển khai Kế hoạch tổ chức thực hiện Phong trào "
        "thi đua đến các phòng, đơn vị thuộc Sở; gắn việc thực hiện Phong trào thi đua với nhiệm vụ chuyên môn, "
        "Chương trình thực hành tiết kiệm, chống lãng phí và kế hoạch đầu tư công được giao. Lãnh đạo Sở thường "
        "xuyên chỉ đạo, đôn đốc; Phòng Hành chính - Tổng hợp theo dõi, hướng dẫn và tổng hợp kết quả thực hiện.",
    ]


def opening(c: Consolidation, inputs: ReportInputs) -> str:
    """The first sentence: the province's plan, the Department's own plan (number and date when known), the movement."""
    d = inputs.department
    own = f"Kế hoạch số {d.plan_number}" if d.plan_number else "Kế hoạch"
    if d.plan_number and d.plan_date:
        own += f" ngày {d.plan_date.day:02d}/{d.plan_date.month:02d}/{d.plan_date.year}"
    return (f"Thực hiện {d.province_plan} và {own} của {vn.AGENCY_NAME} về tổ chức thực hiện {d.movement}, trên cơ "
            f"sở báo cáo của các phòng, đơn vị thuộc Sở, {vn.AGENCY_NAME} báo cáo kết quả thực hiện "
            f"{vn.period_phrase(c.period)} như sau:")


def reporting_facts(c: Consolidation, inputs: ReportInputs) -> str:
    """Printed after section I whoever wrote it: the data window and how many units reported."""
    p = c.period
    sent = ", ".join(short_name(c, inputs, r.unit_id, r.unit_name) for r in c.reports)
    # Every unit is named here, in the report's first facts: written in full with its short name in brackets once
    # (see `Mentions`), so the rest of the report can use the short names.
    text = (f"Số liệu báo cáo được tính từ ngày {vn.short_date(p.data_from)} đến ngày {vn.short_date(p.data_to)}. "
            f"Đến thời điểm tổng hợp, {len(c.reports)}/{c.unit_count} {UNITS} đã gửi báo cáo"
            + (f": {sent}." if sent else "."))
    if c.missing:
        names = ", ".join(short_name(c, inputs, u.unit_id, u.unit_name) for u in c.missing)
        text += (f" {names} chưa gửi báo cáo; số liệu của {'đơn vị' if len(c.missing) == 1 else 'các đơn vị'} "
                 f"này sẽ được tổng hợp, báo cáo bổ sung.")
    return text


def _assessment(c: Consolidation, inputs: ReportInputs) -> list[str]:
    t = c.totals
    strengths = [f"Các {UNITS} thuộc Sở đã triển khai Phong trào thi đua gắn với nhiệm vụ chuyên môn"]
    if t.initiatives:
        strengths.append(f"có {t.initiatives} sáng kiến, giải pháp được đề xuất áp dụng")
    if t.savings:
        strengths.append(f"thực hành tiết kiệm, chống lãng phí đạt kết quả (tiết kiệm {vn.money(t.savings)})")
    if t.exemplars:
        strengths.append(f"xuất hiện {t.exemplars} tập thể, cá nhân điển hình tiên tiến")
    limits, causes = [], []
    gap = t.disbursement_gap
    if t.capital_plan and gap:
        limits.append(f"tỷ lệ giải ngân vốn đầu tư công đạt {vn.pct(t.disbursement_pct)} kế hoạch vốn được giao, "
                      f"chưa đạt mục tiêu giải ngân 100% kế hoạch")
        causes.append("một số nhiệm vụ, dự án còn vướng thủ tục đầu tư, hồ sơ thanh toán chưa hoàn thiện")
    late = sum(1 for u in c.units if u.is_late and u.unit_id in submitted_ids(c))
    # A unit still to report is not late before its own deadline (the report may be drafted before it).
    overdue = [u for u in c.missing if u.deadline < c.generated_at.date()]
    if late or overdue:
        limits.append("việc báo cáo kết quả thực hiện ở một số phòng, đơn vị chưa bảo đảm thời hạn")
        causes.append("công tác theo dõi, đôn đốc, tổng hợp ở một số phòng, đơn vị chưa thường xuyên")
    if c.open_escalations:
        limits.append(f"còn {len(c.open_escalations)} khó khăn, vướng mắc của các {UNITS} cần tiếp tục được giải quyết")
    lines = ["1. Ưu điểm", sentence("; ".join(strengths))]
    lines += ["2. Hạn chế", sentence(_cap("; ".join(limits))) if limits else
              "Không có hạn chế lớn; một số nội dung của Phong trào thi đua cần tiếp tục được cụ thể hóa."]
    lines += ["3. Nguyên nhân", sentence(_cap("; ".join(causes))) if causes else
              "Nguyên nhân chủ yếu là một số nội dung mới triển khai, cần thêm thời gian để đánh giá kết quả."]
    return lines


def _direction(c: Consolidation, _inputs: ReportInputs) -> list[str]:
    lines = [
        "- Tiếp tục quán triệt, triển khai Phong trào thi đua gắn với nhiệm vụ chính trị của từng phòng, đơn vị; "
        "đẩy mạnh chuyển đổi số, cải cách thủ tục hành chính.",
        "- Thực hiện nghiêm Chương trình thực hành tiết kiệm, chống lãng phí; quản lý, sử dụng tài sản công đúng "
        "mục đích, tiêu chuẩn, định mức.",
    ]
    if c.totals.capital_plan:
        lines.append("- Tập trung đẩy nhanh tiến độ, phấn đấu giải ngân 100% kế hoạch vốn đầu tư công được giao.")
    lines.append("- Kịp thời phát hiện, biểu dương, khen thưởng và nhân rộng các tập thể, cá nhân điển hình tiên tiến.")
    if unit_plans(c, _inputs):
        lines.append(f"- Chỉ đạo các {UNITS} thực hiện các nhiệm vụ trọng tâm đã đăng ký cho "
                     f"{next_period_phrase(c)} (chi tiết tại Phụ lục V kèm theo Báo cáo này).")
    return lines


def _recommendations(c: Consolidation, _inputs: ReportInputs) -> list[str]:
    law = legal.basis(c.period.data_to)  # the references in force at the period's end (config/legal_basis.yaml)
    lines = ["Đề nghị UBND tỉnh tiếp tục quan tâm bố trí nguồn lực đầu tư kết cấu hạ tầng khoa học và công nghệ, "
             "hạ tầng số của tỉnh; Sở Nội vụ tiếp tục hướng dẫn công tác thi đua, khen thưởng"
             + (f" theo {law}." if law else ".")]
    if c.totals.capital_plan and c.totals.disbursement_gap:
        lines.append("Đề nghị UBND tỉnh chỉ đạo các sở, ngành liên quan phối hợp, tạo điều kiện để Sở đẩy nhanh "
                     "tiến độ giải ngân kế hoạch vốn đầu tư công được giao.")
    return lines


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# Section IV: difficulties -----------------------------------------------------------------------------------
def _leader(item: EscalationSummary) -> str:
    if item.instruction_by_role == "deputy_director":
        return "Phó Giám đốc Sở" + (f" {item.instruction_by}" if item.instruction_by else "")
    return "Giám đốc Sở"


def outcome_text(item: EscalationSummary) -> str:
    """What the Department did about a difficulty, as a report upward says it; "" while it is only being chased.

    A quick reply is written as what was agreed: the Office's proposal it answered (its note when forwarding),
    or the unit's own request. "Please come and see me" is internal and left out."""
    leader = _leader(item)
    kind = item.instruction_kind or "text"
    proposal = expand(" ".join((item.office_note or "").split()))
    proposal = re.sub(r"^(?:đề xuất|đề nghị)\s*:?\s+", "", proposal, flags=re.IGNORECASE)  # "đề xuất: đề xuất..."
    if item.instruction and kind == "agreed":
        if proposal:
            return f"{leader} đồng ý với đề xuất của Phòng Hành chính - Tổng hợp: {sentence(proposal)}"
        return f"{leader} đồng ý với đề xuất của phòng, đơn vị."
    if item.instruction and kind == "not_agreed":
        return f"{leader} không đồng ý với đề xuất" + (f": {sentence(proposal)}" if proposal else ".")
    if item.instruction and kind == "text":
        return f"{leader} đã chỉ đạo: {sentence(expand(item.instruction))}"
    if item.office_answer:
        return f"Phòng Hành chính - Tổng hợp đã trả lời, hướng dẫn: {sentence(expand(item.office_answer))}"
    return ""


def escalation_body(item: EscalationSummary) -> str:
    """The difficulty itself: its title, and its description when that says more."""
    title, detail = expand(item.title.strip()), expand(item.description.strip())
    body = sentence(title)
    if detail and fold(detail) != fold(title) and not fold(detail).startswith(fold(title)):
        body = f"{body} {sentence(detail)}"  # the title names it, the description says it; case kept as typed
    elif detail:
        body = sentence(detail)
    return body


def escalation_text(item: EscalationSummary, unit: str) -> str:
    """One difficulty with what the Department did about it; no internal workflow state."""
    text = f"{unit}: {escalation_body(item)}"
    outcome = outcome_text(item)
    if outcome:
        text += f" {outcome}"
    if item.state == EscalationState.CLOSED and item.outcome != "duplicate":
        text += " Nội dung này đã được giải quyết."
    return text


_WORD = re.compile(r"\w+")
# Words that say nothing about which difficulty it is.
_COMMON = frozenset(fold(w) for w in ("của", "và", "các", "cho", "được", "chưa", "đã", "có", "không", "là", "với",
                                      "trong", "theo", "để", "một", "số", "năm", "đề", "nghị", "do", "việc", "này"))


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in _COMMON}


def same_difficulty(typed: str, raised: str) -> bool:
    """A difficulty written in the report and one raised with /vuongmac name the same thing: most of the
    shorter one's words are in the longer one (word order, case and accents aside)."""
    a, b = _words(typed), _words(raised)
    if not a or not b:
        return False
    shared = len(a & b)
    return shared >= 3 and shared / min(len(a), len(b)) >= 0.6


def _pieces(text: str) -> list[str]:
    """A typed answer split into its difficulties: one per line, bullet or ";"."""
    parts = re.split(r"\n|;\s+|(?:^|\s)[-+•]\s+", text)
    return [p.strip(" .;-") for p in parts if p and p.strip(" .;-")]


def difficulty_items(c: Consolidation, inputs: ReportInputs) -> list[str]:
    """Each difficulty once: those raised with /vuongmac (duplicates dropped), then what the reports add.

    A difficulty both raised and written in the unit's report is printed once, from the raised item, which
    carries what the Department did about it."""
    lines, raised = [], []
    for item in c.escalations:
        if item.outcome == "duplicate":
            continue
        unit = short_name(c, inputs, item.unit_id, item.unit_name)
        lines.append(escalation_text(item, unit))
        raised.append((item.unit_id, f"{item.title} {item.description}"))
    for report in c.reports:
        text = substantive(report.answers.get(Q_DIFFICULTIES))
        if not text:
            continue
        own = [r for unit_id, r in raised if unit_id == report.unit_id]
        pieces = [p for p in _pieces(text) if not any(same_difficulty(p, r) for r in own)]
        if pieces:
            name = short_name(c, inputs, report.unit_id, report.unit_name)
            lines.append(f"{name}: {' '.join(sentence(p) for p in pieces)}")
    return lines


def unit_plans(c: Consolidation, inputs: ReportInputs) -> list[tuple[int, str, str]]:
    """Each unit's tasks for the next period (questionnaire v2 on): (unit id, unit name, text), for the annex."""
    return [(r.unit_id, r.unit_name, sentence(text)) for r in c.reports
            if (text := substantive(r.answers.get(Q_NEXT_PLAN)))]
