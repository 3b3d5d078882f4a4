"""Prodigy JSON lines: answers become statuses, annotators come from the task, and
the writer emits one task per document, annotator and answer."""

from __future__ import annotations

import io
import json

import pytest

from margin.store.errors import FormatError
from margin.store.formats import prodigy
from margin.store.model import DocumentRecord, SpanRecord


def read_lines(*tasks: dict):
    return list(prodigy.read(io.StringIO("\n".join(json.dumps(task) for task in tasks))))


def test_answers_decide_status_and_ignored_spans_are_dropped():
    span = {"start": 0, "end": 3, "label": "ORG"}
    accepted, rejected, ignored, unanswered = read_lines(
        {"text": "IBM a", "spans": [span], "answer": "accept"},
        {"text": "IBM b", "spans": [span], "answer": "reject"},
        {"text": "IBM c", "spans": [span], "answer": "ignore"},
        {"text": "IBM d", "spans": [span]},
    )
    assert [s.status for s in accepted.spans] == ["accepted"]
    assert [s.status for s in rejected.spans] == ["rejected"]
    assert ignored.text == "IBM c" and ignored.spans == []
    assert [s.status for s in unanswered.spans] == ["accepted"]


def test_annotator_meta_and_lines_are_read():
    [record] = read_lines(
        {"text": "Obama spoke", "meta": {"source": "NYT"}, "_annotator_id": "news-ana",
         "spans": [{"start": 0, "end": 5, "label": "PERSON", "text": "Obama", "token_start": 0}]}
    )
    assert record.meta == {"source": "NYT"}
    assert record.line == 1
    [span] = record.spans
    assert (span.start, span.end, span.label, span.text, span.annotator) == (0, 5, "PERSON", "Obama", "news-ana")


def test_unknown_answer_is_an_error_naming_the_line():
    with pytest.raises(FormatError, match=r":2: malformed span \(unknown answer 'maybe'\)"):
        read_lines({"text": "a"}, {"text": "ab", "spans": [{"start": 0, "end": 1, "label": "X"}], "answer": "maybe"})


def test_write_one_task_per_annotator_and_answer():
    record = DocumentRecord(
        text="Ana met Ben",
        meta={"k": 1},
        id="d",
        spans=[
            SpanRecord(0, 3, "person", "Ana", annotator="ana"),
            SpanRecord(8, 11, "person", "Ben", annotator="ben"),
            SpanRecord(4, 7, "claim", "met", annotator="ana", status="rejected"),
        ],
    )
    out = io.StringIO()
    prodigy.write([record], out, tokens=False)
    tasks = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(t["_annotator_id"], t["answer"]) for t in tasks] == [("ana", "accept"), ("ben", "accept"), ("ana", "reject")]
    assert tasks[0]["spans"] == [{"start": 0, "end": 3, "label": "person", "text": "Ana"}]
    assert tasks[0]["_session_id"] == "margin-ana"
    assert tasks[0]["meta"] == {"k": 1}
    assert len({t["_input_hash"] for t in tasks}) == 1
    assert len({t["_task_hash"] for t in tasks}) == 3
    for task in tasks:
        assert isinstance(task["_input_hash"], int) and -(2**31) <= task["_input_hash"] < 2**31


def test_hashes_are_stable_across_runs():
    record = DocumentRecord(text="Same text", id="d", spans=[SpanRecord(0, 4, "claim", "Same", annotator="a")])
    first, second = io.StringIO(), io.StringIO()
    prodigy.write([record], first)
    prodigy.write([record], second)
    assert first.getvalue() == second.getvalue()


def test_document_without_spans_is_an_ignored_task():
    out = io.StringIO()
    prodigy.write([DocumentRecord(text="Nothing here", id="d")], out)
    task = json.loads(out.getvalue())
    assert task["spans"] == [] and task["answer"] == "ignore" and task["text"] == "Nothing here"


def test_reads_the_corpus_headlines(corpus):
    records = list(prodigy.read(corpus / "prodigy-recipes" / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"))
    assert len(records) == 373
    for record in records:
        for span in record.spans:
            assert span.text is None or record.text[span.start : span.end] == span.text
