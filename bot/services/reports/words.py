"""Typed words that drive a report without buttons (the Zalo channel has none): the action each one means."""

from __future__ import annotations

import re
from typing import Any

from bot.domain import DomainError
from bot.i18n import N_
from bot.questionnaire.answers import NO_WORDS, YES_WORDS, parse_typed
from bot.questionnaire.model import QType
from bot.services.reports.base import Mode, Screen
from bot.text import fold


class ListWordRefused(DomainError):
    """Free text on a list's screen (not "thêm", "xóa 2" or "xong"): nothing changed and the list is the message
    just above, so the refusal is answered alone, without the whole screen again."""

SKIP = {"bo qua", "skip", "giu nguyen", "giu", "keep"}
BACK = {"quay lai", "back", "tro lai", "lui"}
LEAVE = {"tam dung", "luu", "luu va thoat", "save", "thoat", "leave", "pause"}
REVIEW = {"xem lai", "review"}
DONE = {"xong", "done", "ok", "het", "khong co", "khong", "no", "finish"}
ADD = {"them", "add", "co", "yes", "them moi"}
SUBMIT = {"gui", "gui bao cao", "nop", "submit", "send"}
CONFIRM = {"xac nhan", "dong y", "confirm", "gui", "submit"} | YES_WORDS
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
        if key in CONFIRM:
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
    if key in REVIEW or key in SUBMIT or key in {"xac nhan", "confirm"}:
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
