"""Reading and checking questionnaire files (config/questionnaires/<code>-v<version>.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT
from bot.contracts import (
    FORM_CHOICES, Q_CAPITAL_DISBURSED, Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_COMMENDATIONS, Q_DIFFICULTIES,
    Q_EXEMPLARS, Q_INITIATIVES, Q_PROPOSALS, Q_SAVINGS,
)
from bot.i18n import N_
from bot.periods import PeriodKind
from bot.questionnaire.model import (
    CHOICE_TYPES, QUESTION_TYPES, Condition, Derived, Option, QType, Question, Questionnaire, Section,
)
from bot.text import fold, nfc

QUESTIONNAIRES_DIR = PROJECT_ROOT / "config" / "questionnaires"
LANGUAGES = ("vi", "en")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_FILE = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)-v(?P<version>\d+)\.ya?ml$")
KINDS = {"collective", "individual"}
# The largest `max` a number question may have, and its bound when the file gives none: 10^15 đồng is a thousand
# times a province's yearly budget, so anything above is a typing slip, and stays far below float precision.
CEILINGS = {QType.MONEY: 10**15, QType.INTEGER: 10**9}

# The ids other features aggregate (bot/contracts.py): their type, and a group's fields, are fixed.
CONTRACT: dict[str, tuple[str, tuple[str, ...]]] = {
    Q_CAPITAL_HOLDS: (QType.YESNO, ()),
    Q_CAPITAL_PLAN: (QType.MONEY, ()),
    Q_CAPITAL_DISBURSED: (QType.MONEY, ()),
    Q_SAVINGS: (QType.MONEY, ()),
    Q_INITIATIVES: (QType.GROUP, ("title", "description", "author")),
    Q_EXEMPLARS: (QType.GROUP, ("kind", "name", "achievement")),
    Q_DIFFICULTIES: (QType.TEXT, ()),
    Q_PROPOSALS: (QType.TEXT, ()),
    Q_COMMENDATIONS: (QType.GROUP, ("target_kind", "name", "form", "achievement")),
}
# Choice fields whose option codes are fixed by the contract.
CONTRACT_OPTIONS: dict[tuple[str, str], tuple[frozenset[str], ...]] = {  # one of these sets, exactly
    (Q_EXEMPLARS, "kind"): (frozenset(KINDS),),
    (Q_COMMENDATIONS, "target_kind"): (frozenset(KINDS),),
    (Q_COMMENDATIONS, "form"): FORM_CHOICES,  # versions 1-2, and 3 on (titles of emulation apart from forms)
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a questionnaire: where ("question 'x'", "line 12"), what, and its line when known."""

    where: str
    problem: str  # in English, as the log and the command line read it
    line: int | None = None  # 1-based, in the YAML text
    msgid: str = ""  # the problem as a msgid with `params`, for the desk to say in the reader's language
    params: dict[str, Any] = field(default_factory=dict)


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; the message names the file and the question (one line each,
    when several questions are wrong: `problems`)."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class _Checker:
    """Builds the model from raw data, failing with a message that says where the problem is."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: dict[str, Question] = {}
        self.broken: set[str] = set()  # questions already found wrong: a later condition on them says nothing more

    def fail(self, where: str, problem: str, **params: Any) -> QuestionnaireError:
        """`problem` is a msgid (N_) filled with `params`: English here, the reader's language on the desk."""
        text = problem.format(**params)
        return QuestionnaireError(f"{self.source}: {where}: {text}", (Problem(where, text, None, problem, params),))

    def texts(self, raw: Any, where: str, name: str, required: bool = True) -> dict[str, str]:
        if raw is None and not required:
            return {}
        if isinstance(raw, str):
            raise self.fail(where, N_("'{name}' needs both languages, e.g. {name}: {{vi: ..., en: ...}}"), name=name)
        if not isinstance(raw, dict):
            raise self.fail(where, N_("'{name}' is missing"), name=name)
        missing = [lang for lang in LANGUAGES if not isinstance(raw.get(lang), str) or not raw[lang].strip()]
        if missing:
            raise self.fail(where, N_("'{name}' has no text in {languages}"), name=name,
                            languages=", ".join(missing))
        return {lang: nfc(str(raw[lang]).strip()) for lang in LANGUAGES}

    def options(self, raw: Any, where: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or len(raw) < 2:
            raise self.fail(where, N_("a choice needs at least two options"))
        options, codes = [], set()
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, dict) or not _ID.match(str(item.get("code", ""))):
                raise self.fail(where, N_("option {index} needs a 'code' of lowercase letters, digits and _"),
                                index=index)
            if item["code"] in codes:
                raise self.fail(where, N_("option code '{code}' is repeated"), code=item["code"])
            codes.add(item["code"])
            label = self.texts(item.get("label"), f"{where}, option '{item['code']}'", "label")
            words = tuple(fold(str(w)) for w in item.get("words", []) or [])
            options.append(Option(item["code"], label, words))
        return tuple(options)

    def condition(self, raw: Any, where: str) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            raise self.fail(where, N_("'when' must be a mapping (unit_in, period_kinds, answer)"))
        unknown = set(raw) - {"unit_in", "period_kinds", "answer"}
        if unknown:
            raise self.fail(where, N_("'when' has unknown keys: {keys}"), keys=", ".join(sorted(unknown)))
        units = tuple(str(u) for u in raw.get("unit_in", []) or [])
        kinds = tuple(str(k) for k in raw.get("period_kinds", []) or [])
        bad_kinds = [k for k in kinds if k not in {p.value for p in PeriodKind}]
        if bad_kinds:
            raise self.fail(where, N_("unknown period kind(s): {kinds}"), kinds=", ".join(bad_kinds))
        question, equals = None, ()
        if "answer" in raw:
            answer = raw["answer"]
            if not isinstance(answer, dict) or "question" not in answer or not ({"equals", "in"} & set(answer)):
                raise self.fail(where, N_("'when: answer' needs 'question' and 'equals' (or 'in')"))
            question = str(answer["question"])
            earlier = self.seen.get(question)
            if earlier is None and question in self.broken:
                raise QuestionnaireError(f"{self.source}: {where}: see '{question}'")  # told once, at '{question}'
            if earlier is None:
                raise self.fail(where, N_("the condition refers to '{question}', which is not an earlier question"),
                                 question=question)
            equals = tuple(answer["in"]) if "in" in answer else (answer["equals"],)
            for value in equals:
                if earlier.type == QType.YESNO and not isinstance(value, bool):
                    raise self.fail(where, N_("'{question}' is yes/no: compare with true or false, not {value}"),
                                     question=question, value=repr(value))
                if earlier.type in CHOICE_TYPES and earlier.option(str(value)) is None:
                    raise self.fail(where, N_("'{question}' has no option '{value}'"), question=question, value=value)
                if earlier.type not in (QType.YESNO, *CHOICE_TYPES):
                    raise self.fail(where, N_("conditions may only refer to yes/no or choice questions, and "
                                              "'{question}' is {type}"), question=question, type=earlier.type)
        return Condition(units, kinds, question, equals)

    def number(self, raw: dict, key: str, where: str) -> float | None:
        if raw.get(key) is None:
            return None
        if not isinstance(raw[key], (int, float)) or isinstance(raw[key], bool):
            raise self.fail(where, N_("'{key}' must be a number"), key=key)
        return float(raw[key])

    def question(self, raw: Any, section_id: str, parent: str | None = None) -> Question:
        if not isinstance(raw, dict):
            raise self.fail(f"section '{section_id}'", N_("every question must be a mapping with an 'id'"))
        qid = str(raw.get("id", ""))
        where = f"question '{parent}.{qid}'" if parent else f"question '{qid}'"
        if not _ID.match(qid):
            raise self.fail(where, N_("the id must be lowercase letters, digits and _ (at most 40)"))
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            raise self.fail(where, N_("type {type} is not one of: {types}"), type=repr(qtype),
                            types=", ".join(QUESTION_TYPES))
        if parent and qtype == QType.GROUP:
            raise self.fail(where, N_("a group cannot contain another group"))
        if parent is None and qid in self.seen:
            raise self.fail(where, N_("this id is used twice"))
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(where, N_("'required' must be true or false"))
        options = self.options(raw.get("options"), where) if qtype in CHOICE_TYPES else ()
        fields: tuple[Question, ...] = ()
        if qtype == QType.GROUP:
            if not isinstance(raw.get("fields"), list) or not raw["fields"]:
                raise self.fail(where, N_("a group needs a list of 'fields'"))
            fields = tuple(self.question(f, section_id, parent=qid) for f in raw["fields"])
            if len({f.id for f in fields}) != len(fields):
                raise self.fail(where, N_("two fields have the same id"))
        if parent and "when" in raw:
            raise self.fail(where, N_("fields of a group cannot have conditions"))
        question = Question(
            id=qid, type=qtype, text=self.texts(raw.get("text"), where, "text"),
            help=self.texts(raw.get("help"), where, "help", required=False),
            short=self.texts(raw.get("short"), where, "short", required=False),
            required=required, options=options, fields=fields,
            min_value=self.number(raw, "min", where), max_value=self.number(raw, "max", where),
            max_length=int(raw.get("max_length", 3000)), max_items=int(raw.get("max_items", 20)),
            when=None if parent else self.condition(raw.get("when"), where), section_id=section_id,
        )
        if not 1 <= question.max_length <= 3500:
            raise self.fail(where, N_("'max_length' must be between 1 and 3500 (a Telegram message holds 4,096)"))
        if parent is None:
            self.check_contract(question, where)
        if qtype in CEILINGS:
            ceiling = CEILINGS[qtype]
            if question.max_value is not None and question.max_value > ceiling:
                raise self.fail(where, N_("'max' may be at most {ceiling} for a {type} question"), ceiling=ceiling,
                                type=qtype)
            if question.max_value is None:  # every number is bounded, even when the data forgets to say so
                question = replace(question, max_value=float(ceiling))
        if parent is None:
            self.seen[qid] = question
        return question

    def check_contract(self, question: Question, where: str) -> None:
        expected = CONTRACT.get(question.id)
        if expected is None:
            return
        qtype, field_ids = expected
        if question.type != qtype:
            raise self.fail(where, N_("this id is read by the consolidated report and must be of type {type}"),
                            type=qtype)
        if field_ids and tuple(f.id for f in question.fields) != field_ids:
            raise self.fail(where, N_("this group's fields must be, in order: {fields}"),
                            fields=", ".join(field_ids))
        for (group_id, field_id), choices in CONTRACT_OPTIONS.items():
            if group_id == question.id:
                found = {o.code for o in question.field_by_id(field_id).options}
                if found not in choices:
                    raise self.fail(where, N_("field '{field}' must offer exactly the options {options}"),
                                    field=field_id, options=" | ".join(", ".join(sorted(codes)) for codes in choices))

    def derived(self, raw: Any) -> tuple[Derived, ...]:
        result = []
        for item in raw or []:
            did = str(item.get("id", "")) if isinstance(item, dict) else ""
            where = f"derived '{did}'"
            if not _ID.match(did):
                raise self.fail(where, N_("needs an 'id'"))
            for key in ("numerator", "denominator"):
                ref = self.seen.get(str(item.get(key)))
                if ref is None and str(item.get(key)) in self.broken:
                    raise QuestionnaireError(f"{self.source}: {where}: see '{item.get(key)}'")  # told there
                if ref is None or ref.type not in (QType.MONEY, QType.INTEGER):
                    raise self.fail(where, N_("'{key}' must name a money or integer question"), key=key)
            target, ceiling = self.number(item, "target", where), self.number(item, "max", where)
            result.append(Derived(did, self.texts(item.get("label"), where, "label"), str(item["numerator"]),
                                  str(item["denominator"]), target, self.seen[str(item["numerator"])].section_id,
                                  ceiling))
        return tuple(result)


def parse_questionnaire(raw: Any, source: str = "questionnaire") -> Questionnaire:
    """Build and check a questionnaire from loaded YAML (or a stored snapshot)."""
    checker = _Checker(source)
    if not isinstance(raw, dict):
        raise checker.fail("file", N_("must be a mapping with code, version, title and sections"))
    code, version = str(raw.get("code", "")), raw.get("version")
    if not _ID.match(code):
        raise checker.fail("code", N_("must be lowercase letters, digits and _"))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise checker.fail("version", N_("must be a whole number from 1"))
    title = checker.texts(raw.get("title"), "title", "title")
    sections_raw = raw.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise checker.fail("sections", N_("at least one section is needed"))
    sections, section_ids, problems = [], set(), []

    def checked(build, *args: Any):  # noqa: ANN001, ANN202 - every question is checked, each wrong one said once
        try:
            return build(*args)
        except QuestionnaireError as error:
            problems.extend(error.problems)
            return None

    for index, item in enumerate(sections_raw, start=1):
        sid = str(item.get("id", "")) if isinstance(item, dict) else ""
        if not _ID.match(sid) or sid in section_ids:
            raise checker.fail(f"section {index}", N_("needs a unique 'id'"))
        section_ids.add(sid)
        questions_raw = item.get("questions")
        if not isinstance(questions_raw, list) or not questions_raw:
            raise checker.fail(f"section '{sid}'", N_("has no questions"))
        questions = []
        for q in questions_raw:
            question = checked(checker.question, q, sid)
            if question is None and isinstance(q, dict):
                checker.broken.add(str(q.get("id", "")))
            questions.append(question)
        section_title = checked(checker.texts, item.get("title"), f"section '{sid}'", "title")
        sections.append(Section(sid, section_title or {}, tuple(questions)))
    derived = checked(checker.derived, raw.get("derived"))
    if problems:
        raise QuestionnaireError("\n".join(f"{source}: {p.where}: {p.problem}" for p in problems), tuple(problems))
    return Questionnaire(code, version, title, tuple(sections), derived, raw=raw)


def _key_lines(root: yaml.Node) -> dict[str, int]:
    """Where each part of a questionnaire starts in its YAML text, named as the checker names it."""
    lines: dict[str, int] = {}

    def value(node: yaml.Node, key: str) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    return v
        return None

    def scalar(node: yaml.Node, key: str) -> str:
        found = value(node, key)
        return str(found.value) if isinstance(found, yaml.ScalarNode) else ""

    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            lines.setdefault(str(getattr(k, "value", "")), k.start_mark.line + 1)
    sections = value(root, "sections")
    for index, section in enumerate(sections.value if isinstance(sections, yaml.SequenceNode) else [], start=1):
        lines[f"section {index}"] = section.start_mark.line + 1
        lines.setdefault(f"section '{scalar(section, 'id')}'", section.start_mark.line + 1)
        questions = value(section, "questions")
        for question in questions.value if isinstance(questions, yaml.SequenceNode) else []:
            qid = scalar(question, "id")
            lines.setdefault(f"question '{qid}'", question.start_mark.line + 1)
            for k, _v in question.value if isinstance(question, yaml.MappingNode) else []:
                lines.setdefault(f"question '{qid}'#{getattr(k, 'value', '')}", k.start_mark.line + 1)
            fields = value(question, "fields")
            for item in fields.value if isinstance(fields, yaml.SequenceNode) else []:
                lines.setdefault(f"question '{qid}.{scalar(item, 'id')}'", item.start_mark.line + 1)
    derived = value(root, "derived")
    for item in derived.value if isinstance(derived, yaml.SequenceNode) else []:
        lines.setdefault(f"derived '{scalar(item, 'id')}'", item.start_mark.line + 1)
    return lines


def check_text(text: str, source: str = "questionnaire") -> tuple[Questionnaire | None, tuple[Problem, ...]]:
    """A questionnaire typed or uploaded as YAML: the questionnaire, or what is wrong with it, each with its line
    (the loader's own checks, as for the files)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
        raw = yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(getattr(error, "problem", "") or error).split())
        return None, (Problem(f"line {line}" if line else "file", f"not valid YAML: {problem}", line,
                              N_("not valid YAML: {problem}"), {"problem": problem}),)
    try:
        return parse_questionnaire(raw, source), ()
    except QuestionnaireError as error:
        lines = _key_lines(root) if root is not None else {}
        problems = error.problems or (Problem("file", str(error)),)

        def line_of(where: str, problem: str) -> int | None:
            key = problem.split(" ", 1)[0].strip("'")  # "type 'x' is not one of", "'max' must be a number"
            if f"{where}#{key}" in lines:
                return lines[f"{where}#{key}"]
            known = [k for k in lines if where == k or where.startswith(k + ",")]
            return lines[max(known, key=len)] if known else lines.get(where.split(" ", 1)[0])

        return None, tuple(replace(p, line=line_of(p.where, p.problem)) for p in problems)


def load_file(path: Path) -> Questionnaire:
    """One questionnaire file; its name must be <code>-v<version>.yaml and agree with its content."""
    match = _FILE.match(path.name)
    if match is None:
        raise QuestionnaireError(f"{path.name}: the file name must look like thidua-v1.yaml")
    try:
        # libyaml's parser when installed: the movement's questionnaire takes 0.6 s to read in pure Python.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{path.name}: not valid YAML: {error}") from error
    questionnaire = parse_questionnaire(raw, path.name)
    if (questionnaire.code, questionnaire.version) != (match["code"], int(match["version"])):
        raise QuestionnaireError(f"{path.name}: code and version inside ({questionnaire.code}, "
                                 f"{questionnaire.version}) do not match the file name")
    return questionnaire


def load_dir(folder: Path = QUESTIONNAIRES_DIR) -> dict[tuple[str, int], Questionnaire]:
    """Every questionnaire file in `folder`, keyed by (code, version)."""
    found: dict[tuple[str, int], Questionnaire] = {}
    for path in sorted(folder.glob("*.y*ml")):
        questionnaire = load_file(path)
        found[(questionnaire.code, questionnaire.version)] = questionnaire
    return found
