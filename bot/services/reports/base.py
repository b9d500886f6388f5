"""What the report services share: the plain results they return, loading one report with its context, where a
report's conversation stands (its cursor) and where each action moves it (pure functions), and the questionnaire
definitions (`QuestionnaireStore`, at the end): files under config/questionnaires/ are snapshotted in the database
by code+version, so a report is always read against the version it was started with, whatever happens to the files
later.

The cursor is stored on Report.cursor:
  at      the current question id, or "@review" / "@confirm"
  field   inside a repeatable group: the field being asked (absent on the group's own screen)
  item    the group entry being filled in (kept in the database, so a restart loses nothing)
  picks   multiple choice selected so far with buttons, and `picks_for` the question they belong to
  by      the person who made the last change (to tell a colleague who moved the report on)
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, func, join
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.contracts import ReportState
from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.questionnaire.loader import QUESTIONNAIRES_DIR, QuestionnaireError, load_dir, parse_questionnaire
from bot.questionnaire.model import Question, Questionnaire, is_answered
from bot.services.base import Service
from bot.services.periods.base import PeriodInfo, extension_of, to_info
from storage.db import Database
from storage.models import DeadlineExtension, Period, QuestionnaireSnapshot, Report, ReportAnswer, ReportVersion, Unit

EDITABLE = (ReportState.DRAFT.value, ReportState.RETURNED.value)

# A report with its unit, period, the unit's deadline extension for it and its answers (a row per answer), built
# once: it runs for nearly every update, and building it took a fifth of its time.
_REPORT_WITH_CONTEXT = (
    select(Report, Unit, Period, DeadlineExtension, ReportAnswer)
    .join(Unit, col(Unit.id) == Report.unit_id).join(Period, col(Period.id) == Report.period_id)
    .outerjoin(DeadlineExtension, and_(col(DeadlineExtension.period_id) == Report.period_id,
                                       col(DeadlineExtension.unit_id) == Report.unit_id))
    .outerjoin(ReportAnswer, col(ReportAnswer.report_id) == Report.id))
_REPORT_BY_ID = _REPORT_WITH_CONTEXT.where(col(Report.id) == bindparam("report_id"))
# The highest activated version of the questionnaire `:questionnaire_code`, as a column any statement can carry: the
# lookup of a unit's report, which every report start makes, brings it along (no statement of its own).
NEWEST_ACTIVE = (select(func.max(QuestionnaireSnapshot.version))
                 .where(QuestionnaireSnapshot.code == bindparam("questionnaire_code"),
                        col(QuestionnaireSnapshot.activated_at).is_not(None))
                 .scalar_subquery())
# The unit's report for a period, looked up before every report start: one row even when there is none, carrying
# the newest activated questionnaire version (the version check of a start, at no statement of its own).
_NEWEST = select(NEWEST_ACTIVE.label("newest")).subquery("newest")
_REPORT_OF_UNIT = (
    select(_NEWEST.c.newest, Report, Unit, Period, DeadlineExtension, ReportAnswer).select_from(_NEWEST)
    .outerjoin(join(Report, Unit, col(Unit.id) == Report.unit_id).join(Period, col(Period.id) == Report.period_id)
               .outerjoin(DeadlineExtension, and_(col(DeadlineExtension.period_id) == Report.period_id,
                                                  col(DeadlineExtension.unit_id) == Report.unit_id))
               .outerjoin(ReportAnswer, col(ReportAnswer.report_id) == Report.id),
               and_(col(Report.period_id) == bindparam("period_id"), col(Report.unit_id) == bindparam("unit_id"))))
_REPORT_ID_OF_UNIT = select(NEWEST_ACTIVE, select(Report.id).where(
    col(Report.period_id) == bindparam("period_id"), col(Report.unit_id) == bindparam("unit_id")).scalar_subquery())


class Mode:
    ASK = "ask"  # one question (or a group's screen, or one field of a group entry)
    REVIEW = "review"
    CONFIRM = "confirm"
    LOCKED = "locked"  # submitted, accepted, or the period has closed
    LEFT = "left"  # saved and left; nothing is waiting for a typed answer


@dataclass(frozen=True)
class ReportRef:
    """A report and its period as the conversation shows them."""

    report_id: int
    period_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    period: PeriodInfo  # as the unit sees it: `deadline` is the unit's own (extension included), `state` too
    state: ReportState
    version: int
    step: int
    answered: int
    total: int
    is_late: bool
    submitted_at: datetime | None
    questionnaire_code: str
    questionnaire_version: int
    return_comment: str | None = None  # the Office's comment when the report was returned
    overdue: bool = False  # today is after the unit's deadline: a submission now is marked late

    @property
    def editable(self) -> bool:
        """Draft or returned, and the period still open (a returned report may be revised after it closes)."""
        return self.state == ReportState.RETURNED or (self.state == ReportState.DRAFT and self.period.state == "open")


@dataclass(frozen=True)
class Screen:
    """Where a report's conversation stands, with everything needed to show it."""

    ref: ReportRef
    mode: str
    questionnaire: Questionnaire
    applicable: tuple[Question, ...]
    answers: dict[str, Any]  # question id -> value (None: skipped)
    question: Question | None = None
    group_field: Question | None = None  # the group field being asked
    position: int = 0
    item: dict[str, Any] = field(default_factory=dict)
    picks: tuple[str, ...] = ()
    note: str | None = None  # msgid
    note_params: dict[str, Any] = field(default_factory=dict)
    event: str | None = None  # "submitted", "reopened": the channel tells others

    @property
    def value(self) -> Any:
        return self.answers.get(self.question.id) if self.question else None

    @property
    def has_value(self) -> bool:
        return self.question is not None and self.question.id in self.answers

    @property
    def derived(self) -> dict[str, float]:
        return self.questionnaire.derived_values(self.answers)


@dataclass
class Loaded:
    """One report with its unit, period and answers, inside a session (internal to the report services)."""

    report: Report
    unit: Unit
    period: Period
    questionnaire: Questionnaire
    rows: dict[str, ReportAnswer]
    info: PeriodInfo  # the period as the unit sees it: its deadline (extension included) and state
    return_comment: str | None = None

    @property
    def answers(self) -> dict[str, Any]:
        return {qid: row.value for qid, row in self.rows.items()}

    def applicable(self) -> list[Question]:
        return self.questionnaire.applicable(self.unit.code, self.period.kind, self.answers)


class ReportBase(Service):
    """Loading, permission checks and screens; the filling and the reviewing services build on it."""

    def __init__(self, db, clock, store: QuestionnaireStore | None = None) -> None:  # noqa: ANN001
        super().__init__(db, clock)
        self.store = store or QuestionnaireStore(db, clock)

    def _load(self, session: Session, report_id: int) -> Loaded:
        memo = self.db.memo(session)
        rows = memo.get(("answers", report_id)) if memo is not None else None
        if rows is None:  # the first load of this report in the update: one statement
            loaded = self._load_where(session, _REPORT_BY_ID, report_id=report_id)
            if loaded is None:
                raise NotFound(N_("This report no longer exists."))
            return loaded
        # A second load in the same update (a screen read, then the change) reads nothing again: the rows are held
        # and the answers remembered (a copy, so answers added to this load are not; the flush forgets them anyway).
        report = session.get(Report, report_id)
        if report is None:
            raise NotFound(N_("This report no longer exists."))
        unit = session.get(Unit, report.unit_id)
        period = session.get(Period, report.period_id)
        extension = extension_of(session, period.id, unit.id)
        return self._loaded(session, report, unit, period, extension, dict(rows))

    def _load_where(self, session: Session, statement: Any = _REPORT_OF_UNIT, **params: Any) -> Loaded | None:
        """A report with its unit, period, the unit's deadline extension and its answers in one statement (a row
        per answer), where four took four round trips; what it read is remembered for the rest of the update.
        `statement`: by id (`report_id=`) or, by default, the unit's for a period (`period_id=`, `unit_id=`)."""
        if statement is _REPORT_OF_UNIT:
            found = [row[1:] for row in self._with_newest(session, statement, params)]
            if found[0][0] is None:
                return None
        else:
            found = session.exec(statement, params=params).all()
            if not found:
                return None
        report, unit, period, extension, _ = found[0]
        rows = {row[4].question_id: row[4] for row in found if row[4] is not None}
        self._remember(session, report, extension, rows)
        return self._loaded(session, report, unit, period, extension, dict(rows))

    def _remember(self, session: Session, report: Report, extension: DeadlineExtension | None,
                  rows: dict[str, ReportAnswer]) -> None:
        """What a load needs beyond the rows the session holds, kept for the rest of the update (`_load`)."""
        memo = self.db.memo(session)
        if memo is not None:
            memo[("extension", report.period_id, report.unit_id)] = extension
            memo[("answers", report.id)] = rows
            memo[("report", report.period_id, report.unit_id)] = report.id

    def _loaded(self, session: Session, report: Report, unit: Unit, period: Period,
                extension: DeadlineExtension | None, rows: dict[str, ReportAnswer]) -> Loaded:
        info = to_info(period, self.clock.today(), extension)
        questionnaire = self.store.get(report.questionnaire_code, report.questionnaire_version)
        comment = None
        if report.state == ReportState.RETURNED.value:
            comment = session.exec(select(ReportVersion.review_comment).where(
                ReportVersion.report_id == report.id, ReportVersion.version == report.version)).first()
        return Loaded(report, unit, period, questionnaire, rows, info, comment)

    @staticmethod
    def _check_reader(actor: Actor, loaded: Loaded) -> None:
        """The Office and the leadership read every unit's report; a unit's head and deputy only their own."""
        if not (actor.sees_all_units or actor.acts_for(loaded.unit.id)):
            raise PermissionDenied()

    @staticmethod
    def _check_editor(actor: Actor, loaded: Loaded) -> None:
        if not actor.acts_for(loaded.unit.id):
            raise PermissionDenied(N_("Only the head or the deputy head of the unit can fill in its report."))

    def _ref(self, loaded: Loaded) -> ReportRef:
        r = loaded.report
        return ReportRef(
            report_id=r.id, period_id=r.period_id, unit_id=r.unit_id, unit_code=loaded.unit.code,
            unit_name=loaded.unit.name, period=loaded.info,
            state=ReportState(r.state), version=r.version, step=r.step, answered=r.answered_count,
            total=r.question_count, is_late=r.is_late, submitted_at=r.submitted_at,
            questionnaire_code=r.questionnaire_code, questionnaire_version=r.questionnaire_version,
            return_comment=loaded.return_comment, overdue=self.clock.today() > loaded.info.deadline,
        )

    def _screen(self, loaded: Loaded, note: str | None = None, event: str | None = None,
                **note_params: Any) -> Screen:
        ref = self._ref(loaded)
        answers = loaded.answers
        applicable = loaded.applicable()
        base = dict(ref=ref, questionnaire=loaded.questionnaire, applicable=tuple(applicable), answers=answers,
                    note=note, note_params=note_params, event=event)
        if not ref.editable:
            return Screen(mode=Mode.LOCKED, **base)
        cursor = normalised(dict(loaded.report.cursor or {}), applicable, answers)
        at = cursor.get("at")
        if at == REVIEW:
            return Screen(mode=Mode.REVIEW, **base)
        if at == CONFIRM:
            return Screen(mode=Mode.CONFIRM, **base)
        question = loaded.questionnaire.question(at)
        field_ = question.field_by_id(cursor.get("field") or "") if question else None
        picks_for = cursor.get("field") or at
        picks = tuple(cursor.get("picks") or ()) if cursor.get("picks_for") == picks_for else ()
        return Screen(mode=Mode.ASK, question=question, group_field=field_, position=applicable.index(question) + 1,
                      item=dict(cursor.get("item") or {}), picks=picks, **base)

    def _report_id_for(self, session: Session, period_id: int, unit_id: int) -> int | None:
        """The unit's report for the period; a found id is remembered for the update (reports are never deleted)."""
        return self.db.remembered(session, ("report", period_id, unit_id), lambda: self._with_newest(
            session, _REPORT_ID_OF_UNIT, {"period_id": period_id, "unit_id": unit_id})[0][1])

    def _with_newest(self, session: Session, statement: Any, params: dict[str, Any]) -> list:
        """Rows whose first column is the newest activated questionnaire version, which the store takes note of."""
        rows = session.exec(statement, params={**params, "questionnaire_code": self.store.code}).all()
        self.store.saw_newest(rows[0][0])
        return rows


def refuse_closed(ref: ReportRef) -> None:
    """Raise the reason a report cannot be changed now, if any."""
    if ref.state == ReportState.SUBMITTED:
        raise DomainError(N_("This report has already been submitted. To change it, choose \"Revise\" "
                             "or type /report."))
    if ref.state == ReportState.ACCEPTED:
        raise DomainError(N_("This report has been accepted by the Administration Office and can no longer "
                             "be changed."))
    if ref.period.state != "open":
        raise DomainError(N_("The reporting period has closed; the report can no longer be changed. Please "
                             "contact the Administration Office."))


# The cursor ----------------------------------------------------------------------------------------------------
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


# Questionnaire definitions -------------------------------------------------------------------------------------
log = logging.getLogger(__name__)
ACTIVE_CODE = "thidua"  # the movement's questionnaire; new reports use its highest activated version


def checksum(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


WORDING = frozenset({"title", "text", "help", "short", "label"})  # what a reader sees; ids, types, rules stay


def structure(raw: Any) -> Any:
    """A definition without its wording: equal structures mean the same questions, options, conditions and limits."""
    if isinstance(raw, dict):
        return {key: structure(value) for key, value in raw.items() if key not in WORDING}
    if isinstance(raw, list):
        return [structure(value) for value in raw]
    return raw


class QuestionnaireStore:
    """Loads the files once per process, stores any new version, and serves stored versions from a cache.

    A deployed file's version is active once stored; a version the Office stores from the desk
    (bot/services/questionnaires.py) waits until it is activated there. Which version is the newest is remembered
    per process and corrected by `saw_newest`, which the report services call with the version their lookup of a
    unit's report read along (`NEWEST_ACTIVE`): an activation on the desk, in whatever process, is used by the next
    report started in every process.
    """

    def __init__(self, db: Database, clock: Clock, folder: Path = QUESTIONNAIRES_DIR, code: str = ACTIVE_CODE) -> None:
        self.db, self.clock, self.folder, self.code = db, clock, folder, code
        self._cache: dict[tuple[str, int], Questionnaire] = {}
        self._synced = False
        self._durable = False  # synced outside any update (at start-up): what it stored is committed
        self._newest_version: int | None = None

    def sync(self) -> None:
        """Snapshot every questionnaire file not yet stored; a stored version is never replaced."""
        for (code, version), questionnaire in load_dir(self.folder).items():
            digest = checksum(questionnaire.raw)
            with self.db.session() as session:
                stored = session.exec(select(QuestionnaireSnapshot).where(
                    QuestionnaireSnapshot.code == code, QuestionnaireSnapshot.version == version)).first()
                if stored is not None:
                    if stored.checksum != digest and structure(stored.definition) == structure(questionnaire.raw):
                        # Only the wording changed (questions, help, labels): answers keep their meaning, so the
                        # stored version shows the clearer words too.
                        stored.definition, stored.checksum = questionnaire.raw, digest
                        session.add(stored)
                        log.info("%s-v%s.yaml: wording refreshed in the stored snapshot", code, version)
                        self._keep(code, version, questionnaire)
                    elif stored.checksum != digest:
                        log.warning("%s-v%s.yaml differs from the stored snapshot; reports keep the stored one. "
                                    "Copy the file to a new version instead of editing it in place.", code, version)
                        self._cache.pop((code, version), None)
                    else:
                        self._keep(code, version, questionnaire)
                    continue
            try:
                with self.db.session() as session:
                    now = self.clock.now()  # a deployed file is in use once stored
                    session.add(QuestionnaireSnapshot(code=code, version=version, definition=questionnaire.raw,
                                                      checksum=digest, loaded_at=now, activated_at=now))
                self._newest_version = None  # perhaps newer than the one remembered
            except IntegrityError:  # another process stored it at the same moment: theirs is identical
                pass
            self._keep(code, version, questionnaire)
        self._synced = True
        if self.db.ambient() is None:  # committed: the newest version can be read once for the process
            self._durable = True
            row = self._newest()
            self._newest_version = row.version if row is not None and row.code == self.code else None

    def _keep(self, code: str, version: int, questionnaire: Questionnaire) -> None:
        """The file's parse stands for the stored version when they are the same definition (the stored one is
        the file's JSON, so only a value JSON would change could differ): `get` need not read and parse it."""
        if json.loads(json.dumps(questionnaire.raw, ensure_ascii=False)) == questionnaire.raw:
            self._cache[(code, version)] = questionnaire
        else:
            self._cache.pop((code, version), None)

    def current(self) -> Questionnaire:
        """The newest stored version of the active questionnaire (what a new report is filled against)."""
        if self._newest_version is not None:
            return self.get(self.code, self._newest_version)
        if not self._synced:
            self.sync()
        row = self._newest()
        if row is None:  # synced in an update that was then rolled back (a crash, or run again): store it again
            self.sync()
            row = self._newest()
        if row is None:
            raise QuestionnaireError(f"no questionnaire '{self.code}' in {self.folder}")
        if self._durable:
            # Read once per process, then kept current by `saw_newest`: every report start's lookup of the unit's
            # report reads the newest activated version along, so an activation reaches every process at once.
            self._newest_version = row.version
        return self.get(row.code, row.version)

    def saw_newest(self, version: int | None) -> None:
        """The newest activated version as a statement of this transaction just read it (`NEWEST_ACTIVE`)."""
        if version is not None and self._durable:
            self._newest_version = int(version)

    def forget_newest(self) -> None:
        """After an activation in this process: the next `current()` reads which version is the newest."""
        self._newest_version = None

    def _newest(self) -> QuestionnaireSnapshot | None:
        with self.db.session() as session:
            return session.exec(select(QuestionnaireSnapshot).where(
                QuestionnaireSnapshot.code == self.code, col(QuestionnaireSnapshot.activated_at).is_not(None))
                .order_by(QuestionnaireSnapshot.version.desc())).first()

    def get(self, code: str, version: int, _again: bool = False) -> Questionnaire:
        """A stored version, parsed once per process."""
        key = (code, version)
        if key not in self._cache:
            with self.db.session() as session:
                row = session.exec(select(QuestionnaireSnapshot).where(
                    QuestionnaireSnapshot.code == code, QuestionnaireSnapshot.version == version)).first()
                definition = dict(row.definition) if row else None
            if definition is None:
                if not _again:  # not synced yet, or synced in an update that was then rolled back
                    self.sync()
                    return self.get(code, version, _again=True)
                raise QuestionnaireError(f"questionnaire {code} version {version} is not stored")
            self._cache[key] = parse_questionnaire(definition, f"{code}-v{version} (stored)")
        return self._cache[key]
