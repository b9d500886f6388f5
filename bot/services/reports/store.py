"""Questionnaire definitions: files under config/questionnaires/ are snapshotted in the database by code+version,
so a report is always read against the version it was started with, whatever happens to the files later. The
Office may also store a version from the desk (bot/services/questionnaires.py), which new reports use once it is
activated; a deployed file's version is active as soon as it is stored."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from pathlib import Path

from sqlalchemy import bindparam, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.clock import Clock
from bot.questionnaire.loader import QUESTIONNAIRES_DIR, QuestionnaireError, load_dir, parse_questionnaire
from bot.questionnaire.model import Questionnaire
from storage.db import Database
from storage.models import QuestionnaireSnapshot

log = logging.getLogger(__name__)
ACTIVE_CODE = "thidua"  # the movement's questionnaire; new reports use its highest activated version
# The highest activated version of the questionnaire `:questionnaire_code`, as a column any statement can carry: the
# lookup of a unit's report, which every report start makes, brings it along (no statement of its own).
NEWEST_ACTIVE = (select(func.max(QuestionnaireSnapshot.version))
                 .where(QuestionnaireSnapshot.code == bindparam("questionnaire_code"),
                        col(QuestionnaireSnapshot.activated_at).is_not(None))
                 .scalar_subquery())


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

    Which version is the newest is remembered per process and corrected by `saw_newest`, which the report
    services call with the version their lookup of a unit's report read along (`NEWEST_ACTIVE`): a version the
    Office activates on the desk, in whatever process, is used by the next report started in every process.
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
