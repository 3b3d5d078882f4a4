"""Split view from the keyboard, the "open beside" picker's filter among many
documents, and side panes that grow with the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import app_for, messages, pilot_test, running, sample_db
from textual.app import App
from textual.pilot import Pilot

from margin.store.db import open_database
from margin.store.documents import add_document
from margin.tui.app import MarginApp
from margin.tui.screens.document_picker import DocumentPicker
from margin.tui.widgets.reader import Reader
from margin.tui.widgets.reader_view import GUTTER

OTHER = "Second article\nThe harbour reopened on Tuesday after the storm.\n"
LONG_TITLE = "The harbour that reopened on Tuesday after the longest storm of the whole winter season"
MANY = 100_000


@pytest.fixture
def two(db_location: str) -> tuple[Path, list[str]]:
    path = db_location
    sample_id = sample_db(path)
    db = open_database(path)
    second, _ = add_document(db, OTHER, source="second.txt")
    db.close()
    return path, [sample_id, second.id]


def lines(app: App[None], selector: str = "#document-options") -> list[str]:
    """What a list shows, line by line, as plain text."""
    widget = app.screen.query_one(selector)
    return [
        "".join(segment.text for segment in widget.render_line(y)).rstrip()
        for y in range(widget.scrollable_content_region.height)
    ]


async def split(pilot: Pilot[None], app: MarginApp) -> list[Reader]:
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, DocumentPicker)
    await pilot.press("enter")
    await pilot.pause()
    readers = app.main.readers
    assert len(readers) == 2
    return readers


@pilot_test
async def test_f6_moves_between_the_readers_and_keys_act_on_the_focused_one(two: tuple[Path, list[str]]) -> None:
    path, ids = two
    app = app_for(path)
    async with running(app) as pilot:
        left, right = await split(pilot, app)
        assert app.focused is right and right.document.id == ids[1]
        await pilot.press("f6")
        assert app.focused is left and app.main.reader is left
        before_left, before_right = left.cursor, right.cursor
        await pilot.press("w", "w")
        assert left.cursor > before_left and right.cursor == before_right
        # The annotation panel follows the reader now in use.
        await pilot.press("f6")
        assert app.focused is right and app.main.reader is right
        await pilot.press("w")
        assert right.cursor > before_right
        # From a side pane the key goes back to the reader last used.
        await pilot.press("ctrl+b")
        assert app.main.documents.display and app.focused is app.main.documents.filter_input
        await pilot.press("f6")
        assert app.focused is right


@pilot_test
async def test_the_reader_key_is_rebindable_and_says_when_there_is_no_other(two: tuple[Path, list[str]]) -> None:
    path, _ids = two
    app = app_for(path, keymap={"app.other_reader": "f7"})
    async with running(app) as pilot:
        await pilot.press("f7")
        assert any("Only one reader" in message for message in messages(app))
        left, right = await split(pilot, app)
        await pilot.press("f6")
        assert app.focused is right
        await pilot.press("f7")
        assert app.focused is left


@pilot_test
async def test_split_view_hides_the_side_panes_until_it_closes(two: tuple[Path, list[str]]) -> None:
    path, _ids = two
    app = app_for(path)
    async with running(app, size=(160, 40)) as pilot:
        main = app.main
        assert main.documents.display and main.annotation_panel.display
        left, right = await split(pilot, app)
        assert not main.documents.display and not main.annotation_panel.display
        assert left.outer_size.width + right.outer_size.width == 160
        await pilot.press("ctrl+o")  # the toggle keys still show them
        assert main.annotation_panel.display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(main.readers) == 1
        assert main.documents.display and main.annotation_panel.display


def bulk_documents(path: Path, count: int) -> None:
    """``count`` short documents by raw SQL: the picker never reads their texts. Every
    thousandth is a zebra."""
    db = open_database(path)
    db.conn.executemany(
        "insert into documents (id, title, source, meta, text, length, added_at, added_by) "
        "values (?, ?, '', '{}', '', 10, '', '')",
        ((f"doc{n:06d}", f"Zebra crossing {n}" if n % 1000 == 7 else f"Document {n}") for n in range(count)),
    )
    db.conn.commit()
    db.close()


@pilot_test
async def test_the_picker_filters_as_you_type_among_a_hundred_thousand(two: tuple[Path, list[str]]) -> None:
    path, _ids = two
    bulk_documents(path, MANY)
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+s")
        picker = app.screen
        assert isinstance(picker, DocumentPicker) and picker.documents.count == MANY + 2
        await pilot.press(*"zebra")
        for _ in range(50):  # past the debounce of a long list, however busy the machine
            await pilot.pause(0.1)
            if picker.documents.count == MANY // 1000:
                break
        assert picker.documents.count == MANY // 1000
        shown = [line for line in lines(app) if line.strip()]
        assert len(shown) >= 10 and all("Zebra crossing" in line for line in shown)
        await pilot.press(*" 5")
        await pilot.pause(0.4)
        assert [line.split("Zebra crossing ")[1].split()[0] for line in lines(app) if line.strip()][:1] == ["5007"]
        await pilot.press("enter")
        await pilot.pause()
        assert [r.document.id for r in app.main.readers][1] == "doc005007"


def long_titled(db_location: str) -> Path:
    path = db_location
    sample_db(path)
    db = open_database(path)
    add_document(db, f"{LONG_TITLE}\nbody\n", source="long.txt")
    db.close()
    return path


def shown_title(app: App[None]) -> str:
    [line] = [line for line in lines(app) if "harbour" in line]
    return line.strip().split("…")[0]


@pilot_test
async def test_side_panes_grow_with_the_terminal_and_leave_the_reader_its_measure(db_location: str) -> None:
    path = long_titled(db_location)
    titles = {}
    for columns in (120, 200):
        app = app_for(path)
        async with running(app, size=(columns, 40)):
            titles[columns] = shown_title(app)
            if columns == 200:
                reader = app.main.reader
                assert reader.scrollable_content_region.width >= reader.reading_width + GUTTER + 1
                assert app.main.annotation_panel.size.width > 30
    assert LONG_TITLE.startswith(titles[120]) and LONG_TITLE.startswith(titles[200])
    assert len(titles[120]) <= 22 and len(titles[200]) >= 40
