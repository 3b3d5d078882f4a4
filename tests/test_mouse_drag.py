"""Mouse drag in the reader: press, drag and release select from the press point to
the pointer, and the selection stays for a label key."""

from __future__ import annotations

from app_support import SAMPLE, app_for, pilot_test, running, sample_db, spans
from textual import events
from textual.geometry import Offset
from textual.pilot import Pilot

from margin.tui.widgets.reader import Reader


def at(reader: Reader, offset: int) -> tuple[int, int]:
    """Where `offset` is drawn, relative to the reader's region (what the Pilot takes)."""
    cell = reader.offset_to_cell(offset)
    inner = reader.content_region.offset - reader.region.offset
    return inner.x + cell.x, inner.y + cell.y - round(reader.scroll_offset.y)


def on_screen(reader: Reader, offset: int) -> Offset:
    return reader.region.offset + at(reader, offset)


def targets(reader: Reader) -> tuple[int, int]:
    """A word near the top and one two rows further down, both on screen."""
    layout = reader.text_layout
    assert layout is not None
    start = SAMPLE.index("Darién") if "Darién" in SAMPLE else SAMPLE.index(" ") + 1
    row, column = layout.offset_to_rowcol(start)
    end = layout.rowcol_to_offset(row + 2, column + 5)
    assert end > start + 10
    return start, end


async def drag(pilot: Pilot, reader: Reader, start: int, end: int) -> None:
    await pilot.mouse_down(Reader, offset=at(reader, start))
    await pilot.hover(Reader, offset=at(reader, (start + end) // 2))
    await pilot.hover(Reader, offset=at(reader, end))
    await pilot.mouse_up(Reader, offset=at(reader, end))
    await pilot.pause()


@pilot_test
async def test_dragging_selects_from_the_press_to_the_pointer(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        reader = pilot.app.main.reader
        start, end = targets(reader)
        await drag(pilot, reader, start, end)
        assert reader.selection == (start, end + 1)
        assert reader.cursor == end
        # The selection stays after the release: the label key labels exactly it.
        await pilot.press("1")
        await pilot.pause()
        assert [(s, e) for s, e, _label, _who in spans(path)] == [(start, end + 1)]
        assert reader.selection is None


@pilot_test
async def test_dragging_backwards_and_hovering_without_a_button(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        reader = pilot.app.main.reader
        start, end = targets(reader)
        await pilot.hover(Reader, offset=at(reader, start))
        await pilot.hover(Reader, offset=at(reader, end))
        assert reader.selection is None  # no button held: moving the pointer selects nothing
        await drag(pilot, reader, end, start)
        assert reader.selection == (start, end + 1)
        assert reader.cursor == start
        # After the release, moving the pointer no longer changes the selection.
        await pilot.hover(Reader, offset=at(reader, end + 3))
        assert reader.selection == (start, end + 1)


@pilot_test
async def test_the_click_a_terminal_sends_on_release_keeps_the_selection(db_location: str) -> None:
    """A terminal's press, drag and release reach the app as events, and the release
    makes a Click too; that click must not put the cursor back and end the selection."""
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        app = pilot.app
        reader = app.main.reader
        start, end = targets(reader)

        def event(kind: type[events.MouseEvent], offset: int, button: int = 1) -> None:
            point = on_screen(reader, offset)
            app.post_message(kind(None, point.x, point.y, 0, 0, button, False, False, False,
                                  screen_x=point.x, screen_y=point.y))

        event(events.MouseDown, start)
        await pilot.pause()
        event(events.MouseMove, end)
        await pilot.pause()
        event(events.MouseUp, end)
        await pilot.pause()
        await pilot.pause()
        assert reader.selection == (start, end + 1)
        # A plain click afterwards moves the cursor and ends the selection, as before.
        await pilot.click(Reader, offset=at(reader, start + 2))
        await pilot.pause()
        assert reader.selection is None
        assert reader.cursor == start + 2
