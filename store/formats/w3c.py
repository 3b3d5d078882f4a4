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

An attribute of a span is one more ``tagging`` body on its annotation, after the
label's, whose value is ``name=value`` (a flag's value is ``true``): a tag every
Web Annotation client shows and searches as it is, where a structured body would
need a vocabulary of margin's that no client knows. The label's body is always the
first; the name is split from the value at the first ``=``.

A relation is an annotation of its own with motivation ``linking`` whose ``target``
is the IRIs of its two spans' annotations, head first, with its type as a
``tagging`` body, its note as a ``commenting`` body and its annotator as the
``creator``, as a span carries them. The head-first order is the JSON's: JSON-LD
reads ``target`` as a set, so an RDF consumer sees which spans are linked but not
which way. Only accepted relations are written, as only accepted spans are; each
follows its document's spans.

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

from ..model import CONTEXT_CHARS, DocumentRecord, RelationRecord, SpanRecord, new_id, now_iso
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


def _provenance(annotator: str | None, created_at: str | None, updated_at: str | None) -> dict[str, Any]:
    provenance: dict[str, Any] = {}
    if annotator:
        provenance["creator"] = agent(annotator)
    if created_at:
        provenance["created"] = created_at
    if updated_at:
        provenance["modified"] = updated_at
    return provenance


def _textual(purpose: str, value: str, provenance: dict[str, Any]) -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain", **provenance}


def _bodies(tag: str, note: str, provenance: dict[str, Any], extra_tags: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The tag first, then any further tags, then the note: the annotator wrote them
    all, so each carries the annotation's creator and times."""
    body = [_textual("tagging", value, provenance) for value in (tag, *extra_tags)]
    if note:
        body.append(_textual("commenting", note, provenance))
    return body


def attribute_tag(name: str, value: str) -> str:
    return f"{name}={value}"


def _stamped(result: dict[str, Any], provenance: dict[str, Any], generator: dict | None, generated: str | None) -> dict:
    result.update(provenance)
    if generator is not None:
        result["generator"] = generator
    if generated:
        result["generated"] = generated
    return result


def annotation(
    record: DocumentRecord, span: SpanRecord, source: str, *, generator: dict | None = None,
    generated: str | None = None, iri: str | None = None,
) -> dict:
    """``iri``: the id to give it, when a relation must name the same one."""
    text = record.text
    provenance = _provenance(span.annotator, span.created_at, span.updated_at)
    tags = [attribute_tag(name, value) for name, value in sorted(span.attributes.items())]
    result: dict[str, Any] = {
        "id": iri or annotation_iri(span.id),
        "type": "Annotation",
        "motivation": "commenting" if span.note else "tagging",
        "body": _bodies(span.label, span.note, provenance, tags),
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
    return _stamped(result, provenance, generator, generated)


def linking(
    relation: RelationRecord, head: str, child: str, *, generator: dict | None = None, generated: str | None = None,
) -> dict:
    """A relation as a ``linking`` annotation of the annotations ``head`` and ``child``
    (their IRIs)."""
    provenance = _provenance(relation.annotator, relation.created_at, relation.updated_at)
    result: dict[str, Any] = {
        "id": annotation_iri(relation.id),
        "type": "Annotation",
        "motivation": "linking",
        "body": _bodies(relation.type, relation.note, provenance),
        "target": [head, child],
    }
    return _stamped(result, provenance, generator, generated)


def annotation_items(records: Iterable[DocumentRecord]) -> Iterator[dict]:
    generator, generated = _generator(), now_iso()
    for record in records:
        source = document_iri(record)
        iris = [annotation_iri(span.id) for span in record.spans]
        for span, iri in zip(record.spans, iris, strict=True):
            yield annotation(record, span, source, generator=generator, generated=generated, iri=iri)
        for relation in record.relations:
            if relation.status in EXPORT_STATUSES:
                yield linking(relation, iris[relation.head], iris[relation.child],
                              generator=generator, generated=generated)


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
