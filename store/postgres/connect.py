"""Opening a margin database on a server: connecting, refusing what is not margin's
or is newer, and migrating, exactly as ``store.db`` does for a file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..database import Server
from ..errors import DatabaseRefused, MarginError, SchemaOutdated

if TYPE_CHECKING:
    from .database import PgDatabase

APPLICATION_ID = "MRGN"
INSTALL_HINT = "PostgreSQL support needs psycopg: pip install 'margin[postgres]'"


def open_server(server: Server, *, readonly: bool, create: bool = True, schema_version: int) -> PgDatabase:
    try:
        import psycopg
    except ImportError:
        raise MarginError(f"{server}: {INSTALL_HINT}") from None
    from ..db import BUSY_TIMEOUT_MS
    from .connection import Connection, _first_line
    from .database import PgDatabase

    def connect() -> psycopg.Connection:
        try:
            raw = psycopg.connect(server.conninfo, autocommit=True, application_name="margin")
        except psycopg.Error as error:
            reason = _first_line(error)
            if not isinstance(error, psycopg.OperationalError):
                # libpq quotes the part of a connection string it could not read, which
                # may be the password.
                reason = re.sub(r'"[^"]*"', '"…"', reason)
            raise DatabaseRefused(f"{server}: cannot connect ({reason})") from None
        # Times without an offset are UTC, as store.timestamps reads them; a writer
        # waits for the write lock as long as SQLite's busy timeout lets it.
        raw.execute("set timezone = 'UTC'")
        raw.execute(f"set lock_timeout = {BUSY_TIMEOUT_MS}")
        if readonly:
            raw.execute("set default_transaction_read_only = on")
        return raw

    db = PgDatabase(Connection(connect(), reconnect=connect), path=server, readonly=readonly)
    try:
        empty, version = _schema_state(db)
        if version > schema_version:
            raise DatabaseRefused(
                f"{server}: written by a newer margin (schema {version}; this version reads "
                f"up to {schema_version}); upgrade margin to open it"
            )
        if empty and not create:
            raise DatabaseRefused(f"{server}: no margin database there yet; 'margin server init' creates one")
        if readonly and empty:
            raise DatabaseRefused(f"{server}: read-only, and not yet a margin database")
        if version < schema_version:
            if readonly:
                raise SchemaOutdated(f"{server}: read-only and needs its schema upgraded; open it once with write access")
            _migrate(db, schema_version)
        from .roles import enforced_role

        db.role = enforced_role(db)
        if db.role is not None:
            db.reviewer = bool(db.execute("select pg_has_role('margin_reviewer', 'member')").fetchone()[0])
    except BaseException:
        db.close()
        raise
    return db


def _schema_state(db: PgDatabase) -> tuple[bool, int]:
    """(is empty, schema version); raises if the database belongs to something else."""
    if db.execute("select to_regclass('margin_meta')").fetchone()[0] is None:
        if db.table_names():
            raise DatabaseRefused(f"{db.path}: a PostgreSQL database, but not margin's; left untouched")
        return True, 0
    meta = dict(db.execute("select key, value from margin_meta").fetchall())
    if meta.get("application_id") != APPLICATION_ID:
        raise DatabaseRefused(f"{db.path}: a PostgreSQL database, but not margin's; left untouched")
    return False, int(meta.get("schema_version", 0))


def _migrate(db: PgDatabase, schema_version: int) -> None:
    from ..db import write
    from .schema import STEPS

    with write(db):
        # Re-read under the write lock: another client may have migrated meanwhile.
        db.execute("create table if not exists margin_meta (key text primary key, value text not null)")
        db.execute("insert into margin_meta values ('application_id', ?) on conflict do nothing", [APPLICATION_ID])
        db.execute("insert into margin_meta values ('schema_version', '0') on conflict do nothing")
        version = int(db.execute("select value from margin_meta where key = 'schema_version'").fetchone()[0])
        for _name, step in STEPS[version:schema_version]:
            step(lambda sql: db.conn.execute(sql), lambda table, rows: db.table(table).insert_all(rows))
        db.execute("update margin_meta set value = ? where key = 'schema_version'", [str(schema_version)])
        if db.execute("select 1 from margin_meta where key = 'roles' and value = 'enforced'").fetchone():
            from .roles import init_roles

            init_roles(db)  # what the new steps made gets its grants and policies too
