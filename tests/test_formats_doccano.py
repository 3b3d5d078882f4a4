"""doccano JSON lines in every layout doccano has written."""

from __future__ import annotations

import io
import json

import pytest

from margin.store.errors import FormatError
from margin.store.formats import doccano
from margin.store.model import DocumentRecord, SpanRecord


def spans_of(record):
    return [(s.start, s.end, s.label) for s in record.spans]


def test_label_layout(corpus):
    records = list(doccano.read(corpus / "doccano" / "export_sequence_labeling_example.jsonl"))
    assert [r.text for r in records] == [
        "EU rejects German call to boycott British lamb.", "Peter Blackburn", "President Obama",
    ]
    assert spans_of(records[0]) == [(0, 2, "ORG"), (11, 17, "MISC")]


def test_legacy_labels_key_with_overlaps(corpus):
    first = next(doccano.read(corpus / "doccano" / "v0_2019_tests_labeling_labels_key.jsonl"))
    assert spans_of(first) == [(0, 1, "LOC"), (0, 2, "ORG")]
    assert first.meta == {"wikiPageID": 1}


def test_entities_layout_reads_its_spans(corpus):
    [record] = doccano.read(corpus / "doccano" / "import_relation_extraction_example.jsonl")
    assert spans_of(record) == [(0, 6, "ORG"), (22, 39, "DATE"), (44, 54, "PERSON"), (59, 70, "PERSON")]


def test_pretty_printed_file_reads_as_one_document(corpus):
    [record] = doccano.read(corpus / "doccano" / "export_relation_extraction_example_prettyprinted.json")
    assert record.text.startswith("Google was founded")
    assert len(record.spans) == 4
    assert record.line == 1


def test_legacy_annotations_with_numeric_labels(corpus):
    records = list(doccano.read(corpus / "doccano" / "v0_2019_download_sequence_labeling_annotations.jsonl"))
    assert spans_of(records[1]) == [(0, 15, "1")]


def test_custom_column_names(corpus):
    path = corpus / "doccano" / "import_sequence_labeling_example_custom_columns.jsonl"
    records = list(doccano.read(path, text_key="column_data", label_key="column_label"))
    assert spans_of(records[2]) == [(10, 15, "PERSON")]
    with pytest.raises(FormatError, match=r':1: record has no "text"; nothing from this file was imported'):
        list(doccano.read(path))


def test_record_without_text_names_its_line(corpus):
    with pytest.raises(FormatError) as caught:
        list(doccano.read(corpus / "doccano" / "tests_sequence_labeling_example.jsonl"))
    assert str(caught.value).endswith(
        'tests_sequence_labeling_example.jsonl:3: record has no "text"; nothing from this file was '
        "imported (each file is imported whole or not at all)"
    )


def test_malformed_span_is_an_error():
    with pytest.raises(FormatError, match=r"^<stream>:1: malformed span"):
        list(doccano.read(io.StringIO('{"text": "abc", "label": [[0, 1]]}')))


def test_write_gives_one_line_per_annotator_and_dedupes_within_it():
    record = DocumentRecord(text="Ana runs", id="d", meta={"m": 1}, spans=[
        SpanRecord(0, 3, "person", annotator="a"), SpanRecord(0, 3, "person", annotator="a"),
        SpanRecord(0, 3, "person", annotator="b"), SpanRecord(0, 8, "claim", annotator="a")])
    out = io.StringIO()
    doccano.write([record], out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"text": "Ana runs", "m": 1, "label": [[0, 3, "person"], [0, 8, "claim"]], "annotator": "a"},
        {"text": "Ana runs", "m": 1, "label": [[0, 3, "person"]], "annotator": "b"}]
