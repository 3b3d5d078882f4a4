"""Agreement on relations (matched by both ends' positions and the type, either way
round for an undirected type) and on attribute values (Cohen's kappa over the spans
both annotators marked identically, no value being a category), worked by hand."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from team_data import add_text, mark, two_annotators

from margin.store import agreement_links
from margin.store.agreement import compute_agreement
from margin.store.attributes import set_attribute
from margin.store.db import open_database
from margin.store.relations import add_relation, delete_relation
from margin.store.schemes import add_attribute_def, add_relation_type
from margin.tui.cli import cli

TEXT = "A rose. B fell. C rose. D fell. E held."
CLAIMS = ("A rose.", "B fell.", "C rose.", "D fell.", "E held.")


def approx(value: float):
    return pytest.approx(value, abs=1e-12)


def _worked_example(db) -> str:
    add_relation_type(db, "contradicts", directed=False, head_labels=["claim"], child_labels=["claim"])
    add_relation_type(db, "follows")
    add_attribute_def(db, "tone", kind="text")
    doc_id = add_text(db, TEXT)
    spans = {}
    for name in ("ana", "bob"):
        claims = [mark(db, doc_id, TEXT, quote, "claim", name).id for quote in CLAIMS]
        person = mark(db, doc_id, TEXT, "B", "person", name).id
        spans[name] = (claims, person)
    mark(db, doc_id, TEXT, "A", "person", "ana")  # only ana's: never compared for values
    (a, a_person), (b, b_person) = spans["ana"], spans["bob"]
    # relations
    add_relation(db, a[1], a_person, "said_by", annotator="ana")
    add_relation(db, b[1], b_person, "said_by", annotator="bob")  # same positions: a match
    add_relation(db, a[0], a[1], "contradicts", annotator="ana")
    add_relation(db, b[1], b[0], "contradicts", annotator="bob")  # undirected: the other way round matches
    add_relation(db, a[2], a[3], "contradicts", annotator="ana")
    add_relation(db, b[3], b[4], "contradicts", annotator="bob")
    add_relation(db, a[0], a[1], "follows", annotator="ana")
    add_relation(db, b[1], b[0], "follows", annotator="bob")  # directed: reversed is no match
    gone = add_relation(db, b[2], b[3], "follows", annotator="bob")
    delete_relation(db, gone.id)
    # values: verdicts on the five claims (None: no value)
    for claims, name, verdicts in (
        (a, "ana", ("true", "false", "true", None, "misleading")),
        (b, "bob", ("true", "false", "false", None, "true")),
    ):
        for claim, verdict in zip(claims, verdicts):
            if verdict is not None:
                set_attribute(db, claim, "verdict", verdict, annotator=name)
    set_attribute(db, a[0], "tone", "smug", annotator="ana")
    return doc_id


def _pair(report):
    (pair,) = report.pairs
    return pair


def test_hand_computed_relation_scores(fresh_db):
    _worked_example(fresh_db)
    report = compute_agreement(fresh_db)
    pair = _pair(report)
    assert report.relation_types == ["said_by", "contradicts", "follows"]
    rows = {row.type: row.scores for row in pair.relations}
    assert (rows["said_by"].matched, rows["said_by"].reference, rows["said_by"].predicted) == (1, 1, 1)
    assert rows["said_by"].f1 == 1
    assert (rows["contradicts"].matched, rows["contradicts"].reference, rows["contradicts"].predicted) == (1, 2, 2)
    assert rows["contradicts"].precision == approx(1 / 2) and rows["contradicts"].recall == approx(1 / 2)
    assert (rows["follows"].matched, rows["follows"].reference, rows["follows"].predicted) == (0, 1, 1)
    assert rows["follows"].f1 == 0
    overall = pair.relations_overall.scores
    assert (overall.matched, overall.reference, overall.predicted) == (2, 4, 4)
    assert overall.f1 == approx(1 / 2)


def test_hand_computed_attribute_kappa(fresh_db):
    _worked_example(fresh_db)
    pair = _pair(compute_agreement(fresh_db))
    values = {row.name: row for row in pair.attributes}
    assert list(values) == ["verdict", "tone"]
    # verdict, on the five identical claims (it applies to claims only, so not to "B"):
    # (t,t) (f,f) (t,f) (none,none) (m,t): po = 3/5; ana t2 f1 none1 m1, bob t2 f2 none1: pe = 7/25
    verdict = values["verdict"]
    assert verdict.spans == 5
    assert verdict.observed == approx(3 / 5)
    assert verdict.kappa == approx((3 / 5 - 7 / 25) / (1 - 7 / 25))  # 4/9
    # tone, on all six identical spans: only ana gave one, once: po = pe = 5/6, kappa 0
    tone = values["tone"]
    assert (tone.spans, tone.kappa) == (6, approx(0))
    assert tone.observed == approx(5 / 6)


def test_the_label_filter_keeps_relations_between_those_labels(fresh_db):
    _worked_example(fresh_db)
    pair = _pair(compute_agreement(fresh_db, labels=["claim"]))
    assert [row.type for row in pair.relations] == ["contradicts", "follows"]
    assert (pair.relations_overall.scores.matched, pair.relations_overall.scores.reference) == (1, 3)
    assert {row.name: row.spans for row in pair.attributes} == {"verdict": 5, "tone": 5}


def test_no_relations_or_values_leaves_the_sections_out(fresh_db, db_location):
    two_annotators(fresh_db)
    report = compute_agreement(fresh_db)
    assert report.relation_types == [] and report.attributes == []
    pair = _pair(report)
    assert pair.relations_overall is None and pair.attributes == []
    data = report.to_dict()
    assert "relation_types" not in data and "relations" not in data["pairs"][0]
    result = CliRunner().invoke(cli, ["--db", str(db_location), "agreement"])
    assert result.exit_code == 0, result.output
    assert "Relations" not in result.output and "Attributes" not in result.output


def test_relations_and_values_are_read_one_document_at_a_time(fresh_db, monkeypatch):
    first = _worked_example(fresh_db)
    other = add_text(fresh_db, "Another one.")
    for name in ("ana", "bob"):
        mark(fresh_db, other, "Another one.", "Another", "claim", name)
    alone = add_text(fresh_db, "Only ana.")
    mark(fresh_db, alone, "Only ana.", "Only", "claim", "ana")
    expected = compute_agreement(fresh_db).to_dict()
    links: list[str] = []
    values: list[str] = []
    real_links = agreement_links.LinkTally._document_links
    real_values = agreement_links.document_attributes

    def counted_links(self, db, doc_id):
        links.append(doc_id)
        return real_links(self, db, doc_id)

    def counted_values(db, doc_id):
        values.append(doc_id)
        return real_values(db, doc_id)

    monkeypatch.setattr(agreement_links.LinkTally, "_document_links", counted_links)
    monkeypatch.setattr(agreement_links, "document_attributes", counted_values)
    assert compute_agreement(fresh_db).to_dict() == expected
    assert links == values == sorted([first, other])


def test_cli_prints_and_exports_relation_and_attribute_agreement(db_path):
    db = open_database(db_path)
    _worked_example(db)
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "agreement"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("Relations" in line for line in lines)
    contradicts = next(line for line in lines if "contradicts" in line)
    assert contradicts.count("0.500") == 3
    verdict = next(line for line in lines if "verdict" in line)
    assert "0.444" in verdict and "0.600" in verdict and verdict.rstrip("│ ").endswith("5")

    data = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "agreement", "--json"]).output)
    assert data["relation_types"] == ["said_by", "contradicts", "follows"]
    assert data["attributes"] == ["verdict", "tone"]
    (pair,) = data["pairs"]
    assert pair["relations_overall"]["f1"] == 0.5
    assert {row["type"]: row["matched"] for row in pair["relations"]} == {"said_by": 1, "contradicts": 1, "follows": 0}
    assert pair["attributes"][0] == {"name": "verdict", "kappa": pytest.approx(4 / 9), "observed": 0.6, "spans": 5}
