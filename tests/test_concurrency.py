"""Several margin processes writing one database file at once lose nothing and fail
nowhere: WAL mode, the busy timeout and BEGIN IMMEDIATE doing their job."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from store.annotations import query_annotations
from store.db import open_database
from store.documents import count_documents
from team_data import add_text

PER_WRITER = 500

# Each process opens the database, says it is ready, and waits for the start file, so
# that all of them write at the same time.
WRITER = """
import sys, time
from pathlib import Path
from store.annotations import add_annotation
from store.db import open_database

path, doc_id, who, start = sys.argv[1:5]
db = open_database(path)
Path(f"{{start}}.{{who}}.ready").touch()
while not Path(start).exists():
    time.sleep(0.005)
for number in range({count}):
    offset = number % 40
    add_annotation(db, doc_id, offset, offset + 5, "claim", annotator=who, note=str(number))
db.close()
"""

IMPORTER = """
import sys, time
from pathlib import Path
from store.annotations import annotation_row
from store.db import open_database, write
from store.documents import add_document

path, start = sys.argv[1:3]
db = open_database(path)
Path(f"{{start}}.importer.ready").touch()
while not Path(start).exists():
    time.sleep(0.005)
for number in range(20):
    text = f"Imported article {{number}}. " * 40
    document, _ = add_document(db, text, source=f"batch-{{number}}.txt")
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
    while len(list(go.parent.glob(f"{go.name}.*.ready"))) < len(processes):
        if any(process.poll() is not None for process in processes):
            break  # one died before starting; its error is reported below
        time.sleep(0.01)
    go.touch()
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert stderr == "", stderr


def _ready(path: Path) -> str:
    db = open_database(path)
    try:
        return add_text(db)
    finally:
        db.close()


def test_four_writers_at_once_keep_every_row(tmp_path):
    path, go = tmp_path / "shared.db", tmp_path / "go"
    doc_id = _ready(path)
    writers = [_start(WRITER.format(count=PER_WRITER), path, doc_id, f"writer{n}", go) for n in range(4)]
    _finish(writers, go)

    db = open_database(path)
    rows = query_annotations(db)
    assert len(rows) == 4 * PER_WRITER
    for n in range(4):
        notes = sorted(int(a.note) for a in rows if a.annotator == f"writer{n}")
        assert notes == list(range(PER_WRITER))
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()


def test_an_import_beside_a_writer(tmp_path):
    path, go = tmp_path / "shared.db", tmp_path / "go"
    doc_id = _ready(path)
    processes = [
        _start(IMPORTER, path, go),
        _start(WRITER.format(count=PER_WRITER), path, doc_id, "ana", go),
    ]
    _finish(processes, go)

    db = open_database(path)
    assert count_documents(db) == 21
    assert len(query_annotations(db, annotator="importer")) == 20 * 40
    assert len(query_annotations(db, annotator="ana", doc_id=doc_id)) == PER_WRITER
    db.close()
