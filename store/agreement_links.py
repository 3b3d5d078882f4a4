"""Agreement on what spans say beyond their extent: relations and attribute values.

Relations (per pair: A, first by name, is the reference; B the prediction)
    A relation counts for the annotator who made it when it is live, accepted and
    not a reviewer's (origin ``review:...``), and both its ends are live, accepted
    spans (of the ``--label`` labels, when given). It is the tuple (head start, head
    end, child start, child end, type), so two annotators who linked the same
    stretches of text agree even though their spans are different rows; an
    undirected type's ends are taken in either order. Duplicates count once.
    Precision, recall and F1 are as for spans, per type and micro-averaged.

Attributes
    Compared over the spans both annotators of a pair marked identically (same
    start, end and label), on the spans each value applies to (an attribute limited
    to claims is compared on claims). A span without a value counts as its own
    category, "none", so one annotator's verdict against the other's silence is a
    disagreement. Cohen's kappa per attribute, with the number of spans compared.

Like the span figures these are read one shared document at a time and kept as
running counts only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .agreement_measures import OVERALL, AttributeAgreement, RelationAgreement, SpanScores, cohen_kappa
from .attributes import document_attributes
from .database import Database
from .model import REVIEW_PREFIX

Span = tuple[int, int, str]
Link = tuple[str, tuple[int, int], tuple[int, int]]

_COUNTED = (
    "r.deleted_at is null and r.status = 'accepted' "
    f"and substr(coalesce(r.origin, ''), 1, {len(REVIEW_PREFIX)}) != '{REVIEW_PREFIX}' "
    "and h.deleted_at is null and h.status = 'accepted' and c.deleted_at is null and c.status = 'accepted'"
)
_JOIN = "from relations r join annotations h on h.id = r.head join annotations c on c.id = r.child"


def _in(column: str, values: Sequence[str] | None) -> tuple[str, list[str]]:
    if values is None:
        return "", []
    return f" and {column} in ({', '.join('?' for _ in values)})", list(values)


def _relation_filter(
    doc_ids: Sequence[str] | None, annotators: Sequence[str] | None, labels: Sequence[str] | None
) -> tuple[str, list[str]]:
    where, params = _COUNTED, []
    for column, values in (("r.doc_id", doc_ids), ("r.annotator", annotators), ("h.label", labels),
                           ("c.label", labels)):
        clause, more = _in(column, values)
        where += clause
        params += more
    return where, params


def _ordered(db: Database, table: str, names: Iterable[str]) -> list[str]:
    rows = db.execute(f"select name from {table} order by position, name")
    position = {name: index for index, (name,) in enumerate(rows)}
    return sorted(set(names), key=lambda name: (position.get(name, len(position)), name))


def link_key(kind: str, head: tuple[int, int], child: tuple[int, int], directed: bool) -> Link:
    """What makes two annotators' relations the same relation."""
    if not directed and child < head:
        head, child = child, head
    return kind, head, child


class LinkTally:
    """Relation and attribute counts for every pair, added to document by document."""

    def __init__(
        self,
        db: Database,
        pairs: Iterable[tuple[str, str]],
        *,
        doc_ids: Sequence[str] | None,
        annotators: Sequence[str] | None,
        labels: Sequence[str] | None,
    ) -> None:
        self.annotators, self.labels = annotators, labels
        where, params = _relation_filter(doc_ids, annotators, labels)
        self.types = _ordered(db, "relation_types", (row[0] for row in db.execute(
            f"select distinct r.type {_JOIN} where {where}", params)))
        self.directed = {name: bool(directed) for name, directed in db.execute(
            "select name, directed from relation_types")}
        spans_where = "deleted_at is null and status = 'accepted'"
        spans_clause, spans_params = _in("doc_id", doc_ids)
        label_clause, label_params = _in("label", labels)
        self.attributes = _ordered(db, "attribute_defs", (row[0] for row in db.execute(
            "select distinct name from attributes where deleted_at is null and annotation_id in "
            f"(select id from annotations where {spans_where}{spans_clause}{label_clause})",
            spans_params + label_params)))
        self.applies: dict[str, tuple[str, ...]] = {
            name: tuple(json.loads(applies or "[]"))
            for name, applies in db.execute("select name, labels from attribute_defs where retired_at is null")
        }
        pairs = list(pairs)
        self.links: dict[tuple[str, str], dict[str, SpanScores]] = {
            pair: {kind: SpanScores() for kind in self.types} for pair in pairs
        }
        self.values: dict[tuple[str, str], dict[str, Counter]] = {
            pair: {name: Counter() for name in self.attributes} for pair in pairs
        }

    def _document_links(self, db: Database, doc_id: str) -> dict[str, set[Link]]:
        where, params = _relation_filter([doc_id], self.annotators, self.labels)
        found: dict[str, set[Link]] = defaultdict(set)
        for annotator, kind, head_start, head_end, child_start, child_end in db.execute(
            f"select r.annotator, r.type, h.start, h.end, c.start, c.end {_JOIN} where {where}", params
        ):
            found[annotator].add(
                link_key(kind, (head_start, head_end), (child_start, child_end), self.directed.get(kind, True))
            )
        return found

    def add(
        self,
        db: Database,
        doc_id: str,
        pairs: Iterable[tuple[str, str]],
        spans: Mapping[str, set[Span]],
        ids: Mapping[str, Mapping[Span, str]],
    ) -> None:
        """Count one shared document for the pairs that both annotated it."""
        pairs = list(pairs)
        if self.types:
            links = self._document_links(db, doc_id)
            for reference, predicted in pairs:
                ours, theirs = links.get(reference, set()), links.get(predicted, set())
                for kind, scores in self.links[reference, predicted].items():
                    a = {link for link in ours if link[0] == kind}
                    b = {link for link in theirs if link[0] == kind}
                    scores.add(SpanScores(len(a & b), len(a), len(b)))
        if self.attributes:
            values = document_attributes(db, doc_id)
            for reference, predicted in pairs:
                counts = self.values[reference, predicted]
                for span in spans[reference] & spans[predicted]:
                    given = values.get(ids[reference][span], {})
                    other = values.get(ids[predicted][span], {})
                    for name, counter in counts.items():
                        applies = self.applies.get(name, ())
                        if not applies or span[2] in applies:
                            counter[given.get(name), other.get(name)] += 1

    def relations(self, pair: tuple[str, str]) -> tuple[list[RelationAgreement], RelationAgreement | None]:
        if not self.types:
            return [], None
        rows = [RelationAgreement(kind, scores) for kind, scores in self.links[pair].items()]
        overall = RelationAgreement(OVERALL)
        for row in rows:
            overall.scores.add(row.scores)
        return rows, overall

    def attribute_rows(self, pair: tuple[str, str]) -> list[AttributeAgreement]:
        rows = []
        for name, counter in self.values[pair].items():
            spans = sum(counter.values())
            same = sum(count for (a, b), count in counter.items() if a == b)
            rows.append(AttributeAgreement(name, cohen_kappa(counter), same / spans if spans else None, spans))
        return rows
