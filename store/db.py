"""Opening a margin database: file checks, connection pragmas, schema and migrations.

A file is only written to once it is known to be margin's (or empty), so pointing
``--db`` at the wrong file never damages it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .database import Database, Server, is_server
from .errors import DatabaseRefused, MarginError, SchemaOutdated

APPLICATION_ID = 0x4D52474E  # "MRGN": marks the file as margin's in its header
BUSY_TIMEOUT_MS = 30_000

SCHEMA_VERSION = 9
"""How many migrations ``store.migrations`` holds (a test keeps the two in step):
known without importing sqlite-utils, so opening an up-to-date file never loads it."""



def _check_file(path: Path) -> None:
    """Refuse a directory. Whether a file is SQLite at all is left to SQLite itself
    (see ``_refusal``): opening the file here and closing it would drop the POSIX
    locks every other connection of this process holds on it, after which another
    process takes itself for the last user, deletes the WAL, and this process goes
    on reading a stale snapshot and writing into a deleted log."""
    if path.is_dir():
        raise DatabaseRefused(f"{path}: is a directory, not a margin database")


def _refusal(path: Path, error: sqlite3.DatabaseError) -> DatabaseRefused:
    if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
        return DatabaseRefused(f"{path}: not a SQLite database; left untouched")
    return DatabaseRefused(f"{path}: not a usable SQLite database ({error}); left untouched")


def _uri(path: Path, query: str) -> str:
    return f"{path.resolve().as_uri()}?{query}"


def _beside(path: Path, suffix: str) -> Path:
    """SQLite keeps its -wal and -shm beside the real file, wherever a symlink points."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + suffix)


def _log(path: Path) -> Path:
    return _beside(path, "-wal")


def _nobody_writes(path: Path) -> bool:
    """No write bit for anyone: a file nobody but its owner's chmod can change."""
    try:
        return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


def _has_log(path: Path) -> bool:
    """Whether a write-ahead log with frames in it lies beside ``path``."""
    try:
        return _log(path).stat().st_size > 0
    except OSError:
        return False


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        if not _has_log(path) and _nobody_writes(path):
            # Nothing to read from a log, and nobody can write the file: reading it
            # as immutable leaves no empty -wal and -shm files behind, as mode=ro would.
            # (A file only this user cannot write may be changing under a colleague.)
            return sqlite3.connect(_uri(path, "immutable=1"), uri=True, check_same_thread=False)
        conn = sqlite3.connect(_uri(path, "mode=ro"), uri=True, check_same_thread=False)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            conn.close()
            if not isinstance(error, sqlite3.OperationalError):
                raise _refusal(path, error) from None
            # A WAL file in a read-only folder cannot get its -shm index; reading
            # the file as immutable still works when nobody is writing to it.
            conn = sqlite3.connect(_uri(path, "immutable=1"), uri=True, check_same_thread=False)
        return conn
    return sqlite3.connect(str(path), check_same_thread=False)


def _state_of(uri: str, path: Path) -> tuple[bool, int] | str | None:
    """What a read-only look at ``uri`` finds: ``_schema_state``, why margin refuses
    the file, or None when it could not be read at all (a read-only folder, say)."""
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return _schema_state(conn, path)
    except DatabaseRefused as error:
        return str(error)
    except sqlite3.OperationalError:
        return None
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()


def _check_log(path: Path) -> None:
    """Refuse a file with a write-ahead log before anything opens it for writing,
    when the two are not margin's together: a read-write open would fold the log into
    the file on close, so "left untouched" would no longer be true.

    SQLite cannot tell whose log it is (the log names no database), so the file is
    read without writing twice: alone (``immutable``) and with its log (``mode=ro``).
    When the file alone is margin's but the two together are not, or do not pass
    ``quick_check``, the log is another database's. ``quick_check`` runs only for a log
    lying without its ``-shm`` index, i.e. copied in, never beside a running session.
    """
    if not path.exists() or not _has_log(path):
        return
    together = _state_of(_uri(path, "mode=ro"), path)
    alone = _state_of(_uri(path, "immutable=1"), path)
    foreign = DatabaseRefused(
        f"{_log(path)}: this write-ahead log does not belong to {path.name}; nothing was "
        "applied or changed. Move it away to open the database"
    )
    if together is None:
        return  # unreadable without writing (e.g. no -shm possible): nothing can be told
    if isinstance(together, str):
        raise foreign if isinstance(alone, tuple) and not alone[0] else DatabaseRefused(together)
    if isinstance(alone, tuple) and not alone[0] and together[0]:
        raise foreign
    if not _beside(path, "-shm").exists() and not _quick_check(path):
        raise foreign


def _quick_check(path: Path) -> bool:
    conn = sqlite3.connect(_uri(path, "mode=ro"), uri=True)
    try:
        return conn.execute("pragma quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _schema_state(conn: sqlite3.Connection, path: Path) -> tuple[bool, int]:
    """(is empty, schema version); raises if the file belongs to something else."""
    try:
        application_id = conn.execute("pragma application_id").fetchone()[0]
        version = conn.execute("pragma user_version").fetchone()[0]
        tables = conn.execute(
            "select count(*) from sqlite_master where type = 'table'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise _refusal(path, error) from None
    if tables == 0 and application_id == 0:
        return True, 0
    if application_id != APPLICATION_ID:
        raise DatabaseRefused(
            f"{path}: a SQLite database, but not margin's; left untouched"
        )
    if version > SCHEMA_VERSION:
        raise DatabaseRefused(
            f"{path}: written by a newer margin (schema {version}; this version reads "
            f"up to {SCHEMA_VERSION}); upgrade margin to open it"
        )
    return False, version


def is_writable(path: Path) -> bool:
    """Whether margin should write to ``path``. A file with no write bits counts as
    read-only even for root, who could write it anyway: the user made it so."""
    if path.exists():
        has_write_bit = bool(path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return has_write_bit and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return os.access(path.parent if path.parent.exists() else Path("."), os.W_OK)


def open_database(path: str | Path | Server, *, readonly: bool | None = None, create: bool = True) -> Database:
    """Open (creating if needed) a margin database with every pragma margin relies on.

    ``readonly=None`` means: read-only exactly when the file cannot be written.
    A ``postgresql://`` URL (or libpq keywords) opens a database on a server instead;
    ``create=False`` refuses one that does not hold margin's schema yet, as a command
    that only reads refuses a missing file.
    """
    if isinstance(path, Server) or is_server(path):
        from .postgres.connect import open_server

        server = path if isinstance(path, Server) else Server(str(path).strip())
        return open_server(server, readonly=bool(readonly), create=create, schema_version=SCHEMA_VERSION)
    path = Path(path).expanduser()
    _check_file(path)
    if readonly is None:
        readonly = path.exists() and not is_writable(path)
    if readonly and not path.exists():
        raise DatabaseRefused(f"{path}: no such database")
    if not readonly:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseRefused(f"{path}: cannot create its folder ({error.strerror or error})") from None
    _check_log(path)
    conn = _connect(path, readonly)
    try:
        empty, version = _schema_state(conn, path)
        if readonly and empty:
            raise DatabaseRefused(f"{path}: read-only, and not yet a margin database")
        if readonly and version < SCHEMA_VERSION:
            raise SchemaOutdated(
                f"{path}: read-only and needs its schema upgraded; open it once with write access"
            )
        conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("pragma foreign_keys = on")
        if not readonly:
            mode = conn.execute("pragma journal_mode = wal").fetchone()[0]
            if mode.lower() != "wal":
                raise DatabaseRefused(f"{path}: could not switch to WAL mode ({mode})")
            conn.execute("pragma synchronous = normal")
    except BaseException:
        conn.close()
        raise
    db = Database(conn, path=path, readonly=readonly)
    if not readonly and version < SCHEMA_VERSION:
        _migrate(db)
    return db


def _migrate(db: Database) -> None:
    from .migrations import migrations

    with write(db):
        # Re-read inside the write lock: another process may have migrated meanwhile.
        if db.execute("pragma user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        db.execute(f"pragma application_id = {APPLICATION_ID}")
        migrations.apply(db.utils)
        db.execute(f"pragma user_version = {SCHEMA_VERSION}")


@contextmanager
def source_database(path: str | Path | Server) -> Iterator[Database]:
    """A database to read from without ever writing to it, even one an older margin
    wrote: an old schema is read through an upgraded temporary copy (``VACUUM INTO``),
    so merging a colleague's older file neither fails nor touches it."""
    try:
        db = open_database(path, readonly=True)
    except SchemaOutdated:
        if isinstance(path, Server) or is_server(path):
            raise  # only a file can be copied and upgraded aside
        folder = Path(tempfile.mkdtemp(prefix="margin-source-"))
        try:
            conn = _connect(Path(path).expanduser(), readonly=True)
            try:
                conn.execute("vacuum into ?", [str(folder / "copy.db")])
            finally:
                conn.close()
            db = open_database(folder / "copy.db")
            db.path = Path(path)
            try:
                yield db
            finally:
                db.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        yield db
    finally:
        db.close()


def schema_version(db: Database) -> int:
    return db.execute("pragma user_version").fetchone()[0]


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, committed on exit.

    ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to the busy
    timeout), because a deferred transaction that later needs to write fails at once
    with "database is locked" when another process wrote in between.
    Nested calls become savepoints of the outer transaction. A database opened
    read-only is refused here, once for every kind of change, with a message
    rather than SQLite's "attempt to write a readonly database".
    """
    if db.readonly:
        raise MarginError(f"{db.path}: read-only; nothing was changed")
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except BaseException:
        # On a server the transaction is open before its lock wait runs out: end it,
        # or every later statement on the connection is refused.
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")
