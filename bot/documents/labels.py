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
        self._order: list[str] = []
        ordered = sorted(questionnaires, key=lambda q: q.version)
        for questionnaire in ordered:
            self._questions.update({q.id: q for q in questionnaire.questions})
        self._derived = {d.id for q in ordered for d in q.derived}
        for questionnaire in reversed(ordered):
            self._order += [q.id for q in questionnaire.questions if q.id not in self._order]

    def label(self, question_id: str) -> str | None:
        question = self._questions.get(question_id)
        return question.short_label("vi") if question else None

    def question(self, question_id: str) -> Question | None:
        """The question's definition (its type above all), newest version."""
        return self._questions.get(question_id)

    def is_derived(self, answer_id: str) -> bool:
        """A computed figure (the disbursement share), not a question: the report shows it with its inputs."""
        return answer_id in self._derived

    def order(self) -> list[str]:
        """Question ids in questionnaire order (newest version first, then ids only older versions had)."""
        return list(self._order)

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
