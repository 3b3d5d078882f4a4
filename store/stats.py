"""Counts of live annotations, grouped the ways `margin stats` shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .database import Database
from .db import schema_version


@dataclass(slots=True)
class Stats:
    by_label: dict[str, int] = field(default_factory=dict)
    by_annotator: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_document: list[tuple[str, str, int]] = field(default_factory=list)  # id, title, count
    total: int = 0


def _grouped(db: Database, column: str) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in db.execute(
            f'select "{column}", count(*) from annotations where deleted_at is null '
            f'group by "{column}" order by count(*) desc, "{column}"'
        ).fetchall()
    }


def annotation_stats(db: Database) -> Stats:
    stats = Stats(
        by_label=_grouped(db, "label"),
        by_annotator=_grouped(db, "annotator"),
        by_status=_grouped(db, "status"),
    )
    # Labels with no annotations still belong in the table, in scheme order.
    for (name,) in db.execute("select name from labels order by position, name").fetchall():
        stats.by_label.setdefault(name, 0)
    stats.by_document = [
        (row[0], row[1], row[2])
        for row in db.execute(
            "select documents.id, documents.title, count(annotations.id) from documents "
            "left join annotations on annotations.doc_id = documents.id "
            "and annotations.deleted_at is null "
            "group by documents.id order by documents.rowid"
        ).fetchall()
    ]
    stats.total = sum(stats.by_annotator.values())
    return stats


@dataclass(slots=True)
class DatabaseInfo:
    path: str
    schema_version: int
    readonly: bool
    documents: int
    annotations: int
    deleted_annotations: int
    labels: int
    annotators: int
    size_bytes: int


def database_info(db: Database) -> DatabaseInfo:
    def scalar(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    path = getattr(db, "path", None)
    return DatabaseInfo(
        path=str(path) if path else ":memory:",
        schema_version=schema_version(db),
        readonly=bool(getattr(db, "readonly", False)),
        documents=scalar("select count(*) from documents"),
        annotations=scalar("select count(*) from annotations where deleted_at is null"),
        deleted_annotations=scalar("select count(*) from annotations where deleted_at is not null"),
        labels=scalar("select count(*) from labels"),
        annotators=scalar(
            "select count(distinct annotator) from annotations where deleted_at is null"
        ),
        size_bytes=path.stat().st_size if path and path.exists() else 0,
    )
