"""Helpers shared by the reminder tests: submit a report directly in the database, read what was sent when."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.clock import TZ
from storage.models import Report, Unit
from tests.world import period_id


def unit_id(services, code: str) -> int:
    with services.db.session() as session:
        return session.exec(select(Unit.id).where(Unit.code == code)).one()


def submit(services, unit_code: str, code: str = "2026-Y", state: str = "submitted") -> None:
    """The reports feature is built in parallel: set the Report row as a submission would."""
    now = services.clock.now()
    with services.db.session() as session:
        session.add(Report(period_id=period_id(services, code), unit_id=unit_id(services, unit_code), state=state,
                           questionnaire_code="q", questionnaire_version=1, answered_count=20, question_count=20,
                           version=1, created_at=now, updated_at=now, submitted_at=now))


def draft(services, unit_code: str, answered: int, total: int = 20) -> None:
    now = services.clock.now()
    with services.db.session() as session:
        session.add(Report(period_id=period_id(services), unit_id=unit_id(services, unit_code), state="draft",
                           questionnaire_code="q", questionnaire_version=1, answered_count=answered,
                           question_count=total, created_at=now, updated_at=now))


def next_tick(now: datetime, start: int, end: int) -> datetime:
    """The next moment the reminder tests run the periodic tasks: every hour from the start of working hours to
    their end (the first hour after it included) and at midnight, on every day, working or not.

    Reminders go out only within working hours (`in_working_hours`), and these tests have no group chat and
    no difficulty, so the tasks can send nothing in the other hours; the ticks at the end of the day and at
    midnight, on weekends and holidays too, still catch a reminder sent outside working hours, had the
    check been broken. It runs the tasks about 11 times a day instead of 24."""
    step = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if step.hour == 0 or start <= step.hour <= end:
        return step
    if step.hour < start:
        return step.replace(hour=start)
    return (step + timedelta(days=1)).replace(hour=0)


async def run_until(sim, end: datetime) -> list[tuple[datetime, object]]:
    """Advance to `end` (see next_tick), returning (local time, message) for every message sent."""
    log = []
    start, stop = sim.settings.working_hours_start, sim.settings.working_hours_end
    while sim.clock.now() < end:
        sim.clock.set(min(next_tick(sim.clock.now(), start, stop), end))
        for message in await sim.tick():
            log.append((sim.clock.now(), message))
    return log


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)
