"""Fixtures: a fresh database per test on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.clock import TZ, ManualClock
from bot.config import Settings
from bot.services import Services, build_services
from bot.simulator.harness import ChatSimulator
from storage.db import Database

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# A fixed Tuesday in the open annual period of 2026: tests never depend on the real date.
START = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A private PostgreSQL database for this test session, so parallel runs never collide."""
    if not PG_URL:
        yield ""
        return
    base = make_url(PG_URL)
    name = f"thidua_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path, pg_database_url: str) -> Iterator[Database]:
    """An empty schema: a new SQLite file, or the session's PostgreSQL database with every table recreated."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        database = Database(pg_database_url)
        SQLModel.metadata.drop_all(database.engine)
    database.create_all()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, telegram_bot_token="", data_dir=tmp_path, database_url="")


@pytest.fixture
def services(settings: Settings, db: Database, clock: ManualClock) -> Services:
    """Services over the loaded organisation and default periods."""
    built = build_services(settings, db, clock)
    built.org.load_file(settings.organization_file)
    built.periods.ensure_defaults()
    return built


@pytest.fixture
async def sim(settings: Settings, db: Database, clock: ManualClock) -> ChatSimulator:
    """The whole bot, offline, with the demo organisation and people."""
    simulator = ChatSimulator(settings, db, clock)
    await simulator.start()
    simulator.load_demo_people()
    yield simulator
    await simulator.stop()


@pytest.fixture
def site(settings: Settings, db: Database, clock: ManualClock) -> Iterator:
    """The simulator's bot with the desk served on 127.0.0.1 (tests/desk_site.py), stopped afterwards."""
    from tests.desk_site import DeskSite  # tornado and the desk load only for the tests that use it

    desk = DeskSite(settings, db, clock)
    yield desk
    desk.stop()
