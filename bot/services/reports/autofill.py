"""Answering a questionnaire as a person types it, question by question: the sample report and the tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.domain import Actor
from bot.questionnaire.model import QType
from bot.services.reports.base import Mode, Screen
from bot.services.reports.service import ReportService


def type_until_review(reports: ReportService, actor: Actor, screen: Screen, *, typed: Mapping[str, Any],
                      groups: Mapping[str, list[list[str]]], defaults: Mapping[QType, str],
                      file: dict[str, Any] | None, empty_field: str = "",
                      text_for: Callable[[str], str] | None = None) -> Screen:
    """Answer up to the review: `typed` by question id, `groups` as entries of typed fields, `defaults` by
    question type (or `text_for(question id)` for free text); an attachment question gets `file`, or "bỏ qua"
    without one."""
    pending_groups = {key: list(entries) for key, entries in groups.items()}
    for _guard in range(300):
        if screen.mode != Mode.ASK:
            return screen
        question, field_ = screen.question, screen.group_field
        rid, step = screen.ref.report_id, screen.ref.step
        if question.type == QType.GROUP and field_ is None:
            pending = pending_groups.get(question.id) or []
            if pending:
                screen = reports.act(actor, rid, step, "add")
                for value in pending.pop(0):
                    screen = reports.type_text(actor, screen.ref.report_id, screen.ref.step, value or empty_field)
            else:
                screen = reports.type_text(actor, rid, step, "xong")
            continue
        target = field_ or question
        if field_ is None and target.id in typed:
            screen = reports.type_text(actor, rid, step, str(typed[target.id]))
        elif target.type == QType.ATTACHMENT:
            screen = reports.send_file(actor, rid, step, file) if file else reports.type_text(actor, rid, step, "bỏ qua")
        elif target.type == QType.TEXT and text_for is not None:
            screen = reports.type_text(actor, rid, step, text_for(target.id))
        else:
            screen = reports.type_text(actor, rid, step, defaults[target.type])
    raise RuntimeError("the questionnaire did not reach the review")
