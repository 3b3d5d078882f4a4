"""Where the reader's rows go: the measure and its centring, the header rows, the virtual
size, scrolling the cursor into view, repainting only the rows an edit touches, and making
estimated row counts exact while the app is idle.

A mixin of `Reader` (see `tui/widgets/reader.py`), which owns the state declared below:
the declarations exist for the type checker only, so that each helper module of the
widget reads as ordinary methods on ``self``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from margin.store.model import Annotation, Document, Label
from margin.tui.compat import resize_without_layout, scroll_in_place, scroll_without_bar_redraw
from margin.tui.sources import byline, source_label, wrap_source
from margin.tui.text.layout import Layout
from margin.tui.text.motion import TextMotion
from margin.tui.text.span_index import SpanIndex

GUTTER = 2
"""Cells left of the text for the overlap mark."""

SCROLL_MARGIN = 2
"""Rows kept between the cursor and the top or bottom edge while moving."""

REFINE_INTERVAL = 0.05
REFINE_BUDGET = 0.008

if TYPE_CHECKING:
    _Base = ScrollView
else:
    _Base = object


class ReaderView(_Base):
    """Geometry and scrolling of the `Reader`; the base of its other helper mixins."""

    if TYPE_CHECKING:
        # The Reader's state, set in `Reader.__init__` and `Reader.load`.
        document: Document | None
        cursor: int
        reading_width: int
        width_hint: int | None
        _text: str
        _layout: Layout | None
        _motion: TextMotion | None
        _labels: dict[str, Label]
        _annotations: dict[str, Annotation]
        _index: SpanIndex
        _me: str | None
        _visible_annotators: set[str] | None
        _anchor: int | None
        _selected_unit: str | None
        _goal_column: int | None
        _search: re.Pattern[str] | None
        _header: list[tuple[str, str]]
        _geometry: tuple[int, int, int]
        _centre_pending: bool
        _refiner: Timer | None
        _selection_memo: tuple[tuple[int | None, int], tuple[int, int] | None]
        _style_generation: int
        _styles: dict[tuple, Style]
        _strips: LRUCache[tuple, Strip]

        # The Reader's public API that the helpers use.
        @property
        def selection(self) -> tuple[int, int] | None: ...
        def clear_selection(self) -> None: ...
        def move_to(self, offset: int, *, select: bool = False) -> None: ...
        def _post_cursor_moved(self) -> None: ...
        def _rebuild_index(self) -> None: ...

    def offset_to_cell(self, offset: int) -> Offset:
        """Where `offset` is drawn on the virtual canvas (header rows included)."""
        if self._layout is None:
            return Offset(0, 0)
        row, column = self._layout.offset_to_rowcol(offset)
        return Offset(self._geometry[2] + GUTTER + column, len(self._header) + row)

    # -- geometry and scrolling ------------------------------------------------------

    def _measure(self) -> tuple[int, int, int]:
        """``(pane width, measure, left padding)`` for the current size."""
        width = self.scrollable_content_region.width
        if width <= 0:
            width = self.width_hint or self.reading_width + GUTTER + 1
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
        anchor = layout.anchor(top) if top > 0 else None
        if layout.refine(REFINE_BUDGET):
            # The rows on screen were wrapped exactly when drawn (`render_lines`), so
            # only rows off screen changed: the screen keeps the same text at its top
            # and is not drawn again, and the step costs no frame but the scrollbar's.
            self._update_virtual_size()
            if anchor is not None:
                y = header + layout.anchored_row(anchor)
                if y != round(self.scroll_y) and not scroll_in_place(self, y):
                    self.scroll_to(y=y, animate=False)
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
        resize_without_layout(self, Size(self._geometry[0], rows))

    def _build_header(self) -> None:
        """Title, byline (a web page's author, site and date) and source (file name or
        URL, wrapped at its separators) as the first rows: shown, but owning no offsets."""
        self._header = []
        if self.document is None:
            return
        measure = self._geometry[1]
        title = "" if _title_opens_text(self.document) else self.document.title
        for value, component in ((title, "reader--header"), (byline(self.document), "reader--source")):
            if not value:
                continue
            value = " ".join(value.split())
            for row in Layout(value, measure).iter_rows():
                self._header.append((row.display(value, row.start, row.end), component))
        for line in wrap_source(source_label(self.document.source), measure):
            self._header.append((line, "reader--source"))
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

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        scroll_without_bar_redraw(self, old_value, new_value)

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


def _title_opens_text(document: Document) -> bool:
    """Plain-text articles begin with their own headline; drawing it twice is noise."""
    first_line = next((line for line in document.text.split("\n", 5)[:5] if line.strip()), "")
    title = " ".join(document.title.split()).rstrip("…")
    return bool(title) and " ".join(first_line.split()).startswith(title)

