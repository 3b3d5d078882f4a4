"""A revised article as a new version of its document, seen from the store: realistic edits
of the seed article, and what happens to the spans, relations, values, bookmarks and reading
positions that were on the old text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from team_data import next_batch
from test_reanchor import Segment, build, lines, survives

from margin.store import versions
from margin.store.annotations import add_annotation, get_annotation
from margin.store.attributes import document_attributes, set_attribute
from margin.store.bookmarks import add_bookmark, list_bookmarks
from margin.store.changes import ChangeFeed
from margin.store.database import Database
from margin.store.documents import add_document, list_documents
from margin.store.errors import MarginError
from margin.store.model import Annotation
from margin.store.reading import get_position, set_position
from margin.store.reanchor_review import reattach, review_items, undo_reattach
from margin.store.relations import add_relation, document_relations
from margin.store.timestamps import just_after
from margin.store.version_moves import add_version, settle

SOURCE = "/news/darien-gap.txt"
DELETED = (
    ' "As the United States continues to secure our borders and remove individuals without a legal basis '
    'to remain, we are grateful for our partnership with Panama to manage the historic levels of migration '
    'across the Western Hemisphere."'
)
INSERTED = "Officials said the first flights would leave within weeks, according to a spokesperson.\n"

PEOPLE = ["Alejandro Mayorkas", "José Raúl Mulino", "Adrienne Watson", "Antony J. Blinken", "Joe Biden", "Watson"]
STATISTICS = ["520,000", "60-mile", "21 partners", "22 countries", "40%", "120", "7-day"]
CLAIMS = [
    '"Irregular migration is a regional challenge that requires a regional response,"',
    "we are grateful for our partnership with Panama",
    '"unprecedented irregular migration through the Darien region,"',
    "halt the enrichment of malign smuggling networks",
]


def _figure(seed: str) -> list[Segment]:
    at = seed.index("520,000")
    return [(0, at), "530,000", (at + 7, len(seed))]


def _insert(seed: str) -> list[Segment]:
    cut = lines(seed)[3][0]
    return [(0, cut), INSERTED, (cut, len(seed))]


def _delete(seed: str) -> list[Segment]:
    at = seed.index(DELETED)
    return [(0, at), (at + len(DELETED), len(seed))]


def _move(seed: str) -> list[Segment]:
    para = lines(seed)
    return [para[16], para[0], para[1], *para[4:13], para[2], para[3], *para[13:16], *para[17:]]


def _quote(seed: str) -> list[Segment]:
    at = seed.index("requires a regional")
    return [(0, at), "demands", (at + len("requires"), len(seed))]


def _replace_all(seed: str, pattern: str, replace: Callable[[re.Match[str]], str]) -> list[Segment]:
    segments: list[Segment] = []
    pos = 0
    for m in re.finditer(pattern, seed):
        segments += [(pos, m.start()), replace(m)]
        pos = m.end()
    return [*segments, (pos, len(seed))]


def _whitespace(seed: str) -> list[Segment]:
    return _replace_all(seed, r"\. (?=[A-Z])|\n", lambda m: ".  " if m.group() != "\n" else "\n\n")


def _curly(seed: str) -> list[Segment]:
    count = iter(range(10_000))
    return _replace_all(seed, '"', lambda m: "\u201d" if next(count) % 2 else "\u201c")


EDITS: dict[str, Callable[[str], list[Segment]]] = {
    "corrected figure": _figure,
    "inserted paragraph": _insert,
    "deleted sentence": _delete,
    "moved paragraphs": _move,
    "changed quote": _quote,
    "whitespace": _whitespace,
    "curly quotes": _curly,
}


@dataclass
class Revision:
    old: str
    new: str
    where: dict[int, int]
    v1: str
    v2: str
    spans: list[Annotation]


def annotate(db: Database, text: str, doc_id: str) -> list[Annotation]:
    """Named people, figures and quoted claims, and every fourth word as a claim."""
    spans: list[Annotation] = []
    for label, phrases in (("person", PEOPLE), ("statistic", STATISTICS), ("claim", CLAIMS)):
        for words in phrases:
            start = text.index(words)
            spans.append(add_annotation(db, doc_id, start, start + len(words), label, annotator="ana"))
    taken = {(s.start, s.end) for s in spans}
    for m in list(re.finditer(r"\w[\w'.,%-]*\w|\w", text))[1::4]:
        if (m.start(), m.end()) not in taken:
            spans.append(add_annotation(db, doc_id, m.start(), m.end(), "claim", annotator="ana"))
    return spans


def revise(db: Database, seed: str, kind: str) -> Revision:
    v1, _ = add_document(db, seed, source=SOURCE)
    spans = annotate(db, seed, v1.id)
    new, where = build(seed, EDITS[kind](seed))
    v2, created = add_document(db, new, source=SOURCE)
    assert created
    return Revision(seed, new, where, v1.id, v2.id, spans)


def text_of(db: Database, doc_id: str) -> str:
    return db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]


def now(db: Database, span: Annotation) -> Annotation:
    got = get_annotation(db, span.id)
    assert got is not None
    return got


def table(db: Database, name: str) -> list[tuple]:
    return db.execute(f"select * from {name} order by rowid").fetchall()


@pytest.mark.parametrize("kind", list(EDITS))
def test_every_span_lands_on_its_text_or_is_marked(fresh_db: Database, seed_text: str, kind: str) -> None:
    r = revise(fresh_db, seed_text, kind)
    number, report = add_version(fresh_db, r.v1, r.v2)
    assert number == 2
    new = text_of(fresh_db, r.v2)
    review = {item.annotation_id: item for item in review_items(fresh_db, r.v2)}
    survivors = 0
    for span in r.spans:
        got = now(fresh_db, span)
        target = survives(r.where, span.start, span.end)
        if target is not None:
            survivors += 1
            assert got.doc_id == r.v2, (kind, span.quote)
            assert (got.start, got.end) == (target, target + len(span.quote)), (kind, span.quote)
            assert new[got.start : got.end] == span.quote == got.quote
            assert span.id not in review
        elif got.doc_id == r.v2:
            assert review[span.id].kind == "changed", (kind, span.quote)
            assert review[span.id].old_quote == span.quote and got.quote == new[got.start : got.end]
        else:
            assert (got.doc_id, got.start, got.end, got.quote) == (r.v1, span.start, span.end, span.quote)
            assert review[span.id].kind == "orphan"
        if got.doc_id == r.v2 and got.quote != span.quote:
            assert review[span.id].kind == "changed", (kind, span.quote, got.quote)
    assert survivors > len(r.spans) // 2
    assert len(report.moved) + len(report.orphans) == len(r.spans)
    assert {m.annotation_id for m in report.changed} == {i for i, item in review.items() if item.kind == "changed"}


EXPECTED: dict[str, Callable[[int, int], bool]] = {
    "corrected figure": lambda changed, orphans: (changed, orphans) == (1, 0),
    "inserted paragraph": lambda changed, orphans: (changed, orphans) == (0, 0),
    "moved paragraphs": lambda changed, orphans: (changed, orphans) == (0, 0),
    "changed quote": lambda changed, orphans: changed >= 1 and changed + orphans <= 2,
    "deleted sentence": lambda changed, orphans: orphans >= 3,
    "curly quotes": lambda changed, orphans: (changed, orphans) == (2, 0),  # the two quoted claims
    "whitespace": lambda changed, orphans: changed >= 1 and orphans == 0,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_kind_of_edit_changes_or_orphans_only_what_it_touched(
    fresh_db: Database, seed_text: str, kind: str
) -> None:
    r = revise(fresh_db, seed_text, kind)
    _, report = add_version(fresh_db, r.v1, r.v2)
    assert EXPECTED[kind](len(report.changed), len(report.orphans)), (report.changed, report.orphans)


def _relations_setup(db: Database, r: Revision) -> tuple[str, str, Annotation]:
    """A relation between two spans that survive, and one whose head is in the deleted sentence."""
    by_quote = {s.quote: s for s in r.spans}
    kept = add_relation(db, by_quote[CLAIMS[3]].id, by_quote["Watson"].id, "said_by", annotator="ana")
    doomed_claim = by_quote[CLAIMS[1]]
    split = add_relation(db, doomed_claim.id, by_quote["Alejandro Mayorkas"].id, "said_by", annotator="ana")
    return kept.id, split.id, doomed_claim


def test_relations_follow_both_ends_and_wait_for_an_orphan(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "deleted sentence")
    kept, split, orphan = _relations_setup(db, r)
    _, report = add_version(db, r.v1, r.v2)
    assert report.relations_moved == 1 and report.relations_split == 1
    assert now(db, orphan).doc_id == r.v1
    live_new = {rel.id for rel in document_relations(db, r.v2)}
    assert live_new == {kept}
    assert split not in {rel.id for rel in document_relations(db, r.v1)}
    assert "we are grateful" not in r.new
    start = r.new.index("regional response")
    done = reattach(db, orphan.id, start, start + 17)
    assert now(db, orphan).doc_id == r.v2
    assert {rel.id for rel in document_relations(db, r.v2)} == {kept, split}
    assert orphan.id not in {item.annotation_id for item in review_items(db, r.v2)}
    undo_reattach(db, done)
    back = now(db, orphan)
    assert (back.doc_id, back.start, back.end, back.quote) == (r.v1, orphan.start, orphan.end, orphan.quote)
    assert {rel.id for rel in document_relations(db, r.v2)} == {kept}
    assert split not in {rel.id for rel in document_relations(db, r.v1)}
    assert [item.kind for item in review_items(db, r.v2) if item.annotation_id == orphan.id] == ["orphan"]
    again = settle(db)  # the orphan, back as it was, is not tried again
    assert not again.moved and not again.orphans


def test_values_bookmarks_and_reading_positions_follow(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "inserted paragraph")
    claim = next(s for s in r.spans if s.quote == CLAIMS[0])
    set_attribute(db, claim.id, "verdict", "misleading", annotator="ana")
    mark = seed_text.index("Last year")
    add_bookmark(db, r.v1, "ana", mark)
    set_position(db, r.v1, "ana", seed_text.index("The State Department is working"))
    _, report = add_version(db, r.v1, r.v2)
    assert report.attributes_moved == 1
    assert document_attributes(db, r.v2) == {claim.id: {"verdict": "misleading"}}
    assert document_attributes(db, r.v1) == {}
    assert [b.offset for b in list_bookmarks(db, r.v2, "ana")] == [r.where[mark]]
    assert list_bookmarks(db, r.v1, "ana") == []
    assert get_position(db, r.v2, "ana") == r.where[seed_text.index("The State Department is working")]


def test_a_second_settle_changes_nothing(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "deleted sentence")
    _relations_setup(db, r)
    add_version(db, r.v1, r.v2)
    before = {name: table(db, name) for name in ("annotations", "reanchored", "relations", "attributes")}
    again = settle(db)
    assert not again.moved and not again.orphans and again.summary() == "no span to move"
    assert {name: table(db, name) for name in before} == before


def test_a_third_version_moves_from_the_second_and_retries_orphans(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "deleted sentence")
    _, first = add_version(db, r.v1, r.v2)
    orphans = {o.annotation_id for o in first.orphans}
    assert orphans
    late = add_annotation(db, r.v2, 0, 2, "claim", annotator="ana")  # made on v2 after the move
    # the third version puts the sentence back and adds a paragraph
    v3_text, where3 = build(seed_text, _insert(seed_text))
    v3, _ = add_document(db, v3_text, source=SOURCE)
    number, third = add_version(db, r.v2, v3.id)
    assert number == 3
    assert [v.id for v in versions.versions(db, r.v1)] == [r.v1, r.v2, v3.id]
    assert versions.latest_id(db, r.v1) == v3.id
    assert versions.superseded(db) == {r.v1, r.v2}
    from_doc = {m.annotation_id: m.from_doc for m in third.moved}
    assert orphans <= {i for i, d in from_doc.items() if d == r.v1}
    assert from_doc[late.id] == r.v2
    assert not third.orphans
    for span in r.spans:
        got = now(db, span)
        assert got.doc_id == v3.id
        target = survives(where3, span.start, span.end)
        if target is not None:
            assert (got.start, got.quote) == (target, span.quote)
    assert review_items(db, v3.id) == []


def test_previous_by_source_refuses_ambiguity(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    one, _ = add_document(db, seed_text, source=SOURCE)
    assert versions.previous_by_source(db, SOURCE, one.id) is None
    assert versions.previous_by_source(db, "", one.id) is None
    two, _ = add_document(db, seed_text + "\nA correction.\n", source=SOURCE)
    assert versions.previous_by_source(db, SOURCE, two.id) == one.id
    add_version(db, one.id, two.id)
    assert versions.previous_by_source(db, SOURCE, two.id) is None  # already its version
    three, _ = add_document(db, seed_text + "\nA second correction.\n", source=SOURCE)
    assert versions.previous_by_source(db, SOURCE, three.id) == two.id  # the newest of the lineage
    other, _ = add_document(db, "An unrelated text from the same place.\n", source=SOURCE)
    with pytest.raises(MarginError, match="2 unrelated documents"):
        versions.previous_by_source(db, SOURCE, three.id)
    with pytest.raises(MarginError, match="unrelated documents"):
        versions.previous_by_source(db, SOURCE, other.id)


def test_previous_by_source_with_two_unrelated_texts_names_no_winner(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    add_document(db, "First text.\n", source=SOURCE)
    add_document(db, "Second text.\n", source=SOURCE)
    third, _ = add_document(db, "Third text.\n", source=SOURCE)
    with pytest.raises(MarginError, match="2 unrelated documents came from here"):
        versions.previous_by_source(db, SOURCE, third.id)


def test_link_version_refuses_a_document_with_versions_of_its_own(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    a, _ = add_document(db, "Article A.\n")
    b, _ = add_document(db, "Article B.\n")
    b2, _ = add_document(db, "Article B, corrected.\n")
    assert versions.link_version(db, b.id, b2.id) == 2
    for newcomer in (b.id, b2.id):
        with pytest.raises(MarginError, match="already has versions"):
            versions.link_version(db, a.id, newcomer)
    with pytest.raises(MarginError, match="itself"):
        versions.link_version(db, a.id, a.id)
    assert versions.link_version(db, b.id, b2.id) is None
    assert versions.versions(db, a.id)[0].version == 1 and len(versions.versions(db, a.id)) == 1
    assert db.execute("select 1 from document_versions where doc_id = ?", [a.id]).fetchone() is None


def test_annotation_counts_move_with_the_spans(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "deleted sentence")
    before = {s.id: s.counts for s in list_documents(db)}
    total = sum(before[r.v1].values())
    assert total == len(r.spans) and sum(before[r.v2].values()) == 0
    _, report = add_version(db, r.v1, r.v2)
    after = {s.id: s.counts for s in list_documents(db)}
    assert sum(after[r.v1].values()) == len(report.orphans)
    assert sum(after[r.v2].values()) == len(report.moved)
    for label in ("claim", "person", "statistic"):
        assert after[r.v1].get(label, 0) + after[r.v2].get(label, 0) == before[r.v1][label]


def test_the_changes_feed_reports_the_moved_spans(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "corrected figure")
    feed = ChangeFeed(db)
    try:
        _, report = add_version(db, r.v1, r.v2)
        batch = next_batch(feed)
    finally:
        feed.close()
    assert batch is not None
    moved = {m.annotation_id for m in report.moved}
    assert not batch.overflow
    assert moved == {a.id for a in batch.annotations if a.doc_id == r.v2} and len(moved) == len(r.spans)
    assert {r.v1, r.v2} <= batch.documents


def test_moves_are_stamped_just_after_the_edit_they_move(fresh_db: Database, seed_text: str) -> None:
    db = fresh_db
    r = revise(db, seed_text, "inserted paragraph")
    add_version(db, r.v1, r.v2)
    for span in r.spans:
        got = now(db, span)
        assert got.updated_at == just_after(span.updated_at) > span.updated_at
    assert just_after("2026-01-01T00:00:59.999999Z") == "2026-01-01T00:01:00.000000Z"
    assert just_after("2026-03-01T12:00:00.000000Z") > "2026-03-01T12:00:00.000000Z"
    assert just_after("0999-12-31T23:59:59.999999Z") == "1000-01-01T00:00:00.000000Z"  # four-digit years
    assert just_after("not a time") > "2026"
