"""Exports and versions: a document with a newer version is written only for the
spans that could not move onto it (its orphans), with the old text they fit; an
older version left empty is not written; --no-orphans leaves both out; naming a
document with --doc writes it whatever it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.exporting import iter_records
from margin.store.importing import import_paths
from margin.tui.cli import cli

CHANGED, REVISED = "520,000 migrants", "530,000 migrants"
DROPPED = "José Raúl Mulino"
NLP = spacy.blank("en")


def run(db: str | Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def records(db: str | Path, *args: str) -> dict[str, dict]:
    """Document id -> its margin JSONL record."""
    found = [json.loads(line) for line in run(db, "export", *args).splitlines()]
    return {record["id"]: record for record in found}


class Versions:
    """Three versions of the seed article: v1 keeps the orphan (the paragraph naming
    Mulino is cut in v2), v2 is left empty once its figure moves on to v3."""

    def __init__(self, db_path: str | Path, article: Path, seed_text: str) -> None:
        self.db_path = db_path
        db = open_database(db_path)
        texts = [
            seed_text,
            "".join(line for line in seed_text.splitlines(keepends=True) if DROPPED not in line),
        ]
        texts.append(texts[1].replace(CHANGED, REVISED))
        self.ids: list[str] = []
        for number, text in enumerate(texts):
            article.write_text(text, encoding="utf-8")
            report = import_paths(db, [article], annotator="ana", update=True)
            assert report.ok, report.failed
            self.ids.append(report.files[0].document_ids[0])
            if number == 0:
                for quote, label in ((CHANGED, "statistic"), (DROPPED, "person")):
                    start = text.index(quote)
                    add_annotation(db, self.ids[0], start, start + len(quote), label, annotator="ana")
        self.texts = texts
        db.close()


@pytest.fixture
def three(db_location: str, tmp_path: Path, seed_text: str) -> Versions:
    return Versions(db_location, tmp_path / "article.txt", seed_text)


def test_default_export_has_the_orphan_on_its_old_text_and_no_empty_old_version(three: Versions) -> None:
    v1, _, v3 = three.ids
    found = records(three.db_path)
    assert list(found) == [v1, v3]
    (orphan,) = found[v1]["spans"]
    assert found[v1]["text"] == three.texts[0]
    assert (orphan["label"], orphan["text"]) == ("person", DROPPED)
    assert three.texts[0][orphan["start"] : orphan["end"]] == DROPPED
    assert [(span["label"], span["text"]) for span in found[v3]["spans"]] == [("statistic", REVISED)]


def test_no_orphans_leaves_out_the_spans_and_their_documents(three: Versions) -> None:
    v1, _, v3 = three.ids
    assert list(records(three.db_path, "--no-orphans")) == [v3]
    db = open_database(three.db_path)
    try:
        assert [record.id for record in iter_records(db, orphans=False)] == [v3]
        assert [record.id for record in iter_records(db)] == [v1, v3]
    finally:
        db.close()


def test_an_old_version_named_with_doc_is_exported(three: Versions) -> None:
    v1, v2, _ = three.ids
    assert records(three.db_path, "--doc", v2[:10]) == {v2: records(three.db_path, "--doc", v2)[v2]}
    assert records(three.db_path, "--doc", v2[:10])[v2]["spans"] == []
    assert [span["text"] for span in records(three.db_path, "--doc", v1[:10])[v1]["spans"]] == [DROPPED]
    named = records(three.db_path, "--doc", v1[:10], "--no-orphans")
    assert list(named) == [v1] and named[v1]["spans"] == []


def test_prodigy_tasks_carry_the_orphan_on_the_text_it_fits(three: Versions) -> None:
    tasks = [json.loads(line) for line in run(three.db_path, "export", "--format", "prodigy").splitlines()]
    by_text = {task["text"]: task for task in tasks}
    assert set(by_text) == {three.texts[0], three.texts[2]}  # v2's text is in no task
    (orphan,) = by_text[three.texts[0]]["spans"]
    assert orphan["label"] == "person"
    doc = NLP.make_doc(three.texts[0])
    assert doc.char_span(orphan["start"], orphan["end"]).text == DROPPED
    (moved,) = by_text[three.texts[2]]["spans"]
    assert three.texts[2][moved["start"] : moved["end"]] == REVISED
    current = [json.loads(line) for line in
               run(three.db_path, "export", "--format", "prodigy", "--no-orphans").splitlines()]
    assert [task["text"] for task in current] == [three.texts[2]]
