"""margin JSON lines: every field of a document and its spans survives a write and
a read."""

from __future__ import annotations

import io
import json

import pytest

from margin.store.errors import FormatError
from margin.store.formats import margin
from margin.store.model import DocumentRecord, SpanRecord

RECORD = DocumentRecord(
    text="Ana said 40% of claims\nwere false. 🇵🇦",
    title="Fact check",
    source="https://example.org/a",
    meta={"section": "politics", "n": 3},
    id="0123456789abcdef0123456789abcdef",
    spans=[
        SpanRecord(0, 3, "person", "Ana", "the speaker", "ana", "accepted", "id-1", "manual",
                   "2024-01-01T00:00:00.000000Z", "2024-01-02T00:00:00.000000Z"),
        SpanRecord(9, 12, "statistic", "40%", "", "ben", "suggested", "id-2", "suggest:numbers",
                   "2024-01-03T00:00:00.000000Z", "2024-01-03T00:00:00.000000Z"),
    ],
)


def test_write_then_read_keeps_every_field():
    out = io.StringIO()
    margin.write([RECORD], out)
    line = out.getvalue()
    assert line.endswith("\n") and line.count("\n") == 1
    assert "🇵🇦" in line  # written as UTF-8, not escaped
    data = json.loads(line)
    assert list(data) == ["id", "title", "source", "meta", "text", "spans"]
    assert list(data["spans"][0]) == list(margin.SPAN_KEYS)
    [back] = margin.read(io.StringIO(line))
    assert back.text == RECORD.text and back.title == RECORD.title and back.source == RECORD.source
    assert back.meta == RECORD.meta and back.id == RECORD.id and back.line == 1
    assert back.spans == RECORD.spans


def test_first_record_is_recognised():
    out = io.StringIO()
    margin.write([RECORD], out)
    assert margin.looks_like(json.loads(out.getvalue()))
    assert not margin.looks_like({"text": "x", "spans": [{"start": 0, "end": 1, "label": "A"}]})



def test_hand_written_lines_whose_spans_name_annotators_keep_them(fresh_db, tmp_path):
    """Without ids or the document keys, spans that name their annotator are still
    margin's; read as Prodigy, two annotators' identical spans would become one."""
    from margin.store.annotations import query_annotations
    from margin.store.importing import import_paths

    path = tmp_path / "team.jsonl"
    spans = [{"start": 0, "end": 5, "label": "person", "annotator": name} for name in ("ana", "bob")]
    path.write_text(json.dumps({"text": "Alice left.", "spans": spans}) + "\n", encoding="utf-8")
    report = import_paths(fresh_db, [path], annotator="importer")
    assert report.ok and report.files[0].format == "margin"
    assert sorted(a.annotator for a in query_annotations(fresh_db)) == ["ana", "bob"]

def test_malformed_span_names_the_line():
    lines = json.dumps({"text": "abc", "spans": []}) + "\n" + json.dumps({"text": "abc", "spans": [{"start": 0}]})
    with pytest.raises(FormatError, match=r"^<stream>:2: malformed span \(missing 'end'\)"):
        list(margin.read(io.StringIO(lines)))


def test_span_fields_of_the_wrong_type_are_errors():
    line = json.dumps({"text": "abc", "spans": [{"start": 0, "end": 1, "label": "A", "note": 5}]})
    with pytest.raises(FormatError, match="note"):
        list(margin.read(io.StringIO(line)))
