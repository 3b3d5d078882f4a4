"""The store's ``Database`` on a PostgreSQL server.

Everything the store does through SQL goes through ``Connection`` unchanged; what
sqlite-utils did on a file (the table helpers, savepoints, the FTS5 index) is done
here with the server's own means, so the rest of the store never asks which backend
it has.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from ..database import Database, Server
from .connection import Connection
from .dialect import upsert_clause
from .schema import HIDDEN_COLUMNS, PRIMARY_KEYS

_WORD = re.compile(r"\w+")


class PgDatabase(Database):
    """A margin database on a server; ``path`` names it without its password."""

    backend = "postgresql"

    def __init__(self, conn: Connection, *, path: Server, readonly: bool) -> None:
        # Typed as the sqlite3 connection the store expects: this one answers the same calls.
        self.conn = conn  # type: ignore[assignment]
        self.server = conn
        """The same connection, typed as what it is, for what only a server does."""
        self.path = path
        self.readonly = readonly
        self._savepoints = itertools.count()
        self._notices: int | None = None
        self._listening = 0
        self.reviewer = False
        """The role may change anyone's spans (``margin_reviewer`` or above)."""

    @property
    def utils(self) -> Any:
        raise NotImplementedError("sqlite-utils works on SQLite files only")

    def table(self, name: str) -> Table:  # type: ignore[override]
        return Table(self, name)

    def table_names(self) -> list[str]:
        return [
            row[0]
            for row in self.execute(
                "select table_name from information_schema.tables "
                "where table_schema = current_schema() and table_type = 'BASE TABLE'"
            )
        ]

    def may_change(self, annotator: str) -> bool:
        return self.role is None or annotator == self.role or self.reviewer

    def data_version(self) -> int:
        """Counts the server's notices of commits to the change feed (``LISTEN``), so
        asking sends nothing to the server: it reads what has already arrived."""
        if self._notices is None or self._listening != self.server.generation:
            # First, or on a connection made again: whatever was committed meanwhile
            # has sent no notice here, so the count moves on to make the feed look.
            self.conn.execute("listen margin_changes")
            self._listening = self.server.generation
            self._notices = (self._notices or 0) + 1
        try:
            for _notice in self.server.raw.notifies(timeout=0):
                self._notices += 1
        except psycopg.OperationalError:
            return self._notices + 1  # the server went away: the next look listens again
        return self._notices

    def size_bytes(self) -> int:
        return int(self.execute("select pg_database_size(current_database())").fetchone()[0])

    def columns(self, table: str) -> list[str]:
        return list(self.server.dialect.columns(table))

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if not self.conn.in_transaction:
            self.conn.execute("begin")
            try:
                yield self
            except BaseException:
                self.conn.rollback()
                raise
            else:
                self.conn.commit()
            return
        name = f"margin_{next(self._savepoints)}"
        self.conn.execute(f"savepoint {name}")
        try:
            yield self
        except BaseException:
            self.conn.execute(f"rollback to savepoint {name}")
            self.conn.execute(f"release savepoint {name}")
            raise
        else:
            self.conn.execute(f"release savepoint {name}")

    def search_documents(self, query: str, limit: int) -> list[str]:
        """Each word as a prefix in the ``tsvector``, or the whole query as a substring
        through the trigram index: CJK text has no spaces to split words at."""
        if not query.strip():
            return []
        from ..documents import contains_pattern

        prefixes = " & ".join(f"{word}:*" for word in _WORD.findall(query))  # may be empty: matches nothing
        pattern = contains_pattern(query.strip())
        rows = self.execute(
            "select id from documents where search @@ to_tsquery('simple', ?) "
            "or title like ? escape '\\' or text like ? escape '\\' "
            "order by ts_rank(search, to_tsquery('simple', ?)) desc, rowid limit ?",
            [prefixes, pattern, pattern, prefixes, limit],
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        self.conn.close()


class Table:
    """The few sqlite-utils table helpers the store uses, on a server table."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name
        self.pk = PRIMARY_KEYS[name]

    def insert(self, row: dict[str, Any]) -> None:
        self.insert_all([row])

    def insert_all(self, rows: Iterable[dict[str, Any]]) -> None:
        self._write(rows, conflict="")

    def upsert_all(self, rows: Iterable[dict[str, Any]], pk: str | Sequence[str] | None = None) -> None:
        key = (pk,) if isinstance(pk, str) else tuple(pk or self.pk)
        self._write(rows, conflict=key)

    def _write(self, rows: Iterable[dict[str, Any]], conflict: tuple[str, ...] | str) -> None:
        rows = [{k: v for k, v in row.items() if k not in HIDDEN_COLUMNS} for row in rows]
        if not rows:
            return
        names = list(dict.fromkeys(name for row in rows for name in row))
        columns = ", ".join(f'"{name}"' for name in names)
        sql = f"insert into {self.name} ({columns}) values ({', '.join('?' for _ in names)})"
        if conflict:
            sql += " " + upsert_clause(conflict, names)
        self.db.conn.executemany(sql, [[row.get(name) for name in names] for row in rows])

    def _where_key(self, key: Any) -> tuple[str, list[Any]]:
        values = list(key) if isinstance(key, (tuple, list)) else [key]
        return " and ".join(f'"{name}" = ?' for name in self.pk), values

    def update(self, key: Any, changes: dict[str, Any]) -> None:
        where, values = self._where_key(key)
        if changes:
            sets = ", ".join(f'"{name}" = ?' for name in changes)
            self.db.execute(f"update {self.name} set {sets} where {where}", [*changes.values(), *values])

    def delete(self, key: Any) -> None:
        where, values = self._where_key(key)
        self.db.execute(f"delete from {self.name} where {where}", values)

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.rows_where()

    def rows_where(
        self, where: str | None = None, where_args: Sequence[Any] | None = None, order_by: str | None = None
    ) -> Iterator[dict[str, Any]]:
        columns = self.db.columns(self.name)
        sql = f"select {', '.join(chr(34) + c + chr(34) for c in columns)} from {self.name}"
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {order_by}"
        for row in self.db.execute(sql, list(where_args or ())):
            yield dict(zip(columns, row))
