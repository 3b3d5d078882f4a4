"""Relations: typed links from one annotation (the head) to another (the child) of
the same document, such as a claim ``said_by`` a person.

A relation is shown only while it and both its ends are live. Deleting a span
tombstones its relations with the span's own ``deleted_at`` (``store.annotations``),
so restoring the span restores exactly the relations that went with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from .database import Database
from .db import write
from .errors import MarginError
from .model import Annotation, Relation, check_status, new_id, now_iso
from .names import check_name
from .schemes import ACTIVE, require_relation_type

COLUMNS = tuple(field.name for field in fields(Relation))
_COLUMN_LIST = ", ".join(f'"{name}"' for name in COLUMNS)
SELECT = f"select {_COLUMN_LIST} from relations"
INSERT = f"insert into relations ({_COLUMN_LIST}) values ({', '.join('?' for _ in COLUMNS)})"
LIVE = (
    "relations.deleted_at is null and relations.status != 'rejected' "
    "and exists (select 1 from annotations a where a.id = relations.head and a.deleted_at is null "
    "and a.doc_id = relations.doc_id) "
    "and exists (select 1 from annotations a where a.id = relations.child and a.deleted_at is null "
    "and a.doc_id = relations.doc_id)"
)
"""A relation the reader shows: itself and both its ends live, not rejected, and on its
document (one end of a relation can be an orphan left on an older version of the text)."""


def _relation(row: tuple) -> Relation:
    return Relation(*row)


def _not_itself(head: str, child: str) -> None:
    if head == child:
        raise MarginError("a span cannot be linked to itself")


def relation_row(
    *,
    doc_id: str,
    head: str,
    child: str,
    type: str,
    annotator: str,
    note: str = "",
    status: str = "accepted",
    origin: str = "manual",
    id: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
    deleted_at: str | None = None,
) -> dict[str, object]:
    """A checked relation row; shared by the app and by imports."""
    _not_itself(head, child)
    check_status(status)
    if not annotator:
        raise MarginError("a relation needs an annotator")
    check_name("annotator", annotator)
    created = created_at or updated_at or now_iso()
    return {
        "id": id or new_id(),
        "doc_id": doc_id,
        "head": head,
        "child": child,
        "type": type,
        "note": note or "",
        "annotator": annotator,
        "status": status,
        "origin": origin,
        "created_at": created,
        "updated_at": updated_at or created,
        "deleted_at": deleted_at,
    }


def _live_annotation(db: Database, annotation_id: str) -> Annotation:
    from .annotations import get_annotation

    annotation = get_annotation(db, annotation_id)
    if annotation is None or annotation.deleted:
        raise MarginError(f"no annotation with id {annotation_id}")
    return annotation


def check_ends(type_name: str, head: Annotation, child: Annotation, *, db: Database) -> None:
    """Raise unless ``head`` → ``child`` may be a ``type_name`` relation."""
    kind = require_relation_type(db, type_name)
    if head.doc_id != child.doc_id:
        raise MarginError("a relation links two spans of the same document")
    if not kind.allows(head.label, child.label):
        heads = "/".join(kind.head_labels) or "any span"
        children = "/".join(kind.child_labels) or "any span"
        raise MarginError(f"{kind.name} links a {heads} to a {children}, not a {head.label} to a {child.label}")


def add_relation(
    db: Database,
    head: str,
    child: str,
    type: str,
    *,
    annotator: str,
    note: str = "",
    status: str = "accepted",
    origin: str = "manual",
) -> Relation:
    """Link ``head`` to ``child``. The same link made twice by one annotator is refused."""
    _not_itself(head, child)
    with write(db):
        head_span, child_span = _live_annotation(db, head), _live_annotation(db, child)
        check_ends(type, head_span, child_span, db=db)
        if db.execute(
            f"{SELECT} where head = ? and child = ? and type = ? and annotator = ? and {LIVE}",
            [head, child, type, annotator],
        ).fetchone():
            raise MarginError(f"these spans are already linked as {type}")
        row = relation_row(doc_id=head_span.doc_id, head=head, child=child, type=type, annotator=annotator,
                           note=note, status=status, origin=origin)
        db.execute(INSERT, [row[name] for name in COLUMNS])
    return Relation(**row)  # type: ignore[arg-type]


def get_relation(db: Database, relation_id: str) -> Relation | None:
    row = db.execute(f"{SELECT} where id = ?", [relation_id]).fetchone()
    return _relation(row) if row else None


def get_relations(db: Database, relation_ids: Iterable[str]) -> list[Relation]:
    """The relations with these ids (tombstones included), in the order asked."""
    ids = list(dict.fromkeys(relation_ids))
    found: dict[str, Relation] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for row in db.execute(f"{SELECT} where id in ({', '.join('?' for _ in batch)})", batch):
            found[row[0]] = _relation(row)
    return [found[relation_id] for relation_id in ids if relation_id in found]


def _require(db: Database, relation_id: str) -> Relation:
    relation = get_relation(db, relation_id)
    if relation is None:
        raise MarginError(f"no relation with id {relation_id}")
    return relation


def update_relation(
    db: Database, relation_id: str, *, type: str | None = None, note: str | None = None, status: str | None = None,
) -> Relation:
    with write(db):
        relation = _require(db, relation_id)
        changes: dict[str, object] = {}
        if type is not None:
            check_ends(type, _live_annotation(db, relation.head), _live_annotation(db, relation.child), db=db)
            changes["type"] = type
        if note is not None:
            changes["note"] = note
        if status is not None:
            check_status(status)
            changes["status"] = status
        if changes:
            changes["updated_at"] = now_iso()
            assignments = ", ".join(f'"{column}" = ?' for column in changes)
            db.execute(f"update relations set {assignments} where id = ?", [*changes.values(), relation_id])
        return _require(db, relation_id)


def delete_relation(db: Database, relation_id: str) -> Relation:
    with write(db):
        _require(db, relation_id)
        stamp = now_iso()
        db.execute("update relations set deleted_at = ?, updated_at = ? where id = ?", [stamp, stamp, relation_id])
        return _require(db, relation_id)


def restore_relation(db: Database, relation_id: str) -> Relation:
    """Bring an unlinked relation back (redo); not one whose type was removed since."""
    with write(db):
        require_relation_type(db, _require(db, relation_id).type)
        db.execute("update relations set deleted_at = null, updated_at = ? where id = ?", [now_iso(), relation_id])
        return _require(db, relation_id)


def document_relations(db: Database, doc_id: str, *, include_hidden: bool = False) -> list[Relation]:
    """A document's relations in the order they were made; only the shown ones
    (live, not rejected, both ends live) unless ``include_hidden``."""
    where = "doc_id = ?" + ("" if include_hidden else f" and {LIVE}")
    return [_relation(row) for row in db.execute(f"{SELECT} where {where} order by created_at, id", [doc_id])]


def relations_of(db: Database, annotation_id: str) -> list[Relation]:
    """The shown relations with ``annotation_id`` at either end."""
    return [
        _relation(row)
        for row in db.execute(
            f"{SELECT} where (head = ? or child = ?) and {LIVE} order by created_at, id", [annotation_id, annotation_id]
        )
    ]


def tombstone_with(db: Database, annotation_id: str, stamp: str) -> list[str]:
    """Inside a span's delete: tombstone its live relations with the span's stamp."""
    ids = [
        row[0]
        for row in db.execute(
            "select id from relations where (head = ? or child = ?) and deleted_at is null", [annotation_id, annotation_id]
        )
    ]
    if ids:
        db.execute(
            "update relations set deleted_at = ?, updated_at = ? where (head = ? or child = ?) and deleted_at is null",
            [stamp, stamp, annotation_id, annotation_id],
        )
    return ids


def restore_with(db: Database, annotation_id: str, deleted_at: str, stamp: str) -> list[str]:
    """Inside a span's restore: bring back the relations its delete took (those
    tombstoned with the same stamp)."""
    took = f"(head = ? or child = ?) and deleted_at = ? and type in (select name from relation_types where {ACTIVE})"
    """Not those of a type removed since: that removal stands."""
    ids = [row[0] for row in db.execute(f"select id from relations where {took}", [annotation_id, annotation_id, deleted_at])]
    if ids:
        db.execute(
            f"update relations set deleted_at = null, updated_at = ? where {took}",
            [stamp, annotation_id, annotation_id, deleted_at],
        )
    return ids


def check_relabel(db: Database, annotation: Annotation, label: str) -> None:
    """Raise unless the span's links and values would still fit their schemes with
    ``label``: a relabel that broke them would leave data its own export could not
    bring back in."""
    from .annotations import get_annotations
    from .schemes import get_attribute_def, get_relation_type

    links = relations_of(db, annotation.id)
    others = {a.id: a for a in get_annotations(db, [r.child if r.head == annotation.id else r.head for r in links])}
    for relation in links:
        kind = get_relation_type(db, relation.type)
        head = label if relation.head == annotation.id else others[relation.head].label
        child = label if relation.child == annotation.id else others[relation.child].label
        if kind is not None and not kind.allows(head, child):
            raise MarginError(
                f"this {annotation.label} is linked {kind.name} (which links a {'/'.join(kind.head_labels) or 'span'} "
                f"to a {'/'.join(kind.child_labels) or 'span'}); unlink it before making it a {label}"
            )
    from .attributes import span_values

    for name in span_values(db, annotation.id):
        attribute = get_attribute_def(db, name)
        if attribute is not None and not attribute.applies_to(label):
            raise MarginError(f"this {annotation.label} has a {name}, which a {label} cannot have; clear it first")
