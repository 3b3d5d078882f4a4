"""The document list: every document with its progress and counts per label, one line
each, narrowed as you type by title and by full-text search.

Rows come from a `DocumentIndex` a page at a time, so a hundred thousand documents
open as fast as ten: only the visible rows are ever fetched and drawn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from margin.store.database import Database
from margin.store.document_index import DocumentIndex
from margin.store.documents import DocumentSummary
from margin.store.model import Label

from ..text.sanitise import one_line, sanitise
from .lazy_list import LazyList

DEBOUNCE_FROM = 20_000
"""Lists longer than this filter a moment after the last key rather than on every key."""

DEBOUNCE_SECONDS = 0.15


MIN_TITLE = 12
"""Cells a title keeps before the counts give way (to short numbers, then to a total)."""


def compact(count: int) -> str:
    """A count in at most four characters: 950, 3.3k, 12k, 1.2M."""
    if count < 1_000:
        return str(count)
    if count < 10_000:
        return f"{count / 1_000:.1f}k"
    if count < 1_000_000:
        return f"{count // 1_000}k"
    return f"{count / 1_000_000:.1f}M"


def _tail(summary: DocumentSummary, labels: Sequence[Label], room: int) -> Text:
    """Progress and a coloured count per label, as short as ``room`` needs."""
    for number in (str, compact):
        tail = Text(f" {summary.progress:3.0f}%", style="dim")
        for label in labels:
            count = summary.counts.get(label.name)
            if count:
                tail.append(" ■", style=label.color)
                tail.append(number(count))
        if tail.cell_len <= room:
            return tail
    tail = Text(f" {summary.progress:3.0f}%", style="dim")
    if summary.total:
        tail.append(f" Σ{compact(summary.total)}")
    return tail


def document_row(summary: DocumentSummary, labels: Sequence[Label], *, current: bool, width: int) -> Text:
    """One line: the marker, the title cut to fit, then progress and a coloured count
    per label (shortened when they would leave the title too little room)."""
    tail = _tail(summary, labels, width - 2 - MIN_TITLE)
    if summary.version:
        tail = Text.assemble((f" v{summary.version}" + (" old" if summary.superseded else ""), "dim"), tail)
    title = Text(
        one_line(sanitise(summary.title)) or "(untitled)",
        style=("bold" if current else "") + (" dim" if summary.superseded else ""),
    )
    title.truncate(max(8, width - 2 - tail.cell_len), overflow="ellipsis", pad=True)
    return Text.assemble(("▸ " if current else "  ", "bold"), title, tail)


class DocumentRows(LazyList):
    """The rows of a `DocumentList`: summaries drawn from its index as they scroll in."""

    HELP_TITLE = "Document list"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index: DocumentIndex | None = None
        self.labels: list[Label] = []
        self.current: str | None = None

    def row_key(self, index: int) -> Hashable:
        assert self.index is not None
        return self.index.rowids[index]

    def render_row(self, index: int, width: int) -> list[Text]:
        assert self.index is not None
        summary = self.index.summary(index)
        if summary is None:
            return [Text("  …", style="dim")]
        return [document_row(summary, self.labels, current=summary.id == self.current, width=width)]


class DocumentList(Vertical):
    """Documents; typing filters them, enter opens the highlighted one.

    | key | action |
    |---|---|
    | type | filter by title and full text |
    | up / down, page up / page down | move |
    | enter | open |
    | escape | clear the filter, then back to the reader |
    """

    HELP_TITLE = "Document list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("escape", "leave", "Back", id="documents.leave", show=False),
    ]

    class Opened(Message):
        """The user chose a document to read."""

        def __init__(self, doc_id: str, term: str | None = None) -> None:
            super().__init__()
            self.doc_id = doc_id
            self.term = term
            """The filter typed when it was chosen: the reader lands on its first hit."""

    class Left(Message):
        """The user is done with the list (escape on an empty filter)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.index: DocumentIndex | None = None
        self._pending: Timer | None = None
        # Kept, not queried: a timer may update the list while the app is closing.
        self.filter_input = Input(placeholder="filter / search", id="document-filter")
        self.rows = DocumentRows(id="document-options")

    def compose(self) -> ComposeResult:
        yield self.filter_input
        yield self.rows

    def focus(self, scroll_visible: bool = True) -> DocumentList:
        self.filter_input.focus(scroll_visible)
        return self

    # -- data -------------------------------------------------------------------------

    def attach(self, db: Database, annotator: str | None, labels: Sequence[Label]) -> None:
        """Show the documents of ``db``, with ``annotator``'s reading progress."""
        self.index = DocumentIndex(db, annotator=annotator)
        self.rows.index = self.index
        self.rows.labels = list(labels)
        self._apply_filter()

    def set_labels(self, labels: Sequence[Label]) -> None:
        """The labels (their order and colours) changed: redraw every row."""
        self.rows.labels = list(labels)
        self.rows.clear_cache()

    def reload(self) -> None:
        """Documents were added or removed: read the list again, keeping the filter and
        the highlighted document."""
        if self.index is None:
            return
        highlighted = self.highlighted_id
        self.index.reload()
        self.rows.clear_cache()
        self._show_rows(highlighted)

    def update(self, doc_id: str) -> None:
        """One document's counts or progress changed: read it again, redraw its row."""
        if self.index is None:
            return
        self.index.invalidate(doc_id)
        try:
            position = self.index.index_of(doc_id)
        except sqlite3.Error:
            return  # the database is out of reach for now: the row is read again when shown

        if position is not None:
            self.rows.refresh_row(position)

    def mark_current(self, doc_id: str) -> None:
        """Put the ▸ marker on ``doc_id`` and the highlight on its row."""
        previous, self.rows.current = self.rows.current, doc_id
        if self.index is None:
            return
        for marked in (previous, doc_id):
            if marked is not None and (position := self.index.index_of(marked)) is not None:
                self.rows.refresh_row(position)
        self.highlight(doc_id)

    def highlight(self, doc_id: str) -> None:
        """Move the highlight to ``doc_id``, if it is shown."""
        position = self.index.index_of(doc_id) if self.index is not None else None
        if position is not None:
            self.rows.highlighted = position

    # -- reading it -------------------------------------------------------------------

    @property
    def count(self) -> int:
        """Documents shown (those matching the filter)."""
        return len(self.index) if self.index is not None else 0

    @property
    def total(self) -> int:
        return self.index.total if self.index is not None else 0

    @property
    def current(self) -> str | None:
        """The document marked ▸ (open in the reader)."""
        return self.rows.current

    @property
    def highlighted_id(self) -> str | None:
        highlighted = self.rows.highlighted
        if self.index is None or highlighted is None:
            return None
        return self.index.doc_id(highlighted)

    def summary(self, doc_id: str) -> DocumentSummary | None:
        """What the row of ``doc_id`` shows, if it is shown."""
        position = self.index.index_of(doc_id) if self.index is not None else None
        return self.index.summary(position) if self.index is not None and position is not None else None

    def ids(self, stop: int | None = None) -> list[str]:
        """The ids shown, in order, up to ``stop`` (for tests and short lists)."""
        return self.index.ids(0, stop) if self.index is not None else []

    def first(self) -> str | None:
        """The first document shown, or None."""
        return self.index.doc_id(0) if self.index is not None else None

    def neighbour(self, doc_id: str | None, step: int) -> str | None:
        """The document ``step`` places away in the (filtered) list, wrapping around;
        the first one if ``doc_id`` is not shown."""
        if self.index is None or not len(self.index):
            return None
        position = self.index.index_of(doc_id) if doc_id is not None else None
        if position is None:
            return self.index.doc_id(0)
        return self.index.doc_id((position + step) % len(self.index))

    # -- filtering --------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if self.total > DEBOUNCE_FROM:
            self._pending = self.set_timer(DEBOUNCE_SECONDS, self._apply_filter)
        else:
            self._apply_filter()

    def _apply_filter(self) -> None:
        self._pending = None
        if self.index is None:
            return
        highlighted = self.highlighted_id or self.current
        try:
            self.index.filter(self.filter_input.value)
        except sqlite3.Error as error:
            self.notify(str(error), title="Search failed", severity="error", markup=False)
            return
        self._show_rows(highlighted)

    def _show_rows(self, highlighted: str | None) -> None:
        assert self.index is not None
        position = self.index.index_of(highlighted) if highlighted is not None else None
        self.rows.set_row_count(len(self.index), position if position is not None else 0)
        count, total = self.count, self.total
        self.border_title = f"Documents {count}" if count == total else f"Documents {count}/{total}"

    # -- choosing ---------------------------------------------------------------------

    def open_row(self, index: int) -> None:
        if self.index is not None and (doc_id := self.index.doc_id(index)) is not None:
            self.post_message(self.Opened(doc_id, self.filter_input.value.strip() or None))

    def on_lazy_list_row_chosen(self, event: LazyList.RowChosen) -> None:
        event.stop()
        self.open_row(event.index)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._pending is not None:
            self._pending.stop()
            self._apply_filter()
        if self.rows.highlighted is not None:
            self.open_row(self.rows.highlighted)

    def action_move(self, step: int) -> None:
        self.rows.action_move(step)

    def action_page(self, direction: int) -> None:
        self.rows.action_page(direction)

    def action_leave(self) -> None:
        if self.filter_input.value:
            self.filter_input.value = ""
        else:
            self.post_message(self.Left())
