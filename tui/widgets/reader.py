"""The reader: one document wrapped to a reading measure, spans coloured by label, a
keyboard cursor and a vim-style visual selection.

It is a Line API widget: `virtual_size` covers the whole wrapped document and
`render_line` draws only the rows on screen, so a 3 MB book with ten thousand spans opens
as fast as a short article. A text that separates paragraphs by blank lines is reflowed:
the single newlines of its hard-wrapped paragraphs are drawn as spaces and the paragraph
is wrapped to the measure, while a text with one paragraph per line gets a blank row
after each line. Wrapping lives in `tui.layout`, span lookup in `tui.span_index`,
word/sentence/paragraph boundaries in `tui.text_motion`; this module turns them into
strips and key bindings. It never touches the database: the app hands it `store.model`
objects and listens for `Reader.CursorMoved`.

| keys | action |
|---|---|
| left/h right/l | previous / next character |
| up/k down/j | previous / next wrapped line |
| w b, ) (, } { | next / previous word, sentence, paragraph |
| g G (ctrl+home ctrl+end) | start / end of the document |
| home end | start / end of the wrapped line |
| pageup pagedown space | pages |
| v | start / stop a selection (inclusive of the cursor character) |
| shift+arrows | extend the selection |
| W S P | select the word / sentence / paragraph under the cursor |
| escape | clear the selection |
| tab shift+tab | next / previous annotation |
| n N | next / previous match of the search term |
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from margin.store.model import Annotation, Document, Label
from margin.tui.layout import Layout, Row
from margin.tui.span_index import SpanIndex
from margin.tui.text_motion import TextMotion

GUTTER = 2
"""Cells left of the text for the overlap mark."""

SCROLL_MARGIN = 2
"""Rows kept between the cursor and the top or bottom edge while moving."""

OVERLAP_MARK = "┃"
REFINE_INTERVAL = 0.05
REFINE_BUDGET = 0.008
STRIP_CACHE = 512
"""Rendered rows kept: several screens, so scrolling back and forth repaints nothing."""
MY_TINT = 0.45
OTHER_TINT = 0.22


def _visible(annotation: Annotation, visible: set[str] | None) -> bool:
    if annotation.deleted or annotation.status == "rejected":
        return False
    return visible is None or annotation.annotator in visible


class Reader(ScrollView, can_focus=True):
    """A keyboard-driven view of one document and its annotations."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "cursor_left", "Left", show=False, id="reader.cursor_left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="reader.cursor_right"),
        Binding("up,k", "cursor_up", "Up", show=False, id="reader.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="reader.cursor_down"),
        Binding("w", "word_next", "Next word", show=False, id="reader.word_next"),
        Binding("b", "word_previous", "Previous word", show=False, id="reader.word_previous"),
        Binding(")", "sentence_next", "Next sentence", show=False, id="reader.sentence_next"),
        Binding("(", "sentence_previous", "Previous sentence", show=False, id="reader.sentence_previous"),
        Binding("}", "paragraph_next", "Next paragraph", show=False, id="reader.paragraph_next"),
        Binding("{", "paragraph_previous", "Previous paragraph", show=False, id="reader.paragraph_previous"),
        Binding("g,ctrl+home", "document_start", "Top", show=False, id="reader.document_start"),
        Binding("G,ctrl+end", "document_end", "Bottom", show=False, id="reader.document_end"),
        Binding("home", "line_start", "Line start", show=False, id="reader.line_start"),
        Binding("end", "line_end", "Line end", show=False, id="reader.line_end"),
        Binding("pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("v", "toggle_selection", "Select", id="reader.toggle_selection"),
        Binding("shift+left", "select_left", "Extend left", show=False, id="reader.select_left"),
        Binding("shift+right", "select_right", "Extend right", show=False, id="reader.select_right"),
        Binding("shift+up", "select_up", "Extend up", show=False, id="reader.select_up"),
        Binding("shift+down", "select_down", "Extend down", show=False, id="reader.select_down"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="reader.clear_selection"),
        Binding("W", "select_word", "Select word (again: the next too)", show=False, id="reader.select_word"),
        Binding("S", "select_sentence", "Select sentence (again: the next too)", show=False, id="reader.select_sentence"),
        Binding("P", "select_paragraph", "Select paragraph (again: the next too)", show=False, id="reader.select_paragraph"),
        Binding("tab", "annotation_next", "Next span", id="reader.annotation_next"),
        Binding("shift+tab", "annotation_previous", "Previous span", show=False, id="reader.annotation_previous"),
        Binding("n", "search_next", "Next match", show=False, id="reader.search_next"),
        Binding("N", "search_previous", "Previous match", show=False, id="reader.search_previous"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--cursor",
        "reader--selection",
        "reader--search-match",
        "reader--header",
        "reader--source",
        "reader--gutter",
    }

    DEFAULT_CSS = """
    Reader {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        height: 1fr;
    }
    Reader > .reader--cursor { text-style: reverse; }
    Reader > .reader--selection { background: $foreground 40%; }
    Reader > .reader--search-match { background: $warning 50%; text-style: underline; }
    Reader > .reader--header { text-style: bold; }
    Reader > .reader--source { color: $text-muted; text-style: italic; }
    Reader > .reader--gutter { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, init=False, repaint=False)
    """Code-point offset of the cursor in `document.text`."""

    reading_width: reactive[int] = reactive(88, init=False, repaint=False)
    """The measure in cells; text is centred when the widget is wider."""

    class CursorMoved(Message):
        """The cursor or the selection changed. Bursts coalesce into the latest."""

        def __init__(self, reader: Reader, offset: int, selection_length: int, position: float) -> None:
            super().__init__()
            self.reader = reader
            self.offset = offset
            self.selection_length = selection_length
            self.position = position
            """Per cent through the document."""

        @property
        def control(self) -> Reader:
            return self.reader

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Reader.CursorMoved) and message.reader is self.reader

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.document: Document | None = None
        self._text = ""
        self._layout: Layout | None = None
        self._motion: TextMotion | None = None
        self._labels: dict[str, Label] = {}
        self._annotations: dict[str, Annotation] = {}
        self._index = SpanIndex()
        self._me: str | None = None
        self._visible_annotators: set[str] | None = None
        self._anchor: int | None = None
        self._selected_unit: str | None = None  # the unit W/S/P last selected, to grow it
        self._goal_column: int | None = None
        self._search: re.Pattern[str] | None = None
        self._header: list[tuple[str, str]] = []
        self._geometry = (0, 0, 0)  # (pane width, measure, left padding)
        self._centre_pending = False  # centre the cursor once the widget has a size
        self._refiner: Timer | None = None
        self._selection_memo: tuple[tuple[int | None, int], tuple[int, int] | None] = ((None, -1), None)
        self._style_generation = 0
        self._styles: dict[tuple, Style] = {}
        self._strips: LRUCache[tuple, Strip] = LRUCache(STRIP_CACHE)

    # -- public API ----------------------------------------------------------------

    def load(
        self,
        document: Document,
        annotations: Iterable[Annotation],
        labels: Iterable[Label],
        *,
        cursor: int = 0,
    ) -> None:
        """Show `document`; the cursor starts at `cursor` (scrolled into view)."""
        self.document = document
        self._text = document.text
        self._motion = TextMotion(self._text)
        self._geometry = self._measure()
        blank_lines = self._motion.blank_lines
        self._layout = Layout(self._text, self._geometry[1], paragraph_gap=not blank_lines, reflow=blank_lines)
        self._labels = {label.name: label for label in labels}
        self._annotations = {annotation.id: annotation for annotation in annotations}
        self._rebuild_index()
        self._anchor = None
        self._selection_memo = ((None, -1), None)
        self._goal_column = None
        self._search = None
        self._styles.clear()
        self._strips.clear()
        self._build_header()
        self._update_virtual_size()
        self._start_refining()
        self.set_reactive(Reader.cursor, self.validate_cursor(cursor))
        self.scroll_to(y=0, animate=False)
        self._centre_pending = True
        self._scroll_to_cursor(centre=True)
        self.refresh()
        self._post_cursor_moved()

    def set_labels(self, labels: Iterable[Label]) -> None:
        """Replace the label scheme (colours and keys)."""
        self._labels = {label.name: label for label in labels}
        self._restyle()

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Replace every annotation; cursor, selection and scroll position stay."""
        self._annotations = {annotation.id: annotation for annotation in annotations}
        self._rebuild_index()
        self.refresh()

    def upsert_annotation(self, annotation: Annotation) -> None:
        """Add an annotation or replace the one with its id, repainting only its rows."""
        previous = self._annotations.get(annotation.id)
        self._annotations[annotation.id] = annotation
        self._index.remove(annotation.id)
        if _visible(annotation, self._visible_annotators):
            self._index.add(annotation)
        if previous is not None:
            self._refresh_offsets(previous.start, previous.end)
        self._refresh_offsets(annotation.start, annotation.end)

    def remove_annotation(self, annotation_id: str) -> None:
        previous = self._annotations.pop(annotation_id, None)
        self._index.remove(annotation_id)
        if previous is not None:
            self._refresh_offsets(previous.start, previous.end)

    def set_viewer(self, me: str | None, visible: set[str] | None) -> None:
        """`me` is the current annotator; only spans by annotators in `visible` are shown
        (None shows everyone's). Other annotators' spans are drawn underlined and paler."""
        self._me = me
        self._visible_annotators = None if visible is None else set(visible)
        self._rebuild_index()
        self._styles.clear()
        self.refresh()

    @property
    def selection(self) -> tuple[int, int] | None:
        """``[start, end)`` of the selection, including the character under the cursor."""
        if self._anchor is None or self._layout is None:
            return None
        low = min(self._anchor, self.cursor)
        high = min(self._layout.cluster_end(max(self._anchor, self.cursor)), len(self._text))
        return (low, high) if low < high else None

    def target_span(self) -> tuple[int, int] | None:
        """What a label key applies to: the selection, else the word under the cursor."""
        selection = self.selection
        if selection is not None:
            return selection
        if self._motion is None:
            return None
        return self._motion.word_at(self.cursor)

    def annotations_at(self, offset: int | None = None) -> list[Annotation]:
        """Visible annotations covering `offset` (default: the cursor), innermost first."""
        return self._index.at(self.cursor if offset is None else offset)

    def clear_selection(self) -> None:
        if self._anchor is None:
            return
        old = self.selection
        self._anchor = None
        if old is not None:
            self._refresh_offsets(*old)
        self._post_cursor_moved()

    def move_to(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor (extending the selection when `select`), and scroll it into
        view, centred when it was far away."""
        if select:
            if self._anchor is None:
                self._anchor = self.cursor
        else:
            self.clear_selection()
        self._goal_column = None
        self.cursor = offset
        self._scroll_to_cursor()

    def search(self, term: str, *, forward: bool = True) -> bool:
        """Highlight every match of `term` (case-insensitive unless it has capitals) and
        jump to the next one from the cursor, wrapping around; False when there is none."""
        if not term:
            self._search = None
            self.refresh()
            return False
        pattern = re.compile(re.escape(term), 0 if term != term.lower() else re.IGNORECASE)
        match = self._find(pattern, forward)
        self._search = pattern if match is not None else None
        self.refresh()
        if match is None:
            return False
        self.move_to(match.start())
        return True

    @property
    def search_term(self) -> str | None:
        """The term being highlighted, if any."""
        return None if self._search is None else re.sub(r"\\(.)", r"\1", self._search.pattern)

    @property
    def layout(self) -> Layout | None:
        """The wrapped document at the current measure (None before `load`)."""
        return self._layout

    def offset_to_cell(self, offset: int) -> Offset:
        """Where `offset` is drawn on the virtual canvas (header rows included)."""
        if self._layout is None:
            return Offset(0, 0)
        row, column = self._layout.offset_to_rowcol(offset)
        return Offset(self._geometry[2] + GUTTER + column, len(self._header) + row)

    # -- reactives -----------------------------------------------------------------

    def validate_cursor(self, offset: int) -> int:
        if self._layout is None:
            return 0
        offset = min(max(offset, 0), max(len(self._text) - 1, 0))
        return self._layout.cluster_start(offset)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._anchor is not None:
            self._refresh_offsets(min(old, new), max(old, new))
        else:
            self._refresh_offsets(old, old)
        self._refresh_offsets(new, new)
        self._scroll_to_cursor()
        self._post_cursor_moved()

    def watch_reading_width(self) -> None:
        self._relayout()

    # -- geometry --------------------------------------------------------------------

    def _measure(self) -> tuple[int, int, int]:
        """``(pane width, measure, left padding)`` for the current size."""
        width = self.scrollable_content_region.width
        if width <= 0:
            width = self.reading_width + GUTTER + 1
        measure = max(8, min(self.reading_width, width - GUTTER - 1))
        padding = max(0, (width - GUTTER - measure - 1) // 2)
        return width, measure, padding

    def _relayout(self) -> None:
        geometry = self._measure()
        if geometry == self._geometry or self._layout is None:
            self._geometry = geometry
            return
        at_top = round(self.scroll_y) == 0
        screen_row = self._cursor_row() - round(self.scroll_y)
        self._geometry = geometry
        self._layout.set_width(geometry[1])
        self._build_header()
        self._strips.clear()
        self._update_virtual_size()
        self._start_refining()
        # Keep the cursor where it was on screen, except at the top of the document,
        # where a header that now wraps onto more rows must not push its first row off.
        top = 0 if at_top else max(0, self._cursor_row() - screen_row)
        self.scroll_to(y=top, animate=False)
        self._scroll_to_cursor()
        self.refresh()

    def on_mount(self) -> None:
        super().on_mount()
        self._start_refining()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        if self._centre_pending:
            self._scroll_to_cursor(centre=True)

    def _start_refining(self) -> None:
        """Make estimated row counts exact in small steps while the app is idle."""
        if self._layout is None or self._layout.exact or self._refiner is not None or not self.is_attached:
            return
        self._refiner = self.set_interval(REFINE_INTERVAL, self._refine_step)

    def _refine_step(self) -> None:
        layout = self._layout
        if layout is None or layout.exact:
            if self._refiner is not None:
                self._refiner.stop()
                self._refiner = None
            return
        header = len(self._header)
        top = round(self.scroll_y) - header
        anchor = layout.row(top).start if top > 0 else None
        if layout.refine(REFINE_BUDGET):
            self._update_virtual_size()
            if anchor is not None:
                # Keep the same text at the top while rows above it are re-counted.
                self.scroll_to(y=header + layout.row_of(anchor), animate=False)
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        layout = self._layout
        if layout is not None and not layout.exact:
            # Wrap the estimated lines on screen first, so that one frame maps rows consistently.
            first = round(self.scroll_y) - len(self._header)
            for row in range(max(0, first + crop.y), max(0, first + crop.bottom)):
                layout.row(row)
            if len(self._header) + layout.row_count != self.virtual_size.height:
                self.call_after_refresh(self._update_virtual_size)
        return super().render_lines(crop)

    def _update_virtual_size(self) -> None:
        rows = len(self._header) + (self._layout.row_count if self._layout else 0)
        self.virtual_size = Size(self._geometry[0], rows)

    def _build_header(self) -> None:
        """Title and source as the first rows: shown, wrapped, but owning no offsets."""
        self._header = []
        if self.document is None:
            return
        measure = self._geometry[1]
        title = "" if _title_opens_text(self.document) else self.document.title
        for value, component in ((title, "reader--header"), (self.document.source, "reader--source")):
            if not value:
                continue
            value = " ".join(value.split())
            for row in Layout(value, measure).iter_rows():
                self._header.append((row.display(value, row.start, row.end), component))
        if self._header:
            self._header.append(("", ""))

    def _viewport(self) -> tuple[int, int]:
        """``(first virtual row on screen, rows on screen)``."""
        return round(self.scroll_y), self.size.height

    def _cursor_row(self) -> int:
        """Virtual row (header included) of the cursor."""
        return self.offset_to_cell(self.cursor).y

    def _scroll_to_cursor(self, centre: bool = False) -> None:
        top, height = self._viewport()
        layout = self._layout
        if layout is None or height <= 0:
            return
        self._centre_pending = False
        if not layout.exact:
            # Rows drawn above the cursor must not move once the screen is placed.
            layout.settle(self.cursor, height)
            if len(self._header) + layout.row_count != self.virtual_size.height:
                self._update_virtual_size()
        row = self._cursor_row()
        margin = min(SCROLL_MARGIN, (height - 1) // 2)
        if not centre and top + margin <= row < top + height - margin:
            return
        far = row < top - height or row >= top + 2 * height
        if centre or far:
            target = row - height // 2
        elif row < top + margin:
            target = row - margin
        else:
            target = row - height + 1 + margin
        if row < height - margin:
            target = 0
        self.scroll_to(y=max(0, target), animate=False)

    def _refresh_offsets(self, start: int, end: int) -> None:
        """Repaint the visible rows showing offsets ``[start, end]``."""
        if self._layout is None:
            return
        top, height = self._viewport()
        header = len(self._header)
        first = header + self._layout.row_of(max(0, start))
        last = header + self._layout.row_of(max(0, end))
        first = max(first, top)
        last = min(last, top + height - 1)
        if first <= last:
            self.refresh_lines(first, last - first + 1)

    # -- index and styles -----------------------------------------------------------

    def _rebuild_index(self) -> None:
        visible = self._visible_annotators
        self._index = SpanIndex(a for a in self._annotations.values() if _visible(a, visible))

    def _restyle(self) -> None:
        self._style_generation += 1
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_generation += 1
        self._styles.clear()
        self._strips.clear()

    def _label_color(self, label: str) -> Color:
        known = self._labels.get(label)
        try:
            return Color.parse(known.color if known else "#888888")
        except Exception:
            return Color.parse("#888888")

    def _span_style(self, annotation: Annotation, nested: bool) -> Style:
        mine = self._me is None or annotation.annotator == self._me
        suggested = annotation.status == "suggested"
        key = ("span", annotation.label, mine, suggested, nested)
        style = self._styles.get(key)
        if style is None:
            background = self.background_colors[1]
            strength = MY_TINT if mine and not suggested else OTHER_TINT
            tint = background.blend(self._label_color(annotation.label), strength)
            style = Style(
                bgcolor=tint.rich_color,
                bold=nested or None,
                italic=suggested or None,
                underline=(not mine) or None,
            )
            self._styles[key] = style
        return style

    def _base_style(self) -> Style:
        style = self._styles.get(("base",))
        if style is None:
            style = self._styles[("base",)] = self.rich_style
        return style

    def _current_selection(self) -> tuple[int, int] | None:
        """`selection`, computed once per cursor position rather than once per row."""
        key = (self._anchor, self.cursor)
        if self._selection_memo[0] != key:
            self._selection_memo = (key, self.selection)
        return self._selection_memo[1]

    def _component(self, name: str) -> Style:
        key = ("component", name)
        style = self._styles.get(key)
        if style is None:
            style = self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    def _cell_style(
        self, base: Style, covering: list[Annotation], selected: bool, matched: bool, cursor: bool
    ) -> Style:
        inner = min(covering, key=lambda a: a.end - a.start) if covering else None
        key = (
            "cell",
            (inner.label, inner.annotator, inner.status, len(covering) > 1) if inner else None,
            selected,
            matched,
            cursor,
        )
        style = self._styles.get(key)
        if style is None:
            style = base
            if inner is not None:
                style += self._span_style(inner, len(covering) > 1)
            if matched:
                style += self._component("reader--search-match")
            if selected:
                style += self._component("reader--selection")
            if cursor:
                style += self._component("reader--cursor")
            self._styles[key] = style
        return style

    # -- rendering ------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._geometry[0]
        row = round(self.scroll_y) + y
        if self._layout is None:
            return Strip.blank(self.scrollable_content_region.width, self._base_style())
        header = len(self._header)
        if row < header:
            return self._header_strip(row, width)
        row -= header
        text_row = self._layout.row(row)
        if row >= self._layout.row_count:
            return Strip.blank(width, self._base_style())
        return self._text_strip(text_row, width)

    def _header_strip(self, row: int, width: int) -> Strip:
        key = ("header", row, self._geometry, self._style_generation)
        strip = self._strips.get(key)
        if strip is None:
            base = self._base_style()
            text, component = self._header[row]
            style = base + self._component(component) if component else base
            padding = self._geometry[2] + GUTTER
            strip = Strip([Segment(" " * padding, base), Segment(text, style)]).adjust_cell_length(width, base)
            self._strips[key] = strip
        return strip

    def _matches_in(self, start: int, stop: int) -> tuple[tuple[int, int], ...]:
        pattern = self._search
        if pattern is None:
            return ()
        reach = len(pattern.pattern)
        found = []
        for match in pattern.finditer(self._text, max(0, start - reach), min(len(self._text), stop + reach)):
            if match.end() > start and match.start() < stop:
                found.append((max(match.start(), start), min(match.end(), stop)))
        return tuple(found)

    def _text_strip(self, row: Row, width: int) -> Strip:
        base = self._base_style()
        if row.gap:
            return Strip.blank(width, base)
        start, stop = row.start, row.stop
        spans = self._index.overlapping(start, stop) if len(self._index) else []
        selection = self._current_selection()
        selected = None
        if selection is not None and selection[0] < stop and selection[1] > start:
            selected = (max(selection[0], start), min(selection[1], stop))
        cursor = self.cursor
        cursor_here = start <= cursor < stop or (start == stop == cursor == len(self._text))
        matches = self._matches_in(start, stop)
        key = (
            start,
            stop,
            self._geometry,
            tuple((a.start, a.end, a.label, a.status, a.annotator) for a in spans),
            selected,
            cursor if cursor_here else None,
            matches,
            self._style_generation,
            self._me,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._build_strip(row, width, base, spans, selected, cursor if cursor_here else None, matches)
            self._strips[key] = strip
        return strip

    def _build_strip(
        self,
        row: Row,
        width: int,
        base: Style,
        spans: list[Annotation],
        selected: tuple[int, int] | None,
        cursor: int | None,
        matches: tuple[tuple[int, int], ...],
    ) -> Strip:
        start, stop = row.start, row.stop
        points = {start, stop}
        for annotation in spans:
            points.add(max(annotation.start, start))
            points.add(min(annotation.end, stop))
        if selected is not None:
            points.update(selected)
        for match in matches:
            points.update(match)
        if cursor is not None:
            points.add(cursor)
            points.add(min(row.cluster_end(cursor), stop))
        boundaries = sorted({row.cluster_start(point) if point < row.end else point for point in points})
        segments = [Segment(" " * self._geometry[2], base)] if self._geometry[2] else []
        segments.append(self._gutter(spans, start, stop, base))
        text = self._text
        for low, high in zip(boundaries, boundaries[1:]):
            covering = [a for a in spans if a.start <= low < a.end]
            style = self._cell_style(
                base,
                covering,
                selected is not None and selected[0] <= low < selected[1],
                any(m_start <= low < m_end for m_start, m_end in matches),
                cursor is not None and cursor <= low < row.cluster_end(cursor),
            )
            segments.append(Segment(row.display(text, low, high), style))
        used = self._geometry[2] + GUTTER + row.cells + row.newline
        if cursor is not None and start == stop:
            segments.append(Segment(" ", base + self._component("reader--cursor")))
            used += 1
        if used > width:  # spaces hanging past a narrow pane
            return Strip(segments).crop(0, width)
        segments.append(Segment(" " * (width - used), base))
        # The layout measured every cell already: no need for Strip to measure again.
        return Strip(segments, width)

    def _gutter(self, spans: list[Annotation], start: int, stop: int, base: Style) -> Segment:
        """An overlap mark when two spans share an offset on this row."""
        reach = -1
        for annotation in spans:
            if annotation.start < reach and max(annotation.start, start) < min(reach, stop):
                color = self._label_color(annotation.label).rich_color
                return Segment(OVERLAP_MARK.ljust(GUTTER), base + Style(color=color, bold=True))
            reach = max(reach, annotation.end)
        return Segment(" " * GUTTER, base)

    # -- cursor motion helpers ---------------------------------------------------------

    def _go(self, offset: int | None, *, extend: bool = False, keep_goal: bool = False) -> None:
        """Move the cursor for a key press: visual mode extends, `extend` starts it."""
        if offset is None or self._layout is None:
            self.app.bell()
            return
        if extend and self._anchor is None:
            self._anchor = self.cursor
        goal = self._goal_column
        self.cursor = offset
        self._goal_column = goal if keep_goal else None

    def _vertical(self, rows: int) -> int | None:
        """Offset `rows` wrapped rows away at the goal column, skipping paragraph gaps."""
        layout = self._layout
        if layout is None:
            return None
        row_index, column = layout.offset_to_rowcol(self.cursor)
        if self._goal_column is None:
            self._goal_column = column
        target = min(max(row_index + rows, 0), layout.row_count - 1)
        step = 1 if rows > 0 else -1
        while layout.row(target).gap and 0 <= target + step < layout.row_count:
            target += step
        if layout.row(target).gap:
            target -= step
        if target == row_index:
            return None
        return layout.rowcol_to_offset(target, self._goal_column)

    def _post_cursor_moved(self) -> None:
        selection = self.selection
        length = selection[1] - selection[0] if selection else 0
        total = max(len(self._text) - 1, 1)
        self.post_message(self.CursorMoved(self, self.cursor, length, 100.0 * self.cursor / total))

    def _find(self, pattern: re.Pattern[str], forward: bool) -> re.Match[str] | None:
        text = self._text
        if forward:
            return pattern.search(text, self.cursor + 1) or pattern.search(text, 0)
        return self._last_match_before(pattern, self.cursor) or self._last_match_before(pattern, len(text))

    def _last_match_before(self, pattern: re.Pattern[str], end: int) -> re.Match[str] | None:
        text = self._text
        reach = min(len(text), end + len(pattern.pattern))
        step = 65536
        while True:
            low = max(0, end - step)
            last = None
            for match in pattern.finditer(text, low, reach):
                if match.start() >= end:
                    break
                last = match
            if last is not None or low == 0:
                return last
            step *= 4

    # -- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let escape, n and N fall through to the app when they have nothing to do here."""
        if action == "clear_selection":
            return self._anchor is not None
        if action in ("search_next", "search_previous"):
            return self._search is not None
        return True

    def action_cursor_left(self) -> None:
        self._go(self.cursor - 1 if self.cursor > 0 else None)

    def action_cursor_right(self) -> None:
        if self._layout is None:
            return
        following = self._layout.cluster_end(self.cursor)
        self._go(following if following < len(self._text) else None)

    def action_cursor_up(self) -> None:
        self._go(self._vertical(-1), keep_goal=True)

    def action_cursor_down(self) -> None:
        self._go(self._vertical(1), keep_goal=True)

    def action_select_left(self) -> None:
        self._go(self.cursor - 1 if self.cursor > 0 else None, extend=True)

    def action_select_right(self) -> None:
        if self._layout is None:
            return
        following = self._layout.cluster_end(self.cursor)
        self._go(following if following < len(self._text) else None, extend=True)

    def action_select_up(self) -> None:
        self._go(self._vertical(-1), extend=True, keep_goal=True)

    def action_select_down(self) -> None:
        self._go(self._vertical(1), extend=True, keep_goal=True)

    def _move_by(self, motion: str) -> None:
        """Go where a TextMotion method (``next_word``, ``previous_sentence``…) says."""
        self._go(getattr(self._motion, motion)(self.cursor) if self._motion else None)

    def action_word_next(self) -> None:
        self._move_by("next_word")

    def action_word_previous(self) -> None:
        self._move_by("previous_word")

    def action_sentence_next(self) -> None:
        self._move_by("next_sentence")

    def action_sentence_previous(self) -> None:
        self._move_by("previous_sentence")

    def action_paragraph_next(self) -> None:
        self._move_by("next_paragraph")

    def action_paragraph_previous(self) -> None:
        self._move_by("previous_paragraph")

    def action_document_start(self) -> None:
        self._go(0)

    def action_document_end(self) -> None:
        self._go(len(self._text) - 1 if self._text else 0)

    def action_line_start(self) -> None:
        if self._layout is not None:
            self._go(self._layout.row(self._layout.row_of(self.cursor)).start)

    def action_line_end(self) -> None:
        if self._layout is not None:
            self._go(self._layout.row(self._layout.row_of(self.cursor)).last)

    def _page(self, direction: int) -> None:
        layout = self._layout
        if layout is None:
            return
        top, height = self._viewport()
        step = max(1, height - 2) * direction
        target = self._vertical(step)
        self.scroll_to(y=max(0, top + step), animate=False)
        self._go(target, keep_goal=True)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_toggle_selection(self) -> None:
        if self._anchor is None:
            self._anchor = self.cursor
            self._refresh_offsets(self.cursor, self.cursor)
            self._post_cursor_moved()
        else:
            self.clear_selection()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def _select(self, span: tuple[int, int] | None) -> None:
        if span is None or span[0] >= span[1] or self._layout is None:
            self.app.bell()
            return
        self.clear_selection()
        self._anchor = span[0]
        self.cursor = self._layout.cluster_start(span[1] - 1)
        self._refresh_offsets(*span)
        self._post_cursor_moved()

    def _select_unit(self, unit: str) -> None:
        """Select the word, sentence or paragraph under the cursor; the same key again
        grows the selection by the next one, so "520,000 migrants" is `W W`."""
        if self._motion is None:
            self._select(None)
            return
        unit_at = getattr(self._motion, f"{unit}_at")
        current = self.selection if self._selected_unit == unit else None
        self._selected_unit = unit
        if current is None:
            self._select(unit_at(self.cursor))
            return
        following = getattr(self._motion, f"next_{unit}")(current[1] - 1)
        grown = unit_at(following) if following is not None else None
        self._select((current[0], grown[1]) if grown and grown[1] > current[1] else None)

    def action_select_word(self) -> None:
        self._select_unit("word")

    def action_select_sentence(self) -> None:
        self._select_unit("sentence")

    def action_select_paragraph(self) -> None:
        self._select_unit("paragraph")

    def action_annotation_next(self) -> None:
        annotation = self._index.next_after(self.cursor) or self._index.next_after(-1)
        if annotation is None:
            self.app.bell()
            return
        self.move_to(annotation.start)

    def action_annotation_previous(self) -> None:
        annotation = self._index.previous_before(self.cursor) or self._index.previous_before(len(self._text) + 1)
        if annotation is None:
            self.app.bell()
            return
        self.move_to(annotation.start)

    def action_search_next(self) -> None:
        if self._search is not None:
            self._jump_to_match(forward=True)

    def action_search_previous(self) -> None:
        if self._search is not None:
            self._jump_to_match(forward=False)

    def _jump_to_match(self, forward: bool) -> None:
        assert self._search is not None
        match = self._find(self._search, forward)
        if match is None:
            self.app.bell()
        else:
            self.move_to(match.start())

    # -- mouse -------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the character under the pointer (shift extends)."""
        layout = self._layout
        offset = event.get_content_offset(self)
        if layout is None or offset is None:
            return
        row = round(self.scroll_y) + offset.y - len(self._header)
        if not 0 <= row < layout.row_count:
            return
        column = offset.x - self._geometry[2] - GUTTER
        self.move_to(layout.rowcol_to_offset(row, max(0, column)), select=event.shift)


def _title_opens_text(document: Document) -> bool:
    """Plain-text articles begin with their own headline; drawing it twice is noise."""
    first_line = next((line for line in document.text.split("\n", 5)[:5] if line.strip()), "")
    title = " ".join(document.title.split()).rstrip("…")
    return bool(title) and " ".join(first_line.split()).startswith(title)
