"""Small team databases built through the store API, shared by the team feature tests."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from margin.store.annotations import add_annotation
from margin.store.changes import ChangeBatch, ChangeFeed
from margin.store.database import Database
from margin.store.documents import add_document
from margin.store.model import Annotation

SNAPSHOT_TABLES = ("documents", "labels", "annotations", "reading_state", "reviews")


def file_rows(path: str | Path, tables: tuple[str, ...] = SNAPSHOT_TABLES) -> dict[str, list[tuple]]:
    """Every row of each table of a database file, read without writing to it."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {table: conn.execute(f"select * from {table} order by 1, 2").fetchall() for table in tables}
    finally:
        conn.close()


def copy_file(source: str | Path, destination: str | Path) -> Path:
    """A consistent copy of a database file (``VACUUM INTO``)."""
    from margin.store.db import open_database

    db = open_database(source)
    db.execute("vacuum into ?", [str(destination)])
    db.close()
    return Path(destination)


ARTICLE = "Alice Smith said that 40% of people left Paris in 2020."


def add_text(db: Database, text: str = ARTICLE, title: str = "") -> str:
    document, _ = add_document(db, text, title=title)
    return document.id


def mark(
    db: Database,
    doc_id: str,
    text: str,
    quote: str,
    label: str,
    annotator: str,
    *,
    note: str = "",
    status: str = "accepted",
) -> Annotation:
    """Annotate the first occurrence of ``quote`` in ``text``."""
    start = text.index(quote)
    return add_annotation(
        db, doc_id, start, start + len(quote), label, annotator=annotator, note=note, status=status
    )


def two_annotators(db: Database) -> str:
    """The worked example of the agreement tests: ana (reference) and bob on ARTICLE."""
    doc_id = add_text(db)
    for quote, label in (
        ("Alice Smith", "person"),
        ("40%", "statistic"),
        ("40% of people left Paris in 2020", "claim"),
    ):
        mark(db, doc_id, ARTICLE, quote, label, "ana", note=f"ana on {label}")
    for quote, label in (
        ("Alice", "person"),
        ("40% of people", "statistic"),
        ("40% of people left Paris in 2020", "claim"),
        ("Paris", "person"),
    ):
        mark(db, doc_id, ARTICLE, quote, label, "bob", note=f"bob on {label}")
    return doc_id


def next_batch(feed: ChangeFeed) -> ChangeBatch | None:
    """The next poll that finds something, within a second: a server's notice of a
    commit reaches the feed's connection a moment after the commit returns."""
    give_up = time.monotonic() + 1
    while (batch := feed.poll()) is None and time.monotonic() < give_up:
        time.sleep(0.005)
    return batch
