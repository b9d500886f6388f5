"""Where a report's conversation stands (its cursor) and where each action moves it; pure functions.

The cursor is stored on Report.cursor:
  at      the current question id, or "@review" / "@confirm"
  field   inside a repeatable group: the field being asked (absent on the group's own screen)
  item    the group entry being filled in (kept in the database, so a restart loses nothing)
  picks   multiple choice selected so far with buttons, and `picks_for` the question they belong to
  by      the person who made the last change (to tell a colleague who moved the report on)
"""

from __future__ import annotations

from typing import Any

from bot.questionnaire.answers import is_answered
from bot.questionnaire.model import Question

REVIEW, CONFIRM = "@review", "@confirm"


def first_open(applicable: list[Question], answers: dict[str, Any], after: str | None = None) -> str:
    """The first unanswered question after `after` (else from the start), or the review."""
    ids = [q.id for q in applicable]
    start = ids.index(after) + 1 if after in ids else 0
    for qid in ids[start:] + ids[:start]:
        if qid not in answers:
            return qid
    return REVIEW


def previous(applicable: list[Question], at: str) -> str | None:
    ids = [q.id for q in applicable]
    if at in (REVIEW, CONFIRM):
        return ids[-1] if ids else None
    index = ids.index(at) if at in ids else 0
    return ids[index - 1] if index > 0 else None


def normalised(cursor: dict[str, Any], applicable: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The cursor, moved on if its question no longer applies (an earlier answer changed meanwhile)."""
    at = cursor.get("at")
    if at in (REVIEW, CONFIRM) or at in {q.id for q in applicable}:
        return cursor
    return {"at": first_open(applicable, answers), "by": cursor.get("by")}


def missing_required(applicable: list[Question], answers: dict[str, Any]) -> list[Question]:
    """Required questions without an answer (a required group needs at least one entry)."""
    return [q for q in applicable if q.required and not is_answered(q, answers)]
