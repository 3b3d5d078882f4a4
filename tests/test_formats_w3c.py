"""W3C Web Annotation export: tagging and commenting bodies, quote and position
selectors, as a collection or as lines."""

from __future__ import annotations

import io
import json

from margin.store.formats import w3c
from margin.store.model import DocumentRecord, SpanRecord

TEXT = "x" * 40 + "Ana said 40%" + "y" * 40
RECORDS = [
    DocumentRecord(
        text=TEXT, id="doc1", source="/tmp/a.txt",
        spans=[SpanRecord(40, 43, "person", "Ana", note="the mayor", annotator="ana", id="u1",
                          created_at="2024-01-01T00:00:00Z", updated_at="2024-01-02T00:00:00Z"),
               SpanRecord(49, 52, "statistic", "40%", annotator="ben", id="u2")],
    ),
    DocumentRecord(text="From the web", id="doc2", source="https://example.org/story",
                   spans=[SpanRecord(0, 4, "claim", "From", id="u3")]),
]


def test_collection_is_json_ld_with_selectors():
    out = io.StringIO()
    w3c.write(RECORDS, out)
    collection = json.loads(out.getvalue())
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    first, second, third = collection["first"]["items"]
    assert first["id"] == "urn:margin:annotation:u1" and first["type"] == "Annotation"
    assert first["motivation"] == "commenting"
    provenance = {"creator": w3c.agent("ana"), "created": "2024-01-01T00:00:00Z", "modified": "2024-01-02T00:00:00Z"}
    assert first["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "person", "format": "text/plain", **provenance},
        {"type": "TextualBody", "purpose": "commenting", "value": "the mayor", "format": "text/plain", **provenance},
    ]
    quote, position = first["target"]["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": "Ana", "prefix": "x" * 32, "suffix": " said 40%" + "y" * 23}
    assert position == {"type": "TextPositionSelector", "start": 40, "end": 43}
    assert first["target"]["source"] == "urn:margin:document:doc1"
    assert first["creator"] == {"id": "urn:margin:annotator:ana", "type": "Person", "name": "ana", "nickname": "ana"}
    assert first["created"] == "2024-01-01T00:00:00Z" and first["modified"] == "2024-01-02T00:00:00Z"
    assert second["motivation"] == "tagging" and len(second["body"]) == 1
    assert third["target"]["source"] == "https://example.org/story"


def test_lines_carry_their_own_context():
    out = io.StringIO()
    w3c.write(RECORDS, out, lines=True)
    items = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(items) == 3
    assert all(item["@context"] == w3c.CONTEXT for item in items)


def test_empty_collection_is_valid_json():
    out = io.StringIO()
    w3c.write([], out)
    assert json.loads(out.getvalue())["first"]["items"] == []
