"""doccano JSON lines, in the layouts doccano has used.

- ``{"text", "label": [[start, end, "LABEL"], ...]}``: sequence labelling, current
  import and export (``labels`` is the 2019 spelling of the key);
- ``{"text", "entities": [{"start_offset", "end_offset", "label"}], "relations"}``:
  relation extraction (relations are not spans and are left out);
- ``{"text", "annotations": [{"start_offset", "end_offset", "label"}]}``: the
  2019 export, whose labels are numeric ids (kept as their number).

doccano lets a project rename the text and label columns; ``text_key`` and
``label_key`` name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

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

EXPORT_STATUSES = ("accepted",)
SPAN_KEYS = ("label", "labels", "entities", "annotations")


PRODIGY_KEYS = ("spans", "answer", "_input_hash", "_task_hash")


def looks_like(record: dict) -> bool:
    """Span lists under doccano's keys; or a lone ``label`` string (a text
    classification record), claimed so that it is refused rather than read as
    Prodigy with its label silently dropped."""
    if any(key in record for key in PRODIGY_KEYS):
        return False
    return any(isinstance(record.get(key), list) for key in SPAN_KEYS) or isinstance(record.get("label"), str)


def _span(item: Any) -> SpanRecord:
    if isinstance(item, list):
        start, end, label = item
    elif isinstance(item, dict):
        start, end, label = item["start_offset"], item["end_offset"], item["label"]
    else:
        raise TypeError(f"a span must be [start, end, label] or an object, not {item!r}")
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)
    return SpanRecord(start=start, end=end, label=label)


def _spans(record: dict, label_key: str | None) -> list[SpanRecord]:
    keys = [label_key] if label_key else SPAN_KEYS
    spans: list[SpanRecord] = []
    for key in keys:
        items = record.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise TypeError(
                f'"{key}" must be a list of [start, end, label] spans, found {type(items).__name__} {items!r:.40}'
            )
        spans.extend(_span(item) for item in items)
    return spans


def _record(record: dict, name: str, line: int, text_key: str, label_key: str | None) -> DocumentRecord:
    text = record_text(record, text_key, name, line)
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {"meta": meta}
    try:
        spans = _spans(record, label_key)
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    return DocumentRecord(text=text, meta=meta, spans=spans, line=line)


def read(
    source: Source,
    *,
    encoding: str | None = None,
    warn: Warn | None = None,
    text_key: str = "text",
    label_key: str | None = None,
) -> Iterator[DocumentRecord]:
    name = source_name(source)
    for line, value in iter_json_lines(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line, text_key, label_key)


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    """One line per document; a span two annotators agree on is written once."""
    for record in records:
        labels: dict[tuple[int, int, str], None] = {}
        for span in record.spans:
            labels.setdefault((span.start, span.end, span.label), None)
        out.write(
            json_line(
                {
                    "text": record.text,
                    "label": [list(key) for key in labels],
                    "meta": record.meta,
                }
            )
        )
