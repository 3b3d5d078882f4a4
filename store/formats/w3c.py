"""W3C Web Annotation (JSON-LD), export only.

Each span is an ``Annotation`` whose body tags it with its label (a TextualBody with
purpose ``tagging``), plus a ``commenting`` body for its note, and whose target
selects it both by quote (TextQuoteSelector: exact, prefix, suffix) and by
position (TextPositionSelector, code-point offsets as margin counts them).

The target's ``source`` is the article's URL when margin knows one: the document's
``meta.url`` (an HTML import sets it, and a margin JSONL file may carry it), else
its ``source`` when that is an http(s) URL; otherwise a URN of the document's
content id, ``urn:margin:document:<id>``, which stays the same wherever the article
is imported. Each annotation names its ``creator`` (the annotator, as a Person
whose nickname is the margin name), margin as its ``generator``, when it was
``created`` and ``modified``, and when the file was ``generated``; its bodies (the
label and the note) carry the same creator and times, since the annotator wrote
them. The target does not: its creator would be the article's author.

Written as an AnnotationCollection with one embedded AnnotationPage (both with an
id, the page ``partOf`` the collection, the ``total`` written after the items so
the export still streams), or as one Annotation per line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any
from urllib.parse import quote

from ..model import CONTEXT_CHARS, DocumentRecord, SpanRecord, new_id, now_iso
from .common import json_line

EXPORT_STATUSES = ("accepted",)
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
WEB_SCHEMES = ("http://", "https://")


def _generator() -> dict[str, str]:
    try:
        release = version("margin")
    except PackageNotFoundError:
        release = ""
    return {
        "id": "urn:margin:software", "type": "Software", "nickname": "margin",
        "name": f"margin {release}".strip(),
    }


def document_iri(record: DocumentRecord) -> str:
    """The article's URL if margin has one, else a URN that names the text itself."""
    url = (record.meta or {}).get("url")
    if isinstance(url, str) and url.startswith(WEB_SCHEMES):
        return url
    if record.source.startswith(WEB_SCHEMES):
        return record.source
    return f"urn:margin:document:{record.id}"


def annotation_iri(span_id: str | None) -> str:
    """A ``urn:uuid:`` for a span id that is a UUID (margin's own are); any other id,
    which an imported file may have given the span, is percent-encoded into a URN of
    margin's so that the id stays a valid IRI and the same span keeps the same one.
    A span without an id (never one from a database) gets a fresh UUID."""
    if span_id is None:
        return f"urn:uuid:{new_id()}"
    try:
        return f"urn:uuid:{uuid.UUID(span_id)}"
    except ValueError:
        return f"urn:margin:annotation:{quote(span_id, safe='')}"


def agent(annotator: str) -> dict[str, str]:
    """An annotator as a Person; the name is a margin handle, so it is the nickname
    too, and it is percent-encoded into an id so the same person has the same id."""
    return {
        "id": f"urn:margin:annotator:{quote(annotator, safe='')}",
        "type": "Person", "name": annotator, "nickname": annotator,
    }


def annotation(
    record: DocumentRecord, span: SpanRecord, source: str, *, generator: dict | None = None,
    generated: str | None = None,
) -> dict:
    text = record.text
    provenance: dict[str, Any] = {}
    if span.annotator:
        provenance["creator"] = agent(span.annotator)
    if span.created_at:
        provenance["created"] = span.created_at
    if span.updated_at:
        provenance["modified"] = span.updated_at
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": span.label, "format": "text/plain", **provenance}
    ]
    if span.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": span.note, "format": "text/plain",
                     **provenance})
    result: dict[str, Any] = {
        "id": annotation_iri(span.id),
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
    result.update(provenance)
    if generator is not None:
        result["generator"] = generator
    if generated:
        result["generated"] = generated
    return result


def annotation_items(records: Iterable[DocumentRecord]) -> Iterator[dict]:
    generator, generated = _generator(), now_iso()
    for record in records:
        source = document_iri(record)
        for span in record.spans:
            yield annotation(record, span, source, generator=generator, generated=generated)


def write(records: Iterable[DocumentRecord], out: IO[str], *, lines: bool = False) -> None:
    """An AnnotationCollection streamed item by item, or JSON lines when ``lines``."""
    if lines:
        for item in annotation_items(records):
            out.write(json_line({"@context": CONTEXT, **item}))
        return
    collection, page = f"urn:uuid:{new_id()}", f"urn:uuid:{new_id()}"
    head = {"@context": CONTEXT, "id": collection, "type": "AnnotationCollection", "label": "margin export"}
    page_head = {"id": page, "type": "AnnotationPage", "partOf": collection, "startIndex": 0}
    out.write(json.dumps(head)[:-1] + ',\n "first": ' + json.dumps(page_head)[:-1] + ', "items": [')
    separator = "\n"
    total = 0
    for item in annotation_items(records):
        out.write(separator)
        out.write(json.dumps(item, ensure_ascii=False))
        separator = ",\n"
        total += 1
    out.write(f'\n]}},\n "last": {json.dumps(page)}, "total": {total}}}\n')
