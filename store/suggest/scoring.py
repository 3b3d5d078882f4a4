"""Precision, recall and F1 of predicted spans against gold spans, exact and by
overlap, per label: one scorer for the bench and for ``margin suggest --evaluate``,
so that both print the same figures.

A span is ``(doc_key, start, end, label)``. **Exact**: a prediction matches when a
gold span has the same document, offsets and label. **Overlap**: a prediction
matches when it shares at least one character with a gold span of the same document
and label; the matching is one-to-one (each gold span is matched at most once, and
so is each prediction), the largest such matching, so two predictions inside one gold
span count one hit and one false positive. It is the matching the agreement report
uses (:func:`store.agreement_measures.overlap_matches`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from ..agreement_measures import OVERALL, SpanScores, overlap_matches

Span = tuple[Hashable, int, int, str]


@dataclass(slots=True)
class Scores:
    """One label's figures (``label == "all"`` for every label together)."""

    label: str
    exact: SpanScores = field(default_factory=SpanScores)
    overlap: SpanScores = field(default_factory=SpanScores)

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()}


def score(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Scores]:
    """``{label: Scores}`` for every label either side uses, plus ``"all"``."""
    by_key: dict[tuple[str, Hashable], tuple[set[tuple[int, int]], set[tuple[int, int]]]] = defaultdict(
        lambda: (set(), set())
    )
    for doc, start, end, label in gold:
        by_key[label, doc][0].add((start, end))
    for doc, start, end, label in predicted:
        by_key[label, doc][1].add((start, end))
    result: dict[str, Scores] = {}
    overall = Scores(OVERALL)
    for (label, _doc), (gold_spans, predicted_spans) in by_key.items():
        row = result.setdefault(label, Scores(label))
        exact = SpanScores(len(gold_spans & predicted_spans), len(gold_spans), len(predicted_spans))
        overlap = SpanScores(overlap_matches(gold_spans, predicted_spans), len(gold_spans), len(predicted_spans))
        for target in (row, overall):
            target.exact.add(exact)
            target.overlap.add(overlap)
    result = dict(sorted(result.items()))
    result[OVERALL] = overall
    return result
