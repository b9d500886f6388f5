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


async def run_until(sim, end: datetime) -> list[tuple[datetime, object]]:
    """Advance hour by hour to `end`, returning (local time, message) for every message sent."""
    log = []
    while sim.clock.now() < end:
        sim.clock.set(min(sim.clock.now() + timedelta(hours=1), end))
        for message in await sim.tick():
            log.append((sim.clock.now(), message))
    return log


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)
