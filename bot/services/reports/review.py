"""The Administration Office's side of reports (accept, return with a comment) and reading any version."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.contracts import ReportState, UnitStage
from bot.domain import MEANINGLESS, Actor, DomainError, NotFound, PermissionDenied, Role
from bot.i18n import N_
from bot.questionnaire.model import Question, Questionnaire, is_answered
from bot.services.identity.people import office_people
from bot.services.periods.base import PeriodInfo, to_info
from bot.services.progress import stage_of
from bot.services.reports.base import EDITABLE, Loaded, ReportBase, ReportRef
from bot.text import meaningful, nfc
from storage import audit
from storage.models import DeadlineExtension, Period, Person, Report, ReportVersion, Unit

COMMENT_LIMIT = 2000
OWN_UNIT = N_("A unit's report is reviewed by someone outside that unit: another member of the Administration Office "
              "accepts or returns it.")


class CommentRefused(DomainError):
    """An empty or too long comment: the Office simply types it again."""


@dataclass(frozen=True)
class VersionInfo:
    version: int
    submitted_at: datetime
    submitted_by: str
    is_late: bool
    review_state: str  # submitted | returned | accepted | withdrawn
    review_comment: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None


@dataclass(frozen=True)
class ReportView:
    """One version of a report (or, for its own unit, the working draft: shown_version 0), read-only."""

    ref: ReportRef
    questionnaire: Questionnaire
    applicable: tuple[Question, ...]
    answers: dict[str, Any]
    shown_version: int
    versions: tuple[VersionInfo, ...]
    contributors: tuple[tuple[str, int], ...]  # who answered how many of the shown answers
    answered_by: dict[str, str] = field(default_factory=dict)  # question id -> who answered it (the desk shows it)

    @property
    def derived(self) -> dict[str, float]:
        return self.questionnaire.derived_values(self.answers)

    @property
    def shown(self) -> VersionInfo | None:
        return next((v for v in self.versions if v.version == self.shown_version), None)


@dataclass(frozen=True)
class ReviewResult:
    ref: ReportRef
    version: int
    reviewer: str
    comment: str | None = None


@dataclass(frozen=True)
class UnitReportLine:
    """A unit's line in a period's list of reports."""

    unit_id: int
    unit_name: str
    stage: UnitStage
    report_id: int | None
    version: int


class ReportReview(ReportBase):
    """Accepting and returning need the Office; reading needs the Office, the leadership or the unit itself."""

    def _mark_version(self, session: Session, report_id: int, version: int, review_state: str, actor: Actor,
                      now: datetime, comment: str | None = None) -> None:
        row = session.exec(select(ReportVersion).where(ReportVersion.report_id == report_id,
                                                       ReportVersion.version == version)).first()
        if row is not None:
            row.review_state, row.reviewed_at, row.reviewed_by = review_state, now, actor.person_id
            row.review_comment = comment
            session.add(row)

    # Who reviews: never the unit itself (README "Reports", "Who reviews a report"). ----------------------
    @staticmethod
    def _unit_and_submitter(session: Session, report_id: int, version: int) -> tuple[int, int | None]:
        unit_id = session.exec(select(Report.unit_id).where(Report.id == report_id)).first()
        if unit_id is None:
            raise NotFound(N_("This report no longer exists."))
        submitter = session.exec(select(ReportVersion.submitted_by).where(
            ReportVersion.report_id == report_id, ReportVersion.version == version)).first()
        return unit_id, submitter

    @staticmethod
    def _reviewers(session: Session, unit_id: int, submitter: int | None) -> list[int]:
        """The Office members who may review a version of this unit's report: not its own head or deputy, not the
        person who submitted it."""
        return [p.id for p in office_people(session)
                if p.id != submitter and not (p.unit_id == unit_id and p.role in (Role.UNIT_HEAD.value, Role.DEPUTY.value))]

    def _check_reviewer(self, session: Session, actor: Actor, report_id: int, version: int) -> None:
        """The Office reviews reports, except its members' own unit's (and what they submitted themselves); when no
        other Office member is left to review one, the Director does (the head of the Office answers to him)."""
        unit_id, submitter = self._unit_and_submitter(session, report_id, version)
        own = actor.acts_for(unit_id) or (submitter is not None and submitter == actor.person_id)
        if actor.is_office and not own:
            return
        if actor.is_director and not own and not self._reviewers(session, unit_id, submitter):
            return
        if actor.is_office:
            raise DomainError(OWN_UNIT)
        raise PermissionDenied()

    def can_review(self, actor: Actor, report_id: int, version: int) -> bool:
        """Whether `actor` is offered Accept / Return for this version (the decision checks again)."""
        if not (actor.is_office or actor.is_director):
            return False
        with self.db.session() as session:
            try:
                self._check_reviewer(session, actor, report_id, version)
            except DomainError:
                return False
        return True

    def reviewer_ids(self, report_id: int, version: int) -> list[int]:
        """The Office members offered Accept / Return in the submission notice; none: the Director reviews."""
        with self.db.session() as session:
            return self._reviewers(session, *self._unit_and_submitter(session, report_id, version))

    def check_reviewable(self, actor: Actor, report_id: int, version: int) -> ReportRef:
        """The version is the one waiting for the Office (before asking for a comment to return it)."""
        with self.db.session() as session:
            self._check_reviewer(session, actor, report_id, version)
            ref = self._ref(self._load(session, report_id))
        if ref.state != ReportState.SUBMITTED or ref.version != version:
            _refuse_review(ref, version)
        return ref

    def accept(self, actor: Actor, report_id: int, version: int) -> ReviewResult:
        return self._decide(actor, report_id, version, ReportState.ACCEPTED, None)

    def return_for_revision(self, actor: Actor, report_id: int, version: int, comment: str) -> ReviewResult:
        comment = nfc(comment or "").strip()
        if comment and not meaningful(comment):
            raise CommentRefused(MEANINGLESS)
        if not comment:
            raise CommentRefused(N_("Please type a comment for the unit: what should be revised?"))
        if len(comment) > COMMENT_LIMIT:
            raise CommentRefused(N_("The comment is too long ({n} characters). Please keep it under {limit} "
                                    "characters."),
                              n=len(comment), limit=COMMENT_LIMIT)
        return self._decide(actor, report_id, version, ReportState.RETURNED, comment)

    def _decide(self, actor: Actor, report_id: int, version: int, state: ReportState,
                comment: str | None) -> ReviewResult:
        now = self.clock.now()
        values: dict[str, Any] = {"state": state.value, "step": Report.step + 1, "updated_at": now}
        if state == ReportState.ACCEPTED:
            values.update(accepted_at=now, accepted_by=actor.person_id)
        with self.db.session() as session:
            self._check_reviewer(session, actor, report_id, version)
            # Two Office members pressing at once, or a press on an older version: only one decision counts.
            claimed = session.exec(update(Report).where(
                Report.id == report_id, Report.state == ReportState.SUBMITTED.value, Report.version == version,
            ).values(**values)).rowcount
            loaded = self._load(session, report_id)
            if not claimed:
                _refuse_review(self._ref(loaded), version)
            self._mark_version(session, report_id, version, state.value, actor, now, comment)
            if state == ReportState.RETURNED:
                loaded.report.cursor = {"at": "@review", "by": actor.person_id}
                session.add(loaded.report)
            audit.record(session, at=now, actor_id=actor.person_id, action=f"report.{state.value}", entity="report",
                         entity_id=report_id, before={"state": "submitted", "version": version},
                         after={"state": state.value, "comment": comment})
            return ReviewResult(self._ref(loaded), version, actor.full_name, comment)

    # Reading -----------------------------------------------------------------------------------
    def view(self, actor: Actor, report_id: int, version: int = 0) -> ReportView:
        """A submitted version; 0 means the latest one (for the unit itself: its working draft)."""
        with self.db.session() as session:
            loaded = self._load(session, report_id)
            self._check_reader(actor, loaded)
            versions = self._versions(session, report_id)
            # 0 is the unit's working draft only while it can edit it; once submitted or accepted, the unit (like
            # everyone else) sees the latest version and its review state, not a "draft, not sent" line.
            own_draft = actor.acts_for(loaded.unit.id) and (loaded.report.state in EDITABLE or not versions)
            if version == 0 and not own_draft:
                if not versions:
                    raise DomainError(N_("{unit} has not submitted this report yet ({answered}/{total} questions "
                                         "answered)."), unit=loaded.unit.name, answered=loaded.report.answered_count,
                                      total=loaded.report.question_count)
                version = versions[-1][0].version
            audit.record(session, at=self.clock.now(), actor_id=actor.person_id, action="report.view",
                         entity="report", entity_id=report_id, after={"version": version})
            return self._view(session, loaded, versions, version)

    def notice(self, report_id: int, version: int) -> ReportView:
        """A submitted version for the notifications a channel sends (to people already allowed to read it)."""
        with self.db.session() as session:
            loaded = self._load(session, report_id)
            return self._view(session, loaded, self._versions(session, report_id), version)

    def _view(self, session: Session, loaded: Loaded, versions: list[tuple[VersionInfo, ReportVersion]],
              version: int) -> ReportView:
        if version:
            row = next((r for v, r in versions if v.version == version), None)
            if row is None:
                raise NotFound(N_("This version of the report does not exist."))
            answers, by = dict(row.answers), dict(row.answered_by)
        else:
            answers = loaded.answers
            by = {qid: r.answered_by for qid, r in loaded.rows.items()}
        applicable = loaded.questionnaire.applicable(loaded.unit.code, loaded.period.kind, answers)
        shown = {q.id for q in applicable if is_answered(q, answers)}  # skipped answers are nobody's work
        names = self._names(session, {p for p in by.values() if p})
        who = {qid: names.get(p, "?") for qid, p in by.items() if p and qid in shown}
        counts = Counter(who.values())
        return ReportView(self._ref(loaded), loaded.questionnaire, tuple(applicable), answers, version,
                          tuple(v for v, _row in versions), tuple(counts.most_common()), who)

    def _versions(self, session: Session, report_id: int) -> list[tuple[VersionInfo, ReportVersion]]:
        rows = session.exec(select(ReportVersion).where(ReportVersion.report_id == report_id)
                            .order_by(ReportVersion.version)).all()
        names = self._names(session, {p for r in rows for p in (r.submitted_by, r.reviewed_by) if p})
        return [(VersionInfo(r.version, r.submitted_at, names.get(r.submitted_by, ""), r.is_late, r.review_state,
                             r.review_comment, r.reviewed_at, names.get(r.reviewed_by)), r) for r in rows]

    @staticmethod
    def _names(session: Session, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {p.id: p.full_name for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}

    def viewable_periods(self, actor: Actor, limit: int = 8) -> list[PeriodInfo]:
        """Periods already open (or past), newest first, for the Office and the leadership to choose from."""
        if not actor.sees_all_units:
            raise PermissionDenied()
        today = self.clock.today()
        with self.db.session() as session:
            rows = session.exec(select(Period).where(Period.opens_on <= today)
                                .order_by(col(Period.opens_on).desc(), col(Period.id).desc()).limit(limit)).all()
            return [to_info(p, today) for p in rows]

    def period_reports(self, actor: Actor, period_id: int) -> tuple[PeriodInfo, list[UnitReportLine]]:
        if not actor.sees_all_units:
            raise PermissionDenied()
        today = self.clock.today()
        with self.db.session() as session:
            period = session.get(Period, period_id)
            if period is None:
                raise NotFound(N_("This reporting period no longer exists."))
            reports = {r.unit_id: r for r in session.exec(select(Report).where(Report.period_id == period_id))}
            extensions = {e.unit_id: e.deadline for e in session.exec(
                select(DeadlineExtension).where(DeadlineExtension.period_id == period_id))}
            lines = []
            for unit in session.exec(select(Unit).order_by(Unit.sort_order, Unit.id)).all():
                report = reports.get(unit.id)
                if not unit.is_active and report is None:
                    continue
                overdue = today > extensions.get(unit.id, period.deadline)
                lines.append(UnitReportLine(unit.id, unit.name, stage_of(report, overdue), report.id if report else None,
                                      report.version if report else 0))
            return to_info(period, today), lines

    def unit_reports(self, actor: Actor) -> list[ReportRef]:
        """The person's own unit's reports, newest period first."""
        if not actor.reports_for_unit:
            raise PermissionDenied()
        with self.db.session() as session:
            ids = session.exec(select(Report.id).join(Period, col(Period.id) == Report.period_id)
                               .where(Report.unit_id == actor.unit_id)
                               .order_by(col(Period.opens_on).desc())).all()
            return [self._ref(self._load(session, rid)) for rid in ids]


def _refuse_review(ref: ReportRef, version: int) -> None:
    """Why the Office can no longer accept or return this version."""
    if ref.version != version and ref.version > version:
        raise DomainError(N_("Version {version} is no longer the latest: the unit has submitted version {latest}."),
                          version=version, latest=ref.version)
    if ref.state == ReportState.ACCEPTED:
        raise DomainError(N_("This report has already been accepted."))
    if ref.state == ReportState.RETURNED:
        raise DomainError(N_("This report has already been returned to the unit for revision."))
    if ref.state == ReportState.DRAFT:
        raise DomainError(N_("The unit has taken this report back to revise it. You will be notified when it is "
                             "submitted again."))
    raise DomainError(N_("This button is no longer valid."))
