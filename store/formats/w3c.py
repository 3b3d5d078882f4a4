"""W3C Web Annotation (JSON-LD), export only.

Each span is an ``Annotation`` whose body tags it with its label (a TextualBody with
purpose ``tagging``), plus a ``commenting`` body for its note, and whose target
selects it both by quote (TextQuoteSelector: exact, prefix, suffix) and by
position (TextPositionSelector, code-point offsets as margin counts them). The
target's source is the document's URL when it came from the web, else a URN of
its content id. Written as an AnnotationCollection, or as one Annotation per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from ..model import CONTEXT_CHARS, DocumentRecord, SpanRecord
from .common import json_line

EXPORT_STATUSES = ("accepted",)
CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def document_iri(record: DocumentRecord) -> str:
    if record.source.startswith(("http://", "https://")):
        return record.source
    return f"urn:margin:document:{record.id}"


def annotation(record: DocumentRecord, span: SpanRecord, source: str) -> dict:
    text = record.text
    body = [{"type": "TextualBody", "purpose": "tagging", "value": span.label}]
    if span.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": span.note, "format": "text/plain"})
    result = {
        "id": f"urn:uuid:{span.id}",
        "type": "Annotation",
        "motivation": "commenting" if span.note else "tagging",
        "body": body,
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": text[span.start : span.end],
                    "prefix": text[max(0, span.start - CONTEXT_CHARS) : span.start],
                    "suffix": text[span.end : span.end + CONTEXT_CHARS],
                },
                {"type": "TextPositionSelector", "start": span.start, "end": span.end},
            ],
        },
    }
    if span.annotator:
        result["creator"] = {"type": "Person", "name": span.annotator}
    if span.created_at:
        result["created"] = span.created_at
    if span.updated_at:
        result["modified"] = span.updated_at
    return result


def annotation_items(records: Iterable[DocumentRecord]) -> Iterator[dict]:
    for record in records:
        source = document_iri(record)
        for span in record.spans:
            yield annotation(record, span, source)


def write(records: Iterable[DocumentRecord], out: IO[str], *, lines: bool = False) -> None:
    """An AnnotationCollection streamed item by item, or JSON lines when ``lines``."""
    if lines:
        for item in annotation_items(records):
            out.write(json_line({"@context": CONTEXT, **item}))
        return
    out.write(
        '{"@context": "%s", "type": "AnnotationCollection", "label": "margin export",\n'
        ' "first": {"type": "AnnotationPage", "items": [' % CONTEXT
    )
    separator = "\n"
    for item in annotation_items(records):
        out.write(separator)
        out.write(json.dumps(item, ensure_ascii=False))
        separator = ",\n"
    out.write("\n]}}\n")
