"""margin's own JSON lines: one document per line with every span and its history.

This is the lossless format: span ids, annotators, statuses, origins and
timestamps all survive, so an export re-imports into another database unchanged
(spans are matched by id; the newer ``updated_at`` wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from ..errors import FormatError
from ..model import DocumentRecord, SpanRecord
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
SPAN_KEYS = (
    "id", "start", "end", "label", "text", "note", "annotator", "status", "origin",
    "created_at", "updated_at",
)


def looks_like(record: dict) -> bool:
    """Whether a first record is margin's: its document keys, or spans that name their
    annotator (no other tool's spans do; read as Prodigy, the names would be lost)."""
    if all(key in record for key in DOCUMENT_KEYS):
        return True
    spans = record.get("spans")
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
    )


def _record(record: dict, name: str, line: int) -> DocumentRecord:
    text = record_text(record, "text", name, line)
    spans = record.get("spans") or []
    meta = record.get("meta") or {}
    if not isinstance(spans, list) or not isinstance(meta, dict):
        raise FormatError(name, line, '"spans" must be a list and "meta" an object')
    try:
        span_records = [_span(expect_object(span, name, line)) for span in spans]
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    return DocumentRecord(
        text=text,
        title=optional_string(record, "title", name, line),
        source=optional_string(record, "source", name, line),
        meta=meta,
        spans=span_records,
        id=record.get("id"),
        line=line,
    )


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    for line, value in iter_json_lines(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line)


def _span_dict(span: SpanRecord) -> dict:
    return {
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


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    for record in records:
        out.write(
            json_line(
                {
                    "id": record.id,
                    "title": record.title,
                    "source": record.source,
                    "meta": record.meta,
                    "text": record.text,
                    "spans": [_span_dict(span) for span in record.spans],
                }
            )
        )
