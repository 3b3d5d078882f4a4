"""Counts of live annotations, grouped the ways `margin stats` and `margin documents`
show them.

Everything is aggregated in SQL and read as a stream. Per document, label and status
the counts come from ``annotation_counts``, which the schema's triggers keep in step,
so no listing counts the annotations table itself; only the split by annotator, which
that table does not keep, groups the annotations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .attributes import SHOWN as ATTRIBUTES_SHOWN
from .database import Database
from .db import schema_version
from .documents import DocumentSummary, label_counts
from .relations import LIVE as RELATIONS_SHOWN

BATCH_SIZE = 500
"""Documents read per batch when listing them, each batch with one query for its counts."""


@dataclass(slots=True)
class Stats:
    """Live annotations per label (every label of the scheme, used or not), annotator
    and status. Per document they are streamed by :func:`iter_document_totals`."""

    by_label: dict[str, int] = field(default_factory=dict)
    by_annotator: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    total: int = 0


def _grouped(db: Database, sql: str) -> dict[str, int]:
    return {row[0]: row[1] for row in db.execute(sql).fetchall()}


def label_totals(db: Database) -> dict[str, int]:
    """Live annotations per label, any status, most used first."""
    return _grouped(
        db, "select label, sum(n) as total from annotation_counts group by label order by total desc, label"
    )


def annotation_stats(db: Database) -> Stats:
    stats = Stats(
        by_label=label_totals(db),
        by_annotator=_grouped(
            db,
            "select annotator, count(*) as total from annotations where deleted_at is null "
            "group by annotator order by total desc, annotator",
        ),
        by_status=_grouped(
            db, "select status, sum(n) as total from annotation_counts group by status order by total desc, status"
        ),
    )
    # Labels with no annotations still belong in the table, in scheme order.
    for (name,) in db.execute("select name from labels where retired_at is null order by position, name").fetchall():
        stats.by_label.setdefault(name, 0)
    stats.total = sum(stats.by_status.values())
    return stats


def _page(limit: int | None, offset: int) -> tuple[str, list[int]]:
    """A page of rows; no limit is SQLite's ``limit -1``, written out so that each
    backend can say it its own way."""
    if limit is None:
        return " limit -1 offset ?", [offset]
    return " limit ? offset ?", [limit, offset]


def iter_document_totals(db: Database, *, limit: int | None = None, offset: int = 0) -> Iterator[tuple[str, str, int]]:
    """(id, title, live annotations) per document in insertion order, as read."""
    clause, params = _page(limit, offset)
    yield from db.execute(
        "select id, title, (select coalesce(sum(n), 0) from annotation_counts where doc_id = documents.id) "
        "from documents order by rowid" + clause,
        params,
    )


def iter_document_summaries(
    db: Database, *, annotator: str | None = None, limit: int | None = None, offset: int = 0
) -> Iterator[DocumentSummary]:
    """What ``margin documents`` lists, as read: each document's counts per label (not
    rejected) and ``annotator``'s reading position, without reading any text."""
    clause, params = _page(limit, offset)
    cursor = db.execute(
        "select documents.id, title, source, coalesce(length, length(text)), coalesce(reading_state.\"offset\", 0) "
        "from documents left join reading_state on reading_state.doc_id = documents.id "
        "and reading_state.annotator = ? order by documents.rowid" + clause,
        [annotator, *params],
    )
    while batch := cursor.fetchmany(BATCH_SIZE):
        counts = label_counts(db, [row[0] for row in batch])
        for doc_id, title, source, length, position in batch:
            yield DocumentSummary(
                id=doc_id,
                title=title or "",
                source=source or "",
                length=length,
                counts=counts.get(doc_id, {}),
                position=position,
            )


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
    relations: int = 0
    """Shown links between spans (live, not rejected, both ends live)."""
    attribute_values: int = 0
    """Values on live spans."""


def database_info(db: Database) -> DatabaseInfo:
    def scalar(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return DatabaseInfo(
        path=str(db.path),
        schema_version=schema_version(db),
        readonly=db.readonly,
        documents=scalar("select count(*) from documents"),
        annotations=scalar("select coalesce(sum(n), 0) from annotation_counts"),
        deleted_annotations=scalar("select count(*) from annotations where deleted_at is not null"),
        labels=scalar("select count(*) from labels where retired_at is null"),
        annotators=scalar(
            "select count(distinct annotator) from annotations where deleted_at is null"
        ),
        size_bytes=db.size_bytes(),
        relations=scalar(f"select count(*) from relations where {RELATIONS_SHOWN}"),
        attribute_values=scalar(f"select count(*) from attributes where {ATTRIBUTES_SHOWN}"),
    )
