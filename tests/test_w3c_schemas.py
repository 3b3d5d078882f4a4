"""The W3C export checked against the Web Annotation working group's own test suite:
every MUST and SHOULD assertion schema in the corpus, run by jsonschema (Draft 4,
with format checking) over a registry built from the corpus's definition files, so
nothing is fetched. Annotation assertions run on every annotation (each JSON line,
and each collection item with the collection's context); collection and page
assertions run on the collection, which embeds its page as the suite allows."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from margin.store.annotations import add_annotation, iter_annotations
from margin.store.db import open_database
from margin.store.documents import iter_documents
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.tui.cli import cli

BASE = "https://w3c.github.io/web-annotation-tests/"
"""One base for every schema: the suite's files refer to each other by bare name."""
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# RFC 3986 absolute URI: scheme ":" then only unreserved, reserved and %XX characters.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*")

SHOULD_NOT_MET = {
    # margin knows neither an article's language nor its media type: the stored text
    # is plain text taken from whatever the source serves.
    "3.2.1-bodySingleLanguage.json": "a label or note has no language",
    "3.2.1-targSingleFormat.json": "the target's media type is not known",
    "3.2.1-targSingleLanguage.json": "the article's language is not known",
    # The target is the article: its creator is the author, whom margin does not know.
    "3.3.1-targCreated.json": "when the article was written is not known",
    "3.3.1-targSingleCreator.json": "the article's author is not known",
    "3.3.2-targCreatorAgentIdImplemented.json": "no author, so no author id",
    "3.3.2-targCreatorAgentNicknameImplemented.json": "no author, so no nickname",
    "3.3.2-targCreatorAgentSingleNameImplemented.json": "no author, so no name",
    "3.3.2-targCreatorAgentTypeImplemented.json": "no author, so no type",
    # Only met by a FragmentSelector, which margin does not write.
    "4.2.1-conformsTo.json": "no FragmentSelector",
}


def format_checker() -> FormatChecker:
    """Draft 4's checks; ``uri`` and ``date-time`` are added when the optional
    packages jsonschema uses for them are not installed, so they are never skipped."""
    checker = FormatChecker(list(Draft4Validator.FORMAT_CHECKER.checkers))
    if "uri" not in checker.checkers:
        checker.checks("uri")(lambda value: not isinstance(value, str) or URI.fullmatch(value) is not None)
    if "date-time" not in checker.checkers:

        def is_date_time(value: object) -> bool:
            if not isinstance(value, str):
                return True
            return "T" in value and datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None

        checker.checks("date-time", raises=ValueError)(is_date_time)
    return checker


def load_suite(root: Path) -> tuple[Registry, list[tuple[str, str, str]]]:
    """A registry of every definition and MUST/SHOULD assertion, each under BASE and
    its file name (Draft 4 ignores an "id" beside a "$ref", so the name a schema is
    registered under is what its references resolve against), and the assertions
    as (kind, level, URI)."""
    resources = []
    assertions = []
    for path in sorted(root.rglob("*.json")):
        schema = json.loads(path.read_text())
        kind = path.relative_to(root).parts[0]  # definitions, annotations, collections (pages too)
        if kind != "definitions":
            if schema.get("assertionType") not in ("must", "should"):
                continue
            assert schema["expectedResult"] == "valid"
            assertions.append((kind, schema["assertionType"], BASE + path.name))
        resources.append((BASE + path.name, Resource.from_contents(schema, default_specification=DRAFT4)))
    assert len({uri for uri, _ in resources}) == len(resources)
    return Registry().with_resources(resources), assertions


@pytest.fixture
def exported(tmp_path, seed_text):
    """The seed article and an article from the web, with notes, several annotators
    and a span two of them agree on, exported by the CLI both ways."""
    db_path = tmp_path / "w.db"
    db = open_database(db_path)
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    web = [
        {"text": "Ana said 40% of voters agree.", "source": "https://example.org/story?id=7"},
        {"text": "Ben denied it.", "source": "saved/page.html", "meta": {"url": "https://example.org/b%C3%A9n"}},
    ]
    (tmp_path / "web.jsonl").write_text("".join(json.dumps(line) + "\n" for line in web), encoding="utf-8")
    assert import_paths(db, [tmp_path / "seed.txt"], annotator="ana").ok
    assert import_paths(db, [tmp_path / "web.jsonl"], format="margin", annotator="ana").ok
    ensure_labels(db, ["claim", "person"])
    seed, story, denial = iter_documents(db)
    add_annotation(db, seed.id, 0, 20, "claim", annotator="ana", note="first line\nsecond line")
    add_annotation(db, seed.id, 0, 20, "claim", annotator="cy dee")
    add_annotation(db, seed.id, 30, 45, "person", annotator="ben")
    add_annotation(db, story.id, 0, 3, "person", annotator="ana")
    add_annotation(db, denial.id, 0, 3, "person", annotator="ben")
    spans = len(list(iter_annotations(db)))
    db.close()
    runner = CliRunner()
    for name in ("all.jsonld", "all.jsonl"):
        result = runner.invoke(cli, ["--db", str(db_path), "export", "--format", "w3c", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    collection = json.loads((tmp_path / "all.jsonld").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    return collection, lines, spans, seed, story


def test_export_meets_every_must_and_should_of_the_suite(exported, corpus):
    collection, lines, spans, _, _ = exported
    registry, assertions = load_suite(corpus / "w3c-web-annotation")
    items = collection["first"]["items"]
    assert len(items) == len(lines) == spans == collection["total"] == 5
    annotations = lines + [{"@context": collection["@context"], **item} for item in items]
    checker = format_checker()
    failed: dict[str, str] = {}
    passed = {"must": 0, "should": 0}
    for kind, level, uri in assertions:
        validator = Draft4Validator({"$ref": uri}, registry=registry, format_checker=checker)
        instances = annotations if kind == "annotations" else [collection]
        errors = [error for instance in instances for error in validator.iter_errors(instance)]
        if errors:
            message = registry.contents(uri).get("errorMessage")
            failed[uri.removeprefix(BASE)] = f"{level}: {message} ({errors[0].message[:200]})"
        else:
            passed[level] += 1
    musts = sum(level == "must" for _, level, _ in assertions)
    shoulds = len(assertions) - musts
    assert (musts, shoulds) == (79, 38)
    assert {name: reason for name, reason in failed.items() if name not in SHOULD_NOT_MET} == {}
    assert set(failed) == set(SHOULD_NOT_MET)
    assert passed == {"must": 79, "should": 28}


def test_an_empty_export_is_a_valid_collection(fresh_db, corpus):
    from margin.store.exporting import export

    registry, assertions = load_suite(corpus / "w3c-web-annotation")
    out = io.StringIO()
    export(fresh_db, out, format="w3c")
    collection = json.loads(out.getvalue())
    assert collection["total"] == 0 and collection["first"]["items"] == []
    checker = format_checker()
    for kind, _level, uri in assertions:
        if kind == "collections":
            validator = Draft4Validator({"$ref": uri}, registry=registry, format_checker=checker)
            assert list(validator.iter_errors(collection)) == [], uri


def test_ids_totals_agents_times_and_sources(exported):
    collection, lines, _, seed, _story = exported
    page = collection["first"]
    assert collection["id"].startswith("urn:uuid:") and page["id"].startswith("urn:uuid:")
    assert page["partOf"] == collection["id"] and collection["last"] == page["id"]
    for item in lines:
        assert item["generator"]["type"] == "Software" and item["generator"]["nickname"] == "margin"
        assert item["created"].endswith("Z") and item["modified"] >= item["created"]
        assert item["generated"] >= item["modified"]
    by_creator = {(item["creator"]["nickname"], item["target"]["source"]) for item in lines}
    assert by_creator == {
        ("ana", f"urn:margin:document:{seed.id}"), ("cy dee", f"urn:margin:document:{seed.id}"),
        ("ben", f"urn:margin:document:{seed.id}"), ("ana", "https://example.org/story?id=7"),
        ("ben", "https://example.org/b%C3%A9n"),
    }
    assert {item["creator"]["id"] for item in lines} >= {"urn:margin:annotator:cy%20dee"}
    [noted] = [item for item in lines if item["motivation"] == "commenting"]
    assert noted["body"][1]["value"] == "first line\nsecond line"


IMPORTED_IDS = {
    "my span/1 ?x#y": "urn:margin:annotation:my%20span%2F1%20%3Fx%23y",
    "ünïcode id": "urn:margin:annotation:%C3%BCn%C3%AFcode%20id",
    "{0F8FAD5B-D9CB-469F-A165-70867728950E}": "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
}


def test_imported_span_ids_that_are_not_uuids_give_valid_iris(tmp_path, corpus):
    """Span ids from an imported margin file are kept; those that are not UUIDs
    (spaces, slashes, non-ASCII) still make annotation ids every assertion accepts."""
    text = "Ana said no. Ben agreed. Cy left."
    spans = [
        {"start": 4 + 9 * number, "end": 8 + 9 * number, "label": "claim", "annotator": "ana", "id": span_id}
        for number, span_id in enumerate(IMPORTED_IDS)
    ]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text, "spans": spans}) + "\n", encoding="utf-8")
    db_path = tmp_path / "w.db"
    db = open_database(db_path)
    assert import_paths(db, [source], format="margin", annotator="ana").ok
    assert {a.id for a in iter_annotations(db)} == set(IMPORTED_IDS)
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", "--format", "w3c", "-o", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    registry, assertions = load_suite(corpus / "w3c-web-annotation")
    checker = format_checker()
    failed = set()
    for kind, _level, uri in assertions:
        if kind == "annotations":
            validator = Draft4Validator({"$ref": uri}, registry=registry, format_checker=checker)
            if any(True for item in lines for _ in validator.iter_errors(item)):
                failed.add(uri.removeprefix(BASE))
    assert failed <= set(SHOULD_NOT_MET)
    assert {item["id"] for item in lines} == set(IMPORTED_IDS.values())
