"""Agreement reads the database one shared document at a time, so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from team_data import ARTICLE, add_text, mark, two_annotators

from margin.store import agreement
from margin.store.agreement import compute_agreement
from margin.store.model import Annotation


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
    shared = _corpus(fresh_db)
    expected = compute_agreement(fresh_db).to_dict()
    calls: list[object] = []
    held = [0, 0]  # spans of the current call, most in any call
    real = agreement.iter_annotations

    def counted(db, **filters) -> Iterator[Annotation]:
        calls.append(filters.get("doc_id"))
        held[0] = 0
        for annotation in real(db, **filters):
            held[0] += 1
            held[1] = max(held)
            yield annotation

    monkeypatch.setattr(agreement, "iter_annotations", counted)
    report = compute_agreement(fresh_db)
    assert report.to_dict() == expected
    assert calls == sorted(shared)  # once per shared document, never for all
    assert held[1] == 7  # the worked example's spans, the most in one document
    assert report.documents == 11
    pairs = {(pair.reference, pair.predicted): pair.documents for pair in report.pairs}
    assert pairs == {("ana", "bob"): 11, ("ana", "carol"): 5, ("bob", "carol"): 5}
