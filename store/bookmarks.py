"""Bookmarks: places in a document an annotator wants to go back to.

A bookmark is an offset, per document and annotator. Removing one leaves a
tombstone (``deleted_at``) rather than deleting the row, so that a merge carries the
removal instead of bringing the bookmark back from an older copy; toggling the same
place again revives that row, so toggling back and forth grows nothing.

Two copies may each have bookmarked the same place under different ids; after a
merge both rows live, so every read here treats the offset, not the id, as the
bookmark.
"""

from __future__ import annotations

from dataclasses import dataclass

from .database import Database
from .db import write
from .errors import MarginError
from .model import new_id, now_iso
from .names import check_name

LIVE = "deleted_at is null"
_WHOSE = 'doc_id = ? and annotator = ? and "offset" = ?'


@dataclass(frozen=True, slots=True)
class Bookmark:
    id: str
    doc_id: str
    annotator: str
    offset: int
    created_at: str
    updated_at: str


def _check(annotator: str, offset: int) -> None:
    if not annotator:
        raise MarginError("a bookmark needs an annotator")
    check_name("annotator", annotator)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise MarginError(f"a bookmark's offset must be a whole number from 0, not {offset!r}")


def list_bookmarks(db: Database, doc_id: str, annotator: str) -> list[Bookmark]:
    """This annotator's live bookmarks in the document, one per offset, in reading order."""
    rows = db.execute(
        'select id, doc_id, annotator, "offset", created_at, updated_at from (select *, row_number() over '
        '(partition by "offset" order by created_at, id) as nth from bookmarks '
        f'where doc_id = ? and annotator = ? and {LIVE}) as first where nth = 1 order by "offset"',
        [doc_id, annotator],
    ).fetchall()
    return [Bookmark(*row) for row in rows]


def bookmark_at(db: Database, doc_id: str, annotator: str, offset: int) -> Bookmark | None:
    row = db.execute(
        f'select id, doc_id, annotator, "offset", created_at, updated_at from bookmarks where {_WHOSE} '
        f"and {LIVE} order by created_at limit 1",
        [doc_id, annotator, offset],
    ).fetchone()
    return Bookmark(*row) if row else None


def add_bookmark(db: Database, doc_id: str, annotator: str, offset: int) -> Bookmark:
    """Bookmark ``offset``; an existing bookmark there is returned as it is."""
    _check(annotator, offset)
    now = now_iso()
    with write(db):
        existing = bookmark_at(db, doc_id, annotator, offset)
        if existing is not None:
            return existing
        tombstone = db.execute(
            f"select id, created_at from bookmarks where {_WHOSE} order by updated_at desc limit 1",
            [doc_id, annotator, offset],
        ).fetchone()
        if tombstone is not None:
            db.execute(
                "update bookmarks set deleted_at = null, updated_at = ? where id = ?", [now, tombstone[0]]
            )
            return Bookmark(tombstone[0], doc_id, annotator, offset, tombstone[1], now)
        bookmark = Bookmark(new_id(), doc_id, annotator, offset, now, now)
        db.execute(
            'insert into bookmarks (id, doc_id, annotator, "offset", created_at, updated_at) '
            "values (?, ?, ?, ?, ?, ?)",
            [bookmark.id, doc_id, annotator, offset, now, now],
        )
        return bookmark


def remove_bookmark(db: Database, doc_id: str, annotator: str, offset: int) -> int:
    """Tombstone every live bookmark at ``offset``; how many there were."""
    now = now_iso()
    with write(db):
        return db.execute(
            f"update bookmarks set deleted_at = ?, updated_at = ? where {_WHOSE} and {LIVE}",
            [now, now, doc_id, annotator, offset],
        ).rowcount


def toggle_bookmark(db: Database, doc_id: str, annotator: str, offset: int) -> bool:
    """Remove the bookmark at ``offset`` if there is one, else add one; whether one is there now."""
    if bookmark_at(db, doc_id, annotator, offset) is not None:
        remove_bookmark(db, doc_id, annotator, offset)
        return False
    add_bookmark(db, doc_id, annotator, offset)
    return True
