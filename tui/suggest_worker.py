"""What the reader's suggestion keys compute off the UI thread: the suggesters over
the open document, and the places where a span's text occurs again.

Each function runs in a Textual worker thread and returns a ``Found``; the screen
stores it through its editing path (one transaction, one undo step) when it arrives
as a ``SuggestionsFound`` message. Nothing here writes: a worker that reads the
database opens a read-only connection of its own, as the export does, so the app's
connection stays on the UI thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textual.message import Message

from margin.store.database import Location
from margin.store.db import open_database
from margin.store.errors import MarginError
from margin.store.model import Document
from margin.store.suggest import Options, Suggestion
from margin.store.suggest.occurrences import in_corpus, occurrences
from margin.store.suggest.run import suggestions_for

from .commands.suggest import build_suggesters, notices

Batches = list[tuple[Document, list[Suggestion]]]


@dataclass(slots=True)
class Found:
    """Suggestions for one or more documents, the open one first."""

    what: str
    """The undo step's word: "suggest", "label every"."""
    batches: Batches = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Suggesters that could not be built, each with why ("people (No module named …)")."""
    notices: list[str] = field(default_factory=list)
    """What the suggesters said about how they were built ("claims: rules only; …"), raw."""
    error: str | None = None
    label: str = ""
    """The label of "label every occurrence"; empty for the suggesters."""
    corpus: bool = False
    """Every document was searched, not only the open one."""

    @property
    def count(self) -> int:
        return sum(len(found) for _document, found in self.batches)


class SuggestionsFound(Message):
    """A worker has finished: ``found`` is for the screen to store and show."""

    def __init__(self, found: Found) -> None:
        super().__init__()
        self.found = found


def run_suggesters(db_path: Location, document: Document, annotator: str, spacy_model: str | None = None) -> Found:
    """The default suggesters over ``document``: built on a read-only connection of
    this thread's own (each reads what it needs once), then run on the text alone."""
    found = Found("suggest")
    try:
        db = open_database(db_path, readonly=True)
    except (MarginError, OSError) as error:
        found.error = str(error)
        return found
    try:
        extra: dict[str, object] = {"spacy_model": spacy_model} if spacy_model else {}
        suggesters, found.missing = build_suggesters(db, Options(annotator=annotator, extra=extra))
        found.notices = notices(suggesters)
        if suggesters:
            found.batches = [(document, suggestions_for(document.text, suggesters))]
    except Exception as error:  # a suggester's bug is said, never a crash
        found.error = f"{type(error).__name__}: {error}"
    finally:
        db.close()
    return found


def find_occurrences(
    document: Document, pattern: re.Pattern[str], label: str, span: tuple[int, int],
    *, corpus: Location | None = None,
) -> Found:
    """Where the text of ``span`` occurs again as whole words in ``document`` (the
    screen drops the places already marked), and with ``corpus`` in every other
    document of that database, marked places already dropped."""
    found = Found("label every", label=label)
    found.batches = [(document, occurrences(document.text, pattern, label, skip=span))]
    if corpus is None:
        return found
    found.corpus = True
    try:
        db = open_database(corpus, readonly=True)
    except (MarginError, OSError) as error:
        found.error = str(error)
        return found
    try:
        found.batches.extend(in_corpus(db, pattern, label, skip_doc=document.id))
    finally:
        db.close()
    return found
