"""Several margin processes writing one database at once lose nothing and fail
nowhere: on a file, WAL mode, the busy timeout and BEGIN IMMEDIATE doing their job; on
a server, the write lock every transaction takes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from team_data import add_text

from margin.store.annotations import query_annotations
from margin.store.db import open_database
from margin.store.documents import count_documents

PER_WRITER = 500
START_WAIT = 120  # seconds a process waits for the others before giving up

# Each process opens the database, says it is ready, and waits for the start file, so
# that all of them write at the same time. A process left waiting gives up on its own.
READY = """
import sys, time
from pathlib import Path

def wait_for_start(start, name):
    Path(f"{start}.{name}.ready").touch()
    give_up = time.monotonic() + %d
    while not Path(start).exists():
        if time.monotonic() > give_up:
            sys.exit(f"{name}: never told to start")
        time.sleep(0.005)
""" % START_WAIT

WRITER = READY + """
from margin.store.annotations import add_annotation
from margin.store.db import open_database

path, doc_id, who, start, count = sys.argv[1:6]
db = open_database(path)
wait_for_start(start, who)
for number in range(int(count)):
    offset = number % 40
    add_annotation(db, doc_id, offset, offset + 5, "claim", annotator=who, note=str(number))
db.close()
"""

IMPORTER = READY + """
from margin.store.annotations import annotation_row
from margin.store.db import open_database, write
from margin.store.documents import add_document

path, start = sys.argv[1:3]
db = open_database(path)
wait_for_start(start, "importer")
for number in range(20):
    text = f"Imported article {number}. " * 40
    document, _ = add_document(db, text, source=f"batch-{number}.txt")
    with write(db):
        db.table("annotations").insert_all(
            annotation_row(
                doc_id=document.id, text=text, start=offset, end=offset + 8,
                label="statistic", annotator="importer", origin="import",
            )
            for offset in range(0, 400, 10)
        )
db.close()
"""


def _start(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(processes: list[subprocess.Popen], go: Path) -> None:
    """Start everyone at once, once all are ready, and wait for a clean finish."""
    give_up = time.monotonic() + START_WAIT
    while len(list(go.parent.glob(f"{go.name}.*.ready"))) < len(processes):
        if time.monotonic() > give_up or any(process.poll() is not None for process in processes):
            break  # a process died or hangs before starting; its error is reported below
        time.sleep(0.01)
    go.touch()
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert stderr == "", stderr


def _ready(path: Path | str) -> str:
    db = open_database(path)
    try:
        return add_text(db)
    finally:
        db.close()


def test_four_writers_at_once_keep_every_row(db_location, tmp_path):
    path, go = db_location, tmp_path / "go"
    doc_id = _ready(path)
    writers = [_start(WRITER, path, doc_id, f"writer{n}", go, PER_WRITER) for n in range(4)]
    _finish(writers, go)

    db = open_database(path)
    rows = query_annotations(db)
    assert len(rows) == 4 * PER_WRITER
    for n in range(4):
        notes = sorted(int(a.note) for a in rows if a.annotator == f"writer{n}")
        assert notes == list(range(PER_WRITER))
    if db.backend == "sqlite":
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()


def test_an_import_beside_a_writer(db_location, tmp_path):
    path, go = db_location, tmp_path / "go"
    doc_id = _ready(path)
    processes = [
        _start(IMPORTER, path, go),
        _start(WRITER, path, doc_id, "ana", go, PER_WRITER),
    ]
    _finish(processes, go)

    db = open_database(path)
    assert count_documents(db) == 21
    assert len(query_annotations(db, annotator="importer")) == 20 * 40
    assert len(query_annotations(db, annotator="ana", doc_id=doc_id)) == PER_WRITER
    db.close()


ADD_DOCUMENT = """
import sys
from margin.store.db import open_database
from margin.store.documents import add_document

db = open_database(sys.argv[1])
add_document(db, sys.argv[2])
db.close()
"""


def test_two_connections_in_one_process_keep_up_with_another_process(tmp_path):
    """`margin` holds the command's connection while the app opens its own: opening
    the second must not drop the process's file locks, or the next process to close
    deletes the WAL under this one, which then reads stale data and loses writes."""
    path = tmp_path / "shared.db"
    command = open_database(path)
    app = open_database(path)
    for number in range(3):
        subprocess.run([sys.executable, "-c", ADD_DOCUMENT, str(path), f"other {number}"], check=True)
        assert count_documents(app) == number + 1
    add_text(app, "written by the app")
    subprocess.run([sys.executable, "-c", ADD_DOCUMENT, str(path), "other 3"], check=True)
    app.close()
    command.close()

    db = open_database(path)
    assert count_documents(db) == 5
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()
