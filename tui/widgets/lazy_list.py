"""A list of any length drawn through the Line API: only visible rows are rendered,
each row a fixed number of lines, its strips cached until it changes."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..compat import resize_without_layout, scroll_without_bar_redraw
from .one_line import text_strip


class LazyList(ScrollView, can_focus=True):
    """Rows ``0 … row_count - 1`` with a highlight; subclasses say what a row looks like.

    A subclass sets `ROW_HEIGHT`, implements `row_key` (what identifies a row's look
    besides the highlight) and `render_row` (its lines), and calls `set_row_count` when
    the rows change and `refresh_row` when one row does. Choosing a row posts `RowChosen`.

    | key | action |
    |---|---|
    | up / down, k / j | move |
    | page up / page down | move a page |
    | home / end | first / last |
    | enter, click | choose |
    """

    HELP_TITLE = "List"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "choose", "Choose", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"lazy-list--highlight"}

    DEFAULT_CSS = """
    LazyList {
        height: 1fr;
        overflow-x: hidden;
        & > .lazy-list--highlight {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .lazy-list--highlight {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    ROW_HEIGHT: ClassVar[int] = 1
    """Lines per row, the same for every row so a line's row is a division."""

    class RowChosen(Message):
        """The user chose a row, with enter or a click."""

        def __init__(self, lazy_list: LazyList, index: int) -> None:
            super().__init__()
            self.lazy_list = lazy_list
            self.index = index

        @property
        def control(self) -> LazyList:
            return self.lazy_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._row_count = 0
        self._highlighted: int | None = None
        self._strips: LRUCache[tuple[Hashable, bool], list[Strip]] = LRUCache(1024)
        self._strip_width = 0
        self._base_style: Style | None = None
        """The widget's own style, kept between draws: Textual recomputes it from the
        styles on every call, which cost more than drawing a cached row."""

    # -- what subclasses provide ------------------------------------------------------

    def row_key(self, index: int) -> Hashable:
        """What names row ``index``'s look, apart from width and highlight."""
        raise NotImplementedError

    def render_row(self, index: int, width: int) -> list[Text]:
        """`ROW_HEIGHT` lines for row ``index``, each fitting ``width`` cells."""
        raise NotImplementedError

    # Rows of several heights: a subclass answers these four together (by default
    # every row is `ROW_HEIGHT` lines, so each is a multiplication or a division).

    def row_top(self, index: int) -> int:
        """The first line of row ``index`` (``row_count`` gives the lines in all)."""
        return index * self.ROW_HEIGHT

    def row_lines(self, index: int) -> int:
        return self.ROW_HEIGHT

    def row_at(self, line: int) -> int:
        """The row that line ``line`` belongs to."""
        return line // self.ROW_HEIGHT

    # -- rows -----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._row_count

    @property
    def highlighted(self) -> int | None:
        """The highlighted row, None when there are no rows."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None:
            index = max(0, min(index, self._row_count - 1)) if self._row_count else None
        previous, self._highlighted = self._highlighted, index
        if previous == index:
            return
        for row in (previous, index):
            if row is not None:
                self._refresh_row_lines(row)
        self.scroll_to_highlight()

    def set_row_count(self, count: int, highlighted: int | None = None, *, changed_from: int | None = None) -> None:
        """The rows changed: their number, and where the highlight goes (by default it
        stays where it was, within the rows). Cached strips stay: their keys still name
        their looks, and `refresh_row` or `clear_cache` drop what changed.

        ``changed_from`` is the first row that moved or changed, when the caller knows
        it: only the lines from there to the bottom of the view are drawn again, and
        none when it is below the view (an edit far down a long list costs nothing to
        show but the scrollbar).
        """
        self._row_count = count
        resize_without_layout(self, Size(0, self.row_top(count)))
        if highlighted is None:
            highlighted = self._highlighted or 0
        self._highlighted = max(0, min(highlighted, count - 1)) if count else None
        top = self.scroll_offset.y
        self.scroll_to_highlight()
        bottom = self.scroll_offset.y + self.scrollable_content_region.height
        first = None if changed_from is None else self.row_top(changed_from)
        if first is None or self.scroll_offset.y != top or first <= self.scroll_offset.y:
            self.refresh()
        elif first < bottom:
            self.refresh_lines(first, bottom - first)

    def refresh_row(self, index: int, key: Hashable | None = None) -> None:
        """Draw row ``index`` again; ``key`` is its old `row_key` if that changed."""
        self.forget_row(self.row_key(index) if key is None else key)
        self._refresh_row_lines(index)

    def forget_row(self, key: Hashable) -> None:
        """Drop the strips cached for the row named ``key`` (it changed or went)."""
        self._strips.discard((key, False))
        self._strips.discard((key, True))

    def clear_cache(self) -> None:
        """Every row looks different (labels, theme): draw them all again."""
        self._strips.clear()
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        scroll_without_bar_redraw(self, old_value, new_value)

    def scroll_to_highlight(self) -> None:
        if self._highlighted is None or not self.is_mounted:
            return
        height = self.row_lines(self._highlighted)
        self.scroll_to_region(
            Region(0, self.row_top(self._highlighted), max(1, self.scrollable_content_region.width), height),
            animate=False,
            force=True,
            immediate=True,
        )

    def on_resize(self, _event: events.Resize) -> None:
        self.scroll_to_highlight()

    def on_show(self, _event: events.Show) -> None:
        self.scroll_to_highlight()

    def _refresh_row_lines(self, index: int) -> None:
        if 0 <= index < self._row_count:
            self.refresh_lines(self.row_top(index), self.row_lines(index))

    # -- drawing ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        line = self.scroll_offset.y + y
        index = self.row_at(line)
        if not 0 <= index < self._row_count:
            return Strip.blank(width, base)
        offset = line - self.row_top(index)
        if width != self._strip_width:
            self._strips.clear()
            self._strip_width = width
        highlighted = index == self._highlighted
        key = (self.row_key(index), highlighted)
        strips = self._strips.get(key)
        if strips is None:
            style = base + self.get_component_rich_style("lazy-list--highlight") if highlighted else base
            console = self.app.console
            strips = [text_strip(text, width, style, console) for text in self.render_row(index, width)]
            self._strips[key] = strips
        strip = strips[offset] if offset < len(strips) else Strip.blank(width, base)
        return strip

    # -- keys and mouse ---------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._row_count:
            self.highlighted = 0 if self._highlighted is None else self._highlighted + step

    def action_page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height // self.ROW_HEIGHT)
        self.action_move(direction * rows)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = self._row_count - 1

    def action_choose(self) -> None:
        if self._highlighted is not None:
            self.post_message(self.RowChosen(self, self._highlighted))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        line = self.scroll_offset.y + offset.y
        index = self.row_at(line) if line < self.row_top(self._row_count) else self._row_count
        if 0 <= index < self._row_count:
            event.stop()
            self.highlighted = index
            self.post_message(self.RowChosen(self, index))
