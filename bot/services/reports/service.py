"""A unit's report for a period: started or resumed, answered one question at a time, reviewed, submitted.

Every change first claims the report's `step` with a conditional UPDATE (see storage/models/reports.py), then
writes the answer and the cursor in the same transaction: of two simultaneous presses only one counts, and a
button from an old message changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from bot.contracts import ReportState
from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.questionnaire.model import QType, answered_count, file_value
from bot.services.periods.base import PeriodInfo, extension_of, to_info
from bot.services.periods.service import PeriodService
from bot.services.reports.base import EDITABLE, Loaded, Mode, ReportRef, Screen, refuse_closed, normalised
from bot.services.reports.edit import apply_action, typed_action
from bot.services.reports.review import ReportReview
from storage import audit
from storage.models import Period, Person, Report, Unit

STALE = N_("This button is from an earlier message; here is where the report stands now.")
MOVED_ON = N_("{name} has just updated the report, so your last message was not saved. "
              "Here is where the report stands now.")


class _Stale(Exception):
    """The step a press or message was shown at is no longer the report's step."""


class ReportService(ReportReview):
    """Filling in (this module), reviewing and viewing (review.py) a unit's reports."""

    # Starting ------------------------------------------------------------------------------------
    def open_periods(self, actor: Actor) -> list[tuple[PeriodInfo, ReportRef | None]]:
        """Periods open for the person's unit, each with the unit's report if it has been started."""
        if not actor.reports_for_unit:
            raise PermissionDenied(N_("Only unit heads and their deputies fill in the unit's reports."))
        periods = PeriodService(self.db, self.clock).open_for_unit(actor.unit_id)
        result = []
        with self.db.session() as session:
            memo = self.db.memo(session)
            for info in periods:
                loaded = self._load_where(session, period_id=info.period_id, unit_id=actor.unit_id)
                if loaded is None and memo is not None:  # not started: opening it need not look again
                    memo[("report", info.period_id, actor.unit_id)] = None
                result.append((info, self._ref(loaded) if loaded else None))
        return result

    def open(self, actor: Actor, period_id: int) -> Screen:
        """Start the unit's report for a period, or resume it exactly where it stands."""
        if not actor.reports_for_unit:
            raise PermissionDenied(N_("Only unit heads and their deputies fill in the unit's reports."))
        with self.db.session() as session:
            period = session.get(Period, period_id)
            if period is None:
                raise NotFound(N_("This reporting period no longer exists."))
            report_id = self._report_id_for(session, period_id, actor.unit_id)
            extension = extension_of(session, period_id, actor.unit_id)
            state = to_info(period, self.clock.today(), extension).state
        if report_id is None:
            if state == "upcoming":
                raise DomainError(N_("This reporting period is not open yet."))
            if state == "closed":
                raise DomainError(N_("This reporting period has closed. Please contact the Administration "
                                     "Office if your unit still needs to report."))
            report_id = self._create(actor, period_id)
        return self.current(actor, report_id)

    def _create(self, actor: Actor, period_id: int) -> int:
        questionnaire = self.store.current()
        now = self.clock.now()
        try:
            with self.db.session() as session:
                unit = session.get(Unit, actor.unit_id)
                period = session.get(Period, period_id)
                extension = extension_of(session, period_id, unit.id)
                applicable = questionnaire.applicable(unit.code, period.kind, {})
                report = Report(period_id=period_id, unit_id=unit.id, state=ReportState.DRAFT.value,
                                questionnaire_code=questionnaire.code, questionnaire_version=questionnaire.version,
                                question_count=len(applicable), cursor={"at": applicable[0].id, "by": actor.person_id},
                                created_at=now, updated_at=now)
                session.add(report)
                session.flush()
                label = f"{questionnaire.code}-v{questionnaire.version}"
                audit.record(session, at=now, actor_id=actor.person_id, action="report.start", entity="report",
                             entity_id=report.id, after={"period_id": period_id, "unit_id": unit.id,
                                                         "questionnaire": label})
                session.flush()
                # After the last write: the screen shown next finds a new report's rows here, and no answers.
                self._remember(session, report, extension, {})
                return report.id
        except IntegrityError:  # the deputy started it at the same moment: one report per unit and period
            with self.db.session() as session:
                return self._report_id_for(session, period_id, actor.unit_id)

    # Reading the conversation --------------------------------------------------------------------
    def current(self, actor: Actor, report_id: int, note: str | None = None, **params: Any) -> Screen:
        with self.db.session() as session:
            loaded = self._load(session, report_id)
            self._check_editor(actor, loaded)
            return self._screen(loaded, note, **params)

    def leave(self, actor: Actor, report_id: int) -> Screen:
        """Save and leave: every answer is already saved, so nothing changes."""
        return replace(self.current(actor, report_id), mode=Mode.LEFT)

    # Changing it ---------------------------------------------------------------------------------
    def act(self, actor: Actor, report_id: int, step: int, action: str) -> Screen:
        """A button: y/n, o<i>, ok, s (skip or keep), b, l, add, d<i>, e<i>, rv, sub, cf."""
        if action == "l":
            return self.leave(actor, report_id)
        return self._change(actor, report_id, step, action, None)

    def type_text(self, actor: Actor, report_id: int, step: int, text: str) -> Screen:
        """A typed message: an answer, or a word such as "quay lại", "bỏ qua", "sửa 3", "gửi"."""
        screen = self.current(actor, report_id)
        if screen.ref.step != step or screen.mode == Mode.LOCKED:
            return self._stale_screen(actor, report_id, typed=True)
        action, value = typed_action(screen, text)
        if action == "l":
            return self.leave(actor, report_id)
        return self._change(actor, report_id, step, action, value, typed=True)

    def send_file(self, actor: Actor, report_id: int, step: int, meta: dict[str, Any]) -> Screen:
        """A photo or document sent while a question is shown."""
        screen = self.current(actor, report_id)
        if screen.ref.step != step or screen.mode == Mode.LOCKED:
            return self._stale_screen(actor, report_id, typed=True)
        target = screen.group_field or screen.question
        if screen.mode != Mode.ASK or target is None or target.type != QType.ATTACHMENT:
            raise DomainError(N_("This question expects a typed answer, not a file."))
        return self._change(actor, report_id, step, "answer", file_value(target, meta), typed=True)

    def _change(self, actor: Actor, report_id: int, step: int, action: str, value: Any, typed: bool = False) -> Screen:
        """Apply one action, then claim the step and store the counts and cursor in one conditional UPDATE.

        The action is worked out in memory first (nothing is flushed meanwhile), so a refused answer, the common
        refusal, only discards in-memory changes: no SAVEPOINT, no write to undo. The claim still decides: it
        counts only if the report is at the step the press or message was shown at (every writer bumps `step`,
        so the rows read in this update are the report as it stands at that step); anything else is stale.
        """
        now = self.clock.now()
        try:
            with self.db.session() as session:
                session.flush()  # whatever an enclosing block changed is written first, never discarded below
                try:
                    with session.no_autoflush:
                        loaded = self._load(session, report_id)
                        report = loaded.report
                        if report.step != step or report.state not in EDITABLE:
                            raise _Stale()
                        self._check_editor(actor, loaded)
                        if not self._ref(loaded).editable:
                            refuse_closed(self._ref(loaded))
                        outcome = apply_action(session, loaded, actor, action, value, now)
                        values = {"step": step + 1, "updated_at": now, **self._counts(loaded, actor, outcome.cursor)}
                        claimed = session.execute(
                            update(Report).where(Report.id == report_id, Report.step == step,
                                                 col(Report.state).in_(EDITABLE))
                            .values(values).execution_options(synchronize_session=False)
                        ).rowcount
                        if not claimed:
                            raise _Stale()
                        for key, stored in values.items():  # the held row as the database now has it
                            set_committed_value(report, key, stored)
                except BaseException:
                    self.db.discard_changes(session)  # nothing was written: the transaction stays clean
                    raise
                return self._screen(loaded, outcome.note, outcome.event, **outcome.params)
        except _Stale:
            return self._stale_screen(actor, report_id, typed=typed)

    @staticmethod
    def _counts(loaded: Loaded, actor: Actor, cursor: dict[str, Any]) -> dict[str, Any]:
        """Counts that progress.py reads, and the cursor, written with the answer (in the claim's UPDATE)."""
        applicable = loaded.applicable()
        answers = loaded.answers
        return {"question_count": len(applicable), "answered_count": answered_count(applicable, answers),
                "cursor": normalised({**cursor, "by": actor.person_id}, applicable, answers)}

    def _stale_screen(self, actor: Actor, report_id: int, typed: bool) -> Screen:
        screen = self.current(actor, report_id)
        if screen.mode == Mode.LOCKED:
            try:
                refuse_closed(screen.ref)
            except DomainError as error:
                return replace(screen, note=error.message)
        with self.db.session() as session:
            by = (session.get(Report, report_id).cursor or {}).get("by")
            other = session.get(Person, by) if by and by != actor.person_id else None
            name = other.full_name if other else None
        if name:
            return replace(screen, note=MOVED_ON, note_params={"name": name})
        return replace(screen, note=STALE if not typed else N_("Your message arrived after the report had moved "
                                                               "on, so it was not saved. Here is where the report "
                                                               "stands now."))

    # After submitting ----------------------------------------------------------------------------
    def reopen(self, actor: Actor, report_id: int, version: int) -> Screen:
        """The unit takes back its submitted version to revise it, until the Office has accepted it."""
        now = self.clock.now()
        with self.db.session() as session:
            claimed = session.exec(
                update(Report).where(Report.id == report_id, Report.state == ReportState.SUBMITTED.value,
                                     Report.version == version)
                .values(state=ReportState.DRAFT.value, step=Report.step + 1, updated_at=now)
            ).rowcount
            loaded = self._load(session, report_id)
            self._check_editor(actor, loaded)
            if not claimed:
                refuse_reopen(self._ref(loaded), version)
            if loaded.info.state != "open":
                raise DomainError(N_("The reporting period has closed; the report can no longer be changed. "
                                     "Please contact the Administration Office."))
            self._mark_version(session, report_id, version, "withdrawn", actor, now)
            loaded.report.cursor = {"at": "@review", "by": actor.person_id}
            session.add(loaded.report)
            audit.record(session, at=now, actor_id=actor.person_id, action="report.reopen", entity="report",
                         entity_id=report_id, before={"state": "submitted", "version": version},
                         after={"state": "draft"})
            return self._screen(loaded, N_("The report is open for revision. Change what is needed, then "
                                           "submit it again; version {version} is kept."), "reopened",
                                version=version)


def refuse_reopen(ref: ReportRef, version: int) -> None:
    if ref.state == ReportState.ACCEPTED:
        raise DomainError(N_("This report has already been accepted by the Administration Office and can no "
                             "longer be revised."))
    if ref.state in (ReportState.DRAFT, ReportState.RETURNED):
        raise DomainError(N_("This report is already open for revision. Type /report to continue."))
    raise DomainError(N_("Version {version} is no longer the latest one. Type /report to see the report."),
                      version=version)
