"""Merging copies of a database where one person made a new version of a document and
moved the spans onto it while another kept annotating the old one: every order of merging
ends with the same spans, on the newest version."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reanchor import build, survives
from test_versions_store import DELETED, SOURCE

from margin.store.annotations import add_annotation, update_annotation
from margin.store.database import Database
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.merge import merge_databases
from margin.store.reanchor_review import review_items
from margin.store.version_moves import add_version
from margin.store.versions import latest_id

Spans = dict[str, tuple]


def spans(db: Database) -> Spans:
    """What must agree after a merge: each span's place, text, label and note."""
    return {
        row[0]: tuple(row[1:])
        for row in db.execute(
            'select id, doc_id, start, "end", quote, note, label, deleted_at is null from annotations order by id'
        ).fetchall()
    }


def moves(db: Database) -> dict[str, tuple]:
    return {
        row[0]: tuple(row[1:])
        for row in db.execute(
            "select annotation_id, from_doc, to_doc, method, changed, old_start, old_end, old_quote, needs_review "
            "from reanchored order by annotation_id"
        ).fetchall()
    }


def versions_of(db: Database) -> list[tuple]:
    return db.execute(
        "select doc_id, lineage, version, replaces, versioned_at from document_versions order by doc_id"
    ).fetchall()


def words(text: str, every: int, offset: int = 0) -> list[tuple[int, int]]:
    found = list(re.finditer(r"\w[\w'.,%-]*\w|\w", text))
    return [(m.start(), m.end()) for m in found[offset::every]]


def annotate(db: Database, doc_id: str, places: list[tuple[int, int]], label: str = "claim") -> list[str]:
    return [add_annotation(db, doc_id, a, b, label, annotator="ana").id for a, b in places]


def copies(places, seed: str) -> tuple[str, str, str, list[str]]:
    """Two copies of one database holding the seed article with spans on it."""
    base = open_database(places("base"))
    v1, _ = add_document(base, seed, source=SOURCE)
    ids = annotate(base, v1.id, words(seed, 5))
    base.close()
    return places.copy(places("base"), "ana"), places.copy(places("base"), "ben"), v1.id, ids


def merged(places, name: str, target: str | None, sources: list[str]) -> Database:
    """``sources`` merged, in order, into a copy of ``target`` (or an empty database)."""
    db = open_database(places(name) if target is None else places.copy(target, name))
    for source in sources:
        merge_databases(db, [source])
    return db


def test_an_update_and_work_on_the_old_version_merge_the_same_every_way(places, seed_text: str) -> None:
    ana_path, ben_path, v1, ids = copies(places, seed_text)
    new, where = build(seed_text, [(0, seed_text.index(DELETED)), (seed_text.index(DELETED) + len(DELETED), len(seed_text))])
    ana, ben = open_database(ana_path), open_database(ben_path)
    early = update_annotation(ben, ids[3], note="ben, before the update")
    v2, _ = add_document(ana, new, source=SOURCE)
    add_version(ana, v1, v2.id)
    update_annotation(ben, ids[1], note="ben, on the old version")
    later = update_annotation(ana, ids[3], note="ana, after the update")
    assert later.updated_at > early.updated_at
    in_deleted = seed_text.index("partnership with Panama")
    ben_ids = annotate(ben, v1, [*words(seed_text, 7, 3), (in_deleted, in_deleted + 23)], "person")
    ana.close()
    ben.close()

    one = merged(places, "one", ana_path, [ben_path])
    two = merged(places, "two", ben_path, [ana_path])
    three = merged(places, "three", None, [ana_path, ben_path])
    four = merged(places, "four", None, [ben_path, ana_path])
    result = spans(one)
    for db in (two, three, four):
        assert spans(db) == result
        assert moves(db) == moves(one)
        assert versions_of(db) == versions_of(one)
    assert result[ids[1]][4] == "ben, on the old version" and result[ids[1]][0] == v2.id
    assert result[ids[3]][4] == "ana, after the update"
    orphans = {item.annotation_id for item in review_items(one, v2.id) if item.kind == "orphan"}
    assert ben_ids[-1] in orphans
    for annotation_id, (doc_id, start, end, quote, *_rest) in spans(one).items():
        was = next(iter(one.execute("select old_start, old_end from reanchored where annotation_id = ?",
                                    [annotation_id]).fetchall()))
        target = survives(where, was[0], was[1])
        if target is not None:
            assert (doc_id, start, quote) == (v2.id, target, new[start:end])
        else:
            assert annotation_id in orphans or doc_id == v2.id
    for db in (one, two, three, four):
        again = merge_databases(db, [ana_path, ben_path])
        assert not again.changed, again.to_dict()
        db.close()


def test_two_different_second_versions_converge_on_one_newest(places, seed_text: str) -> None:
    ana_path, ben_path, v1, ids = copies(places, seed_text)
    figure = seed_text.index("520,000")
    ana, ben = open_database(ana_path), open_database(ben_path)
    ana_v2, _ = add_document(ana, seed_text[:figure] + "530,000" + seed_text[figure + 7 :], source=SOURCE)
    add_version(ana, v1, ana_v2.id)
    ben_v2, _ = add_document(ben, seed_text + "\nCorrection: an earlier version misspelt a name.\n", source=SOURCE)
    add_version(ben, v1, ben_v2.id)
    ana.close()
    ben.close()
    one = merged(places, "one", ana_path, [ben_path])
    two = merged(places, "two", ben_path, [ana_path])
    three = merged(places, "three", None, [ben_path, ana_path])
    newest = latest_id(one, v1)
    assert newest in {ana_v2.id, ben_v2.id}
    for db in (two, three):
        assert latest_id(db, v1) == newest
        assert spans(db) == spans(one)
        assert versions_of(db) == versions_of(one)
    assert set(spans(one)) == set(ids)
    assert {doc_id for doc_id, *_ in spans(one).values()} == {newest}
    for db in (one, two, three):
        db.close()


WORDS = ["the", "migrants", "Panama", "520,000", "border", "said", "flights", "\n", "U.S.", "Watson"]


@st.composite
def word_edits(draw, text: str) -> str:
    """``text`` with a few words deleted, inserted (from the text's own vocabulary) or replaced."""
    tokens = re.findall(r"\S+|\s+", text)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(["delete", "insert", "replace"]))
        word = draw(st.sampled_from(WORDS))
        if kind == "delete":
            del tokens[at : at + 2]
        elif kind == "insert":
            tokens[at:at] = [word, " "]
        else:
            tokens[at] = word
    return "".join(tokens)


def _places(draw, text: str, n: int) -> list[tuple[int, int]]:
    found = list(re.finditer(r"\w+(?:\W+\w+){0,3}", text))
    picks = draw(st.lists(st.integers(0, len(found) - 1), min_size=1, max_size=n, unique=True))
    return [(found[i].start(), found[i].end()) for i in picks]


TEXT = "\n".join(Path(__file__).resolve().parents[1].parent.joinpath(
    "shared", "corpus", "seed", "darien-gap-article.txt").read_text(encoding="utf-8").splitlines()[:6]) + "\n"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_and_spans_merged_in_any_order_converge(places, data) -> None:
    new = data.draw(word_edits(TEXT))
    ana_places = _places(data.draw, TEXT, 8)
    ben_places = _places(data.draw, TEXT, 8)
    order = data.draw(st.permutations(["ana", "ben"]))
    try:
        with closing(open_database(places("base"))) as base:
            v1, _ = add_document(base, TEXT, source=SOURCE)
            shared = annotate(base, v1.id, ana_places[:2])
        ana_path, ben_path = places.copy(places("base"), "ana"), places.copy(places("base"), "ben")
        with closing(open_database(ana_path)) as ana:
            annotate(ana, v1.id, ana_places[2:])
            if new != TEXT:
                v2, _ = add_document(ana, new, source=SOURCE)
                add_version(ana, v1.id, v2.id)
        with closing(open_database(ben_path)) as ben:
            annotate(ben, v1.id, ben_places, "person")
            update_annotation(ben, shared[0], note="ben, after ana's update")
        paths = {"ana": ana_path, "ben": ben_path}
        into_ana = merged(places, "1", ana_path, [ben_path])
        into_ben = merged(places, "2", ben_path, [ana_path])
        fresh = merged(places, "3", None, [paths[name] for name in order])
        expected = spans(into_ana)
        try:
            assert spans(into_ben) == expected
            assert spans(fresh) == expected
            assert moves(into_ben) == moves(into_ana) == moves(fresh)
            assert expected[shared[0]][4] == "ben, after ana's update"
            newest = latest_id(into_ana, v1.id)
            for doc_id, start, end, quote, *_ in expected.values():
                assert doc_id == newest or (new != TEXT and doc_id == v1.id)
                text = into_ana.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]
                assert text[start:end] == quote
        finally:
            for db in (into_ana, into_ben, fresh):
                db.close()
    finally:
        places.close()
