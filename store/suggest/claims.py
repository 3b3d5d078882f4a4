"""The ``claims`` suggester: sentences worth checking, labelled ``claim``.

A suggestion is always a **whole sentence** (from its first character to its closing
punctuation and quotes, outer space trimmed), never the quotation alone: a fact-check
needs who said it as much as what was said, the CLEF CheckThat data the classifier is
measured on marks whole sentences, and one unit keeps rules and classifier comparable.

Rules (:mod:`.claims_rules`) find attributed statements and statistics with a
comparison or change; a classifier trained from the database's own ``claim`` labels
(:mod:`.claims_model`), when one is stored, scores every sentence too. With it, a
sentence's score is the classifier's probability raised by what the rules found (see
:func:`combine`), so a team's labels re-rank the rules' finds and add sentences the
rules miss. Without it, the rules alone run. ``notice`` says which, for the command
to print.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..database import Database
from . import Options, Suggestion
from .claims_model import ClaimModel, load, terms
from .claims_rules import facts
from .claims_sentences import sentences

LABEL = "claim"
THRESHOLD = 0.5
"""A sentence is suggested from this score up (the rules' weakest find is 0.6)."""
RULE_WEIGHT = 0.5
"""How much of the gap to 1 a rule's find closes over the classifier's probability."""


def combine(rule: float, probability: float) -> float:
    """The score of a sentence the rules gave ``rule`` and the classifier ``probability``:
    the classifier decides the order, and a rule's find lifts a sentence by part of
    the distance left to 1."""
    return probability + RULE_WEIGHT * rule * (1.0 - probability)


@dataclass(slots=True)
class ClaimsSuggester:
    model: ClaimModel | None = None
    notice: str = ""
    threshold: float = THRESHOLD
    name: str = "claims"
    labels: tuple[str, ...] = (LABEL,)

    def scored(self, text: str) -> list[tuple[int, int, float]]:
        """Every sentence of ``text`` with its score (0 for headings and questions)."""
        spans = sentences(text)
        found = facts(text, spans)
        result = []
        for (start, end), sentence in zip(spans, found):
            rule = sentence.score()
            if self.model is None or sentence.heading or sentence.question:
                score = rule
            else:
                score = combine(rule, self.model.probability(terms(text[start:end], sentence)))
            result.append((start, end, score))
        return result

    def suggest(self, text: str) -> Iterator[Suggestion]:
        for start, end, score in self.scored(text):
            if score >= self.threshold:
                yield Suggestion(start, end, LABEL, round(score, 4), self.name)


def build(db: Database, options: Options) -> ClaimsSuggester:
    """The suggester with the database's stored classifier, when it has one."""
    model, notice = load(db)
    return ClaimsSuggester(model=model, notice=notice)
