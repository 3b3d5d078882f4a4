"""Helpers shared by the import and export tests: reading back what a database holds
in a form that compares across databases (ids and timestamps left out)."""

from __future__ import annotations

import io
from pathlib import Path

from margin.store.db import open_database
from margin.store.exporting import export
from margin.store.importing import import_paths


def span_set(db) -> set[tuple[str, int, int, str, str]]:
    """Every live span as (document id, start, end, label, quote)."""
    return set(
        db.execute(
            'select doc_id, start, "end", label, quote from annotations where deleted_at is null'
        ).fetchall()
    )


def texts(db) -> dict[str, str]:
    return dict(db.execute("select id, text from documents").fetchall())


def counts(db) -> tuple[int, int, int]:
    """(documents, annotations, labels): what a failed import must leave unchanged."""
    return tuple(
        db.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("documents", "annotations", "labels")
    )


def export_to(db, tmp_path: Path, format: str, **filters) -> Path:
    """Export ``db`` in ``format`` to a file (a directory for brat) and return it."""
    target = tmp_path / f"export-{format}"
    if format == "brat":
        export(db, target, format=format, **filters)
        return target
    with open(target.with_suffix(".jsonl" if format != "label-studio" else ".json"), "w",
              encoding="utf-8", newline="") as out:
        export(db, out, format=format, **filters)
    return target.with_suffix(".jsonl" if format != "label-studio" else ".json")


def reimport(path: Path, tmp_path: Path, format: str, name: str = "again.db", annotator: str = "tester"):
    """A fresh database holding what ``path`` imports to."""
    db = open_database(tmp_path / name)
    report = import_paths(db, [path], format=format, annotator=annotator)
    assert report.ok, report.failed
    return db


def export_text(db, format: str, **filters) -> str:
    out = io.StringIO()
    export(db, out, format=format, **filters)
    return out.getvalue()
