"""Running suggesters over documents and storing what they find.

A suggestion becomes an ordinary annotation by the annotator who asked for it, with
status ``suggested`` and origin ``suggest:<name>``, and its score in
``suggestion_scores`` (migration 0007). A place is never suggested twice: not where
the same span (start, end, label) is already marked by anyone, in any status, nor
where such a span was deleted — a rejected or removed suggestion stays gone, so
running the suggesters again is idempotent. Each document is one transaction.

A suggested span's id is derived from its place (document, start, end, label), so two
copies that ran the suggesters on the same document hold the same row there, and a
merge settles it like any edit (newest wins) instead of keeping a twin of a rejection.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..annotations import COLUMNS as ANNOTATION_COLUMNS
from ..annotations import INSERT, annotation_row
from ..database import Database
from ..db import write
from ..documents import iter_documents
from ..labels import list_labels
from ..model import Annotation, Document
from . import ORIGIN_PREFIX, Suggester, Suggestion

Progress = Callable[[Document, int], None]
"""Told after each document: the document and how many suggestions it got."""


@dataclass(slots=True)
class SuggestReport:
    documents: int = 0
    added: int = 0
    already_there: int = 0
    """Suggestions skipped because the same span is marked, or was rejected or deleted."""
    by_suggester: Counter[str] = field(default_factory=Counter)
    by_label: Counter[str] = field(default_factory=Counter)
    added_ids: list[str] = field(default_factory=list)


def suggestions_for(
    text: str, suggesters: Sequence[Suggester], *, labels: Iterable[str] | None = None, min_score: float = 0.0
) -> list[Suggestion]:
    """What the suggesters find in ``text``, best first where two find the same place
    with the same label; no database is touched (a worker thread may call it)."""
    wanted = set(labels) if labels is not None else None
    best: dict[tuple[int, int, str], Suggestion] = {}
    for suggester in suggesters:
        for suggestion in suggester.suggest(text):
            if suggestion.score < min_score or (wanted is not None and suggestion.label not in wanted):
                continue
            if not 0 <= suggestion.start < suggestion.end <= len(text):
                continue
            key = (suggestion.start, suggestion.end, suggestion.label)
            if key not in best or suggestion.score > best[key].score:
                best[key] = suggestion
    return sorted(best.values(), key=lambda s: (s.start, -s.end, s.label))


CHUNK = 500
"""Places per query: SQLite caps a statement's parameters."""

SUGGESTION_NAMESPACE = uuid.UUID("6f3c2a9e-5d1b-4c8e-9a7f-2b4d6e8f0a13")
"""Fixed for ever: changing it would make old and new suggestions of one place differ."""


def suggestion_id(doc_id: str, start: int, end: int, label: str) -> str:
    """The same in every copy for the same place, so copies merge onto one row."""
    return str(uuid.uuid5(SUGGESTION_NAMESPACE, f"{doc_id}\x1f{start}\x1f{end}\x1f{label}"))


def _taken(db: Database, doc_id: str, starts: Iterable[int]) -> set[tuple[int, int, str]]:
    """The (start, end, label) of the document's spans, live, rejected or deleted, that
    begin where a suggestion does: only the batch's places are read, so storing a few
    suggestions costs the same on a document with a million spans."""
    places = sorted(set(starts))
    taken: set[tuple[int, int, str]] = set()
    # Chunked by hand, as Database.rows_in does, because the doc_id comes first.
    for first in range(0, len(places), CHUNK):
        part = places[first : first + CHUNK]
        sql = f'select start, "end", label from annotations where doc_id = ? and start in ({", ".join("?" * len(part))})'
        taken.update((start, end, label) for start, end, label in db.execute(sql, [doc_id, *part]))
    return taken


def store_suggestions(
    db: Database, document: Document, suggestions: Iterable[Suggestion], *, annotator: str,
    report: SuggestReport | None = None, known: set[str] | None = None,
) -> list[Annotation]:
    """Add the suggestions the document does not already have, in one transaction;
    returns the annotations added. Labels the scheme lacks (``known``, read here when
    not given) are skipped."""
    report = report if report is not None else SuggestReport()
    known = known if known is not None else {label.name for label in list_labels(db)}
    suggestions = list(suggestions)
    added: list[Annotation] = []
    with write(db):
        taken = _taken(db, document.id, (suggestion.start for suggestion in suggestions))
        for suggestion in suggestions:
            key = (suggestion.start, suggestion.end, suggestion.label)
            if suggestion.label not in known:
                continue
            if key in taken:
                report.already_there += 1
                continue
            taken.add(key)
            row = annotation_row(
                doc_id=document.id, text=document.text, start=suggestion.start, end=suggestion.end,
                label=suggestion.label, annotator=annotator, status="suggested",
                origin=ORIGIN_PREFIX + suggestion.suggester,
                id=suggestion_id(document.id, suggestion.start, suggestion.end, suggestion.label),
            )
            db.execute(INSERT, [row[name] for name in ANNOTATION_COLUMNS])
            db.execute("insert or replace into suggestion_scores (annotation_id, score) values (?, ?)",
                       [row["id"], round(float(suggestion.score), 4)])
            added.append(Annotation(**row))
            report.added += 1
            report.by_suggester[suggestion.suggester] += 1
            report.by_label[suggestion.label] += 1
            report.added_ids.append(str(row["id"]))
    return added


def suggest_documents(
    db: Database,
    suggesters: Sequence[Suggester],
    *,
    annotator: str,
    doc_ids: list[str] | None = None,
    labels: Iterable[str] | None = None,
    min_score: float = 0.0,
    progress: Progress | None = None,
) -> SuggestReport:
    """Run ``suggesters`` over the documents (all when ``doc_ids`` is None)."""
    report = SuggestReport()
    wanted = list(labels) if labels is not None else None
    known = {label.name for label in list_labels(db)}
    for document in iter_documents(db, doc_ids):
        found = suggestions_for(document.text, suggesters, labels=wanted, min_score=min_score)
        before = report.added
        store_suggestions(db, document, found, annotator=annotator, report=report, known=known)
        report.documents += 1
        if progress is not None:
            progress(document, report.added - before)
    return report


def scores(db: Database, annotation_ids: Iterable[str]) -> dict[str, float]:
    """The suggesters' scores of these annotations (those that have one)."""
    return dict(db.rows_in("select annotation_id, score from suggestion_scores where annotation_id in ({})",
                           annotation_ids))
