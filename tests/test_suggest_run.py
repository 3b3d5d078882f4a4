"""Storing what suggesters find: status, origin and score; never a place the document
already has in any status, so a second run adds nothing and a rejection stands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from margin.store import annotations
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.suggest import Suggestion, build
from margin.store.suggest.run import scores, suggest_documents, suggestions_for

TEXT = "Over 520,000 migrants crossed; Watson said 40% were children."


@dataclass
class Fixed:
    """A suggester that finds what it is told to."""

    found: list[tuple[int, int, str, float]]
    name: str = "fixed"
    labels: tuple[str, ...] = ("statistic", "person")

    def suggest(self, text: str) -> Iterator[Suggestion]:
        for start, end, label, score in self.found:
            yield Suggestion(start, end, label, score, self.name)


def _place(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


FOUND = [(*_place("Over 520,000 migrants"), "statistic", 0.9), (*_place("Watson"), "person", 0.6),
         (*_place("40%"), "statistic", 0.4), (*_place("40%"), "statistic", 0.7), (*_place("Watson"), "nolabel", 1.0)]


def test_suggestions_are_stored_once_with_their_score(fresh_db):
    document, _ = add_document(fresh_db, TEXT)
    report = suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana")
    stored = annotations.query_annotations(fresh_db, doc_id=document.id)
    assert [(a.quote, a.label, a.status, a.origin, a.annotator) for a in stored] == [
        ("Over 520,000 migrants", "statistic", "suggested", "suggest:fixed", "ana"),
        ("Watson", "person", "suggested", "suggest:fixed", "ana"),
        ("40%", "statistic", "suggested", "suggest:fixed", "ana"),
    ]
    assert report.added == 3 and report.by_label == {"statistic": 2, "person": 1}
    assert sorted(scores(fresh_db, [a.id for a in stored]).values()) == [0.6, 0.7, 0.9]  # the best of two
    again = suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ben")
    assert again.added == 0 and again.already_there == 3


def test_a_rejected_or_deleted_suggestion_is_not_made_again(fresh_db):
    document, _ = add_document(fresh_db, TEXT)
    suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana")
    first, second, _third = annotations.query_annotations(fresh_db, doc_id=document.id)
    annotations.update_annotation(fresh_db, first.id, status="rejected")
    annotations.delete_annotation(fresh_db, second.id)
    assert suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana").added == 0
    assert annotations.get_annotation(fresh_db, first.id).status == "rejected"  # type: ignore[union-attr]


def test_filters_and_the_text_alone(fresh_db):
    add_document(fresh_db, TEXT)
    assert [s.label for s in suggestions_for(TEXT, [Fixed(FOUND)], labels=["person"])] == ["person"]
    assert [s.score for s in suggestions_for(TEXT, [Fixed(FOUND)], min_score=0.65)] == [0.9, 1.0, 0.7]  # by place
    out_of_range = Fixed([(0, len(TEXT) + 5, "statistic", 1.0), (3, 3, "statistic", 1.0)])
    assert suggestions_for(TEXT, [out_of_range]) == []
    assert suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana", min_score=0.65).added == 2


def test_an_unknown_suggester_is_named(fresh_db):
    with pytest.raises(MarginError, match="no suggester named 'nope'; choose from statistics, people"):
        build(fresh_db, ["nope"])


def test_a_suggested_span_takes_its_id_from_its_place(fresh_db, tmp_path):
    """The same place suggested in two copies is the same row, so a merge settles it."""
    from margin.store.db import open_database

    document, _ = add_document(fresh_db, TEXT)
    other = open_database(tmp_path / "other.db")
    add_document(other, TEXT)
    suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana")
    suggest_documents(other, [Fixed(FOUND)], annotator="ben")
    ours = {(a.start, a.end, a.label): a.id for a in annotations.query_annotations(fresh_db, doc_id=document.id)}
    theirs = {(a.start, a.end, a.label): a.id for a in annotations.query_annotations(other, doc_id=document.id)}
    other.close()
    assert ours == theirs and len(set(ours.values())) == 3


def _steps(db, run) -> int:
    """SQLite's work for ``run``, in thousands of virtual-machine steps."""
    counted = [0]

    def step() -> int:
        counted[0] += 1
        return 0

    db.conn.set_progress_handler(step, 1000)
    try:
        run()
    finally:
        db.conn.set_progress_handler(None, 1000)
    return counted[0]


def test_storing_a_few_suggestions_costs_the_same_however_many_spans_the_document_has(sqlite_db):
    fresh_db = sqlite_db  # counts SQLite's own steps
    """The reader stores suggestions as the reader reads: only the batch's places are looked up."""
    from margin.store.db import write
    from margin.store.suggest.run import store_suggestions

    text = "word " * 20_000
    document, _ = add_document(fresh_db, text)
    small = _steps(fresh_db, lambda: store_suggestions(
        fresh_db, document, [Suggestion(0, 4, "person", 0.5, "fixed")], annotator="ana"))
    with write(fresh_db):
        for start in range(5, len(text) - 5, 5):
            row = annotations.annotation_row(doc_id=document.id, text=text, start=start, end=start + 4,
                                             label="statistic", annotator="ben")
            fresh_db.execute(annotations.INSERT, [row[name] for name in annotations.COLUMNS])
    big = _steps(fresh_db, lambda: store_suggestions(
        fresh_db, document, [Suggestion(10, 14, "person", 0.5, "fixed")], annotator="ana"))
    assert big <= small + 5


def test_the_scheme_is_read_once_a_run_not_once_a_document(fresh_db):
    for number in range(5):
        add_document(fresh_db, f"{TEXT} ({number})")
    statements: list[str] = []
    fresh_db.conn.set_trace_callback(statements.append)
    try:
        report = suggest_documents(fresh_db, [Fixed(FOUND)], annotator="ana")
    finally:
        fresh_db.conn.set_trace_callback(None)
    assert report.documents == 5 and report.added == 15
    assert sum(" from labels" in statement for statement in statements) == 1
