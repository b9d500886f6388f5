"""Working days: weekends, Vietnamese public holidays (Tết included) and the Office's exceptions."""

from __future__ import annotations

from datetime import date

from bot.calendar import WorkingCalendar, public_holiday_name
from storage.models import CalendarOverride
from tests.conftest import START


def test_weekends_and_tet(db):
    calendar = WorkingCalendar(db)
    assert calendar.is_working_day(date(2026, 11, 25))
    assert not calendar.is_working_day(date(2026, 11, 28))  # Saturday
    assert not calendar.is_working_day(date(2026, 11, 24))  # Ngày Văn hóa Việt Nam, a holiday from 2026
    assert public_holiday_name(date(2027, 2, 6))  # Tết Đinh Mùi
    assert not calendar.is_working_day(date(2027, 2, 8))
    # Tết 2027 runs from Thursday 4 to Wednesday 10 February: the next working day after 3 February is the 11th.
    assert calendar.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert calendar.add_working_days(date(2027, 2, 11), -1) == date(2027, 2, 3)


def test_office_exceptions_win(db):
    calendar = WorkingCalendar(db)
    with db.session() as session:
        session.add(CalendarOverride(day=date(2026, 12, 9), is_working=False, note="Nghỉ bù", created_at=START))
        session.add(CalendarOverride(day=date(2026, 12, 12), is_working=True, note="Làm bù", created_at=START))
    assert not calendar.is_working_day(date(2026, 12, 9))
    assert calendar.is_working_day(date(2026, 12, 12))
    assert calendar.working_days(date(2026, 12, 7), date(2026, 12, 13)) == [
        date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 12)]
    assert calendar.count_between(date(2026, 12, 8), date(2026, 12, 14)) == 4


def test_next_and_previous(db):
    calendar = WorkingCalendar(db)
    saturday = date(2026, 11, 28)
    assert calendar.next_working_day(saturday) == date(2026, 11, 30)
    assert calendar.previous_working_day(saturday) == date(2026, 11, 27)
    assert calendar.next_working_day(date(2026, 11, 25)) == date(2026, 11, 25)
    assert calendar.next_working_day(date(2026, 11, 24)) == date(2026, 11, 25)
