"""What one action does to a draft, inside the transaction that claimed the report's step; and the typed words that
drive a report without buttons (the Zalo channel has none): the action each one means."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.contracts import ReportState
from bot.domain import Actor, DomainError
from bot.i18n import N_
from bot.questionnaire.model import NO_WORDS, YES_WORDS, QType, Question, parse_typed
from bot.text import fold, parse_index, parse_int
from bot.services.reports.base import (
    CONFIRM, REVIEW, Loaded, Mode, Screen, first_open, missing_required, normalised, previous,
)
from storage import audit
from storage.models import ReportAnswer, ReportVersion

INVALID = N_("This button is no longer valid.")
NONE_OPTION = "none"  # a multiple choice's "none yet" ("Chưa triển khai"): chosen alone or not at all


class ListWordRefused(DomainError):
    """Free text on a list's screen (not "thêm", "xóa 2" or "xong"): nothing changed and the list is the message
    just above, so the refusal is answered alone, without the whole screen again."""


@dataclass
class Outcome:
    cursor: dict[str, Any]
    note: str | None = None
    event: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def write_answer(session: Session, loaded: Loaded, actor: Actor, question_id: str, value: Any, now: datetime) -> None:
    """Store one answer (None: skipped) and audit it with the value it replaces."""
    row = loaded.rows.get(question_id)
    before = {question_id: row.value} if row is not None else None
    if row is None:
        row = ReportAnswer(report_id=loaded.report.id, question_id=question_id, value=value,
                           answered_by=actor.person_id, answered_at=now)
        loaded.rows[question_id] = row
    else:
        row.value, row.answered_by, row.answered_at = value, actor.person_id, now
    session.add(row)
    audit.record(session, at=now, actor_id=actor.person_id, action="report.answer", entity="report",
                 entity_id=loaded.report.id, before=before, after={question_id: value})


def _numbered(action: str, prefix: str) -> bool:
    """"o3", "d2", "e12": an action code with the number of an option, an entry or a question."""
    return action.startswith(prefix) and parse_int(action[len(prefix):]) is not None


def _index(token: str, prefix: str, count: int) -> int:
    """The 1-based number in "o3" / "e12"; INVALID when out of range."""
    number = parse_index(token[len(prefix):], count)
    if number is None:
        raise DomainError(INVALID)
    return number


def apply_action(session: Session, loaded: Loaded, actor: Actor, action: str, value: Any, now: datetime) -> Outcome:
    cursor = normalised(dict(loaded.report.cursor or {}), loaded.applicable(), loaded.answers)
    at = cursor.get("at")
    if action == "rv":
        return Outcome({"at": REVIEW})
    if at == REVIEW:
        return _in_review(loaded, action)
    if at == CONFIRM:
        if action == "cf":
            return submit(session, loaded, actor, now)
        raise DomainError(INVALID)
    question = loaded.questionnaire.question(at)
    field_ = question.field_by_id(cursor.get("field") or "") if question.type == QType.GROUP else None
    if action == "b":
        return _back(loaded, cursor, question, field_)
    if question.type == QType.GROUP and field_ is None:
        return _group_screen(session, loaded, actor, cursor, question, action, now)
    target = field_ or question
    if action in ("y", "n"):
        if target.type != QType.YESNO:
            raise DomainError(INVALID)
        action, value = "answer", action == "y"
    elif _numbered(action, "o") and target.type in (QType.SINGLE, QType.MULTI):
        option = target.options[_index(action, "o", len(target.options)) - 1]
        if target.type == QType.MULTI:
            return _toggle(loaded, cursor, target, option.code)
        action, value = "answer", option.code
    elif action == "ok" and target.type == QType.MULTI:
        picks = cursor.get("picks") if cursor.get("picks_for") == target.id else None
        if picks is None:
            picks = list(_current_value(loaded, cursor, question, field_) or [])
        if not picks:
            raise DomainError(N_("Please choose at least one option: type their numbers, for example \"1, 3\"."))
        action, value = "answer", [o.code for o in target.options if o.code in picks]
    if action == "answer":
        return _answered(session, loaded, actor, cursor, question, field_, value, now)
    if action == "s":
        return _skip(session, loaded, actor, cursor, question, field_, now)
    raise DomainError(INVALID)


def _current_value(loaded: Loaded, cursor: dict, question: Question, field_: Question | None) -> Any:
    if field_ is not None:
        return (cursor.get("item") or {}).get(field_.id)
    return loaded.answers.get(question.id)


def _toggle(loaded: Loaded, cursor: dict, target: Question, code: str) -> Outcome:
    picks = cursor.get("picks") if cursor.get("picks_for") == target.id else None
    if picks is None:
        picks = list(loaded.answers.get(target.id) or []) if target.id in loaded.answers else []
    picks = [p for p in picks if p != code] if code in picks else [*picks, code]
    return Outcome({**cursor, "picks": picks, "picks_for": target.id})


def _advance(loaded: Loaded, after: str) -> dict[str, Any]:
    return {"at": first_open(loaded.applicable(), loaded.answers, after=after)}


def _answered(session: Session, loaded: Loaded, actor: Actor, cursor: dict, question: Question,
              field_: Question | None, value: Any, now: datetime) -> Outcome:
    target = field_ or question
    if target.type == QType.MULTI and NONE_OPTION in value and len(value) > 1:
        none = next(o for o in target.options if o.code == NONE_OPTION)
        raise DomainError(N_("\"{none}\" cannot be chosen together with other options. Please choose again."),
                          none=none.label)
    if target.type == QType.DATE and isinstance(value, str) and value > now.date().isoformat():
        # every date the questionnaire asks is of something done (a programme issued): never after today
        raise DomainError(N_("The date {date} is after today. Please check it and type it again."),
                          date=date.fromisoformat(value).strftime("%d/%m/%Y"))
    if field_ is None:
        _check_derived(loaded, question, value)
        write_answer(session, loaded, actor, question.id, value, now)
        return Outcome(_advance(loaded, question.id), *_derived_note(loaded, question))
    item = {**(cursor.get("item") or {}), field_.id: value}
    return _next_field(session, loaded, actor, cursor, question, field_, item, now)


def _check_derived(loaded: Loaded, question: Question, value: Any) -> None:
    """Refuse a figure that makes a computed share impossible (e.g. more disbursed than the capital plan)."""
    answers = {**loaded.answers, question.id: value}
    for derived in loaded.questionnaire.derived:
        share = derived.compute(answers) if question.id in (derived.numerator, derived.denominator) else None
        if share is not None and derived.max_value is not None and share > derived.max_value:
            raise DomainError(N_("With this figure, {label} would be {value_pct}, above {max_pct}. Please check "
                                 "the amounts and type this one again."),
                              label=derived.label, value_pct=share, max_pct=derived.max_value)


def _derived_note(loaded: Loaded, question: Question) -> tuple[str | None, None, dict[str, Any]]:
    """After the disbursed amount (or the plan): the share disbursed, compared with the target."""
    for derived in loaded.questionnaire.derived:
        value = derived.compute(loaded.answers) if question.id in (derived.numerator, derived.denominator) else None
        if value is None:
            continue
        params = {"label": derived.label, "value_pct": value, "target_pct": derived.target}
        if derived.target is None:
            return N_("{label}: {value_pct}."), None, params
        if value >= derived.target:
            return N_("{label}: {value_pct}; the target of {target_pct} is reached."), None, params
        return N_("{label}: {value_pct}; the target of {target_pct} is not yet reached."), None, params
    return None, None, {}


def _next_field(session: Session, loaded: Loaded, actor: Actor, cursor: dict, group: Question, field_: Question,
                item: dict, now: datetime) -> Outcome:
    index = group.fields.index(field_)
    if index + 1 < len(group.fields):
        return Outcome({"at": group.id, "field": group.fields[index + 1].id, "item": item})
    items = [*(loaded.answers.get(group.id) or []), item]
    write_answer(session, loaded, actor, group.id, items, now)
    return Outcome({"at": group.id}, N_("Entry {n} added."), params={"n": len(items)})


def _skip(session: Session, loaded: Loaded, actor: Actor, cursor: dict, question: Question, field_: Question | None,
          now: datetime) -> Outcome:
    """Skip an optional question, or keep the answer already given; an answer is never erased by skipping."""
    if field_ is not None:
        item = dict(cursor.get("item") or {})
        if field_.required and item.get(field_.id) is None:
            raise DomainError(N_("This question is required and cannot be skipped."))
        return _next_field(session, loaded, actor, cursor, question, field_, item, now)
    if question.id in loaded.answers and loaded.answers[question.id] is not None:
        return Outcome(_advance(loaded, question.id))
    if question.required:
        raise DomainError(N_("This question is required and cannot be skipped."))
    write_answer(session, loaded, actor, question.id, None, now)
    return Outcome(_advance(loaded, question.id))


def _back(loaded: Loaded, cursor: dict, question: Question, field_: Question | None) -> Outcome:
    if field_ is not None:
        index = question.fields.index(field_)
        if index == 0:
            return Outcome({"at": question.id})
        return Outcome({**cursor, "field": question.fields[index - 1].id})
    before = previous(loaded.applicable(), question.id)
    if before is None:
        return Outcome({"at": question.id}, N_("This is the first question."))
    return Outcome({"at": before})


def _group_screen(session: Session, loaded: Loaded, actor: Actor, cursor: dict, group: Question, action: str,
                  now: datetime) -> Outcome:
    """A repeatable group's own screen: add an entry, remove one, or finish the list."""
    items = list(loaded.answers.get(group.id) or [])
    if action == "add":
        if len(items) >= group.max_items:
            raise DomainError(N_("At most {n} entries can be given here."), n=group.max_items)
        return Outcome({"at": group.id, "field": group.fields[0].id, "item": {}})
    if _numbered(action, "d"):
        number = _index(action, "d", len(items))
        removed = items.pop(number - 1)
        write_answer(session, loaded, actor, group.id, items, now)
        return Outcome({"at": group.id}, N_("Entry {n} removed."), params={"n": number, "removed": removed})
    if action in ("ok", "s"):
        if group.required and not items:
            raise DomainError(N_("Please add at least one entry."))
        if group.id not in loaded.answers or loaded.answers[group.id] is None:
            write_answer(session, loaded, actor, group.id, items, now)
        return Outcome(_advance(loaded, group.id))
    raise DomainError(INVALID)


def _in_review(loaded: Loaded, action: str) -> Outcome:
    applicable = loaded.applicable()
    if action == "b":
        return Outcome({"at": applicable[-1].id})
    if _numbered(action, "e"):
        return Outcome({"at": applicable[_index(action, "e", len(applicable)) - 1].id})
    if action == "sub":
        missing = missing_required(applicable, loaded.answers)
        if missing:
            return Outcome({"at": missing[0].id}, N_("Some required questions are not answered yet. "
                                                     "Please answer this one first."))
        return Outcome({"at": CONFIRM})
    raise DomainError(INVALID)


def submit(session: Session, loaded: Loaded, actor: Actor, now: datetime) -> Outcome:
    """Freeze the answers as a new version (chốt số liệu); late when after the unit's own deadline."""
    report = loaded.report
    applicable = loaded.applicable()
    missing = missing_required(applicable, loaded.answers)
    if missing:
        return Outcome({"at": missing[0].id}, N_("Some required questions are not answered yet. "
                                                 "Please answer this one first."))
    answers = {q.id: loaded.answers[q.id] for q in applicable if loaded.answers.get(q.id) is not None}
    answered_by = {qid: loaded.rows[qid].answered_by for qid in answers}
    answers.update(loaded.questionnaire.derived_values(answers))
    late = now.date() > loaded.info.deadline  # `now` is local time (Asia/Ho_Chi_Minh), like the deadline
    version = report.version + 1
    session.add(ReportVersion(report_id=report.id, version=version, answers=answers, answered_by=answered_by,
                              submitted_at=now, submitted_by=actor.person_id, is_late=late))
    before = {"state": report.state, "version": report.version}
    report.state, report.version = ReportState.SUBMITTED.value, version
    report.submitted_at, report.submitted_by = now, actor.person_id
    if version == 1:  # the first submission decides whether the unit reported late
        report.is_late = late
    audit.record(session, at=now, actor_id=actor.person_id, action="report.submit", entity="report",
                 entity_id=report.id, before=before, after={"state": report.state, "version": version, "is_late": late})
    return Outcome({"at": REVIEW}, event="submitted")


# Typed words ---------------------------------------------------------------------------------------------------
SKIP = {"bo qua", "skip", "giu nguyen", "giu", "keep"}
BACK = {"quay lai", "back", "tro lai", "lui"}
LEAVE = {"tam dung", "luu", "luu va thoat", "save", "thoat", "leave", "pause"}
REVIEW_WORDS = {"xem lai", "review"}
DONE = {"xong", "done", "ok", "het", "khong co", "khong", "no", "finish"}
ADD = {"them", "add", "co", "yes", "them moi"}
SUBMIT = {"gui", "gui bao cao", "nop", "submit", "send"}
CONFIRM_WORDS = {"xac nhan", "dong y", "confirm", "gui", "submit"} | YES_WORDS
_NUMBERED = re.compile(r"^(sua|edit|xoa|delete|remove)?\s*(\d{1,3})$")
_PAGE = re.compile(r"^(?:muc|phan|part|trang|page)\s*(\d{1,2})$")


def typed_page(text: str) -> int | None:
    """The review page a typed "Mục 2" (the label of the review's "Mục 2 »" button) asks for, 1-based; else None.
    On Zalo, which has no buttons, typing it is the only way to see the review's other sections."""
    match = _PAGE.match(fold(text).strip(" .!«»"))
    return int(match.group(1)) if match else None


def typed_action(screen: Screen, text: str) -> tuple[str, Any]:
    """("answer", value) or (action code, None) for a typed message; DomainError explains a bad answer."""
    key = fold(text).strip(" .!")
    if key in LEAVE:
        return "l", None
    if screen.mode == Mode.REVIEW:
        if key in SUBMIT:
            return "sub", None
        if key in BACK:
            return "b", None
        numbered = _NUMBERED.match(key)
        if numbered and numbered.group(1) in (None, "sua", "edit"):
            return f"e{numbered.group(2)}", None
        raise DomainError(N_("Type \"sửa\" and a question number to change an answer (for example \"sửa 3\"), "
                             "or \"gửi\" to submit the report."))
    if screen.mode == Mode.CONFIRM:
        if key in CONFIRM_WORDS:
            return "cf", None
        if key in BACK or key in NO_WORDS:
            return "rv", None
        raise DomainError(N_("Type \"xác nhận\" to submit the report, or \"quay lại\" to go back to the review."))
    if screen.mode != Mode.ASK or screen.question is None:
        raise DomainError(N_("This report cannot be changed now."))
    if key in BACK:
        return "b", None
    if key in SKIP:
        return "s", None
    target = screen.group_field or screen.question
    stored = (screen.item or {}).get(target.id) if screen.group_field else screen.answers.get(target.id)
    if target.type == QType.ATTACHMENT and key in NO_WORDS and stored is None:
        # "Đơn vị có tài liệu minh chứng gửi kèm không?" answered "không" before any file: "bỏ qua"
        return "s", None
    if key in REVIEW_WORDS or key in SUBMIT or key in {"xac nhan", "confirm"}:
        # "gửi" typed at a question (often right after "sửa 3") means "I am done", never the answer itself: the
        # review comes back, where "gửi" submits.
        return "rv", None
    question = screen.group_field or screen.question
    if question.type == QType.GROUP:
        numbered = _NUMBERED.match(key)
        if key in ADD:
            return "add", None
        if key in DONE:
            return "ok", None
        if numbered and numbered.group(1) in ("xoa", "delete", "remove"):
            return f"d{numbered.group(2)}", None
        raise ListWordRefused(N_("Type \"thêm\" to add an entry, \"xóa\" and a number to remove one, "
                                 "or \"xong\" when the list is complete."))
    if question.type == QType.MULTI and key in DONE and screen.picks:
        return "ok", None
    return "answer", parse_typed(question, text)
