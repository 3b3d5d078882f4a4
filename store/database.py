"""The connection margin's store works on.

A class of margin's own rather than a subclass of ``sqlite_utils.Database``: reading
a document and its annotations is plain SQL, and importing sqlite-utils costs about as
much as Textual itself, so it is loaded only when something first asks for a table
helper — a write, an import, a migration — never on the way to the first screen.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table

_loading = threading.Lock()


def load_sqlite_utils() -> None:
    """Import sqlite-utils and its plugins without touching any connection, so a
    thread may do it ahead of need. Wrapping a connection stays with the thread that
    uses it (``Database.utils``): that runs SQL on it, which must never happen beside
    the owner's own statements or its ``close()``."""
    with _loading:
        from .compat import load_plugins

        load_plugins()


class Database:
    """A SQLite connection with where it came from and whether margin may write to it."""

    def __init__(self, conn: sqlite3.Connection, *, path: Path, readonly: bool) -> None:
        self.conn = conn
        self.path = path
        """The file as the user named it (for messages), not a temporary copy."""
        self.readonly = readonly
        """Opened read-only: every write is refused with a message, before SQLite is asked."""

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters if isinstance(parameters, dict) else tuple(parameters))

    def rows_in(self, sql: str, values: Iterable[Any], chunk: int = 500) -> list[tuple]:
        """The rows of ``sql`` (whose ``{}`` is an ``in (...)`` list's place) for all
        ``values``, asked a chunk at a time: SQLite caps the parameters of a statement."""
        values = list(values)
        found: list[tuple] = []
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            found.extend(self.conn.execute(sql.format(", ".join("?" * len(part))), part).fetchall())
        return found

    @cached_property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils on the same connection, for schema changes, upserts and FTS."""
        load_sqlite_utils()
        from .compat import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def table(self, name: str) -> Table:
        return self.utils.table(name)

    def table_names(self) -> list[str]:
        return [row[0] for row in self.execute("select name from sqlite_master where type = 'table'")]

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A savepoint inside the current transaction (or a transaction of its own)."""
        with self.utils.atomic():
            yield self

    def close(self) -> None:
        self.conn.close()
