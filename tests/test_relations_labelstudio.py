"""Label Studio relations (``relation`` results) and attributes (per-region
``choices`` and ``textarea`` results) both ways, with the labelling config that
declares them, checked by Label Studio's own code (label-studio-sdk)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ElementTree

import pytest
from relation_formats_support import (
    EXPECTED_ATTRIBUTES,
    EXPECTED_RELATIONS,
    TEXT,
    attributes_in,
    counts,
    import_file,
    linked_db,
    place,
    relations_in,
    run,
)

from margin.store.db import open_database
from margin.store.errors import FormatError
from margin.store.exporting import export
from margin.store.formats import labelstudio
from margin.store.labels import list_labels
from margin.store.model import AttributeDef, DocumentRecord, RelationRecord, RelationType, SpanRecord
from margin.store.schemes import list_attribute_defs, list_relation_types

label_interface = pytest.importorskip("label_studio_sdk.label_interface")


def region(identifier: str, start: int, end: int, label: str) -> dict:
    return {"id": identifier, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}}


def per_region(identifier: str, start: int, end: int, control: str, kind: str, value: str) -> dict:
    body = {"choices": [value]} if kind == "choices" else {"text": [value]}
    return {"id": identifier, "from_name": control, "to_name": "text", "type": kind,
            "value": {"start": start, "end": end, "text": TEXT[start:end], **body}}


def relation(head: str, child: str, direction: str = "right", labels: list[str] | None = None) -> dict:
    result = {"from_id": head, "to_id": child, "type": "relation", "direction": direction}
    if labels is not None:
        result["labels"] = labels
    return result


CLAIM, ANA, BEN = place(TEXT, "40% of voters agreed"), place(TEXT, "Ana"), place(TEXT, "Ben")


def tasks_text(*results: list[dict]) -> str:
    annotations = [{"id": number, "completed_by": {"email": f"user{number}@example.org"}, "result": result}
                   for number, result in enumerate(results, 1)]
    return json.dumps([{"data": {"text": TEXT}, "annotations": annotations}], indent=1)


def ends(record: DocumentRecord) -> list[tuple]:
    def end(index: int) -> tuple[str, str]:
        found = record.spans[index]
        return found.label, TEXT[found.start : found.end]

    return [(end(r.head), end(r.child), r.type, r.annotator) for r in record.relations]


def test_relations_and_per_region_attributes_are_read():
    first = [region("c", *CLAIM, "claim"), region("a", *ANA, "person"),
             per_region("c", *CLAIM, "verdict", "choices", "false"),
             per_region("c", *CLAIM, "hedged", "choices", "hedged"),
             per_region("c", *CLAIM, "source", "textarea", "the minutes"),
             per_region("c", *CLAIM, "note", "textarea", "check this"),
             relation("c", "a", labels=["said_by"])]
    # A second annotation's regions come after the first's; its relations point at its own.
    second = [region("b", *BEN, "person"), region("c2", *CLAIM, "claim"),
              relation("c2", "b", "left", ["disputes"]), relation("b", "c2", "bi"),
              relation("c2", "b", labels=["about", "cites"])]
    warnings: list[str] = []
    [record] = labelstudio.read(io.StringIO(tasks_text(first, second)), warn=warnings.append)
    assert warnings == []
    claim = record.spans[0]
    assert claim.attributes == {"verdict": "false", "hedged": "true", "source": "the minutes"}
    assert claim.note == "check this"
    assert ends(record) == [
        (("claim", "40% of voters agreed"), ("person", "Ana"), "said_by", "user1@example.org"),
        (("person", "Ben"), ("claim", "40% of voters agreed"), "disputes", "user2@example.org"),
        (("person", "Ben"), ("claim", "40% of voters agreed"), "related", "user2@example.org"),
        (("claim", "40% of voters agreed"), ("person", "Ben"), "about", "user2@example.org"),
        (("claim", "40% of voters agreed"), ("person", "Ben"), "cites", "user2@example.org"),
    ]


def test_choices_with_several_values_are_counted_in_the_warning():
    result = per_region("c", *CLAIM, "verdict", "choices", "false")
    result["value"]["choices"] = ["false", "misleading"]
    warnings: list[str] = []
    [record] = labelstudio.read(io.StringIO(tasks_text([region("c", *CLAIM, "claim"), result])), warn=warnings.append)
    assert record.spans[0].attributes == {}
    assert warnings and "skipped 1 choices with several values" in warnings[0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (relation("c", "nowhere", labels=["said_by"]), r"relation to_id 'nowhere' names no text region"),
        (relation("c", "a", "up", ["said_by"]), r"relation direction must be one of right, left, bi, not 'up'"),
        (relation("c", "a", labels=[7]), r"a relation's \"labels\" must be a list of names"),
    ],
)
def test_a_relation_to_a_missing_region_is_refused_with_its_line(db_location, tmp_path, bad, message):
    path = tmp_path / "tasks.json"
    good = json.loads(tasks_text([region("c", *CLAIM, "claim"), region("a", *ANA, "person")]))[0]
    wrong = json.loads(tasks_text([region("c", *CLAIM, "claim"), region("a", *ANA, "person"), bad]))[0]
    path.write_text("[\n" + json.dumps(good) + ",\n" + json.dumps(wrong) + "\n]\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"^{path}:3: malformed result \({message}"):
        list(labelstudio.read(path))
    db = db_location
    result = import_file(db, path)
    assert result.exit_code == 1 and f"{path.name}:3:" in result.output
    assert counts(db) == (0, 0, 0, 0)


def linked_record() -> DocumentRecord:
    spans = [
        SpanRecord(*CLAIM, "claim", text=TEXT[slice(*CLAIM)], annotator="ana",
                   attributes={"verdict": "misleading", "hedged": "true", "note": "a value", "unit": "x"}),
        SpanRecord(*ANA, "person", text="Ana", annotator="ana"),
        SpanRecord(*BEN, "person", text="Ben", annotator="ana"),
        SpanRecord(*BEN, "person", text="Ben", annotator="model", status="suggested"),
    ]
    relations = [RelationRecord(0, 1, "said_by"), RelationRecord(2, 0, "disputes"), RelationRecord(0, 2, "about"),
                 RelationRecord(0, 2, "cites"), RelationRecord(0, 3, "about")]
    return DocumentRecord(text=TEXT, spans=spans, relations=relations, id="doc")


SCHEME = {
    "relation_types": [RelationType("said_by"), RelationType("disputes", directed=False), RelationType("about")],
    "attribute_defs": [AttributeDef("verdict", "choice", ("true", "false", "misleading"), ("claim",)),
                       AttributeDef("hedged", "flag"), AttributeDef("note", "text")],
}


def written(records: list[DocumentRecord], **options) -> tuple[list[dict], str]:
    out, config = io.StringIO(), io.StringIO()
    labelstudio.write(records, out, config=config, **options)
    return json.loads(out.getvalue()), config.getvalue()


def relation_values(config: str) -> list[str]:
    return [item.get("value") for item in ElementTree.fromstring(config).iter("Relation")]


def check_against_label_studio(tasks: list[dict], config: str) -> None:
    """The config parses and every annotation and prediction passes Label Studio's
    own checks, relation labels included (which the SDK leaves unchecked)."""
    interface = label_interface.LabelInterface(config)
    interface.validate()
    declared = set(relation_values(config))
    for task in tasks:
        for item in task["annotations"] + task["predictions"]:
            assert interface.validate_prediction(item, return_errors=True) == []
            for result in item["result"]:
                if result["type"] == "relation":
                    assert set(result["labels"]) <= declared


def test_written_results_and_config_pass_label_studio_checks():
    [task], config = written([linked_record()], **SCHEME)
    check_against_label_studio([task], config)
    [annotation] = task["annotations"]
    results = annotation["result"]
    regions = {r["value"]["start"]: r["id"] for r in results if r["type"] == "labels"}
    claim, ana, ben = regions[CLAIM[0]], regions[ANA[0]], regions[BEN[0]]
    assert [r for r in results if r["type"] == "relation"] == [
        {"from_id": claim, "to_id": ana, "type": "relation", "direction": "right", "labels": ["said_by"]},
        {"from_id": ben, "to_id": claim, "type": "relation", "direction": "bi", "labels": ["disputes"]},
        {"from_id": claim, "to_id": ben, "type": "relation", "direction": "right", "labels": ["about", "cites"]},
    ]
    attributes = {(r["from_name"], r["type"], json.dumps(r["value"].get("choices") or r["value"]["text"]))
                  for r in results if r.get("id") == claim and r["type"] != "labels"}
    assert attributes == {("verdict", "choices", '["misleading"]'), ("hedged", "choices", '["hedged"]'),
                          ("attribute-note", "textarea", '["a value"]'), ("unit", "choices", '["x"]')}
    # The suggestion's span is in the prediction, so no relation reaches it.
    assert [r["type"] for r in task["predictions"][0]["result"]] == ["labels"]
    assert relation_values(config) == ["said_by", "disputes", "about", "cites"]
    root = ElementTree.fromstring(config)
    controls = {element.get("name"): element for element in root if element.get("perRegion") == "true"}
    assert controls["verdict"].tag == "Choices" and controls["verdict"].get("whenLabelValue") == "claim"
    assert [choice.get("value") for choice in controls["verdict"]] == ["true", "false", "misleading"]
    assert [choice.get("value") for choice in controls["hedged"]] == ["hedged"]
    assert controls["attribute-note"].tag == "TextArea" and controls["note"].tag == "TextArea"
    assert [choice.get("value") for choice in controls["unit"]] == ["x"]


def test_written_tasks_read_back_with_every_relation_and_attribute():
    record = linked_record()
    [task], _ = written([record], **SCHEME)
    [again] = labelstudio.read(io.StringIO(json.dumps([task])))
    assert [s.attributes for s in again.spans] == [s.attributes for s in record.spans]
    assert sorted(ends(again)) == sorted([
        (("claim", "40% of voters agreed"), ("person", "Ana"), "said_by", "ana"),
        (("person", "Ben"), ("claim", "40% of voters agreed"), "disputes", "ana"),
        (("claim", "40% of voters agreed"), ("person", "Ben"), "about", "ana"),
        (("claim", "40% of voters agreed"), ("person", "Ben"), "cites", "ana"),
    ])


def test_export_and_import_keep_every_relation_and_attribute(places, tmp_path):
    db_path = linked_db(places("linked"))
    db = open_database(db_path)
    tasks_path, config = tmp_path / "tasks.json", io.StringIO()
    with open(tasks_path, "w", encoding="utf-8") as out:
        export(db, out, format="label-studio", options={
            "config": config, "labels": list_labels(db), "relation_types": list_relation_types(db),
            "attribute_defs": list_attribute_defs(db)})
    db.close()
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    check_against_label_studio(tasks, config.getvalue())
    directions = {r["labels"][0]: r["direction"] for t in tasks for a in t["annotations"] for r in a["result"]
                  if r["type"] == "relation"}
    assert directions == {"said_by": "right", "cites": "right", "disputes": "bi"}
    again = places("again")
    result = import_file(again, tasks_path)
    assert result.exit_code == 0, result.output
    assert relations_in(again) == EXPECTED_RELATIONS
    assert attributes_in(again) == EXPECTED_ATTRIBUTES
    assert import_file(again, tasks_path).exit_code == 0
    assert counts(again)[2:] == (3, 3)


def test_command_line_export_with_config_passes_label_studio_checks(places, tmp_path):
    db = linked_db(places("linked"))
    tasks_path, config_path = tmp_path / "tasks.json", tmp_path / "config.xml"
    result = run(db, "export", "--format", "label-studio", "-o", tasks_path, "--config", config_path)
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    config = config_path.read_text(encoding="utf-8")
    check_against_label_studio(tasks, config)
    assert {"said_by", "cites", "disputes"} <= set(relation_values(config))
    again = places("again")
    assert import_file(again, tasks_path).exit_code == 0
    assert relations_in(again) == EXPECTED_RELATIONS
    assert attributes_in(again) == EXPECTED_ATTRIBUTES



def test_a_bi_relation_creates_an_undirected_type(db_location, tmp_path):
    """``direction: bi`` says the link goes both ways: a type the import creates
    from it is undirected, so margin's own exports write it back as ``bi``."""
    path = tmp_path / "bi.json"
    path.write_text(tasks_text([
        region("a", *ANA, "person"), region("b", *BEN, "person"), relation("a", "b", "bi", ["disagrees"]),
    ]), encoding="utf-8")
    db = db_location
    result = import_file(db, path, "--format", "label-studio")
    assert result.exit_code == 0, result.output
    opened = open_database(db)
    kinds = {kind.name: kind for kind in list_relation_types(opened)}
    opened.close()
    assert kinds["disagrees"].directed is False
