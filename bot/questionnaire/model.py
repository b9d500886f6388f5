"""A questionnaire as plain data: sections, questions, conditions; which questions apply to a report; and how a
typed answer (or a file) is read as the value stored for each question type (refusals explain with an example)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain import DomainError, meaningful_or_refuse
from bot.i18n import N_
from bot.periods import parse_vn_date
from bot.questionnaire.numbers import NumberFormatError, parse_integer, parse_money, parse_percent
from bot.text import clean_line, fold, nfc, parse_index, parse_int


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


YES_WORDS = {"co", "c", "yes", "y", "dung", "da co", "roi", "co a", "vang", "vang a", "da vang", "vang co"}
NO_WORDS = {"khong", "k", "ko", "no", "n", "chua", "khong co", "khong a", "chua co", "khong co a"}
_DOCREF = re.compile(r"^\d{1,5}[A-Z]?(/\d{4})?/[^\W_][\w&.\-]*(/[\w&.\-]+)*$", re.IGNORECASE)  # any letters: "CTr-TTƯD"

EXAMPLES = {
    QType.INTEGER: N_("Please type a whole number, for example 12 or 1.234."),
    QType.MONEY: N_("I could not read this amount. Please type it in đồng, for example 1.234.567, 250 triệu, "
                    "1,5 tỷ or 2 tỷ 300 triệu."),
    QType.PERCENT: N_("Please type a percentage, for example 80 or 80,5%."),
    QType.DATE: N_("Please type a date as day/month/year, for example 15/01/2026."),
    QType.DOCREF: N_("Please type the document's number and symbol, for example 15/KH-SKHCN."),
    QType.YESNO: N_("Please answer \"có\" (yes) or \"không\" (no)."),
    QType.ATTACHMENT: N_("Please send a photo or a file for this question."),
}


def is_answered(question: Question, answers: dict[str, Any]) -> bool:
    """The one meaning of "answered" (review, the Office's notice, progress, status): a value was given.

    A skipped question (stored as None) is settled, so it is not asked again, but it is not answered; a required
    list needs at least one entry.
    """
    value = answers.get(question.id)
    return value is not None and not (question.required and value == [])


def answered_count(questions: Iterable[Question], answers: dict[str, Any]) -> int:
    return sum(1 for q in questions if is_answered(q, answers))


def parse_yesno(text: str) -> bool | None:
    key = fold(text).strip(" .!")
    if key in YES_WORDS or key == "1":
        return True
    if key in NO_WORDS or key == "2":
        return False
    return None


def choose_option(question: Question, text: str) -> Option | None:
    """An option by its number ("2"), its code, its label, or one of its words, compared after `fold`."""
    key = fold(text).strip(" .")
    if parse_int(key) is not None:
        index = parse_index(key, len(question.options))
        return question.options[index - 1] if index is not None else None
    for option in question.options:
        if key in (option.code, *option.words) or key in (fold(t) for t in option.label.values()):
            return option
    return None


def parse_choices(question: Question, text: str) -> list[str]:
    """Several options: "1, 3", "1 3", "1;3"; each part as `choose_option` reads it. Kept in question order."""
    parts = [p for p in re.split(r"[,;\s]+" if re.fullmatch(r"[\d,;\s]+", text.strip()) else r"[,;\n]+", text)
             if p.strip()]
    chosen = set()
    for part in parts:
        option = choose_option(question, part)
        if option is None:
            raise DomainError(N_("\"{part}\" is not one of the options. Please type the numbers of the options "
                                 "you choose, separated by commas, for example \"1, 3\"."), part=part.strip())
        chosen.add(option.code)
    if not chosen:
        raise DomainError(N_("Please type the numbers of the options you choose, separated by commas, "
                             "for example \"1, 3\"."))
    return [o.code for o in question.options if o.code in chosen]


def _bounded(question: Question, value: float) -> None:
    low, high = question.min_value, question.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise DomainError(N_("The value must be between {low} and {high}."), low=_plain(low), high=_plain(high))
        if low is not None:
            raise DomainError(N_("The value must be at least {low}."), low=_plain(low))
        raise DomainError(N_("The value must be at most {high}."), high=_plain(high))


def _plain(number: float) -> str:
    return f"{number:,.0f}".replace(",", ".") if float(number).is_integer() else str(number).replace(".", ",")


def parse_date(text: str) -> date:
    """A full date with its year, in any of the forms `bot.periods.parse_vn_date` reads."""
    parsed = parse_vn_date(text.strip(" ."), None)
    if parsed is None:
        raise DomainError(EXAMPLES[QType.DATE])
    return parsed


def parse_docref(text: str) -> str:
    """A document number and symbol as typed ("12/CTr-SKHCN" keeps its case); all-lowercase typing is upper-cased."""
    value = clean_line(text).replace(" ", "")
    value = re.sub(r"^(SỐ|SO|NO\.?)[:.]?", "", value, flags=re.IGNORECASE)
    if value == value.lower():  # typed on a phone without caps: symbols are written in capitals
        value = value.upper()
    if not _DOCREF.match(value) or len(value) > 60:
        raise DomainError(EXAMPLES[QType.DOCREF])
    return value


def parse_typed(question: Question, text: str) -> Any:
    """The value to store for a typed answer to `question`, or a DomainError a person can act on."""
    text = nfc(text or "").strip()
    if not text:
        raise DomainError(N_("Please type an answer; an empty message cannot be saved."))
    qtype = question.type
    if qtype == QType.TEXT:
        meaningful_or_refuse(text)
        if len(text) > question.max_length:
            raise DomainError(N_("The answer is too long ({n} characters). Please keep it under {limit} characters."),
                              n=len(text), limit=question.max_length)
        return text
    if qtype == QType.YESNO:
        value = parse_yesno(text)
        if value is None:
            raise DomainError(EXAMPLES[QType.YESNO])
        return value
    if qtype == QType.SINGLE:
        option = choose_option(question, text)
        if option is None:
            raise DomainError(N_("Please choose one option: type its number (1 to {n})."),
                              n=len(question.options))
        return option.code
    if qtype == QType.MULTI:
        return parse_choices(question, text)
    if qtype == QType.DATE:
        return parse_date(text).isoformat()
    if qtype == QType.DOCREF:
        return parse_docref(text)
    if qtype == QType.ATTACHMENT:
        raise DomainError(EXAMPLES[QType.ATTACHMENT])
    try:
        if qtype == QType.INTEGER:
            value: Any = parse_integer(text)
        elif qtype == QType.MONEY:
            value = parse_money(text)
        else:
            value = float(parse_percent(text))
    except NumberFormatError:
        raise DomainError(EXAMPLES[qtype]) from None
    _bounded(question, value)
    return value


def file_value(question: Question, meta: dict[str, Any]) -> dict[str, Any]:
    """The stored attachment: Telegram's file id plus what a person needs to recognise the file."""
    if question.type != QType.ATTACHMENT:
        raise DomainError(N_("This question expects a typed answer, not a file."))
    return {"file_id": str(meta["file_id"]), "file_name": clean_line(str(meta.get("file_name") or ""))[:200],
            "mime_type": str(meta.get("mime_type") or ""), "size": int(meta.get("size") or 0),
            "kind": str(meta.get("kind") or "document")}
