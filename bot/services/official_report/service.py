"""The Office writes sections I, III, V, VI of the official report and chooses the signer, per period.

Texts are rows of `officialreporttext` (who wrote them, when), audited; a part without a row prints the bot's
draft, so an export before the Office writes anything is still a complete, signable draft.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.clock import Clock
from bot.documents import narrative
from bot.documents.narrative import PARTS, SIGNER, TEXT_PARTS, ReportInputs, Signer
from bot.domain import Actor, DomainError, PermissionDenied, Role
from bot.i18n import N_
from bot.services.base import Service
from bot.services.org.service import OrgService
from bot.services.status.service import ExportFiles, StatusService, can_see_status
from bot.text import nfc
from storage import audit
from storage.db import Database
from storage.models import OfficialReportText, Person, Unit

MAX_TEXT = 3500  # one chat message holds 4,096 characters: the draft is sent back whole
DIRECTOR_SIGNS = "director"
DEPUTY_PREFIX = "deputy:"


@dataclass(frozen=True)
class PartState:
    """One part as it will be printed: the Office's text, or the bot's draft when `written_by` is None."""

    part: str
    text: str
    written_by: str | None = None
    written_at: datetime | None = None

    @property
    def is_draft(self) -> bool:
        return self.written_by is None


def signer_of(stored: str | None) -> Signer:
    """The stored signer value ("director" or "deputy:<name>") as a `Signer`."""
    if stored and stored.startswith(DEPUTY_PREFIX) and stored[len(DEPUTY_PREFIX):].strip():
        return Signer(deputy=True, name=stored[len(DEPUTY_PREFIX):].strip())
    return Signer()


class OfficialReportService(Service):
    """Reading is for whoever may see the status; writing is for the Administration Office only."""

    def __init__(self, db: Database, clock: Clock, status: StatusService, org: OrgService) -> None:
        super().__init__(db, clock)
        self.status, self.org = status, org

    # Reading -------------------------------------------------------------------------------------------
    def inputs(self, period_id: int) -> ReportInputs:
        """The Office's texts, the signer and the units' short names for one period's documents."""
        with self.db.session() as session:
            rows = session.exec(select(OfficialReportText).where(OfficialReportText.period_id == period_id)).all()
            short = {u.id: u.short_name for u in session.exec(select(Unit)).all() if u.short_name}
            stored = {r.part: r.text for r in rows}
            director = session.exec(select(Person).where(Person.role == Role.DIRECTOR.value, col(Person.is_active))
                                    .order_by(Person.id)).first()
        signer = signer_of(stored.get(SIGNER))
        if not signer.deputy and director is not None:
            signer = Signer(deputy=False, name=director.full_name)
        return ReportInputs(texts={p: t for p, t in stored.items() if p in TEXT_PARTS}, signer=signer,
                            short_names=short, department=self.org.department())

    def parts(self, actor: Actor, period_id: int) -> list[PartState]:
        """Every part of the period as it will be printed (drafts filled in)."""
        if not can_see_status(actor):
            raise PermissionDenied()
        c = self.status.build(period_id)
        inputs = self.inputs(period_id)
        with self.db.session() as session:
            rows = {r.part: r for r in session.exec(select(OfficialReportText).where(
                OfficialReportText.period_id == period_id)).all()}
            names = {p.id: p.full_name for p in session.exec(select(Person).where(
                col(Person.id).in_([r.updated_by for r in rows.values() if r.updated_by]))).all()} if rows else {}
        states = []
        for part in PARTS:
            row = rows.get(part)
            if part == SIGNER:
                text = self._signer_text(inputs.signer)
            else:
                text = row.text if row else narrative.draft(part, c, inputs)
            states.append(PartState(part, text, (names.get(row.updated_by) or "?") if row else None,
                                    row.updated_at if row else None))
        return states

    def part(self, actor: Actor, period_id: int, part: str) -> PartState:
        return next(s for s in self.parts(actor, period_id) if s.part == _known(part))

    def deputies(self) -> list[str]:
        """Active deputy directors' names: the signer choice offers them."""
        with self.db.session() as session:
            return [p.full_name for p in session.exec(select(Person).where(
                Person.role == Role.DEPUTY_DIRECTOR.value, col(Person.is_active)).order_by(Person.id)).all()]

    # Writing ---------------------------------------------------------------------------------------------
    def save(self, actor: Actor, period_id: int, part: str, text: str) -> PartState:
        """Write or replace a section's text (NFC, paragraphs kept)."""
        part = _known(part)
        if part == SIGNER:
            raise DomainError(N_("Choose the signer from the list."))
        value = _paragraphs(text)
        if not value:
            raise DomainError(N_("The text is empty. Please type the section's text, or /cancel."))
        if len(value) > MAX_TEXT:
            raise DomainError(N_("The text is too long ({n} characters; at most {max}). Please shorten it."),
                              n=len(value), max=MAX_TEXT)
        self._write(actor, period_id, part, value)
        return self.part(actor, period_id, part)

    def set_signer(self, actor: Actor, period_id: int, deputy_name: str | None) -> PartState:
        """The Director signs (None) or a deputy director signs for the Director (their name)."""
        name = " ".join(nfc(deputy_name or "").split())
        if deputy_name is not None and not (2 <= len(name) <= 120):
            raise DomainError(N_("Please type the deputy director's full name."))
        self._write(actor, period_id, SIGNER, DEPUTY_PREFIX + name if deputy_name is not None else DIRECTOR_SIGNS)
        return self.part(actor, period_id, SIGNER)

    def reset(self, actor: Actor, period_id: int, part: str) -> PartState:
        """Back to the bot's draft (the Office's text is removed; the audit log keeps it)."""
        part = _known(part)
        self._check_office(actor, period_id)
        with self.db.session() as session:
            row = session.exec(select(OfficialReportText).where(
                OfficialReportText.period_id == period_id, OfficialReportText.part == part)).first()
            if row is not None:
                audit.record(session, at=self.clock.now(), actor_id=actor.person_id, action="official_report.reset",
                             entity="period", entity_id=period_id, before={"part": part, "text": row.text}, after=None)
                session.delete(row)
        return self.part(actor, period_id, part)

    def preview(self, actor: Actor, period_id: int, texts: dict[str, str], signer: str | None = None) -> bytes:
        """The DOCX the report would be with the texts the Office is typing (nothing saved): the desk's preview.
        A part typed empty prints the bot's draft; `signer` as stored ("director", "deputy:<name>")."""
        self._check_office(actor, period_id)
        from bot.documents.docx_report import build_report

        c = self.status.build(period_id, actor)
        inputs = self.inputs(period_id)
        written = dict(inputs.texts)
        for part in TEXT_PARTS:
            if part in texts:
                value = _paragraphs(texts[part])[:MAX_TEXT]
                if value:
                    written[part] = value
                else:
                    written.pop(part, None)
        chosen = inputs.signer if signer is None else signer_of(signer)
        if not chosen.deputy:
            chosen = Signer(deputy=False, name=self.status.director_name())
        inputs = replace(inputs, texts=written, signer=chosen)
        return build_report(c, self.status.director_name(), self.status.labels(), inputs)

    def document(self, actor: Actor, period_id: int) -> bytes:
        """The report's DOCX alone, as it prints now, to read on the desk (not an export: nothing is recorded)."""
        if not can_see_status(actor):
            raise PermissionDenied()
        from bot.documents.docx_report import build_report

        c = self.status.build(period_id, actor)
        return build_report(c, self.status.director_name(), self.status.labels(), self.inputs(period_id))

    def export(self, actor: Actor, period_id: int) -> ExportFiles:
        """The DOCX, XLSX and their names for a person allowed to see the status; the audit log records it."""
        if not can_see_status(actor):
            raise PermissionDenied()
        files = self.export_files(period_id, viewer=actor)
        self.status.record_export(actor, period_id)
        return files

    def export_files(self, period_id: int, viewer: Actor | None = None) -> ExportFiles:
        """Both documents, for the command line as well (the text is the Department's, in Vietnamese): the
        status service gives the consolidation, this service the Office's texts; nothing calls back."""
        from bot.documents.docx_report import build_report  # python-docx and openpyxl load only when needed
        from bot.documents.xlsx_annex import build_annex

        c = self.status.build(period_id, viewer)
        inputs, labels, code = self.inputs(period_id), self.status.labels(), c.period.code
        return ExportFiles(period=c.period, docx_name=f"BC-thi-dua-{code}.docx",
                           docx=build_report(c, self.status.director_name(), labels, inputs),
                           xlsx_name=f"Phu-luc-thi-dua-{code}.xlsx", xlsx=build_annex(c, inputs, labels),
                           missing=len(c.missing))

    def _check_office(self, actor: Actor, period_id: int) -> None:
        if not actor.is_office:
            raise PermissionDenied(N_("Only the Administration Office writes the official report."))
        self.status.periods.get(period_id)  # raises when the period no longer exists

    def _write(self, actor: Actor, period_id: int, part: str, value: str) -> None:
        self._check_office(actor, period_id)
        now = self.clock.now()
        for attempt in range(2):  # two Office members saving the first text at once: the unique row decides
            try:
                with self.db.session() as session:
                    row = session.exec(select(OfficialReportText).where(
                        OfficialReportText.period_id == period_id, OfficialReportText.part == part)).first()
                    before = {"part": part, "text": row.text} if row else None
                    if row is None:
                        row = OfficialReportText(period_id=period_id, part=part, text=value,
                                                 updated_by=actor.person_id, updated_at=now)
                    else:
                        row.text, row.updated_by, row.updated_at = value, actor.person_id, now
                    session.add(row)
                    audit.record(session, at=now, actor_id=actor.person_id, action="official_report.write",
                                 entity="period", entity_id=period_id, before=before, after={"part": part, "text": value})
                return
            except IntegrityError:
                if attempt:
                    raise

    @staticmethod
    def _signer_text(signer: Signer) -> str:
        return " / ".join(signer.lines) + (f": {signer.name}" if signer.name else "")


def _paragraphs(text: str) -> str:
    """NFC, spaces folded, one paragraph per line, empty lines dropped."""
    lines = [" ".join(nfc(line).split()) for line in nfc(text or "").replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def _known(part: str) -> str:
    if part not in PARTS:
        raise DomainError(N_("Unknown part of the report."))
    return part
