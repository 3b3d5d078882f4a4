"""The main screen's panes and the events between them (its keys: ``main.py``).

The screen owns the document list, the readers and the annotation panel. An edit is
asked of ``tui/editing.py``, which commits it and returns the changed row; another
process's commits arrive from ``tui/sync.py`` as rows too. Either way one row travels
to each pane that shows it (``_apply``), so nothing on a key's path re-reads a
document's annotations or rebuilds a list.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import DescendantFocus, Resize
from textual.message import Message
from textual.screen import Screen

from margin.store.annotations import query_annotations
from margin.store.attributes import document_attributes
from margin.store.changes import ChangeFeed
from margin.store.documents import get_document
from margin.store.errors import MarginError
from margin.store.labels import list_labels
from margin.store.model import Annotation, Document, Label
from margin.store.reading import get_position, last_read
from margin.store.relations import document_relations

from ..editing import PENDING, Editing, Late
from ..recent import Recent
from ..sync import ChangeFollower
from ..text.headings import chapter_at, headings_of, known_headings
from ..text.links import LinkIndex
from ..undo import History
from ..widgets.annotation_panel import AnnotationPanel
from ..widgets.document_list import DocumentList
from ..widgets.key_bar import KeyBar
from ..widgets.reader import Reader
from ..widgets.reader_view import GUTTER
from ..widgets.status_line import StatusLine
from ..write_queue import GIVE_UP_AFTER
from .availability import ActionAvailability
from .label_keys import SchemeKeys

if TYPE_CHECKING:
    from ..app import MarginApp

P = ParamSpec("P")
T = TypeVar("T")

CLOSED_DOCUMENTS = 3
SHOWN_EDITS = 4_096
FIRST_SCREEN = 20_000
"""Characters on either side of the cursor whose spans a long document's first screen
is drawn with; the screen shows a few thousand."""
REST_AFTER = 0.05
"""Seconds between drawing that first screen and reading the rest: long enough for
Textual's writer thread to put the screen on the terminal first."""
LONG_SPAN = 20_000
"""How far before that window a span may start and still reach into it."""
NARROW = 100  # below this many columns the annotation panel starts hidden
VERY_NARROW = 70  # and below this, the document list too
DOCUMENTS_WIDTH = (28, 64)
ANNOTATIONS_WIDTH = (32, 60)
"""Cells a side pane takes: the least, at 120 columns and below, and the most. Between
the two they share what the terminal has beyond the reader's measure, so wide
terminals show long titles and notes without taking width the text would use."""


class LateWrite(Message):
    """A queued edit committed (or failed) in the write queue's thread."""

    def __init__(self, late: Late) -> None:
        super().__init__()
        self.late = late


class PaneScreen(SchemeKeys, ActionAvailability, Screen[None]):
    """The reader with its document list, annotation panel and status line."""

    def __init__(self, app: MarginApp) -> None:
        super().__init__()
        self.margin = app
        self.db = app.db
        self.annotator = app.annotator
        self.settings = app.settings
        self.editing = Editing(app.db, app.annotator, on_late=lambda late: self.post_message(LateWrite(late)))
        self.labels: list[Label] = []
        self.viewing: str | None = None
        """Whose annotations are shown: None for everyone, else one annotator."""
        self._active_reader: Reader | None = None
        self._saved_positions: dict[str, int] = {}
        self._shown_edits: Recent[str, str] = Recent(SHOWN_EDITS)
        """``updated_at`` of the rows this app's own edits showed, newest per id."""
        self._told_clashes: set[tuple[str, str]] = set()
        self._note_drafts: dict[str, str] = {}
        """Notes typed but not yet committed, by annotation id: reopened if a save fails."""
        self._finding_headings: str | None = None
        """The document whose headings a worker is searching for."""
        self._shown_place: tuple[int, str | None, int, tuple[int, int] | None] | None = None
        """The `cursor_place` a key's action last showed in the panel and status line."""
        self._loading: set[str] = set()
        """Documents shown with their first screen's spans only, the rest on the way."""
        self._closed_documents: Recent[str, dict[str, Annotation]] = Recent(CLOSED_DOCUMENTS)
        """The annotations of documents shown lately, kept up to date by ``_apply``, so
        going back to one does not read its annotations again."""
        self._binding_state: tuple[bool, ...] = ()
        self._panes_touched = False
        self._panes_before_split: tuple[bool, bool] | None = None
        """Which side panes showed before split view hid them, shown again on closing it."""
        self._search_term = ""
        self.follower: ChangeFollower | None = None
        # Kept, not queried: timers may still update them while the app is closing.
        self.documents = DocumentList(id="documents")
        self.annotation_panel = AnnotationPanel(id="annotations")
        self.status = StatusLine(id="status")

    @property
    def history(self) -> History:
        """The editing history, whose state greys out undo and redo."""
        return self.editing.history

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.documents
            with Horizontal(id="readers"):
                yield Reader(id="reader")
            yield self.annotation_panel
        yield self.status
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        status = self.status
        status.annotator = self.annotator
        status.database = str(self.db.path)
        status.readonly = self.db.readonly
        reader = self.query_one("#reader", Reader)
        self._prepare_reader(reader)
        self._active_reader = reader
        self._load_labels()
        self.documents.attach(self.db, self.annotator, self.labels)
        self._fit_panes(self.app.size.width)
        reader.focus()
        # Open before the first screen is drawn, at the width the panes will leave the
        # reader, so that screen already shows the document (if the guess is off, the
        # first layout lays the text out again).
        reader.width_hint = self._reader_width_hint()
        self._open_first()
        self.set_interval(1.0, self._save_positions, name="save reading position")
        if self.db.path.exists():
            self.follower = ChangeFollower(self, ChangeFeed(self.db))
            self.follower.start()

    def on_unmount(self) -> None:
        if self.follower is not None:
            self.follower.close()
        # Quitting with `q` waits for queued edits with the screen still live; any
        # other way out (ctrl+q) still commits them before the process ends, or says
        # on the terminal what could not be saved.
        if not self.editing.close(timeout=GIVE_UP_AFTER + 10):
            print(
                f"margin: {self.editing.queue.unfinished} edit(s) not saved: {self.db.path} stayed locked "
                "by another process", file=sys.__stderr__ or sys.stderr,
            )

    def _open_first(self) -> None:
        """The document asked for, else the one this annotator read last, else the first."""
        doc_id = self.margin.open_doc_id or self._store(last_read, self.db, self.annotator)
        if doc_id is None:
            doc_id = self.documents.first()
        if doc_id is not None:
            self._open(self.reader, doc_id)

    def _reader_width_hint(self) -> int:
        """The reader's text width once laid out: the terminal less the side panes
        shown, the reader's border and its scrollbar gutter."""
        width = self.app.size.width
        for pane in (self.documents, self.annotation_panel):
            if pane.display and pane.styles.width is not None:
                width -= int(pane.styles.width.value)
        reader = self.reader
        return max(1, width - reader.styles.gutter.width - reader.styles.scrollbar_size_vertical)

    def on_resize(self, event: Resize) -> None:
        self._fit_panes(event.size.width)

    def _fit_panes(self, width: int) -> None:
        """Start narrow terminals with the reader alone, until the user shows a pane."""
        self._size_panes(width)
        if self._panes_touched or self._panes_before_split is not None:
            return
        self.annotation_panel.display = width >= NARROW
        self.documents.display = width >= VERY_NARROW

    def _size_panes(self, width: int) -> None:
        """Side panes grow with the terminal, by what is left once the reader has its
        measure; the same whichever panes show, so toggling one never resizes the other."""
        reader = self.query_one("#reader", Reader)
        chrome = GUTTER + 1 + reader.styles.gutter.width + reader.styles.scrollbar_size_vertical
        (documents_least, documents_most), (panel_least, panel_most) = DOCUMENTS_WIDTH, ANNOTATIONS_WIDTH
        spare = max(0, width - self.settings.reading_width - chrome - documents_least - panel_least)
        documents = documents_least + min(documents_most - documents_least, spare // 2)
        panel = panel_least + min(panel_most - panel_least, spare - (documents - documents_least))
        self.documents.styles.width = documents
        self.annotation_panel.styles.width = panel

    @property
    def reader(self) -> Reader:
        """The reader the user works in: the focused one, else the one focused last."""
        return self._active_reader or self.query_one("#reader", Reader)

    @property
    def readers(self) -> list[Reader]:
        return list(self.query(Reader))

    def _prepare_reader(self, reader: Reader) -> None:
        reader.reading_width = self.settings.reading_width
        reader.set_viewer(self.annotator, self._visible_annotators())

    # -- store access -------------------------------------------------------------

    def _store(self, operation: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run a store call; a refusal becomes an error notification, never a crash."""
        try:
            return operation(*args, **kwargs)
        except (MarginError, sqlite3.Error) as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return None

    def _read_links(self, doc_id: str) -> LinkIndex:
        """A document's links and values: read once when it opens, then kept up to
        date row by row."""
        return LinkIndex(self._store(document_relations, self.db, doc_id) or [],
                         self._store(document_attributes, self.db, doc_id) or {})

    def _load_labels(self) -> None:
        labels = self._store(list_labels, self.db)
        if labels is None or labels == self.labels:
            return
        self.labels = labels
        self._bind_labels()
        for reader in self.readers:
            reader.set_labels(labels)
        self.documents.set_labels(labels)
        self.annotation_panel.set_labels(labels)


    def _reader_annotations(self, doc_id: str, near: int | None = None) -> list[Annotation]:
        """What a reader is given: every live annotation but rejected suggestions
        (the reader itself shows or dims them by annotator); with ``near``, only those
        that can show on a first screen around that offset."""
        window = None if near is None else (near - FIRST_SCREEN - LONG_SPAN, near + FIRST_SCREEN)
        return [
            annotation
            for annotation in self._store(query_annotations, self.db, doc_id=doc_id, starting_within=window) or []
            if not annotation.hidden
        ]

    def _visible_annotators(self) -> set[str] | None:
        return None if self.viewing is None else {self.viewing}

    def _visible(self, annotation: Annotation) -> bool:
        return self.viewing is None or annotation.annotator == self.viewing

    # -- documents ------------------------------------------------------------------

    def _open(self, reader: Reader, doc_id: str) -> None:
        """Show a document in ``reader`` at this annotator's last position in it."""
        if reader.document is not None and reader.document.id == doc_id:
            return
        self._save_position(reader)
        document = self._store(get_document, self.db, doc_id)
        if document is None:
            self.notify("That document is no longer in the database", severity="error")
            return
        if reader.document is not None and reader.document.id not in self._loading:
            self._closed_documents[reader.document.id] = {a.id: a for a in reader.annotations}
        cursor = self._store(get_position, self.db, doc_id, self.annotator) or 0
        cursor = max(0, min(cursor, len(document.text) - 1))
        closed = self._closed_documents.get(doc_id)
        partly = closed is None and len(document.text) > 4 * FIRST_SCREEN
        if closed is not None:
            annotations = list(closed.values())
        else:
            annotations = self._reader_annotations(doc_id, near=cursor if partly else None)
        if partly:
            # A long document shows its first screen with the spans it can show, and
            # gets the rest (and its annotation panel) right after that screen is drawn.
            self._loading.add(doc_id)
            self.call_after_refresh(self.set_timer, REST_AFTER, partial(self._load_all_annotations, reader, doc_id))
        reader.load(document, annotations, self.labels, cursor=cursor)
        reader.set_links(self._read_links(doc_id))
        self._saved_positions[doc_id] = cursor
        if reader is self.reader:
            self._reader_changed()

    def _load_all_annotations(self, reader: Reader, doc_id: str) -> None:
        self._loading.discard(doc_id)
        if reader.document is None or reader.document.id != doc_id:
            return
        reader.set_annotations(self._reader_annotations(doc_id))
        if reader is self.reader:
            self._refresh_panel()
            self._refresh_binding_state()

    def _reader_changed(self) -> None:
        """The active reader or its document changed: the side panes follow it."""
        document = self.reader.document
        if document is not None:
            self.documents.mark_current(document.id)
        self._refresh_panel()
        self._update_status()

    def _refresh_panel(self) -> None:
        """The panel shows the active reader's document: once per document opened."""
        reader = self.reader
        document = reader.document
        loaded = document is not None and document.id not in self._loading
        shown = [a for a in reader.annotations if self._visible(a)] if loaded else []
        self.annotation_panel.show(shown, self.labels, reader.links)

    def _save_position(self, reader: Reader) -> None:
        document = reader.document
        if document is None or self.db.readonly:
            return
        if self._saved_positions.get(document.id) == reader.cursor:
            return
        self._saved_positions[document.id] = reader.cursor
        self._store(self.editing.save_position, document.id, reader.cursor)
        self.documents.update(document.id)

    def _save_positions(self) -> None:
        """Debounced: runs on a timer and on leaving, not on every cursor move."""
        for reader in self.readers:
            self._save_position(reader)

    def open_document(self, doc_id: str) -> None:
        """Open a document in the active reader."""
        self._open(self.reader, doc_id)

    def on_document_list_opened(self, message: DocumentList.Opened) -> None:
        self.open_document(message.doc_id)
        self.reader.focus()
        document = self.reader.document
        # A filter that found the document by its title says nothing about where to
        # read: only a full-text hit moves the cursor off the saved position.
        found_by_title = document is not None and bool(message.term) and (
            " ".join(str(message.term).split()).casefold() in " ".join(document.title.split()).casefold()
        )
        if message.term and not found_by_title and self.reader.find_hit(message.term):
            self._search_term = message.term

    def on_document_list_left(self, _message: DocumentList.Left) -> None:
        self.reader.focus()

    def on_annotation_panel_chosen(self, message: AnnotationPanel.Chosen) -> None:
        self.reader.move_to(message.annotation.start)
        self.reader.focus()

    def on_annotation_panel_left(self, _message: AnnotationPanel.Left) -> None:
        self.reader.focus()

    def action_next_document(self) -> None:
        self._step_document(1)

    def action_previous_document(self) -> None:
        self._step_document(-1)

    def _step_document(self, step: int) -> None:
        current = self.reader.document.id if self.reader.document else None
        doc_id = self.documents.neighbour(current, step)
        if doc_id is not None:
            self.open_document(doc_id)

    # -- following the reader ---------------------------------------------------------

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if isinstance(event.widget, Reader) and event.widget is not self._active_reader:
            self._active_reader = event.widget
            self._reader_changed()
            self._refresh_binding_state()
        self._update_status()  # FILTER while the document filter has the focus

    @property
    def cursor_place(self) -> tuple[int, str | None, int, tuple[int, int] | None]:
        """The active reader, its document, cursor and selection: what a
        ``CursorMoved`` reports, and what the status line and the panel follow."""
        reader = self.reader
        return id(reader), reader.document.id if reader.document else None, reader.cursor, reader.selection

    def _place_shown(self) -> bool:
        """Whether the active reader is where a key's action already showed it
        (``MainScreen.show_cursor_now``)."""
        return self._shown_place == self.cursor_place

    def on_reader_cursor_moved(self, _message: Reader.CursorMoved) -> None:
        """Runs after the main screen's handler (which asks `_place_shown` too): the
        place shown is forgotten here, so a later move back to it is shown again."""
        if not self._place_shown():
            self._update_status()
        self._shown_place = None
        self._refresh_binding_state()

    def _update_status(self) -> None:
        reader, status = self.reader, self.status
        document = reader.document
        status.position = 100.0 * reader.cursor / max(1, len(document.text) - 1) if document else 0.0
        headings = known_headings(document) if document else None
        status.chapter = chapter_at(headings, reader.cursor) if headings else ""
        if document is not None and headings is None:
            self._find_headings(document)
        selection = reader.selection
        status.selection_length = selection[1] - selection[0] if selection else 0
        if status.mode != "SEARCH":
            if self.documents.filter_input.has_focus:
                status.mode = "FILTER"
            else:
                status.mode = "VISUAL" if selection else "NORMAL"

    def _find_headings(self, document: Document) -> None:
        """The document's headings searched for off the UI thread (a whole book: tens of
        milliseconds), then the status line's chapter shown."""
        if self._finding_headings == document.id:
            return
        self._finding_headings = document.id

        def found() -> None:
            if self._finding_headings == document.id:
                self._finding_headings = None
            self._update_status()

        def search() -> None:
            headings_of(document)
            self.app.call_from_thread(found)

        self.run_worker(search, thread=True, group="headings", exit_on_error=False)

    def _under_cursor(self, suggested_only: bool = False) -> list[Annotation]:
        reader = self.reader
        if reader.document is None:
            return []
        found = [a for a in reader.annotations_at() if a.status != PENDING]
        return [a for a in found if a.status == "suggested"] if suggested_only else found
