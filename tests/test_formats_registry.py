"""The format registry: names, and telling a file's format from its extension and
first record."""

from __future__ import annotations

import json

import pytest

from margin.store import formats
from margin.store.errors import FormatError, MarginError


def test_names_and_capabilities():
    assert formats.READABLE == ("margin", "text", "html", "prodigy", "doccano", "label-studio", "brat")
    assert formats.WRITABLE == ("margin", "prodigy", "doccano", "label-studio", "brat", "w3c", "csv")
    assert formats.get("prodigy").module().__name__ == "margin.store.formats.prodigy"
    with pytest.raises(MarginError, match="cannot import format 'csv'; choose one of margin, text"):
        formats.get("csv", reading=True)
    with pytest.raises(MarginError, match="cannot export format 'text'"):
        formats.get("text", writing=True)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("prodigy-recipes/annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl", "prodigy"),
        ("prodigy-recipes/news_headlines.jsonl", "prodigy"),
        ("prodigy-recipes/annotated_reddit-INSULT-textcat.jsonl", "prodigy"),
        ("doccano/export_sequence_labeling_example.jsonl", "doccano"),
        ("doccano/import_relation_extraction_example.jsonl", "doccano"),
        ("doccano/export_relation_extraction_example_prettyprinted.json", "doccano"),
        ("doccano/v0_2019_tests_labeling_labels_key.jsonl", "doccano"),
        ("doccano/v0_2019_download_sequence_labeling_annotations.jsonl", "doccano"),
        ("label-studio/ls_editor_named_entity_annotation_1.json", "label-studio"),
        ("label-studio/ls_legacy_completions_348.json", "label-studio"),
        ("brat/tutorials/news/999-complete.txt", "brat"),
        ("brat/tutorials/news/999-complete.ann", "brat"),
        ("bbc-news/sport/199.txt", "text"),
        ("seed/SOURCE.md", "text"),
        ("measeval/train/tsv/S0006322312001096-1136.tsv", None),
    ],
)
def test_detects_corpus_files(corpus, relative, expected):
    path = corpus / relative
    assert path.exists()
    assert formats.detect(path) == expected


def test_detects_margin_jsonl_and_html(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "x", "title": "", "source": "", "meta": {}, "text": "a", "spans": []}) + "\n")
    assert formats.detect(path) == "margin"
    spans = tmp_path / "spans.jsonl"
    spans.write_text(json.dumps({"text": "ab", "spans": [{"id": "1", "annotator": "a", "start": 0, "end": 1, "label": "x"}]}))
    assert formats.detect(spans) == "margin"
    assert formats.detect(tmp_path / "page.HTML") == "html"


def test_unrecognisable_or_broken_json_is_an_error(tmp_path):
    unknown = tmp_path / "other.json"
    unknown.write_text('{"rows": [1, 2]}')
    with pytest.raises(FormatError, match="other.json: cannot tell which tool wrote this JSON"):
        formats.detect(unknown)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "a"\n{"text": "b"}\n')
    with pytest.raises(FormatError, match=r"broken.jsonl:1: not valid JSON"):
        formats.detect(broken)


def test_w3c_files_are_recognised_and_refused(tmp_path):
    from margin.store.formats import w3c
    from margin.store.model import DocumentRecord, SpanRecord

    path = tmp_path / "annotations.jsonld"
    with open(path, "w", encoding="utf-8") as out:
        w3c.write([DocumentRecord(text="Ana", id="d", spans=[SpanRecord(0, 3, "person", "Ana", id="1")])], out)
    with pytest.raises(FormatError, match="W3C Web Annotation can be exported but not imported"):
        formats.detect(path)
