"""Which of a batch's spans a database already holds, and under which id.

Spans with ids (margin's own JSON lines) are matched by id, the newer ``updated_at``
winning; the others by document, place, label and annotator among live annotations.
A span found keeps the stored id, so that its relations and values go to it.

A span that moved onto a newer version of its document (``store.version_moves``) is
still found by what a file of the old version says of it: by id (it is present, and the
old version's copy never overwrites the moved one), or by its old place, kept in
``reanchored``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .errors import FormatError
from .import_plan import FileResult
from .timestamps import comparable


def same_lineage(existing: Callable[[str, Sequence[str]], list[tuple]], one: str, other: str) -> bool:
    """Whether two documents are versions of one (``store.versions``)."""
    found = dict(existing("select doc_id, lineage from document_versions where doc_id in ({})", [one, other]))
    return found.get(one, one) == found.get(other, other)


def dedupe_spans(
    existing: Callable[[str, Sequence[str]], list[tuple]],
    spans: list[tuple[dict, bool, int | None]],
    stored_before: set[str],
    name: str,
    result: FileResult,
) -> tuple[list[tuple[dict, bool]], list[dict], list[str], list[str]]:
    """New rows to insert and rows to update (the rest are already there), and for
    each span the id it ends up with and whether it is an ``insert``, an
    ``update`` or ``present`` (its relations and values go with that id).

    Spans with ids match by id, the others by place, label and annotator. Only
    documents stored before this batch can hold matching annotations, so a batch of new documents costs no query at all."""
    ids = [row["id"] for row, has_id, _ in spans if has_id]
    # What is stored, and what earlier batches of this file have staged (a staged
    # version is the newer one, so it is read second and wins).
    by_id = {
        row[0]: (row[1], row[2])
        for table in ("main.annotations", "temp.import_annotations")
        for row in existing(f"select id, doc_id, updated_at from {table} where id in ({{}})", ids)
    }
    keys: dict[tuple, str] = {}
    for table in ("main.annotations", "temp.import_annotations"):
        for found in existing(
            f'select doc_id, start, "end", label, annotator, id from {table} '
            "where deleted_at is null and doc_id in ({}) order by created_at, id",
            sorted(stored_before),
        ):
            keys.setdefault(tuple(found[:5]), found[5])
    for found in existing(
        'select r.from_doc, r.old_start, r.old_end, a.label, a.annotator, a.id from reanchored r '
        "join annotations a on a.id = r.annotation_id where a.deleted_at is null and r.method != 'orphan' "
        "and r.from_doc in ({})",
        sorted(stored_before),
    ):
        keys.setdefault(tuple(found[:5]), found[5])
    inserts: list[tuple[dict, bool]] = []
    updates: list[dict] = []
    span_ids: list[str] = []
    span_ops: list[str] = []
    batch_ids: set[str] = set()
    for row, has_id, line in spans:
        key: tuple = (row["doc_id"], row["start"], row["end"], row["label"], row["annotator"])
        span_ids.append(row["id"])
        span_ops.append("present")
        if has_id and (row["id"] in by_id or row["id"] in batch_ids):
            if row["id"] in batch_ids:
                result.spans_present += 1
                continue
            doc_id, updated_at = by_id[row["id"]]
            if doc_id != row["doc_id"] and same_lineage(existing, doc_id, row["doc_id"]):
                result.spans_present += 1  # moved onto a newer version since: that copy stands
                batch_ids.add(row["id"])
                continue
            if doc_id != row["doc_id"]:
                raise FormatError(
                    name, line, f"annotation {row['id']} belongs to another document in this database"
                )
            if not row.get("_undated") and row["updated_at"] > comparable(updated_at):
                updates.append(row)
                keys.setdefault(key, row["id"])
                span_ops[-1] = "update"
            else:
                result.spans_present += 1
            batch_ids.add(row["id"])
            continue
        if has_id:
            # margin's own spans are matched by id alone: two annotations may
            # share a place, label and annotator and still be two.
            keys.setdefault(key, row["id"])
            batch_ids.add(row["id"])
            inserts.append((row, True))
            span_ops[-1] = "insert"
            continue
        if key in keys:
            result.spans_present += 1
            span_ids[-1] = keys[key]
            continue
        keys[key] = row["id"]
        batch_ids.add(row["id"])
        inserts.append((row, False))
        span_ops[-1] = "insert"
    return inserts, updates, span_ids, span_ops
