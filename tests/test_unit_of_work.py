"""One update's transaction without a SAVEPOINT per service call, and the same outcome when a call fails."""

from __future__ import annotations

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
