"""The private sqlite-utils API the store relies on still behaves as it relies on."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import BACKENDS

from margin.store.compat import migration_names
from margin.store.db import SCHEMA_VERSION
from margin.store.migrations import migrations


def test_migration_names_lists_every_registered_migration_in_order() -> None:
    names = migration_names(migrations)
    assert names[:3] == ["0001_initial", "0002_review", "0003_counts_and_changes"]


def test_schema_version_counts_the_migrations() -> None:
    assert len(migration_names(migrations)) == SCHEMA_VERSION


@pytest.fixture(params=BACKENDS)
def blank_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where an older margin's database is made: a file not there yet, or a database
    on the test cluster without margin's schema."""
    if request.param == "sqlite":
        yield tmp_path / "old.db"
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.fresh(template="template0")
    yield url
    cluster.drop(url)


def _at_schema_7(where: Path | str):
    """A database as an older margin left it: every migration before 0008, on a file
    through sqlite-utils, on a server through the same steps in its own DDL."""
    import sqlite3

    from margin.store.database import Database, Server
    from margin.store.db import APPLICATION_ID

    if isinstance(where, Path):
        conn = sqlite3.connect(where)
        old = Database(conn, path=where, readonly=False)
        migrations.apply(old.utils, stop_before="0008_versions")
        conn.execute(f"pragma application_id = {APPLICATION_ID}")
        conn.execute("pragma user_version = 7")
        assert not conn.execute("select 1 from sqlite_master where name = 'document_versions'").fetchone()
        return old
    from margin.store.postgres.connect import open_server

    old = open_server(Server(where), readonly=False, schema_version=7)
    assert old.execute("select to_regclass('document_versions')").fetchone()[0] is None
    return old


def test_a_database_from_before_versions_upgrades_and_its_documents_work(
    blank_location: Path | str, seed_text: str
) -> None:
    """A database written at schema 7 (built here with every migration before 0008, which
    is what an older margin left) opens, gains the versions table, empty, and its
    spans move when a revised text becomes the next version."""
    from margin.store.annotations import add_annotation
    from margin.store.db import open_database, schema_version
    from margin.store.documents import add_document, document_row, get_document
    from margin.store.version_moves import add_version
    from margin.store.versions import newer_version, superseded, versions

    old = _at_schema_7(blank_location)
    row = document_row(seed_text, source="/news/darien.txt")
    del row["tokens"]  # a column of a later migration
    old.table("documents").insert(row)
    document = get_document(old, row["id"])
    assert document is not None
    at = seed_text.index("520,000")
    span = add_annotation(old, document.id, at, at + 7, "statistic", annotator="ana")
    old.conn.commit()
    old.close()

    db = open_database(blank_location)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert db.execute("select count(*) from document_versions").fetchone()[0] == 0
        assert [(v.id, v.version, v.lineage) for v in versions(db, document.id)] == [(document.id, 1, document.id)]
        assert newer_version(db, document.id) is None and superseded(db) == set()
        revised, _ = add_document(db, seed_text.replace("520,000", "530,000"), source="/news/darien.txt")
        number, report = add_version(db, document.id, revised.id)
        assert number == 2 and [m.annotation_id for m in report.changed] == [span.id]
        assert db.execute("select doc_id from annotations where id = ?", [span.id]).fetchone()[0] == revised.id
        assert superseded(db) == {document.id}
    finally:
        db.close()


def test_sqlite_utils_is_imported_without_pandas_or_numpy() -> None:
    """sqlite-utils imports both whenever installed (the test extra has them, through
    label-studio-sdk), at a cost larger than Textual's; margin's one import of it leaves
    them out, sqlite-utils still works, and anything else may still import them."""
    code = """
import importlib.util, sys
assert importlib.util.find_spec("pandas") and importlib.util.find_spec("numpy")
from margin.store import importing, merge, migrations
from margin.store.compat import sqlite_utils
from margin.store.database import load_sqlite_utils
load_sqlite_utils()
db = sqlite_utils.Database(memory=True)
db["t"].insert_all([{"n": 1}, {"n": 2}])
print(sorted(name for name in ("pandas", "numpy", "sqlite_utils") if name in sys.modules), db["t"].count)
import pandas
print(pandas.DataFrame({"n": [1]}).shape)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["['sqlite_utils'] 2", "(1, 1)"]


def test_while_sqlite_utils_loads_another_thread_still_imports_numpy() -> None:
    """The app loads sqlite-utils in a thread a second after start; an export with
    spaCy tokens may import numpy in another thread at that moment."""
    code = """
import sys, threading
from margin.store import compat
started, done = threading.Event(), threading.Event()
found = []
def other():
    started.wait()
    import numpy
    found.append(numpy.__name__)
    done.set()
thread = threading.Thread(target=other)
thread.start()
with compat._dataframes_hidden():
    started.set()
    done.wait(30)
    try:
        import pandas
        print("pandas imported in the hiding thread")
    except ImportError:
        print("hidden here")
thread.join()
print(found)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["hidden here", "['numpy']"]
