"""Attribute values on spans: one value per annotation and attribute, such as a
claim's ``verdict``. Clearing a value is a tombstone, so that a merge keeps it
cleared and an undo can put the old value back.

A value is shown while its span is live; a span's delete leaves its values as they
are, so restoring the span shows them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields

from .database import Database
from .db import write
from .errors import MarginError
from .model import Attribute, now_iso
from .names import check_name
from .schemes import check_value, require_attribute_def

COLUMNS = tuple(field.name for field in fields(Attribute))
_COLUMN_LIST = ", ".join(f'"{name}"' for name in COLUMNS)
SELECT = f"select {_COLUMN_LIST} from attributes"
UPSERT = (
    f"insert into attributes ({_COLUMN_LIST}) values ({', '.join('?' for _ in COLUMNS)}) "
    "on conflict (annotation_id, name) do update set value = excluded.value, annotator = excluded.annotator, "
    "updated_at = excluded.updated_at, deleted_at = excluded.deleted_at"
)
SHOWN = (
    "attributes.deleted_at is null and exists (select 1 from annotations a where "
    "a.id = attributes.annotation_id and a.deleted_at is null)"
)


def _attribute(row: tuple) -> Attribute:
    return Attribute(*row)


def get_attribute(db: Database, annotation_id: str, name: str) -> Attribute | None:
    """The value row, cleared ones included."""
    row = db.execute(f"{SELECT} where annotation_id = ? and name = ?", [annotation_id, name]).fetchone()
    return _attribute(row) if row else None


def set_attribute(db: Database, annotation_id: str, name: str, value: str, *, annotator: str) -> Attribute:
    """Give the span ``annotation_id`` this value of attribute ``name``."""
    from .annotations import get_annotation

    check_name("annotator", annotator)
    with write(db):
        annotation = get_annotation(db, annotation_id)
        if annotation is None or annotation.deleted:
            raise MarginError(f"no annotation with id {annotation_id}")
        attribute = require_attribute_def(db, name)
        if not attribute.applies_to(annotation.label):
            raise MarginError(f"{name} applies to {'/'.join(attribute.labels)} spans, not to a {annotation.label}")
        check_value(attribute, value)
        stamp = now_iso()
        old = get_attribute(db, annotation_id, name)
        row = Attribute(annotation_id, name, value, annotation.doc_id, annotator,
                        old.created_at if old else stamp, stamp, None)
        db.execute(UPSERT, [getattr(row, column) for column in COLUMNS])
    return row


def clear_attribute(db: Database, annotation_id: str, name: str) -> Attribute | None:
    """Clear the value (a tombstone); None when the span had none."""
    with write(db):
        old = get_attribute(db, annotation_id, name)
        if old is None or old.deleted:
            return None
        stamp = now_iso()
        db.execute(
            "update attributes set deleted_at = ?, updated_at = ? where annotation_id = ? and name = ?",
            [stamp, stamp, annotation_id, name],
        )
        return get_attribute(db, annotation_id, name)


def document_attributes(db: Database, doc_id: str) -> dict[str, dict[str, str]]:
    """annotation id → {attribute name: value} for the shown values of a document."""
    return documents_attributes(db, [doc_id])


def documents_attributes(db: Database, doc_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """The same for several documents in one query (an export's batch)."""
    values: dict[str, dict[str, str]] = {}
    for annotation_id, name, value in db.execute(
        f"select annotation_id, name, value from attributes where doc_id in ({', '.join('?' for _ in doc_ids)}) "
        f"and {SHOWN} order by name",
        list(doc_ids),
    ):
        values.setdefault(annotation_id, {})[name] = value
    return values


def attributes_of(db: Database, annotation_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """annotation id → {attribute name: value} for these spans (batched, for exports)."""
    ids = list(dict.fromkeys(annotation_ids))
    values: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for annotation_id, name, value in db.execute(
            f"select annotation_id, name, value from attributes where annotation_id in "
            f"({', '.join('?' for _ in batch)}) and deleted_at is null order by name",
            batch,
        ):
            values.setdefault(annotation_id, {})[name] = value
    return values


def get_attributes(db: Database, keys: Iterable[tuple[str, str]]) -> list[Attribute]:
    """The rows for these (annotation id, name) pairs, cleared ones included (the
    change feed's reading)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], Attribute] = {}
    for start in range(0, len(wanted), 250):
        batch = wanted[start : start + 250]
        where = " or ".join("(annotation_id = ? and name = ?)" for _ in batch)
        for row in db.execute(f"{SELECT} where {where}", [value for key in batch for value in key]):
            found[(row[0], row[1])] = _attribute(row)
    return [found[key] for key in wanted if key in found]


def span_values(db: Database, annotation_id: str) -> dict[str, str]:
    """One span's shown values, name → value."""
    return attributes_of(db, [annotation_id]).get(annotation_id, {})
