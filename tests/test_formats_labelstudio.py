"""Label Studio JSON: tasks, annotations, predictions and legacy completions."""

from __future__ import annotations

import io
import json

import pytest

from margin.store.errors import FormatError
from margin.store.formats import labelstudio
from margin.store.model import DocumentRecord, SpanRecord


def result(start, end, label, text=None, id="r1"):
    return {"from_name": "ner", "to_name": "text", "type": "labels", "id": id,
            "value": {"start": start, "end": end, "labels": [label], "text": text}}


def test_single_task_with_annotations(corpus):
    [record] = labelstudio.read(corpus / "label-studio" / "ls_editor_named_entity_annotation_1.json")
    [span] = record.spans
    assert (span.start, span.end, span.label, span.text, span.status) == (343, 354, "Date", "February 22", "accepted")
    assert record.text[343:354] == "February 22"


def test_predictions_become_suggestions_named_by_model(corpus):
    [record] = labelstudio.read(corpus / "label-studio" / "ls_editor_named_entity_tasks_with_predictions.json")
    [span] = record.spans
    assert span.status == "suggested" and span.annotator == "model 1"


def test_legacy_completions(corpus):
    [record] = labelstudio.read(corpus / "label-studio" / "ls_legacy_completions_348.json")
    assert len(record.spans) == 38
    assert {s.label for s in record.spans} == {"INGREDIENT"}
    assert all(record.text[s.start : s.end] == s.text for s in record.spans)


def test_completed_by_cancelled_notes_and_line_numbers():
    tasks = [
        {"data": {"text": "Alpha"}},
        {
            "data": {"text": "Ana and Ben"},
            "annotations": [
                {"completed_by": {"id": 7, "email": "ana@example.org"},
                 "result": [result(0, 3, "person", "Ana"),
                            {"type": "textarea", "id": "r1", "from_name": "note", "to_name": "text",
                             "value": {"start": 0, "end": 3, "text": ["first", "second"]}},
                            {"type": "choices", "value": {"choices": ["x"]}}]},
                {"completed_by": 9, "was_cancelled": True, "result": [result(8, 11, "person", "Ben")]},
            ],
        },
    ]
    document = json.dumps(tasks, indent=2)
    task_lines = [number for number, line in enumerate(document.split("\n"), 1) if line == "  {"]
    first, second = labelstudio.read(io.StringIO(document))
    assert first.spans == []
    assert [first.line, second.line] == task_lines
    [span] = second.spans
    assert span.annotator == "ana@example.org" and span.note == "first\nsecond"



def test_results_margin_cannot_keep_are_counted_in_one_warning():
    tasks = [{"data": {"text": "Ana and Ben"}, "annotations": [{"result": [
        result(0, 3, "person", "Ana"),
        {"type": "textarea", "id": "r1", "value": {"text": ["a note on Ana"]}},
        {"type": "choices", "value": {"choices": ["news"]}},
        {"value": {"start": 8, "end": 11, "labels": ["person"]}},
    ]}]}]
    warnings: list[str] = []
    [record] = labelstudio.read(io.StringIO(json.dumps(tasks)), warn=warnings.append)
    assert [(s.label, s.note) for s in record.spans] == [("person", "a note on Ana")]
    assert warnings == [
        '<stream>: skipped 1 choices, 1 untyped result(s); margin keeps text spans ("labels" results), their per-region choices and text areas, and relations'
    ]

def test_task_without_text_names_its_line():
    tasks = '[\n{"data": {"text": "ok"}},\n{"data": {"image": 1, "url": 2}}\n]'
    with pytest.raises(FormatError, match=r'^<stream>:3: task has no "data.text"; nothing from this file'):
        list(labelstudio.read(io.StringIO(tasks)))


def test_write_streams_a_json_array_that_reads_back():
    records = [
        DocumentRecord(
            text="Ana said 40%", title="T", source="s", id="d1",
            spans=[SpanRecord(0, 3, "person", "Ana", note="who", annotator="ana", id="a1",
                              created_at="2024-01-01", updated_at="2024-01-02"),
                   SpanRecord(9, 12, "statistic", "40%", annotator="bot", status="suggested", id="a2")],
        ),
        DocumentRecord(text="Nothing", id="d2"),
    ]
    out = io.StringIO()
    labelstudio.write(records, out)
    tasks = json.loads(out.getvalue())
    assert tasks[0]["data"] == {"text": "Ana said 40%", "title": "T", "source": "s"}
    [annotation] = tasks[0]["annotations"]
    assert "completed_by" not in annotation  # a server takes only its own users' ids or emails
    assert tasks[0]["meta"] == {"margin_annotators": {str(annotation["id"]): "ana"}}
    assert all(type(value) is int for value in (tasks[0]["id"], tasks[1]["id"], annotation["id"]))
    assert annotation["result"][0] == {
        "value": {"start": 0, "end": 3, "text": "Ana", "labels": ["person"]},
        "from_name": "label", "to_name": "text", "type": "labels", "id": "a1",
    }
    assert tasks[0]["predictions"][0]["model_version"] == "bot"
    back = list(labelstudio.read(io.StringIO(out.getvalue())))
    assert [(s.start, s.end, s.label, s.text, s.note, s.annotator, s.status) for s in back[0].spans] == [
        (0, 3, "person", "Ana", "who", "ana", "accepted"),
        (9, 12, "statistic", "40%", "", "bot", "suggested"),
    ]
    assert back[0].title == "T" and back[0].meta == {} and back[1].spans == []


def test_annotator_names_follow_margin_ids_only():
    """A server keeps margin's annotation id as ``import_id`` and gives its own ``id``;
    an annotation made on the server has no ``import_id``, and its ``id`` may equal one
    margin wrote, which must not give it a margin annotator's name."""
    task = {"data": {"text": "Ana and Ben"}, "meta": {"margin_annotators": {"5": "ana"}, "kept": 1}, "annotations": [
        {"id": 9, "import_id": 5, "completed_by": 1, "result": [result(0, 3, "person", "Ana")]},
        {"id": 5, "import_id": None, "completed_by": {"id": 1, "email": "me@example.org"},
         "result": [result(8, 11, "person", "Ben")]},
    ]}
    [record] = labelstudio.read(io.StringIO(json.dumps([task])))
    assert [span.annotator for span in record.spans] == ["ana", "me@example.org"]
    assert record.meta == {"kept": 1}
    own = {"data": {"text": "Ana"}, "meta": {"margin_annotators": {"5": "ana"}},
           "annotations": [{"id": 5, "result": [result(0, 3, "person", "Ana")]}]}
    [record] = labelstudio.read(io.StringIO(json.dumps([own])))
    assert record.spans[0].annotator == "ana"


def test_empty_export_is_an_empty_array():
    out = io.StringIO()
    labelstudio.write([], out)
    assert json.loads(out.getvalue()) == []
