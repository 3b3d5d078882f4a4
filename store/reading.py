"""Reading state: where each annotator left off in each document."""

from __future__ import annotations

from .database import Database
from .db import write
from .model import now_iso


def get_position(db: Database, doc_id: str, annotator: str) -> int:
    row = db.execute(
        'select "offset" from reading_state where doc_id = ? and annotator = ?',
        [doc_id, annotator],
    ).fetchone()
    return row[0] if row else 0


def set_position(db: Database, doc_id: str, annotator: str, offset: int) -> None:
    if db.readonly:
        return
    with write(db):
        db.execute(
            'insert into reading_state (doc_id, annotator, "offset", updated_at) values (?, ?, ?, ?) '
            'on conflict (doc_id, annotator) do update set "offset" = excluded."offset", updated_at = excluded.updated_at',
            [doc_id, annotator, offset, now_iso()],
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
