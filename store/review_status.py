"""Where a review stands: which documents are unfinished, who the reviewers are, and
copying what the annotators agree on into a reviewer's version.

Apart from ``store.review`` (the clusters and the decisions) because exports and the
command line ask these questions of many documents at a time, a batch at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .database import Database
from .db import write
from .errors import MarginError
from .model import REVIEW_PREFIX
from .relations import LIVE
from .review import AGREED_ORIGIN, Cluster, Review, Span, clusters_of, own_work, row_to_review, sync_agreed
from .review_link_decisions import sync_links
from .review_links import LinkState, document_links, relation_key, reviewer_spans, span_of
from .schemes import list_relation_types


@dataclass(slots=True, frozen=True)
class OpenReview:
    """A document whose review is unfinished: ``open`` of its ``total`` disagreements
    (span clusters, and relations and attributes once the clusters are settled) have
    no decision by the reviewer (as they stand now)."""

    doc_id: str
    title: str
    open: int
    total: int
    agreed_missing: bool = False
    """No disagreement is open, but the agreed spans (or relations, or values) are
    not all in the reviewer's version yet: ``margin review --accept-agreed`` copies
    them."""


@dataclass(slots=True)
class AgreedReport:
    """What :func:`copy_agreed` did: spans added, documents brought up to date, and
    the documents left alone because some disagreement there is still open."""

    added: int = 0
    documents: int = 0
    skipped: list[OpenReview] = field(default_factory=list)


def reviewers(db: Database) -> list[str]:
    """Everyone with a settled version in the database: live ``review:…`` spans, or
    stored decisions (a reviewer who only rejected has no span)."""
    rows = db.execute(
        "select annotator from annotations where substr(origin, 1, ?) = ? and deleted_at is null"
        " union select reviewer from reviews order by 1",
        [len(REVIEW_PREFIX), REVIEW_PREFIX],
    ).fetchall()
    return [name for (name,) in rows]


def export_reviewer(db: Database, annotators: Sequence[str] | None = None) -> str:
    """Whose settled version ``export --reviewed`` writes: exactly one reviewer, since
    two reviewers' versions of a document would come out as duplicate spans. The
    one asked for, else the only reviewer there is; otherwise refused, naming them."""
    asked = sorted(set(annotators or ()))
    if len(asked) > 1:
        raise MarginError(
            f"--reviewed exports one reviewer's version; choose one --annotator of {', '.join(asked)}"
        )
    if asked:
        return asked[0]
    found = reviewers(db)
    if not found:
        raise MarginError("nothing has been reviewed yet: settle some disagreements with margin review first")
    if len(found) > 1:
        raise MarginError(
            f"this database holds {len(found)} reviewers' versions ({', '.join(found)}); "
            "choose one with --annotator"
        )
    return found[0]


def _decisions_by_document(
    db: Database, reviewer: str, doc_ids: Sequence[str] | None
) -> dict[str, list[Review]]:
    by_doc: dict[str, list[Review]] = defaultdict(list)
    if doc_ids is None:
        rows: Iterable[dict] = db.table("reviews").rows_where(
            "reviewer = ?", [reviewer], order_by="created_at, id"
        )
    else:
        marks = ", ".join("?" * len(doc_ids))
        rows = db.table("reviews").rows_where(
            f"reviewer = ? and doc_id in ({marks})", [reviewer, *doc_ids], order_by="created_at, id"
        )
    for row in rows:
        record = row_to_review(row)
        by_doc[record.doc_id].append(record)
    return by_doc


def _sources_key(source_ids: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(ids) for ids in source_ids)


def _open_count(clusters: Sequence[Cluster], decided: Sequence[Review]) -> int:
    """Clusters with no decision as they stand now: one lookup each, not a scan of
    every decision per cluster (a long book has thousands of both)."""
    settled = {_sources_key(review.source_ids) for review in decided}
    return sum(_sources_key(cluster.source_ids) not in settled for cluster in clusters)


def _agreed_copies(db: Database, reviewer: str, doc_ids: Sequence[str]) -> dict[str, set[Span]]:
    """The reviewer's copies of agreed spans, per document."""
    marks = ", ".join("?" * len(doc_ids))
    found: dict[str, set[Span]] = defaultdict(set)
    for doc_id, start, end, label in db.execute(
        f'select doc_id, start, "end", label from annotations where annotator = ? and origin = ? '
        f"and deleted_at is null and doc_id in ({marks})",
        [reviewer, AGREED_ORIGIN, *doc_ids],
    ):
        found[doc_id].add((start, end, label))
    return found


def _links_behind(db: Database, reviewer: str, states: dict[str, LinkState]) -> set[str]:
    """The documents whose reviewer's relations or values are not what the agreement
    and the decisions make them (an annotator added an agreed one after the review,
    say): one query for each, for the whole batch."""
    if not states:
        return set()
    doc_ids = list(states)
    spans = reviewer_spans(db, reviewer, doc_ids)
    where = {a.id: span_of(a) for found in spans.values() for a in found}
    undirected = {kind.name for kind in list_relation_types(db) if not kind.directed}
    have: dict[str, set] = defaultdict(set)
    values: dict[str, dict] = defaultdict(dict)
    marks = ", ".join("?" * len(doc_ids))
    for doc_id, head, child, type in db.execute(
        f"select doc_id, head, child, type from relations where doc_id in ({marks}) and annotator = ? "
        f"and substr(origin, 1, ?) = ? and {LIVE}",
        [*doc_ids, reviewer, len(REVIEW_PREFIX), REVIEW_PREFIX],
    ):
        if head in where and child in where:
            have[doc_id].add(relation_key(where[head], where[child], type, undirected))
    for doc_id, annotation_id, name, value in db.execute(
        f"select doc_id, annotation_id, name, value from attributes where doc_id in ({marks}) "
        "and deleted_at is null",
        doc_ids,
    ):
        if annotation_id in where:
            values[doc_id][(where[annotation_id], name)] = value
    behind = set()
    for doc_id, state in states.items():
        wanted = set(state.relations)
        if (
            wanted - have[doc_id]
            or have[doc_id] - wanted - state.open_relations()
            or any(values[doc_id].get(place) != value for place, value in state.values.items())
        ):
            behind.add(doc_id)
    return behind


def open_reviews(db: Database, reviewer: str, doc_ids: Sequence[str]) -> list[OpenReview]:
    """Of these documents, in the order given, those with a disagreement the reviewer
    has not settled. Reads the documents' annotations at once, so callers pass a
    batch (an export does, one batch of documents at a time)."""
    if not doc_ids:
        return []
    work = own_work(db, doc_ids, None)
    decided = _decisions_by_document(db, reviewer, doc_ids)
    copies = _agreed_copies(db, reviewer, doc_ids)
    links = document_links(db, reviewer, doc_ids, work, decided)
    behind = _links_behind(db, reviewer, links)
    marks = ", ".join("?" * len(doc_ids))
    titles = dict(db.execute(f"select id, title from documents where id in ({marks})", list(doc_ids)).fetchall())
    found = []
    for doc_id in doc_ids:
        readers = work.get(doc_id)
        if not readers or len(readers) < 2:
            continue
        clusters, agreed = clusters_of(doc_id, readers)
        left = _open_count(clusters, decided.get(doc_id, []))
        total = len(clusters)
        if doc_id in links:
            left += links[doc_id].open
            total += len(links[doc_id].items)
        # Settled (or never disputed) but the agreed spans not copied, or out of date:
        # exported as it stands, the document would lack what everyone agreed on.
        stale = not left and (set(agreed) != copies.get(doc_id, set()) or doc_id in behind)
        if left or stale:
            found.append(OpenReview(doc_id, titles.get(doc_id, ""), left, total, agreed_missing=stale))
    return found


def copy_agreed(
    db: Database,
    reviewer: str,
    doc_ids: Sequence[str] | None = None,
    annotators: Sequence[str] | None = None,
) -> AgreedReport:
    """Copy what the annotators agree on into the reviewer's version, for every
    document at least two of them annotated and where no disagreement is open
    (none at all, which the review never visits, or all settled). A document with an
    open disagreement is left untouched and reported: copying its agreed spans alone
    would make it look reviewed, and export as if the disputed places held nothing."""
    if not reviewer:
        raise MarginError("a review needs a reviewer")
    report = AgreedReport()
    with write(db):
        work = own_work(db, doc_ids, annotators)
        decided = _decisions_by_document(db, reviewer, doc_ids)
        if doc_ids is None:
            titles = dict(db.execute("select id, title from documents order by rowid").fetchall())
        else:
            marks = ", ".join("?" * len(doc_ids))
            titles = dict(db.execute(
                f"select id, title from documents where id in ({marks}) order by rowid", list(doc_ids)
            ).fetchall())
        for doc_id, title in titles.items():
            readers = work.get(doc_id)
            if not readers or len(readers) < 2:
                continue
            clusters, agreed = clusters_of(doc_id, readers)
            left = _open_count(clusters, decided.get(doc_id, []))
            total = len(clusters)
            if not left:
                links = document_links(db, reviewer, [doc_id], work, decided).get(doc_id)
                left, total = (links.open, total + len(links.items)) if links else (0, total)
            if left:
                report.skipped.append(OpenReview(doc_id, title, left, total))
                continue
            report.added += sync_agreed(db, reviewer, doc_id, agreed)
            sync_links(db, reviewer, doc_id)
            report.documents += 1
    return report


def accept_agreed(
    db: Database,
    reviewer: str,
    doc_ids: Sequence[str] | None = None,
    annotators: Sequence[str] | None = None,
) -> int:
    """:func:`copy_agreed`, returning only how many spans were added."""
    return copy_agreed(db, reviewer, doc_ids, annotators).added
