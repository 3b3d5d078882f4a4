"""Every use of a private API of Textual or Rich, in one place.

Textual and Rich move their internals between releases without notice. Keeping each
private access behind a small function here, with a test for each in
``tests/test_compat.py``, means an upgrade that changes one breaks a named test and one
function, not a widget far from the cause.

This module imports Rich but never Textual at import time (Textual appears in type
annotations and inside the functions for widgets), because the Textual-free text
engine in `margin.tui.text` depends on it.
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING

from rich._unicode_data import load as _load_cell_table

EIGHTHS = 8
"""Textual draws a scrollbar's thumb in eighths of a cell (its block characters)."""

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode
    from textual.geometry import Size
    from textual.scrollbar import ScrollBar
    from textual.widget import Widget


def emoji_widened_by_vs16() -> frozenset[str]:
    """Characters that Rich draws one cell wide alone and two cells wide when followed by
    VARIATION SELECTOR-16 (emoji presentation), for the Unicode version Rich measures with.

    The layout must measure clusters exactly as Rich will draw them; Rich keeps this set
    in its private cell table (``rich._unicode_data.load("auto").narrow_to_wide``), which
    is cached, so calling this per line costs a dictionary lookup.
    """
    return _load_cell_table("auto").narrow_to_wide


def own_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """A node's own bindings (not its children's or parents'), by key.

    Textual has no public call to list or remove a binding once the node is built; the
    map is ``DOMNode._bindings.key_to_bindings``. The dictionary returned is Textual's
    own: read it, and change it only through `replace_own_bindings`.
    """
    return node._bindings.key_to_bindings


def replace_own_bindings(node: DOMNode, mapping: dict[str, list[Binding]]) -> None:
    """Make `mapping` (key to bindings) the node's own bindings.

    The caller should then call ``node.refresh_bindings()`` so the key bar and the help
    screen show the change.
    """
    node._bindings.key_to_bindings = mapping


def scrollbar_thumb(size: int, virtual_size: float, window_size: float, position: float) -> tuple[int, int] | None:
    """Where Textual draws a scrollbar's thumb, in eighths of a cell: the arithmetic of
    ``ScrollBar._render_bar`` and ``ScrollBarRender.render_bar``. Two states with the
    same thumb draw the same bar."""
    window_size = window_size if window_size < virtual_size else 0
    virtual, window = ceil(virtual_size), ceil(window_size)
    if not (window and size and virtual and size != virtual):
        return None
    thumb = max(1, window / (virtual / size))
    start = int((size - thumb) * (position / (virtual - window)) * EIGHTHS)
    return start, start + ceil(thumb * EIGHTHS)


def scroll_bar_to(bar: ScrollBar, position: float) -> None:
    """Move a vertical scrollbar to ``position``, redrawing it only when its thumb moves.

    ``ScrollView.watch_scroll_y`` assigns ``position``, which redraws the bar's full
    height: in a list of thousands, scrolling by the row a label key added moves the
    thumb by nothing, and that redraw was a tenth of the key's time."""
    thumb = scrollbar_thumb(bar.size.height, bar.window_virtual_size, bar.window_size, bar.position)
    if thumb is not None and thumb == scrollbar_thumb(bar.size.height, bar.window_virtual_size, bar.window_size, position):
        from textual.scrollbar import ScrollBar

        bar.set_reactive(ScrollBar.position, position)
    else:
        bar.position = position


def resize_without_layout(widget: Widget, size: Size) -> None:
    """Give a scrolling widget a new ``virtual_size`` without laying out the screen.

    Assigning ``virtual_size`` asks for a layout of the whole screen, which redraws
    every widget: on each edit that adds or removes a row of a long list, that was
    most of the cost of the key. When the scrollbar neither appears nor disappears
    and the scroll position stays valid, setting the value quietly is all a layout
    would have done; the scrollbar is told too (``Widget._scroll_update``, as
    Textual's own resize path does), and quietly when its thumb does not move: in a
    list of thousands one row more or less moves it by nothing, and redrawing the
    bar's full height would redraw every screen line beside it.
    """
    from textual.scrollbar import ScrollBar
    from textual.widget import Widget as _Widget

    height = widget.scrollable_content_region.height
    old = widget.virtual_size
    if (
        (size.height > height) != (old.height > height)
        or size.width != old.width
        or widget.scroll_y > max(0, size.height - height)
    ):
        widget.virtual_size = size
        return
    widget.set_reactive(_Widget.virtual_size, size)
    if not widget.show_vertical_scrollbar:
        return
    bar = widget.vertical_scrollbar
    same = scrollbar_thumb(bar.size.height, bar.window_virtual_size, bar.window_size, bar.position) == (
        scrollbar_thumb(bar.size.height, size.height, bar.window_size, bar.position)
    )
    if same:
        bar.set_reactive(ScrollBar.window_virtual_size, size.height)
    else:
        widget._scroll_update(size)


def scroll_without_bar_redraw(widget: Widget, old_value: float, new_value: float) -> None:
    """``ScrollView.watch_scroll_y`` with the scrollbar redrawn only when its thumb
    moves (`scroll_bar_to`): in a list of thousands, or a book of 60,000 rows, a
    scroll by one row moves it by nothing, and drawing the bar's full height cost
    half as much as drawing the rows beside it."""
    if widget.show_vertical_scrollbar:
        scroll_bar_to(widget.vertical_scrollbar, new_value)
    if round(old_value) != round(new_value):
        widget.refresh(widget.size.region)


def scroll_in_place(widget: Widget, y: int) -> bool:
    """Set a scrolling widget's ``scroll_y`` to ``y`` without redrawing it, for when the
    rows on screen show the same text at the new position (rows above the screen were
    re-counted); the scrollbar is redrawn only if its thumb moves. False, and nothing
    changed, when ``y`` is past the end of the scroll range.

    Assigning ``scroll_y`` redraws every line of the widget, and each such redraw of the
    reader is a full frame of the screen."""
    from textual.widget import Widget as _Widget

    if not 0 <= y <= widget.max_scroll_y:
        return False
    widget.set_reactive(_Widget.scroll_y, float(y))
    widget.set_reactive(_Widget.scroll_target_y, float(y))
    if widget.show_vertical_scrollbar:
        scroll_bar_to(widget.vertical_scrollbar, y)
    return True


def set_border_title(widget: Widget, title: str) -> None:
    """Change a widget's border title, redrawing only the border's top line.

    Setting ``border_title`` repaints the whole widget, and for a pane that means
    every line of the screen the pane spans is drawn again — on every edit that
    changes a count in the title. The title is stored where the descriptor stores it
    (``Widget._border_title``), as the descriptor stores it, and the one line is
    marked dirty.
    """
    from textual.geometry import Region

    if widget.border_title == title:
        return
    widget._border_title = widget.render_str(title).expand_tabs(4).split()[0]
    offset = widget.content_offset
    widget.refresh(Region(-offset.x, -offset.y, widget.outer_size.width, 1))


def standard_rgb(number: int) -> tuple[int, int, int]:
    """The RGB Rich draws for one of the 16 standard colours. Rich keeps its palettes
    in ``rich._palettes`` (re-exported by ``rich.color`` for its own use)."""
    from rich._palettes import STANDARD_PALETTE

    red, green, blue = STANDARD_PALETTE[number]
    return red, green, blue
