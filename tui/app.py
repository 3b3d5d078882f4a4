"""margin's Textual app: the panes, the global keys, and the wiring between them and
the store.

Every edit is one committed store call made *before* the reader shows it; the undo
history replays edits as further store calls. Another process's commits are noticed
by polling ``PRAGMA data_version`` and re-read without moving the cursor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from margin.store.annotations import (
    add_annotation,
    annotators,
    delete_annotation,
    query_annotations,
    update_annotation,
)
from margin.store.changes import ChangeFeed
from margin.store.database import Database
from margin.store.db import open_database
from margin.store.documents import get_document, list_documents, search_documents
from margin.store.errors import MarginError
from margin.store.labels import list_labels
from margin.store.model import Annotation, Label
from margin.store.reading import get_position, last_read, set_position
from rich.text import Text
from textual import actions
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus, Resize
from textual.widgets import Footer

from .clipboard import copy_text
from .config import Settings
from .text.sanitise import one_line, sanitise, shorten
from .palette import MarginCommands
from .screens.confirm import Confirm
from .screens.help import HelpScreen, binding_groups
from .screens.label_picker import LabelPicker
from .screens.note_editor import NoteEditor
from .screens.search_prompt import SearchPrompt
from .undo import Added, Changed, Deleted, Edit, History
from .widgets.annotation_panel import AnnotationPanel
from .widgets.document_list import DocumentList
from .widgets.reader import Reader
from .widgets.status_line import StatusLine

T = TypeVar("T")
Command = tuple[str, str, Callable[[], Any]]

LABEL_ID = "app.label"
NO_ANNOTATION = "No annotation under the cursor"
NO_SUGGESTION = "No suggested span under the cursor"
# Why a greyed-out key does nothing here; said when it is pressed anyway.
UNAVAILABLE = {
    "delete": NO_ANNOTATION,
    "relabel": NO_ANNOTATION,
    "edit_note": NO_ANNOTATION,
    "accept": NO_SUGGESTION,
    "reject": NO_SUGGESTION,
    "undo": "Nothing to undo",
    "redo": "Nothing to redo",
}
NARROW = 100  # below this many columns the annotation panel starts hidden
VERY_NARROW = 70  # and below this, the document list too


def label_bindings(labels: list[Label], taken: set[str]) -> Iterator[Binding]:
    """Keys that label: each label's own key, and `1`–`9` for the first nine labels
    that a digit key does not already name. Keys the app already uses are skipped."""
    by_key: dict[str, Label] = {}
    for label in labels:
        if label.key and label.key not in by_key:
            by_key[label.key] = label
    for position, label in enumerate(labels[:9], 1):
        by_key.setdefault(str(position), label)
    for key, label in by_key.items():
        binding_id = f"{LABEL_ID}_{key}" if key.isdigit() else f"{LABEL_ID}.{label.name}"
        for binding in Binding.make_bindings(
            [
                Binding(
                    key,
                    f"label({label.name!r})",
                    label.name,
                    tooltip=f"Label the selection (or the word under the cursor) as {label.name}",
                    id=binding_id,
                )
            ]
        ):
            if binding.key not in taken:
                yield binding


class MarginApp(App[None]):
    """The reader with its document list, annotation panel and status line."""

    CSS_PATH = "margin.tcss"
    TITLE = "margin"
    HELP_TITLE = "Annotate, documents and views"
    COMMANDS = App.COMMANDS | {MarginCommands}
    BINDINGS = [
        Binding("x", "delete", "Delete", tooltip="Delete the annotation under the cursor",
                id="app.delete"),
        Binding("r", "relabel", "Relabel", tooltip="Change the label of the annotation under the cursor",
                id="app.relabel"),
        Binding("enter,e", "edit_note", "Note", tooltip="Edit the note of the annotation under the cursor",
                id="app.edit_note"),
        Binding("u", "undo", "Undo", tooltip="Undo the last edit", id="app.undo"),
        Binding("ctrl+r", "redo", "Redo", tooltip="Redo the last undone edit", id="app.redo", show=False),
        Binding("a", "accept", "Accept", tooltip="Accept the suggested span under the cursor",
                id="app.accept", show=False),
        Binding("R", "reject", "Reject", tooltip="Reject the suggested span under the cursor",
                id="app.reject", show=False),
        Binding("y", "copy", "Copy", tooltip="Copy the selection, or the quote of the annotation under the cursor",
                id="app.copy", show=False),
        Binding("Y", "copy_citation", "Cite", tooltip="Copy a citation: “quote” — title, source",
                id="app.copy_citation", show=False),
        Binding("slash", "search", "Search", tooltip="Search in the document (then n / N)",
                id="app.search"),
        Binding("left_square_bracket", "previous_document", "Prev doc", tooltip="Open the previous document",
                id="app.previous_document", show=False),
        Binding("right_square_bracket", "next_document", "Next doc", tooltip="Open the next document",
                id="app.next_document", show=False),
        Binding("ctrl+s,vertical_line", "split", "Split", tooltip="Open another document side by side (again: close it)",
                id="app.split", show=False),
        Binding("ctrl+b", "toggle_documents", "Documents", tooltip="Go to the document list (again: hide it)",
                id="app.toggle_documents", show=False),
        Binding("ctrl+o,f2", "toggle_annotations", "Annotations", tooltip="Go to the annotation panel (again: hide it)",
                id="app.toggle_annotations", show=False),
        Binding("z", "zen", "Zen", tooltip="Hide both side panes to read at full width (again: show them)",
                id="app.zen", show=False),
        Binding("A", "cycle_viewer", "Whose", tooltip="Cycle whose annotations are shown: everyone, mine, one person",
                id="app.cycle_viewer", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", tooltip="Switch between the dark and the light theme",
                id="app.toggle_theme", show=False),
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="app.help"),
        Binding("q", "quit", "Quit", tooltip="Save the reading position and quit", id="app.quit"),
    ]

    cursor_blink = True
    """Whether text cursors blink; tests turn it off so screenshots are stable."""

    def __init__(
        self,
        db: Database,
        *,
        annotator: str,
        settings: Settings,
        open_doc_id: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.annotator = annotator
        self.settings = settings
        self.open_doc_id = open_doc_id
        self.history = History()
        self.watcher = ChangeFeed(db)
        self.labels: list[Label] = []
        self.viewing: str | None = None
        """Whose annotations are shown: None for everyone, else one annotator."""
        self._active_reader: Reader | None = None
        self._saved_positions: dict[str, int] = {}
        self._binding_state: tuple[bool, ...] = ()
        self._search_term = ""
        self._panes_touched = False
        # Kept, not queried: timers may still update them while the app is closing.
        self.documents = DocumentList(search=self._search_documents, id="documents")
        self.annotation_panel = AnnotationPanel(id="annotations")
        self.status = StatusLine(id="status")

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.documents
            with Horizontal(id="readers"):
                yield Reader(id="reader")
            yield self.annotation_panel
        yield self.status
        yield Footer(compact=True)

    def _check_keymap(self) -> None:
        """Name keymap entries that match no binding, which Textual would ignore."""
        known = {
            binding.id
            for owner in (MarginApp, Reader)
            for binding in Binding.make_bindings(owner.BINDINGS)
            if binding.id
        }
        unknown = [
            binding_id
            for binding_id in self.settings.keymap
            if binding_id not in known and not binding_id.startswith(LABEL_ID)
        ]
        if unknown:
            self.notify(
                f"{self.settings.path}: [keymap] names no binding {', '.join(map(repr, unknown))}; "
                "the help screen (?) and the README list the ids",
                severity="warning",
                markup=False,
                timeout=10,
            )

    def on_mount(self) -> None:
        self.set_keymap(self.settings.keymap)
        self._check_keymap()
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(f"Unknown theme {self.settings.theme!r}; using {self.theme}", markup=False)
        status = self.status
        status.annotator = self.annotator
        status.database = str(getattr(self.db, "path", ""))
        status.readonly = bool(getattr(self.db, "readonly", False))
        reader = self.query_one("#reader", Reader)
        self._prepare_reader(reader)
        self._active_reader = reader
        self._load_labels()
        self._refresh_documents()
        self._fit_panes(self.size.width)
        reader.focus()
        # Open once the panes have their sizes, so the reader lays the text out once.
        self.call_after_refresh(self._open_first)
        self.set_interval(0.5, self._poll_changes, name="poll changes")
        self.set_interval(1.0, self._save_positions, name="save reading position")

    def _open_first(self) -> None:
        """The document asked for, else the one this annotator read last, else the first."""
        doc_id = self.open_doc_id or last_read(self.db, self.annotator)
        if doc_id is None and self.documents.order:
            doc_id = self.documents.order[0]
        if doc_id is not None:
            self._open(self.reader, doc_id)

    def on_unmount(self) -> None:
        self.db.close()

    def on_resize(self, event: Resize) -> None:
        self._fit_panes(event.size.width)

    def _fit_panes(self, width: int) -> None:
        """Start narrow terminals with the reader alone, until the user shows a pane."""
        if self._panes_touched:
            return
        self.annotation_panel.display = width >= NARROW
        self.documents.display = width >= VERY_NARROW

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

    def _store(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run a store call; a refusal becomes an error notification, never a crash."""
        try:
            return operation(*args, **kwargs)
        except (MarginError, sqlite3.Error) as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return None

    def _writable(self) -> bool:
        if getattr(self.db, "readonly", False):
            self.notify("read-only database: nothing was changed", severity="warning", markup=False)
            return False
        return True

    def _search_documents(self, query: str) -> list[str]:
        return self._store(search_documents, self.db, query) or []

    def _load_labels(self) -> None:
        labels = self._store(list_labels, self.db)
        if labels is None or labels == self.labels:
            return
        self.labels = labels
        self._bind_labels()
        for reader in self.readers:
            reader.set_labels(labels)

    def _bind_labels(self) -> None:
        """Rebuild the label keys from the label scheme, which lives in the database.

        Textual has no public call to remove a binding, so the app's own binding map
        is rebuilt: label keys first (they lead the footer), then everything else.
        """
        others = {
            key: kept
            for key, bindings in self._bindings.key_to_bindings.items()
            if (kept := [b for b in bindings if not (b.id or "").startswith(LABEL_ID)])
        }
        rebuilt: dict[str, list[Binding]] = {}
        for binding in label_bindings(self.labels, taken=set(others)):
            rebuilt.setdefault(binding.key, []).append(binding)
        rebuilt.update(others)
        self._bindings.key_to_bindings = rebuilt
        self.refresh_bindings()

    def _reader_annotations(self, doc_id: str) -> list[Annotation]:
        """What a reader is given: every live annotation but rejected suggestions
        (the reader itself shows or dims them by annotator)."""
        return [
            annotation
            for annotation in self._store(query_annotations, self.db, doc_id=doc_id) or []
            if annotation.status != "rejected"
        ]

    def _visible_annotators(self) -> set[str] | None:
        return None if self.viewing is None else {self.viewing}

    # -- documents ------------------------------------------------------------------

    def _refresh_documents(self) -> None:
        summaries = self._store(list_documents, self.db, annotator=self.annotator) or []
        current = self.reader.document.id if self.reader.document else None
        self.documents.show(summaries, self.labels, current)

    def _refresh_document_row(self, doc_id: str) -> None:
        summaries = self._store(list_documents, self.db, annotator=self.annotator, doc_ids=[doc_id])
        for summary in summaries or []:
            self.documents.update(summary)

    def _open(self, reader: Reader, doc_id: str) -> None:
        """Show a document in ``reader`` at this annotator's last position in it."""
        if reader.document is not None and reader.document.id == doc_id:
            return
        self._save_position(reader)
        document = self._store(get_document, self.db, doc_id)
        if document is None:
            self.notify("That document is no longer in the database", severity="error")
            return
        cursor = self._store(get_position, self.db, doc_id, self.annotator) or 0
        cursor = max(0, min(cursor, len(document.text) - 1))
        reader.load(document, self._reader_annotations(doc_id), self.labels, cursor=cursor)
        self._saved_positions[doc_id] = cursor
        if reader is self.reader:
            self._reader_changed()

    def _reader_changed(self) -> None:
        """The active reader or its document changed: the side panes follow it."""
        document = self.reader.document
        if document is not None:
            self.documents.mark_current(document.id)
        self._refresh_panel()
        self._update_status()

    def _save_position(self, reader: Reader) -> None:
        document = reader.document
        if document is None or getattr(self.db, "readonly", False):
            return
        if self._saved_positions.get(document.id) == reader.cursor:
            return
        self._saved_positions[document.id] = reader.cursor
        self._store(set_position, self.db, document.id, self.annotator, reader.cursor)
        self._refresh_document_row(document.id)

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

    def on_document_list_left(self, _message: DocumentList.Left) -> None:
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

    def on_reader_cursor_moved(self, _message: Reader.CursorMoved) -> None:
        self._update_status()
        self._refresh_binding_state()

    def _update_status(self) -> None:
        reader, status = self.reader, self.status
        document = reader.document
        status.position = 100.0 * reader.cursor / max(1, len(document.text) - 1) if document else 0.0
        selection = reader.selection
        status.selection_length = selection[1] - selection[0] if selection else 0
        if status.mode != "SEARCH":
            status.mode = "VISUAL" if selection else "NORMAL"

    def _under_cursor(self, suggested_only: bool = False) -> list[Annotation]:
        reader = self.reader
        if reader.document is None:
            return []
        found = reader.annotations_at()
        return [a for a in found if a.status == "suggested"] if suggested_only else found

    def _refresh_binding_state(self) -> None:
        """Refresh the footer only when what applies has changed, not on every move."""
        state = (
            self.reader.document is not None,
            bool(self._under_cursor()),
            bool(self._under_cursor(suggested_only=True)),
            self.history.can_undo,
            self.history.can_redo,
        )
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply where the cursor is."""
        if action in ("delete", "relabel", "edit_note"):
            return True if self._under_cursor() else None
        if action in ("accept", "reject"):
            return True if self._under_cursor(suggested_only=True) else None
        if action == "undo":
            return True if self.history.can_undo else None
        if action == "redo":
            return True if self.history.can_redo else None
        if action in ("label", "copy", "copy_citation", "search"):
            return True if self.reader.document is not None else None
        return True

    async def run_action(
        self,
        action: str | actions.ActionParseResult,
        default_namespace: Any = None,
        namespaces: Any = None,
    ) -> bool:
        """Run an action; a key greyed out in the footer says why it does nothing
        here, rather than being silently ignored as Textual would."""
        if default_namespace in (None, self) and not namespaces:
            namespace, name, parameters = actions.parse(action) if isinstance(action, str) else action
            reason = UNAVAILABLE.get(name)
            if namespace in ("", "app") and reason and self.check_action(name, parameters) is None:
                self.notify(reason, severity="warning")
                return True
        return await super().run_action(action, default_namespace, namespaces)

    # -- annotation panel -------------------------------------------------------------

    def _refresh_panel(self) -> None:
        document = self.reader.document
        shown: list[Annotation] = []
        if document is not None:
            visible = self._visible_annotators()
            shown = [
                annotation
                for annotation in self._reader_annotations(document.id)
                if visible is None or annotation.annotator in visible
            ]
        self.annotation_panel.show(shown, self.labels)

    def on_annotation_panel_chosen(self, message: AnnotationPanel.Chosen) -> None:
        self.reader.move_to(message.annotation.start)
        self.reader.focus()

    def on_annotation_panel_left(self, _message: AnnotationPanel.Left) -> None:
        self.reader.focus()

    # -- editing --------------------------------------------------------------------------

    def _show_change(self, annotation: Annotation) -> None:
        """Show a committed change in every reader holding its document, and in the panes."""
        for reader in self.readers:
            if reader.document is not None and reader.document.id == annotation.doc_id:
                if annotation.deleted or annotation.status == "rejected":
                    reader.remove_annotation(annotation.id)
                else:
                    reader.upsert_annotation(annotation)
        self._refresh_panel()
        self._refresh_document_row(annotation.doc_id)
        self._refresh_binding_state()

    def _record(self, edit: Edit, annotation: Annotation | None) -> None:
        if annotation is not None:
            self.history.record(edit)
            self._show_change(annotation)

    def action_label(self, name: str) -> None:
        reader = self.reader
        document = reader.document
        if document is None or not self._writable():
            return
        span = reader.target_span()
        if span is None:
            self.notify("Nothing to label here: select some text first", severity="warning")
            return
        start, end = span
        if any(
            (a.start, a.end, a.label, a.annotator) == (start, end, name, self.annotator)
            for a in reader.annotations_at(start)
        ):
            self.notify(f"Already labelled {name}", markup=False)
            return
        annotation = self._store(
            add_annotation, self.db, document.id, start, end, name, annotator=self.annotator
        )
        if annotation is not None:
            reader.clear_selection()
            self._record(Added(annotation.id, name), annotation)

    def _choose_annotation(
        self, title: str, then: Callable[[Annotation], None], *, suggested_only: bool = False
    ) -> None:
        """Act on the annotation under the cursor, asking which when several overlap."""
        candidates = self._under_cursor(suggested_only=suggested_only)
        if not candidates:
            self.notify(NO_SUGGESTION if suggested_only else NO_ANNOTATION, severity="warning")
        elif len(candidates) == 1:
            then(candidates[0])
        else:
            colors = {label.name: label.color for label in self.labels}
            choices = [(self._annotation_choice(a, colors), a) for a in candidates]
            self.push_screen(
                LabelPicker(title, choices),
                lambda chosen: chosen is not None and then(chosen),
            )

    @staticmethod
    def _annotation_choice(annotation: Annotation, colors: dict[str, str]) -> Text:
        text = Text()
        text.append("■ ", style=colors.get(annotation.label, "#888888"))
        text.append(f"{annotation.label:<10} ", style="bold")
        text.append(f"“{shorten(annotation.quote, 50)}”")
        text.append(f"  {sanitise(annotation.annotator)}", style="dim")
        return text

    def action_delete(self) -> None:
        if self._writable():
            self._choose_annotation("Delete which annotation?", self._delete)

    def _delete(self, annotation: Annotation) -> None:
        """Delete at once; someone else's annotation only after a yes."""
        if annotation.annotator == self.annotator:
            self._delete_now(annotation)
            return
        question = (
            f"Delete {annotation.annotator}'s {annotation.label} “{shorten(annotation.quote, 40)}”?"
        )
        self.push_screen(Confirm(question), lambda yes: yes and self._delete_now(annotation))

    def _delete_now(self, annotation: Annotation) -> None:
        deleted = self._store(delete_annotation, self.db, annotation.id)
        self._record(Deleted(annotation.id, annotation.label), deleted)
        if deleted is not None:
            self.notify(f"Deleted {annotation.label} (u undoes)", markup=False)

    def action_relabel(self) -> None:
        if self._writable():
            self._choose_annotation("Relabel which annotation?", self._ask_label)

    def _ask_label(self, annotation: Annotation) -> None:
        choices = []
        for label in self.labels:
            prompt = Text()
            prompt.append("■ ", style=label.color)
            prompt.append(label.name, style="bold")
            if label.description:
                prompt.append(f"  {sanitise(label.description)}", style="dim")
            choices.append((prompt, label.name))
        names = [label.name for label in self.labels]
        current = names.index(annotation.label) if annotation.label in names else 0
        self.push_screen(
            LabelPicker(
                f"Relabel “{shorten(annotation.quote, 40)}” ({annotation.label}) as",
                choices,
                highlighted=(current + 1) % max(1, len(names)),
            ),
            lambda name: name is not None and self._relabel(annotation, name),
        )

    def _relabel(self, annotation: Annotation, label: str) -> None:
        if label != annotation.label:
            changed = self._store(update_annotation, self.db, annotation.id, label=label)
            self._record(Changed(annotation.id, "label", annotation.label, label), changed)

    def action_edit_note(self) -> None:
        if self._writable():
            self._choose_annotation("Edit the note of which annotation?", self._ask_note)

    def _ask_note(self, annotation: Annotation) -> None:
        self.push_screen(
            NoteEditor(annotation.note, quote=annotation.quote, label=annotation.label),
            lambda note: note is not None and self._set_note(annotation, note),
        )

    def _set_note(self, annotation: Annotation, note: str) -> None:
        if note != annotation.note:
            changed = self._store(update_annotation, self.db, annotation.id, note=note)
            self._record(Changed(annotation.id, "note", annotation.note, note), changed)

    def action_accept(self) -> None:
        if self._writable():
            self._choose_annotation("Accept which suggestion?", partial(self._set_status, "accepted"), suggested_only=True)

    def action_reject(self) -> None:
        if self._writable():
            self._choose_annotation("Reject which suggestion?", partial(self._set_status, "rejected"), suggested_only=True)

    def _set_status(self, status: str, annotation: Annotation) -> None:
        changed = self._store(update_annotation, self.db, annotation.id, status=status)
        self._record(Changed(annotation.id, "status", annotation.status, status), changed)

    def action_undo(self) -> None:
        self._replay(self.history.undo, "Undid")

    def action_redo(self) -> None:
        self._replay(self.history.redo, "Redid")

    def _replay(self, step: Callable[[Database], tuple[Edit, Annotation] | None], verb: str) -> None:
        if not self._writable():
            return
        result = self._store(step, self.db)
        if result is None:
            return
        edit, annotation = result
        if self.reader.document is None or self.reader.document.id != annotation.doc_id:
            self.open_document(annotation.doc_id)
        self._show_change(annotation)
        self.reader.move_to(annotation.start)
        self.notify(f"{verb} {edit.description}", markup=False)

    # -- copying and searching ------------------------------------------------------------

    def _quote_here(self) -> tuple[str, str] | None:
        """(text, what) for copying: the selection (which copying ends), else the quote
        of the annotation under the cursor."""
        reader = self.reader
        if reader.document is None:
            return None
        selection = reader.selection
        if selection is not None:
            reader.clear_selection()  # as vim's yank ends visual mode
            return reader.document.text[selection[0] : selection[1]], "selection"
        found = reader.annotations_at()
        if found:
            return found[0].quote, f"{found[0].label} quote"
        self.notify("Nothing to copy: select text or move onto an annotation", severity="warning")
        return None

    def action_copy(self) -> None:
        quote = self._quote_here()
        if quote is not None:
            copy_text(self, *quote)

    def action_copy_citation(self) -> None:
        quote = self._quote_here()
        document = self.reader.document
        if quote is None or document is None:
            return
        citation = f"“{one_line(quote[0])}” — {one_line(document.title)}"
        if document.source:
            citation += f", {one_line(document.source)}"
        copy_text(self, citation, "citation")

    def action_search(self) -> None:
        self.status.mode = "SEARCH"
        self.push_screen(SearchPrompt(self._search_term), self._search)

    def _search(self, term: str | None) -> None:
        self.status.mode = "NORMAL"
        if term:
            self._search_term = term
            if not self.reader.search(term, forward=True):
                self.notify(f"Not found: {term}", severity="warning", markup=False)
        self._update_status()

    # -- panes, views and themes -------------------------------------------------------------

    def _toggle_pane(self, pane: DocumentList | AnnotationPanel) -> None:
        """Show and focus a hidden pane; focus a shown one; hide the focused one."""
        focused_inside = self.focused is not None and pane in self.focused.ancestors_with_self
        if pane.display and not focused_inside:
            pane.focus()
        else:
            self._show_pane(pane, not pane.display)

    def _show_pane(self, pane: DocumentList | AnnotationPanel, show: bool) -> None:
        """Show or hide a side pane. Under NARROW columns only one side pane shows at
        a time: both together would leave the reader no width at all."""
        self._panes_touched = True
        focused_inside = self.focused is not None and pane in self.focused.ancestors_with_self
        if show and self.size.width < NARROW:
            other = self.annotation_panel if pane is self.documents else self.documents
            other.display = False
        pane.display = show
        if show:
            pane.focus()
        elif focused_inside or self.focused is None:
            self.reader.focus()

    def action_toggle_documents(self) -> None:
        self._toggle_pane(self.documents)

    def action_toggle_annotations(self) -> None:
        self._toggle_pane(self.annotation_panel)

    def action_zen(self) -> None:
        panes = (self.documents, self.annotation_panel)
        show = not any(pane.display for pane in panes)
        for pane in panes:
            self._show_pane(pane, show)
        self.reader.focus()

    def action_split(self) -> None:
        second = self.query("#reader-2")
        if second:
            reader = second.first(Reader)
            self._save_position(reader)
            self._active_reader = self.query_one("#reader", Reader)
            reader.remove()
            self.reader.focus()
            self._reader_changed()
            return
        summaries = [s for s in self.documents.summaries]
        if not summaries:
            return
        current = self.reader.document.id if self.reader.document else None
        following = self.documents.neighbour(current, 1)
        ids = [s.id for s in summaries]
        self.push_screen(
            LabelPicker(
                "Open beside",
                [(Text(shorten(s.title, 70)), s.id) for s in summaries],
                highlighted=ids.index(following) if following in ids else 0,
            ),
            self._open_split,
        )

    async def _open_split(self, doc_id: str | None) -> None:
        if doc_id is None:
            return
        reader = Reader(id="reader-2")
        await self.query_one("#readers").mount(reader)
        self._prepare_reader(reader)
        self._open(reader, doc_id)
        reader.focus()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def show_annotations_of(self, annotator: str | None) -> None:
        """Show everyone's annotations (None) or one annotator's."""
        self.viewing = annotator
        for reader in self.readers:
            reader.set_viewer(self.annotator, self._visible_annotators())
        self.status.viewing = (
            "everyone" if annotator is None else "mine" if annotator == self.annotator else annotator
        )
        self._refresh_panel()
        self._refresh_binding_state()

    def action_cycle_viewer(self) -> None:
        others = [name for name in self._store(annotators, self.db) or [] if name != self.annotator]
        cycle: list[str | None] = [None, self.annotator, *others]
        index = cycle.index(self.viewing) if self.viewing in cycle else 0
        self.show_annotations_of(cycle[(index + 1) % len(cycle)])

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_groups(self, self.active_bindings)))

    async def action_quit(self) -> None:
        self._save_positions()
        self.exit()

    # -- other processes ----------------------------------------------------------------------

    def _poll_changes(self) -> None:
        """Re-read what another process committed, keeping cursor, selection and scroll."""
        if not self.watcher.poll():
            return
        self._load_labels()
        for reader in self.readers:
            if reader.document is not None:
                reader.set_annotations(self._reader_annotations(reader.document.id))
        self._refresh_panel()
        self._refresh_documents()
        self._refresh_binding_state()

    # -- command palette --------------------------------------------------------------------------

    def palette_commands(self) -> list[Command]:
        """Every action by name: the app's bindings, whose annotations to show, documents."""
        commands: list[Command] = []
        seen: set[str] = set()
        for _key, binding in self._bindings:
            if binding.id is None or binding.action in seen:
                continue
            seen.add(binding.action)
            name = binding.tooltip or binding.description
            commands.append((name, f"key {self.get_key_display(binding)}", partial(self.run_action, binding.action)))
        commands.append(("Show everyone's annotations", "whose spans are shown", partial(self.show_annotations_of, None)))
        commands.append(("Show my annotations", "whose spans are shown", partial(self.show_annotations_of, self.annotator)))
        for name in self._store(annotators, self.db) or []:
            if name != self.annotator:
                commands.append((f"Show annotations by {sanitise(name)}", "whose spans are shown", partial(self.show_annotations_of, name)))
        for summary in self.documents.summaries:
            commands.append((f"Open {shorten(summary.title, 70)}", "read this document", partial(self.open_document, summary.id)))
        return commands


def make_app(
    db_path: str | Path,
    annotator: str,
    settings: Settings,
    open_doc_id: str | None = None,
) -> MarginApp:
    """The app on the database at ``db_path``; shared by ``margin`` and the tests."""
    return MarginApp(
        open_database(db_path), annotator=annotator, settings=settings, open_doc_id=open_doc_id
    )
