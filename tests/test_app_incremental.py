"""A change travels as one row: a key here, or another process's commit, never makes
the app re-read a document's annotations or text, or rebuild a list.

Each test counts the SQL the app runs while the change is shown, rather than timing
it, so it fails exactly when a key's path starts to grow with the document.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from app_support import app_for, go, pilot_test, rows, running

from margin.store.annotations import add_annotation
from margin.store.db import open_database, write
from margin.store.documents import add_document
from margin.store.importing import import_paths

PARAGRAPH = "Officials said 520,000 migrants crossed the gap last year, Watson said on Monday.\n\n"
SPANS = 2_000


@pytest.fixture
def book(db_location: str) -> tuple[str, str]:
    """A long document holding many annotations, and a short second document, on each backend."""
    path = db_location
    db = open_database(path)
    text = PARAGRAPH * 1_000
    document, _ = add_document(db, text, title="The book")
    add_document(db, "A short note about the harbour.\n", title="Note")
    rng = random.Random(7)
    with write(db):
        for _ in range(SPANS):
            start = rng.randrange(0, len(text) - 20)
            add_annotation(db, document.id, start, start + rng.randrange(1, 20), rng.choice(["claim", "person"]),
                           annotator="ana", text=text)
    db.close()
    return path, document.id


def traced(app) -> list[str]:
    """Every statement the app's own connection runs from now on."""
    statements: list[str] = []
    app.db.conn.set_trace_callback(statements.append)
    return statements


def reads_a_whole_document(statements: list[str]) -> list[str]:
    return [
        sql for sql in statements
        if ("from annotations" in sql and "doc_id" in sql and "where id" not in sql)
        or "select text from documents" in sql
        or ("group by" in sql and "from annotations " in sql)
        or "from documents_fts" in sql
    ]


@pilot_test
async def test_label_delete_undo_and_redo_touch_only_their_row(book: tuple[str, str]) -> None:
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        before_panel, before_count = main.annotation_panel.total, main.documents.summary(doc_id).counts
        await go(pilot, PARAGRAPH.index("Monday"))
        statements = traced(app)
        await pilot.press("W", "1")
        await pilot.pause()
        assert main.annotation_panel.total == before_panel + 1
        assert main.documents.summary(doc_id).counts["claim"] == before_count["claim"] + 1
        assert any(a.annotator == "tester" for a in main.reader.annotations_at())
        await pilot.press("u")
        await pilot.pause()
        assert main.annotation_panel.total == before_panel
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert main.annotation_panel.total == before_panel + 1
        app.db.conn.set_trace_callback(None)
        assert statements, "the edits ran no SQL at all"
        assert reads_a_whole_document(statements) == []
    assert [a.quote for a in rows(path, annotator="tester")] == ["Monday"]


@pilot_test
async def test_another_process_commit_is_read_by_id_from_the_change_feed(book: tuple[str, str]) -> None:
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        before = main.annotation_panel.total
        app_statements = traced(app)
        feed_statements: list[str] = []
        main.follower.feed.db.conn.set_trace_callback(feed_statements.append)
        other = open_database(path)
        added = add_annotation(other, doc_id, 15, 22, "statistic", annotator="bob")
        other.close()
        for _ in range(20):
            await pilot.pause(0.1)
            if main.annotation_panel.total == before + 1:
                break
        assert main.annotation_panel.total == before + 1
        assert added.id in {a.id for a in main.reader.annotations_at(15)}
        assert main.documents.summary(doc_id).counts["statistic"] == 1
        main.follower.feed.db.conn.set_trace_callback(None)
        app.db.conn.set_trace_callback(None)
        assert reads_a_whole_document(app_statements + feed_statements) == []
        assert any("from changes where seq >" in sql for sql in feed_statements)


@pilot_test
async def test_a_bulk_import_elsewhere_reloads_the_open_document_once(book: tuple[str, str], tmp_path: Path) -> None:
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        before = main.annotation_panel.total
        text = (PARAGRAPH * 1_000)
        export = tmp_path / "more.jsonl"
        spans = ",".join(f'{{"start": {n}, "end": {n + 5}, "label": "person"}}' for n in range(0, 6_000, 10))
        export.write_text(f'{{"text": {__import__("json").dumps(text)}, "spans": [{spans}]}}\n', encoding="utf-8")
        other = open_database(path)
        report = import_paths(other, [export], format="prodigy", annotator="bob")
        other.close()
        assert report.ok
        for _ in range(30):
            await pilot.pause(0.1)
            if main.annotation_panel.total == before + 600:
                break
        assert main.annotation_panel.total == before + 600


@pilot_test
async def test_a_long_document_shows_its_first_screen_first_and_then_every_span(book: tuple[str, str]) -> None:
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        reader = main.reader
        assert reader.document is not None and reader.document.id == doc_id  # before the first screen
        assert reader.width_hint == reader.scrollable_content_region.width  # laid out once, at the right width
        first = len(reader.annotations)
        assert 0 < first < SPANS
        for _ in range(20):
            await pilot.pause(0.05)
            if len(reader.annotations) == SPANS:
                break
        assert len(reader.annotations) == SPANS
        assert main.annotation_panel.total == SPANS


@pilot_test
async def test_reopening_shows_the_saved_position(book: tuple[str, str]) -> None:
    path, doc_id = book
    middle = len(PARAGRAPH) * 600
    db = open_database(path)
    from margin.store.reading import set_position

    set_position(db, doc_id, "tester", middle)
    db.close()
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        reader = app.main.reader
        await pilot.pause()
        assert reader.cursor == middle
        row = reader.offset_to_cell(middle).y
        assert reader.scroll_y <= row < reader.scroll_y + reader.scrollable_content_region.height


@pilot_test
async def test_a_feed_batch_read_before_an_edit_does_not_undo_it_on_screen(book: tuple[str, str]) -> None:
    from margin.store.changes import ChangeBatch
    from margin.tui.sync import ChangesArrived

    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        await go(pilot, PARAGRAPH.index("Monday"))
        await pilot.press("W", "1")
        await pilot.pause()
        [labelled] = [a for a in main.reader.annotations_at() if a.annotator == "tester"]
        main._edit(lambda: main.editing.delete(labelled))  # the feed's worker read the row before this
        await pilot.pause()
        assert not [a for a in main.reader.annotations_at() if a.annotator == "tester"]
        main.post_message(ChangesArrived(ChangeBatch(annotations=[labelled])))
        await pilot.pause()
        assert not [a for a in main.reader.annotations_at() if a.annotator == "tester"]
        assert labelled.id not in {a.id for a in main.annotation_panel.shown}


@pilot_test
async def test_a_key_shows_the_panel_and_the_status_line_in_its_own_frame(book: tuple[str, str]) -> None:
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        await go(pilot, PARAGRAPH.index("Monday"))
        await pilot.press("W")
        assert main.status.mode == "VISUAL"
        await app.run_action("label('claim')", main)  # as the key runs it, before any message it posts is handled
        mine = [a for a in main.reader.annotations_at(PARAGRAPH.index("Monday")) if a.annotator == "tester"]
        assert len(mine) == 1
        panel = main.annotation_panel
        highlighted = panel.rows.highlighted
        assert highlighted is not None and panel.shown_keys[highlighted][2] == mine[0].id
        assert main.status.mode == "NORMAL" and main.status.selection_length == 0
        before = main.status.position
        await app.run_action("paragraph_next", main.reader)  # a motion of the reader's own
        assert main.status.position > before


@pilot_test
async def test_a_place_a_key_showed_is_shown_again_when_the_cursor_comes_back_to_it(book: tuple[str, str]) -> None:
    """A key's action shows its place itself and the reader's message then skips it;
    a move that is not a key (a click, a jump from the panel) back to that place is
    still shown."""
    path, doc_id = book
    app = app_for(path, annotator="tester", open_doc_id=doc_id)
    async with running(app) as pilot:
        main = app.main
        await go(pilot, PARAGRAPH.index("Monday"))
        await pilot.press("w")
        place, shown = main.reader.cursor, main.status.position
        assert shown > 0
        await go(pilot, 0)
        assert main.status.position == 0
        await go(pilot, place)
        assert main.status.position == shown
