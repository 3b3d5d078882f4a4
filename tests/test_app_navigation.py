"""Moving around: search, documents, annotations, panes, split view, whose spans,
help and the command palette."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, go, messages, pilot_test, running, sample_db
from textual.command import CommandPalette

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.tui.screens.document_picker import DocumentPicker
from margin.tui.screens.help import HelpScreen
from margin.tui.screens.search_prompt import SearchPrompt
from margin.tui.widgets.reader import Reader

OTHER = "Second article\nThe harbour reopened on Tuesday after the storm.\n"
THIRD = "Third article\nNothing about migrants here, only weather.\n"


@pytest.fixture
def library(db_location: str) -> tuple[str, list[str]]:
    """The sample plus two short documents, with spans by two annotators in the sample,
    on each backend."""
    path = db_location
    sample_id = sample_db(path)
    db = open_database(path)
    second, _ = add_document(db, OTHER, source="second.txt")
    third, _ = add_document(db, THIRD, source="third.txt")
    for word, label, annotator in (("Mayorkas", "person", "tester"), ("520,000", "statistic", "tester"),
                                   ("Watson", "person", "ana")):
        start = SAMPLE.index(word)
        add_annotation(db, sample_id, start, start + len(word), label, annotator=annotator)
    db.close()
    return path, [sample_id, second.id, third.id]


@pilot_test
async def test_search_prompt_then_n_and_N(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchPrompt) and app.main.status.mode == "SEARCH"
        await pilot.press(*"Darién", "enter")
        first = SAMPLE.index("Darién")
        assert app.main.reader.cursor == first and app.main.status.mode == "NORMAL"
        await pilot.press("n")
        assert app.main.reader.cursor == SAMPLE.index("Darién", first + 1)
        await pilot.press("N")
        assert app.main.reader.cursor == first
        await pilot.press("slash", *"zebra", "enter")
        assert "Not found: zebra" in messages(app)


@pilot_test
async def test_brackets_open_the_next_and_previous_document(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    app = app_for(path)
    async with running(app) as pilot:
        assert app.main.reader.document.id == ids[0]
        await pilot.press("right_square_bracket")
        assert app.main.reader.document.id == ids[1]
        assert app.main.documents.current == ids[1]
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.main.reader.document.id == ids[0]
        await pilot.press("left_square_bracket")
        assert app.main.reader.document.id == ids[2]


@pilot_test
async def test_tab_moves_between_annotations(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, 0)
        await pilot.press("tab")
        assert app.main.reader.cursor == SAMPLE.index("Mayorkas")
        await pilot.press("tab")
        assert app.main.reader.cursor == SAMPLE.index("Watson")
        await pilot.press("shift+tab")
        assert app.main.reader.cursor == SAMPLE.index("Mayorkas")


@pilot_test
async def test_annotation_panel_enter_jumps_to_the_span(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app) as pilot:
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Mayorkas", "Watson", "520,000"]
        app.main.annotation_panel.focus()
        await pilot.press("down", "down", "enter")
        assert app.main.reader.cursor == SAMPLE.index("520,000")
        assert isinstance(app.focused, Reader)
        app.main.annotation_panel.focus()
        await pilot.press("f")
        assert app.main.annotation_panel.shown == []
        await pilot.press("f")
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Mayorkas", "Watson"]


@pilot_test
async def test_document_list_filters_by_title_and_full_text(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+b")
        assert app.main.documents.display and app.focused is app.main.documents.filter_input
        await pilot.press(*"harbour")
        assert app.main.documents.ids() == [ids[1]]
        await pilot.press("ctrl+u")
        await pilot.press(*"migrants")
        assert app.main.documents.ids() == [ids[0], ids[2]]
        await pilot.press("down", "enter")
        assert app.main.reader.document.id == ids[2]
        assert isinstance(app.focused, Reader)


@pilot_test
async def test_panes_hide_for_full_width_reading(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app) as pilot:
        width = app.main.reader.size.width
        await pilot.press("z")
        assert not app.main.documents.display and not app.main.annotation_panel.display
        assert app.main.reader.size.width > width
        await pilot.press("z")
        assert app.main.documents.display and app.main.annotation_panel.display
        await pilot.press("ctrl+o")
        assert app.main.annotation_panel.display and app.focused is app.main.annotation_panel.rows
        await pilot.press("ctrl+o")
        assert not app.main.annotation_panel.display and isinstance(app.focused, Reader)
        await pilot.press("f2")
        assert app.main.annotation_panel.display


@pilot_test
async def test_narrow_terminals_start_with_the_reader_alone(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app, size=(60, 20)) as pilot:
        assert not app.main.documents.display and not app.main.annotation_panel.display
        await pilot.press("ctrl+b")
        assert app.main.documents.display


@pilot_test
async def test_narrow_terminals_show_one_side_pane_at_a_time(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app, size=(60, 20)) as pilot:
        await pilot.press("ctrl+b")
        await pilot.press("ctrl+o")
        assert app.main.annotation_panel.display and not app.main.documents.display
        assert app.focused is app.main.annotation_panel.rows
        assert app.main.reader.size.width >= 20
        await pilot.press("ctrl+b")
        assert app.main.documents.display and not app.main.annotation_panel.display


@pilot_test
async def test_split_view_opens_a_second_document_and_closes_again(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, DocumentPicker)
        await pilot.press("enter")
        await pilot.pause()
        readers = app.main.readers
        assert [r.document.id for r in readers] == [ids[0], ids[1]]
        assert app.main.reader is readers[1] and app.focused is readers[1]
        await go(pilot, OTHER.index("harbour"))
        await pilot.press("1")
        assert [a.quote for a in app.main.annotation_panel.shown] == ["harbour"]
        readers[0].focus()
        await pilot.pause()
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Mayorkas", "Watson", "520,000"]
        await pilot.press("vertical_line")
        await pilot.pause()
        assert len(app.main.readers) == 1


@pilot_test
async def test_A_cycles_whose_annotations_are_shown(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path)
    async with running(app) as pilot:
        assert app.main.status.viewing == "everyone"
        await pilot.press("A")
        assert app.main.status.viewing == "mine"
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Mayorkas", "520,000"]
        await go(pilot, SAMPLE.index("Watson"))
        assert app.main.reader.annotations_at() == []
        await pilot.press("A")
        assert app.main.status.viewing == "ana"
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Watson"]
        await pilot.press("A")
        assert app.main.status.viewing == "everyone"
        assert [a.annotator for a in app.main.reader.annotations_at()] == ["ana"]


@pilot_test
async def test_help_lists_the_live_keys_grouped(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path, keymap={"app.copy_citation": "C"})
    async with running(app) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        groups = app.screen.groups
        assert {"Reader", "Labels", "Annotate, documents and views"} <= set(groups)
        assert ("1", "Label the selection (or the word under the cursor) as claim") in groups["Labels"]
        assert ("C", "Copy a citation: “quote” — author, title, site, date, source") in groups["Annotate, documents and views"]
        quit_rows = [row for rows in groups.values() for row in rows if row[0].endswith("q")]
        assert [description for _keys, description in quit_rows] == ["Save the reading position and quit"]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pilot_test
async def test_command_palette_offers_every_action(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    app = app_for(path)
    async with running(app) as pilot:
        names = [name for name, _help, _callback in app.main.palette_commands()]
        for expected in ("Delete the annotation under the cursor", "Open another document side by side (again: close it)",
                         "Switch between the dark and the light theme", "Show my annotations",
                         "Show everyone's annotations", "Show annotations by ana", "Undo the last edit"):
            assert expected in names
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Open Second article")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.reader.document.id == ids[1]


@pilot_test
async def test_theme_toggles_between_dark_and_light(library: tuple[Path, list[str]]) -> None:
    path, _ids = library
    app = app_for(path, theme="textual-light")
    async with running(app) as pilot:
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"
