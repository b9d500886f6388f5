"""A questionnaire as plain data: sections, questions, conditions; which questions apply to a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class QType:
    """Question types; the stored value of each is documented on bot.contracts.SubmittedReport."""

    TEXT = "text"
    YESNO = "yesno"
    SINGLE = "single"
    MULTI = "multi"
    INTEGER = "integer"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DOCREF = "docref"
    ATTACHMENT = "attachment"
    GROUP = "group"


QUESTION_TYPES = (QType.TEXT, QType.YESNO, QType.SINGLE, QType.MULTI, QType.INTEGER, QType.MONEY, QType.PERCENT,
                  QType.DATE, QType.DOCREF, QType.ATTACHMENT, QType.GROUP)
CHOICE_TYPES = (QType.SINGLE, QType.MULTI)


def pick_text(texts: dict[str, str], locale: str) -> str:
    """The text in `locale`, else Vietnamese (the questionnaire's first language)."""
    return texts.get(locale) or texts.get("vi") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]
    words: tuple[str, ...] = ()  # extra typed words (folded) that choose this option

    def text(self, locale: str) -> str:
        return pick_text(self.label, locale)


@dataclass(frozen=True)
class Condition:
    """When a question applies: all given parts must hold (unit codes, period kinds, an earlier answer)."""

    unit_in: tuple[str, ...] = ()
    period_kinds: tuple[str, ...] = ()
    question: str | None = None
    equals: tuple[Any, ...] = ()  # the earlier answer must be one of these

    def holds(self, unit_code: str, period_kind: str, answers: dict[str, Any]) -> bool:
        if self.unit_in and unit_code not in self.unit_in:
            return False
        if self.period_kinds and period_kind not in self.period_kinds:
            return False
        if self.question is not None:
            value = answers.get(self.question)
            if isinstance(value, list):  # multiple choice: any chosen option matches
                return any(v in self.equals for v in value)
            return value is not None and value in self.equals
        return True


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)  # label in the review; defaults to `text`
    required: bool = False
    options: tuple[Option, ...] = ()
    fields: tuple[Question, ...] = ()  # a repeatable group's fields
    min_value: float | None = None
    max_value: float | None = None
    max_length: int = 3000
    max_items: int = 20
    when: Condition | None = None
    section_id: str = ""

    def label(self, locale: str) -> str:
        return pick_text(self.text, locale)

    def short_label(self, locale: str) -> str:
        return pick_text(self.short, locale) if self.short else self.label(locale)

    def help_text(self, locale: str) -> str:
        return pick_text(self.help, locale) if self.help else ""

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def field_by_id(self, field_id: str) -> Question | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: dict[str, str]
    questions: tuple[Question, ...]

    def label(self, locale: str) -> str:
        return pick_text(self.title, locale)


@dataclass(frozen=True)
class Derived:
    """A figure computed from two money answers, e.g. the share of the capital plan disbursed."""

    id: str
    label: dict[str, str]
    numerator: str
    denominator: str
    target: float | None = None
    section_id: str = ""
    max_value: float | None = None  # a higher share means one of the two figures is wrong (disbursed > plan)

    def compute(self, answers: dict[str, Any]) -> float | None:
        top, bottom = answers.get(self.numerator), answers.get(self.denominator)
        if not isinstance(top, (int, float)) or not isinstance(bottom, (int, float)) or bottom <= 0:
            return None
        return round(100.0 * top / bottom, 2)


@dataclass(frozen=True)
class Questionnaire:
    code: str
    version: int
    title: dict[str, str]
    sections: tuple[Section, ...]
    derived: tuple[Derived, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # as loaded, for the snapshot

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def applicable(self, unit_code: str, period_kind: str, answers: dict[str, Any]) -> list[Question]:
        """The questions this unit is asked in this period, given the answers so far, in order."""
        return [q for q in self.questions if q.when is None or q.when.holds(unit_code, period_kind, answers)]

    def derived_values(self, answers: dict[str, Any]) -> dict[str, float]:
        values = {d.id: d.compute(answers) for d in self.derived}
        return {k: v for k, v in values.items() if v is not None}
