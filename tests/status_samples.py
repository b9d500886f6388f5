"""Hand-made inputs for the consolidation, status and export tests (no database needed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import TZ
from bot.contracts import (
    EscalationState, EscalationSummary, ReportState, SubmittedReport, UnitProgress, UnitStage,
)
from bot.periods import PeriodKind
from bot.services.periods.base import PeriodInfo

NOW = datetime(2026, 12, 21, 9, 0, tzinfo=TZ)


def period(kind: PeriodKind = PeriodKind.ANNUAL, year: int = 2026, phase: int = 2, period_id: int = 2) -> PeriodInfo:
    return PeriodInfo(period_id=period_id, code=f"{year}-Y", kind=kind, year=year, phase=phase,
                      data_from=date(year - 1, 12, 15), data_to=date(year, 12, 14), opens_on=date(year, 11, 15),
                      deadline=date(year, 12, 20), closes_on=date(year + 1, 1, 19), closed_at=None, state="open")


def progress(unit_id: int, name: str, stage: UnitStage, *, late: bool = False, answered: int = 0,
             total: int = 20) -> UnitProgress:
    submitted = stage in (UnitStage.SUBMITTED_ON_TIME, UnitStage.SUBMITTED_LATE, UnitStage.ACCEPTED,
                          UnitStage.RETURNED)
    return UnitProgress(unit_id=unit_id, unit_name=name, stage=stage, deadline=date(2026, 12, 20),
                        answered=answered or (total if submitted else 0), total=total,
                        report_id=unit_id if stage != UnitStage.NOT_STARTED else None,
                        version=1 if submitted else 0,
                        submitted_at=NOW - timedelta(days=3) if submitted else None, is_late=late)


def report(unit_id: int, name: str, answers: dict[str, Any], *, state: ReportState = ReportState.SUBMITTED,
           late: bool = False) -> SubmittedReport:
    return SubmittedReport(report_id=unit_id, unit_id=unit_id, unit_name=name, period_id=2, version=1, state=state,
                           submitted_at=NOW - timedelta(days=3), submitted_by="Người nộp", is_late=late,
                           questionnaire_code="thidua", questionnaire_version=1, answers=answers)


def escalation(item_id: int, unit_id: int, unit_name: str, title: str, state: EscalationState,
               created: datetime, *, instruction: str | None = None, urgent: bool = False) -> EscalationSummary:
    closed = created + timedelta(days=5) if state == EscalationState.CLOSED else None
    return EscalationSummary(item_id=item_id, unit_id=unit_id, unit_name=unit_name, title=title,
                             description=title + " (mô tả)", urgent=urgent, state=state, created_at=created,
                             closed_at=closed, instruction=instruction, instruction_by="Giám đốc" if instruction else None,
                             outcome="Đã giải quyết" if closed else None)


KHTC = "Phòng Kế hoạch - Tài chính"
QLKH = "Phòng Quản lý Khoa học"
TTUD = "Trung tâm Ứng dụng và Dịch vụ khoa học công nghệ"
THANHTRA = "Thanh tra Sở"

KHTC_ANSWERS = {
    "capital_holds": True, "capital_plan": 10_000_000_000, "capital_disbursed": 8_500_000_000,
    "thrift_savings": 250_000_000,
    "infra_digital": "Triển khai hệ thống quản lý văn bản điều hành liên thông bốn cấp.",
    "thrift_norms": "Ban hành 02 định mức kinh tế - kỹ thuật.",
    "initiatives": [{"title": "Số hóa hồ sơ dự toán", "description": "Giảm 30% thời gian", "author": "Nguyễn Văn An"}],
    "exemplars": [{"kind": "individual", "name": "Nguyễn Văn An", "achievement": "Hoàn thành xuất sắc nhiệm vụ"}],
    "difficulties": "Nguồn vốn phân bổ chậm.",
    "proposals": "Đề nghị UBND tỉnh sớm phân bổ vốn.",
    "commendations": [
        {"target_kind": "collective", "name": "Phòng Kế hoạch - Tài chính", "form": "bk_ubnd_tinh",
         "achievement": "Giải ngân vốn đầu tư công đạt cao"},
        {"target_kind": "individual", "name": "Nguyễn Văn An", "form": "giay_khen_gd", "achievement": "Có sáng kiến"},
    ],
}
TTUD_ANSWERS = {
    "capital_holds": True, "capital_plan": "5000000000", "capital_disbursed": 5_000_000_000,
    "thrift_savings": 120_000_000,
    "thrift_centre_reorganisation": "Sắp xếp lại 03 phòng chuyên môn của Trung tâm.",
    "initiatives": [{"title": "Ứng dụng IoT quan trắc", "author": "Đỗ Thanh Sơn"},
                    {"title": "Phần mềm quản lý mẫu thử"}],
    "commendations": [{"target_kind": "collective", "name": "Trung tâm Ứng dụng", "form": "bk_thu_tuong",
                       "achievement": "Thành tích xuất sắc giai đoạn"}],
}
QLKH_ANSWERS = {"capital_holds": False, "thrift_savings": 30_000_000, "infra_digital": "Cập nhật CSDL nhiệm vụ KH&CN.",
                "difficulties": "Thiếu nhân lực chuyên trách."}


def sample_inputs():  # noqa: ANN201
    """Four units: two submitted (one late), one accepted, one not started; three escalations."""
    units = [progress(2, KHTC, UnitStage.SUBMITTED_ON_TIME), progress(3, QLKH, UnitStage.ACCEPTED),
             progress(6, THANHTRA, UnitStage.NOT_STARTED), progress(8, TTUD, UnitStage.SUBMITTED_LATE, late=True)]
    reports = [report(2, KHTC, KHTC_ANSWERS), report(3, QLKH, QLKH_ANSWERS, state=ReportState.ACCEPTED),
               report(8, TTUD, TTUD_ANSWERS, late=True)]
    escalations = [
        escalation(1, 2, KHTC, "Chậm phân bổ vốn", EscalationState.FORWARDED, NOW - timedelta(days=20)),
        escalation(2, 3, QLKH, "Thiếu phòng thí nghiệm", EscalationState.INSTRUCTED, NOW - timedelta(days=10),
                   instruction="Giao Phòng KH-TC bố trí kinh phí."),
        escalation(3, 8, TTUD, "Vướng thủ tục thanh lý", EscalationState.CLOSED, NOW - timedelta(days=40)),
        escalation(4, 8, TTUD, "Việc năm trước", EscalationState.CLOSED, datetime(2025, 6, 1, 9, 0, tzinfo=TZ)),
    ]
    return period(), units, reports, escalations


def submit(services, unit_code: str, answers: dict[str, Any], *, period_code: str = "2026-Y", late: bool = False,
           state: ReportState = ReportState.SUBMITTED, when: datetime | None = None) -> int:  # noqa: ANN001
    """Insert a unit's report and one frozen version directly, as the report feature would after submitting."""
    from sqlmodel import select

    from storage.models import Period, Report, ReportVersion

    unit = services.org.find_unit(unit_code)
    when = when or services.clock.now()
    with services.db.session() as session:
        period = session.exec(select(Period).where(Period.code == period_code)).one()
        report = session.exec(select(Report).where(Report.period_id == period.id, Report.unit_id == unit.unit_id)).first()
        if report is None:
            report = Report(period_id=period.id, unit_id=unit.unit_id, questionnaire_code="thidua",
                            questionnaire_version=1, created_at=when, updated_at=when)
        report.version += 1
        report.state, report.is_late, report.submitted_at, report.updated_at = state.value, late, when, when
        report.answered_count = report.question_count = 20
        session.add(report)
        session.flush()
        session.add(ReportVersion(report_id=report.id, version=report.version, answers=answers, answered_by={},
                                  submitted_at=when, is_late=late, review_state=state.value))
        return report.id


def draft(services, unit_code: str, answered: int, *, period_code: str = "2026-Y") -> None:  # noqa: ANN001
    """A draft with some answers, as a unit head half-way through the questionnaire leaves it."""
    from sqlmodel import select

    from storage.models import Period, Report

    unit = services.org.find_unit(unit_code)
    now = services.clock.now()
    with services.db.session() as session:
        period = session.exec(select(Period).where(Period.code == period_code)).one()
        session.add(Report(period_id=period.id, unit_id=unit.unit_id, questionnaire_code="thidua",
                           questionnaire_version=1, answered_count=answered, question_count=20,
                           created_at=now, updated_at=now))
