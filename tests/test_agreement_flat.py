"""Agreement reads the database one shared document at a time, so memory stays flat."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from team_data import ARTICLE, add_text, mark, two_annotators

from margin.store import agreement
from margin.store.agreement import compute_agreement
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.importing import import_file
from margin.store.merge import merge_databases
from margin.store.tokens import count_tokens


def _corpus(db) -> list[str]:
    """The worked example, ten more shared documents and one only ana annotated."""
    doc_ids = [two_annotators(db)]
    for number in range(10):
        text = f"{ARTICLE} Copy {number}."
        doc_id = add_text(db, text)
        mark(db, doc_id, text, "Alice Smith", "person", "ana")
        mark(db, doc_id, text, "Alice", "person", "bob")
        mark(db, doc_id, text, "40%", "statistic", "carol" if number % 2 else "bob")
        doc_ids.append(doc_id)
    alone = add_text(db, "Only ana read this one.")
    mark(db, alone, "Only ana read this one.", "Only ana", "claim", "ana")
    return doc_ids


def test_spans_are_read_one_document_at_a_time(fresh_db, monkeypatch: pytest.MonkeyPatch) -> None:
    """One query streams the spans in document order; each document is scored before
    the next is read, so only one document's spans are ever held."""
    shared = _corpus(fresh_db)
    expected = compute_agreement(fresh_db).to_dict()
    read: list[str] = []
    held: list[int] = []
    scored_after: list[int] = []
    real_stream, real_text = agreement._shared_documents, agreement._text_and_tokens

    def stream(*args) -> Iterator[tuple[str, dict, dict]]:
        for doc_id, spans, ids in real_stream(*args):
            read.append(doc_id)
            held.append(sum(map(len, spans.values())))
            yield doc_id, spans, ids

    def text(db, doc_id: str) -> tuple[str, int]:
        scored_after.append(len(read))
        return real_text(db, doc_id)

    monkeypatch.setattr(agreement, "_shared_documents", stream)
    monkeypatch.setattr(agreement, "_text_and_tokens", text)
    report = compute_agreement(fresh_db)
    assert report.to_dict() == expected
    assert read == sorted(shared)  # the shared documents only, each once
    assert scored_after == list(range(1, len(shared) + 1))
    assert max(held) == 7  # the worked example's spans, the most in one document
    assert report.documents == 11
    pairs = {(pair.reference, pair.predicted): pair.documents for pair in report.pairs}
    assert pairs == {("ana", "bob"): 11, ("ana", "carol"): 5, ("bob", "carol"): 5}


def _tokens(db, doc_id: str) -> int | None:
    return db.execute("select tokens from documents where id = ?", [doc_id]).fetchone()[0]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_stored_count_is_the_number_of_tokens_agreement_splits(text: str) -> None:
    assert count_tokens(text) == len(re.findall(r"\w+|[^\w\s]", text))


def test_every_way_a_document_arrives_stores_its_token_count(fresh_db, tmp_path: Path) -> None:
    """Added, imported, or merged in from another file: agreement never has to split
    the text to count it."""
    text = "Alice Smith said 40% of 1,200 voters — “undecided” — would stay home."
    added, _ = add_document(fresh_db, text)
    assert _tokens(fresh_db, added.id) == 19  # 40 % 1 , 200 and each dash and quote are tokens
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Imported: two, three."}) + "\n", encoding="utf-8")
    import_file(fresh_db, source, format=None, annotator="ana")
    (imported,) = [row[0] for row in fresh_db.execute("select tokens from documents where id != ?", [added.id])]
    assert imported == 6
    theirs = open_database(tmp_path / "theirs.db")
    laptop, _ = add_document(theirs, "Only on the laptop.")
    theirs.close()
    merge_databases(fresh_db, [tmp_path / "theirs.db"])
    assert _tokens(fresh_db, laptop.id) == 5


def test_a_document_stored_before_the_count_is_counted_when_compared(fresh_db) -> None:
    _corpus(fresh_db)
    expected = compute_agreement(fresh_db).to_dict()
    with fresh_db.conn:
        fresh_db.execute("update documents set tokens = null")
    assert compute_agreement(fresh_db).to_dict() == expected
    assert expected["pairs"][0]["tokens"] > 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(["O", "claim", "person"]), min_size=1, max_size=6), st.integers(1, 50)),
        min_size=1,
        max_size=12,
    ),
    st.randoms(),
)
def test_alpha_is_the_same_whatever_order_its_units_were_counted_in(units, rnd) -> None:
    """The database chooses the order of documents and of annotators within one;
    alpha, to the last bit, does not depend on it."""
    from collections import Counter

    from margin.store.agreement_measures import alpha_from_units

    patterns = [(tuple(sorted(Counter(values).items())), weight) for values, weight in units]
    shuffled = patterns[:]
    rnd.shuffle(shuffled)
    one: Counter = Counter()
    other: Counter = Counter()
    for pattern, weight in patterns:
        one[pattern] += weight
    for pattern, weight in shuffled:
        other[pattern] += weight
    assert alpha_from_units(one) == alpha_from_units(other)
