"""doccano's relation-extraction layout (``entities`` with ids, ``relations`` by
``from_id``/``to_id``) both ways: the corpus's files, one layout per export file,
UTF-16 offsets on entities, refused references, and round trips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from relation_formats_support import (
    EXPECTED_RELATIONS,
    attributes_in,
    counts,
    export_file,
    import_file,
    linked_db,
    relations_in,
    run,
)

from margin.store.errors import FormatError
from margin.store.formats import doccano
from margin.store.model import DocumentRecord, RelationRecord, SpanRecord

GOOGLE = "Google was founded on September 4, 1998, by Larry Page and Sergey Brin."
GOOGLE_RELATIONS = {
    (("ORG", "Google"), ("DATE", "September 4, 1998"), "foundedAt"),
    (("ORG", "Google"), ("PERSON", "Larry Page"), "foundedBy"),
    (("ORG", "Google"), ("PERSON", "Sergey Brin"), "foundedBy"),
}


def ends(record: DocumentRecord) -> list[tuple]:
    def end(index: int) -> tuple[str, str]:
        span = record.spans[index]
        return span.label, record.text[span.start : span.end]

    return [(end(relation.head), end(relation.child), relation.type) for relation in record.relations]


@pytest.mark.parametrize(
    "name", ["import_relation_extraction_example.jsonl", "export_relation_extraction_example_prettyprinted.json"]
)
def test_corpus_relation_files_read_with_their_relations(corpus, name):
    [record] = doccano.read(corpus / "doccano" / name)
    assert record.text == GOOGLE
    assert ends(record) == [
        (("ORG", "Google"), ("DATE", "September 4, 1998"), "foundedAt"),
        (("ORG", "Google"), ("PERSON", "Larry Page"), "foundedBy"),
        (("ORG", "Google"), ("PERSON", "Sergey Brin"), "foundedBy"),
    ]
    assert "relations" not in record.meta


@pytest.mark.parametrize(
    "name", ["import_relation_extraction_example.jsonl", "export_relation_extraction_example_prettyprinted.json"]
)
def test_corpus_relation_files_import_with_their_relations(corpus, db_location, name):
    db = db_location
    result = import_file(db, corpus / "doccano" / name, "--annotator", "ana")
    assert result.exit_code == 0, result.output
    assert relations_in(db) == GOOGLE_RELATIONS
    assert "3 relation(s) added" in result.output


def write_lines(tmp_path: Path, lines: list[dict], name: str = "bad.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


ENTITIES = [{"id": 7, "start_offset": 0, "end_offset": 3, "label": "person"},
            {"id": 9, "start_offset": 9, "end_offset": 12, "label": "statistic"}]


@pytest.mark.parametrize(
    ("relation", "message"),
    [
        ({"from_id": 7, "to_id": 8, "type": "cites"}, r"relation 1 \('cites'\): to_id 8 names no entity"),
        ({"from_id": "7", "to_id": 9, "type": "cites"}, r"relation 1 \('cites'\): from_id '7' names no entity"),
        ({"from_id": 7, "to_id": 9}, r'relation 1 has no "type"'),
        ("7-9", r"relation 1 must be an object"),
    ],
)
def test_a_bad_reference_names_the_file_and_line_and_imports_nothing(db_location, tmp_path, relation, message):
    good = {"text": "Ana said 40%.", "entities": ENTITIES, "relations": [{"from_id": 7, "to_id": 9, "type": "cites"}]}
    bad = {**good, "relations": [relation]}
    path = write_lines(tmp_path, [good, bad])
    with pytest.raises(FormatError, match=rf"^{path}:2: {message}"):
        list(doccano.read(path))
    db = db_location
    result = import_file(db, path)
    assert result.exit_code == 1
    assert f"{path.name}:2:" in result.output
    assert counts(db) == (0, 0, 0, 0)


def test_duplicate_entity_ids_are_refused(tmp_path):
    path = write_lines(tmp_path, [{"text": "Ana said 40%.", "entities": [ENTITIES[0], {**ENTITIES[1], "id": 7}],
                                   "relations": []}])
    with pytest.raises(FormatError, match=r":1: two entities have the id 7"):
        list(doccano.read(path))


def record(text: str, spans: list[SpanRecord], relations: list[RelationRecord] = ()) -> DocumentRecord:
    return DocumentRecord(text=text, spans=spans, relations=list(relations))


def written(records: list[DocumentRecord], **options) -> list[dict]:
    out = io.StringIO()
    doccano.write(records, out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_relation_puts_the_whole_file_in_the_entities_layout():
    first = record("Cleo.", [SpanRecord(0, 4, "person", note="alone")])
    linked = record("Ana said 40%.", [SpanRecord(0, 3, "person"), SpanRecord(9, 12, "statistic")],
                    [RelationRecord(1, 0, "said_by")])
    last = record("Ben.", [])
    assert written([first, last]) == [  # no relation: the label layout, as before
        {"text": "Cleo.", "label": [[0, 4, "person"]], "Comments": ['[0, 4, "person"] alone']},
        {"text": "Ben.", "label": []},
    ]
    lines = written([first, linked, last])
    assert [sorted(line) for line in lines] == [
        ["Comments", "entities", "relations", "text"], ["entities", "relations", "text"],
        ["entities", "relations", "text"],
    ]
    assert lines[0]["entities"] == [{"id": 0, "start_offset": 0, "end_offset": 4, "label": "person"}]
    assert lines[0]["Comments"] == ['[0, 4, "person"] alone'] and lines[0]["relations"] == []
    assert lines[1]["entities"] == [{"id": 0, "start_offset": 0, "end_offset": 3, "label": "person"},
                                    {"id": 1, "start_offset": 9, "end_offset": 12, "label": "statistic"}]
    assert lines[1]["relations"] == [{"id": 0, "from_id": 1, "to_id": 0, "type": "said_by"}]
    assert lines[2] == {"text": "Ben.", "entities": [], "relations": []}
    [again_first, again, again_last] = doccano.read(io.StringIO("".join(json.dumps(line) + "\n" for line in lines)))
    assert ends(again) == [(("statistic", "40%"), ("person", "Ana"), "said_by")]
    assert again_first.spans[0].note == "alone" and again_last.relations == []


def test_many_lines_held_back_before_the_first_relation_are_all_rewritten(monkeypatch):
    from margin.store.formats import doccano_relations

    monkeypatch.setattr(doccano_relations, "SPOOL_BYTES", 64)  # held on disk, not in memory
    plain = [record(f"Text {number}.", [SpanRecord(0, 4, "claim")]) for number in range(50)]
    linked = record("Ana said.", [SpanRecord(0, 3, "person"), SpanRecord(4, 8, "claim")], [RelationRecord(1, 0, "said_by")])
    lines = written([*plain, linked])
    assert len(lines) == 51 and all("label" not in line and "entities" in line for line in lines)
    assert [line["text"] for line in lines[:50]] == [f"Text {number}." for number in range(50)]


def test_a_relation_between_two_annotators_spans_has_no_line_and_is_left_out():
    lines = written([record("Ana said 40%.", [SpanRecord(0, 3, "person", annotator="ana"),
                                               SpanRecord(9, 12, "statistic", annotator="ben"),
                                               SpanRecord(4, 8, "claim", annotator="ana")],
                            [RelationRecord(2, 1, "cites"), RelationRecord(2, 0, "said_by")])])
    assert [(line["annotator"], line["relations"]) for line in lines] == [
        ("ana", [{"id": 0, "from_id": 1, "to_id": 0, "type": "said_by"}]), ("ben", []),
    ]


def test_utf16_offsets_apply_to_entities_both_ways():
    text = "😀 Ana said 😀 40%."
    spans = [SpanRecord(text.index("Ana"), text.index("Ana") + 3, "person"),
             SpanRecord(text.index("40%"), text.index("40%") + 3, "statistic")]
    lines = written([record(text, spans, [RelationRecord(1, 0, "said_by")])], offsets="utf16")
    assert [(e["start_offset"], e["end_offset"]) for e in lines[0]["entities"]] == [(3, 6), (15, 18)]
    [again] = doccano.read(io.StringIO(json.dumps(lines[0])), offsets="utf16")
    assert ends(again) == [(("statistic", "40%"), ("person", "Ana"), "said_by")]


def test_export_and_import_keep_every_relation_and_lose_the_attributes(places, tmp_path):
    db = linked_db(places("linked"))
    path = export_file(db, tmp_path, "doccano", "out.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert all("entities" in line and "label" not in line for line in lines)
    assert not any("attributes" in json.dumps(line) for line in lines)
    again = places("again")
    result = import_file(again, path)
    assert result.exit_code == 0, result.output
    assert relations_in(again) == EXPECTED_RELATIONS
    assert attributes_in(again) == set()
    # Imported again, nothing is added twice.
    assert import_file(again, path).exit_code == 0
    assert len(relations_in(again)) == 3 and counts(again)[2] == 3


def test_utf16_export_through_the_command_line(db_location, tmp_path):
    db = db_location
    source = write_lines(tmp_path, [{"text": "😀 Ana said 40%.", "entities": [
        {"id": 1, "start_offset": 3, "end_offset": 6, "label": "person"},
        {"id": 2, "start_offset": 12, "end_offset": 15, "label": "statistic"}],
        "relations": [{"from_id": 2, "to_id": 1, "type": "quotes"}]}], "emoji.jsonl")
    result = import_file(db, source, "--offsets", "utf16")
    assert result.exit_code == 0, result.output
    assert relations_in(db) == {(("statistic", "40%"), ("person", "Ana"), "quotes")}
    out = tmp_path / "back.jsonl"
    assert run(db, "export", "--format", "doccano", "--offsets", "utf16", "-o", out).exit_code == 0
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert [(e["start_offset"], e["end_offset"]) for e in line["entities"]] == [(3, 6), (12, 15)]
    assert line["relations"] == [{"id": 0, "from_id": 1, "to_id": 0, "type": "quotes"}]
