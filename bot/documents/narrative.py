"""The official report's prose: the bot's drafts of sections I, III, V, VI and the synthesis of section II.

Pure functions over a `Consolidation`: the same draft is shown in chat as the Office's starting point and
printed when the Office has written nothing. Units are named by their short names ("Phòng KH-TC").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import TZ
from bot.consolidation import Consolidation
from bot.contracts import Q_DIFFICULTIES, Q_NEXT_PLAN, DepartmentData, EscalationState, EscalationSummary
from bot.documents import vn
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
    """A free-text answer worth printing, or "" for "Không phát sinh", "Không", "0" and the like."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split()).strip()
    key = fold(text).strip(" .;:!")
    if key in EMPTY_ANSWERS or key.startswith(("khong phat sinh", "chua phat sinh")):
        return ""
    return text


def sentence(text: str) -> str:
    """Ends with one full stop."""
    text = text.strip()
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
    text = (f"Số liệu báo cáo được tính từ ngày {vn.short_date(p.data_from)} đến ngày {vn.short_date(p.data_to)}. "
            f"Đến thời điểm tổng hợp, {len(c.reports)}/{c.unit_count} {UNITS} đã gửi báo cáo.")
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
    overdue = [u for u in c.missing if u.deadline < c.generated_at.astimezone(TZ).date()]
    if late or overdue:
        limits.append("việc báo cáo kết quả thực hiện ở một số phòng, đơn vị chưa bảo đảm thời hạn")
        causes.append("công tác theo dõi, đôn đốc, tổng hợp ở một số phòng, đơn vị chưa thường xuyên")
    if c.open_escalations:
        limits.append(f"còn {len(c.open_escalations)} khó khăn, vướng mắc đang được xem xét, xử lý")
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
    return lines


def _recommendations(c: Consolidation, _inputs: ReportInputs) -> list[str]:
    lines = ["Đề nghị UBND tỉnh tiếp tục quan tâm bố trí nguồn lực đầu tư kết cấu hạ tầng khoa học và công nghệ, "
             "hạ tầng số của tỉnh; Sở Nội vụ tiếp tục hướng dẫn công tác thi đua, khen thưởng theo Luật Thi đua, "
             "khen thưởng năm 2022 và Nghị định số 152/2025/NĐ-CP."]
    if c.totals.capital_plan and c.totals.disbursement_gap:
        lines.append("Đề nghị UBND tỉnh chỉ đạo các sở, ngành liên quan phối hợp, tạo điều kiện để Sở đẩy nhanh "
                     "tiến độ giải ngân kế hoạch vốn đầu tư công được giao.")
    return lines


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# Section IV: difficulties -----------------------------------------------------------------------------------
def escalation_text(item: EscalationSummary, unit: str) -> str:
    """One difficulty with who answered and how; no internal workflow state."""
    body = sentence(item.title.strip())
    detail = item.description.strip()
    if detail and fold(detail) != fold(item.title) and not fold(detail).startswith(fold(item.title)):
        body = f"{body} {sentence(detail)}"  # the title names it, the description says it; case kept as typed
    elif detail:
        body = sentence(detail)
    text = f"{unit}: {body}"
    if item.instruction:
        if item.instruction_by_role == "deputy_director":
            who = "đồng chí Phó Giám đốc Sở" + (f" {item.instruction_by}" if item.instruction_by else "")
        else:
            who = "đồng chí Giám đốc Sở"
        text += f" Ý kiến chỉ đạo của {who}: {sentence(item.instruction)}"
    elif item.office_answer:
        text += f" Phòng Hành chính - Tổng hợp đã trả lời, hướng dẫn: {sentence(item.office_answer)}"
    if item.state == EscalationState.CLOSED:
        text += " Nội dung này đã được giải quyết."
    elif not item.instruction and not item.office_answer:
        text += " Nội dung này đang được xem xét, giải quyết."
    return text


def difficulty_items(c: Consolidation, inputs: ReportInputs) -> list[str]:
    """Each substantive difficulty once: escalations first (duplicates dropped), then report texts not raised."""
    lines, seen = [], []
    for item in c.escalations:
        if item.outcome == "duplicate":
            continue
        unit = short_name(c, inputs, item.unit_id, item.unit_name)
        lines.append(escalation_text(item, unit))
        seen.append((item.unit_id, fold(item.title + " " + item.description)))
    for report in c.reports:
        text = substantive(report.answers.get(Q_DIFFICULTIES))
        if not text:
            continue
        key = fold(text)
        if any(unit_id == report.unit_id and (key[:60] in raised or raised[:60] in key) for unit_id, raised in seen):
            continue  # already raised as a difficulty to the Director
        lines.append(f"{short_name(c, inputs, report.unit_id, report.unit_name)}: {sentence(text)}")
    return lines


def unit_plans(c: Consolidation, inputs: ReportInputs) -> list[str]:
    """Each unit's tasks for the next period (questionnaire v2 on), attributed."""
    return [f"{short_name(c, inputs, r.unit_id, r.unit_name)}: {sentence(text)}" for r in c.reports
            if (text := substantive(r.answers.get(Q_NEXT_PLAN)))]
