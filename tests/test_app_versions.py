"""Versions of a document in the app: the notice of a newer version, the list of what
re-anchoring left to review, and spans that move while the app shows the old text."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import app_for, go, pilot_test, running
from textual.pilot import Pilot

from margin.store.annotations import add_annotation, get_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.reanchor_review import review_items
from margin.store.version_moves import add_version
from margin.tui.app import MarginApp
from margin.tui.screens.reanchor_review import ReanchorReview
from margin.tui.widgets.key_bar import KeyBar

OLD = (
    "Border crossings\n\nThe minister said 12,000 people crossed the border in May. Officials disagreed "
    "with the count.\n\nA second paragraph quotes Jane Smith on the figures, and adds the weather.\n"
)
NEW = (
    "Border crossings\n\nThe minister said 12,500 people crossed the border in May.\n\n"
    "A second paragraph quotes Jane Smith on the figures, and adds the weather.\n"
)


def _labelled(path: Path) -> tuple[str, dict[str, str]]:
    """The old text with a statistic, a claim and a person; returns its id and theirs."""
    db = open_database(path)
    try:
        old, _ = add_document(db, OLD, title="Border crossings", source="/news/border.txt")
        ids = {}
        for label, quote in (("statistic", "12,000"), ("claim", "Officials disagreed"), ("person", "Jane Smith")):
            start = OLD.index(quote)
            ids[label] = add_annotation(db, old.id, start, start + len(quote), label, annotator="tester").id
        return old.id, ids
    finally:
        db.close()


def _revise(path: Path, old_id: str) -> str:
    """What ``margin import --update`` does with the revised file, on a connection of its own."""
    db = open_database(path)
    try:
        new, _ = add_document(db, NEW, title="Border crossings", source="/news/border.txt")
        add_version(db, old_id, new.id)
        return new.id
    finally:
        db.close()


@pytest.fixture
def versioned(db_location: str) -> tuple[str, str, str, dict[str, str]]:
    path = db_location
    old_id, ids = _labelled(path)
    new_id = _revise(path, old_id)
    return path, old_id, new_id, ids


def _notice(app: MarginApp) -> str:
    line = app.main.version_notice.line
    return line.plain if line is not None and app.main.version_notice.display else ""


def _row(path: Path, annotation_id: str) -> tuple[str, int, int]:
    db = open_database(path)
    try:
        annotation = get_annotation(db, annotation_id)
        assert annotation is not None
        return annotation.doc_id, annotation.start, annotation.end
    finally:
        db.close()


def _pending(path: Path, doc_id: str) -> list[tuple[str, str]]:
    db = open_database(path)
    try:
        return [(item.kind, item.label) for item in review_items(db, doc_id)]
    finally:
        db.close()


def _review_list(app: MarginApp) -> ReanchorReview:
    screen = app.screen
    assert isinstance(screen, ReanchorReview)
    return screen


async def _until(pilot: Pilot, done: object, tries: int = 40) -> None:
    for _ in range(tries):
        if done():  # type: ignore[operator]
            return
        await pilot.pause(0.05)


@pilot_test
async def test_an_old_version_says_a_newer_one_exists_and_O_opens_it(versioned) -> None:
    path, old_id, new_id, ids = versioned
    app = app_for(path, open_doc_id=old_id)
    async with running(app) as pilot:
        notice = _notice(app)
        assert "version 1 of 2 — a newer version exists (v2, " in notice
        assert notice.endswith("O opens it  ·  2 spans to review: ^n lists them")
        # the moved spans are not shown on the old text; the orphan stays there
        assert not app.main.reader.has_annotation(ids["statistic"])
        assert app.main.reader.has_annotation(ids["claim"])
        await pilot.press("O")
        await pilot.pause()
        assert app.main.reader.document.id == new_id
        assert _notice(app) == " v2: 1 changed span and 1 orphan to review — ^n lists them"
        assert app.main.reader.has_annotation(ids["statistic"])


@pilot_test
async def test_a_document_without_versions_shows_no_notice(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"
    old_id, _ids = _labelled(path)
    app = app_for(path, open_doc_id=old_id)
    async with running(app) as pilot:
        assert _notice(app) == ""
        await pilot.press("O")
        await pilot.pause()
        assert "This document has no other versions" in [n.message for n in app._notifications]


@pilot_test
async def test_the_list_shows_the_changed_span_and_the_orphan_and_enter_goes_to_the_change(versioned) -> None:
    path, _old_id, new_id, _ids = versioned
    app = app_for(path, open_doc_id=new_id)
    async with running(app) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        review = _review_list(app)
        rows = [str(review.query_one("#reanchor-options").get_option_at_index(n).prompt) for n in range(2)]
        assert rows[0].startswith("■ statistic  was “12,000” → now “12,500”  fuzzy ")
        assert rows[1].startswith("■ claim      orphan  “Officials disagreed”")
        assert rows[1].endswith("stays on v1")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ReanchorReview)
        assert app.main.reader.cursor == NEW.index("12,500")


@pilot_test
async def test_an_orphan_is_reattached_to_the_selection_and_undo_puts_it_back(versioned) -> None:
    path, old_id, new_id, ids = versioned
    before = _row(path, ids["claim"])
    app = app_for(path, open_doc_id=new_id)
    async with running(app) as pilot:
        main = app.main
        await pilot.press("ctrl+n", "down", "enter")
        await _until(pilot, lambda: main.query_one(KeyBar).prompt is not None)
        prompt = main.query_one(KeyBar).prompt
        assert prompt is not None and "^n and a re-attach it" in prompt.plain
        # the diff puts the cursor where the deleted sentence's neighbours are now
        assert NEW.index("May.") <= main.reader.cursor <= NEW.index("A second")
        target = NEW.index("the weather")
        await go(pilot, target)
        await pilot.press("v", "E", "E")  # "the weather"
        assert main.reader.selection == (target, target + len("the weather"))
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert _review_list(app).current.label == "claim"  # the list opens on the orphan gone to
        await pilot.press("a")
        await pilot.pause()
        assert _row(path, ids["claim"]) == (new_id, target, target + len("the weather"))
        assert [item.kind for item in _review_list(app).items] == ["changed"]
        assert main.query_one(KeyBar).prompt is None  # the hint has done its work
        await pilot.press("escape")
        await pilot.pause()
        assert main.reader.has_annotation(ids["claim"])
        assert _notice(app) == " v2: 1 changed span to review — ^n lists them"
        await pilot.press("u")
        await pilot.pause()
        assert _row(path, ids["claim"]) == before
        assert ("orphan", "claim") in _pending(path, new_id)
        # undo shows where the edit went: the old version, holding the orphan again
        assert main.reader.document.id == old_id
        assert main.reader.has_annotation(ids["claim"])
        await pilot.press("O")  # the newest text, as kept from before, no longer shows it
        await pilot.pause()
        assert main.reader.document.id == new_id and not main.reader.has_annotation(ids["claim"])
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert _row(path, ids["claim"]) == (new_id, target, target + len("the weather"))
        assert not any(r.document.id == old_id and r.has_annotation(ids["claim"]) for r in main.readers)


@pilot_test
async def test_marking_a_change_reviewed_takes_it_off_the_list_and_undo_brings_it_back(versioned) -> None:
    path, _old_id, new_id, _ids = versioned
    app = app_for(path, open_doc_id=new_id)
    async with running(app) as pilot:
        await pilot.press("ctrl+n", "r")
        await pilot.pause()
        assert [item.kind for item in _review_list(app).items] == ["orphan"]
        assert _pending(path, new_id) == [("orphan", "claim")]
        await pilot.press("escape")
        await pilot.pause()
        assert _notice(app) == " v2: 1 orphan to review — ^n lists them"
        await pilot.press("u")
        await pilot.pause()
        assert _pending(path, new_id) == [("changed", "statistic"), ("orphan", "claim")]
        assert _notice(app) == " v2: 1 changed span and 1 orphan to review — ^n lists them"


@pilot_test
async def test_x_deletes_an_orphan_and_an_empty_list_says_so(versioned) -> None:
    path, _old_id, new_id, ids = versioned
    app = app_for(path, open_doc_id=new_id)
    async with running(app) as pilot:
        await pilot.press("ctrl+n", "r", "x")
        await pilot.pause()
        review = _review_list(app)
        assert review.items == []
        assert review.query_one("#reanchor-empty").display
        assert _pending(path, new_id) == []
        await pilot.press("escape")
        await pilot.pause()
        assert _notice(app) == ""
        await pilot.press("u")
        await pilot.pause()
        assert _pending(path, new_id) == [("orphan", "claim")]
        assert get_annotation(app.db, ids["claim"]).deleted_at is None


@pilot_test
async def test_a_new_version_added_elsewhere_takes_its_spans_off_the_old_text(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"
    old_id, ids = _labelled(path)
    app = app_for(path, open_doc_id=old_id)
    async with running(app) as pilot:
        main = app.main
        assert main.reader.has_annotation(ids["person"]) and main.annotation_panel.total == 3
        assert _notice(app) == ""
        new_id = _revise(path, old_id)  # another process: margin import --update
        await _until(pilot, lambda: _notice(app) != "" and not main.reader.has_annotation(ids["person"]))
        assert main.reader.document.id == old_id
        assert not main.reader.has_annotation(ids["person"])
        assert not main.reader.has_annotation(ids["statistic"])
        assert main.reader.has_annotation(ids["claim"])  # the orphan stays on this version
        assert main.annotation_panel.total == 1
        assert "version 1 of 2 — a newer version exists (v2, " in _notice(app)
        await pilot.press("O")
        await pilot.pause()
        assert main.reader.document.id == new_id
        assert main.reader.has_annotation(ids["person"]) and main.reader.has_annotation(ids["statistic"])


def test_review_list_layout(snap_compare, tmp_path: Path) -> None:
    path = tmp_path / "margin.db"  # one layout, whatever the backend
    new_id = _revise(path, _labelled(path)[0])

    async def settle(pilot: Pilot) -> None:
        await pilot.pause()
        pilot.app.main.status.database = "margin.db"
        await pilot.press("ctrl+n")
        await pilot.pause()

    assert snap_compare(app_for(path, open_doc_id=new_id), terminal_size=(120, 40), run_before=settle)


def test_an_orphans_expected_place_is_the_first_word_where_its_paragraph_was() -> None:
    from margin.tui.version_notice import expected_place

    old = "First paragraph stays.\nA paragraph that goes away.\nThe last paragraph stays.\n"
    new = old.replace("A paragraph that goes away.\n", "")
    place = expected_place(old, new, old.index("A paragraph"))
    assert new[place:].startswith("The last paragraph")
