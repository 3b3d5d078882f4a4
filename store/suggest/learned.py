"""The ``learned`` suggester: every span you labelled is a pattern (INCEpTION's string
matcher).

At build time it reads the texts of the live, accepted spans (the annotator's own
when ``options.annotator`` is set, everyone's otherwise) with their labels; the same
text found elsewhere, as whole words and with the same case, in any document it runs
on, is suggested with that label. The score is how consistently the text got the
label: "Watson" labelled ``person`` nine times and ``claim`` once scores 0.9 as a
person, and each rejection of that text with that label counts against it. Places the
document already has in any status, rejected and deleted ones too, are skipped when
the suggestions are stored (:mod:`.run`), so a rejected place stays rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..database import Database
from . import Options, Suggestion
from .patterns_phrases import PhraseMatcher

NAME = "learned"
MIN_CHARS = 2
"""Shorter texts ("a", "I") would be suggested everywhere."""


def learned_counts(db: Database, annotator: str = "") -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """(accepted, rejected): how many spans of each (text, label)."""
    where = " and annotator = ?" if annotator else ""
    params = [annotator] if annotator else []
    accepted: Counter[tuple[str, str]] = Counter()
    rejected: Counter[tuple[str, str]] = Counter()
    rows = db.execute(
        f"select quote, label, status, deleted_at is not null from annotations where status != 'suggested'{where}",
        params,
    )
    for quote, label, status, deleted in rows:
        if not quote or len(quote.strip()) < MIN_CHARS or quote != quote.strip():
            continue
        if status == "rejected":
            rejected[quote, label] += 1
        elif not deleted:
            accepted[quote, label] += 1
    return accepted, rejected


class LearnedSuggester:
    name = NAME

    def __init__(self, accepted: Counter[tuple[str, str]], rejected: Counter[tuple[str, str]] | None = None) -> None:
        rejected = rejected or Counter()
        per_text: Counter[str] = Counter()
        for (text, _), count in accepted.items():
            per_text[text] += count
        self.scores: dict[tuple[str, str], float] = {
            (text, label): round(count / (per_text[text] + rejected[text, label]), 4)
            for (text, label), count in accepted.items()
        }
        self.labels = tuple(sorted({label for _, label in self.scores}))
        phrases = sorted({text for text, _ in self.scores})
        self.by_text: dict[str, list[tuple[str, float]]] = {}
        for (text, label), score in self.scores.items():
            self.by_text.setdefault(text, []).append((label, score))
        self.matcher = PhraseMatcher(phrases)

    def suggest(self, text: str) -> Iterator[Suggestion]:
        if not self.matcher:
            return
        found = sorted(self.matcher.finditer(text), key=lambda m: (m[0], -m[1]))
        reach: dict[str, int] = {}
        for start, end, _ in found:
            for label, score in self.by_text[text[start:end]]:
                if reach.get(label, -1) >= end:
                    continue  # inside a longer text with the same label
                reach[label] = end
                yield Suggestion(start, end, label, score, NAME)


def build(db: Database, options: Options) -> LearnedSuggester | None:
    accepted, rejected = learned_counts(db, options.annotator)
    return LearnedSuggester(accepted, rejected) if accepted else None
