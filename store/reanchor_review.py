"""What re-anchoring left for a person to look at, and what they do about it.

A span moved onto a newer version whose text changed (a corrected figure) is
*changed*: placed, but to be checked. A span that could not be placed is an
*orphan*: it stays on the old version it still fits, until someone re-attaches it
to a place in the newest text, or deletes it. Both are rows of ``reanchored`` with
``needs_review`` set (``store.version_moves``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .annotations import context
from .database import Database
from .db import write
from .errors import MarginError
from .model import now_iso
from .version_moves import follow_ends, upsert_reanchored
from .versions import lineage_of, newest_id

_COLUMNS = (
    "a.id, a.label, case when r.method = 'orphan' then 'orphan' else 'changed' end, a.doc_id, a.start, "
    'a."end", a.quote, r.old_quote, r.method, r.confidence, r.reason, r.from_doc, r.to_doc, a.note'
)
_PENDING = (  # needs_review = 1 as written: the partial index reanchored_pending holds those rows
    "r.needs_review = 1 and a.deleted_at is null and a.status != 'rejected' and "
    "((r.method = 'orphan' and a.doc_id = r.from_doc) or (r.method != 'orphan' and a.doc_id = r.to_doc))"
)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    annotation_id: str
    label: str
    kind: str
    """``changed`` (placed, its text differs) or ``orphan`` (left on ``doc_id``, an old version)."""
    doc_id: str
    start: int
    end: int
    quote: str
    old_quote: str
    method: str
    confidence: float
    reason: str
    from_doc: str
    to_doc: str
    note: str


def review_items(db: Database, doc_id: str) -> list[ReviewItem]:
    """What waits for review in ``doc_id``'s lineage: changed spans in reading order on the
    newest version, then orphans in reading order on theirs."""
    lineage = lineage_of(db, doc_id)
    rows = db.execute(
        f"select {_COLUMNS} from reanchored r join annotations a on a.id = r.annotation_id "
        f"where {_PENDING} and r.to_doc in (select doc_id from document_versions where lineage = ?) "
        "order by r.method = 'orphan', a.doc_id, a.start",
        [lineage],
    ).fetchall()
    return [ReviewItem(*row) for row in rows]


def pending_counts(db: Database, doc_ids: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
    """(changed, orphans) waiting for review per lineage's newest version, for listings."""
    counts: dict[str, list[int]] = {}
    for to_doc, kind, n in db.execute(
        "select r.to_doc, r.method = 'orphan', count(*) from reanchored r join annotations a "
        f"on a.id = r.annotation_id where {_PENDING} group by r.to_doc, r.method = 'orphan'"
    ).fetchall():
        counts.setdefault(to_doc, [0, 0])[1 if kind else 0] += n
    wanted = None if doc_ids is None else set(doc_ids)
    return {doc: (c, o) for doc, (c, o) in counts.items() if wanted is None or doc in wanted}


def all_review_items(db: Database, doc_ids: Iterable[str] | None = None) -> list[ReviewItem]:
    """Every item waiting for review, or those of the lineages of ``doc_ids``."""
    if doc_ids is not None:
        seen: set[str] = set()
        items: list[ReviewItem] = []
        for doc_id in doc_ids:
            lineage = lineage_of(db, doc_id)
            if lineage not in seen:
                seen.add(lineage)
                items += review_items(db, doc_id)
        return items
    rows = db.execute(
        f"select {_COLUMNS} from reanchored r join annotations a on a.id = r.annotation_id "
        f"where {_PENDING} order by r.to_doc, r.method = 'orphan', a.doc_id, a.start"
    ).fetchall()
    return [ReviewItem(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Reattached:
    """What :func:`reattach` changed, so that :func:`undo_reattach` can put it back."""

    annotation_id: str
    doc_id: str
    start: int
    end: int
    record: tuple
    """The ``reanchored`` row as it was, in ``store.version_moves._UPSERT`` order."""


def _record(db: Database, annotation_id: str) -> tuple:
    row = db.execute(
        "select annotation_id, from_doc, to_doc, method, confidence, changed, old_start, old_end, old_quote, "
        "reason, needs_review, updated_at from reanchored where annotation_id = ?",
        [annotation_id],
    ).fetchone()
    if row is None:
        raise MarginError("this span was not moved onto a newer version")
    return tuple(row)


def _place(db: Database, annotation_id: str, doc_id: str, start: int, end: int) -> None:
    text = db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]
    if not 0 <= start < end <= len(text):
        raise MarginError(f"span {start}–{end} is out of range for a text of {len(text)} characters")
    quote, prefix, suffix = context(text, start, end)
    db.execute(
        'update annotations set doc_id = ?, start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, '
        "updated_at = ? where id = ?",
        [doc_id, start, end, quote, prefix, suffix, now_iso(), annotation_id],
    )


def reattach(db: Database, annotation_id: str, start: int, end: int) -> Reattached:
    """Put an orphan on ``start``–``end`` of the newest version of its document (its
    label, note, values and relations with it); it no longer needs review."""
    with write(db):
        row = db.execute(
            'select doc_id, start, "end", deleted_at from annotations where id = ?', [annotation_id]
        ).fetchone()
        if row is None or row[3] is not None:
            raise MarginError("that span is gone")
        doc_id, old_start, old_end, _ = row
        record = _record(db, annotation_id)
        newest = newest_id(db, doc_id)
        if record[3] != "orphan" or doc_id == newest:
            raise MarginError("that span is not an orphan")
        _place(db, annotation_id, newest, start, end)
        quote = db.execute("select quote from annotations where id = ?", [annotation_id]).fetchone()[0]
        upsert_reanchored(db, [(annotation_id, record[1], newest, "manual", 1.0, int(quote != record[8]),
                                record[6], record[7], record[8], "", 0, now_iso())])
        follow_ends(db, [doc_id])
        _notify(db, [doc_id, newest])
        return Reattached(annotation_id, doc_id, old_start, old_end, record)


def undo_reattach(db: Database, done: Reattached) -> None:
    """Put a re-attached orphan back on its old version, as an orphan again."""
    with write(db):
        now_on = db.execute("select doc_id from annotations where id = ?", [done.annotation_id]).fetchone()[0]
        _place(db, done.annotation_id, done.doc_id, done.start, done.end)
        upsert_reanchored(db, [(*done.record[:-1], now_iso())])
        follow_ends(db, [now_on])
        _notify(db, [done.doc_id, now_on])


def set_reviewed(db: Database, annotation_id: str, reviewed: bool = True) -> bool:
    """Mark a changed span looked at (or, for undo, not yet); returns whether it changed."""
    with write(db):
        cursor = db.execute(
            "update reanchored set needs_review = ?, updated_at = ? where annotation_id = ? "
            "and needs_review = ? and method != 'orphan'",
            [0 if reviewed else 1, now_iso(), annotation_id, 1 if reviewed else 0],
        )
        return cursor.rowcount > 0


def _notify(db: Database, doc_ids: Iterable[str]) -> None:
    db.conn.executemany(
        "insert into changes (kind, row_id, doc_id) values ('document', ?, ?)", [(d, d) for d in doc_ids]
    )
