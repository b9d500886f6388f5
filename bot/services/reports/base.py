"""What the report services share: the plain results they return and loading one report with its context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, join
from sqlmodel import Session, col, select

from bot.contracts import ReportState
from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.questionnaire.model import Question, Questionnaire
from bot.services.base import Service
from bot.services.periods import extension_of, to_info
from bot.services.reports.flow import CONFIRM, REVIEW, normalised
from bot.services.reports.store import NEWEST_ACTIVE, QuestionnaireStore
from storage.models import DeadlineExtension, Period, Report, ReportAnswer, ReportVersion, Unit

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
    period_kind: str
    period_year: int
    period_phase: int
    period_state: str  # "upcoming" | "open" | "closed"
    deadline: date  # the unit's effective deadline
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
        return self.state == ReportState.RETURNED or (self.state == ReportState.DRAFT and self.period_state == "open")


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
    deadline: date
    period_state: str
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
        return Loaded(report, unit, period, questionnaire, rows, info.deadline, info.state, comment)

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
            unit_name=loaded.unit.name, period_kind=loaded.period.kind, period_year=loaded.period.year,
            period_phase=loaded.period.phase, period_state=loaded.period_state, deadline=loaded.deadline,
            state=ReportState(r.state), version=r.version, step=r.step, answered=r.answered_count,
            total=r.question_count, is_late=r.is_late, submitted_at=r.submitted_at,
            questionnaire_code=r.questionnaire_code, questionnaire_version=r.questionnaire_version,
            return_comment=loaded.return_comment, overdue=self.clock.today() > loaded.deadline,
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
    if ref.period_state != "open":
        raise DomainError(N_("The reporting period has closed; the report can no longer be changed. Please "
                             "contact the Administration Office."))
