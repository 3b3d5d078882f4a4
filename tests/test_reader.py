"""The reader widget driven through real key presses in a small app: cursor motions,
selections, annotation and search jumps, and what each painted row shows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from margin.store.model import Annotation, Document, Label
from margin.tui.widgets.reader import Reader
from margin.tui.widgets.reader_render import OVERLAP_MARK
from margin.tui.widgets.reader_view import GUTTER

LABELS = [Label("claim", "1", "#e5a50a"), Label("person", "2", "#3584e4"), Label("statistic", "3", "#2ec27e")]
SIZE = (100, 30)


class ReaderApp(App):
    """A bare app around one Reader, recording what reaches the app."""

    BINDINGS = [Binding("escape", "app_escape", "Escape")]

    def __init__(self, document: Document, annotations=(), *, cursor: int = 0, me: str | None = None) -> None:
        super().__init__()
        self.document = document
        self.initial = list(annotations)
        self.cursor = cursor
        self.me = me
        self.moves: list[Reader.CursorMoved] = []
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield Reader()

    def on_mount(self) -> None:
        reader = self.query_one(Reader)
        reader.load(self.document, self.initial, LABELS, cursor=self.cursor)
        reader.set_viewer(self.me, None)
        reader.focus()

    def on_reader_cursor_moved(self, message: Reader.CursorMoved) -> None:
        self.moves.append(message)

    def action_app_escape(self) -> None:
        self.escapes += 1


def drive(app: ReaderApp, script: Callable[[Pilot, Reader], Awaitable[None]], size=SIZE) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await script(pilot, app.query_one(Reader))

    asyncio.run(main())


def doc(text: str, title: str = "A title", source: str = "https://example.org/a") -> Document:
    return Document(id="doc", text=text, title=title, source=source)


def span(number: int, text: str, quote: str, label: str = "claim", **fields) -> Annotation:
    start = text.index(quote)
    return Annotation(
        id=f"a{number}", doc_id="doc", start=start, end=start + len(quote), label=label, quote=quote, **fields
    )


def screen_y(reader: Reader, offset: int) -> int:
    """The widget line showing `offset`."""
    return reader.offset_to_cell(offset).y - round(reader.scroll_offset.y)


def screen_x(reader: Reader, offset: int) -> int:
    return reader.offset_to_cell(offset).x


def padding(reader: Reader) -> int:
    """Blank cells left of the gutter."""
    return reader.offset_to_cell(0).x - GUTTER


def style_at(strip: Strip, x: int) -> Style:
    position = 0
    for segment in strip:
        width = cell_len(segment.text)
        if position <= x < position + width:
            return segment.style
        position += width
    raise AssertionError(f"no cell {x} in a strip of {position}")


def char_at(strip: Strip, x: int) -> str:
    position = 0
    for character in strip.text:
        width = cell_len(character)
        if position <= x < position + max(width, 1):
            return character
        position += width
    raise AssertionError(f"no cell {x} in a strip of {position}")


def painted(reader: Reader, offset: int) -> tuple[str, Style]:
    """The character drawn for `offset` and its style, read from the rendered strip."""
    strip = reader.render_line(screen_y(reader, offset))
    x = screen_x(reader, offset)
    return char_at(strip, x), style_at(strip, x)


# -- motions -----------------------------------------------------------------------------


def test_characters_and_wrapped_lines(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("l", "l", "right")
        assert reader.cursor == 3
        await pilot.press("h", "left")
        assert reader.cursor == 1
        layout = reader.text_layout
        await pilot.press("j")
        assert layout.offset_to_rowcol(reader.cursor) == (1, 1)
        await pilot.press("down", "k")
        assert layout.offset_to_rowcol(reader.cursor) == (1, 1)
        await pilot.press("up", "up")
        assert reader.cursor == 1

    drive(ReaderApp(doc(seed_text)), script)


def test_vertical_moves_keep_the_goal_column_and_skip_paragraph_gaps():
    text = "A long first line of words here\nshort\nAnother long line of words here"
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(20)
        await pilot.press("j")
        assert reader.cursor == text.index("\nAnother")  # end of "short" (its newline)
        await pilot.press("j")
        assert reader.cursor == text.index("Another") + 20

    drive(ReaderApp(doc(text)), script)


def test_word_sentence_and_paragraph_keys(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("w", "w")
        assert reader.cursor == seed_text.index("to pay")
        await pilot.press("b")
        assert reader.cursor == seed_text.index("agrees")
        await pilot.press("}")
        second = seed_text.index("The Biden")
        assert reader.cursor == second
        await pilot.press(")")
        assert reader.cursor == seed_text.index("On Monday")
        await pilot.press("(")
        assert reader.cursor == second
        await pilot.press("{")
        assert reader.cursor == 0
        await pilot.press("G")
        assert reader.cursor == len(seed_text) - 1
        await pilot.press("g")
        assert reader.cursor == 0
        await pilot.press("end")
        layout = reader.text_layout
        assert reader.cursor == layout.row(0).last
        await pilot.press("home")
        assert reader.cursor == 0

    drive(ReaderApp(doc(seed_text)), script)


def test_page_keys_move_a_screen_and_scroll(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")

    async def script(pilot: Pilot, reader: Reader) -> None:
        height = reader.scrollable_content_region.height
        start_row = reader.offset_to_cell(reader.cursor).y
        await pilot.press("pagedown")
        assert reader.offset_to_cell(reader.cursor).y == start_row + height - 2
        assert reader.scroll_offset.y == height - 2
        await pilot.press("space", "pageup")
        assert reader.offset_to_cell(reader.cursor).y == start_row + height - 2
        await pilot.press("G")
        assert reader.cursor == len(text) - 1
        top = round(reader.scroll_offset.y)
        assert top <= reader.offset_to_cell(reader.cursor).y < top + height
        assert reader.render_line(reader.offset_to_cell(reader.cursor).y - top).text.strip() == "which we are not conscious."

    drive(ReaderApp(doc(text, title="War and Peace")), script)


def test_cursor_crosses_a_soft_newline_and_a_sentence_selection_spans_it(corpus):
    book = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    text = book[: book.index("All her invitations")]
    soft = text.index("\nBuonapartes")

    async def script(pilot: Pilot, reader: Reader) -> None:
        # The paragraph is reflowed: its newline is a space in the middle of a row.
        assert screen_y(reader, soft) == screen_y(reader, soft - 1) == screen_y(reader, soft + 1)
        assert screen_x(reader, soft + 1) == screen_x(reader, soft) + 1 == screen_x(reader, soft - 1) + 2
        reader.move_to(soft - 1)
        await pilot.press("l")
        assert reader.cursor == soft
        character, style = painted(reader, soft)
        assert character == " " and style.reverse
        await pilot.press("l")
        assert reader.cursor == soft + 1 and painted(reader, soft + 1)[0] == "B"
        await pilot.press("h", "h", "w")
        assert reader.cursor == soft + 1  # the newline is a space between two words
        await pilot.press("b")
        assert reader.cursor == text.index("the\nBuonapartes")
        anna = text.index("Anna\nPávlovna had")
        reader.move_to(anna + 10)
        await pilot.press("S")
        start, end = reader.selection
        assert text[start:end] == "Anna\nPávlovna had had a cough for some days."
        _, selected = painted(reader, anna + 4)
        _, plain = painted(reader, start - 2)
        assert painted(reader, anna + 4)[0] == " " and selected.bgcolor not in (None, plain.bgcolor)
        await pilot.press("escape", "g", ")")
        assert reader.cursor == text.index("But I warn you")  # the first sentence ran across a newline

    drive(ReaderApp(doc(text, title="War and Peace")), script)


def test_jumps_in_a_book_not_yet_measured_keep_the_cursor_on_screen(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")

    async def script(pilot: Pilot, reader: Reader) -> None:
        layout = reader.text_layout
        assert not layout.exact  # reflowed paragraphs are estimated until drawn
        height = reader.scrollable_content_region.height
        for offset in (len(text) - 1, len(text) // 2, 5 * len(text) // 6, len(text) // 3, 10):
            reader.move_to(offset)
            reader.render_lines(Region(0, 0, reader.size.width, height))  # draws, wrapping what is shown
            assert 0 <= screen_y(reader, offset) < height
            assert painted(reader, offset)[1].reverse
        assert not layout.exact

    drive(ReaderApp(doc(text, title="War and Peace")), script, size=(100, 12))


def test_rows_counted_off_screen_draw_no_frame_and_keep_the_text_on_screen(corpus, monkeypatch):
    """While the background count of a book's rows runs, the rows on screen do not
    move and are not drawn again: only rows off screen change, so each step costs
    the count alone, not a frame of the whole screen."""
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    drawn: list[int] = []
    original = Reader.render_line

    def counted(self: Reader, y: int) -> Strip:
        drawn.append(y)
        return original(self, y)

    async def script(pilot: Pilot, reader: Reader) -> None:
        layout = reader.text_layout
        reader.move_to(len(text) // 2)
        await pilot.pause()
        on_screen = reader.offset_to_cell(reader.cursor).y - round(reader.scroll_y)
        scrolled_from = reader.scroll_y
        monkeypatch.setattr(Reader, "render_line", counted)
        for _ in range(200):
            if layout.exact:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert layout.exact
        assert drawn == []
        assert reader.scroll_y != scrolled_from  # rows above were re-counted
        assert reader.offset_to_cell(reader.cursor).y - round(reader.scroll_y) == on_screen
        assert reader.virtual_size.height == reader.offset_to_cell(len(text) - 1).y + 1

    drive(ReaderApp(doc(text, title="War and Peace")), script, size=(100, 12))


def test_a_scroll_by_a_row_of_a_book_moves_its_scrollbar_without_drawing_it(corpus, monkeypatch):
    """The thumb of a 60,000-row book does not move for one row: the bar's position
    follows, and it is drawn again only when the thumb does move."""
    from textual.scrollbar import ScrollBar
    from textual.widget import Widget

    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    redrawn: list[Widget] = []
    original = Widget.refresh

    def refresh(self, *regions, **kwargs):
        if isinstance(self, ScrollBar):
            redrawn.append(self)
        return original(self, *regions, **kwargs)

    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("pagedown")
        for _ in range(200):  # the background count of rows moves the thumb: let it finish
            if reader.text_layout.exact:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        monkeypatch.setattr(Widget, "refresh", refresh)
        top = reader.scroll_y
        reader.scroll_to(y=top + 1, animate=False)
        await pilot.pause()
        assert reader.scroll_y == top + 1 and reader.vertical_scrollbar.position == top + 1
        assert redrawn == []
        reader.scroll_to(y=reader.max_scroll_y // 2, animate=False)
        await pilot.pause()
        assert redrawn and set(redrawn) == {reader.vertical_scrollbar}

    drive(ReaderApp(doc(text, title="War and Peace")), script, size=(100, 12))


def test_rows_counted_above_a_paragraph_gap_at_the_top_keep_the_screen_as_drawn():
    """One paragraph per line, each estimated (CJK): with a paragraph's gap row at the
    top of the screen, rows counted above it move the scroll position, and every row
    on screen still shows what the terminal shows (an offset names the row of text
    before a gap, so anchoring on it put the screen a row off without redrawing)."""
    import random

    rnd = random.Random(1)
    text = "\n".join(
        " ".join("".join(chr(0x4E00 + rnd.randrange(2000)) for _ in range(rnd.randrange(1, 9)))
                 for _ in range(rnd.randrange(10, 40)))
        for _ in range(6000)
    ) + "\n"

    async def script(pilot: Pilot, reader: Reader) -> None:
        layout = reader.text_layout
        assert layout.paragraph_gap and not layout.exact
        reader.move_to(len(text) // 2)
        await pilot.pause()
        reader._refiner.pause()
        top = round(reader.scroll_y) - reader.offset_to_cell(0).y
        gap = next(row for row in range(top, top + 200) if layout.row(row).gap)
        reader.scroll_to(y=reader.offset_to_cell(0).y + gap, animate=False)
        await pilot.pause()
        shown = [reader.render_line(y).text for y in range(reader.size.height)]
        before = reader.scroll_y
        reader._refiner.resume()
        for _ in range(200):
            if reader.scroll_y != before or layout.exact:
                break
            await pilot.pause(0.05)
        assert reader.scroll_y != before  # rows above were counted
        assert [reader.render_line(y).text for y in range(reader.size.height)] == shown

    drive(ReaderApp(doc(text, title="t")), script, size=(81, 20))


# -- selections ----------------------------------------------------------------------------


def test_v_selects_inclusively_and_motions_extend_it(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("v")
        assert reader.selection == (0, 1)
        await pilot.press("l", "l")
        assert reader.selection == (0, 3)
        await pilot.press("w")
        assert reader.selection == (0, seed_text.index("agrees") + 1)
        await pilot.press("v")
        assert reader.selection is None
        await pilot.press("shift+right", "shift+right")
        assert reader.selection == (seed_text.index("agrees"), seed_text.index("agrees") + 3)
        await pilot.press("escape")
        assert reader.selection is None
        assert pilot.app.escapes == 0
        await pilot.press("escape")
        assert pilot.app.escapes == 1  # nothing to clear: escape reaches the app

    drive(ReaderApp(doc(seed_text)), script)


def test_selection_backwards_includes_both_ends(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(10)
        await pilot.press("v", "h", "h", "shift+left")
        assert reader.selection == (7, 11)
        await pilot.press("shift+down")
        assert reader.selection[0] == 10

    drive(ReaderApp(doc(seed_text)), script)


def test_capital_w_s_p_select_word_sentence_paragraph(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(seed_text.index("Mayorkas") + 3)
        await pilot.press("W")
        start, end = reader.selection
        assert seed_text[start:end] == "Mayorkas"
        assert reader.target_span() == (start, end)
        await pilot.press("S")
        start, end = reader.selection
        assert seed_text[start:end].startswith("On Monday, the U.S. and Panama")
        assert seed_text[start:end].endswith("José Raúl Mulino.")
        await pilot.press("P")
        start, end = reader.selection
        assert seed_text[start:end] == seed_text.split("\n")[2]
        await pilot.press("escape")
        reader.move_to(seed_text.index(", the U.S."))
        assert reader.target_span() is None

    drive(ReaderApp(doc(seed_text)), script)


def test_target_span_is_the_word_under_the_cursor_without_a_selection(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(seed_text.index("60-mile") + 1)
        start, end = reader.target_span()
        assert seed_text[start:end] == "60-mile"

    drive(ReaderApp(doc(seed_text)), script)


# -- annotations -------------------------------------------------------------------------------


def test_tab_and_shift_tab_visit_annotations_in_reading_order(seed_text):
    spans = [
        span(1, seed_text, "Alejandro Mayorkas", "person"),
        span(2, seed_text, "60-mile", "statistic"),
        span(3, seed_text, "Adrienne Watson", "person"),
    ]

    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("v", "l")
        await pilot.press("tab")
        assert reader.cursor == spans[0].start and reader.selection is None
        await pilot.press("tab", "tab")
        assert reader.cursor == spans[2].start
        await pilot.press("tab")
        assert reader.cursor == spans[0].start  # wraps around
        await pilot.press("shift+tab")
        assert reader.cursor == spans[2].start
        await pilot.press("shift+tab")
        assert reader.cursor == spans[1].start

    drive(ReaderApp(doc(seed_text), spans), script)


def test_annotations_at_and_live_updates(seed_text):
    claim = span(1, seed_text, "the U.S. will help cover repatriation costs", "claim")
    stat = span(2, seed_text, "Through the deal, the U.S.", "statistic")
    person = span(3, seed_text, "U.S. will", "person")

    async def script(pilot: Pilot, reader: Reader) -> None:
        inside = seed_text.index("U.S. will")
        assert [a.id for a in reader.annotations_at(inside)] == ["a3", "a2", "a1"]
        reader.move_to(inside)
        assert [a.id for a in reader.annotations_at()] == ["a3", "a2", "a1"]
        reader.remove_annotation("a3")
        assert [a.id for a in reader.annotations_at()] == ["a2", "a1"]
        moved = span(2, seed_text, "Darién Gap, a 60-mile", "statistic")
        reader.upsert_annotation(moved)
        assert [a.id for a in reader.annotations_at()] == ["a1"]
        assert reader.annotations_at(moved.start + 1) == [moved]
        await pilot.press("v", "l")
        reader.set_annotations([person])
        assert reader.cursor == inside + 1 and reader.selection == (inside, inside + 2)
        assert [a.id for a in reader.annotations_at(inside)] == ["a3"]

    drive(ReaderApp(doc(seed_text), [claim, stat, person]), script)


def test_viewer_filters_annotators_and_hides_rejected_and_deleted(seed_text):
    mine = span(1, seed_text, "Mayorkas", "person", annotator="ana")
    theirs = span(2, seed_text, "Mulino", "person", annotator="ben")
    rejected = span(3, seed_text, "Watson", "person", annotator="ana", status="rejected")
    deleted = span(4, seed_text, "Blinken", "person", annotator="ana", deleted_at="2024-01-01T00:00:00Z")

    async def script(pilot: Pilot, reader: Reader) -> None:
        assert reader.annotations_at(theirs.start) == [theirs]
        assert reader.annotations_at(rejected.start) == []
        assert reader.annotations_at(deleted.start) == []
        _, my_style = painted(reader, mine.start)
        _, their_style = painted(reader, theirs.start)
        assert my_style.bgcolor is not None and not my_style.underline
        assert their_style.underline and their_style.bgcolor != my_style.bgcolor
        reader.set_viewer("ana", {"ana"})
        assert reader.annotations_at(theirs.start) == []
        assert reader.annotations_at(mine.start) == [mine]
        await pilot.press("tab", "tab")
        assert reader.cursor == mine.start

    drive(ReaderApp(doc(seed_text), [mine, theirs, rejected, deleted], me="ana"), script)


# -- search ------------------------------------------------------------------------------------


def test_search_jumps_highlights_and_n_moves_between_matches(seed_text):
    starts = [index for index in range(len(seed_text)) if seed_text.startswith("Panama", index)]

    async def script(pilot: Pilot, reader: Reader) -> None:
        assert reader.search("panama")
        assert reader.cursor == starts[0]
        assert reader.search_term == "panama"
        _, style = painted(reader, starts[0] + 2)
        assert style.underline
        await pilot.press("n")
        assert reader.cursor == starts[1]
        await pilot.press("N", "N")
        assert reader.cursor == starts[-1]  # wraps backwards
        assert not reader.search("Panama Canal zone")
        assert reader.search_term is None
        await pilot.press("n")
        assert reader.cursor == starts[-1]
        assert not reader.search("PANAMA")  # capitals make the search case-sensitive

    drive(ReaderApp(doc(seed_text)), script)


# -- painting ----------------------------------------------------------------------------------


def test_header_shows_title_and_source_as_inert_text():
    title = "[bold]Not markup[/bold] \x1b[31m"
    async def script(pilot: Pilot, reader: Reader) -> None:
        lines = [reader.render_line(y).text for y in range(3)]
        assert "[bold]Not markup[/bold] ␛[31m" in lines[0]
        assert "[link=x]src[/link]" in lines[1]
        assert lines[2].strip() == ""
        assert painted(reader, 0)[0] == "B"

    drive(ReaderApp(doc("Body text", title=title, source="[link=x]src[/link]")), script)


def test_control_characters_and_markup_in_the_text_are_inert():
    text = "plain [bold]not bold[/bold] \x1b[2J\x07bell\x08\x7f\x9b end"
    async def script(pilot: Pilot, reader: Reader) -> None:
        line = reader.render_line(screen_y(reader, 0))
        assert "[bold]not bold[/bold]" in line.text
        assert "␛[2J␇bell␈␡�" in line.text
        assert not any(ch in line.text for ch in "\x1b\x07\x08\x7f\x9b")
        assert all(not segment.style or not segment.style.bold for segment in line)
        assert painted(reader, text.index("end"))[0] == "e"

    drive(ReaderApp(doc(text)), script)


def test_cursor_and_selection_are_always_drawn(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        character, style = painted(reader, 0)
        assert style.reverse
        await pilot.press("v", "l", "l")
        _, selected = painted(reader, 1)
        _, plain = painted(reader, 10)
        assert selected.bgcolor is not None and selected.bgcolor != plain.bgcolor
        assert painted(reader, 2)[1].reverse and not selected.reverse
        newline = seed_text.index("\n")
        reader.move_to(newline)
        character, style = painted(reader, newline)
        assert character == " " and style.reverse

    drive(ReaderApp(doc(seed_text)), script)


def test_spans_are_tinted_and_nesting_suggestions_are_distinct(seed_text):
    outer = span(1, seed_text, "the U.S. will help cover repatriation costs", "claim")
    inner = span(2, seed_text, "repatriation costs", "statistic")
    suggested = span(3, seed_text, "Mayorkas", "person", status="suggested")

    async def script(pilot: Pilot, reader: Reader) -> None:
        _, plain = painted(reader, outer.start - 3)
        _, outer_style = painted(reader, outer.start + 1)
        _, inner_style = painted(reader, inner.start + 1)
        _, suggestion = painted(reader, suggested.start + 1)
        assert outer_style.bgcolor not in (None, plain.bgcolor)
        assert inner_style.bgcolor not in (None, outer_style.bgcolor)
        assert inner_style.bold and not outer_style.bold
        assert suggestion.italic and not outer_style.italic
        strip = reader.render_line(screen_y(reader, inner.start))
        assert strip.text[padding(reader)] == OVERLAP_MARK
        plain_row = reader.render_line(screen_y(reader, 0))
        assert plain_row.text[padding(reader)] == " "

    drive(ReaderApp(doc(seed_text), [outer, inner, suggested]), script)


def test_wide_characters_keep_every_row_the_width_of_the_pane():
    text = "中文字符测试 emoji 👨\u200d👩\u200d👧 ok e\u0301 tab\tstop " * 20 + "\n" + "日本語のテキスト" * 30

    async def script(pilot: Pilot, reader: Reader) -> None:
        width = reader.scrollable_content_region.width
        for y in range(reader.scrollable_content_region.height):
            assert sum(cell_len(segment.text) for segment in reader.render_line(y)) == width
        target = text.index("👨")
        reader.move_to(target)
        character, style = painted(reader, target)
        assert character == "👨" and style.reverse
        await pilot.press("l")
        assert reader.cursor == target + len("👨\u200d👩\u200d👧")

    drive(ReaderApp(doc(text)), script, size=(60, 20))


def test_text_is_centred_at_the_reading_width(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        width = reader.scrollable_content_region.width
        left = padding(reader)
        assert left == (width - GUTTER - 88 - 1) // 2 > 0
        rows = [reader.render_line(y).text[left + GUTTER :].rstrip() for y in range(3, 20)]
        assert max(len(row) for row in rows) <= 88
        reader.reading_width = 40
        await pilot.pause()
        rows = [reader.render_line(y).text[padding(reader) + GUTTER :].rstrip() for y in range(3, 20)]
        assert max(len(row) for row in rows) <= 40
        assert padding(reader) > left

    drive(ReaderApp(doc(seed_text)), script, size=(140, 30))


def test_resizing_rewraps_and_keeps_the_cursor_on_screen(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(seed_text.index("Blinken"))
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        assert reader.text_layout.width == 50 - GUTTER - 1 - reader.scrollbar_size_vertical
        y = screen_y(reader, reader.cursor)
        assert 0 <= y < reader.scrollable_content_region.height
        assert painted(reader, reader.cursor)[1].reverse

    drive(ReaderApp(doc(seed_text)), script)


def test_click_moves_the_cursor(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        target = seed_text.index("Biden")
        await pilot.click(Reader, offset=(screen_x(reader, target), screen_y(reader, target)))
        assert reader.cursor == target

    drive(ReaderApp(doc(seed_text)), script)


# -- messages and bindings ---------------------------------------------------------------------


def test_cursor_moved_reports_offset_selection_and_position(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("G")
        await pilot.pause()
        last = pilot.app.moves[-1]
        assert last.offset == len(seed_text) - 1 and last.position == 100.0
        await pilot.press("g", "v", "w")
        await pilot.pause()
        last = pilot.app.moves[-1]
        assert last.offset == seed_text.index("agrees")
        assert last.selection_length == seed_text.index("agrees") + 1
        assert last.control is reader

    drive(ReaderApp(doc(seed_text)), script)


def test_load_starts_at_a_saved_cursor_scrolled_into_view(seed_text):
    saved = seed_text.index("Blinken")

    async def script(pilot: Pilot, reader: Reader) -> None:
        assert reader.cursor == saved
        y = screen_y(reader, saved)
        assert 0 <= y < reader.scrollable_content_region.height

    drive(ReaderApp(doc(seed_text * 5), cursor=saved), script, size=(100, 12))


def test_every_binding_has_an_id_and_a_description():
    for binding in Reader.BINDINGS:
        assert binding.id == f"reader.{binding.action}"
        assert binding.description


def test_empty_document_is_harmless():
    async def script(pilot: Pilot, reader: Reader) -> None:
        await pilot.press("j", "l", "w", "W", "G", "tab", "v")
        assert reader.cursor == 0
        assert reader.target_span() is None
        assert painted(reader, 0)[1].reverse

    drive(ReaderApp(doc("")), script)


def test_long_cjk_lines_are_counted_exactly_in_the_background():
    text = "\n\n".join("漢字仮名交じり文の段落です。" * 30 for _ in range(60))

    async def script(pilot: Pilot, reader: Reader) -> None:
        layout = reader.text_layout
        assert not layout.exact
        await pilot.press("pagedown", "j")
        character, style = painted(reader, reader.cursor)
        assert style.reverse and character == text[reader.cursor]
        for _ in range(100):
            if layout.exact:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert layout.exact
        assert reader.virtual_size.height == reader.offset_to_cell(len(text) - 1).y + 1
        await pilot.press("G")
        assert painted(reader, len(text) - 1)[0] == "。"

    drive(ReaderApp(doc(text)), script, size=(60, 20))


def test_label_colours_and_theme_changes_repaint_spans(seed_text):
    person = span(1, seed_text, "Mayorkas", "person")

    async def script(pilot: Pilot, reader: Reader) -> None:
        _, before = painted(reader, person.start)
        reader.set_labels([Label("person", "2", "#ff0000")])
        _, relabelled = painted(reader, person.start)
        assert relabelled.bgcolor != before.bgcolor
        pilot.app.theme = "textual-light" if pilot.app.current_theme.dark else "textual-dark"
        await pilot.pause()
        _, themed = painted(reader, person.start)
        assert themed.bgcolor != relabelled.bgcolor

    drive(ReaderApp(doc(seed_text), [person]), script)


def test_load_before_mount_is_shown_once_mounted(seed_text):
    class LateApp(App):
        def compose(self) -> ComposeResult:
            reader = Reader()
            reader.load(doc(seed_text), [], LABELS, cursor=seed_text.index("Mulino"))
            yield reader

    async def main() -> None:
        app = LateApp()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            reader = app.query_one(Reader)
            assert reader.cursor == seed_text.index("Mulino")
            character, style = painted(reader, reader.cursor)
            assert character == "M" and style.reverse

    asyncio.run(main())


def test_cursor_moved_bursts_coalesce_per_reader():
    first, second = Reader(), Reader()
    earlier = Reader.CursorMoved(first, 1, 0, 0.0)
    assert Reader.CursorMoved(first, 2, 0, 0.1).can_replace(earlier)
    assert not Reader.CursorMoved(second, 2, 0, 0.1).can_replace(earlier)


def test_the_same_selection_key_again_grows_the_selection(seed_text):
    async def script(pilot: Pilot, reader: Reader) -> None:
        reader.move_to(seed_text.index("520,000"))
        await pilot.press("W", "W")
        start, end = reader.selection
        assert seed_text[start:end] == "520,000 migrants"
        reader.move_to(seed_text.index("On Monday"))
        await pilot.press("S", "S")
        start, end = reader.selection
        assert seed_text[start:end].startswith("On Monday")
        assert seed_text[start:end].endswith("through the Darién Gap, a 60-mile stretch of wilderness in Colombia and Panama often used by migrants traveling north to the U.S.")

    drive(ReaderApp(doc(seed_text)), script)


def test_narrowing_at_the_top_keeps_the_whole_header_in_view(seed_text):
    source = "/work/shared/corpus/bbc-news/tech/a-long-path-to-the-article.txt"

    async def script(pilot: Pilot, reader: Reader) -> None:
        assert reader.render_line(0).text.strip() == "a-long-path-to-the-article.txt"  # the file name
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert reader.scroll_y == 0
        assert reader.render_line(0).text.strip().startswith("a-long-")

    drive(ReaderApp(doc(seed_text, title="", source=source)), script, size=(100, 20))
