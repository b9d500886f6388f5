"""Two service instances on one database (as two processes would be) racing the same transition: one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.contracts import EscalationState as S
from bot.services import build_services
from bot.services.escalations.core import Superseded
from storage.db import Database
from storage.models import EscalationEvent
from tests.test_escalation_support import cast, raise_one  # noqa: F401  (fixture)


@pytest.fixture
def second(settings, db, clock):
    """Services over their own engine on the same database."""
    other = Database(db.url)
    yield build_services(settings, other, clock)
    other.dispose()


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment in threads; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001  (the loser's refusal is the result under test)
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def events(services, item_id: int, action: str) -> int:
    with services.db.session() as session:
        return len(session.exec(select(EscalationEvent).where(EscalationEvent.escalation_id == item_id,
                                                              EscalationEvent.action == action)).all())


def test_two_office_members_forward_at_once(services, second, cast):
    for round_ in range(8):
        item = raise_one(services, cast.head, title=f"Vướng mắc {round_}").item_id
        results = race(lambda: services.escalations.forward(cast.office, item, "Ghi chú A"),
                       lambda: second.escalations.forward(cast.office2, item, "Ghi chú B"))
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], Superseded) and losers[0].item.state == S.FORWARDED
        assert events(services, item, "forward") == 1
        view = services.escalations.get(cast.office, item)
        assert view.state == S.FORWARDED and view.version == 2
        # the loser's note is not lost: it is in the history as a note
        assert events(services, item, "comment") == 1


def test_office_closes_while_another_forwards(services, second, cast):
    item = raise_one(services, cast.head).item_id
    results = race(lambda: services.escalations.close(cast.office, item),
                   lambda: second.escalations.forward(cast.office2, item))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    state = services.escalations.get(cast.office, item).state
    assert state in (S.CLOSED, S.FORWARDED)
    assert events(services, item, "close") + events(services, item, "forward") == 1


def test_director_and_deputy_answer_at_once(services, second, cast):
    item = raise_one(services, cast.head).item_id
    services.escalations.forward(cast.office, item)
    services.escalations.assign(cast.director, item, cast.pgd.person_id)
    results = race(lambda: services.escalations.instruct(cast.director, item, kind="agreed"),
                   lambda: second.escalations.instruct(cast.pgd, item, "Giao phòng thực hiện"))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert events(services, item, "instruct") == 1


def test_lost_race_is_decided_again(services, second, cast, monkeypatch):
    """A reads, B writes, A's conditional update finds a new version: A reads again and decides again."""
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    original = type(svc)._load_visible
    interleave = {"left": 1, "call": lambda: second.escalations.add_info(cast.head, item, "Thêm số liệu")}

    def load_then_let_other_write(self, session, actor, item_id):  # noqa: ANN001, ANN202
        loaded = original(self, session, actor, item_id)
        if self is svc and interleave["left"]:
            interleave["left"] -= 1
            interleave["call"]()
        return loaded

    monkeypatch.setattr(type(svc), "_load_visible", load_then_let_other_write)
    # information added meanwhile does not prevent forwarding: the retry succeeds
    assert svc.forward(cast.office, item).state == S.FORWARDED
    assert services.escalations.get(cast.office, item).version == 3
    # a forward meanwhile does: the retry sees the new state and refuses clearly
    other = raise_one(services, cast.head, title="Khác").item_id
    interleave.update(left=1, call=lambda: second.escalations.forward(cast.office2, other))
    with pytest.raises(Superseded) as refused:
        svc.forward(cast.office, other)
    assert refused.value.last.actor_name == "Đỗ Thị Hà"
    assert events(services, other, "forward") == 1
