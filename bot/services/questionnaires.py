"""The questionnaire's versions for the Administration Office: read every one, upload a new one (checked by the
loader's own rules, each problem with its line), activate it for the reports started from then on.

A version is never changed once a report may use it: an upload adds a version above every stored one (or replaces
an upload nobody has activated yet), and activation only moves forward. Reports already started keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, update
from sqlmodel import col, select

from bot.clock import Clock
from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.questionnaire.loader import Problem, check_text
from bot.services.base import Service
from bot.services.reports.base import QuestionnaireStore, checksum
from bot.text import nfc
from storage import audit
from storage.db import Database
from storage.models import QuestionnaireSnapshot, Report

MAX_TEXT = 400_000  # characters: the movement's questionnaire is about 30,000


@dataclass(frozen=True)
class VersionInfo:
    code: str
    version: int
    title: dict[str, str]
    questions: int
    loaded_at: datetime
    activated_at: datetime | None
    reports: int  # reports started with this version
    current: bool  # what a report started now is filled against


@dataclass(frozen=True)
class Checked:
    """An upload's outcome: the stored version, or the problems (nothing stored)."""

    version: VersionInfo | None
    problems: tuple[Problem, ...] = ()


def yaml_text(definition: dict) -> str:
    """A stored definition as YAML the Office can read and edit (Vietnamese kept as it is, keys in file order)."""
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=120)


class QuestionnaireService(Service):
    """Only the Administration Office reads and changes the questionnaire's versions here."""

    def __init__(self, db: Database, clock: Clock, store: QuestionnaireStore) -> None:
        super().__init__(db, clock)
        self.store = store

    def versions(self, actor: Actor) -> list[VersionInfo]:
        """Every stored version of the movement's questionnaire, newest first."""
        self._check(actor)
        current = self.store.current().version
        with self.db.session() as session:
            counts = dict(session.exec(select(Report.questionnaire_version, func.count()).where(
                Report.questionnaire_code == self.store.code).group_by(Report.questionnaire_version)).all())
            rows = session.exec(select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.code == self.store.code)
                                .order_by(col(QuestionnaireSnapshot.version).desc())).all()
            return [self._info(row, counts.get(row.version, 0), current) for row in rows]

    def version(self, actor: Actor, version: int) -> tuple[VersionInfo, str]:
        """One version and its definition as YAML."""
        info = next((v for v in self.versions(actor) if v.version == version), None)
        if info is None:
            raise NotFound(N_("This questionnaire version does not exist."))
        with self.db.session() as session:
            row = session.exec(select(QuestionnaireSnapshot).where(
                QuestionnaireSnapshot.code == self.store.code, QuestionnaireSnapshot.version == version)).one()
            return info, yaml_text(dict(row.definition))

    def next_draft(self, actor: Actor) -> str:
        """The newest stored version as YAML with the next version number: where a new version starts."""
        newest = self.versions(actor)[0]
        _info, text = self.version(actor, newest.version)
        return text.replace(f"\nversion: {newest.version}\n", f"\nversion: {newest.version + 1}\n", 1)

    def upload(self, actor: Actor, text: str) -> Checked:
        """Check a new version; store it (waiting for activation) when nothing is wrong."""
        self._check(actor)
        text = nfc(text or "").replace("\r\n", "\n")
        if len(text) > MAX_TEXT:
            raise DomainError(N_("The questionnaire is too long ({n} characters; at most {max})."),
                              n=len(text), max=MAX_TEXT)
        questionnaire, problems = check_text(text, "questionnaire")
        if questionnaire is None:
            return Checked(None, problems)
        if questionnaire.code != self.store.code:
            wrong = N_("must be '{code}', the movement's questionnaire")
            return Checked(None, (Problem("code", wrong.format(code=self.store.code), _line(text, "code:"), wrong,
                                          {"code": self.store.code}),))
        now = self.clock.now()
        with self.db.session() as session:
            rows = {r.version: r for r in session.exec(select(QuestionnaireSnapshot).where(
                QuestionnaireSnapshot.code == self.store.code)).all()}
            newest = max(rows, default=0)
            same = rows.get(questionnaire.version)
            if same is not None and same.activated_at is not None or \
                    same is None and questionnaire.version <= newest:
                wrong = N_("must be {next} (version {version} is already stored and may be in use)")
                params = {"next": newest + 1, "version": questionnaire.version}
                return Checked(None, (Problem("version", wrong.format(**params), _line(text, "version:"), wrong,
                                              params),))
            before = {"version": same.version, "checksum": same.checksum} if same is not None else None
            row = same or QuestionnaireSnapshot(code=questionnaire.code, version=questionnaire.version,
                                                definition={}, checksum="", loaded_at=now)
            row.definition, row.checksum, row.loaded_at = questionnaire.raw, checksum(questionnaire.raw), now
            session.add(row)
            audit.record(session, at=now, actor_id=actor.person_id, action="questionnaire.upload",
                         entity="questionnaire", entity_id=questionnaire.version, before=before,
                         after={"code": questionnaire.code, "version": questionnaire.version,
                                "checksum": row.checksum, "questions": len(questionnaire.questions)})
            session.flush()
            return Checked(self._info(row, 0, self.store.current().version))

    def activate(self, actor: Actor, version: int) -> VersionInfo:
        """From now on new reports use this version, in every process (the next report start reads it along)."""
        self._check(actor)
        current = self.store.current().version
        if version <= current:
            raise DomainError(N_("Version {version} cannot be activated: version {current} is in use, and only a "
                                 "newer version can replace it."), version=version, current=current)
        now = self.clock.now()
        with self.db.session() as session:
            done = session.exec(update(QuestionnaireSnapshot).where(  # once, whoever presses first
                QuestionnaireSnapshot.code == self.store.code, QuestionnaireSnapshot.version == version,
                col(QuestionnaireSnapshot.activated_at).is_(None)).values(activated_at=now))
            if done.rowcount != 1:
                raise NotFound(N_("This questionnaire version does not exist or is already active."))
            audit.record(session, at=now, actor_id=actor.person_id, action="questionnaire.activate",
                         entity="questionnaire", entity_id=version, before={"version": current},
                         after={"code": self.store.code, "version": version})
        self.store.forget_newest()
        return next(v for v in self.versions(actor) if v.version == version)

    @staticmethod
    def _check(actor: Actor) -> None:
        if not actor.is_office:
            raise PermissionDenied(N_("Only the Administration Office changes the questionnaire."))

    def _info(self, row: QuestionnaireSnapshot, reports: int, current: int) -> VersionInfo:
        questionnaire = self.store.get(row.code, row.version) if row.activated_at is not None else None
        raw = dict(row.definition)
        count = len(questionnaire.questions) if questionnaire is not None else \
            sum(len(s.get("questions") or []) for s in raw.get("sections") or [] if isinstance(s, dict))
        return VersionInfo(row.code, row.version, dict(raw.get("title") or {}), count, row.loaded_at,
                           row.activated_at, reports, row.version == current)


def _line(text: str, start: str) -> int | None:
    return next((n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start)), None)
