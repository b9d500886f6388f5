"""One meaning of "answered" everywhere, and the hint offers "bỏ qua" only where skipping is possible."""

from __future__ import annotations

from bot.domain import Role
from bot.i18n import I18n
from bot.questionnaire.model import QType, answered_count, is_answered
from bot.services.reports.base import Mode
from handlers.reports.render import render_question, render_review
from handlers.reports.render_review import render_office_notice
from tests.report_helpers import FILE, TYPED_DEFAULTS, person
from tests.world import period_id


def test_is_answered():
    class Q:  # the two attributes the rule reads
        def __init__(self, qid: str, required: bool) -> None:
            self.id, self.required = qid, required

    answers = {"a": None, "b": "x", "c": [], "d": [], "e": 0, "f": False}
    assert not is_answered(Q("a", False), answers)  # skipped
    assert is_answered(Q("b", True), answers)
    assert is_answered(Q("c", False), answers)  # "none" is an answer to an optional list
    assert not is_answered(Q("d", True), answers)  # a required list needs an entry
    assert is_answered(Q("e", True), answers) and is_answered(Q("f", True), answers)
    assert not is_answered(Q("z", False), answers)
    assert answered_count([Q(k, False) for k in "abcdefz"], answers) == 5


def test_skipped_answers_are_not_counted_and_hints_match_the_rule(services):
    head = person(services, "Nguyễn Văn An", Role.UNIT_HEAD, "khtc", "3001")
    tr = I18n("vi").get("vi")
    reports = services.reports
    screen = reports.open(head, period_id(services, "2026-Y"))
    skipped = 0
    for _guard in range(200):
        if screen.mode != Mode.ASK:
            break
        question, field_ = screen.question, screen.group_field
        target = field_ or question
        out = render_question(tr, screen)
        labels = [b.label for row in out.buttons for b in row]
        if target.required and not screen.has_value:
            assert "bỏ qua" not in out.text and "Bỏ qua" not in labels, target.id
        elif question.type != QType.GROUP or field_ is not None:
            assert "Bỏ qua" in labels or "Giữ nguyên" in labels, target.id
        rid, step = screen.ref.report_id, screen.ref.step
        if question.type == QType.GROUP and field_ is None:
            screen = reports.type_text(head, rid, step, "xong")
        elif not target.required and field_ is None and question.type != QType.GROUP:
            screen = reports.type_text(head, rid, step, "bỏ qua")
            skipped += 1
        elif target.type == QType.ATTACHMENT:
            screen = reports.send_file(head, rid, step, FILE)
        else:
            screen = reports.type_text(head, rid, step, TYPED_DEFAULTS[target.type])
    assert screen.mode == Mode.REVIEW and skipped > 0
    total = len(screen.applicable)
    answered = answered_count(screen.applicable, screen.answers)
    assert answered < total - skipped + 1
    assert f"đã trả lời {answered}/{total}" in render_review(tr, screen).text
    assert screen.ref.answered == answered  # the stored count that progress and status read
    screen = reports.type_text(head, screen.ref.report_id, screen.ref.step, "gửi")
    screen = reports.type_text(head, screen.ref.report_id, screen.ref.step, "xác nhận")
    notice = render_office_notice(tr, reports.notice(screen.ref.report_id, screen.ref.version))
    assert f"{answered}/{total}" in notice.text
    progress = {p.unit_id: p for p in services.progress.by_unit(period_id(services, "2026-Y"))}
    assert progress[head.unit_id].answered == answered
