"""The ``people`` suggester: named persons, label ``person``.

It reads once, at build time, every name already labelled ``person`` in the database
(accepted and live, by any annotator), so that a name one annotator marked is
suggested everywhere, with its surname alone; everything else is found by rule
(:mod:`.people_find`). A spaCy pipeline the user names in the config
(``spacy_model = "en_core_web_sm"`` in the config file, passed as ``options.extra``) adds its
``PERSON`` entities; without spaCy or without that package the rules still run, and
the reason is told once, in the suggester's ``notice`` (which the command prints),
rather than stopping the run; not also as a Python warning, which would print it twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..database import Database
from . import Options, Suggestion
from .people_find import PeopleFinder

NAME = "people"
LABEL = "person"
SPACY_SCORE = 0.75
SPACY_CHUNK = 100_000
"""Characters per call to the pipeline: a model refuses a whole book at once."""


def known_people(db: Database, label: str = LABEL) -> list[str]:
    """Every distinct live, accepted span text with ``label``."""
    rows = db.execute(
        "select distinct quote from annotations where label = ? and status = 'accepted' and deleted_at is null",
        [label],
    )
    return [quote for (quote,) in rows if quote and quote.strip()]


def load_pipeline(model: str) -> tuple[Any, str]:
    """The spaCy pipeline called ``model``, or None and why it could not be loaded."""
    try:
        import spacy
    except ImportError:
        return None, f"spacy_model = {model!r} needs spaCy, which is not installed; run: pip install 'margin[spacy]'"
    try:
        return spacy.load(model, exclude=["parser", "lemmatizer", "textcat"]), ""
    except (OSError, ImportError, ValueError) as error:
        return None, (f"spacy_model = {model!r} is not installed ({type(error).__name__}); "
                      f"run: python -m spacy download {model}, or remove it from the config")


class PeopleSuggester:
    name = NAME
    labels = (LABEL,)

    def __init__(self, finder: PeopleFinder, nlp: Any = None, notice: str = "") -> None:
        self.finder = finder
        self.nlp = nlp
        self.notice = notice
        """Why the spaCy pipeline named in the config is not used ("" when it is, or none was named)."""

    def suggest(self, text: str) -> Iterator[Suggestion]:
        for found in self.finder.find(text):
            yield Suggestion(found.start, found.end, LABEL, found.score, NAME)
        if self.nlp is not None:
            yield from self._entities(text)

    def _entities(self, text: str) -> Iterator[Suggestion]:
        offset = 0
        while offset < len(text):
            end = min(len(text), offset + SPACY_CHUNK)
            if end < len(text):
                cut = text.rfind("\n", offset, end)
                end = cut + 1 if cut > offset else end
            for ent in self.nlp(text[offset:end]).ents:
                if ent.label_ in ("PERSON", "PER"):
                    yield Suggestion(offset + ent.start_char, offset + ent.end_char, LABEL, SPACY_SCORE, NAME)
            offset = end


def build(db: Database, options: Options) -> PeopleSuggester:
    finder = PeopleFinder(known_people(db))
    model = options.extra.get("spacy_model")
    nlp, notice = (None, "")
    if isinstance(model, str) and model.strip():
        nlp, notice = load_pipeline(model.strip())
    return PeopleSuggester(finder, nlp, notice)
