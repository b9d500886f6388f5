"""`python -m bot backup` and `python -m bot restore`: a consistent copy of the database and the stored files.

An archive (`thidua-<time>.tar.gz`) holds `manifest.json` (format, time, dialect, schema revision, the row count
of every table as seen by the copy), the database (`database.sqlite3`, made with SQLite's online backup API while
the bot runs; or `database.dump`, `pg_dump --format=custom` in one snapshot) and `files/`, the DATA_DIR file
store (the short-lived file links of `bot/channels/links.py`, and the kept files of `bot/services/files.py`: photos
sent on Zalo, whose Zalo URLs expire). A restore goes into an EMPTY database of the same
kind, then migrates it to the current schema and checks every table's row count against the manifest.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url

FORMAT = 1
MANIFEST, SQLITE_MEMBER, PG_MEMBER, FILES = "manifest.json", "database.sqlite3", "database.dump", "files"
STORED_FOLDERS = ("links", "kept")  # under DATA_DIR: what the bot itself stores on disk (file links, kept files)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is shown to the IT officer as it is."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    dialect: str
    revision: str
    tables: dict[str, int]
    files: int

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "created_at": self.created_at, "dialect": self.dialect,
                           "revision": self.revision, "tables": self.tables, "files": self.files},
                          ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {data.get('format')!r}")
        return cls(data["created_at"], data["dialect"], data["revision"], dict(data["tables"]), int(data["files"]))


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables, so the password never appears on a command line."""
    env = {"PGHOST": url.host or "", "PGPORT": str(url.port or ""), "PGUSER": url.username or "",
           "PGPASSWORD": url.password or "", "PGDATABASE": url.database or ""}
    if sslmode := url.query.get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return {**os.environ, **{k: v for k, v in env.items() if v}}


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a clear error naming the package that has it."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client (Debian: apt-get install "
                          f"postgresql-client), of the server's major version or newer")
    return found


def count_rows(connection, tables: list[str]) -> dict[str, int]:  # noqa: ANN001
    """Rows per table, read in the caller's transaction (the same snapshot as the copy)."""
    preparer = connection.dialect.identifier_preparer
    return {name: connection.execute(text(f"SELECT COUNT(*) FROM {preparer.quote(name)}")).scalar_one()
            for name in sorted(tables)}


def revision_of(connection) -> str:  # noqa: ANN001
    try:
        return ",".join(sorted(r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))))
    except Exception:  # noqa: BLE001 - a schema made without Alembic (tests): no revision to record
        connection.rollback()
        return ""


def _user_tables(engine: Engine) -> list[str]:
    return list(inspect(engine).get_table_names())


# Backup ---------------------------------------------------------------------------------------------------------
def backup(database_url: str, data_dir: Path, out_dir: Path, now: datetime) -> tuple[Path, Manifest]:
    """Write one archive into `out_dir`; returns its path and manifest."""
    url = make_url(database_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"thidua-{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="thidua-backup-") as work:
        work_dir = Path(work)
        if url.get_backend_name() == "sqlite":
            member, (tables, revision) = SQLITE_MEMBER, _copy_sqlite(sqlite_path(url), work_dir / SQLITE_MEMBER)
        elif url.get_backend_name() == "postgresql":
            member, (tables, revision) = PG_MEMBER, _dump_postgres(url, work_dir / PG_MEMBER)
        else:
            raise BackupError(f"cannot back up a {url.get_backend_name()} database")
        stored = _stored_files(data_dir)
        manifest = Manifest(now.isoformat(), url.get_backend_name(), revision, tables, len(stored))
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json())
            archive.add(work_dir / member, arcname=member)
            for path in stored:
                archive.add(path, arcname=f"{FILES}/{path.relative_to(data_dir).as_posix()}")
        partial.replace(target)  # a backup cut short never looks like a finished one
    return target, manifest


def _copy_sqlite(source: Path, copy: Path) -> tuple[dict[str, int], str]:
    """SQLite's online backup (consistent while the bot writes), then the counts read from the copy itself."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return count_rows(connection, _user_tables(engine)), revision_of(connection)
    finally:
        engine.dispose()


def _dump_postgres(url: URL, dump: Path) -> tuple[dict[str, int], str]:
    """pg_dump in a snapshot exported by our own transaction, where the row counts are read too: both see the
    same instant, whatever the bot commits meanwhile."""
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = count_rows(connection, _user_tables(engine))
            revision = revision_of(connection)
            done = subprocess.run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                   f"--snapshot={snapshot}", f"--file={dump}"],
                                  env=libpq_env(url), capture_output=True, text=True)
            connection.rollback()
    finally:
        engine.dispose()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return tables, revision


def _stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for folder in STORED_FOLDERS for p in (data_dir / folder).rglob("*") if p.is_file())


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    archive.addfile(info, io.BytesIO(content))


# Restore --------------------------------------------------------------------------------------------------------
def read_manifest(archive_path: Path) -> Manifest:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive_path} is not a backup of this bot (no {MANIFEST})")
        return Manifest.from_json(member.read())


def restore(archive_path: Path, database_url: str, data_dir: Path) -> Manifest:
    """Load an archive into an empty database and DATA_DIR; raises BackupError if anything differs after."""
    url = make_url(database_url)
    manifest = read_manifest(archive_path)
    if manifest.dialect != url.get_backend_name():
        raise BackupError(f"this backup is of a {manifest.dialect} database; DATABASE_URL names a "
                          f"{url.get_backend_name()} one")
    with tempfile.TemporaryDirectory(prefix="thidua-restore-") as work, tarfile.open(archive_path, "r:gz") as archive:
        work_dir = Path(work)
        if manifest.dialect == "sqlite":
            _restore_sqlite(archive, work_dir, sqlite_path(url))
        else:
            _restore_postgres(archive, work_dir, url)
        _restore_files(archive, data_dir)
    _check_counts(database_url, manifest)
    return manifest


def _ensure_empty(engine: Engine, where: str) -> None:
    if tables := _user_tables(engine):
        raise BackupError(f"{where} is not empty ({len(tables)} tables, e.g. {tables[0]}): restore goes into an "
                          f"empty database only; create a new one, or remove this one after keeping a copy")


def _restore_sqlite(archive: tarfile.TarFile, work_dir: Path, target: Path) -> None:
    if target.exists():
        engine = create_engine(f"sqlite:///{target}")
        try:
            _ensure_empty(engine, str(target))
        finally:
            engine.dispose()
    archive.extract(SQLITE_MEMBER, work_dir, filter="data")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(work_dir / SQLITE_MEMBER) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _restore_postgres(archive: tarfile.TarFile, work_dir: Path, url: URL) -> None:
    engine = create_engine(url)
    try:
        _ensure_empty(engine, f"database {url.database}")
    finally:
        engine.dispose()
    archive.extract(PG_MEMBER, work_dir, filter="data")
    done = subprocess.run([tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           "--single-transaction", f"--dbname={url.database}", str(work_dir / PG_MEMBER)],
                          env=libpq_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _restore_files(archive: tarfile.TarFile, data_dir: Path) -> None:
    members = [m for m in archive.getmembers() if m.name.startswith(f"{FILES}/") and m.isfile()]
    for member in members:
        member.name = member.name[len(FILES) + 1:]
    data_dir.mkdir(parents=True, exist_ok=True)
    archive.extractall(data_dir, members=members, filter="data")  # "data": no absolute paths, links or ".."


def _check_counts(database_url: str, manifest: Manifest) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = count_rows(connection, list(manifest.tables))
    finally:
        engine.dispose()
    if differ := {t: (n, found.get(t)) for t, n in manifest.tables.items() if found.get(t) != n}:
        raise BackupError(f"restored row counts differ from the backup (table: backup, restored): {differ}")
