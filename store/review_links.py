"""Review of relations and attributes, once a document's spans are settled.

Spans are compared first (``store.review``); relations and attributes hang on spans,
so they are compared only in a document with no open span cluster, on the spans of
the reviewer's version (the agreed spans and those the decisions kept). A span is
matched across versions by its (start, end, label): the reviewer's span at a place
stands for every annotator's span there.

- A *relation* is (head span, child span, type), the ends undirected for an
  undirected type. Every annotator who marked both ends either made it or not; when
  all of them made it, it is agreed and copied to the reviewer's version (origin
  ``review:agreed``); otherwise it is a :class:`RelationItem` the reviewer keeps
  (copied from an annotator who made it, origin ``review:<annotator>``, with their
  note) or drops.
- An *attribute* is (span, name): every annotator who marked the span has a value
  or none. The same value everywhere is agreed and copied; otherwise it is an
  :class:`AttributeItem` the reviewer settles by taking one annotator's value (or
  their having none).

A decision is a ``reviews`` row like a span decision, told apart by its
``decision``: ``kept`` / ``dropped`` for a relation, ``chosen`` / ``cleared`` for an
attribute (``LINK_DECISIONS``). ``start``/``end`` cover the item's span(s);
``adopted_from`` names the annotator whose relation or value was taken;
``source_ids`` are what was weighed, each with the ``updated_at`` it had — for a
relation the ids of the annotators' relations, for an attribute
``<annotation id>\\x1f<name>`` of every annotator's span there (``""`` where it had no
value) — so that a later change by an annotator reopens the item, exactly as for a
span cluster; ``adopted_ids`` the relation or value taken; ``result_ids`` the
reviewer's relation, or ``<reviewer's annotation id>\\x1f<name>``. Rows are never
updated, so merges keep inserting the missing ones.

The reviewer's relations and values are derived from these rows by
``store.review_link_decisions.sync_links``, run inside every review write:
re-deciding a span cluster creates new reviewer spans, and the relations and values
on them are put back. Only the reviewer's relations with a ``review:`` origin, and
the values of attributes some annotator gives, are touched: what a reviewer adds by
hand in the reader stays (so does a value every annotator later clears).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .annotations import iter_annotations
from .database import Database
from .model import REVIEW_PREFIX, Annotation, Relation
from .relations import LIVE, SELECT
from .review import AGREED_ORIGIN, DocumentDisagreement, Review, Span, clusters_of, compared, own_work, reviews
from .schemes import list_relation_types

RELATION_DECISIONS = ("kept", "dropped")
ATTRIBUTE_DECISIONS = ("chosen", "cleared")
LINK_DECISIONS = RELATION_DECISIONS + ATTRIBUTE_DECISIONS
SEPARATOR = "\x1f"

RelationKey = tuple[Span, Span, str]
SourceKey = tuple[tuple[str, ...], ...]


def sources_key(source_ids: Iterable[Sequence[str]]) -> SourceKey:
    return tuple(tuple(ids) for ids in source_ids)


@dataclass(slots=True)
class RelationItem:
    """A relation some annotators who marked both its ends made, and others not."""

    doc_id: str
    head: Span
    child: Span
    type: str
    made: dict[str, Relation | None]
    """Every annotator who marked both ends → their relation, or None."""

    @property
    def start(self) -> int:
        return min(self.head[0], self.child[0])

    @property
    def end(self) -> int:
        return max(self.head[1], self.child[1])

    @property
    def annotators(self) -> list[str]:
        return list(self.made)

    @property
    def source_ids(self) -> list[list[str]]:
        return sorted([r.id, r.updated_at] for r in self.made.values() if r is not None)


@dataclass(slots=True)
class AttributeItem:
    """An attribute of one span on which the annotators who marked it differ."""

    doc_id: str
    span: Span
    name: str
    values: dict[str, str | None]
    """Every annotator who marked the span → their value, or None."""
    sources: dict[str, list[str]]
    """annotator → [``<their span id>\\x1f<name>``, updated_at or ""]."""

    @property
    def start(self) -> int:
        return self.span[0]

    @property
    def end(self) -> int:
        return self.span[1]

    @property
    def annotators(self) -> list[str]:
        return list(self.values)

    @property
    def source_ids(self) -> list[list[str]]:
        return sorted(self.sources.values())


LinkItem = RelationItem | AttributeItem


@dataclass(slots=True)
class _Copy:
    """A relation wanted in the reviewer's version, oriented as its maker made it."""

    head: Span
    child: Span
    type: str
    origin: str
    note: str = ""


@dataclass(slots=True)
class LinkState:
    """One document's relations and attributes as the reviewer should have them."""

    doc_id: str
    items: list[LinkItem] = field(default_factory=list)
    relations: dict[RelationKey, _Copy] = field(default_factory=dict)
    """Agreed, or settled as kept."""
    values: dict[tuple[Span, str], str | None] = field(default_factory=dict)
    """Agreed, or settled (None: no value)."""
    decided: dict[int, Review] = field(default_factory=dict)
    """Item index → the decision that settles it as it stands now."""

    @property
    def open(self) -> int:
        return len(self.items) - len(self.decided)

    def open_relations(self) -> set[RelationKey]:
        """The keys of the relation items nobody settled (as they stand now)."""
        return {
            (item.head, item.child, item.type)
            for index, item in enumerate(self.items)
            if isinstance(item, RelationItem) and index not in self.decided
        }


@dataclass(slots=True)
class _Batch:
    """The annotators' relations and values of a batch of documents, read at once."""

    relations: dict[str, list[Relation]]
    values: dict[str, dict[str, tuple[str | None, str]]]
    """annotation id → name → (value, updated_at)."""
    undirected: set[str]


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _read_batch(db: Database, doc_ids: Sequence[str]) -> _Batch:
    relations: dict[str, list[Relation]] = defaultdict(list)
    values: dict[str, dict[str, tuple[str | None, str]]] = defaultdict(dict)
    for start in range(0, len(doc_ids), 500):
        batch = list(doc_ids[start : start + 500])
        marks = _placeholders(batch)
        for row in db.execute(
            f"{SELECT} where doc_id in ({marks}) and status = 'accepted' and substr(origin, 1, ?) != ? "
            f"and {LIVE} order by created_at, id",
            [*batch, len(REVIEW_PREFIX), REVIEW_PREFIX],
        ):
            relation = Relation(*row)
            relations[relation.doc_id].append(relation)
        for annotation_id, name, value, updated_at in db.execute(
            f"select annotation_id, name, value, updated_at from attributes where doc_id in ({marks}) "
            "and deleted_at is null",
            batch,
        ):
            values[annotation_id][name] = (value, updated_at)
    undirected = {kind.name for kind in list_relation_types(db) if not kind.directed}
    return _Batch(relations, values, undirected)


def span_of(annotation: Annotation) -> Span:
    return (annotation.start, annotation.end, annotation.label)


def relation_key(head: Span, child: Span, type: str, undirected: set[str]) -> RelationKey:
    if type in undirected and child < head:
        head, child = child, head
    return (head, child, type)


def _decisions_by_sources(decisions: Iterable[Review]) -> dict[SourceKey, Review]:
    """The latest link decision per set of sources weighed."""
    return {
        sources_key(decided.source_ids): decided for decided in decisions if decided.decision in LINK_DECISIONS
    }


def _relations(
    state: LinkState,
    readers: dict[str, list[Annotation]],
    settled: set[Span],
    batch: _Batch,
    decided: dict[SourceKey, Review],
) -> None:
    owner = {a.id: a for spans in readers.values() for a in spans}
    triples = {name: {span_of(a) for a in spans} for name, spans in readers.items()}
    made: dict[RelationKey, dict[str, Relation]] = defaultdict(dict)
    for relation in batch.relations.get(state.doc_id, []):
        head, child = owner.get(relation.head), owner.get(relation.child)
        # A relation is its ends' annotator's work; one across two versions is neither's.
        if head is None or child is None or head.annotator != child.annotator:
            continue
        if span_of(head) not in settled or span_of(child) not in settled:
            continue
        key = relation_key(span_of(head), span_of(child), relation.type, batch.undirected)
        made[key].setdefault(head.annotator, relation)
    for key in sorted(made):
        head_at, child_at, type = key
        makers = made[key]
        markers = sorted(name for name, marked in triples.items() if head_at in marked and child_at in marked)
        first = makers[min(makers)]
        oriented = (owner[first.head], owner[first.child])
        if all(name in makers for name in markers):
            state.relations[key] = _Copy(span_of(oriented[0]), span_of(oriented[1]), type, AGREED_ORIGIN)
            continue
        item = RelationItem(state.doc_id, head_at, child_at, type, {name: makers.get(name) for name in markers})
        decision = decided.get(sources_key(item.source_ids))
        if decision is not None:
            state.decided[len(state.items)] = decision
            source = item.made.get(decision.adopted_from or "")
            if decision.decision == "kept" and source is not None:
                ends = (owner[source.head], owner[source.child])
                state.relations[key] = _Copy(
                    span_of(ends[0]), span_of(ends[1]), type, REVIEW_PREFIX + (decision.adopted_from or ""), source.note
                )
        state.items.append(item)


def _attributes(
    state: LinkState,
    readers: dict[str, list[Annotation]],
    settled: set[Span],
    batch: _Batch,
    decided: dict[SourceKey, Review],
) -> None:
    spans: dict[Span, dict[str, Annotation]] = defaultdict(dict)
    for name, own in readers.items():
        for annotation in own:
            if span_of(annotation) in settled:
                spans[span_of(annotation)].setdefault(name, annotation)
    for span in sorted(spans):
        marked = dict(sorted(spans[span].items()))
        names = sorted({attribute for a in marked.values() for attribute in batch.values.get(a.id, {})})
        for attribute in names:
            found = {who: batch.values.get(a.id, {}).get(attribute, (None, "")) for who, a in marked.items()}
            values = {who: value for who, (value, _) in found.items()}
            if len(set(values.values())) == 1:
                state.values[(span, attribute)] = next(iter(values.values()))
                continue
            sources = {who: [f"{a.id}{SEPARATOR}{attribute}", found[who][1]] for who, a in marked.items()}
            item = AttributeItem(state.doc_id, span, attribute, values, sources)
            decision = decided.get(sources_key(item.source_ids))
            if decision is not None:
                state.decided[len(state.items)] = decision
                chosen = values.get(decision.adopted_from or "") if decision.decision == "chosen" else None
                state.values[(span, attribute)] = chosen
            state.items.append(item)


def link_state(
    doc_id: str,
    readers: dict[str, list[Annotation]],
    settled: set[Span],
    batch: _Batch,
    decisions: Iterable[Review],
) -> LinkState:
    """Compare one document's relations and attributes on the ``settled`` spans."""
    state = LinkState(doc_id)
    decided = _decisions_by_sources(decisions)
    _relations(state, readers, settled, batch, decided)
    _attributes(state, readers, settled, batch, decided)
    order = sorted(range(len(state.items)), key=lambda i: (state.items[i].start, state.items[i].end, i))
    moved = {old: new for new, old in enumerate(order)}
    state.decided = {moved[index]: decision for index, decision in state.decided.items()}
    state.items = [state.items[i] for i in order]
    return state


def reviewer_spans(db: Database, reviewer: str, doc_ids: Sequence[str]) -> dict[str, list[Annotation]]:
    """doc id → the reviewer's live spans of their settled version."""
    found: dict[str, list[Annotation]] = defaultdict(list)
    ids = list(doc_ids)
    for start in range(0, len(ids), 500):  # under SQLite's limit on parameters
        for annotation in iter_annotations(
            db, doc_ids=ids[start : start + 500], annotator=reviewer, origin_prefix=REVIEW_PREFIX
        ):
            found[annotation.doc_id].append(annotation)
    return found


def document_links(
    db: Database,
    reviewer: str,
    doc_ids: Sequence[str],
    work: dict[str, dict[str, list[Annotation]]],
    decisions: dict[str, list[Review]],
) -> dict[str, LinkState]:
    """For the documents of ``doc_ids`` whose span clusters are all settled, their
    relations and attributes compared. ``work`` and ``decisions`` are what the
    caller already read (``own_work`` and the reviewer's decisions per document)."""
    batch = _read_batch(db, list(doc_ids))
    mine = reviewer_spans(db, reviewer, doc_ids)
    states = {}
    for doc_id in doc_ids:
        readers = work.get(doc_id)
        if not readers or len(readers) < 2:
            continue
        clusters, agreed = clusters_of(doc_id, readers)
        settled_sources = {sources_key(d.source_ids) for d in decisions.get(doc_id, [])}
        if any(sources_key(cluster.source_ids) not in settled_sources for cluster in clusters):
            continue
        settled = set(agreed) | {span_of(a) for a in mine.get(doc_id, [])}
        states[doc_id] = link_state(doc_id, readers, settled, batch, decisions.get(doc_id, []))
    return states


def document_link_state(db: Database, reviewer: str, doc_id: str, extra: Sequence[Review] = ()) -> LinkState | None:
    """One document's :class:`LinkState` as it stands (``extra``: decisions about to
    be stored); None while a span cluster there is open."""
    work = own_work(db, [doc_id], None)
    decisions = {doc_id: [*reviews(db, reviewer=reviewer, doc_id=doc_id), *extra]}
    return document_links(db, reviewer, [doc_id], work, decisions).get(doc_id)


def review_documents(
    db: Database, reviewer: str, doc_ids: Sequence[str] | None = None
) -> tuple[list[DocumentDisagreement], dict[str, LinkState]]:
    """What ``margin review`` walks: the documents with a span cluster, or with a
    relation or attribute the annotators differ on, and the latter per document."""
    work = own_work(db, doc_ids, None)
    documents = compared(db, work, keep_agreed=True)
    decided: dict[str, list[Review]] = defaultdict(list)
    for decision in reviews(db, reviewer=reviewer):
        decided[decision.doc_id].append(decision)
    states = document_links(db, reviewer, [document.doc_id for document in documents], work, decided)
    kept = [d for d in documents if d.clusters or (d.doc_id in states and states[d.doc_id].items)]
    return kept, states
