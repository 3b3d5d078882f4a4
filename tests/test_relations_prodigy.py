"""Prodigy relations (``rel.manual``'s ``head``/``child`` token indexes with
``head_span``/``child_span``) and span attributes (an ``attributes`` object on
each span) both ways, checked against spaCy's own tokens."""

from __future__ import annotations

import io
import json

import pytest
from relation_formats_support import (
    EXPECTED_ATTRIBUTES,
    EXPECTED_RELATIONS,
    TEXT,
    attributes_in,
    counts,
    export_file,
    import_file,
    linked_db,
    place,
    relations_in,
)

from margin.store.errors import FormatError
from margin.store.formats import prodigy
from margin.store.model import DocumentRecord, RelationRecord, SpanRecord

spacy = pytest.importorskip("spacy")

SLEEP = "Sleep improves and night sleep lasts."


def span(start: int, end: int, token_start: int, token_end: int, label: str | None) -> dict:
    return {"start": start, "end": end, "token_start": token_start, "token_end": token_end, "label": label}


def rel_manual_task(**changes) -> dict:
    """A task shaped as Prodigy's relations interface saves one: a two-token span
    whose relation points at its last token."""
    night = span(19, 30, 3, 4, "BENEFIT")
    first = span(0, 5, 0, 0, "BENEFIT")
    task = {
        "text": SLEEP,
        "tokens": [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
                   for t in spacy.blank("en")(SLEEP)],
        "spans": [{**first, "text": "Sleep", "type": "span"}, {**night, "text": "night sleep", "type": "span"}],
        "relations": [{"head": 0, "child": 4, "head_span": first, "child_span": night, "color": "#c5bdf4",
                       "label": "RELATED"}],
        "answer": "accept", "_view_id": "relations", "_annotator_id": "ana",
    }
    task.update(changes)
    return task


def read(*tasks: dict) -> list[DocumentRecord]:
    return list(prodigy.read(io.StringIO("".join(json.dumps(task) + "\n" for task in tasks))))


def ends(record: DocumentRecord) -> list[tuple]:
    def end(index: int) -> tuple[str, str]:
        found = record.spans[index]
        return found.label, record.text[found.start : found.end]

    return [(end(relation.head), end(relation.child), relation.type) for relation in record.relations]


def test_rel_manual_task_reads_with_its_relation():
    [record] = read(rel_manual_task())
    assert ends(record) == [(("BENEFIT", "Sleep"), ("BENEFIT", "night sleep"), "RELATED")]
    assert record.relations[0].annotator == "ana" and record.relations[0].status == "accepted"


def test_a_task_without_head_span_is_tied_by_the_last_token():
    task = rel_manual_task()
    task["relations"] = [{"head": 4, "child": 0, "label": "RELATED"}]
    [record] = read(task)
    assert ends(record) == [(("BENEFIT", "night sleep"), ("BENEFIT", "Sleep"), "RELATED")]


def test_a_rejected_task_rejects_its_relations_and_an_ignored_one_brings_none():
    [rejected] = read(rel_manual_task(answer="reject"))
    assert [(r.head, r.child, r.status) for r in rejected.relations] == [(0, 1, "rejected")]
    [ignored] = read(rel_manual_task(answer="ignore"))
    assert ignored.spans == [] and ignored.relations == []


@pytest.mark.parametrize(
    ("relation", "message"),
    [
        # Prodigy lets a relation join bare tokens; margin links spans only.
        ({"head": 1, "child": 4, "head_span": span(6, 14, 1, 1, None), "child_span": span(19, 30, 3, 4, "BENEFIT"),
          "label": "RELATED"}, r"relation 1: head_span 6–14 \(None\) is not one of the task's spans"),
        ({"head": 0, "child": 4, "head_span": span(0, 5, 0, 0, "OTHER"), "child_span": span(19, 30, 3, 4, "BENEFIT"),
          "label": "RELATED"}, r"relation 1: head_span 0–5 \('OTHER'\) is not one of the task's spans"),
        ({"head": 0, "child": 2, "label": "RELATED"}, r"relation 1: child token 2 is not one of the task's spans"),
        ({"head": 0, "child": 4, "head_span": span(0, 5, 0, 0, "BENEFIT"),
          "child_span": span(19, 30, 3, 4, "BENEFIT")}, r'relation 1 has no "label"'),
    ],
)
def test_a_relation_whose_end_is_not_a_span_is_refused_with_its_line(db_location, tmp_path, relation, message):
    path = tmp_path / "rel.jsonl"
    bad = rel_manual_task(relations=[relation])
    path.write_text(json.dumps(rel_manual_task()) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"^{path}:2: {message}"):
        list(prodigy.read(path))
    db = db_location
    result = import_file(db, path, "--format", "prodigy")
    assert result.exit_code == 1 and f"{path.name}:2: relation 1" in result.output
    assert counts(db) == (0, 0, 0, 0)


def test_a_rel_manual_file_is_detected_as_prodigy_and_imports(db_location, tmp_path):
    """Prodigy's relations have a head and a child beside spans, as margin's do;
    margin's alone have a ``type``."""
    from margin.store import formats

    path = tmp_path / "rel.jsonl"
    path.write_text(json.dumps(rel_manual_task()) + "\n", encoding="utf-8")
    assert formats.detect(path) == "prodigy"
    db = db_location
    result = import_file(db, path)
    assert result.exit_code == 0, result.output
    assert relations_in(db) == {(("BENEFIT", "Sleep"), ("BENEFIT", "night sleep"), "RELATED")}


def test_attributes_ride_on_the_spans_and_must_be_strings():
    task = rel_manual_task()
    task["spans"][0]["attributes"] = {"verdict": "true", "hedged": "true"}
    [record] = read(task)
    assert record.spans[0].attributes == {"verdict": "true", "hedged": "true"} and record.spans[1].attributes == {}
    task["spans"][0]["attributes"] = {"verdict": 1}
    with pytest.raises(FormatError, match=r':1: a span\'s "attributes" must be an object of strings'):
        read(task)


def linked_record() -> DocumentRecord:
    spans = [SpanRecord(*place(TEXT, "40% of voters agreed"), "claim", annotator="ana", attributes={"verdict": "false"}),
             SpanRecord(*place(TEXT, "Ana"), "person", annotator="ana"),
             SpanRecord(*place(TEXT, "Ben"), "person", annotator="ben")]
    return DocumentRecord(text=TEXT, spans=spans, relations=[RelationRecord(0, 1, "said_by"), RelationRecord(0, 2, "about")])


def tasks_of(record: DocumentRecord, **options) -> list[dict]:
    out = io.StringIO()
    prodigy.write([record], out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_written_relations_point_at_the_last_token_as_spacy_counts_it():
    ana, ben = tasks_of(linked_record())
    assert ana["_view_id"] == "relations" and "tokens" in ana
    doc = spacy.blank("en")(TEXT)
    [relation] = ana["relations"]  # "about" joins ana's claim and ben's span: no one task holds both
    claim, person = doc.char_span(*place(TEXT, "40% of voters agreed")), doc.char_span(*place(TEXT, "Ana"))
    assert relation == {
        "head": claim.end - 1, "child": person.end - 1,
        "head_span": {"start": claim.start_char, "end": claim.end_char, "token_start": claim.start,
                      "token_end": claim.end - 1, "label": "claim"},
        "child_span": {"start": person.start_char, "end": person.end_char, "token_start": person.start,
                       "token_end": person.end - 1, "label": "person"},
        "label": "said_by",
    }
    assert [token["text"] for token in ana["tokens"]][relation["head"]] == "agreed"
    assert ana["spans"][0]["attributes"] == {"verdict": "false"}
    assert "relations" not in ben and ben["_view_id"] == "ner_manual"
    [again, _] = read(ana, ben)
    assert ends(again) == [(("claim", "40% of voters agreed"), ("person", "Ana"), "said_by")]
    assert again.spans[0].attributes == {"verdict": "false"}


def test_without_tokens_the_relation_keeps_its_spans_and_reads_back():
    ana, _ = tasks_of(linked_record(), tokens=False)
    [relation] = ana["relations"]
    assert "head" not in relation and relation["head_span"] == {"start": 9, "end": 29, "label": "claim"}
    [again] = read(ana)
    assert ends(again) == [(("claim", "40% of voters agreed"), ("person", "Ana"), "said_by")]


def test_export_and_import_keep_every_relation_and_attribute(places, tmp_path):
    db = linked_db(places("linked"))
    path = export_file(db, tmp_path, "prodigy", "out.jsonl")
    tasks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [task["_view_id"] for task in tasks] == ["ner_manual", "relations"]
    again = places("again")
    result = import_file(again, path)
    assert result.exit_code == 0, result.output
    assert relations_in(again) == EXPECTED_RELATIONS
    assert attributes_in(again) == EXPECTED_ATTRIBUTES
    assert import_file(again, path).exit_code == 0
    assert counts(again)[2:] == (3, 3)
