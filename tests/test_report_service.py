"""ReportService: filling in, conditions, counts, versions, the Office's decisions, lateness, permissions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from sqlmodel import select

from bot.clock import TZ
from bot.contracts import ReportState, UnitStage
from bot.domain import DomainError, PermissionDenied, Role
from bot.services import build_services
from bot.services.reports.base import Mode
from storage.models import AuditLog, DeadlineExtension, Report, ReportAnswer, ReportVersion
from tests.report_helpers import FILE, fill, person, submit
from tests.world import period_id
from tests.world import period_id as annual


@pytest.fixture
def people(services):
    return {
        "head": person(services, "Nguyễn Văn An", Role.UNIT_HEAD, "khtc", "1003"),
        "deputy": person(services, "Lê Thị Bình", Role.DEPUTY, "khtc", "1013"),
        "ttud": person(services, "Đỗ Thanh Sơn", Role.UNIT_HEAD, "ttud", "1009"),
        "office": person(services, "Lê Văn Hòa", Role.OFFICE, "hcth", "1002"),
        "director": person(services, "Hoàng Văn Quang", Role.DIRECTOR, None, "1011"),
    }


def test_every_question_type_is_stored_as_the_contract_says(services, people):
    head = people["head"]
    screen = services.reports.open(head, annual(services))
    assert screen.mode == Mode.ASK and screen.position == 1
    screen = fill(services, head, screen, typed={
        "digital_tasks": "1, 3", "capital_holds": "có", "capital_plan": "1,5 tỷ", "capital_disbursed": "1 tỷ 200 triệu",
        "capital_plan_ref": "số 15/qđ-ubnd", "thrift_programme": "đã ban hành", "thrift_programme_ref": "15/KH-SKHCN",
        "thrift_programme_date": "15/01/2026", "thrift_savings": "250 triệu", "recurrent_share": "62,5%",
        "admin_procedures": "1.234", "public_assets_ok": "có", "self_assessment": "2",
    }, groups={"commendations": [["1", "Phòng Kế hoạch - Tài chính", "4", "Hoàn thành xuất sắc nhiệm vụ"],
                                 ["cá nhân", "Nguyễn Văn B", "6", "Có sáng kiến tiết kiệm"]],
               "initiatives": [["Số hóa hồ sơ", "Giảm 30% chi phí in ấn", "bỏ qua"]]})
    assert screen.mode == Mode.REVIEW
    screen = submit(services, head, screen)
    assert screen.ref.state == ReportState.SUBMITTED and screen.event == "submitted"
    [report] = services.submissions.latest(annual(services))
    a = report.answers
    assert a["infra_policy"] == "Đã triển khai theo kế hoạch." and a["capital_holds"] is True
    assert a["digital_tasks"] == ["online_services", "digital_signature"]
    assert a["thrift_programme"] == "issued" and a["self_assessment"] == "good"
    assert a["admin_procedures"] == 1234 and a["capital_plan"] == 1_500_000_000 and a["thrift_savings"] == 250_000_000
    assert a["recurrent_share"] == 62.5 and isinstance(a["recurrent_share"], float)
    assert a["thrift_programme_date"] == "2026-01-15" and a["capital_plan_ref"] == "15/QĐ-UBND"
    assert a["thrift_evidence"] == FILE
    assert a["initiatives"] == [{"title": "Số hóa hồ sơ", "description": "Giảm 30% chi phí in ấn"}]
    assert a["commendations"] == [
        {"target_kind": "collective", "name": "Phòng Kế hoạch - Tài chính", "form": "bk_ubnd_tinh",
         "achievement": "Hoàn thành xuất sắc nhiệm vụ"},
        {"target_kind": "individual", "name": "Nguyễn Văn B", "form": "giay_khen_gd",
         "achievement": "Có sáng kiến tiết kiệm"}]
    assert a["exemplars"] == [] and a["capital_disbursed_pct"] == 80.0
    assert "ttud_reorganisation" not in a and report.version == 1 and report.submitted_by == "Nguyễn Văn An"
    assert (report.questionnaire_code, report.questionnaire_version) == ("thidua", 2)  # new reports: newest version


def test_conditions_and_the_counts_progress_reads(services, people):
    head, pid = people["head"], annual(services)
    screen = services.reports.open(head, pid)
    base_total = len(screen.applicable)
    screen = fill(services, head, screen, typed={"capital_holds": "có", "thrift_programme": "2"})
    assert len(screen.applicable) == base_total + 3  # plan, disbursed, document
    progress = services.progress.for_unit(pid, head.unit_id)
    assert (progress.answered, progress.total, progress.stage) == (base_total + 3, base_total + 3, UnitStage.DRAFT)
    # From the review: the unit holds no capital after all; the capital answers are kept but no longer count.
    number = [q.id for q in screen.applicable].index("capital_holds") + 1
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, f"sửa {number}")
    assert screen.question.id == "capital_holds" and screen.value is True
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "n")
    assert screen.mode == Mode.REVIEW and len(screen.applicable) == base_total
    assert services.progress.for_unit(pid, head.unit_id).total == base_total
    screen = submit(services, head, screen)
    [report] = services.submissions.latest(pid)
    assert "capital_plan" not in report.answers and report.answers["capital_holds"] is False
    with services.db.session() as session:
        assert session.exec(select(ReportAnswer).where(ReportAnswer.question_id == "capital_plan")).first() is not None


def test_only_the_centre_is_asked_about_its_reorganisation(services, people):
    ttud_screen = services.reports.open(people["ttud"], annual(services))
    khtc_screen = services.reports.open(people["head"], annual(services))
    assert "ttud_reorganisation" in [q.id for q in ttud_screen.applicable]
    assert "ttud_reorganisation" not in [q.id for q in khtc_screen.applicable]
    screen = fill(services, people["ttud"], ttud_screen, typed={"ttud_reorganisation": "Đã sắp xếp lại 2 phòng"})
    assert screen.answers["ttud_reorganisation"] == "Đã sắp xếp lại 2 phòng"


def test_skip_back_keep_and_required(services, people):
    head = people["head"]
    screen = services.reports.open(head, annual(services))
    with pytest.raises(DomainError, match="required"):
        services.reports.act(head, screen.ref.report_id, screen.ref.step, "s")
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "b")
    assert screen.note == "This is the first question." and screen.question.id == "infra_policy"
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, "Nội dung câu 1")
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, "1")
    assert screen.question.id == "digital_results"
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "s")  # optional: skipped
    assert screen.question.id == "admin_procedures" and screen.answers["digital_results"] is None
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, "quay lại")
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, "quay lại")
    assert screen.question.id == "digital_tasks" and screen.value == ["online_services"]
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, "giữ nguyên")
    assert screen.answers["digital_tasks"] == ["online_services"]  # keeping never erases
    assert screen.question.id == "admin_procedures"  # the next unanswered question
    # Multiple choice with buttons: toggles are kept in the cursor until "Done".
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "b")
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "b")
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "o4")
    assert screen.picks == ("online_services", "databases")
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "o1")
    screen = services.reports.act(head, screen.ref.report_id, screen.ref.step, "ok")
    assert screen.answers["digital_tasks"] == ["databases"]


@pytest.mark.parametrize(("question", "text", "message"), [
    ("capital_plan", "một tỷ rưỡi", "I could not read this amount"),
    ("capital_plan", "0", "between 1 and 10.000.000.000.000"),
    ("thrift_savings", "1" + "0" * 27, "between 0 and 1.000.000.000.000"),  # the bound is in the questionnaire
    ("thrift_savings", "1" + "0" * 29, "between 0 and"),  # 29+ digits crashed decimal.quantize
    ("thrift_savings", "9" * 60, "I could not read this amount"),
    ("admin_procedures", "3000000000", "between 0 and 10.000"),
    ("thrift_programme", "²", "1 to 3"),  # str.isdigit() says yes, int() says no
    ("thrift_programme", "①", "1 to 3"),
    ("infra_policy", "\u200b\ufeff\u202e\u00ad", "invisible characters"),
    ("infra_policy", "\x1b[31m\x1b[0m", "empty"),  # terminal escape sequences are removed whole
    ("infra_policy", "👍🙏", "emoji"),
    ("infra_policy", "\x00\x00", "empty"),
    ("capital_disbursed", "200 triệu", "above 100"),  # more than the plan of 100 triệu
    ("admin_procedures", "12,5", "whole number"),
    ("capital_holds", "có lẽ", "\"có\" (yes)"),
    ("thrift_programme", "7", "1 to 3"),
    ("infra_policy", "   ", "empty"),
    ("infra_policy", "x" * 3001, "too long"),
])
def test_bad_answers_change_nothing(services, people, question, text, message):
    head = people["head"]
    screen = services.reports.open(head, annual(services))
    screen = fill(services, head, screen, typed={"capital_holds": "có"})
    number = [q.id for q in screen.applicable].index(question) + 1
    screen = services.reports.type_text(head, screen.ref.report_id, screen.ref.step, f"sửa {number}")
    before = (screen.ref.step, screen.answers)
    with pytest.raises(DomainError) as info:
        services.reports.type_text(head, screen.ref.report_id, screen.ref.step, text)
    assert message in info.value.message.format(**info.value.params)
    after = services.reports.current(head, screen.ref.report_id)
    assert (after.ref.step, after.answers) == before and after.question.id == question
    with pytest.raises(DomainError, match="not a file"):
        services.reports.send_file(head, screen.ref.report_id, screen.ref.step, FILE)


def test_head_and_deputy_share_the_draft_and_stale_steps_change_nothing(services, people):
    head, deputy = people["head"], people["deputy"]
    screen = services.reports.open(head, annual(services))
    same = services.reports.open(deputy, annual(services))
    assert same.ref.report_id == screen.ref.report_id
    seen = screen.ref.step
    screen = services.reports.type_text(deputy, same.ref.report_id, same.ref.step, "Phó phòng trả lời")
    stale = services.reports.type_text(head, screen.ref.report_id, seen, "Trưởng phòng trả lời muộn")
    assert stale.note.startswith("{name} has just updated") and stale.note_params == {"name": "Lê Thị Bình"}
    assert stale.answers["infra_policy"] == "Phó phòng trả lời"
    pressed = services.reports.act(head, screen.ref.report_id, seen, "s")
    assert pressed.answers == stale.answers and pressed.ref.step == stale.ref.step
    screen = fill(services, head, stale)
    screen = submit(services, head, screen)
    view = services.reports.view(people["office"], screen.ref.report_id)
    assert dict(view.contributors)["Lê Thị Bình"] == 1 and dict(view.contributors)["Nguyễn Văn An"] > 1
    with services.db.session() as session:
        version = session.exec(select(ReportVersion)).one()
        assert version.answered_by["infra_policy"] == deputy.person_id and version.submitted_by == head.person_id


def test_two_processes_pressing_at_once_count_once(services, people, settings, db, clock):
    head = people["head"]
    screen = services.reports.open(head, annual(services))
    rid, step = screen.ref.report_id, screen.ref.step
    processes = [build_services(settings, db, clock) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda pair: pair[1].reports.type_text(head, rid, step, f"Trả lời {pair[0]}"),
                                enumerate(processes)))
    assert sum(1 for r in results if r.note is None) == 1
    final = services.reports.current(head, rid)
    assert final.ref.step == step + 1 and final.question.id == "digital_tasks"
    with services.db.session() as session:
        assert len(session.exec(select(ReportAnswer).where(ReportAnswer.report_id == rid)).all()) == 1


def test_versions_reopen_return_and_accept(services, people):
    head, office, pid = people["head"], people["office"], annual(services)
    screen = submit(services, head, fill(services, head, services.reports.open(head, pid)))
    rid = screen.ref.report_id
    locked = services.reports.act(head, rid, screen.ref.step, "s")  # a submitted report is frozen
    assert locked.mode == Mode.LOCKED and "already been submitted" in locked.note
    screen = services.reports.reopen(head, rid, 1)  # the unit takes version 1 back before the Office decides
    assert screen.mode == Mode.REVIEW and screen.event == "reopened"
    with pytest.raises(DomainError, match="taken this report back"):
        services.reports.accept(office, rid, 1)
    screen = services.reports.type_text(head, rid, screen.ref.step, "sửa 1")
    screen = services.reports.type_text(head, rid, screen.ref.step, "Nội dung đã bổ sung")
    screen = submit(services, head, screen)
    assert screen.ref.version == 2
    with pytest.raises(DomainError, match="comment"):
        services.reports.return_for_revision(office, rid, 2, "   ")
    result = services.reports.return_for_revision(office, rid, 2, "Đề nghị bổ sung số liệu giải ngân.")
    assert result.ref.state == ReportState.RETURNED and result.comment == "Đề nghị bổ sung số liệu giải ngân."
    with pytest.raises(DomainError, match="already been returned"):
        services.reports.accept(office, rid, 2)
    screen = services.reports.current(head, rid)
    assert screen.mode == Mode.REVIEW and screen.ref.return_comment == "Đề nghị bổ sung số liệu giải ngân."
    screen = submit(services, head, screen)
    with pytest.raises(DomainError, match="no longer the latest"):
        services.reports.accept(office, rid, 2)
    accepted = services.reports.accept(office, rid, 3)
    assert accepted.ref.state == ReportState.ACCEPTED
    with pytest.raises(DomainError, match="already been accepted"):
        services.reports.accept(office, rid, 3)
    with pytest.raises(DomainError, match="accepted"):
        services.reports.reopen(head, rid, 3)
    view = services.reports.view(office, rid, 1)
    assert [v.review_state for v in view.versions] == ["withdrawn", "returned", "accepted"]
    assert view.answers["infra_policy"] == "Đã triển khai theo kế hoạch."
    assert services.reports.view(office, rid, 3).answers["infra_policy"] == "Nội dung đã bổ sung"
    assert services.progress.for_unit(pid, head.unit_id).stage == UnitStage.ACCEPTED
    with services.db.session() as session:
        actions = {a.action for a in session.exec(select(AuditLog).where(AuditLog.entity == "report"))}
    assert {"report.start", "report.answer", "report.submit", "report.reopen", "report.returned",
            "report.accepted", "report.view"} <= actions


def test_late_submission_is_accepted_and_marked_late(services, people, clock):
    head, pid = people["head"], annual(services)
    screen = fill(services, head, services.reports.open(head, pid))
    clock.set(datetime(2026, 12, 21, 8, 0, tzinfo=TZ))  # the deadline was 20 December
    screen = services.reports.current(head, screen.ref.report_id)
    assert screen.ref.overdue
    screen = submit(services, head, screen)
    assert screen.ref.is_late and services.progress.for_unit(pid, head.unit_id).stage == UnitStage.SUBMITTED_LATE
    # Another unit with an extension to the end of the month is on time.
    ttud = people["ttud"]
    with services.db.session() as session:
        session.add(DeadlineExtension(period_id=pid, unit_id=ttud.unit_id, deadline=date(2026, 12, 31),
                                      reason="Chờ số liệu quyết toán", created_at=clock.now()))
    screen = submit(services, ttud, fill(services, ttud, services.reports.open(ttud, pid)))
    assert not screen.ref.is_late


def test_closed_period_and_early_period(services, people, clock):
    head, pid = people["head"], annual(services)
    screen = services.reports.open(head, pid)
    clock.set(datetime(2027, 1, 25, 9, 0, tzinfo=TZ))  # after the late-acceptance window
    assert pid not in [p.period_id for p, _r in services.reports.open_periods(head)]
    with pytest.raises(DomainError, match="closed"):
        services.reports.act(head, screen.ref.report_id, screen.ref.step, "s")
    assert services.reports.current(head, screen.ref.report_id).mode == Mode.LOCKED
    with pytest.raises(DomainError, match="closed"):
        services.reports.open(people["ttud"], pid)
    with pytest.raises(DomainError, match="not open yet"):
        services.reports.open(head, period_id(services, "2027-Y"))


def test_permissions(services, people):
    head, ttud, office, director = people["head"], people["ttud"], people["office"], people["director"]
    screen = services.reports.open(head, annual(services))
    rid = screen.ref.report_id
    step = screen.ref.step
    for call in (lambda: services.reports.current(ttud, rid), lambda: services.reports.act(ttud, rid, step, "s"),
                 lambda: services.reports.type_text(ttud, rid, screen.ref.step, "xin chào"),
                 lambda: services.reports.view(ttud, rid), lambda: services.reports.current(office, rid),
                 lambda: services.reports.open(director, annual(services))):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(DomainError, match="not submitted"):
        services.reports.view(director, rid)
    assert services.reports.view(head, rid).shown_version == 0  # the unit reads its own draft
    submit(services, head, fill(services, head, services.reports.current(head, rid)))
    assert services.reports.view(director, rid).shown_version == 1
    for call in (lambda: services.reports.accept(director, rid, 1), lambda: services.reports.accept(head, rid, 1),
                 lambda: services.reports.return_for_revision(ttud, rid, 1, "Không được phép")):
        with pytest.raises(PermissionDenied):
            call()
    with services.db.session() as session:
        assert session.get(Report, rid).state == ReportState.SUBMITTED.value
