"""margin's Label Studio export checked by Label Studio's own code (label-studio-sdk's
label config parser and Converter), and a real server's exports read back.

The server exports in tests/data/labelstudio were written by Label Studio 1.23.2 from
margin's own tasks (see the README there); the corpus export is a server's project
that margin did not write."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.labels import list_labels
from margin.tui.cli import cli

label_interface = pytest.importorskip("label_studio_sdk.label_interface")
converter = pytest.importorskip("label_studio_sdk.converter")

DATA = Path(__file__).parent / "data" / "labelstudio"
SERVER_EXPORT = "label-studio/label-studio-1.23.2-export.json"


def run(db: str | Path, *args: object):
    return CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])


def export_with_config(db: str | Path, tmp_path: Path) -> tuple[list[dict], str, Path]:
    tasks_path, config_path = tmp_path / "tasks.json", tmp_path / "config.xml"
    result = run(db, "export", "--format", "label-studio", "-o", tasks_path, "--config", config_path)
    assert result.exit_code == 0, result.output
    return json.loads(tasks_path.read_text(encoding="utf-8")), config_path.read_text(encoding="utf-8"), tasks_path


def spans_of(tasks: list[dict]) -> Counter:
    """(text, start, end, label, note) of every labelled region in the tasks' annotations."""
    found: Counter = Counter()
    for task in tasks:
        for annotation in task.get("annotations") or []:
            notes = {r["id"]: r["value"]["text"][0] for r in annotation["result"] if r["type"] == "textarea"}
            for result in annotation["result"]:
                if result["type"] == "labels":
                    value = result["value"]
                    for label in value["labels"]:
                        found[(task["data"]["text"], value["start"], value["end"], label,
                               notes.get(result["id"], ""))] += 1
    return found


def converted(config: str, tasks_path: Path, tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / fmt
    converter.Converter(config, project_dir=str(tmp_path)).convert(str(tasks_path), str(out), fmt, is_dir=False)
    [written] = list(out.iterdir())
    return written


@pytest.fixture
def corpus_db(corpus, db_location) -> str:
    db = db_location
    result = run(db, "import", corpus / SERVER_EXPORT)
    assert result.exit_code == 0, result.output
    return db


def test_server_export_imports_with_its_user_ids_and_prediction_ids(corpus, corpus_db):
    source = json.loads((corpus / SERVER_EXPORT).read_text(encoding="utf-8"))
    assert any(task["predictions"] and type(task["predictions"][0]) is int for task in source)
    assert {type(a["completed_by"]) for t in source for a in t["annotations"]} == {int}
    db = open_database(corpus_db)
    rows = db.execute('select d.text, start, "end", label, note, annotator, status '
                      "from annotations join documents d on d.id = doc_id").fetchall()
    db.close()
    # Both annotations of the first task are user 1's, so the spans they share are stored once.
    assert Counter(row[:5] for row in rows) == Counter(set(spans_of(source)))
    assert {row[5:] for row in rows} == {("1", "accepted")}


def test_export_of_a_server_export_passes_label_studio_own_checks(corpus, corpus_db, tmp_path):
    tasks, config, tasks_path = export_with_config(corpus_db, tmp_path)
    interface = label_interface.LabelInterface(config)
    interface.validate()  # raises on a config Label Studio refuses
    for task in tasks:
        assert type(task["id"]) is int
        assert interface.validate_task({"data": task["data"]})  # its data has what the config reads
        for item in task["annotations"] + task["predictions"]:
            assert type(item["id"]) is int
            assert interface.validate_prediction(item, return_errors=True) == []
            completed_by = item.get("completed_by")
            assert completed_by is None or type(completed_by) is int or "email" in completed_by

    source = json.loads((corpus / SERVER_EXPORT).read_text(encoding="utf-8"))
    expected = set(spans_of(source))
    assert set(spans_of(tasks)) == expected and len(expected) == 54

    minimal = json.loads(converted(config, tasks_path, tmp_path, "JSON_MIN").read_text(encoding="utf-8"))
    regions, notes = set(), set()
    for record in minimal:
        for region in record.get("label", []):
            regions.update((record["text"], region["start"], region["end"], label) for label in region["labels"])
        # JSON_MIN gives a per-region note as its bare text: one string, or a list of them.
        written = record.get("note", [])
        notes.update((record["text"], note) for note in ([written] if isinstance(written, str) else written))
    assert regions == {span[:4] for span in expected}
    assert notes == {(span[0], span[4]) for span in expected if span[4]} and len(notes) == 2

    with converted(config, tasks_path, tmp_path, "CSV").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(len(task["annotations"]) for task in tasks)
    assert sum(len(json.loads(row["label"])) for row in rows) == len(expected)

    conll = converted(config, tasks_path, tmp_path, "CONLL2003").read_text(encoding="utf-8")
    assert conll.count(" B-") > 0


@pytest.fixture
def team_db(db_location) -> str:
    db = open_database(db_location)
    doc, _ = add_document(db, "Ana met Ben in Panamá on Monday; 40% agreed.", title="Meeting")
    add_annotation(db, doc.id, 0, 3, "person", annotator="ana", note='first "note"\nsecond line')
    add_annotation(db, doc.id, 8, 11, "person", annotator="ben")
    add_annotation(db, doc.id, 33, 36, "statistic", annotator="model-x", status="suggested")
    add_document(db, "Nobody labelled this one.")
    db.close()
    return db_location


def test_config_carries_the_scheme_and_the_names_the_tasks_use(team_db, tmp_path):
    tasks, config, _ = export_with_config(team_db, tmp_path)
    interface = label_interface.LabelInterface(config)
    interface.validate()
    labels = interface.get_control("label")
    db = open_database(team_db)
    scheme = list_labels(db)
    db.close()
    assert labels.tag == "Labels" and labels.to_name == ["text"]
    assert labels.labels == [label.name for label in scheme]
    assert {name: tag.attr["background"] for name, tag in labels.labels_attrs.items()} == {
        label.name: label.color for label in scheme}
    note = interface.get_control("note")
    assert note.tag == "TextArea" and note.attr["perRegion"] == "true" and note.to_name == ["text"]
    assert interface.get_object("text").value == "$text"
    names = {(r["from_name"], r["to_name"], r["type"]) for t in tasks for a in t["annotations"] + t["predictions"]
             for r in a["result"]}
    assert names == {("label", "text", "labels"), ("note", "text", "textarea")}


def test_config_names_labels_the_scheme_lacks(db_location, tmp_path):
    tasks = tmp_path / "in.json"
    tasks.write_text(json.dumps([{"data": {"text": "Ana & Ben"}, "annotations": [{"result": [
        {"id": "r", "from_name": "ner", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 3, "text": "Ana", "labels": ['R&D<"x">']}}]}]}]), encoding="utf-8")
    db = db_location
    assert run(db, "import", tasks).exit_code == 0
    exported, config, _ = export_with_config(db, tmp_path)
    interface = label_interface.LabelInterface(config)
    interface.validate()
    assert 'R&D<"x">' in interface.get_control("label").labels
    assert [interface.validate_prediction(a, return_errors=True) for a in exported[0]["annotations"]] == [[]]


def test_export_ids_are_integers_and_the_same_each_time(team_db, tmp_path):
    first, _, _ = export_with_config(team_db, tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    second, _, _ = export_with_config(team_db, again)
    assert first == second
    ids = [task["id"] for task in first] + [a["id"] for t in first for a in t["annotations"] + t["predictions"]]
    assert all(type(value) is int and 0 < value < 2**53 for value in ids)
    assert len(set(ids)) == len(ids) == 2 + 3


def test_converter_reads_margin_export(team_db, tmp_path):
    _, config, tasks_path = export_with_config(team_db, tmp_path)
    minimal = json.loads(converted(config, tasks_path, tmp_path, "JSON_MIN").read_text(encoding="utf-8"))
    regions = sorted((r["start"], r["end"], r["labels"][0]) for record in minimal for r in record.get("label", []))
    assert regions == [(0, 3, "person"), (8, 11, "person")]
    assert [record.get("note") for record in minimal if "note" in record] == ['first "note"\nsecond line']


def annotations_of(db_path: str | Path) -> set[tuple]:
    db = open_database(db_path)
    rows = set(db.execute(
        'select start, "end", label, annotator, status, note from annotations where deleted_at is null'
    ).fetchall())
    db.close()
    return rows


def test_server_export_of_margin_tasks_gives_back_their_annotators(db_location):
    db = db_location
    result = run(db, "import", DATA / "server-export-plain.json")
    assert result.exit_code == 0, result.output
    assert annotations_of(db) == {
        (0, 3, "person", "ana", "accepted", 'first "note"\nsecond line'),
        (0, 3, "person", "ben", "accepted", "ben agrees"),
        (8, 11, "person", "ben", "accepted", ""),
        # Made on the server, so not margin's: its user id, not a name from margin's map.
        (15, 21, "claim", "1", "accepted", ""),
    }
    meta = open_database(db).execute("select meta from documents").fetchone()[0]
    assert "margin_annotators" not in meta


def test_full_server_export_gives_back_suggestions_too(db_location):
    db = db_location
    assert run(db, "import", DATA / "server-export-full.json").exit_code == 0
    rows = annotations_of(db)
    assert (33, 36, "statistic", "model-x", "suggested", "") in rows
    assert (15, 21, "claim", "admin@example.org", "accepted", "") in rows
    assert {row[3] for row in rows} == {"ana", "ben", "model-x", "admin@example.org"}


def test_config_only_with_label_studio_and_never_over_the_tasks(team_db, tmp_path):
    result = run(team_db, "export", "--format", "prodigy", "-o", tmp_path / "x.jsonl", "--config", tmp_path / "c.xml")
    assert result.exit_code == 2 and "--format label-studio" in result.output
    same = tmp_path / "same.json"
    result = run(team_db, "export", "--format", "label-studio", "-o", same, "--config", same)
    assert result.exit_code == 2 and "two files" in result.output
    result = run(team_db, "export", "--format", "label-studio", "-o", tmp_path / "t.json",
                 "--config", tmp_path / "missing" / "c.xml")
    assert result.exit_code == 1 and "missing/c.xml" in result.output
    assert not (tmp_path / "t.json").exists()


def test_config_to_stdout_export(team_db, tmp_path):
    config = tmp_path / "c.xml"
    result = run(team_db, "export", "--format", "label-studio", "--config", config)
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["data"]["title"] == "Meeting"
    label_interface.LabelInterface(config.read_text(encoding="utf-8")).validate()
