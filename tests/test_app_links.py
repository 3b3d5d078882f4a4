"""Linking spans by keyboard in the reader, on the seed article: `L` on a claim, a
motion to the person, `s` (said_by); the panel's lines under each span; undo, redo,
cancelling, refused pairs, the picker, deleting an end, and other processes' links."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from app_support import app_for, messages, pilot_test, running
from textual.pilot import Pilot

from margin.store.annotations import add_annotation, query_annotations
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.relations import add_relation, document_relations
from margin.tui.app import MarginApp
from margin.tui.widgets.key_bar import KeyBar
from margin.tui.widgets.panel_links import link_line

QUOTE_START = '"designed to jointly'
PERSON = "Adrienne Watson"


@pytest.fixture
def seed(db_location: str, seed_text: str) -> str:
    """The seed article, on each backend."""
    return _seeded(db_location, seed_text)


@pytest.fixture
def seed_file(tmp_path: Path, seed_text: str) -> Path:
    """The seed article in a file, for a test that holds SQLite's write lock."""
    return _seeded(tmp_path / "margin.db", seed_text)


def _seeded(path, seed_text: str):
    db = open_database(path)
    try:
        add_document(db, seed_text, title="US agrees to pay for flights")
    finally:
        db.close()
    return path


def relations(path: Path) -> list[tuple[str, str, str]]:
    """(head quote, child quote, type) of the shown relations, read afresh."""
    db = open_database(path)
    try:
        quotes = {a.id: a.quote for a in query_annotations(db)}
        doc_id = db.execute("select id from documents").fetchone()[0]
        return [(quotes[r.head], quotes[r.child], r.type) for r in document_relations(db, doc_id)]
    finally:
        db.close()


async def search(pilot: Pilot, term: str) -> None:
    await pilot.press("slash")
    await pilot.pause()
    await pilot.press(*term, "enter")
    await pilot.pause()


async def mark_claim_and_person(pilot: Pilot) -> None:
    """The Done-when keys: Watson's quote as a claim (v and motions, 1), "Adrienne
    Watson" as a person (2), then back onto the claim (shift+tab twice)."""
    await search(pilot, '"designed')
    await pilot.press("v", *["E"] * 21, "l", "l", "1")
    await search(pilot, "Adrienne")
    await pilot.press("v", "E", "E", "2", "shift+tab", "shift+tab")
    await pilot.pause()


def panel_lines(app: MarginApp) -> list[str]:
    panel = app.main.annotation_panel
    return [link_line(row, 80, panel.label_colors).plain.strip() for a in panel.shown for row in panel.lines_under(a.id)]


WATSON_QUOTE = '"designed to jointly reduce the number of migrants being cruelly smuggled through the Darien, usually en route to the United States,"'


@pilot_test
async def test_L_then_tab_then_s_links_the_claim_to_the_person(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        reader = app.main.reader
        assert [a.label for a in reader.annotations_at()] == ["claim"]
        assert reader.annotations_at()[0].quote == WATSON_QUOTE
        await pilot.press("L")
        await pilot.pause()
        prompt = app.main.query_one(KeyBar).prompt
        assert prompt is not None and prompt.plain.startswith("Link from claim “\"designed")
        assert "s said by · c cites · o about · enter pick · escape cancel" in prompt.plain
        assert app.main.status.mode == "LINK"
        await pilot.press("tab", "s")
        await pilot.pause()
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "said_by")]
        assert app.main.linking is None and app.main.query_one(KeyBar).prompt is None
        assert len(panel_lines(app)) == 2 and panel_lines(app)[0] == f"said by → ■ {PERSON}"
        assert panel_lines(app)[1].startswith("← said by: ■ “\"designed to")
        # The reader marks both ends, and on the person highlights its partner, the claim.
        claim = next(a for a in reader.annotations if a.label == "claim")
        assert reader.is_linked(claim.id) and claim.id in reader.partners

        await pilot.press("u")
        await pilot.pause()
        assert relations(seed) == [] and panel_lines(app) == []
        assert not reader.is_linked(claim.id) and not reader.partners
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "said_by")]
        assert len(panel_lines(app)) == 2


@pilot_test
async def test_escape_cancels_link_mode_and_relation_keys_go_back_to_the_app(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "w", "j", "k")  # motions still move in link mode
        await pilot.pause()
        assert app.main.linking is not None
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.linking is None and app.main.status.mode != "LINK"
        await pilot.press("tab", "s")
        await pilot.pause()
        assert relations(seed) == []
        await pilot.press("L", "j", "j", "j", "L")  # L again cancels too, off any span
        await pilot.pause()
        assert app.main.linking is None


@pilot_test
async def test_a_pair_no_type_allows_says_why_and_stays_in_link_mode(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("tab", "L", "shift+tab", "s")  # from the person to the claim
        await pilot.pause()
        assert "said_by links a claim to a person, not a person to a claim" in messages(app)
        assert app.main.linking is not None and relations(seed) == []
        await pilot.press("enter")
        await pilot.pause()
        assert messages(app)[-1] == "No relation type links a person to a claim"
        await pilot.press("tab", "s")  # back on the span it started from
        await pilot.pause()
        assert messages(app)[-1] == "Move the cursor onto the other span first"
        assert app.main.linking is not None


@pilot_test
async def test_enter_picks_among_the_types_the_labels_allow(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "tab", "enter")
        await pilot.pause()
        picker = app.screen
        assert [value for _prompt, value in picker.choices] == ["said_by", "about"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "about")]


@pilot_test
async def test_deleting_an_end_hides_its_links_and_undo_brings_them_back(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "tab", "s")
        await pilot.pause()
        await pilot.press("x")  # the person, under the cursor
        await pilot.pause()
        assert relations(seed) == [] and panel_lines(app) == []
        claim = next(a for a in app.main.reader.annotations if a.label == "claim")
        assert not app.main.reader.is_linked(claim.id)
        await pilot.press("u")
        await pilot.pause()
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "said_by")]
        assert len(panel_lines(app)) == 2 and app.main.reader.is_linked(claim.id)


@pilot_test
async def test_in_the_panel_enter_follows_a_link_and_x_unlinks(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "tab", "s", "shift+tab", "ctrl+o")
        await pilot.pause()
        panel = app.main.annotation_panel
        panel.rows.highlighted = 1  # the claim's "said by →" line
        await pilot.press("enter")
        await pilot.pause()
        reader = app.main.reader
        assert reader.has_focus and reader.document is not None
        assert reader.document.text[reader.cursor :].startswith(PERSON)
        await pilot.press("ctrl+o")
        await pilot.pause()
        panel.rows.highlighted = 1
        await pilot.press("x")
        await pilot.pause()
        assert relations(seed) == [] and len(query_annotations_of(seed)) == 2
        await pilot.press("escape", "u")
        await pilot.pause()
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "said_by")]


def query_annotations_of(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return [a.label for a in query_annotations(db)]
    finally:
        db.close()


@pilot_test
async def test_another_process_link_shows_one_row(seed: Path, seed_text: str) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        other = open_database(seed)
        try:
            doc_id = other.execute("select id from documents").fetchone()[0]
            start = seed_text.index(PERSON)
            claim = add_annotation(other, doc_id, 799, 932, "claim", annotator="ben", text=seed_text)
            person = add_annotation(other, doc_id, start, start + len(PERSON), "person", annotator="ben",
                                    text=seed_text)
            add_relation(other, claim.id, person.id, "about", annotator="ben")
        finally:
            other.close()
        for _ in range(40):
            await asyncio.sleep(0.1)
            await pilot.pause()
            if panel_lines(app):
                break
        assert panel_lines(app)[0] == f"about → ■ {PERSON}"


@pilot_test
async def test_a_link_waits_for_another_writer_then_shows_and_undoes(seed_file: Path) -> None:
    from test_app_write_queue import lock_held, settle

    seed = seed_file
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "tab")
        with lock_held(seed):
            await pilot.press("s")
            await pilot.pause()
            assert app.main.status.pending == 1 and relations(seed) == []
            assert app.main.linking is None  # the link is made: it only waits to be saved
        await settle(pilot, app)
        assert relations(seed) == [(WATSON_QUOTE, PERSON, "said_by")]
        assert panel_lines(app)[0] == f"said by → ■ {PERSON}"
        await pilot.press("u")
        await pilot.pause()
        assert relations(seed) == [] and panel_lines(app) == []


def test_the_link_index_answers_by_annotation_id() -> None:
    from margin.store.model import Attribute, Relation
    from margin.tui.text.links import LinkIndex

    said = Relation("r1", "d", "claim", "person", "said_by")
    index = LinkIndex([said], {"claim": {"verdict": "true"}})
    assert index.partners("person") == {"claim"} and index.partners("claim") == {"person"}
    assert index.linked("claim", lambda _other: True) and not index.linked("claim", lambda other: other != "person")
    assert index.apply_relation(Relation("r1", "d", "claim", "person", "said_by", deleted_at="x")) == {
        "claim", "person"}
    assert index.partners("claim") == set() and len(index) == 0
    assert index.apply_relation(Relation("r2", "d", "a", "b", "t", status="rejected")) == set()
    assert index.apply_attribute(Attribute("claim", "verdict", "false"))
    assert not index.apply_attribute(Attribute("claim", "verdict", "false"))
    assert index.values("claim") == {"verdict": "false"}
    assert index.apply_attribute(Attribute("claim", "verdict", "false", deleted_at="x"))
    assert index.values("claim") == {}


def test_link_and_value_edits_go_back_and_forth_on_a_bare_database(fresh_db, seed_text: str) -> None:
    from margin.store.attributes import get_attribute
    from margin.store.relations import get_relation
    from margin.tui.editing import Editing

    doc_id = add_document(fresh_db, seed_text)[0].id
    start = seed_text.index(PERSON)
    claim = add_annotation(fresh_db, doc_id, 799, 932, "claim", annotator="ana", text=seed_text)
    person = add_annotation(fresh_db, doc_id, start, start + len(PERSON), "person", annotator="ana", text=seed_text)
    editing = Editing(fresh_db, "ana")
    linked = editing.link(claim, person, "said_by")
    assert not isinstance(linked, type(None)) and linked.relations
    relation_id = linked.relations[0].id
    set_value = editing.set_value(claim, "verdict", None, "false")
    assert set_value is not None and editing.set_value(claim, "verdict", "false", "false") is None
    undone = editing.undo()
    assert undone is not None and undone.attributes[0].deleted
    assert get_attribute(fresh_db, claim.id, "verdict").deleted
    assert editing.undo() is not None and get_relation(fresh_db, relation_id).deleted
    assert editing.redo() is not None and not get_relation(fresh_db, relation_id).deleted
    assert editing.redo() is not None and get_attribute(fresh_db, claim.id, "verdict").value == "false"
    # Deleting the person takes the link; undoing the delete brings it back with it.
    deleted = editing.delete(person, [relation_id])
    assert not isinstance(deleted, type(None)) and get_relation(fresh_db, relation_id).deleted
    restored = editing.undo()
    assert restored is not None and [r.id for r in restored.relations] == [relation_id]
    assert not restored.relations[0].deleted


@pilot_test
async def test_a_type_name_from_a_merged_copy_never_reaches_the_screen_raw(seed: Path) -> None:
    """Scheme names normally pass the name rules, but a row another copy holds is
    made inert on the way to every message: link and undo say the name, escapes cut."""
    db = open_database(seed)
    try:
        db.execute("insert into relation_types (name, key, updated_at) values (?, 'z', '2026-01-01T00:00:00.000000Z')",
                   ["evil\x1b]0;owned\x07"])
        db.conn.commit()
    finally:
        db.close()
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("L", "tab", "z")
        await pilot.pause()
        assert [kind for _h, _c, kind in relations(seed)] == ["evil\x1b]0;owned\x07"]
        await pilot.press("u")
        await pilot.pause()
        said = messages(app)
        assert any("evil" in message for message in said[-2:])
        assert not any("\x1b" in message or "\x07" in message for message in said)
