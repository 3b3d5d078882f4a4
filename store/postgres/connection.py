"""A psycopg connection that answers like the sqlite3 one the store was written for.

The store speaks to a connection through a handful of calls (``execute``,
``executemany``, ``in_transaction``, ``commit``, ``rollback``, ``close``) and reads
back cursors and the sqlite3 module's DB-API errors. This adapter gives it the same on
a server: each statement goes through ``dialect.translate``; a refused write comes
back as ``sqlite3.IntegrityError``, a lock wait that ran out as
``sqlite3.OperationalError`` marked busy, a row-level-security refusal as
``PermissionRefused``; so every handler in the store and the app works on both.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus

from ..errors import PermissionRefused
from .dialect import Dialect
from .schema import FUNCTIONS, HIDDEN_COLUMNS, PRIMARY_KEYS

_SAFE_AGAIN = re.compile(r"\s*(select|begin|set|listen)\b", re.IGNORECASE)


class _IntegerOrFloat(Loader):
    """``numeric`` as SQLite gives it: ``sum`` of integers is an int, not a Decimal."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if "." in text or "e" in text.lower() else int(text)


def _values(parameters: Iterable[Any] | Mapping[str, Any]) -> tuple[Any, ...]:
    """Parameters as SQLite stores them: a bool is 0 or 1 (its columns are integers)."""
    if isinstance(parameters, Mapping):
        raise TypeError("margin's SQL takes positional parameters")
    return tuple(int(value) if value is True or value is False else value for value in parameters)


@contextmanager
def _as_sqlite_errors() -> Iterator[None]:
    try:
        yield
    except pg_errors.InsufficientPrivilege as error:
        reason = _first_line(error)
        table = reason.rpartition(" ")[2].strip('"')
        if "row-level security" in reason:
            reason = f"to {table}: your role may change only its own rows"
        elif reason.startswith("permission denied for table"):
            reason = f"to {table}: your role may not make it (a margin_admin may)"
        else:
            reason = f"({reason})"
        raise PermissionRefused(f"the server refused this change {reason}") from None
    except pg_errors.LockNotAvailable as error:
        busy = sqlite3.OperationalError(f"database is locked ({_first_line(error)})")
        busy.sqlite_errorcode = sqlite3.SQLITE_BUSY
        raise busy from None
    except psycopg.IntegrityError as error:
        raise sqlite3.IntegrityError(_first_line(error)) from None
    except psycopg.OperationalError as error:
        raise sqlite3.OperationalError(_first_line(error)) from None
    except psycopg.Error as error:
        raise sqlite3.DatabaseError(_first_line(error)) from None


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class Connection:
    """What the store calls on a connection, over psycopg in autocommit mode: a
    transaction is exactly the ``begin`` … ``commit`` the store writes, as on SQLite."""

    def __init__(
        self, conn: psycopg.Connection[Any], reconnect: Callable[[], psycopg.Connection[Any]] | None = None
    ) -> None:
        self.raw = conn
        conn.adapters.register_loader("numeric", _IntegerOrFloat)
        self.dialect = Dialect(PRIMARY_KEYS, self._visible_columns)
        self._trace: Callable[[str], object] | None = None
        self._reconnect = reconnect
        self.generation = 0
        """How many times the connection was made again after the server dropped it."""

    def _live(self) -> psycopg.Connection[Any]:
        """The connection, made again if the server dropped it (a restart, a network
        break): the statement that met the break failed, the next one goes through."""
        if self.raw.broken and self._reconnect is not None:
            from ..errors import DatabaseRefused

            try:
                fresh = self._reconnect()
            except DatabaseRefused as error:
                raise sqlite3.OperationalError(f"the server is out of reach: {error}") from None
            fresh.adapters.register_loader("numeric", _IntegerOrFloat)
            self.raw, self.generation = fresh, self.generation + 1
        return self.raw

    def set_trace_callback(self, trace: Callable[[str], object] | None) -> None:
        """As sqlite3's: ``trace`` is called with each statement sent (as translated)."""
        self._trace = trace

    def execute(self, sql: str, parameters: Iterable[Any] | Mapping[str, Any] = ()) -> psycopg.Cursor[Any]:
        query = self.dialect.translate(sql)
        if self._trace is not None:
            self._trace(query)
        values = _values(parameters)
        raw = self._live()
        inside = self.in_transaction
        try:
            return self._send(raw, query, values)
        except sqlite3.OperationalError:
            # A read, a setting or a transaction's start, outside a transaction, is
            # safe to send again once on a new connection; a write is not (it may have
            # been committed before the break).
            if inside or not raw.broken or self._reconnect is None or not _SAFE_AGAIN.match(query):
                raise
            return self._send(self._live(), query, values)

    @staticmethod
    def _send(raw: psycopg.Connection[Any], query: str, values: tuple[Any, ...]) -> psycopg.Cursor[Any]:
        with _as_sqlite_errors():
            if values:
                return raw.execute(query, values)
            # Without parameters psycopg sends the text as it is (and may carry two
            # statements, as the write lock's ``begin`` does): undo the %-escaping.
            return raw.execute(query.replace("%%", "%").encode())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor[Any]:
        query = self.dialect.translate(sql)
        if self._trace is not None:
            self._trace(query)
        cursor = self._live().cursor()
        with _as_sqlite_errors():
            cursor.executemany(query, [_values(row) for row in rows])
        return cursor

    def _visible_columns(self) -> dict[str, list[str]]:
        """Each table's columns but the server's own, in order."""
        columns: dict[str, list[str]] = {}
        for table, column in self.raw.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = current_schema() order by table_name, ordinal_position"
        ):
            if column not in HIDDEN_COLUMNS:
                columns.setdefault(table, []).append(column)
        return columns

    @property
    def in_transaction(self) -> bool:
        status = self.raw.info.transaction_status
        return status not in (TransactionStatus.IDLE, TransactionStatus.UNKNOWN)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("commit")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("rollback")

    def create_function(self, name: str, *args: Any, **kwargs: Any) -> None:
        """The functions the store registers on SQLite are in the server's schema."""
        if name not in FUNCTIONS:
            raise NotImplementedError(f"{name}: a server cannot call back into this process")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """As sqlite3's: commit what is open, or roll it back after an error."""
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def close(self) -> None:
        self.raw.close()
