"""The connection margin's store works on.

A class of margin's own rather than a subclass of ``sqlite_utils.Database``: reading
a document and its annotations is plain SQL, and importing sqlite-utils costs about as
much as Textual itself, so it is loaded only when something first asks for a table
helper — a write, an import, a migration — never on the way to the first screen.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


_URL_SCHEMES = ("postgresql://", "postgres://")
_LIBPQ_KEYWORDS = (
    "host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout "
    "client_encoding options application_name fallback_application_name keepalives keepalives_idle "
    "keepalives_interval keepalives_count tcp_user_timeout replication gssencmode sslmode requiressl "
    "sslcompression sslcert sslkey sslpassword sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer "
    "ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib gssdelegation service "
    "target_session_attrs load_balance_hosts"
).split()
_KEYWORDS = re.compile(rf"^\s*({'|'.join(_LIBPQ_KEYWORDS)})\s*=", re.IGNORECASE)
_VALUE = r"('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)+)"
"""A libpq keyword's value: quoted (with backslash escapes) or a run of non-spaces in
which a backslash escapes the next character."""
_PASSWORD = re.compile(rf"\bpassword\s*=\s*{_VALUE}", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"([?&])password=[^&]*&?", re.IGNORECASE)


def is_server(location: str | Path) -> bool:
    """Whether ``--db`` names a PostgreSQL server (a URL or libpq keywords) rather
    than a file."""
    text = str(location).strip() if isinstance(location, str) else ""
    return text.lower().startswith(_URL_SCHEMES) or bool(_KEYWORDS.match(text))


def location(text: str | Path) -> Location:
    """What ``--db`` names: a server, or a file (``~`` expanded)."""
    return Server(str(text).strip()) if is_server(text) else Path(text).expanduser()


@dataclass(frozen=True)
class Server:
    """Where a server database is: the connection string as the user gave it (which
    may hold a password, so it is never shown) and, as ``str()``, that string without
    its password, for messages and the status line."""

    conninfo: str = field(repr=False)

    def __str__(self) -> str:
        return self.as_user(None)

    def as_user(self, name: str | None) -> str:
        """The address without its password, with ``name`` as the user if given: what
        a colleague connects with."""
        text = self.conninfo.strip()
        if text.lower().startswith(_URL_SCHEMES):
            # Whatever lies before the last "@" is the user and password, whichever of
            # "?", "#" or "/" the password holds: only the user is shown.
            scheme, _, rest = text.partition("://")
            credentials, at, place = rest.rpartition("@")
            user = name or (credentials.partition(":")[0] if at else "")
            shown = f"{scheme}://{user}@{place}" if user else f"{scheme}://{place}"
            return _URL_PASSWORD.sub(lambda match: match.group(1), shown).rstrip("?&")
        shown = " ".join(_PASSWORD.sub("", text).split())
        return f"{shown} user={name}" if name else shown

    def exists(self) -> bool:
        return True


Location = Path | Server
"""Where a database is: a file, or a server."""


class Database:
    """A SQLite connection with where it came from and whether margin may write to it."""

    backend = "sqlite"
    role: str | None = None
    """On a server that holds annotators to their database role, that role: the only
    annotator name this connection may write under."""

    def __init__(self, conn: sqlite3.Connection, *, path: Location, readonly: bool) -> None:
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

    def may_change(self, annotator: str) -> bool:
        """Whether this connection may change what ``annotator`` made: on a file, anyone
        may (the app asks first); on a team server, the server decides."""
        return True

    def data_version(self) -> int:
        """A number that changes when another connection has committed: nearly free to ask."""
        return self.execute("pragma data_version").fetchone()[0]

    def size_bytes(self) -> int:
        return self.path.stat().st_size if isinstance(self.path, Path) and self.path.exists() else 0

    def columns(self, table: str) -> list[str]:
        """The columns a row of ``table`` carries from one copy to another."""
        return [row[1] for row in self.execute(f"pragma table_info({table})")]

    def search_documents(self, query: str, limit: int) -> list[str]:
        """Ids of documents matching every word of ``query`` as a prefix, best first.
        Each word is quoted, so punctuation typed by a user never becomes FTS syntax."""
        words = [word.replace('"', '""') for word in query.split()]
        if not words:
            return []
        match = " ".join(f'"{word}"*' for word in words)
        rows = self.execute(
            "select documents.id from documents_fts join documents "
            "on documents.rowid = documents_fts.rowid "
            "where documents_fts match ? order by rank limit ?",
            [match, limit],
        ).fetchall()
        return [row[0] for row in rows]

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A savepoint inside the current transaction (or a transaction of its own)."""
        with self.utils.atomic():
            yield self

    def close(self) -> None:
        self.conn.close()
