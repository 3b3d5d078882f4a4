"""margin's own JSON lines: one document per line with every span and its history.

This is the lossless format: span ids, annotators, statuses, origins and
timestamps all survive, so an export re-imports into another database unchanged
(spans are matched by id; the newer ``updated_at`` wins).

Each span carries its ``attributes`` (an object, name → value; a flag's value is
``"true"``) and each document its ``relations``: id, type, head and child, note,
annotator, status, origin and timestamps. ``head`` and ``child`` name a span of the
same line by its ``id`` (as margin writes them) or by its position in ``spans``
(0 is the first), for files written by hand. Both keys are written only where there
is something in them, so a database without relations or attributes exports exactly
as before, and lines without them (older files) read as they always did. The schemes themselves (relation types'
constraints and direction, attribute kinds) are not carried: an import creates what
the database lacks, as it does labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from ..errors import FormatError
from ..model import DocumentRecord, RelationRecord, SpanRecord
from .common import (
    Source,
    Warn,
    describe,
    expect_object,
    iter_json_lines,
    json_line,
    optional_string,
    record_text,
    source_name,
)

DOCUMENT_KEYS = ("id", "title", "source", "meta", "text", "spans")
"""The keys that tell a first record is margin's (``relations`` follows them when written)."""
SPAN_KEYS = (
    "id", "start", "end", "label", "text", "note", "annotator", "status", "origin",
    "created_at", "updated_at",
)
"""Written for every span; ``attributes`` follows them when the span has any."""
RELATION_KEYS = (
    "id", "type", "head", "child", "note", "annotator", "status", "origin", "created_at", "updated_at",
)


def looks_like(record: dict) -> bool:
    """Whether a first record is margin's: its document keys, relations with a head
    and a child beside spans, or spans that name their annotator (no other tool's
    spans do; read as Prodigy, the names would be lost)."""
    if all(key in record for key in DOCUMENT_KEYS):
        return True
    spans = record.get("spans")
    relations = record.get("relations")
    if isinstance(relations, list) and relations and isinstance(relations[0], dict):
        # doccano's relations have from_id/to_id and Prodigy's a "label": margin's
        # alone are typed.
        first = relations[0]
        return isinstance(spans, list) and "head" in first and "child" in first and "type" in first
    return (
        isinstance(spans, list)
        and bool(spans)
        and isinstance(spans[0], dict)
        and "annotator" in spans[0]
    )


OPTIONAL_STRINGS = ("text", "note", "annotator", "status", "id", "origin", "created_at", "updated_at")


def _span(span: dict) -> SpanRecord:
    for key in OPTIONAL_STRINGS:
        value = span.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f'span "{key}" must be a string')
    attributes = span.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(value, str) for value in attributes.values()):
        raise ValueError('span "attributes" must be an object of strings')
    return SpanRecord(
        start=span["start"],
        end=span["end"],
        label=span["label"],
        text=span.get("text"),
        note=span.get("note") or "",
        annotator=span.get("annotator"),
        status=span.get("status") or "accepted",
        id=span.get("id"),
        origin=span.get("origin"),
        created_at=span.get("created_at"),
        updated_at=span.get("updated_at"),
        attributes=dict(attributes),
    )


def _end(relation: dict, key: str, spans: list[dict]) -> int:
    """A relation's end as a position in ``spans``, from a position or a span id."""
    value = relation[key]
    if isinstance(value, str):
        for position, span in enumerate(spans):
            if span.get("id") == value:
                return position
        raise ValueError(f"relation {key} {value!r} is not the id of a span of this document")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f'relation "{key}" must be a span id or a span position')
    return value


def _relation(relation: dict, spans: list[dict]) -> RelationRecord:
    for key in ("type", *OPTIONAL_STRINGS[1:]):
        value = relation.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f'relation "{key}" must be a string')
    return RelationRecord(
        head=_end(relation, "head", spans),
        child=_end(relation, "child", spans),
        type=relation["type"],
        note=relation.get("note") or "",
        annotator=relation.get("annotator"),
        status=relation.get("status") or "accepted",
        id=relation.get("id"),
        origin=relation.get("origin"),
        created_at=relation.get("created_at"),
        updated_at=relation.get("updated_at"),
    )


def _record(record: dict, name: str, line: int) -> DocumentRecord:
    text = record_text(record, "text", name, line)
    spans = record.get("spans") or []
    meta = record.get("meta") or {}
    relations = record.get("relations") or []
    if not isinstance(spans, list) or not isinstance(meta, dict) or not isinstance(relations, list):
        raise FormatError(name, line, '"spans" and "relations" must be lists and "meta" an object')
    try:
        span_records = [_span(expect_object(span, name, line)) for span in spans]
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    try:
        relation_records = [_relation(expect_object(relation, name, line), spans) for relation in relations]
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed relation ({describe(error)})") from None
    return DocumentRecord(
        text=text,
        title=optional_string(record, "title", name, line),
        source=optional_string(record, "source", name, line),
        meta=meta,
        spans=span_records,
        id=record.get("id"),
        line=line,
        relations=relation_records,
    )


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    for line, value in iter_json_lines(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line)


def _span_dict(span: SpanRecord) -> dict:
    written: dict[str, object] = {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": span.text,
        "note": span.note,
        "annotator": span.annotator,
        "status": span.status,
        "origin": span.origin,
        "created_at": span.created_at,
        "updated_at": span.updated_at,
    }
    if span.attributes:
        written["attributes"] = dict(span.attributes)
    return written


def _relation_dict(relation: RelationRecord, spans: list[SpanRecord]) -> dict:
    """Ends by span id where the spans have ids, so that the line still reads right
    after someone edits its list of spans; by position otherwise."""
    head, child = spans[relation.head], spans[relation.child]
    return {
        "id": relation.id,
        "type": relation.type,
        "head": head.id if head.id is not None else relation.head,
        "child": child.id if child.id is not None else relation.child,
        "note": relation.note,
        "annotator": relation.annotator,
        "status": relation.status,
        "origin": relation.origin,
        "created_at": relation.created_at,
        "updated_at": relation.updated_at,
    }


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    for record in records:
        line: dict[str, object] = {
            "id": record.id,
            "title": record.title,
            "source": record.source,
            "meta": record.meta,
            "text": record.text,
            "spans": [_span_dict(span) for span in record.spans],
        }
        if record.relations:
            line["relations"] = [_relation_dict(relation, record.spans) for relation in record.relations]
        out.write(json_line(line))
