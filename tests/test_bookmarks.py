"""Bookmarks and jumping to a percentage: the store's bookmarks (toggled, listed,
tombstoned, revived), merging them either way round, and the keys `%`, `m` and `'`
driven through the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from app_support import app_for, messages, pilot_test, running
from team_data import ARTICLE, add_text
from textual.widgets import OptionList

from margin.store.bookmarks import (
    add_bookmark,
    bookmark_at,
    list_bookmarks,
    remove_bookmark,
    toggle_bookmark,
)
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.merge import merge_databases
from margin.tui.screens.bookmarks import BookmarkList, line_at
from margin.tui.screens.percent_prompt import PercentPrompt, parse_percent


def offsets(db, doc_id: str, annotator: str = "ann") -> list[int]:
    return [bookmark.offset for bookmark in list_bookmarks(db, doc_id, annotator)]


def test_toggle_adds_then_removes_and_lists_in_reading_order(fresh_db) -> None:
    db = fresh_db
    doc = add_text(db)
    assert toggle_bookmark(db, doc, "ann", 40) is True
    assert toggle_bookmark(db, doc, "ann", 5) is True
    assert offsets(db, doc) == [5, 40]
    assert offsets(db, doc, "someone") == []
    assert toggle_bookmark(db, doc, "ann", 40) is False
    assert offsets(db, doc) == [5]
    assert bookmark_at(db, doc, "ann", 40) is None
    db.close()


def test_removal_is_a_tombstone_and_adding_again_revives_the_same_row(fresh_db) -> None:
    db = fresh_db
    doc = add_text(db)
    first = add_bookmark(db, doc, "ann", 12)
    assert add_bookmark(db, doc, "ann", 12) == first  # already there: nothing new
    assert remove_bookmark(db, doc, "ann", 12) == 1
    assert remove_bookmark(db, doc, "ann", 12) == 0
    row = db.execute("select deleted_at, updated_at from bookmarks where id = ?", [first.id]).fetchone()
    assert row[0] is not None and row[0] == row[1]
    again = add_bookmark(db, doc, "ann", 12)
    assert again.id == first.id and again.updated_at > first.updated_at
    assert db.execute("select count(*) from bookmarks").fetchone()[0] == 1
    assert offsets(db, doc) == [12]
    db.close()


def test_a_bookmark_needs_a_known_document_a_name_and_an_offset(fresh_db) -> None:
    db = fresh_db
    doc = add_text(db)
    with pytest.raises(MarginError):
        add_bookmark(db, doc, "", 3)
    with pytest.raises(MarginError):
        add_bookmark(db, doc, "ann", -1)
    with pytest.raises(sqlite3.IntegrityError):
        add_bookmark(db, "no-such-document", "ann", 3)
    db.close()


def _bookmarks(path: Path | str) -> list[tuple]:
    db = open_database(path)
    try:
        return db.execute("select * from bookmarks order by id").fetchall()
    finally:
        db.close()


def test_merging_either_way_round_gives_the_same_bookmarks(places) -> None:
    ours, theirs = open_database(places("ours")), open_database(places("theirs"))
    doc = add_text(ours)
    add_text(theirs)
    add_bookmark(ours, doc, "ann", 3)
    add_bookmark(ours, doc, "ann", 7)
    # The same row travels to the laptop, where it is removed later.
    merge_databases(theirs, [ours])
    remove_bookmark(theirs, doc, "ann", 7)
    add_bookmark(theirs, doc, "ann", 20)
    add_bookmark(ours, doc, "bob", 9)
    ours.close()
    theirs.close()
    for name in ("ours", "theirs"):
        places.copy(places(name), f"{name}-copy")
    one, other = open_database(places("ours-copy")), open_database(places("theirs-copy"))
    report = merge_databases(one, [places("theirs")])
    merge_databases(other, [places("ours")])
    assert report.tables["bookmarks"].updated == 1  # the removal beat the older live row
    assert offsets(one, doc) == offsets(other, doc) == [3, 20]
    assert offsets(one, doc, "bob") == [9]
    assert bookmark_at(one, doc, "ann", 7) is None
    one.close()
    other.close()
    assert _bookmarks(places("ours-copy")) == _bookmarks(places("theirs-copy"))
    # A second merge changes nothing.
    again = open_database(places("ours-copy"))
    assert not merge_databases(again, [places("theirs")]).changed
    again.close()


def test_the_listed_line_is_inert_and_bounded() -> None:
    text = "first line\nsecond \x1b[31mred\x1b[0m line\nthird"
    assert line_at(text, text.index("red")) == "second ␛[31mred␛[0m line"
    assert line_at("a\n\nb", 2) == "(blank line)"
    long = "word " * 100_000
    assert len(line_at(long, 250_000)) <= 64
    assert parse_percent("50") == 50.0 and parse_percent("120") == 100.0 and parse_percent("") is None


@pytest.fixture
def book_db(db_location: str, corpus: Path) -> tuple[str, str, str]:
    path = db_location
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    db = open_database(path)
    document, _ = add_document(db, text, title="War and Peace")
    db.close()
    return path, document.id, text


@pilot_test
async def test_percent_jumps_and_bookmarks_are_listed_jumped_to_and_removed(
    book_db: tuple[str, str, str],
) -> None:
    path, doc_id, text = book_db
    app = app_for(path)
    async with running(app) as pilot:
        reader = app.main.reader
        await pilot.press("percent_sign")
        assert isinstance(app.screen, PercentPrompt)
        await pilot.press("5", "0", "enter")
        await pilot.pause()
        assert abs(reader.cursor - len(text) / 2) < 5
        assert app.main.status.position == pytest.approx(50, abs=0.1)
        half = reader.cursor
        await pilot.press("m")
        await pilot.press("G", "m")
        end = reader.cursor
        db = open_database(path)
        assert offsets(db, doc_id, "tester") == [half, end]
        db.close()
        await pilot.press("apostrophe")
        assert isinstance(app.screen, BookmarkList)
        shown = [str(option.prompt) for option in app.screen.query_one(OptionList).options]
        assert "50.0%" in shown[0] and line_at(text, half) in shown[0]
        await pilot.press("enter")
        await pilot.pause()
        assert reader.cursor == half and not isinstance(app.screen, BookmarkList)
        # Remove the second from the list; the list stays open with the first.
        await pilot.press("apostrophe", "down", "x")
        await pilot.pause()
        assert len(app.screen.query_one(OptionList).options) == 1
        await pilot.press("d", "escape")
        await pilot.pause()
        db = open_database(path)
        assert offsets(db, doc_id, "tester") == []
        db.close()
        await pilot.press("apostrophe")
        assert not isinstance(app.screen, BookmarkList)
        assert any("No bookmarks" in message for message in messages(app))


@pilot_test
async def test_m_on_a_bookmark_removes_it(db_location: str) -> None:
    path = db_location
    db = open_database(path)
    doc = add_text(db, ARTICLE)
    db.close()
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("w", "m")
        cursor = app.main.reader.cursor
        db = open_database(path)
        assert offsets(db, doc, "tester") == [cursor]
        db.close()
        await pilot.press("m")
        db = open_database(path)
        assert offsets(db, doc, "tester") == []
        db.close()
        assert "Bookmark removed" in messages(app)
