"""Prodigy JSON lines: ``{"text", "spans": [{start, end, label}], "answer", "meta"}``.

Reading: a task's ``answer`` decides its spans' status (accept, or none given:
accepted; reject: rejected; ignore: the text is kept, its spans are not). The
annotator is ``_annotator_id`` when the task names one.

Writing: one task per document, annotator and answer, with stable
``_input_hash``/``_task_hash`` derived from the content, as Prodigy dedupes on them.
"""

from __future__ import annotations

import hashlib
import json
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
    record_text,
    source_name,
)

EXPORT_STATUSES = ("accepted", "rejected")
ANSWER_STATUS = {"accept": "accepted", "reject": "rejected"}
STATUS_ANSWER = {"accepted": "accept", "rejected": "reject"}


def looks_like(record: dict) -> bool:
    return isinstance(record.get("spans"), list)


def _status(task: dict, span: dict) -> str | None:
    answer = task.get("answer", span.get("answer", "accept"))
    if answer == "ignore":
        return None
    if answer not in ANSWER_STATUS:
        raise ValueError(f"unknown answer {answer!r}")
    return ANSWER_STATUS[answer]


def _record(task: dict, name: str, line: int) -> DocumentRecord:
    text = record_text(task, "text", name, line)
    meta = task.get("meta") or {}
    spans = task.get("spans") or []
    if not isinstance(spans, list) or not isinstance(meta, dict):
        raise FormatError(name, line, '"spans" must be a list and "meta" an object')
    annotator = task.get("_annotator_id")
    records = []
    try:
        for span in spans:
            span = expect_object(span, name, line)
            status = _status(task, span)
            if status is None:
                continue
            records.append(
                SpanRecord(
                    start=span["start"],
                    end=span["end"],
                    label=span["label"],
                    text=span.get("text"),
                    annotator=str(annotator) if annotator else None,
                    status=status,
                )
            )
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    return DocumentRecord(text=text, meta=meta, spans=records, line=line)


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    for line, value in iter_json_lines(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line)


def _hash(*parts: object) -> int:
    """A signed 32-bit int, as Prodigy's hashes are, derived only from the content."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def _tasks(record: DocumentRecord) -> Iterator[dict]:
    input_hash = _hash(record.text)
    groups: dict[tuple[str, str], list[SpanRecord]] = {}
    for span in record.spans:
        groups.setdefault((span.annotator or "", STATUS_ANSWER.get(span.status, "accept")), []).append(span)
    if not groups:
        yield {"text": record.text, "meta": record.meta, "_input_hash": input_hash,
               "_task_hash": _hash(input_hash, []), "spans": []}
        return
    for (annotator, answer), spans in groups.items():
        span_dicts = [
            {"start": span.start, "end": span.end, "label": span.label, "text": span.text}
            for span in spans
        ]
        yield {
            "text": record.text,
            "meta": record.meta,
            "_input_hash": input_hash,
            "_task_hash": _hash(input_hash, [[s["start"], s["end"], s["label"]] for s in span_dicts]),
            "spans": span_dicts,
            "answer": answer,
            "_annotator_id": annotator,
            "_session_id": f"margin-{annotator}",
            "_view_id": "ner_manual",
        }


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    for record in records:
        for task in _tasks(record):
            out.write(json_line(task))
