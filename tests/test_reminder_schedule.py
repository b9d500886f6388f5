"""The schedule itself: working days only, weekends and Tết, make-up days, working hours, catch-up."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import TZ
from bot.domain import Role
from bot.services.reminders.schedule import (ScheduleConfig, digest_day, in_working_hours, latest_due_step,
                                    next_working_morning, working_days_left)
from tests.reminder_helpers import at

CONFIG = ScheduleConfig()
OPENS = date(2026, 11, 15)


def step_on(services, day: date, deadline: date = date(2026, 12, 20), opens: date = OPENS):
    return latest_due_step(services.calendar, CONFIG, opens, deadline, day)


def test_deadline_on_sunday_counts_back_from_friday(services):
    # 20/12/2026 is a Sunday: the deadline-day reminder is on Friday 18/12, the countdown counts from there.
    days = {step_on(services, d).key for d in [date(2026, 12, 9), date(2026, 12, 15), date(2026, 12, 17),
                                               date(2026, 12, 18)]}
    assert days == {"d7:20261220", "d3:20261220", "d1:20261220", "d0:20261220"}
    assert step_on(services, date(2026, 12, 8)).key == "open"
    assert step_on(services, date(2026, 12, 9)).day == date(2026, 12, 9)
    assert step_on(services, date(2026, 12, 18)).day == date(2026, 12, 18)


def test_overdue_every_two_working_days_from_the_deadline(services):
    assert step_on(services, date(2026, 12, 21)).key == "d0:20261220"  # one working day late: nothing new
    assert step_on(services, date(2026, 12, 22)).key == "late2:20261220"
    assert step_on(services, date(2026, 12, 23)).key == "late2:20261220"
    assert step_on(services, date(2026, 12, 24)).key == "late4:20261220"
    # 1/1/2027 is New Year's Day: late6 is 28/12, late8 is 30/12, late10 skips the holiday to 4/1.
    assert step_on(services, date(2027, 1, 4)).key == "late10:20261220"
    assert step_on(services, date(2027, 1, 4)).day == date(2027, 1, 4)


def test_tet_2027_moves_steps_to_working_days(services):
    # Deadline Wednesday 10/2/2027 is in Tết (4-10/2 are holidays): the last working day is Wednesday 3/2.
    deadline, opens = date(2027, 2, 10), date(2027, 1, 15)
    assert step_on(services, date(2027, 2, 3), deadline, opens).key == "d0:20270210"
    assert step_on(services, date(2027, 2, 2), deadline, opens).key == "d1:20270210"
    assert step_on(services, date(2027, 1, 29), deadline, opens).key == "d3:20270210"  # Friday before
    assert step_on(services, date(2027, 2, 8), deadline, opens).key == "d0:20270210"  # nothing during Tết
    assert step_on(services, date(2027, 2, 11), deadline, opens).key == "d0:20270210"
    assert step_on(services, date(2027, 2, 12), deadline, opens).key == "late2:20270210"
    assert working_days_left(services.calendar, date(2027, 2, 3), deadline) == 0
    assert digest_day(services.calendar, CONFIG, deadline) == date(2027, 2, 2)


def test_office_days_off_and_make_up_days(services):
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE,
                                        telegram_id="1002")
    # 17/12 declared off: the d1 step moves to the previous working day, 16/12.
    services.periods.set_override(office, date(2026, 12, 17), False, "Nghỉ đột xuất")
    assert step_on(services, date(2026, 12, 16)).key == "d1:20261220"
    # Saturday 19/12 declared a make-up working day: it becomes the last working day before the deadline.
    services.periods.set_override(office, date(2026, 12, 19), True, "Làm bù")
    assert step_on(services, date(2026, 12, 19)).key == "d0:20261220"
    assert step_on(services, date(2026, 12, 18)).key == "d1:20261220"


def test_catch_up_sends_only_the_latest_step(services):
    # After a long outage (nothing sent since the opening), only d1 is due on 17/12, not d7 and d3 as well.
    step = step_on(services, date(2026, 12, 17))
    assert step.key == "d1:20261220"


def test_working_hours_and_next_morning(services):
    cal = services.calendar
    assert not in_working_hours(cal, CONFIG, datetime(2026, 11, 24, 9, tzinfo=TZ))  # Vietnam Cultural Day
    assert in_working_hours(cal, CONFIG, datetime(2026, 11, 25, 8, tzinfo=TZ))
    assert not in_working_hours(cal, CONFIG, datetime(2026, 11, 25, 17, tzinfo=TZ))
    assert not in_working_hours(cal, CONFIG, datetime(2026, 11, 28, 10, tzinfo=TZ))  # Saturday
    assert next_working_morning(cal, CONFIG, at(2026, 11, 27, 15)) == at(2026, 11, 30, 8)  # Friday -> Monday
    assert next_working_morning(cal, CONFIG, at(2026, 11, 25, 7)) == at(2026, 11, 25, 8)
    assert next_working_morning(cal, CONFIG, at(2027, 2, 3, 10)) == at(2027, 2, 11, 8)  # over Tết


def test_configurable_schedule(services):
    config = ScheduleConfig(days_before=(10, 5), on_deadline_day=False, overdue_every=0, opening_notice=False)
    cal = services.calendar
    assert latest_due_step(cal, config, OPENS, date(2026, 12, 20), date(2026, 12, 18)).key == "d5:20261220"
    assert latest_due_step(cal, config, OPENS, date(2026, 12, 20), date(2027, 1, 8)).key == "d5:20261220"
    assert latest_due_step(cal, config, OPENS, date(2026, 12, 20), date(2026, 11, 25)) is None
