"""Measuring suggesters against a gold file, without storing a single suggestion.

The gold file may be in any format ``margin import`` reads, so it is imported, by the
import machinery and its checks, into a throw-away database in a temporary folder,
never into the user's. Its documents are matched to the database's by their content
id (the hash of the text, so the same text is the same document however it was
named), which ``--doc`` uses to pick among them; the suggesters, built for the real
database (the people it knows, the model it holds), then run on each gold text in
memory and their spans are scored against the gold ones by
:func:`store.suggest.scoring.score`, exactly and by overlap, per label.

Gold spans are the file's live spans that are not rejected: a Prodigy "reject" or a
rejected margin span says what is *not* there. Only the labels the gold file uses
are scored unless labels are asked for, so a file of statistics does not count every
person the suggesters find as a false positive.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..database import Database
from ..db import open_database
from ..documents import iter_documents
from ..errors import MarginError
from ..model import Document
from . import Suggester
from .run import suggestions_for
from .scoring import Scores, score

Span = tuple[str, int, int, str]
"""(document id, start, end, label), as the scorer takes them."""
GOLD_ANNOTATOR = "gold"


@dataclass(slots=True)
class Evaluation:
    documents: int = 0
    """Gold documents the suggesters were run on."""
    in_database: int = 0
    """Of those, how many this database also holds."""
    gold: int = 0
    predicted: int = 0
    labels: list[str] = field(default_factory=list)
    scores: dict[str, Scores] = field(default_factory=dict)


def _gold_spans(gold_db: Database, labels: set[str] | None) -> set[Span]:
    rows = gold_db.execute(
        'select doc_id, start, "end", label from annotations where deleted_at is null and status != ?',
        ["rejected"],
    )
    return {(doc_id, start, end, label) for doc_id, start, end, label in rows
            if labels is None or label in labels}


def _in_database(db: Database, doc_ids: list[str]) -> set[str]:
    return {row[0] for row in db.rows_in("select id from documents where id in ({})", doc_ids)}


def evaluate(
    db: Database,
    gold_paths: Iterable[str | os.PathLike],
    suggesters: Sequence[Suggester],
    *,
    labels: Iterable[str] | None = None,
    doc_ids: Iterable[str] | None = None,
    min_score: float = 0.0,
    format: str | None = None,
    progress: Callable[[Document], None] | None = None,
) -> Evaluation:
    """Score ``suggesters`` against the gold file(s); ``db`` is only read.

    ``doc_ids`` (the database's documents, as ``--doc`` resolves them) keeps only the
    gold documents with the same text. A gold file that fails to import is refused
    with the importer's own message."""
    from ..importing import import_paths

    wanted = set(labels) if labels else None
    chosen = set(doc_ids) if doc_ids is not None else None
    with tempfile.TemporaryDirectory(prefix="margin-gold-") as folder:
        gold_db = open_database(Path(folder) / "gold.db")
        try:
            report = import_paths(gold_db, list(gold_paths), format=format, annotator=GOLD_ANNOTATOR)
            if report.failed:
                raise MarginError(f"{report.failed[0]}; nothing was evaluated")
            gold = _gold_spans(gold_db, wanted)
            scored = wanted if wanted is not None else {label for _, _, _, label in gold}
            result = Evaluation(labels=sorted(scored))
            predicted: set[Span] = set()
            documents = [d for d in iter_documents(gold_db) if chosen is None or d.id in chosen]
            result.in_database = len(_in_database(db, [d.id for d in documents]))
            kept = {d.id for d in documents}
            gold = {span for span in gold if span[0] in kept}
            for document in documents:
                found = suggestions_for(document.text, suggesters, labels=scored, min_score=min_score)
                predicted.update((document.id, s.start, s.end, s.label) for s in found)
                result.documents += 1
                if progress is not None:
                    progress(document)
        finally:
            gold_db.close()
    result.gold, result.predicted = len(gold), len(predicted)
    result.scores = score(gold, predicted)
    return result
