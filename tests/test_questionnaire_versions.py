"""The questionnaire's versions on the desk (page 7) and the official report's organisation data (page 5), as
services: an upload checked by the loader's own rules with each problem's line, versions that only move forward,
an activation that reaches another process's next report start with no statement of its own, started reports
that keep their version; the movement's name and the plan cited by the DOCX and mirrored by the preview."""

from __future__ import annotations

import io

import pytest
from docx import Document
from sqlmodel import select

from bot.documents.docx_html import Columns, read
from bot.domain import DomainError, PermissionDenied
from bot.questionnaire.loader import QUESTIONNAIRES_DIR, check_text
from bot.services import build_services
from storage.models import Report
from tests.test_unit_of_work import statements_of
from tests.world import head, office, period_id

QUESTION = "vi: Trong kỳ, đơn vị đã làm gì để nâng cao chất lượng quy hoạch"
REWORDED = "vi: Trong kỳ, đơn vị đã làm những gì để nâng cao chất lượng quy hoạch"


def numbered(text: str) -> int:
    return int(text.split("\nversion: ", 1)[1].split("\n", 1)[0])


def test_every_problem_is_named_with_its_line():
    text = (QUESTIONNAIRES_DIR / "thidua-v3.yaml").read_text(encoding="utf-8")
    assert check_text(text)[1] == ()
    lines = text.split("\n")
    wrong = text.replace("type: multi\n", "type: multiple\n", 1).replace("- id: infra_policy", "- id: Infra", 1)
    wrong = wrong.replace("max: 1000000000000000", "max: 1000000000000000000", 1)
    _none, problems = check_text(wrong)
    assert [p.where for p in problems][:2] == ["question 'Infra'", "question 'digital_tasks'"], problems
    assert problems[0].line == next(n for n, line in enumerate(lines, 1) if "- id: infra_policy" in line)
    assert wrong.split("\n")[problems[1].line - 1].strip() == "type: multiple"
    assert all(p.line for p in problems)
    _none, broken = check_text("code: thidua\nversion: [4\n")
    assert broken[0].line == 3 and "not valid YAML" in broken[0].problem


def test_versions_only_move_forward_and_only_the_office_changes_them(services):
    clerk, unit_head = office(services), head(services)
    service = services.questionnaires
    with pytest.raises(PermissionDenied):
        service.versions(unit_head)
    with pytest.raises(PermissionDenied):
        service.upload(unit_head, service.next_draft(clerk))
    draft = service.next_draft(clerk)
    newest = numbered(draft)
    old = draft.replace(f"\nversion: {newest}\n", "\nversion: 2\n", 1)
    refused = service.upload(clerk, old)
    assert refused.version is None and refused.problems[0].where == "version" and refused.problems[0].line
    other = service.upload(clerk, draft.replace("\ncode: thidua\n", "\ncode: khac\n", 1).replace(
        "code: thidua\n", "code: khac\n", 1))
    assert other.version is None and other.problems[0].where == "code"
    first = service.upload(clerk, draft)
    assert first.version.version == newest and first.version.activated_at is None and not first.version.current
    again = service.upload(clerk, draft.replace(QUESTION, REWORDED, 1))  # not activated yet: replaced
    assert again.version.version == newest
    with pytest.raises(DomainError):
        service.activate(clerk, newest - 1)
    service.activate(clerk, newest)
    with pytest.raises(DomainError):
        service.activate(clerk, newest)  # once
    assert service.upload(clerk, draft).version is None  # an active version is never replaced
    assert [v.version for v in service.versions(clerk)][:2] == [newest, newest - 1]
    assert REWORDED in service.version(clerk, newest)[1]


def test_an_activation_reaches_another_process_at_its_next_report_start(settings, db, clock, services):
    clerk, unit_head = office(services), head(services)
    other = services.people.add_person(
        full_name="Trần Thị Bình", role=unit_head.role, telegram_id="881", unit_id=services.org.find_unit("qlkh").unit_id)
    second = build_services(settings, db, clock)  # another process: its own store, already reading the newest
    started = second.reports.open(unit_head, period_id(second, "2026-Y"))
    kept = started.ref.questionnaire_version
    draft = services.questionnaires.next_draft(clerk).replace(QUESTION, REWORDED, 1)
    services.questionnaires.upload(clerk, draft)
    services.questionnaires.activate(clerk, numbered(draft))
    seen = statements_of(db)
    screen = second.reports.open(other, period_id(second, "2026-Y"))
    assert screen.ref.questionnaire_version == numbered(draft) == kept + 1
    assert "đã làm những gì để nâng cao" in screen.question.text["vi"]
    own = [s for s in seen if s.lstrip().startswith("SELECT questionnairesnapshot.")]
    assert len(own) == 1 and ".definition" in own[0]  # the new version's definition, read once; no version check
    with db.session() as session:
        versions = dict(session.exec(select(Report.unit_id, Report.questionnaire_version)).all())
    assert versions[unit_head.unit_id] == kept  # started before: keeps its version
    assert second.reports.open(unit_head, period_id(second, "2026-Y")).ref.questionnaire_version == kept


def test_the_movement_and_plan_are_cited_and_the_preview_is_the_docx(services):
    clerk = office(services)
    pid = period_id(services)
    with pytest.raises(PermissionDenied):
        services.org.set_movement(head(services), "Phong trào thi đua “Đổi mới sáng tạo”")
    with pytest.raises(DomainError):
        services.org.set_movement(clerk, "ngắn")
    services.org.set_movement(clerk, "Phong trào thi đua “Đổi mới sáng tạo, chuyển đổi số”")
    services.org.set_plan(clerk, "15/KH-SKHCN", "20/01/2026")
    docx = services.official_report.export(clerk, pid).docx
    printed = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert any("Đổi mới sáng tạo, chuyển đổi số" in t and t.startswith("Kết quả thực hiện") for t in printed)
    assert any("Kế hoạch số 15/KH-SKHCN ngày 20/01/2026" in t for t in printed)
    preview = services.official_report.preview(clerk, pid, {"leadership": "Đoạn thứ nhất.\n\nĐoạn thứ hai."})
    blocks = read(preview).blocks
    body = [b.text for b in blocks if not isinstance(b, Columns)]
    assert body == [p.text for p in Document(io.BytesIO(preview)).paragraphs]
    assert body[body.index("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN") + 1:][:2] == [
        "Đoạn thứ nhất.", "Đoạn thứ hai."]
    assert services.official_report.parts(clerk, pid)[0].is_draft  # the preview saved nothing
    with pytest.raises(PermissionDenied):
        services.official_report.preview(head(services, "qlkh"), pid, {})
