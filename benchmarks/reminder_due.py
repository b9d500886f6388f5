"""Benchmark: what the periodic reminder task's `due()` costs, in statements and time, as recipients grow.

    .venv/bin/python -m benchmarks.reminder_due                          # SQLite and PostgreSQL, 1,000 and 10,000
    .venv/bin/python -m benchmarks.reminder_due --pg "" --n 1000         # SQLite only

For each size: `due()` when a step is due for everyone, then again when every one of those reminders has been
recorded as sent (nothing due: what every 5-minute run costs most of the time), beside one plain query that
lists the same candidates (heads and deputies of units that have not submitted), as a floor.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

AT = datetime(2026, 11, 25, 8, 0)  # a working morning with a reminder step due (as benchmarks.update_handling)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CANDIDATES = text("SELECT p.id, p.unit_id FROM person p JOIN unit u ON u.id = p.unit_id "
                  "WHERE p.is_active AND u.is_active AND p.role IN ('unit_head', 'deputy') AND NOT EXISTS ("
                  "SELECT 1 FROM report r WHERE r.unit_id = u.id AND r.state IN ('submitted', 'accepted'))")


class Statements:
    def __init__(self, engine) -> None:  # noqa: ANN001
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *args) -> None:  # noqa: ANN002
        self.count += 1


def build(url: str, n: int):  # noqa: ANN201
    """The organisation, its default periods, and `n` recipients in units of ten (a head and nine deputies)."""
    from bot.clock import TZ, ManualClock
    from bot.config import Settings
    from bot.services import build_services
    from storage.db import Database
    from storage.models import Person, Unit

    settings = Settings(_env_file=None, telegram_bot_token="", database_url=url, office_chat_id="-100200")
    db = Database(url)
    db.create_all()
    services = build_services(settings, db, ManualClock(AT.replace(tzinfo=TZ)))
    services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    now = services.clock.now()
    with db.session() as session:
        units = [Unit(code=f"b{u:05d}", name=f"Đơn vị thử {u}", sort_order=100 + u, created_at=now)
                 for u in range((n + 9) // 10)]
        session.add_all(units)
        session.flush()
        unit_ids = [u.id for u in units]
    with db.engine.begin() as connection:
        connection.execute(insert(Person), [dict(
            full_name=f"Người nhận {i}", telegram_id=str(100_000 + i), role="unit_head" if i % 10 == 0 else "deputy",
            unit_id=unit_ids[i // 10], created_at=now, updated_at=now, locale="vi", is_active=True,
            preferred_channel="telegram") for i in range(n)])
    return services


def measure(services, call) -> tuple[int, float, object]:  # noqa: ANN001
    counter = Statements(services.db.engine)
    times, result = [], None
    for _ in range(3):
        before = counter.count
        t = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t)
        statements = counter.count - before
    event.remove(services.db.engine, "before_cursor_execute", counter._one)
    return statements, min(times), result


def mark_all_sent(services, items) -> None:  # noqa: ANN001
    from storage.models import ReminderDelivery

    now = services.clock.now()
    rows = [dict(period_id=part.period.period_id, target=part.target, person_id=part.person_id,
                 unit_id=part.unit.unit_id if part.unit else None, step=part.step, state="sent", created_at=now,
                 attempted_at=now, finished_at=now, worker="bench", error="")
            for item in items for part in item.all_parts]
    with services.db.engine.begin() as connection:
        connection.execute(insert(ReminderDelivery), rows)


def run_one(name: str, url: str, n: int) -> None:
    services = build(url, n)
    st_due, t_due, items = measure(services, services.reminders.due)
    with services.db.engine.connect() as connection:
        st_one, t_one, rows = measure(services, lambda: connection.execute(CANDIDATES).all())
    mark_all_sent(services, items)
    st_none, t_none, left = measure(services, services.reminders.due)
    print(f"{name}, {n:,} recipients: due() {t_due * 1000:,.0f} ms, {st_due} statements, {len(items):,} items; "
          f"nothing due: {t_none * 1000:,.0f} ms, {st_none} statements, {len(left)} items; "
          f"one query for the candidates: {t_one * 1000:,.1f} ms ({len(rows):,} rows)")
    services.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1000,10000", help="recipient counts, comma-separated")
    parser.add_argument("--pg", default=PG_DEFAULT, help="a PostgreSQL server URL ('' to skip PostgreSQL)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}; "
          "best of 3 runs of each call")
    folder = tempfile.mkdtemp()
    for n in (int(v) for v in args.n.split(",")):
        run_one("SQLite", f"sqlite:///{folder}/due{n}.sqlite3", n)
        if args.pg:
            base = make_url(args.pg)
            name = f"thidua_due_{uuid.uuid4().hex[:8]}"
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                run_one("PostgreSQL", base.set(database=name).render_as_string(hide_password=False), n)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
