"""The files beside a database: a write-ahead log from another database is never
folded in, and reading a read-only database leaves no empty -wal/-shm behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store import annotations, documents
from margin.store.db import open_database
from margin.store.errors import DatabaseRefused
from margin.tui.cli import cli


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _margin_file(path: Path, text: str, spans: int = 50) -> None:
    db = open_database(path)
    doc, _ = documents.add_document(db, text)
    for start in range(spans):
        annotations.add_annotation(db, doc.id, start, start + 3, "claim", annotator="ana")
    db.close()
    assert not Path(f"{path}-wal").exists()


def _foreign_log(folder: Path, rows: int = 2000) -> Path:
    """A WAL with committed frames, from a database that is not margin's."""
    other = folder / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("pragma journal_mode = wal")
    conn.execute("pragma wal_autocheckpoint = 0")
    conn.execute("create table t (x)")
    conn.executemany("insert into t values (?)", [(i,) for i in range(rows)])
    conn.commit()
    log = folder / "saved-other.db-wal"
    shutil.copy(f"{other}-wal", log)
    conn.close()
    return log


def test_another_databases_log_beside_the_file_is_refused_and_nothing_changes(
    tmp_path: Path, seed_text: str
) -> None:
    path = tmp_path / "a.db"
    _margin_file(path, seed_text)
    shutil.copy(_foreign_log(tmp_path), f"{path}-wal")
    before, log_before = _digest(path), _digest(Path(f"{path}-wal"))

    with pytest.raises(DatabaseRefused, match=r"a\.db-wal: this write-ahead log does not belong to a\.db"):
        open_database(path)
    assert _digest(path) == before
    assert _digest(Path(f"{path}-wal")) == log_before

    result = CliRunner().invoke(cli, ["--db", str(path), "documents"])
    assert result.exit_code != 0
    assert "does not belong to a.db" in result.output
    assert _digest(path) == before

    # Moved away, as the message says: the database opens with all it held.
    os.remove(f"{path}-wal")
    db = open_database(path)
    assert db.execute("select count(*) from annotations").fetchone()[0] == 50
    db.close()


def test_a_foreign_log_is_refused_on_a_read_only_open_too(tmp_path: Path, seed_text: str) -> None:
    path = tmp_path / "a.db"
    _margin_file(path, seed_text)
    shutil.copy(_foreign_log(tmp_path), f"{path}-wal")
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="does not belong"):
        open_database(path, readonly=True)
    assert _digest(path) == before


def test_a_log_beside_a_file_that_is_not_margins_leaves_both_untouched(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    conn = sqlite3.connect(path)
    conn.execute("pragma journal_mode = wal")
    conn.execute("pragma wal_autocheckpoint = 0")
    conn.execute("create table t (x)")
    conn.commit()
    saved = tmp_path / "saved-wal"
    conn.executemany("insert into t values (?)", [(i,) for i in range(500)])
    conn.commit()
    shutil.copy(f"{path}-wal", saved)
    conn.close()  # checkpoints and deletes its log
    shutil.copy(saved, f"{path}-wal")
    before, log_before = _digest(path), _digest(Path(f"{path}-wal"))
    with pytest.raises(DatabaseRefused, match="not margin's"):
        open_database(path)
    assert _digest(path) == before
    assert _digest(Path(f"{path}-wal")) == log_before


def test_margins_own_log_after_a_crash_is_applied(tmp_path: Path, seed_text: str) -> None:
    """The check must not refuse the ordinary case: a session killed with its log."""
    path = tmp_path / "a.db"
    _margin_file(path, seed_text, spans=1)
    db = open_database(path)
    db.execute("pragma wal_autocheckpoint = 0")
    doc_id = db.execute("select id from documents").fetchone()[0]
    annotations.add_annotation(db, doc_id, 10, 20, "person", annotator="ana")
    # Copy the file, its log and its index as a kill -9 would leave them.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{path}{suffix}", crashed / f"a.db{suffix}")
    db.close()
    os.remove(crashed / "a.db-shm")  # and a backup that copied only the file and its log
    reopened = open_database(crashed / "a.db")
    assert reopened.execute("select count(*) from annotations").fetchone()[0] == 2
    reopened.close()


def test_reading_a_read_only_database_leaves_no_files_beside_it(tmp_path: Path, seed_text: str) -> None:
    path = tmp_path / "a.db"
    _margin_file(path, seed_text)
    os.chmod(path, stat.S_IRUSR)
    try:
        before = _digest(path)
        result = CliRunner().invoke(cli, ["--db", str(path), "documents"])
        assert result.exit_code == 0, result.output
        db = open_database(path)
        assert db.readonly
        assert db.execute("select count(*) from annotations").fetchone()[0] == 50
        db.close()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]
        assert _digest(path) == before
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def test_a_foreign_log_beside_the_real_file_of_a_symlink_is_refused(tmp_path: Path, seed_text: str) -> None:
    real = tmp_path / "real"
    real.mkdir()
    path = real / "x.db"
    _margin_file(path, seed_text)
    link = tmp_path / "link.db"
    link.symlink_to(path)
    shutil.copy(_foreign_log(tmp_path), f"{path}-wal")  # where SQLite looks: beside the real file
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="does not belong"):
        open_database(link)
    assert _digest(path) == before


def test_a_file_only_this_user_cannot_write_is_read_live(tmp_path: Path, seed_text: str) -> None:
    """Read-only for us but writable by the group: a colleague may be writing, so the
    reader must see the log, not take the file as immutable."""
    path = tmp_path / "a.db"
    _margin_file(path, seed_text, spans=1)
    writer = open_database(path)
    writer.execute("pragma wal_autocheckpoint = 0")
    doc_id = writer.execute("select id from documents").fetchone()[0]
    annotations.add_annotation(writer, doc_id, 10, 20, "person", annotator="colleague")
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IWGRP)
    try:
        reader = open_database(path, readonly=True)
        assert reader.execute("select count(*) from annotations").fetchone()[0] == 2
        reader.close()
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        writer.close()
