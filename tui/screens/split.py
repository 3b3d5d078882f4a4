"""Split view: a second reader beside the first, and moving between them.

A layer of the main screen over the panes (``panes.py``): the side panes give up their
width while two readers share the screen, and come back as they were when it closes.
"""

from __future__ import annotations

from ..widgets.reader import Reader
from .document_picker import DocumentPicker
from .panes import PaneScreen


class SplitView(PaneScreen):
    """The keys that open and close split view and move between its readers."""

    def action_split(self) -> None:
        second = self.query("#reader-2")
        if second:
            reader = second.first(Reader)
            self._save_position(reader)
            self._active_reader = self.query_one("#reader", Reader)
            reader.remove()
            if self._panes_before_split is not None:
                self.documents.display, self.annotation_panel.display = self._panes_before_split
                self._panes_before_split = None
            self.reader.focus()
            self._reader_changed()
            return
        current = self.reader.document.id if self.reader.document else None
        picker = DocumentPicker(
            "Open beside", self.db, annotator=self.annotator, labels=self.labels,
            highlighted=self.documents.neighbour(current, 1), current=current,
        )
        self.app.push_screen(picker, self._open_split)

    async def _open_split(self, doc_id: str | None) -> None:
        if doc_id is None:
            return
        # Two readers side by side need the width: the side panes give it up until split
        # view closes (their keys still show them meanwhile).
        self._panes_before_split = (bool(self.documents.display), bool(self.annotation_panel.display))
        self.documents.display = self.annotation_panel.display = False
        reader = Reader(id="reader-2")
        await self.query_one("#readers").mount(reader)
        self._prepare_reader(reader)
        self._open(reader, doc_id)
        reader.focus()

    def action_other_reader(self) -> None:
        """Focus the next reader, wrapping (split view without a mouse); from anywhere
        else, the reader last used."""
        readers, focused = self.readers, self.focused
        if not isinstance(focused, Reader):
            self.reader.focus()
        elif len(readers) < 2:
            self.notify("Only one reader is open: split view opens another beside it", severity="warning")
        else:
            readers[(readers.index(focused) + 1) % len(readers)].focus()
