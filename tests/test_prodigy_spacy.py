"""Prodigy exports checked with spaCy itself: tokens are spaCy's, spans map onto
them with ``Doc.char_span``, ``ner_manual`` tasks pass ``offsets_to_biluo_tags``,
overlaps go to ``spans_manual``, every task has an answer, imported hashes come
back, and binary rejects stay one span per task."""

from __future__ import annotations

import io
import json
import re
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from spacy.training import offsets_to_biluo_tags
from transfer_support import export_text

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.formats import prodigy
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.store.model import DocumentRecord, SpanRecord
from margin.tui.cli import cli

ANSWERS = {"accept", "reject", "ignore"}
RECIPES = "prodigy-recipes"
# The corpus's span tasks: the headlines are ner_manual, the Reddit file ner.teach.
HEADLINES = "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
REDDIT = "annotated_reddit-PRODUCT-ner.jsonl"
NLP = spacy.blank("en")


def tasks_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def source_tasks(paths: Iterable[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def overlapping(spans: list[dict]) -> bool:
    ordered = sorted((span["start"], span["end"]) for span in spans)
    return any(later[0] < earlier[1] for earlier, later in zip(ordered, ordered[1:]))


def check_with_spacy(tasks: list[dict]) -> tuple[int, int]:
    """Every claim a task makes, checked with spaCy; (spans, spans with a char_span)."""
    spans = aligned = 0
    for task in tasks:
        assert task["answer"] in ANSWERS
        doc = NLP.make_doc(task["text"])
        if task["_view_id"] == "ner":  # binary: Prodigy does not need the tokens
            assert "tokens" not in task
        else:
            assert [(t["text"], t["start"], t["end"]) for t in task["tokens"]] == [
                (token.text, token.idx, token.idx + len(token)) for token in doc
            ]
        for span in task["spans"]:
            spans += 1
            found = doc.char_span(span["start"], span["end"])
            if "token_start" in span:
                assert found is not None and found.text == span["text"] == task["text"][span["start"] : span["end"]]
                assert (found.start, found.end - 1) == (span["token_start"], span["token_end"])
                aligned += 1
            else:
                assert found is None
        if overlapping(task["spans"]):
            assert task["_view_id"] == "spans_manual"
        if task["_view_id"] == "ner_manual":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # W030: a misaligned span becomes "-", not an error
                offsets_to_biluo_tags(doc, [(s["start"], s["end"], s["label"]) for s in task["spans"]])
    return spans, aligned


@pytest.fixture
def recipes_db(db_location, corpus):
    db = open_database(db_location)
    report = import_paths(db, sorted((corpus / RECIPES).glob("*.jsonl")), format="prodigy", annotator="tester")
    assert report.ok, report.failed
    yield db
    db.close()


def test_corpus_export_agrees_with_spacy(recipes_db):
    tasks = tasks_of(export_text(recipes_db, "prodigy"))
    spans, aligned = check_with_spacy(tasks)
    # One Reddit span ("Wall Protectors--ASI", ends inside a token) has no char_span.
    # (8 source accept tasks that hold part of their text's accepted spans are not
    # written again: their spans are in the complete task.)
    assert (spans, aligned) == (2455, 2454)
    assert {task["_view_id"] for task in tasks} == {"ner_manual", "spans_manual", "ner"}


@pytest.fixture
def seed_db(db_location, seed_text, corpus):
    """The seed article with claims (its quotations), the people and verbs inside
    them, and numbers: nested spans, as margin's own users mark them."""
    db = open_database(db_location)
    document, _ = add_document(db, seed_text, title="Darién Gap")
    ensure_labels(db, ["claim", "person", "verb", "statistic"])
    verbs = json.loads((corpus / "seed" / "verbs.json").read_text(encoding="utf-8"))["spans"]
    marks = [(m.start(), m.end(), "claim") for m in re.finditer(r'"[^"\n]+"', seed_text)]
    marks += [(m.start(), m.end(), "person") for m in re.finditer(r"Mayorkas|Mulino|Watson|Blinken|Biden", seed_text)]
    marks += [(m.start(), m.end(), "statistic") for m in re.finditer(r"\d[\d,]*%?", seed_text)]
    marks += [(verb["start"], verb["end"], "verb") for verb in verbs]
    for start, end, label in marks:
        add_annotation(db, document.id, start, end, label, annotator="ana", text=seed_text)
    for start, end, label in marks:
        if label == "person":
            add_annotation(db, document.id, start, end, label, annotator="ben", text=seed_text)
    for start, end, label in marks[-3:]:
        add_annotation(db, document.id, start, end, label, annotator="ben", status="rejected", text=seed_text)
    yield db, len(marks)
    db.close()


def test_seed_overlaps_are_spans_manual(seed_db):
    db, marked = seed_db
    tasks = tasks_of(export_text(db, "prodigy"))
    ana = [t for t in tasks if t.get("_annotator_id") == "ana"]
    assert len(ana) == 1 and len(ana[0]["spans"]) == marked
    assert ana[0]["_view_id"] == "spans_manual" and overlapping(ana[0]["spans"])
    spans = [(s["start"], s["end"], s["label"]) for s in ana[0]["spans"]]
    with pytest.raises(ValueError, match="E103"):  # why ner_manual would be wrong here
        offsets_to_biluo_tags(NLP.make_doc(ana[0]["text"]), spans)
    [ben_accepted] = [t for t in tasks if t.get("_annotator_id") == "ben" and t["answer"] == "accept"]
    assert ben_accepted["_view_id"] == "ner_manual"
    total, aligned = check_with_spacy(tasks)
    people = sum(1 for s in ana[0]["spans"] if s["label"] == "person")
    assert (total, aligned) == (marked + people + 3, marked + people + 3)  # and ben's people, 3 rejects


def test_every_task_has_an_answer():
    marked = DocumentRecord(text="Ana met Ben in Paris", id="d", spans=[
        SpanRecord(0, 3, "person", annotator="ana"),
        SpanRecord(8, 11, "person", annotator="ana", status="suggested"),
    ])
    tasks = _written([marked, DocumentRecord(text="Nothing marked", id="e")])
    assert [(task["answer"], len(task["spans"])) for task in tasks] == [("accept", 1), ("ignore", 1), ("ignore", 0)]


def _written(records: list[DocumentRecord], **options) -> list[dict]:
    out = io.StringIO()
    prodigy.write(records, out, **options)
    return tasks_of(out.getvalue())


def test_binary_rejects_stay_separate(recipes_db, corpus):
    record = DocumentRecord(text="Apple sells the iPhone and the iPad", id="d", spans=[
        SpanRecord(0, 5, "PRODUCT", annotator="ana", status="rejected"),
        SpanRecord(16, 22, "PRODUCT", annotator="ana", status="rejected"),
        SpanRecord(31, 35, "PRODUCT", annotator="ana", status="rejected"),
    ])
    written = _written([record])
    assert [(t["answer"], t["_view_id"], [s["text"] for s in t["spans"]]) for t in written] == [
        ("reject", "ner", ["Apple"]), ("reject", "ner", ["iPhone"]), ("reject", "ner", ["iPad"])]
    # The corpus's ner.teach rejects: one span each, unless the source task itself had more.
    multi = {(t["_input_hash"], t["_task_hash"]) for t in source_tasks([corpus / RECIPES / REDDIT])
             if t["answer"] == "reject" and len(t["spans"]) > 1}
    rejects = [t for t in tasks_of(export_text(recipes_db, "prodigy")) if t["answer"] == "reject"]
    assert len(rejects) > 1000
    for task in rejects:
        assert len(task["spans"]) == 1 or (task["_input_hash"], task["_task_hash"]) in multi


def replayable(tasks: list[dict]) -> list[dict]:
    """The source tasks margin can write back, worked out from the files alone: span
    tasks whose spans the import kept with the task's answer (a span seen first under
    another answer keeps that one), accept tasks only when they hold all of their
    text's accepted spans, and span-less tasks of texts with no span."""
    first_answer: dict[tuple, str] = {}
    marked: set[str] = set()
    for task in tasks:
        if task.get("answer") != "ignore":
            for span in task.get("spans") or []:
                first_answer.setdefault((task["text"], span["start"], span["end"], span["label"]), task["answer"])
                marked.add(task["text"])
    accepted: dict[str, set[tuple]] = {}
    for (text, *span), answer in first_answer.items():
        if answer == "accept":
            accepted.setdefault(text, set()).add(tuple(span))
    found = []
    for task in tasks:
        spans = task.get("spans") or []
        if task.get("answer") == "ignore" and spans:
            continue
        if not spans and task["text"] in marked:
            continue
        if task["answer"] == "accept" and spans and {
                (s["start"], s["end"], s["label"]) for s in spans} != accepted.get(task["text"]):
            continue
        if all(first_answer[(task["text"], s["start"], s["end"], s["label"])] == task["answer"] for s in spans):
            found.append(task)
    return found


def test_imported_hashes_survive_a_round_trip(places, tmp_path, corpus):
    paths = [corpus / RECIPES / HEADLINES, corpus / RECIPES / REDDIT]
    db = open_database(places("hashes"))
    assert import_paths(db, paths, format="prodigy", annotator="tester").ok
    exported = tasks_of(export_text(db, "prodigy"))
    by_hash = {(t["_input_hash"], t["_task_hash"]): t for t in exported}
    expected = replayable(source_tasks(paths))
    assert len(expected) == 2076  # and 8 accept tasks that hold only part of their text's accepted spans
    for task in expected:
        written = by_hash[(task["_input_hash"], task["_task_hash"])]
        assert written["answer"] == task["answer"]
        assert sorted((s["start"], s["end"], s["label"]) for s in written["spans"]) == sorted(
            (s["start"], s["end"], s["label"]) for s in task.get("spans") or [])
    # And once more through a database loaded from margin's own export.
    path = tmp_path / "export.jsonl"
    path.write_text(export_text(db, "prodigy"), encoding="utf-8")
    again = open_database(places("again"))
    assert import_paths(again, [path], format="prodigy", annotator="tester").ok
    assert {(t["_input_hash"], t["_task_hash"]) for t in tasks_of(export_text(again, "prodigy"))} >= set(by_hash)


def test_tokens_follow_the_documents_language():
    record = DocumentRecord(text="我爱北京", id="d", meta={"lang": "zh"}, spans=[SpanRecord(2, 4, "LOC")])
    [task] = _written([record])
    assert [t["text"] for t in task["tokens"]] == ["我", "爱", "北", "京"]
    assert (task["spans"][0]["token_start"], task["spans"][0]["token_end"]) == (2, 3)
    assert task["meta"] == {"lang": "zh"}
    unknown = DocumentRecord(text="Ana met Ben", id="e", meta={"lang": "zz"}, spans=[SpanRecord(0, 3, "PER")])
    [task] = _written([unknown])
    assert [t["text"] for t in task["tokens"]] == ["Ana", "met", "Ben"]


def test_unaligned_span_keeps_offsets_without_token_indices():
    [task] = _written([DocumentRecord(text="Ana's book", id="d", spans=[SpanRecord(1, 3, "X")])])
    assert task["spans"] == [{"start": 1, "end": 3, "label": "X", "text": "na"}]


def export_cli(db: str | Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "export", *args])


@pytest.fixture
def small_db(db_location) -> str:
    db = open_database(db_location)
    document, _ = add_document(db, "Ana met Ben")
    ensure_labels(db, ["person"])
    add_annotation(db, document.id, 0, 3, "person", annotator="ana")
    db.close()
    return db_location


def test_tokens_option(small_db):
    on = tasks_of(export_cli(small_db, "--format", "prodigy").stdout)
    assert on[0]["tokens"] and on[0]["spans"][0]["token_start"] == 0
    off = tasks_of(export_cli(small_db, "--format", "prodigy", "--no-tokens").stdout)
    assert "tokens" not in off[0] and "token_start" not in off[0]["spans"][0]
    refused = export_cli(small_db, "--format", "doccano", "--tokens")
    assert refused.exit_code == 2 and "--tokens/--no-tokens apply to --format prodigy" in refused.output


def test_tokens_without_spacy_is_one_clear_error(small_db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    target = tmp_path / "out.jsonl"
    result = export_cli(small_db, "--format", "prodigy", "--tokens", "-o", str(target))
    assert result.exit_code != 0
    [message] = [line for line in result.output.splitlines() if line]
    assert "--tokens needs spaCy" in message and "pip install 'margin[spacy]'" in message
    assert not target.exists()
    plain = tasks_of(export_cli(small_db, "--format", "prodigy").stdout)  # without the flag: no tokens
    assert "tokens" not in plain[0]
