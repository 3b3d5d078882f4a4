"""What the reader's keys and clicks do: cursor motions by character, wrapped line, word,
sentence, paragraph, page and annotation, and the visual selection (search matches
are `ReaderSearch`'s, in reader_search.py).

Each action is a few lines over `margin.tui.text` (boundaries, rows) and the span index;
a key with nowhere to go rings the bell. The key handlers are hot (a held key repeats
them), so they touch only the rows they change. A mixin of `Reader`, whose `BINDINGS`
map the keys to these actions.
"""

from __future__ import annotations

from textual import events

from .reader_view import GUTTER, ReaderView


class ReaderMotions(ReaderView):
    """Cursor motions, selections and mouse clicks of the `Reader`."""

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

    # -- actions ---------------------------------------------------------------------

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

    def action_word_end(self) -> None:
        self._move_by("word_end")

    def next_word_after(self, end: int) -> int | None:
        """Start of the first word at or after `end`: where auto-advance goes once the
        span ``[…, end)`` is labelled."""
        return self._motion.next_word(end - 1) if self._motion is not None and end > 0 else None

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

    # -- mouse -------------------------------------------------------------------------

    _press: int | None = None
    """Where the held mouse button went down; None when no button is held."""
    _dragged = False
    """The held button moved to another character: the click its release makes keeps
    the selection the drag made."""

    def _offset_under(self, event: events.MouseEvent, *, clamp: bool = False) -> int | None:
        """The character under the pointer; with `clamp` (a captured drag, which may
        leave the widget) the nearest row's, so dragging past an edge reaches it."""
        layout = self._layout
        if layout is None:
            return None
        offset = event.get_content_offset_capture(self) if clamp else event.get_content_offset(self)
        if offset is None:
            return None
        row = round(self.scroll_y) + offset.y - len(self._header)
        if clamp:
            row = min(max(row, 0), layout.row_count - 1)
        if not 0 <= row < layout.row_count:
            return None
        column = offset.x - self._geometry[2] - GUTTER
        return layout.rowcol_to_offset(row, max(0, column))

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the character under the pointer (shift extends)."""
        if self._dragged:
            self._dragged = False
            return
        offset = self._offset_under(event)
        if offset is not None:
            self.move_to(offset, select=event.shift)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """The press point of a drag; the click its release makes does the rest."""
        if event.button != 1:
            return
        self._press = self._offset_under(event)
        self._dragged = False
        if self._press is not None:
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """While the button is held, select from the press point to the pointer."""
        press = self._press
        if press is None:
            return
        offset = self._offset_under(event, clamp=True)
        if offset is None or (not self._dragged and offset == press):
            return
        if not self._dragged:
            self._dragged = True
            if not event.shift:  # shift keeps the selection's anchor, as shift-click does
                self.move_to(press)
        self.move_to(offset, select=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """Releasing ends the drag; the selection stays for a label key."""
        if self._press is None:
            return
        self._press = None
        self.release_mouse()
