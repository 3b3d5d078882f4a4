"""Annotations: spans with a label, checked against their document's text.

Deletion is a tombstone (``deleted_at``) so that a delete survives a merge and an
undo can restore the very same row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields

from .database import Database
from .db import write
from .errors import MarginError, SpanError
from .labels import require_label
from .model import CONTEXT_CHARS, Annotation, check_status, new_id, now_iso
from .names import check_name
from .relations import check_relabel, restore_with, tombstone_with

COLUMNS = tuple(field.name for field in fields(Annotation))
SELECT = "select " + ", ".join(f'"{name}"' for name in COLUMNS) + " from annotations"
INSERT = (
    "insert into annotations (" + ", ".join(f'"{name}"' for name in COLUMNS) + ") values ("
    + ", ".join("?" for _ in COLUMNS) + ")"
)


def _row_to_annotation(row: tuple) -> Annotation:
    return Annotation(*row)


def check_span(text: str, start: int, end: int, quote: str | None = None) -> None:
    """Raise SpanError unless [start, end) is a non-empty span inside ``text`` whose
    characters are ``quote`` (when given)."""
    # bool is an int to Python, but `true` in a file is not an offset.
    if any(not isinstance(offset, int) or isinstance(offset, bool) for offset in (start, end)):
        raise SpanError(f"span offsets must be whole numbers, got {start!r}, {end!r}")
    if start == end and 0 <= start <= len(text):
        raise SpanError(f"empty span at {start}: a span needs at least one character")
    if not 0 <= start < end <= len(text):
        raise SpanError(f"span {start}–{end} is out of range for a text of {len(text)} characters")
    if quote is not None and text[start:end] != quote:
        raise SpanError(
            f"span {start}–{end} reads {text[start:end]!r} in the document, not {quote!r}"
        )


def context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(quote, prefix, suffix) as a W3C TextQuoteSelector would carry them."""
    return (
        text[start:end],
        text[max(0, start - CONTEXT_CHARS) : start],
        text[end : end + CONTEXT_CHARS],
    )


def annotation_row(
    *,
    doc_id: str,
    text: str,
    start: int,
    end: int,
    label: str,
    annotator: str,
    note: str = "",
    status: str = "accepted",
    origin: str = "manual",
    id: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
    deleted_at: str | None = None,
) -> dict:
    """A checked annotation row for ``text``; shared by the app and by imports."""
    check_span(text, start, end)
    check_status(status)
    if not annotator:
        raise MarginError("an annotation needs an annotator")
    check_name("annotator", annotator)
    quote, prefix, suffix = context(text, start, end)
    created = created_at or updated_at or now_iso()
    # A plain dict, not dataclasses.asdict: asdict deep-copies every value, which
    # was most of the cost of a large import.
    return {
        "id": id or new_id(),
        "doc_id": doc_id,
        "start": start,
        "end": end,
        "label": label,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "note": note or "",
        "annotator": annotator,
        "status": status,
        "origin": origin,
        "created_at": created,
        "updated_at": updated_at or created,
        "deleted_at": deleted_at,
    }


def _document_text(db: Database, doc_id: str) -> str:
    row = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
    if row is None:
        raise MarginError(f"no document with id {doc_id}")
    return row[0]


def add_annotation(
    db: Database,
    doc_id: str,
    start: int,
    end: int,
    label: str,
    *,
    annotator: str,
    note: str = "",
    status: str = "accepted",
    origin: str = "manual",
    text: str | None = None,
) -> Annotation:
    """Add one span. ``text`` is the document's text when the caller holds it (the
    app does): a document's id is the hash of its text, so it is the stored text, and
    a key press never reads a whole book back from the file."""
    with write(db):
        require_label(db, label)
        row = annotation_row(
            doc_id=doc_id,
            text=_document_text(db, doc_id) if text is None else text,
            start=start,
            end=end,
            label=label,
            annotator=annotator,
            note=note,
            status=status,
            origin=origin,
        )
        db.execute(INSERT, [row[name] for name in COLUMNS])
    return Annotation(**row)


def get_annotation(db: Database, annotation_id: str) -> Annotation | None:
    row = db.execute(f"{SELECT} where id = ?", [annotation_id]).fetchone()
    return _row_to_annotation(row) if row else None


def get_annotations(db: Database, annotation_ids: Iterable[str]) -> list[Annotation]:
    """The annotations with these ids (tombstones included), in the order asked."""
    ids = list(dict.fromkeys(annotation_ids))
    by_id: dict[str, Annotation] = {}
    for batch_start in range(0, len(ids), 500):
        batch = ids[batch_start : batch_start + 500]
        for row in db.execute(f"{SELECT} where id in ({', '.join('?' for _ in batch)})", batch).fetchall():
            by_id[row[0]] = _row_to_annotation(row)
    return [by_id[annotation_id] for annotation_id in ids if annotation_id in by_id]


def _require(db: Database, annotation_id: str) -> Annotation:
    annotation = get_annotation(db, annotation_id)
    if annotation is None:
        raise MarginError(f"no annotation with id {annotation_id}")
    return annotation


def _set(db: Database, annotation_id: str, values: dict[str, object]) -> None:
    assignments = ", ".join(f'"{column}" = ?' for column in values)
    db.execute(f"update annotations set {assignments} where id = ?", [*values.values(), annotation_id])


def update_annotation(
    db: Database,
    annotation_id: str,
    *,
    label: str | None = None,
    note: str | None = None,
    status: str | None = None,
) -> Annotation:
    changes: dict[str, object] = {}
    with write(db):
        annotation = _require(db, annotation_id)
        if label is not None:
            require_label(db, label)
            if label != annotation.label:
                check_relabel(db, annotation, label)
            changes["label"] = label
        if note is not None:
            changes["note"] = note
        if status is not None:
            check_status(status)
            changes["status"] = status
        if changes:
            changes["updated_at"] = now_iso()
            _set(db, annotation_id, changes)
        return _require(db, annotation_id)


def delete_annotation(db: Database, annotation_id: str) -> Annotation:
    """Tombstone an annotation, and its relations with the same stamp; it stays in
    the table so merges and undo see it."""
    with write(db):
        annotation = _require(db, annotation_id)
        if annotation.deleted:
            return annotation
        stamp = now_iso()
        _set(db, annotation_id, {"deleted_at": stamp, "updated_at": stamp})
        tombstone_with(db, annotation_id, stamp)
        return _require(db, annotation_id)


def restore_annotation(db: Database, annotation_id: str) -> Annotation:
    """Bring a deleted annotation back, with the relations its delete took."""
    with write(db):
        annotation = _require(db, annotation_id)
        stamp = now_iso()
        _set(db, annotation_id, {"deleted_at": None, "updated_at": stamp})
        if annotation.deleted_at is not None:
            restore_with(db, annotation_id, annotation.deleted_at, stamp)
        return _require(db, annotation_id)


def query_annotations(db: Database, **filters: object) -> list[Annotation]:
    """:func:`iter_annotations` as a list, for callers that want them all at once."""
    return list(iter_annotations(db, **filters))  # type: ignore[arg-type]


def _in_clause(column: str, values: str | Iterable[str]) -> tuple[str, list[str]]:
    values = [values] if isinstance(values, str) else list(values)
    return f'"{column}" in ({", ".join("?" for _ in values)})', values


def iter_annotations(
    db: Database,
    *,
    doc_id: str | None = None,
    doc_ids: Iterable[str] | None = None,
    label: str | Iterable[str] | None = None,
    annotator: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    include_deleted: bool = False,
    origin_prefix: str | None = None,
    starting_within: tuple[int, int] | None = None,
) -> Iterator[Annotation]:
    """Annotations in reading order (document, start, longest first), filtered by any
    of document, label, annotator, status and origin; tombstones only on request.
    ``starting_within`` keeps those that start in ``[low, high)`` (by the index)."""
    clauses: list[str] = []
    params: list[object] = []
    if doc_id is not None:
        clauses.append("doc_id = ?")
        params.append(doc_id)
    for column, values in (("doc_id", doc_ids), ("label", label), ("annotator", annotator), ("status", status)):
        if values is not None:
            clause, values_list = _in_clause(column, values)
            clauses.append(clause)
            params.extend(values_list)
    if origin_prefix is not None:
        clauses.append("substr(origin, 1, ?) = ?")
        params.extend([len(origin_prefix), origin_prefix])
    if starting_within is not None:
        clauses.append('"start" >= ? and "start" < ?')
        params.extend(starting_within)
    if not include_deleted:
        clauses.append("deleted_at is null")
    where = f" where {' and '.join(clauses)}" if clauses else ""
    cursor = db.execute(f'{SELECT}{where} order by doc_id, start, "end" desc, created_at', params)
    for row in cursor:
        yield _row_to_annotation(row)


def annotators(db: Database) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "select distinct annotator from annotations where deleted_at is null order by annotator"
        ).fetchall()
    ]
