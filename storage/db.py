"""The database: engine, short-lived sessions, schema creation and migrations."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, create_engine

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The transaction of the update being processed (see `Database.unit_of_work`); None outside one.
_AMBIENT: ContextVar[Session | None] = ContextVar("ambient_unit_of_work", default=None)
_WRITES = "writes"  # connection.info key: statements other than SELECT run on the connection (see _count_writes)
_TAINTED = "tainted"  # session.info key: a block that wrote raised, and no SAVEPOINT was there to undo it only
_MEMO = "memo"  # session.info key: reads remembered until the unit of work next writes (see `Database.memo`)
_IDLE_PING = 10.0  # seconds: a pooled PostgreSQL connection idle longer than this is pinged before it is used


class Retry(Exception):
    """The optimistic unit of work cannot keep its result: run the update again with a SAVEPOINT per block."""


def _count_writes(connection, cursor, statement, _parameters, _context, _executemany) -> None:  # noqa: ANN001
    """A statement that changed rows (an UPDATE that matched nothing, a stale press's claim, changed nothing)."""
    if cursor.rowcount != 0 and not statement.lstrip()[:6].upper().startswith("SELECT"):
        connection.info[_WRITES] = connection.info.get(_WRITES, 0) + 1


def _keep_loaded(session: OrmSession, instance) -> None:  # noqa: ANN001
    """Hold every row the update touched, so a later `session.get` in another block is answered from memory
    (the identity map alone holds rows weakly: a report loaded by one service call was gone by the next)."""
    session.info.setdefault("held", []).append(instance)


def _forget_reads(session: OrmSession, *_args) -> None:  # noqa: ANN002
    """Something is about to be written (or a SAVEPOINT was rolled back): what was remembered may be out of date."""
    memo = session.info.get(_MEMO)
    if memo:
        memo.clear()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """WAL lets readers and one writer work at once; busy_timeout makes a second process wait, not fail."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection only when it sat idle (where a server restart or a dropped link shows).

    `pool_pre_ping` pinged on every checkout: one more round trip, twice per update. A connection returned a
    moment ago is used as it is; if it died anyway, its statement fails, SQLAlchemy invalidates the pool, and
    nothing is lost: an update's store was not acknowledged, or its claim rolls back and it is processed again.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        if time.monotonic() - record.info.get("returned", 0.0) < _IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means a dead link: the pool connects afresh
            raise DisconnectionError() from error


def make_engine(url: str) -> Engine:
    """`hide_parameters`: a failed statement's error (logged with its traceback) shows the SQL, never the values,
    which hold what people typed (docs/PRIVACY.md)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # LIFO: the connection used last is used next, so its prepared statements stay warm and the others idle.
        engine = create_engine(url, pool_size=5, max_overflow=5, pool_use_lifo=True, pool_recycle=1800,
                               hide_parameters=True)
        _ping_when_idle(engine)
    event.listen(engine, "after_cursor_execute", _count_writes)
    return engine


def _script_heads() -> set[str]:
    """Revisions that no migration file revises."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if found := re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M):
            revisions.add(found.group(1))
        if down := re.search(r"^down_revision\s*=\s*(.+)$", source, re.M):
            revised.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - revised


class Database:
    """Owns the engine; services open one short session per call with `session()`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, atomic: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any exception.

        Inside `unit_of_work()` the block joins the update's one transaction instead: its writes become durable
        only with the update's commit, and its own failure (an IntegrityError a service catches, a refusal after
        a write) undoes just the block. With `savepoints=True` that is a SAVEPOINT around every block; in the
        optimistic mode (the default for updates) no SAVEPOINT is issued, and a block that wrote and then raised
        marks the unit of work, which `Retry` then runs again with SAVEPOINTs (rare: a race). `atomic=True` keeps
        the SAVEPOINT for a block that often writes and then refuses (an answer that fails validation).
        """
        ambient = _AMBIENT.get()
        if ambient is not None:
            if atomic or ambient.info.get("savepoints", True):
                with ambient.begin_nested():
                    yield ambient
                return
            connection = ambient.connection()
            before = connection.info.get(_WRITES, 0)
            try:
                yield ambient
                ambient.flush()  # as the SAVEPOINT's release did: ids assigned, IntegrityError raised here
            except BaseException as error:
                # A failed statement leaves a PostgreSQL transaction unusable: that too needs the SAVEPOINTs.
                if (connection.info.get(_WRITES, 0) != before or isinstance(error, DBAPIError) or ambient.new
                        or ambient.dirty or ambient.deleted):
                    ambient.info[_TAINTED] = error
                raise
            return
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def storing(self) -> Iterator[Connection]:
        """A connection for one durable write that stands alone (an arrived update's INSERT): committed when the
        block ends. On PostgreSQL the statement runs in autocommit, so it is its own transaction, durable when it
        returns (`synchronous_commit` stays on): one round trip instead of three (BEGIN, INSERT, COMMIT)."""
        if self.is_sqlite:
            with self.engine.begin() as connection:
                yield connection
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def unit_of_work(self, savepoints: bool = True) -> Iterator[Session]:
        """One transaction for everything done while processing one update; every `session()` joins it.

        `savepoints=False` is the optimistic mode (see `session()`): the caller must check `tainted()` before
        the block ends and raise `Retry` (which rolls everything back) to run the work again with SAVEPOINTs.
        """
        if _AMBIENT.get() is not None:
            raise RuntimeError("a unit of work is already open")
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["savepoints"] = savepoints
            event.listen(session, "loaded_as_persistent", _keep_loaded)
            event.listen(session, "pending_to_persistent", _keep_loaded)
            event.listen(session, "before_flush", _forget_reads)
            event.listen(session, "after_soft_rollback", _forget_reads)
            session.info[_MEMO] = {}
            if self.is_sqlite:
                # Take SQLite's write lock now: a deferred transaction that reads and later writes fails at once
                # when another writer committed in between; and SAVEPOINTs need a transaction already open.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            token = _AMBIENT.set(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                _AMBIENT.reset(token)
                session.info.pop("held", None)
                session.info.pop(_MEMO, None)

    @staticmethod
    def tainted(session: Session) -> bool:
        """In an optimistic unit of work: a block wrote and raised, so its writes cannot be undone alone."""
        return bool(session.info.get(_TAINTED))

    @staticmethod
    def memo(session: Session) -> dict | None:
        """Reads a service may remember for the rest of the update (None outside a unit of work).

        For rows the identity map cannot answer: a query's result (a report's answers, a unit's deadline
        extension) or a row that does not exist. Emptied before every flush that writes anything and after a
        rolled-back SAVEPOINT, so what it holds was read in this transaction and nothing written since; write
        through the ORM (a bulk UPDATE or DELETE of a remembered table would bypass this)."""
        return session.info.get(_MEMO)

    @staticmethod
    def remembered(session: Session, key: tuple, read: Callable[[], Any], keep: Callable[[Any], bool] = bool
                   ) -> Any:
        """`read()` once per update under `key` (outside a unit of work, every time); a result is kept only when
        `keep(result)` (by default a found one; pass `lambda _r: True` to remember "none" too)."""
        memo = session.info.get(_MEMO)
        if memo is not None and key in memo:
            return memo[key]
        result = read()
        if memo is not None and keep(result):
            memo[key] = result
        return result

    @staticmethod
    def discard_changes(session: Session) -> None:
        """Undo what was changed in memory and not flushed: new objects are dropped, changed ones expired (read
        again when next used). Lets a block that refuses after changing objects leave the transaction clean."""
        for instance in list(session.new):
            session.expunge(instance)
        for instance in list(session.dirty):
            session.expire(instance)

    @staticmethod
    def ambient() -> Session | None:
        """The open unit of work of this task or thread, if any."""
        return _AMBIENT.get()

    def create_all(self) -> None:
        """Create tables straight from the models (tests); production uses `upgrade()`."""
        SQLModel.metadata.create_all(self.engine)

    def alembic_config(self):  # noqa: ANN201 - alembic loads only when migrating
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["engine"] = self.engine
        return config

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic is loaded only when there is something to do)."""
        if self._at_head():
            return
        from alembic import command

        command.upgrade(self.alembic_config(), "head")

    def _at_head(self) -> bool:
        """The database already carries every head revision of the migration files (read without Alembic)."""
        try:
            with self.engine.connect() as connection:
                current = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        except Exception:  # noqa: BLE001 - no version table yet: a fresh database
            return False
        return bool(current) and current == _script_heads()

    def dispose(self) -> None:
        self.engine.dispose()
