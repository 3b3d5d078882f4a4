"""Reading state: where each annotator left off in each document."""

from __future__ import annotations

from .database import Database
from .db import write
from .model import now_iso


def get_position(db: Database, doc_id: str, annotator: str) -> int:
    row = db.execute(
        "select offset from reading_state where doc_id = ? and annotator = ?",
        [doc_id, annotator],
    ).fetchone()
    return row[0] if row else 0


def set_position(db: Database, doc_id: str, annotator: str, offset: int) -> None:
    if getattr(db, "readonly", False):
        return
    with write(db):
        db.table("reading_state").upsert(
            {"doc_id": doc_id, "annotator": annotator, "offset": offset, "updated_at": now_iso()},
            pk=("doc_id", "annotator"),
        )


def last_read(db: Database, annotator: str) -> str | None:
    """The document ``annotator`` moved in most recently, to reopen the app where they were."""
    row = db.execute(
        "select reading_state.doc_id from reading_state join documents "
        "on documents.id = reading_state.doc_id where annotator = ? "
        "order by reading_state.updated_at desc limit 1",
        [annotator],
    ).fetchone()
    return row[0] if row else None
