"""Vietnamese labels of questions and options from the questionnaire files (config/questionnaires/)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.questionnaire.model import Question, Questionnaire

log = logging.getLogger(__name__)


class QuestionnaireLabels:
    """A question's short Vietnamese label and its options' labels; the newest version wins."""

    def __init__(self, questionnaires: Iterable[Questionnaire]) -> None:
        self._questions: dict[str, Question] = {}
        for questionnaire in sorted(questionnaires, key=lambda q: q.version):
            self._questions.update({q.id: q for q in questionnaire.questions})

    def label(self, question_id: str) -> str | None:
        question = self._questions.get(question_id)
        return question.short_label("vi") if question else None

    def option_label(self, question_id: str, code: str) -> str | None:
        question = self._questions.get(question_id)
        option = question.option(code) if question else None
        return option.text("vi") if option else None


def load_labels() -> QuestionnaireLabels | None:
    """From the questionnaire folder; a broken file leaves the documents with question ids, not a failure."""
    from bot.questionnaire.loader import load_dir

    try:
        return QuestionnaireLabels(load_dir().values())
    except Exception:  # the report must still be produced: it names answers by id instead
        log.exception("could not load the questionnaires for the report's labels")
        return None
