"""`python -m bot backup` / `restore`: a busy period copied while in use, restored elsewhere, nothing lost."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.__main__ import main
from bot.backup import BackupError, backup, read_manifest, restore
from bot.config import Settings
from bot.domain import Role
from bot.services.official_report.sample import build_sample, sample_services
from bot.transport.outbox import Outbox
from storage.db import Database
from storage.models import AuditLog, Escalation, EscalationEvent, ReminderDelivery, Report, ReportVersion
from tests.conftest import BACKENDS, PG_URL, START


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator:
    """Makes empty databases of a kind (a SQLite path, or a new PostgreSQL database), dropped afterwards."""
    made: list[str] = []
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT") if PG_URL else None

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
        name = f"thidua_backup_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def busy_period(url: str, data_dir: Path) -> None:
    """Reports and versions of seven units, difficulties in every state, their audit rows, snoozed reminders
    waiting, replies still in the outbox, dialogs half-way and a file link on disk."""
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)
    services, clock = sample_services(url, settings)
    period_id = build_sample(services, clock)
    clock.set(clock.now() - timedelta(days=3))  # 20/12, before the period closes: the missing unit may snooze
    unit = services.org.find_unit("thanhtra")
    for number in range(3):
        head = services.people.add_person(full_name=f"Trưởng phòng {number}", role=Role.DEPUTY if number else
                                          Role.UNIT_HEAD, telegram_id=f"77{number}", unit_id=unit.unit_id)
        services.reminders.snooze(head, period_id)
        services.dialogs.set(head.person_id, "xb_menu", {"period_id": period_id})
    with services.db.session() as session:
        for n in range(5):
            Outbox(services.db).enqueue(session, channel="telegram", chat_key=str(770 + n), method="sendMessage",
                                        params={"chat_id": 770 + n, "text": f"Trả lời {n}"}, files=None, priority=1,
                                        resend=True, inbox_id=None)
    (data_dir / "links").mkdir(parents=True, exist_ok=True)
    (data_dir / "links" / "tok.bin").write_bytes(b"PK\x03\x04 docx")
    services.db.dispose()


def rows_by_table(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, read through the models' column types."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return {table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))] for table in SQLModel.metadata.sorted_tables}
    finally:
        database.dispose()


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_busy_period_restores_with_nothing_lost(kind: str, new_database, tmp_path: Path, monkeypatch) -> None:
    source, target = new_database(kind), new_database(kind)
    source_dir, target_dir = tmp_path / "live", tmp_path / "restored"
    busy_period(source, source_dir)
    before = rows_by_table(source)
    for model, least in ((Report, 7), (ReportVersion, 7), (Escalation, 7), (EscalationEvent, 10), (AuditLog, 20)):
        assert len(before[model.__tablename__]) >= least, model
    pending = [r for r in before[ReminderDelivery.__tablename__] if "pending" in r]
    assert len(pending) == 3

    monkeypatch.setenv("DATABASE_URL", source)
    monkeypatch.setenv("DATA_DIR", str(source_dir))
    assert main(["backup", "--out", str(tmp_path / "backups")]) == 0
    [archive] = list((tmp_path / "backups").glob("thidua-*.tar.gz"))
    manifest = read_manifest(archive)
    assert manifest.dialect == kind and manifest.revision and manifest.files == 1
    assert manifest.tables["report"] == len(before["report"])

    monkeypatch.setenv("DATABASE_URL", target)
    monkeypatch.setenv("DATA_DIR", str(target_dir))
    assert main(["restore", str(archive)]) == 0
    after = rows_by_table(target)
    assert after == before  # every report, version, difficulty, audit row, pending reminder, queued reply
    assert (target_dir / "links" / "tok.bin").read_bytes() == b"PK\x03\x04 docx"
    assert Database(target)._at_head()


@pytest.mark.parametrize("kind", BACKENDS)
def test_restore_refuses_a_database_in_use(kind: str, new_database, tmp_path: Path) -> None:
    source, target = new_database(kind), new_database(kind)
    for url in (source, target):
        database = Database(url)
        database.upgrade()
        database.dispose()
    archive, _manifest = backup(source, tmp_path, tmp_path / "out", START)
    with pytest.raises(BackupError, match="not empty"):
        restore(archive, target, tmp_path / "other")


def test_a_tampered_archive_is_refused_by_its_counts(new_database, tmp_path: Path) -> None:
    source, target = new_database("sqlite"), new_database("sqlite")
    busy_period(source, tmp_path / "live")
    archive, manifest = backup(source, tmp_path / "live", tmp_path / "out", START)
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(forged, "w:gz") as copy:
        for member in original.getmembers():
            content = original.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.loads(content)
                data["tables"]["report"] += 1  # a report the copy does not hold
                content = json.dumps(data).encode()
                member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    with pytest.raises(BackupError, match="row counts differ"):
        restore(forged, target, tmp_path / "restored")
    assert manifest.tables["report"] >= 7
