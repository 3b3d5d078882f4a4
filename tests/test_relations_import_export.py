"""Relations and attributes through the import pipeline, the export and margin's JSON
lines: staged with their spans, tied to the ids the spans end up with, checked
against the schemes, filtered like spans on the way out."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store.annotations import add_annotation, delete_annotation
from margin.store.attributes import document_attributes, set_attribute
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.exporting import export, iter_records
from margin.store.formats import margin
from margin.store.importing import import_paths
from margin.store.model import now_iso
from margin.store.relations import add_relation, document_relations, update_relation
from margin.store.schemes import add_attribute_def, add_relation_type, get_relation_type
from margin.tui.cli import cli

TEXT = "Ana said 40% of claims were false; Ben agreed."


def annotated(db):
    """A document with three annotators' spans, relations of every status, values."""
    document, _ = add_document(db, TEXT, title="Claims", source="https://example.org/claims")
    ana = add_annotation(db, document.id, 0, 3, "person", annotator="ana", note="the speaker")
    claim = add_annotation(db, document.id, 4, 33, "claim", annotator="ana")
    stat = add_annotation(db, document.id, 9, 12, "statistic", annotator="ana")
    ben = add_annotation(db, document.id, 35, 38, "person", annotator="ben")
    gone = add_annotation(db, document.id, 39, 45, "claim", annotator="ana")
    said = add_relation(db, claim.id, ana.id, "said_by", annotator="ana", note="in the interview")
    add_relation(db, claim.id, stat.id, "cites", annotator="ana", status="suggested")
    rejected = add_relation(db, claim.id, ben.id, "about", annotator="ben")
    update_relation(db, rejected.id, status="rejected")
    add_relation(db, gone.id, ben.id, "said_by", annotator="ben")
    delete_annotation(db, gone.id)
    add_attribute_def(db, "checked", kind="flag")
    set_attribute(db, claim.id, "verdict", "misleading", annotator="ana")
    set_attribute(db, stat.id, "checked", "true", annotator="ana")
    return document, said


def margin_text(db, **filters) -> str:
    out = io.StringIO()
    export(db, out, format="margin", **filters)
    return out.getvalue()


def test_margin_lines_round_trip_relations_attributes_notes_and_statuses(places, tmp_path):
    db = open_database(places("a"))
    document, said = annotated(db)
    text = margin_text(db)
    [line] = [json.loads(row) for row in text.splitlines()]
    by_id = {span["id"]: span for span in line["spans"]}
    relations = {(by_id[r["head"]]["text"], by_id[r["child"]]["text"], r["type"], r["status"], r["note"])
                 for r in line["relations"]}
    # Shown relations only: the rejected one and the one to a deleted span stay out.
    assert relations == {("said 40% of claims were false", "Ana", "said_by", "accepted", "in the interview"),
                         ("said 40% of claims were false", "40%", "cites", "suggested", "")}
    assert list(line["relations"][0]) == list(margin.RELATION_KEYS)
    assert {span["text"]: span.get("attributes") for span in line["spans"]}["40%"] == {"checked": "true"}
    (tmp_path / "a.jsonl").write_text(text, encoding="utf-8")
    other = open_database(places("b"))
    report = import_paths(other, [tmp_path / "a.jsonl"], annotator="nobody")
    assert report.ok and (report.relations_added, report.attributes_added) == (2, 2)
    assert margin_text(other) == text
    [back] = [r for r in document_relations(other, document.id) if r.id == said.id]
    assert (back.annotator, back.origin, back.created_at) == ("ana", "manual", said.created_at)
    again = import_paths(other, [tmp_path / "a.jsonl"], annotator="nobody")
    assert (again.spans_added, again.relations_added, again.attributes_added) == (0, 0, 0)
    assert (again.relations_present, again.attributes_present) == (2, 2)
    assert margin_text(other) == text


def test_a_file_without_ids_imported_again_adds_nothing(db_location, tmp_path):
    """Spans matched by place are the stored ones, so their relations are too."""
    db = open_database(db_location)
    path = tmp_path / "hand.jsonl"
    spans = [{"start": 0, "end": 3, "label": "person"}, {"start": 4, "end": 33, "label": "claim",
                                                         "attributes": {"verdict": "false"}}]
    relations = [{"type": "said_by", "head": 1, "child": 0}, {"type": "links", "head": 0, "child": 1}]
    path.write_text(json.dumps({"text": TEXT, "spans": spans, "relations": relations}) + "\n", encoding="utf-8")
    first = import_paths(db, [path], annotator="ana")
    assert first.ok and first.files[0].format == "margin"
    assert (first.relations_added, first.attributes_added, first.relation_types_created) == (2, 1, ["links"])
    second = import_paths(db, [path], annotator="ana")
    assert (second.spans_added, second.relations_added, second.attributes_added) == (0, 0, 0)
    assert (second.spans_present, second.relations_present, second.attributes_present) == (2, 2, 1)
    assert db.execute("select count(*) from relations").fetchone()[0] == 2
    result = CliRunner().invoke(cli, ["--db", db_location, "import", "--annotator", "ana", str(path)])
    assert "0 relation(s) added, 2 already present; 0 attribute value(s) added, 1 already present" in result.output


def test_an_undirected_type_matches_either_way_round(db_location, tmp_path):
    db = open_database(db_location)
    add_relation_type(db, "same_as", directed=False)
    path = tmp_path / "a.jsonl"
    spans = [{"start": 0, "end": 3, "label": "person"}, {"start": 35, "end": 38, "label": "person"}]
    for head, child in ((0, 1), (1, 0)):
        relations = [{"type": "same_as", "head": head, "child": child}]
        path.write_text(json.dumps({"text": TEXT, "spans": spans, "relations": relations}) + "\n")
        import_paths(db, [path], annotator="ana")
    assert db.execute("select count(*) from relations").fetchone()[0] == 1


def test_a_newer_span_brings_its_values_and_an_older_one_does_not(db_location, tmp_path):
    db = open_database(db_location)
    annotated(db)
    text = margin_text(db)
    (tmp_path / "old.jsonl").write_text(text)
    line = json.loads(text)
    claim = next(span for span in line["spans"] if span["label"] == "claim")
    claim["attributes"]["verdict"] = "false"
    (tmp_path / "same-time.jsonl").write_text(json.dumps(line) + "\n")
    assert import_paths(db, [tmp_path / "same-time.jsonl"], annotator="x").attributes_updated == 0
    assert document_attributes(db, line["id"])[claim["id"]]["verdict"] == "misleading"
    claim["updated_at"] = now_iso()
    (tmp_path / "newer.jsonl").write_text(json.dumps(line) + "\n")
    report = import_paths(db, [tmp_path / "newer.jsonl"], annotator="x")
    assert report.ok and report.attributes_updated == 1
    assert document_attributes(db, line["id"])[claim["id"]]["verdict"] == "false"


def test_older_lines_without_relations_still_import(db_location, tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps({"id": "x", "title": "", "source": "", "meta": {}, "text": "Ana.",
                                "spans": [{"id": "s1", "start": 0, "end": 3, "label": "person"}]}) + "\n")
    db = open_database(db_location)
    report = import_paths(db, [path], annotator="ana")
    assert report.ok and report.spans_added == 1 and report.relations_added == 0
    assert "relation" not in report.summary()


SPANS = [{"id": "p", "start": 0, "end": 3, "label": "person"}, {"id": "c", "start": 4, "end": 33, "label": "claim"}]


@pytest.mark.parametrize(("relations", "attributes", "message"), [
    ([{"type": "said_by", "head": 1, "child": 5}], {}, r"relation 1 \(said_by\): its child 5 is not one of the record's 2 span"),
    ([{"type": "said_by", "head": 1, "child": 1}], {}, r"relation 1 \(said_by\) links a span to itself"),
    ([{"type": "said_by", "head": "c", "child": "zz"}], {}, r"malformed relation \(relation child 'zz' is not the id"),
    ([{"type": "said_by", "head": 0, "child": 1}], {},
     r"said_by from person 'Ana' to claim .*'said_by' links a claim to a person, not a person to a claim"),
    ([{"type": "two words", "head": 1, "child": 0}], {}, r"relation type 'two words' must be one word"),
    ([{"type": "said_by", "head": 1, "child": 0, "status": "maybe"}], {}, r"status must be one of"),
    ([{"type": "said_by", "head": 1, "child": 0, "updated_at": "yesterday"}], {}, r"bad timestamp 'yesterday'"),
    ([], {"p": {"verdict": "true"}}, r"attribute 'verdict': verdict applies to claim spans, not to a person"),
    ([], {"c": {"checked": "yes"}}, r"attribute 'checked': attribute 'checked' is a flag"),
    ([], {"c": {"verdict": "not a word"}}, r"attribute 'verdict': label name 'not a word' must be one word"),
    ([], {"c": {"verdict": 3}}, r"malformed span \(span \"attributes\" must be an object of strings\)"),
])
def test_bad_relations_and_values_name_the_line_and_import_nothing(
    db_location, tmp_path, relations, attributes, message
):
    db = open_database(db_location)
    add_attribute_def(db, "checked", kind="flag")
    spans = [dict(span, attributes=attributes.get(span["id"], {})) for span in SPANS]
    good = json.dumps({"text": "Fine.", "spans": []})
    bad = json.dumps({"text": TEXT, "spans": spans, "relations": relations})
    (tmp_path / "bad.jsonl").write_text(good + "\n" + bad + "\n")
    report = import_paths(db, [tmp_path / "bad.jsonl"], annotator="ana", format="margin")
    assert not report.ok
    assert re.search(r"bad\.jsonl:2: .*" + message, report.failed[0]), report.failed[0]
    for table in ("documents", "annotations", "relations", "attributes"):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0
    assert get_relation_type(db, "two") is None


def test_export_filters_apply_to_relations(fresh_db):
    db = fresh_db
    annotated(db)
    [accepted] = iter_records(db, status="accepted")
    assert [r.type for r in accepted.relations] == ["said_by"]
    [suggested] = iter_records(db, status=["accepted", "suggested"], label=["claim", "statistic"])
    assert [(suggested.spans[r.head].label, suggested.spans[r.child].label) for r in suggested.relations] == [
        ("claim", "statistic")]
    [bens] = iter_records(db, annotator="ben")
    assert bens.relations == []
    [everything] = iter_records(db)
    assert sorted(r.type for r in everything.relations) == ["cites", "said_by"]
    assert {span.text: span.attributes for span in everything.spans if span.attributes} == {
        "said 40% of claims were false": {"verdict": "misleading"}, "40%": {"checked": "true"}}


def test_relations_and_values_are_read_once_per_batch(fresh_db):
    db = fresh_db
    for n in range(450):
        document, _ = add_document(db, f"Ana said {n}.", title=str(n))
        person = add_annotation(db, document.id, 0, 3, "person", annotator="ana")
        claim = add_annotation(db, document.id, 4, 8, "claim", annotator="ana")
        add_relation(db, claim.id, person.id, "said_by", annotator="ana")
        set_attribute(db, claim.id, "verdict", "true", annotator="ana")
    queries: list[str] = []
    db.conn.set_trace_callback(queries.append)
    records = list(iter_records(db))
    db.conn.set_trace_callback(None)
    assert sum(len(record.relations) for record in records) == 450
    assert all(record.spans[1].attributes == {"verdict": "true"} for record in records)
    assert sum(1 for sql in queries if "from relations" in sql) == 3
    assert sum(1 for sql in queries if "from attributes" in sql) == 3


def test_a_cli_export_counts_relations(db_location, tmp_path):
    db = open_database(db_location)
    annotated(db)
    db.close()
    result = CliRunner().invoke(cli, ["--db", db_location, "export", "-o", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 0, result.output
    assert "2 relation(s)" in result.output
    assert Path(tmp_path / "x.jsonl").read_text().count('"said_by"') == 1


def test_a_span_another_writer_stored_meanwhile_takes_the_relations(db_location, tmp_path):
    """The file's span is not published twice; its relation and value go to the
    annotation the other writer stored while the file was being read."""
    from margin.store.importing import import_file

    db = open_database(db_location)
    document, _ = add_document(db, TEXT)
    path = tmp_path / "hand.jsonl"
    spans = [{"start": 0, "end": 3, "label": "person", "attributes": {"checked": "true"}},
             {"start": 4, "end": 33, "label": "claim"}]
    path.write_text(json.dumps({"text": TEXT, "spans": spans, "relations": [{"type": "said_by", "head": 1, "child": 0}]}))
    other = open_database(db_location)
    theirs = []

    def meanwhile(position, result):
        theirs.append(add_annotation(other, document.id, 0, 3, "person", annotator="ana"))

    result = import_file(db, path, format="margin", annotator="ana", on_batch=meanwhile)
    assert (result.spans_added, result.relations_added, result.attributes_added) == (1, 1, 1)
    [relation] = document_relations(db, document.id)
    assert relation.child == theirs[0].id
    assert document_attributes(db, document.id) == {theirs[0].id: {"checked": "true"}}
