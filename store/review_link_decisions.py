"""Storing the decisions on relations and attributes, and keeping the reviewer's
relations and values in step with them (what the decisions are and how their
``reviews`` rows read: ``store.review_links``).

Apart from the comparison because it writes: every review write ends in
:func:`sync_links`, and a span decision that re-creates the reviewer's spans has the
relations and values on them put back from the decisions here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .attributes import COLUMNS as ATTRIBUTE_COLUMNS
from .attributes import UPSERT as ATTRIBUTE_UPSERT
from .attributes import attributes_of
from .database import Database
from .db import write
from .errors import MarginError
from .model import REVIEW_PREFIX, Annotation, Attribute, Relation, new_id, now_iso
from .relations import COLUMNS as RELATION_COLUMNS
from .relations import INSERT as RELATION_INSERT
from .relations import LIVE, SELECT, relation_row
from .review import Review, Span, clusters_of, own_work, store_review, sync_agreed
from .review_links import (
    SEPARATOR,
    AttributeItem,
    LinkItem,
    LinkState,
    RelationItem,
    RelationKey,
    document_link_state,
    relation_key,
    reviewer_spans,
    span_of,
)
from .schemes import list_relation_types


def _reviewer_relations(db: Database, reviewer: str, doc_id: str) -> list[Relation]:
    return [
        Relation(*row)
        for row in db.execute(
            f"{SELECT} where doc_id = ? and annotator = ? and substr(origin, 1, ?) = ? and {LIVE} "
            "order by created_at, id",
            [doc_id, reviewer, len(REVIEW_PREFIX), REVIEW_PREFIX],
        )
    ]


def _current_values(db: Database, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    return defaultdict(dict, attributes_of(db, ids))


def _apply_relations(
    db: Database, reviewer: str, state: LinkState, spans: dict[Span, Annotation], stamp: str
) -> dict[RelationKey, str]:
    by_id = {a.id: triple for triple, a in spans.items()}
    undirected = {kind.name for kind in list_relation_types(db) if not kind.directed}
    open_relations = state.open_relations()
    have: dict[RelationKey, str] = {}
    for relation in _reviewer_relations(db, reviewer, state.doc_id):
        head, child = by_id.get(relation.head), by_id.get(relation.child)
        key = relation_key(head, child, relation.type, undirected) if head and child else None
        wanted = state.relations.get(key) if key else None
        fits = wanted is not None and (wanted.origin, wanted.note) == (relation.origin, relation.note)
        if key is not None and key not in have and (fits or key in open_relations):
            have[key] = relation.id
            continue
        db.execute("update relations set deleted_at = ?, updated_at = ? where id = ?", [stamp, stamp, relation.id])
    for key, copy in state.relations.items():
        head_span, child_span = spans.get(copy.head), spans.get(copy.child)
        if key in have or head_span is None or child_span is None:
            continue
        row = relation_row(doc_id=state.doc_id, head=head_span.id, child=child_span.id, type=copy.type,
                           annotator=reviewer, note=copy.note, origin=copy.origin, created_at=stamp)
        db.execute(RELATION_INSERT, [row[name] for name in RELATION_COLUMNS])
        have[key] = str(row["id"])
    return have


def _apply_values(db: Database, reviewer: str, state: LinkState, spans: dict[Span, Annotation], stamp: str) -> None:
    current = _current_values(db, [span.id for span in spans.values()])
    for (span, name), value in state.values.items():
        target = spans.get(span)
        if target is None or current[target.id].get(name) == value:
            continue
        if value is None:
            db.execute(
                "update attributes set deleted_at = ?, updated_at = ? where annotation_id = ? and name = ?",
                [stamp, stamp, target.id, name],
            )
            continue
        created = db.execute(
            "select created_at from attributes where annotation_id = ? and name = ?", [target.id, name]
        ).fetchone()
        row = Attribute(target.id, name, value, state.doc_id, reviewer, created[0] if created else stamp, stamp, None)
        db.execute(ATTRIBUTE_UPSERT, [getattr(row, column) for column in ATTRIBUTE_COLUMNS])


def _apply(db: Database, reviewer: str, state: LinkState) -> tuple[dict[RelationKey, str], dict[Span, Annotation]]:
    """Make the reviewer's relations and values what ``state`` wants; open items are
    left as they are, like the spans of a reopened cluster. Returns the reviewer's
    relation per key and span per place."""
    spans: dict[Span, Annotation] = {}
    for annotation in reviewer_spans(db, reviewer, [state.doc_id]).get(state.doc_id, []):
        spans.setdefault(span_of(annotation), annotation)
    stamp = now_iso()
    relations = _apply_relations(db, reviewer, state, spans, stamp)
    _apply_values(db, reviewer, state, spans, stamp)
    return relations, spans


def sync_links(db: Database, reviewer: str, doc_id: str) -> None:
    """Inside a review write: bring the reviewer's relations and values of a
    document in step with the agreement and the decisions (nothing while a span
    cluster there is open)."""
    state = document_link_state(db, reviewer, doc_id)
    if state is not None:
        _apply(db, reviewer, state)


def _decide(
    db: Database, reviewer: str, item: LinkItem, decision: str, adopted_from: str | None, adopted_ids: list[str]
) -> Review:
    if not reviewer:
        raise MarginError("a review needs a reviewer")
    with write(db):
        state = document_link_state(db, reviewer, item.doc_id)
        if state is None or not any(
            type(other) is type(item) and other.source_ids == item.source_ids for other in state.items
        ):
            raise MarginError("the annotators changed this since it was shown; reload and review again")
        readers = own_work(db, [item.doc_id], None)[item.doc_id]
        sync_agreed(db, reviewer, item.doc_id, clusters_of(item.doc_id, readers)[1])
        review = Review(
            id=new_id(), doc_id=item.doc_id, reviewer=reviewer, start=item.start, end=item.end,
            decision=decision, adopted_from=adopted_from, source_ids=item.source_ids,
            adopted_ids=adopted_ids, result_ids=[], created_at=now_iso(),
        )
        after = document_link_state(db, reviewer, item.doc_id, [review])
        assert after is not None  # the item was found above, in the same transaction
        relations, spans = _apply(db, reviewer, after)
        if isinstance(item, RelationItem):
            kept = relations.get((item.head, item.child, item.type)) if decision == "kept" else None
            review.result_ids = [kept] if kept else []
        elif decision == "chosen" and item.span in spans:
            review.result_ids = [f"{spans[item.span].id}{SEPARATOR}{item.name}"]
        store_review(db, review)
    return review


def keep_relation(db: Database, reviewer: str, item: RelationItem, from_annotator: str | None = None) -> Review:
    """Keep the relation, copied from ``from_annotator`` (default: the first who made it)."""
    makers = [name for name, relation in item.made.items() if relation is not None]
    name = from_annotator or makers[0]
    source = item.made.get(name)
    if source is None:
        raise MarginError(f"{name!r} did not make this relation")
    return _decide(db, reviewer, item, "kept", name, [source.id])


def drop_relation(db: Database, reviewer: str, item: RelationItem) -> Review:
    """Keep no such relation in the reviewer's version."""
    return _decide(db, reviewer, item, "dropped", None, [])


def choose_value(db: Database, reviewer: str, item: AttributeItem, from_annotator: str) -> Review:
    """Take ``from_annotator``'s value (having none clears it)."""
    if from_annotator not in item.values:
        raise MarginError(f"{from_annotator!r} did not mark this span")
    value = item.values[from_annotator]
    adopted = [item.sources[from_annotator][0]] if value is not None else []
    return _decide(db, reviewer, item, "chosen" if value is not None else "cleared", from_annotator, adopted)


def clear_value(db: Database, reviewer: str, item: AttributeItem) -> Review:
    """Give the span no value of this attribute in the reviewer's version."""
    return _decide(db, reviewer, item, "cleared", None, [])


def adopt(db: Database, reviewer: str, item: LinkItem, from_annotator: str) -> Review:
    """Take one annotator's version of the item: their relation or its absence, their value or none."""
    if isinstance(item, AttributeItem):
        return choose_value(db, reviewer, item, from_annotator)
    if from_annotator not in item.made:
        raise MarginError(f"{from_annotator!r} did not mark both ends of this relation")
    if item.made[from_annotator] is None:
        return _decide(db, reviewer, item, "dropped", from_annotator, [])
    return keep_relation(db, reviewer, item, from_annotator)


def drop(db: Database, reviewer: str, item: LinkItem) -> Review:
    """Keep neither the relation nor any value."""
    return drop_relation(db, reviewer, item) if isinstance(item, RelationItem) else clear_value(db, reviewer, item)
