"""Follow-up: working days only, once per item and step, urgent items sooner, the overdue list."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import TZ
from bot.domain import PermissionDenied
from storage.models import CalendarOverride, EscalationReminder
from tests.test_escalation_support import cast, raise_one  # noqa: F401  (fixture)


def at(clock, text: str) -> None:
    clock.set(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ))


def claimed(services) -> list[tuple[int, str]]:
    return [(f.item.item_id, f.holder) for f in services.escalations.claim_follow_ups()]


def test_office_reminder_after_two_working_days_once(services, cast, clock):
    item = raise_one(services, cast.head).item_id  # Tuesday 24/11/2026 09:00: due Thursday 26/11
    view = services.escalations.get(cast.office, item)
    assert view.due.isoformat() == "2026-11-26" and not view.overdue
    at(clock, "2026-11-26 16:00")
    assert claimed(services) == []
    at(clock, "2026-11-27 07:00")  # before working hours
    assert claimed(services) == []
    at(clock, "2026-11-27 08:00")
    assert claimed(services) == [(item, "office")]
    assert claimed(services) == []  # once per step
    assert [v.item_id for v in services.escalations.overdue(cast.office)] == [item]


def test_weekend_is_skipped(services, cast, clock):
    at(clock, "2026-11-26 10:00")  # Thursday: two working days are Friday and Monday
    item = raise_one(services, cast.head).item_id
    assert services.escalations.get(cast.office, item).due.isoformat() == "2026-11-30"
    for moment in ("2026-11-28 09:00", "2026-11-29 09:00", "2026-11-30 16:00"):
        at(clock, moment)
        assert claimed(services) == [], moment
    at(clock, "2026-12-01 08:30")
    assert claimed(services) == [(item, "office")]


def test_office_day_off_moves_the_reminder(services, cast, clock):
    with services.db.session() as session:
        session.add(CalendarOverride(day=datetime(2026, 11, 27).date(), is_working=False, note="Nghỉ bù",
                                     created_at=clock.now()))
    item = raise_one(services, cast.head).item_id  # Wednesday and Thursday count: due Thursday
    at(clock, "2026-11-27 09:00")  # Friday is a day off: no reminder
    assert claimed(services) == []
    at(clock, "2026-11-30 09:00")
    assert claimed(services) == [(item, "office")]


def test_each_step_has_its_own_reminder(services, cast, clock):
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    at(clock, "2026-11-27 09:00")
    assert claimed(services) == [(item, "office")]
    svc.forward(cast.office, item)  # Friday: the Director has three working days (Mon, Tue, Wed)
    assert svc.get(cast.director, item).due.isoformat() == "2026-12-02"
    at(clock, "2026-12-02 15:00")
    assert claimed(services) == []
    at(clock, "2026-12-03 09:00")
    assert claimed(services) == [(item, "director")]
    svc.assign(cast.director, item, cast.pgd.person_id)  # a new holder: a new clock
    assert claimed(services) == []
    svc.instruct(cast.pgd, item, "Đồng ý")
    at(clock, "2026-12-09 09:00")
    assert claimed(services) == [(item, "unit")]  # the unit has not confirmed or replied
    svc.confirm(cast.head, item)
    at(clock, "2026-12-30 09:00")
    assert claimed(services) == []
    with services.db.session() as session:
        steps = [(r.step, r.holder) for r in session.exec(select(EscalationReminder).order_by(EscalationReminder.id))]
    assert steps == [(1, "office"), (2, "director"), (4, "unit")]


def test_urgent_items_sooner(services, cast, clock):
    normal = raise_one(services, cast.head, title="Thường").item_id
    urgent = raise_one(services, cast.head, title="Khẩn", urgent=True).item_id
    at(clock, "2026-11-26 08:00")
    assert claimed(services) == [(urgent, "office")]
    at(clock, "2026-11-27 08:00")
    assert claimed(services) == [(normal, "office")]


def test_receiving_does_not_restart_the_office_clock(services, cast, clock):
    item = raise_one(services, cast.head).item_id
    clock.advance(timedelta(days=1))
    services.escalations.receive(cast.office, item)
    assert services.escalations.get(cast.office, item).due.isoformat() == "2026-11-26"


def test_overdue_list_only_for_office_and_director(services, cast, clock):
    raise_one(services, cast.head)
    at(clock, "2026-11-30 09:00")
    assert len(services.escalations.overdue(cast.director)) == 1
    with pytest.raises(PermissionDenied):
        services.escalations.overdue(cast.head)
    with pytest.raises(PermissionDenied):
        services.escalations.overdue(cast.pgd)
