"""The periodic reminder run reads what is due with a fixed number of queries, whatever the number of people."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func
from sqlmodel import col, select

from storage.models import Person, ReminderDelivery, Unit
from tests.world import period_id


def add_units(services, first: int, count: int) -> None:
    """Units of three people each: one to remind, one who snoozed, one the Office reminded an hour ago."""
    now = services.clock.now()
    annual = period_id(services)
    with services.db.session() as session:
        units = [Unit(code=f"t{i:04d}", name=f"Đơn vị {i}", sort_order=500 + i, created_at=now)
                 for i in range(first, first + count)]
        session.add_all(units)
        session.flush()
        for unit in units:
            people = [Person(full_name=f"{kind} {unit.code}", telegram_id=f"9{unit.id:05d}{n}",
                             role="unit_head" if n == 0 else "deputy", unit_id=unit.id, created_at=now,
                             updated_at=now) for n, kind in enumerate(("Nhắc", "Hẹn", "Đã nhắc"))]
            session.add_all(people)
            session.flush()
            session.add(ReminderDelivery(period_id=annual, target=f"p{people[1].id}", person_id=people[1].id,
                                         unit_id=unit.id, step="snz:x", state="pending",
                                         not_before=now - timedelta(hours=1), created_at=now - timedelta(days=1)))
            session.add(ReminderDelivery(period_id=annual, target=f"p{people[2].id}", person_id=people[2].id,
                                         unit_id=unit.id, step="manual:x", state="sent",
                                         attempted_at=now - timedelta(hours=1), created_at=now - timedelta(hours=1),
                                         finished_at=now - timedelta(hours=1), error=""))


def counted_due(services):  # noqa: ANN201
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(services.db.engine, "before_cursor_execute", listener)
    try:
        items = services.reminders.due()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listener)
    return items, len(statements)


def test_due_costs_the_same_for_one_unit_and_for_sixty_seven(services):
    add_units(services, 0, 1)
    small, small_statements = counted_due(services)
    add_units(services, 1, 66)  # about 200 people
    large, large_statements = counted_due(services)
    with services.db.session() as session:
        states = dict(session.exec(select(ReminderDelivery.state, func.count()).where(
            col(ReminderDelivery.step).in_(["snz:x"]) | (ReminderDelivery.state == "skipped"))
            .group_by(ReminderDelivery.state)).all())
    # Every path ran at both sizes: scheduled steps, snoozes (still waiting: the scheduled step carries them),
    # and people the Office reminded earlier today (recorded as skipped, in one statement).
    ours = [i for i in large if i.unit is not None and i.unit.unit_name.startswith("Đơn vị ")]
    assert len(ours) == 2 * 67 and len([i for i in small if i.unit and i.unit.unit_name.startswith("Đơn vị ")]) == 2
    assert states == {"pending": 67, "skipped": 67}
    assert large_statements == small_statements, (small_statements, large_statements)
    assert large_statements <= 30


def test_nothing_open_costs_two_queries(services, clock):
    clock.set(clock.now().replace(year=2031))  # no period open, no snooze waiting
    items, statements = counted_due(services)
    assert items == [] and statements == 2
