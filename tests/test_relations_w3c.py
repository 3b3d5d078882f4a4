"""Relations and attributes in the W3C Web Annotation export: a relation is a
``linking`` annotation of its two spans' annotations, an attribute one more
``tagging`` body, and both pass the working group's MUST and SHOULD assertions
(run as tests/test_w3c_schemas.py runs them)."""

from __future__ import annotations

import copy
import io
import json

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from jsonschema import Draft4Validator
from test_w3c_schemas import BASE, SHOULD_NOT_MET, format_checker, load_suite

from margin.store import annotations as annotations_store
from margin.store import documents
from margin.store.attributes import set_attribute
from margin.store.db import open_database
from margin.store.formats import w3c
from margin.store.model import DocumentRecord, RelationRecord, SpanRecord
from margin.store.relations import add_relation
from margin.tui.cli import cli

TEXT = "Ana said 40% of voters agree."
CLAIM_ID, PERSON_ID, STAT_ID = (f"3f2a9c1e-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
LINK_ID = "3f2a9c1e-0000-4000-8000-0000000000aa"
DAY1, DAY2 = "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"
LINKING_SHOULD_NOT_MET = {
    # A linking annotation targets two annotations by IRI: it selects no text, so it
    # has no TextQuoteSelector whose prefix and suffix the suite looks for.
    "4.2.4-prefix.json": "no text selected, so no TextQuoteSelector",
    "4.2.4-suffix.json": "no text selected, so no TextQuoteSelector",
}


def record(**changes) -> DocumentRecord:
    spans = [
        SpanRecord(4, 28, "claim", annotator="ana", id=CLAIM_ID, created_at=DAY1, updated_at=DAY1,
                   attributes={"verdict": "misleading", "checked": "true", "unit": "voters=people"}),
        SpanRecord(0, 3, "person", annotator="ana", id=PERSON_ID, created_at=DAY1, updated_at=DAY1),
        SpanRecord(9, 12, "statistic", annotator="ben", id=STAT_ID, note="a share", created_at=DAY1, updated_at=DAY1),
    ]
    relations = [
        RelationRecord(0, 1, "said_by", note="the speaker", annotator="ben", id=LINK_ID, created_at=DAY1,
                       updated_at=DAY2),
        RelationRecord(0, 2, "cites", annotator="ana", id="my link", created_at=DAY2, updated_at=DAY2),
        RelationRecord(0, 2, "about", annotator="ana", status="rejected", id="rejected link"),
    ]
    return DocumentRecord(**{"text": TEXT, "id": "doc1", "spans": spans, "relations": relations, **changes})


def lines(*records: DocumentRecord) -> list[dict]:
    out = io.StringIO()
    w3c.write(records, out, lines=True)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def collection(*records: DocumentRecord) -> dict:
    out = io.StringIO()
    w3c.write(records, out)
    return json.loads(out.getvalue())


def test_a_relation_is_a_linking_annotation_of_its_spans_annotations_head_first():
    claim, person, statistic, said_by, cites = lines(record())
    assert said_by == {
        "@context": w3c.CONTEXT,
        "id": f"urn:uuid:{LINK_ID}",
        "type": "Annotation",
        "motivation": "linking",
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "said_by", "format": "text/plain",
             "creator": w3c.agent("ben"), "created": DAY1, "modified": DAY2},
            {"type": "TextualBody", "purpose": "commenting", "value": "the speaker", "format": "text/plain",
             "creator": w3c.agent("ben"), "created": DAY1, "modified": DAY2},
        ],
        "target": [claim["id"], person["id"]],
        "creator": w3c.agent("ben"),
        "created": DAY1,
        "modified": DAY2,
        "generator": said_by["generator"],
        "generated": said_by["generated"],
    }
    assert claim["id"] == f"urn:uuid:{CLAIM_ID}" and person["id"] == f"urn:uuid:{PERSON_ID}"
    assert cites["id"] == "urn:margin:annotation:my%20link"
    assert cites["target"] == [claim["id"], statistic["id"]]
    assert [body["value"] for body in cites["body"]] == ["cites"]
    assert "rejected link" not in json.dumps([claim, person, statistic, said_by, cites])


def test_attributes_are_tagging_bodies_after_the_label_and_before_the_note():
    claim, _person, statistic, *_ = lines(record())
    provenance = {"creator": w3c.agent("ana"), "created": DAY1, "modified": DAY1}
    assert claim["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": value, "format": "text/plain", **provenance}
        for value in ("claim", "checked=true", "unit=voters=people", "verdict=misleading")
    ]
    assert claim["motivation"] == "tagging"
    assert [(body["purpose"], body["value"]) for body in statistic["body"]] == [
        ("tagging", "statistic"), ("commenting", "a share")
    ]


def test_spans_without_ids_are_linked_by_the_ids_they_are_given():
    plain = record()
    for span in plain.spans:
        span.id = None
    claim, person, statistic, said_by, cites = lines(plain)
    assert len({claim["id"], person["id"], statistic["id"]}) == 3
    assert said_by["target"] == [claim["id"], person["id"]]
    assert cites["target"] == [claim["id"], statistic["id"]]


def test_the_collection_counts_the_linking_annotations():
    both = collection(record(), record(id="doc2", relations=[]))
    items = both["first"]["items"]
    assert both["total"] == len(items) == 5 + 3
    assert [item["motivation"] for item in items] == [
        "tagging", "tagging", "commenting", "linking", "linking", "tagging", "tagging", "commenting"
    ]


@pytest.fixture(scope="module")
def suite():
    registry, assertions = load_suite(CORPUS / "w3c-web-annotation")
    checker = format_checker()
    return [
        (kind, level, uri.removeprefix(BASE), Draft4Validator({"$ref": uri}, registry=registry, format_checker=checker))
        for kind, level, uri in assertions
    ]


def failures(suite, instance: dict, kind: str = "annotations") -> dict[str, str]:
    return {
        name: level
        for assertion_kind, level, name, validator in suite
        if assertion_kind == kind and any(True for _ in validator.iter_errors(instance))
    }


def test_every_annotation_meets_the_suite_linking_ones_included(suite):
    exported = collection(record())
    items = [{"@context": exported["@context"], **item} for item in exported["first"]["items"]] + lines(record())
    linking = [item for item in items if item["motivation"] == "linking"]
    assert len(linking) == 4
    for item in items:
        failed = failures(suite, item)
        assert "must" not in failed.values(), (item["id"], failed)
        allowed = SHOULD_NOT_MET.keys() | (LINKING_SHOULD_NOT_MET.keys() if item in linking else set())
        assert set(failed) <= allowed, (item["id"], failed)
    assert set(failures(suite, linking[0])) == SHOULD_NOT_MET.keys() | LINKING_SHOULD_NOT_MET.keys()
    assert failures(suite, exported, "collections") == {}


def _without_target(item: dict) -> None:
    del item["target"]


def _target_of_bare_ids(item: dict) -> None:
    item["target"] = [CLAIM_ID, PERSON_ID]


def _target_of_objects_without_ids(item: dict) -> None:
    item["target"] = [{"type": "Annotation"}, {"type": "Annotation"}]


def _body_without_value(item: dict) -> None:
    del item["body"][0]["value"]


def _modified_not_a_time(item: dict) -> None:
    item["modified"] = "yesterday"


@pytest.mark.parametrize(
    "break_it", [_without_target, _target_of_bare_ids, _target_of_objects_without_ids, _body_without_value,
                 _modified_not_a_time],
)
def test_the_suite_refuses_a_malformed_linking_annotation(suite, break_it):
    """The check above has teeth: each way of getting the linking annotation wrong
    fails a MUST."""
    linking = next(item for item in lines(record()) if item["motivation"] == "linking")
    broken = copy.deepcopy(linking)
    break_it(broken)
    assert "must" in failures(suite, broken).values()


@pytest.fixture
def linked_db(db_location):
    """A claim said by a person and citing a statistic, with a verdict, and a
    relation to a span since deleted (so it is not exported)."""
    db = open_database(db_location)
    doc, _ = documents.add_document(db, TEXT + " Cy too.", source="https://example.org/story")
    person = annotations_store.add_annotation(db, doc.id, 0, 3, "person", annotator="ana")
    claim = annotations_store.add_annotation(db, doc.id, 4, 28, "claim", annotator="ana")
    statistic = annotations_store.add_annotation(db, doc.id, 9, 12, "statistic", annotator="ana")
    gone = annotations_store.add_annotation(db, doc.id, 30, 32, "person", annotator="ana")
    add_relation(db, claim.id, person.id, "said_by", annotator="ben", note="on the radio")
    add_relation(db, claim.id, statistic.id, "cites", annotator="ana")
    add_relation(db, claim.id, gone.id, "about", annotator="ana")
    annotations_store.delete_annotation(db, gone.id)
    set_attribute(db, claim.id, "verdict", "misleading", annotator="ana")
    db.close()
    return db_location, claim.id, person.id, statistic.id


def test_margin_export_writes_relations_and_attributes_the_suite_accepts(linked_db, tmp_path, suite):
    path, claim_id, person_id, statistic_id = linked_db
    for name in ("out.jsonld", "out.jsonl"):
        result = CliRunner().invoke(cli, ["--db", str(path), "export", "--format", "w3c", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    exported = json.loads((tmp_path / "out.jsonld").read_text(encoding="utf-8"))
    items = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert exported["total"] == len(items) == 3 + 2
    by_id = {item["id"]: item for item in items}
    claim = by_id[f"urn:uuid:{claim_id}"]
    assert [body["value"] for body in claim["body"]] == ["claim", "verdict=misleading"]
    said_by, cites = [item for item in items if item["motivation"] == "linking"]
    assert said_by["target"] == [claim["id"], f"urn:uuid:{person_id}"]
    assert [body["value"] for body in said_by["body"]] == ["said_by", "on the radio"]
    assert said_by["creator"] == w3c.agent("ben")
    assert cites["target"] == [claim["id"], f"urn:uuid:{statistic_id}"]
    for item in items + [{"@context": exported["@context"], **item} for item in exported["first"]["items"]]:
        failed = failures(suite, item)
        allowed = SHOULD_NOT_MET.keys() | (LINKING_SHOULD_NOT_MET.keys() if item["motivation"] == "linking" else set())
        assert set(failed) <= allowed, (item["id"], failed)
    assert failures(suite, exported, "collections") == {}
