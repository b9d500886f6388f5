"""Data that crosses feature boundaries: reports -> reminders and status; escalations -> status and the report.

Producers: `ReportService` (reports), `EscalationService` (escalations). Consumers: reminders, status, export.
Plain frozen dataclasses, so any channel or document writer can use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.i18n import N_


class ReportState(StrEnum):
    """Stored state of a unit's report for one period."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back by the Office for revision; the unit edits it again
    ACCEPTED = "accepted"


class UnitStage(StrEnum):
    """What the status board shows for a unit (derived from ReportState, the deadline and the date)."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED_ON_TIME = "submitted_on_time"
    SUBMITTED_LATE = "submitted_late"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    OVERDUE = "overdue"  # nothing submitted and the unit's deadline has passed


UNIT_STAGE_LABELS = {
    UnitStage.NOT_STARTED: N_("not started"),
    UnitStage.DRAFT: N_("draft"),
    UnitStage.SUBMITTED_ON_TIME: N_("submitted on time"),
    UnitStage.SUBMITTED_LATE: N_("submitted late"),
    UnitStage.RETURNED: N_("returned for revision"),
    UnitStage.ACCEPTED: N_("accepted"),
    UnitStage.OVERDUE: N_("overdue"),
}


@dataclass(frozen=True)
class UnitProgress:
    """One unit's position in one period."""

    unit_id: int
    unit_name: str
    stage: UnitStage
    deadline: date  # the unit's effective deadline (extension included)
    answered: int = 0
    total: int = 0
    report_id: int | None = None
    version: int = 0  # number of submitted versions
    submitted_at: datetime | None = None
    is_late: bool = False

    @property
    def has_submitted(self) -> bool:
        """True once a version is with the Office (reminders stop); a returned report is not submitted."""
        return self.stage in (UnitStage.SUBMITTED_ON_TIME, UnitStage.SUBMITTED_LATE, UnitStage.ACCEPTED)


@dataclass(frozen=True)
class SubmittedReport:
    """The latest submitted (or accepted) version of a unit's report, frozen answers included.

    `answers` maps question id -> value: text and document references are str; yes/no bool; single choice
    the option code (str); multiple choice list[str]; integer int; money int (đồng); percentage float;
    date "YYYY-MM-DD"; attachment {"file_id", "file_name", "mime_type", "size", "kind"}; a repeatable group
    a list of dicts (field id -> value). Unanswered optional questions are absent.
    """

    report_id: int
    unit_id: int
    unit_name: str
    period_id: int
    version: int
    state: ReportState
    submitted_at: datetime
    submitted_by: str
    is_late: bool
    questionnaire_code: str
    questionnaire_version: int
    answers: dict[str, Any] = field(default_factory=dict)


class EscalationState(StrEnum):
    NEW = "new"
    WITH_OFFICE = "with_office"
    INFO_REQUESTED = "info_requested"
    FORWARDED = "forwarded"
    INSTRUCTED = "instructed"
    CLOSED = "closed"


@dataclass(frozen=True)
class EscalationSummary:
    """A difficulty raised by a unit, as the status board and the official report show it."""

    item_id: int
    unit_id: int
    unit_name: str
    title: str
    description: str
    urgent: bool
    state: EscalationState
    created_at: datetime
    closed_at: datetime | None = None
    instruction: str | None = None  # the Director's instruction (ý kiến chỉ đạo), if given
    instruction_by: str | None = None
    outcome: str | None = None  # how it was closed
    instruction_by_role: str | None = None  # Role value of who gave the instruction (director | deputy_director)
    office_answer: str | None = None  # the Administration Office's own answer, if it gave one
    outcome_note: str | None = None
    instruction_kind: str | None = None  # text | agreed | not_agreed | see_me (a quick reply)
    office_note: str | None = None  # the Office's note when it forwarded the item: its proposal to the leadership


# Commendation forms of plan section III.2, highest first; codes are stored in answers. The Vietnamese names
# follow Luật Thi đua, khen thưởng 2022 (Điều 34, 71, 74) and Nghị định 152/2025/NĐ-CP.
COMMENDATION_FORMS: dict[str, str] = {
    "huan_chuong_ld": N_("Labour Order (Huân chương Lao động)"),
    "bk_thu_tuong": N_("Certificate of Merit of the Prime Minister"),
    "bk_bo_nganh": N_("Certificate of Merit of a ministry, sector, the Front or a central mass organisation"),
    "bk_ubnd_tinh": N_("Certificate of Merit of the Chairman of the Provincial People's Committee"),
    "bk_mat_tran_tinh": N_("Certificate of Merit of the provincial Front or associations"),
    "giay_khen_gd": N_("Certificate of Merit of the Director of the Department (Giấy khen)"),
}

# Question ids the status board and the official report aggregate (see config/questionnaires/).
Q_CAPITAL_HOLDS = "capital_holds"  # yes/no: the unit holds public-investment capital
Q_CAPITAL_PLAN = "capital_plan"  # money: capital plan assigned this year
Q_CAPITAL_DISBURSED = "capital_disbursed"  # money: disbursed so far
Q_SAVINGS = "thrift_savings"  # money: savings achieved
Q_INITIATIVES = "initiatives"  # group: title, description, author
Q_EXEMPLARS = "exemplars"  # group: kind (collective|individual), name, achievement
Q_DIFFICULTIES = "difficulties"  # text
Q_PROPOSALS = "proposals"  # text
Q_COMMENDATIONS = "commendations"  # group: target_kind (collective|individual), name, form (code above), achievement
Q_NEXT_PLAN = "next_plan"  # text (questionnaire v2 on): the unit's tasks for the next period


@dataclass(frozen=True)
class DepartmentData:
    """What the official report cites about the Department (config/organization.yaml `department`, and the
    plan's number and date the Office may set from chat)."""

    superior: str = "Ủy ban nhân dân tỉnh Quảng Ngãi"
    superior_short: str = "UBND tỉnh"
    movement: str = ("Phong trào thi đua “Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; "
                     "thực hành tiết kiệm, chống lãng phí”")
    province_plan: str = "Kế hoạch số 42/KH-UBND ngày 03/3/2023 của Ủy ban nhân dân tỉnh Quảng Ngãi"
    plan_number: str = ""  # the Department's own plan for the movement ("15/KH-SKHCN")
    plan_date: date | None = None
    recipients: tuple[str, ...] = ("Sở Nội vụ;", "GĐ, các PGĐ Sở;", "Lưu: VT, HCTH.")
