"""One update's transaction without a SAVEPOINT per service call, and the same outcome when a call fails."""

from __future__ import annotations

import re

from sqlalchemy import event, update
from sqlmodel import select

from bot.domain import DomainError
from bot.i18n import N_
from bot.services.reports.service import ReportService
from storage.db import Database
from storage.models import DialogState, InboxUpdate, Unit

REFUSAL = N_("This reporting period is not open yet.")


def statements_of(db: Database) -> list[str]:
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def refuse_after(db: Database, write: bool, atomic: bool = False) -> None:
    try:
        with db.session(atomic=atomic) as session:
            if write:
                session.add(Unit(code="tmp", name="Tạm", sort_order=1, created_at=_now()))
                session.flush()
            else:
                session.exec(update(Unit).where(Unit.code == "none").values(name="x"))  # matches nothing
            raise DomainError(REFUSAL)
    except DomainError:
        pass


def _now():  # noqa: ANN202
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def test_a_block_that_changed_nothing_before_refusing_needs_no_savepoint(db):
    seen = statements_of(db)
    with db.unit_of_work(savepoints=False) as session:
        refuse_after(db, write=False)
        assert not Database.tainted(session)
    assert not any("SAVEPOINT" in s for s in seen)


def test_a_block_that_wrote_before_refusing_marks_the_update(db):
    with db.unit_of_work(savepoints=False) as session:
        refuse_after(db, write=True)
        assert Database.tainted(session)
        session.rollback()


def test_an_atomic_block_undoes_only_itself(db):
    with db.unit_of_work(savepoints=False) as session:
        refuse_after(db, write=True, atomic=True)
        assert not Database.tainted(session)
    with db.session() as session:
        assert session.exec(select(Unit).where(Unit.code == "tmp")).first() is None


async def test_an_update_whose_call_wrote_then_refused_runs_again_once(sim, monkeypatch):
    """Its partial write is gone, its reply goes out once (the first run's rows were rolled back)."""
    person_id = sim.services.people.actor_for("telegram", str(sim.personas["khtc"].user_id)).person_id
    calls = []

    def open_periods(self, actor):  # noqa: ANN001, ANN202
        calls.append(actor.person_id)
        with self.db.session() as session:
            session.add(DialogState(person_id=person_id, kind="half-done", payload={}, updated_at=self.clock.now()))
            session.flush()
            raise DomainError(REFUSAL)

    monkeypatch.setattr(ReportService, "open_periods", open_periods)
    seen = statements_of(sim.db)
    replies = await sim.send("khtc", "/baocao")
    assert len(calls) == 2  # optimistic, then with SAVEPOINTs
    assert [m.text for m in replies] == [sim.i18n.get("vi").gettext(REFUSAL)]
    assert any("SAVEPOINT" in s for s in seen)
    with sim.db.session() as session:
        assert session.get(DialogState, person_id) is None
        assert set(session.exec(select(InboxUpdate.state)).all()) == {"done"}


async def test_a_typed_answer_uses_savepoints_only_for_the_change(sim):
    await sim.send("khtc", "/baocao")
    seen = statements_of(sim.db)
    await sim.send("khtc", "/batdau")
    assert not any("SAVEPOINT" in s for s in seen)


async def test_a_refused_answer_changes_nothing_without_a_savepoint(sim):
    """The answer is worked out in memory before the step is claimed: a refusal has nothing to undo."""
    from datetime import datetime

    from bot.clock import TZ
    from storage.models import AuditLog, Report, ReportAnswer

    sim.clock.set(datetime(2027, 6, 3, 9, 0, tzinfo=TZ))
    for text in ("/baocao", "Nội dung", "1", "bỏ qua", "bỏ qua", "bỏ qua", "có"):
        await sim.send("khtc", text)
    with sim.db.session() as session:
        before = (session.exec(select(Report)).one().step, len(session.exec(select(ReportAnswer)).all()),
                  len(session.exec(select(AuditLog)).all()))
    seen = statements_of(sim.db)
    sent = await sim.send("khtc", "một tỷ rưỡi")  # not an amount: refused, the same question again
    assert "Câu 7/20" in sent[-1].text
    assert not any("SAVEPOINT" in s for s in seen)
    assert not any(s.lstrip().upper().startswith("UPDATE REPORT") for s in seen)
    with sim.db.session() as session:
        after = (session.exec(select(Report)).one().step, len(session.exec(select(ReportAnswer)).all()),
                 len(session.exec(select(AuditLog)).all()))
    assert after == before
    sent = await sim.send("khtc", "2 tỷ")  # the same step still takes an answer
    assert "Câu 8/20" in sent[-1].text
    with sim.db.session() as session:
        assert session.exec(select(Report)).one().step == before[0] + 1


def test_what_an_update_remembers_is_forgotten_when_it_writes(services):
    """A person read once per update, read again after the update changed them (the memo empties at a flush)."""
    from bot.domain import Role

    people = services.people
    person = people.add_person(full_name="Nguyễn Văn Thử", role=Role.OFFICE, telegram_id="777001")
    with services.db.unit_of_work(savepoints=False) as session:
        first = people.actor_for("telegram", "777001")
        seen = statements_of(services.db)
        assert people.actor_for("telegram", "777001") == first and not seen  # remembered
        people.set_locale(person.person_id, "en")
        assert people.actor_for("telegram", "777001").locale == "en"
        assert services.dialogs.get(person.person_id) is None
        services.dialogs.set(person.person_id, "test", {"a": 1})
        assert services.dialogs.get(person.person_id).payload == {"a": 1}
        services.dialogs.clear(person.person_id)
        assert services.dialogs.get(person.person_id) is None
        assert Database.memo(session) is not None
    assert Database.memo(session) is None
    assert services.dialogs.get(person.person_id) is None


async def test_the_claim_brings_the_speaker_on_postgresql(sim):
    """On PostgreSQL an update's first statement also reads its person and dialog state: no statement of its own."""
    await sim.send("khtc", "/baocao")
    seen = statements_of(sim.db)
    await sim.send("khtc", "/baocao")
    lookups = [s for s in seen if s.lstrip().startswith("SELECT") and re.search(r"\bFROM (person|dialogstate)\b", s)]
    if sim.db.is_sqlite:
        assert lookups  # SQLite cannot put an UPDATE in a WITH: the lookups are statements of their own
    else:
        assert not lookups
        assert any(s.lstrip().startswith("WITH claimed") and "JOIN person" in s and "JOIN dialogstate" in s
                   for s in seen)


async def test_starting_a_report_reads_the_report_and_questionnaire_once(sim):
    """The /baocao that starts a unit's report: the menu's read finds no report, which opening it need not ask
    again; the questionnaire was stored at start-up; the first screen reads nothing the start just wrote."""
    seen = statements_of(sim.db)
    replies = await sim.send("khtc", "/baocao")
    assert "Câu 1/" in replies[-1].text
    reads = [s for s in seen if s.lstrip().startswith("SELECT")]
    # Stored at start-up; the newest activated version rides along the lookup of the unit's report (the version
    # check that lets an activation on the desk reach every process), never in a statement of its own.
    assert not [s for s in reads if s.lstrip().startswith("SELECT questionnairesnapshot.")]
    report_reads = [s for s in reads if re.search(r"\bFROM report\b|JOIN \(report\b", s)]
    assert len(report_reads) == 1, report_reads  # the menu's; not its id again, not the new row after the INSERT
    assert "FROM questionnairesnapshot" in report_reads[0]
    assert sum(s.lstrip().startswith("INSERT INTO report ") for s in seen) == 1
    update = seen[seen.index(next(s for s in seen if "UPDATE inboxupdate" in s)):]
    update = update[:next(i for i, s in enumerate(update) if s.startswith("INSERT INTO outboxmessage")) + 1]
    assert len(update) == (10 if sim.db.is_sqlite else 8), update  # as many statements as before the version check


async def test_a_race_lost_in_the_optimistic_run_is_neither_an_error_nor_an_apology(sim, monkeypatch, caplog):
    """The head and the deputy start the unit's report at the same moment: the loser's INSERT fails, which in
    the optimistic run leaves the transaction unusable; the update simply runs again with SAVEPOINTs, where the
    other's report is found. Nobody is told "something went wrong", and nothing is logged as an error."""
    from sqlalchemy import insert

    from storage.models import Report

    original, raced = ReportService._create, []

    def create(self, actor, period_id):  # noqa: ANN001, ANN202
        if not raced:  # the deputy's report lands first, in this very transaction (then rolled back by the rerun)
            raced.append(period_id)
            with self.db.session() as session:
                now = self.clock.now()
                session.connection().execute(insert(Report).values(
                    period_id=period_id, unit_id=actor.unit_id, state="draft", questionnaire_code="thidua",
                    questionnaire_version=1, answered_count=0, question_count=1, version=1, cursor={}, step=0,
                    created_at=now, updated_at=now, is_late=False))
        return original(self, actor, period_id)

    monkeypatch.setattr(ReportService, "_create", create)
    replies = await sim.send("khtc", "/baocao")
    assert raced
    assert len(replies) == 1 and "Câu 1/" in replies[0].text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
