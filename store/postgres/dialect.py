"""margin's SQL, written once in SQLite's dialect, said in PostgreSQL's.

The store writes its statements once, in the part of SQLite's dialect that is close
to standard SQL. What differs is small and mechanical, and this module holds all of
it: ``?`` placeholders, ``insert or ignore``/``insert or replace``, SQLite's
case-insensitive ``like``, ``limit -1``, an empty ``in ()``, the pragmas the store
asks, the write lock ``BEGIN IMMEDIATE`` takes. The few SQLite functions the store
calls that PostgreSQL lacks (``total``) are created on the server by ``schema``. A
statement is translated once and remembered, so a key's path pays for a dictionary
lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

WRITE_LOCK = 0x4D52474E
"""The advisory lock every write transaction takes first, so writers queue one at a
time as SQLite's ``BEGIN IMMEDIATE`` makes them, and the store's read-then-write
steps see no other writer between them."""

_PIECES = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")""")
"""String literals and quoted identifiers, which translation leaves alone."""

_PRAGMAS: dict[str, str] = {
    "user_version": "select value::integer from margin_meta where key = 'schema_version'",
}
_NO_OPS = frozenset({"wal_checkpoint", "journal_mode", "synchronous"})
"""The log and sync pragmas of a file: on a server they are its own business."""

_INSERT_OR = re.compile(r"^\s*insert\s+or\s+(ignore|replace)\s+into\s+([\w.]+)\s*(\(([^)]*)\))?", re.IGNORECASE)
_SCHEMA = re.compile(r"\b(main|temp)\.(?=[a-z_])", re.IGNORECASE)
"""SQLite's schema names: ``main`` is the server's current schema, ``temp`` its ``pg_temp``."""
_RETURNING = re.compile(r"\breturning\b", re.IGNORECASE)
_LIKE = re.compile(r"\blike\b", re.IGNORECASE)
_LIMIT_ALL = re.compile(r"\blimit\s+-1\b", re.IGNORECASE)
_EMPTY_IN = re.compile(r"\b(not\s+)?in\s*\(\s*\)", re.IGNORECASE)
"""``in ()``, which SQLite takes (no row matches; ``not in ()``, every row) and
PostgreSQL refuses as a syntax error: an empty list of values a caller built."""
_PRAGMA = re.compile(r"^\s*pragma\s+(\w+)\s*(?:=\s*(\S+)|\((\w*)\))?\s*;?\s*$", re.IGNORECASE)
_BEGIN = re.compile(r"^\s*begin(\s+(immediate|exclusive|deferred))?\s*(transaction)?\s*;?\s*$", re.IGNORECASE)


_STAR = re.compile(r"\bselect\s+(rowid\s*,\s*)?\*\s+from\s+(\w+)", re.IGNORECASE)
"""``select * from t``: on a server ``*`` would bring its own columns too (``rowid``,
``search``), which a row carried to a file must not have."""


class Dialect:
    """Translates statements for one server schema, each once."""

    def __init__(self, keys: Mapping[str, tuple[str, ...]], columns: Callable[[], Mapping[str, Sequence[str]]]) -> None:
        self.keys = dict(keys)
        self._columns = columns
        self._known: Mapping[str, Sequence[str]] | None = None
        self._done: dict[str, str] = {}

    def translate(self, sql: str) -> str:
        done = self._done.get(sql)
        if done is None:
            done = self._done[sql] = translate(self._expand(sql), self.keys)
        return done

    def columns(self, table: str) -> Sequence[str]:
        """``table``'s columns but the server's own, read once per connection."""
        if self._known is None:
            self._known = self._columns()
        return self._known.get(table, ())

    def _expand(self, sql: str) -> str:
        if "*" not in sql or not _STAR.search(sql):
            return sql

        def columns(match: re.Match[str]) -> str:
            names = self.columns(match.group(2))
            if not names:
                return match.group(0)
            listed = ", ".join(f'"{name}"' for name in names)
            return f"select {match.group(1) or ''}{listed} from {match.group(2)}"

        return _STAR.sub(columns, sql)


def translate(sql: str, keys: Mapping[str, tuple[str, ...]]) -> str:
    """``sql`` as PostgreSQL takes it through psycopg; ``keys`` gives each table's
    primary key, which ``insert or replace`` needs to name. (``Dialect`` remembers
    each statement's translation.)"""
    pragma = _PRAGMA.match(sql)
    if pragma:
        return _pragma(pragma.group(1).lower(), pragma.group(2))
    if begin := _BEGIN.match(sql):
        immediate = (begin.group(2) or "").lower() in ("immediate", "exclusive")
        return f"begin; select pg_advisory_xact_lock({WRITE_LOCK})" if immediate else "begin"
    conflict = ""
    insert_or = _INSERT_OR.match(sql)
    if insert_or:
        kind, table, columns = insert_or.group(1).lower(), insert_or.group(2), insert_or.group(4)
        sql = f"insert into {table}" + (f" ({columns})" if columns else "") + " " + sql[insert_or.end():]
        conflict = _on_conflict(kind, table.rpartition(".")[2], columns, keys)
    pieces = _PIECES.split(sql)
    for index, piece in enumerate(pieces):
        if index % 2:  # a literal or a quoted name
            pieces[index] = piece.replace("%", "%%")
            continue
        piece = piece.replace("%", "%%").replace("?", "%s")
        piece = _LIKE.sub("ilike", piece)
        piece = _LIMIT_ALL.sub("limit all", piece)
        piece = _EMPTY_IN.sub(lambda match: "<> all('{}')" if match.group(1) else "= any('{}')", piece)
        piece = _SCHEMA.sub(lambda match: "" if match.group(1).lower() == "main" else "pg_temp.", piece)
        pieces[index] = piece
    out = "".join(pieces)
    if conflict:
        returning = _last_outside_literals(out, _RETURNING)
        out = f"{out[:returning]} {conflict} {out[returning:]}" if returning is not None else f"{out.rstrip().rstrip(';')} {conflict}"
    return out


def _last_outside_literals(sql: str, pattern: re.Pattern[str]) -> int | None:
    position = 0
    found = None
    for index, piece in enumerate(_PIECES.split(sql)):
        if not index % 2:
            for match in pattern.finditer(piece):
                found = position + match.start()
        position += len(piece)
    return found


def _on_conflict(kind: str, table: str, columns: str | None, keys: Mapping[str, tuple[str, ...]]) -> str:
    if kind == "ignore":
        return "on conflict do nothing"
    key = keys.get(table)
    if not key or not columns:
        raise ValueError(f"insert or replace into {table}: its primary key and columns must be named")
    return upsert_clause(key, [name.strip().strip('"') for name in columns.split(",")])


def upsert_clause(key: Sequence[str], columns: Sequence[str]) -> str:
    """``on conflict`` on ``key``, the other ``columns`` taking the new row's values."""
    updates = ", ".join(f'"{name}" = excluded."{name}"' for name in columns if name not in key)
    target = ", ".join(f'"{name}"' for name in key)
    return f"on conflict ({target}) do " + (f"update set {updates}" if updates else "nothing")


def _pragma(name: str, value: str | None) -> str:
    if name == "busy_timeout" and value is not None:
        return f"set lock_timeout = {int(value)}"
    if name in _PRAGMAS and value is None:
        return _PRAGMAS[name]
    if name in _NO_OPS:
        return "select 0"
    raise ValueError(f"pragma {name}: SQLite's alone; nothing on a server answers it")
