"""Crash test with Zalo on (issue 22): a real `python -m bot run` killed with SIGKILL while the Zalo channel is
paused (429) and while it is down, then restarted with Zalo back. Nothing is lost, nothing doubled, and Telegram
answers the Office throughout. The scenario lives in tests/crash/zalo.py; about 30 s per database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKENDS, PG_URL
from tests.crash.zalo import ZaloCrash, ZaloOutcome

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def crashed(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[tuple[ZaloCrash, ZaloOutcome]]:
    data_dir = tmp_path_factory.mktemp(f"crash-zalo-{request.param}")
    if request.param == "sqlite":
        scenario = ZaloCrash(f"sqlite:///{data_dir / 'crash.sqlite3'}", data_dir)
        yield scenario, asyncio.run(scenario.run_zalo())
        scenario.services.db.dispose()
        return
    base, name = make_url(PG_URL), f"thidua_crashz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        scenario = ZaloCrash(base.set(database=name).render_as_string(hide_password=False), data_dir)
        yield scenario, asyncio.run(scenario.run_zalo())
        scenario.services.db.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_killed_while_zalo_was_paused_and_down_and_telegram_answered_throughout(crashed) -> None:
    _scenario, outcome = crashed
    print(f"\nzalo crash test: {outcome.kills} kills, {outcome.telegram_answered} Telegram answers, "
          f"{outcome.refused} Zalo 429s, Zalo messages {dict(outcome.zalo_states)}, {outcome.seconds:.1f} s")
    assert outcome.kills == 2 and outcome.refused >= 1, outcome.log
    assert outcome.telegram_answered == 4 and outcome.telegram_lost == 0, outcome.log


def test_every_zalo_message_kept_while_zalo_refused_arrived_once(crashed) -> None:
    """Every Zalo row ended "sent" (none dropped, none in doubt), and the person's phone shows each once: the
    reply to the message written while Zalo paused, and to the one written while it was down."""
    _scenario, outcome = crashed
    assert set(outcome.zalo_states) == {"sent"} and outcome.zalo_states["sent"] >= 2, outcome.zalo_states
    for expected in outcome.zalo_expected:
        start = expected.strip().splitlines()[0][:40]
        assert sum(got.startswith(start) for got in outcome.zalo_received) == 1, (start, outcome.zalo_received)
    assert len(outcome.zalo_received) == len(set(outcome.zalo_received)), outcome.zalo_received


def test_no_traceback_in_the_bot_logs(crashed) -> None:
    scenario, _outcome = crashed
    tracebacks = [line for log in sorted(scenario.data_dir.glob("bot-*.log"))
                  for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                  if line.startswith("Traceback")]
    assert tracebacks == []
