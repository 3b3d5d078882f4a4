"""Going places in a long text: the table of contents, a percentage, bookmarks.

A layer of the main screen, kept apart from the editing keys because none of it
edits annotations.
"""

from __future__ import annotations

from ..text.sanitise import shorten
from ..write_queue import short_wait
from .dismiss import if_chosen
from .live import LiveScreen


class JumpActions(LiveScreen):
    """The keys `t`, `%`, `m` and `'`: a layer of the main screen, between the rows
    shown live (``live.py``) and the editing keys (``main.py``)."""

    def action_table_of_contents(self) -> None:
        from ..text.headings import headings_of
        from .toc import TableOfContents

        reader = self.reader
        document = reader.document
        if document is None:
            return
        headings = headings_of(document)
        if not headings:
            self.notify("No headings in this document", markup=False)
            return
        picker = TableOfContents(document.title or "this document", headings, current=headings.index_at(reader.cursor))
        self.app.push_screen(picker, if_chosen(self._go_to_heading))

    def _go_to_heading(self, offset: int) -> None:
        self.reader.move_to(offset)
        self.reader.focus()

    def action_jump_percent(self) -> None:
        from .percent_prompt import PercentPrompt

        self.app.push_screen(PercentPrompt(), if_chosen(self._jump_percent))

    def _jump_percent(self, percent: float) -> None:
        """The offset the status line would show as ``percent``, so "50" reads 50 %."""
        reader = self.reader
        if reader.document is not None:
            total = max(len(reader.document.text) - 1, 1)
            reader.move_to(round(total * percent / 100))

    def action_toggle_bookmark(self) -> None:
        from margin.store.bookmarks import toggle_bookmark

        reader = self.reader
        document = reader.document
        if document is None or not self._writable():
            return
        with short_wait(self.db):  # another process's long write never freezes the key
            added = self._store(toggle_bookmark, self.db, document.id, self.annotator, reader.cursor)
        if added is not None:
            self.notify("Bookmarked (' lists them)" if added else "Bookmark removed", markup=False)

    def action_bookmarks(self) -> None:
        from margin.store.bookmarks import list_bookmarks

        from .bookmarks import BookmarkList, Entry, line_at

        document = self.reader.document
        if document is None:
            return
        found = self._store(list_bookmarks, self.db, document.id, self.annotator)
        if found is None:
            return
        if not found:
            self.notify("No bookmarks in this document: m bookmarks the cursor's place", markup=False)
            return
        text = document.text
        total = max(len(text) - 1, 1)
        entries = [Entry(b.offset, 100.0 * b.offset / total, line_at(text, b.offset)) for b in found]
        title = f"Bookmarks in {shorten(document.title or 'this document', 48)}"
        self.app.push_screen(BookmarkList(title, entries, self._remove_bookmark), if_chosen(self.reader.move_to))

    def _remove_bookmark(self, offset: int) -> bool:
        from margin.store.bookmarks import remove_bookmark

        document = self.reader.document
        if document is None or not self._writable():
            return False
        with short_wait(self.db):
            return self._store(remove_bookmark, self.db, document.id, self.annotator, offset) is not None
