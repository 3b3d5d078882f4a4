"""Review: an adjudicator settles where annotators disagree, one cluster at a time.

The annotators compared are those with live, accepted annotations in a document
(their own work: spans whose origin starts with ``review:`` are a reviewer's and never
take part). Spans that every one of them marked identically — same start, end and
label — are *agreed*. The rest are grouped into *clusters*: maximal runs of spans that
overlap one another, each holding every annotator's version (possibly empty).

A decision on a cluster is stored at once, in one transaction:

- the reviewer's spans become ordinary annotations by the reviewer, status
  ``accepted``, origin ``review:<annotator>`` when adopted from that annotator, or
  ``review:edit`` when the reviewer chose the span and label themselves (a rejection
  stores none);
- a ``reviews`` row records the decision, the annotators' spans it weighed (ids with
  the ``updated_at`` they had, so a later change to them reopens the cluster), the
  ones it copied and the annotations it created;
- an earlier decision by the same reviewer on an overlapping cluster is superseded:
  its spans are tombstoned;
- the document's agreed spans are copied to the reviewer too (origin
  ``review:agreed``), kept in step with what the annotators currently agree on.

Once no cluster of a document is open, its relations and attributes are compared
on the reviewer's spans and settled the same way (``store.review_links``), their
decisions stored in ``reviews`` too.

So a reviewer's version of the data is every annotation of theirs whose origin
starts with ``review:`` (:func:`is_reviewed`; ``iter_annotations(origin_prefix=
REVIEW_PREFIX)`` reads them, as ``margin export --reviewed`` does, for one reviewer
only: :func:`export_reviewer`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from .annotations import (
    add_annotation,
    delete_annotation,
    get_annotation,
    iter_annotations,
)
from .database import Database
from .db import write
from .errors import MarginError
from .model import REVIEW_PREFIX, Annotation, new_id, now_iso

AGREED_ORIGIN = "review:agreed"
EDIT_ORIGIN = "review:edit"
SPAN_DECISIONS = ("adopted", "edited", "rejected")
"""A span cluster's; the relations' and attributes' are in ``store.review_links``."""

Span = tuple[int, int, str]


def is_reviewed(annotation: Annotation) -> bool:
    """Whether an annotation belongs to a reviewer's settled version of the data."""
    return annotation.origin.startswith(REVIEW_PREFIX)


@dataclass(slots=True)
class Cluster:
    """Overlapping spans the annotators of a document did not all mark identically."""

    doc_id: str
    start: int
    end: int
    versions: dict[str, list[Annotation]]

    @property
    def annotators(self) -> list[str]:
        return list(self.versions)

    @property
    def source_ids(self) -> list[list[str]]:
        """[id, updated_at] of every annotator span in the cluster, sorted."""
        return sorted(
            [annotation.id, annotation.updated_at]
            for spans in self.versions.values()
            for annotation in spans
        )


@dataclass(slots=True)
class DocumentDisagreement:
    doc_id: str
    title: str
    annotators: list[str]
    clusters: list[Cluster]
    agreed: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Review:
    """One stored decision (a row of ``reviews``)."""

    id: str
    doc_id: str
    reviewer: str
    start: int
    end: int
    decision: str
    adopted_from: str | None
    source_ids: list[list[str]]
    adopted_ids: list[str]
    result_ids: list[str]
    created_at: str


def own_work(
    db: Database,
    doc_ids: Sequence[str] | None,
    annotators: Sequence[str] | None,
) -> dict[str, dict[str, list[Annotation]]]:
    """doc id -> annotator -> their live accepted spans (reviewers' spans left out)."""
    work: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
    for annotation in iter_annotations(db, doc_ids=doc_ids, annotator=annotators, status="accepted"):
        if not is_reviewed(annotation):
            work[annotation.doc_id][annotation.annotator].append(annotation)
    return work


def clusters_of(doc_id: str, readers: dict[str, list[Annotation]]) -> tuple[list[Cluster], list[Span]]:
    names = sorted(readers)
    triples = {name: {(a.start, a.end, a.label) for a in readers[name]} for name in names}
    agreed = set.intersection(*triples.values())
    disputed = sorted(
        (a for name in names for a in readers[name] if (a.start, a.end, a.label) not in agreed),
        key=lambda a: (a.start, a.end, a.label, a.annotator, a.id),
    )
    clusters: list[Cluster] = []
    for annotation in disputed:
        if clusters and annotation.start < clusters[-1].end:
            cluster = clusters[-1]
            cluster.end = max(cluster.end, annotation.end)
        else:
            cluster = Cluster(doc_id, annotation.start, annotation.end, {name: [] for name in names})
            clusters.append(cluster)
        cluster.versions[annotation.annotator].append(annotation)
    return clusters, sorted(agreed)


def disagreements(
    db: Database,
    annotators: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
) -> list[DocumentDisagreement]:
    """Per document annotated by at least two of ``annotators`` (default: everyone),
    the clusters where they differ, in document order; documents in full agreement
    are left out."""
    return compared(db, own_work(db, doc_ids, annotators))


def compared(
    db: Database, work: dict[str, dict[str, list[Annotation]]], *, keep_agreed: bool = False
) -> list[DocumentDisagreement]:
    """:func:`disagreements` of what :func:`own_work` read; ``keep_agreed`` keeps the
    documents whose spans all agree too (their relations and attributes may not)."""
    titles = dict(db.execute("select id, title from documents order by rowid").fetchall())
    found = []
    for doc_id, title in titles.items():
        readers = work.get(doc_id)
        if not readers or len(readers) < 2:
            continue
        clusters, agreed = clusters_of(doc_id, readers)
        if clusters or keep_agreed:
            found.append(DocumentDisagreement(doc_id, title, sorted(readers), clusters, agreed))
    return found


JSON_COLUMNS = ("source_ids", "adopted_ids", "result_ids")


def row_to_review(row: dict) -> Review:
    return Review(**(row | {column: json.loads(row[column]) for column in JSON_COLUMNS}))


def reviews(
    db: Database, *, reviewer: str | None = None, doc_id: str | None = None
) -> list[Review]:
    """Stored decisions, oldest first."""
    clauses, params = [], []
    for column, value in (("reviewer", reviewer), ("doc_id", doc_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return [
        row_to_review(row)
        for row in db.table("reviews").rows_where(
            " and ".join(clauses) or None, params, order_by="created_at, id"
        )
    ]


def decision_for(cluster: Cluster, decisions: Iterable[Review]) -> Review | None:
    """The latest of ``decisions`` taken on exactly this cluster as it stands now."""
    current = cluster.source_ids
    matching = [
        review
        for review in decisions
        if review.doc_id == cluster.doc_id and review.source_ids == current
    ]
    return matching[-1] if matching else None


def _agreed_now(db: Database, cluster: Cluster) -> list[Span]:
    """Re-read the cluster's document inside the write: its agreed spans, or an error
    when the cluster is no longer what the reviewer was shown."""
    readers = own_work(db, [cluster.doc_id], cluster.annotators).get(cluster.doc_id, {})
    if len(readers) >= 2:
        clusters, agreed = clusters_of(cluster.doc_id, readers)
        if any(other.source_ids == cluster.source_ids for other in clusters):
            return agreed
    raise MarginError("the annotators changed these spans since they were shown; reload and review again")


def sync_agreed(db: Database, reviewer: str, doc_id: str, agreed: Iterable[Span]) -> int:
    """Make the reviewer's ``review:agreed`` spans in a document exactly ``agreed``;
    returns how many were added."""
    wanted = set(agreed)
    have: dict[Span, list[Annotation]] = defaultdict(list)
    for annotation in iter_annotations(db, doc_id=doc_id, annotator=reviewer):
        if annotation.origin == AGREED_ORIGIN:
            have[(annotation.start, annotation.end, annotation.label)].append(annotation)
    for span, copies in have.items():
        keep = 1 if span in wanted else 0
        for annotation in copies[keep:]:
            delete_annotation(db, annotation.id)
    missing = sorted(wanted - set(have))
    for start, end, label in missing:
        add_annotation(db, doc_id, start, end, label, annotator=reviewer, origin=AGREED_ORIGIN)
    return len(missing)


def _decide(
    db: Database,
    reviewer: str,
    cluster: Cluster,
    decision: str,
    spans: Sequence[tuple[int, int, str, str]],
    *,
    origin: str = EDIT_ORIGIN,
    adopted_from: str | None = None,
    adopted_ids: Sequence[str] = (),
) -> Review:
    """Store one decision: supersede earlier ones, add the kept spans (start, end,
    label, note), bring the agreed copies up to date and record it all."""
    if not reviewer:
        raise MarginError("a review needs a reviewer")
    with write(db):
        agreed = _agreed_now(db, cluster)
        for earlier in reviews(db, reviewer=reviewer, doc_id=cluster.doc_id):
            if earlier.decision in SPAN_DECISIONS and earlier.start < cluster.end and cluster.start < earlier.end:
                for annotation_id in earlier.result_ids:
                    kept = get_annotation(db, annotation_id)
                    if kept is not None and not kept.deleted:
                        delete_annotation(db, annotation_id)
        results = [
            add_annotation(
                db, cluster.doc_id, start, end, label, annotator=reviewer, note=note, origin=origin
            ).id
            for start, end, label, note in spans
        ]
        sync_agreed(db, reviewer, cluster.doc_id, agreed)
        review = Review(
            id=new_id(),
            doc_id=cluster.doc_id,
            reviewer=reviewer,
            start=cluster.start,
            end=cluster.end,
            decision=decision,
            adopted_from=adopted_from,
            source_ids=cluster.source_ids,
            adopted_ids=list(adopted_ids),
            result_ids=results,
            created_at=now_iso(),
        )
        store_review(db, review)
        from .review_link_decisions import sync_links  # it builds on this module

        sync_links(db, reviewer, cluster.doc_id)
    return review


def store_review(db: Database, review: Review) -> None:
    """Insert one decision's row (rows are never updated)."""
    row = asdict(review)
    db.table("reviews").insert(row | {column: json.dumps(row[column]) for column in JSON_COLUMNS})


def adopt(db: Database, reviewer: str, cluster: Cluster, from_annotator: str) -> Review:
    """Keep one annotator's version of the cluster (their spans, labels and notes)."""
    if from_annotator not in cluster.versions:
        raise MarginError(f"{from_annotator!r} has no version of this disagreement")
    chosen = cluster.versions[from_annotator]
    return _decide(
        db,
        reviewer,
        cluster,
        "adopted",
        [(a.start, a.end, a.label, a.note) for a in chosen],
        origin=REVIEW_PREFIX + from_annotator,
        adopted_from=from_annotator,
        adopted_ids=[a.id for a in chosen],
    )


def edit(
    db: Database, reviewer: str, cluster: Cluster, spans: Sequence[Span], note: str = ""
) -> Review:
    """Settle the cluster with spans the reviewer chose (each start, end, label)."""
    if not spans:
        raise MarginError("an edit needs at least one span; reject the disagreement to keep none")
    return _decide(db, reviewer, cluster, "edited", [(s, e, label, note) for s, e, label in spans])


def reject(db: Database, reviewer: str, cluster: Cluster) -> Review:
    """Keep no span for the cluster, and record that this was decided."""
    return _decide(db, reviewer, cluster, "rejected", [])
