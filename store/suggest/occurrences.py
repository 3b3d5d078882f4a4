"""Label every occurrence: the text of one span, found again as whole words, as
suggestions with the span's label (origin ``suggest:same-text``).

The reader finds the places in the open document with its own search engine (the
pattern it builds for ``*``: whole words, smart case, any run of whitespace); this
module takes such a compiled pattern and does the same over the other documents of
the database, for the reader's "every document" variant and for any caller without a
screen. Places already marked with the label (by anyone, overlapping the match) are
skipped here; :func:`store.suggest.run.store_suggestions` then skips the exact spans
rejected or deleted before.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from ..database import Database
from ..documents import iter_documents
from ..model import Document
from . import Suggestion

NAME = "same-text"
SCORE = 1.0
"""The text is the very text the user labelled: as sure as a suggestion gets."""


def occurrences(text: str, pattern: re.Pattern[str], label: str, *, skip: tuple[int, int] | None = None) -> list[Suggestion]:
    """Every non-empty match of ``pattern`` in ``text`` but ``skip`` (the span itself)."""
    return [
        Suggestion(match.start(), match.end(), label, SCORE, NAME)
        for match in pattern.finditer(text)
        if match.end() > match.start() and match.span() != skip
    ]


def unmarked(found: Iterable[Suggestion], marked: Iterable[tuple[int, int]]) -> list[Suggestion]:
    """``found`` without the places that overlap a span in ``marked`` ([start, end) pairs
    already carrying the label): sorted once, then one bisection per suggestion."""
    spans = sorted(marked)
    starts = [start for start, _end in spans]
    longest = max((end - start for start, end in spans), default=0)
    kept = []
    for suggestion in found:
        # A span overlapping [s, e) starts before e, and ends after s: it starts after s - longest.
        low = bisect_left(starts, suggestion.start - longest)
        high = bisect_left(starts, suggestion.end)
        if not any(spans[index][1] > suggestion.start for index in range(low, high)):
            kept.append(suggestion)
    return kept


def _marked(db: Database, doc_id: str, label: str) -> list[tuple[int, int]]:
    return [
        (start, end)
        for start, end in db.execute(
            'select start, "end" from annotations where doc_id = ? and label = ? and deleted_at is null '
            "and status != 'rejected'",
            [doc_id, label],
        )
    ]


def in_corpus(
    db: Database, pattern: re.Pattern[str], label: str, *, skip_doc: str | None = None,
) -> Iterator[tuple[Document, list[Suggestion]]]:
    """Each other document's unmarked occurrences, one document at a time (only
    those with any), read-only: safe on a connection of a worker thread's own."""
    for document in iter_documents(db):
        if document.id == skip_doc:
            continue
        found = occurrences(document.text, pattern, label)
        if found:
            found = unmarked(found, _marked(db, document.id, label))
        if found:
            yield document, found
