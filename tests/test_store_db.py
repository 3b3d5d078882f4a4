"""Opening databases: pragmas, schema, and refusing files that are not margin's."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from margin.store import annotations, documents
from margin.store.db import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    open_database,
    schema_version,
    write,
)
from margin.store.errors import DatabaseRefused, MarginError


def test_new_database_has_schema_pragmas_and_default_labels(db_path: Path) -> None:
    db = open_database(db_path)
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert db.execute("pragma busy_timeout").fetchone()[0] >= 5000
    assert db.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
    assert {"documents", "labels", "annotations", "reading_state", "documents_fts"} <= set(
        db.table_names()
    )
    labels = db.execute("select name, key from labels order by position").fetchall()
    assert labels == [("claim", "1"), ("person", "2"), ("statistic", "3")]


def test_reopening_applies_no_migration_twice(db_path: Path) -> None:
    open_database(db_path).close()
    db = open_database(db_path)
    applied = db.execute("select count(*) from _sqlite_migrations").fetchone()[0]
    assert applied == SCHEMA_VERSION


def test_foreign_keys_are_enforced(fresh_db) -> None:
    with pytest.raises(sqlite3.IntegrityError), write(fresh_db):
        fresh_db.execute(
            'insert into annotations (id, doc_id, start, "end", label, annotator, status) '
            "values ('a', 'no-such-doc', 0, 1, 'claim', 'x', 'accepted')"
        )


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"just some notes\n\x00\x01")
    with pytest.raises(DatabaseRefused, match="not a SQLite database"):
        open_database(path)
    assert _bytes(path) == b"just some notes\n\x00\x01"


def test_a_sqlite_file_that_is_not_margins_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table people (name text)")
    conn.execute("insert into people values ('ada')")
    conn.commit()
    conn.close()
    before = _bytes(path)
    with pytest.raises(DatabaseRefused, match="not margin's"):
        open_database(path)
    assert _bytes(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_a_newer_schema_is_refused_and_untouched(db_path: Path) -> None:
    db = open_database(db_path)
    db.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = _bytes(db_path)
    with pytest.raises(DatabaseRefused, match="newer margin"):
        open_database(db_path)
    assert _bytes(db_path) == before


def test_a_read_only_file_opens_read_only(db_path: Path, seed_text: str) -> None:
    db = open_database(db_path)
    doc, _ = documents.add_document(db, seed_text)
    annotations.add_annotation(db, doc.id, 0, 2, "claim", annotator="a")
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    os.chmod(db_path, stat.S_IRUSR)
    try:
        readonly = open_database(db_path)
        assert readonly.readonly
        assert len(annotations.query_annotations(readonly)) == 1
        with pytest.raises(MarginError, match="read-only; nothing was changed"):
            annotations.add_annotation(readonly, doc.id, 0, 2, "claim", annotator="a")
    finally:
        os.chmod(db_path, stat.S_IRUSR | stat.S_IWUSR)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseRefused, match="directory"):
        open_database(tmp_path)


def test_store_never_imports_textual() -> None:
    """Every store module, imported in a fresh interpreter, leaves Textual and the
    app unloaded: the store is usable from scripts and commands without a terminal."""
    code = (
        "import pkgutil, importlib, sys, margin.store as store\n"
        "for info in pkgutil.walk_packages(store.__path__, 'margin.store.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('margin.tui')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
