"""The main screen and what its keys do: edits, copying, searching, panes and views.

The panes and the events between them are ``PaneScreen`` (``panes.py``), the rows
that change in them ``LiveScreen`` (``live.py``); this file holds the actions. Edits go through ``Editing`` and come back as a ``Change`` that
``show_change`` hands on, one row, to the panes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from margin.store.model import Annotation

from ..clipboard import copy_text
from ..editing import READ_ONLY, Change, Pending
from ..keymap import ACTIONS, WHY_NOT
from ..text.sanitise import one_line, sanitise, shorten
from .confirm import Confirm
from .dismiss import if_chosen
from .help import HelpScreen, binding_groups
from .label_picker import LabelPicker
from .live import LiveScreen
from .panes import NARROW
from .search_prompt import SearchPrompt

if TYPE_CHECKING:
    from ..widgets.annotation_panel import AnnotationPanel
    from ..widgets.document_list import DocumentList


class MainScreen(LiveScreen):
    """The reader with its document list, annotation panel and status line, and the
    keys of the table in ``tui/keymap.py``."""

    HELP_TITLE = "Annotate, documents and views"
    BINDINGS = [
        Binding(entry.keys, entry.action, entry.description, tooltip=entry.tooltip, id=entry.id, show=entry.show)
        for entry in ACTIONS
    ]

    def _writable(self) -> bool:
        """Refuse an edit on a read-only database before asking anything about it."""
        if self.db.readonly:
            self.notify(READ_ONLY, severity="warning", markup=False)
            return False
        return True

    def _edit(self, edit: Callable[[], Change | Pending | None]) -> Change | Pending | None:
        """Make one edit and show it; a refusal becomes a notification, never a crash.
        A ``Pending`` edit (another process holds the lock) is shown once it commits."""
        change = self._store(edit)
        self.show_change(change)
        return change

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
        if self._edit(partial(self.editing.label, document, start, end, name)) is not None:
            reader.clear_selection()

    def _choose_annotation(self,
        title: str, then: Callable[[Annotation], None], *, suggested_only: bool = False
    ) -> None:
        """Act on the annotation under the cursor, asking which when several overlap."""
        candidates = self._under_cursor(suggested_only=suggested_only)
        if not candidates:
            self.notify(WHY_NOT["suggestion" if suggested_only else "annotation"], severity="warning")
        elif len(candidates) == 1:
            then(candidates[0])
        else:
            choices = [(self.annotation_choice(a), a) for a in candidates]
            self.app.push_screen(LabelPicker(title, choices), if_chosen(then))

    def action_delete(self) -> None:
        if self._writable():
            self._choose_annotation("Delete which annotation?", self._delete)

    def _delete(self, annotation: Annotation) -> None:
        """Delete at once; someone else's annotation only after a yes."""
        if annotation.annotator == self.annotator:
            self._delete_now(annotation)
            return
        question = f"Delete {sanitise(annotation.annotator)}'s {sanitise(annotation.label)} “{shorten(annotation.quote, 40)}”?"
        self.app.push_screen(Confirm(question), if_chosen(partial(self._delete_if_sure, annotation)))

    def _delete_if_sure(self, annotation: Annotation, sure: bool) -> None:
        if sure:
            self._delete_now(annotation)

    def _delete_now(self, annotation: Annotation) -> None:
        if isinstance(self._edit(partial(self.editing.delete, annotation)), Change):
            self.notify(f"Deleted {annotation.label} (u undoes)", markup=False)

    def action_relabel(self) -> None:
        if self._writable():
            self._choose_annotation("Relabel which annotation?", self._ask_label)

    def _ask_label(self, annotation: Annotation) -> None:
        choices = []
        for label in self.labels:
            prompt = Text()
            prompt.append("■ ", style=label.color)
            prompt.append(sanitise(label.name), style="bold")
            if label.description:
                prompt.append(f"  {sanitise(label.description)}", style="dim")
            choices.append((prompt, label.name))
        names = [label.name for label in self.labels]
        current = names.index(annotation.label) if annotation.label in names else 0
        picker = LabelPicker(
            f"Relabel “{shorten(annotation.quote, 40)}” ({sanitise(annotation.label)}) as",
            choices,
            highlighted=(current + 1) % max(1, len(names)),
        )
        self.app.push_screen(picker, if_chosen(partial(self._relabel, annotation)))

    def _relabel(self, annotation: Annotation, label: str) -> None:
        self._edit(partial(self.editing.relabel, annotation, label))

    def action_edit_note(self) -> None:
        if self._writable():
            self._choose_annotation("Edit the note of which annotation?", self._ask_note)

    def _ask_note(self, annotation: Annotation) -> None:
        from .note_editor import NoteEditor  # its TextArea is not needed for the first screen

        self.app.push_screen(
            NoteEditor(self._note_drafts.get(annotation.id, annotation.note), quote=annotation.quote,
                       label=annotation.label),
            if_chosen(partial(self._set_note, annotation)),
        )

    def _set_note(self, annotation: Annotation, note: str) -> None:
        # Kept until the note is committed, so a write that fails loses nothing typed.
        self._note_drafts[annotation.id] = note
        if self._edit(partial(self.editing.set_note, annotation, note)) is None:
            self._note_drafts.pop(annotation.id, None)

    def action_accept(self) -> None:
        if self._writable():
            self._choose_annotation("Accept which suggestion?", partial(self._set_status, "accepted"), suggested_only=True)

    def action_reject(self) -> None:
        if self._writable():
            self._choose_annotation("Reject which suggestion?", partial(self._set_status, "rejected"), suggested_only=True)

    def _set_status(self, status: str, annotation: Annotation) -> None:
        self._edit(partial(self.editing.set_status, annotation, status))

    def action_undo(self) -> None:
        self._replay(self.editing.undo)

    def action_redo(self) -> None:
        self._replay(self.editing.redo)

    def _replay(self, step: Callable[[], Change | None]) -> None:
        if not self._writable():
            return
        change = self._store(step)
        if change is None:
            return
        annotation = change.annotation
        if self.reader.document is None or self.reader.document.id != annotation.doc_id:
            self.open_document(annotation.doc_id)
        self.show_change(change)
        self.reader.move_to(annotation.start)
        self.notify(change.description, markup=False)

    # -- copying and searching ------------------------------------------------------

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
            copy_text(self.app, *quote)

    def action_copy_citation(self) -> None:
        quote = self._quote_here()
        document = self.reader.document
        if quote is None or document is None:
            return
        citation = f"“{one_line(quote[0])}” — {one_line(document.title)}"
        if document.source:
            citation += f", {one_line(document.source)}"
        copy_text(self.app, citation, "citation")

    def action_search(self) -> None:
        self.status.mode = "SEARCH"
        self.app.push_screen(SearchPrompt(self._search_term), self._search)

    def _search(self, term: str | None) -> None:
        self.status.mode = "NORMAL"
        if term:
            self._search_term = term
            if not self.reader.search(term, forward=True):
                self.notify(f"Not found: {term}", severity="warning", markup=False)
        self._update_status()

    # -- panes, views and themes ----------------------------------------------------

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
        if show and self.app.size.width < NARROW:
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

    def action_toggle_theme(self) -> None:
        self.app.theme = "textual-light" if self.app.current_theme.dark else "textual-dark"

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_groups(self.app, self.app.active_bindings)))

    async def action_quit(self) -> None:
        self._save_positions()
        waiting = self.editing.queue.waiting
        if waiting:
            self.notify(
                f"Saving {waiting} edit(s) first: another process is writing to the database",
                title="Quitting", markup=False,
            )
            await asyncio.to_thread(self.editing.close)
        self.app.exit()
