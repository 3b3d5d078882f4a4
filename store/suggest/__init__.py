"""Assisted annotation: suggesters that propose spans for the annotator to accept or
reject, offline, from the text and from what the database already holds.

A suggester is an object with a ``name``, the ``labels`` it can suggest and
``suggest(text)`` yielding :class:`Suggestion` (character offsets into ``text``, a
label, a score in [0, 1]). It is built for one database by its factory, which may read
what it needs once (the people already labelled, the spans you labelled, a patterns
file, a trained model), so that ``suggest`` itself never touches the database and can
run in a worker thread on text alone. :mod:`store.suggest.run` stores what they find:
status ``suggested``, origin ``suggest:<name>``, the score beside it in
``suggestion_scores``, never a span that is already there or that was rejected.

Nothing here imports Textual; heavy libraries (scikit-learn, spaCy) load only inside
the suggesters that need them, and their absence is said plainly.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..database import Database
from ..errors import MarginError

ORIGIN_PREFIX = "suggest:"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span a suggester proposes: ``[start, end)`` of the text, with ``label``."""

    start: int
    end: int
    label: str
    score: float
    suggester: str


class Suggester(Protocol):
    name: str
    labels: tuple[str, ...]

    def suggest(self, text: str) -> Iterator[Suggestion]: ...


@dataclass(frozen=True, slots=True)
class Options:
    """What the user gave that a factory may use."""

    patterns: Path | None = None
    """A Prodigy/spaCy patterns file (``margin suggest --patterns FILE``)."""
    annotator: str = ""
    """Whose labels "learned" learns from (everyone's when empty)."""
    extra: dict[str, object] = field(default_factory=dict)


SUGGESTERS: dict[str, str] = {
    "statistics": "statistics",
    "people": "people",
    "claims": "claims",
    "patterns": "patterns",
    "learned": "learned",
}
"""Name → module in this package; each module has ``build(db, options) -> Suggester``
(or None when it has nothing to offer, e.g. "patterns" without a file)."""
DEFAULT = ("statistics", "people", "claims", "learned")
"""Run when none are named: the ones that need no file."""


def build(db: Database, names: tuple[str, ...] | list[str] | None = None, options: Options | None = None) -> list[Suggester]:
    """The suggesters called ``names`` (the default set when None), ready for ``db``."""
    options = options or Options()
    chosen = list(names) if names else list(DEFAULT)
    if options.patterns is not None and "patterns" not in chosen:
        chosen.append("patterns")
    unknown = [name for name in chosen if name not in SUGGESTERS]
    if unknown:
        raise MarginError(f"no suggester named {unknown[0]!r}; choose from {', '.join(SUGGESTERS)}")
    built = []
    for name in dict.fromkeys(chosen):
        module = importlib.import_module(f"{__name__}.{SUGGESTERS[name]}")
        suggester = module.build(db, options)
        if suggester is not None:
            built.append(suggester)
    return built
