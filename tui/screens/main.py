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
from ..compat import own_bindings
from ..editing import Change, Pending
from ..keymap import ACTIONS, WHY_NOT
from ..sources import citation
from ..text.sanitise import sanitise, shorten
from ..text.search import parse_term
from .confirm import Confirm
from .dismiss import if_chosen
from .help import HelpScreen, binding_groups
from .label_picker import LabelPicker
from .panes import NARROW
from .search_prompt import SearchPrompt
from .suggest_actions import SuggestActions

if TYPE_CHECKING:
    from ..widgets.annotation_panel import AnnotationPanel
    from ..widgets.document_list import DocumentList
    from ..widgets.reader import Reader


class MainScreen(SuggestActions):
    """The reader with its document list, annotation panel and status line, and the
    keys of the table in ``tui/keymap.py``."""

    HELP_TITLE = "Annotate, documents and views"
    BINDINGS = [
        Binding(entry.keys, entry.action, entry.description, tooltip=entry.tooltip, id=entry.id, show=entry.show)
        for entry in ACTIONS
    ]

    _auto_advance: bool | None = None

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
            self._advance(end)
            return
        if self._edit(partial(self.editing.label, document, start, end, name)) is not None:
            reader.clear_selection()
            self._say_where_it_went(name)
            self._advance(end)

    def show_cursor_now(self) -> None:
        """What the reader's ``CursorMoved`` asks of the panel and the status line, done
        as soon as a key's action has moved the cursor (the app calls this), so the key
        is drawn once; the message, handled after it, then skips what was done."""
        reader = self.reader
        self.annotation_panel.follow(reader.cursor, reader.annotations_at())
        self._update_status()
        self._shown_place = self.cursor_place

    def _advance(self, end: int) -> None:
        """With auto-advance on, go on to the word after the span just labelled, so a
        run of words to label is one key each."""
        if self.auto_advance:
            reader = self.reader
            following = reader.next_word_after(end)
            if following is not None:
                reader.move_to(following)

    def _say_where_it_went(self, name: str) -> None:
        """A label made while another annotator's spans are shown does not show: say
        so, rather than leave the key looking as if it did nothing."""
        if self.viewing is None or self.viewing == self.annotator:
            return
        keys = [
            self.app.get_key_display(binding)
            for bindings in own_bindings(self).values()
            for binding in bindings
            if binding.action == "cycle_viewer"
        ]
        self.notify(
            f"Labelled as {sanitise(name)} — yours are hidden while viewing {sanitise(self.viewing)}'s; "
            f"press {keys[0] if keys else 'A'} to show them",
            markup=False,
        )

    @property
    def auto_advance(self) -> bool:
        """Whether a label moves the cursor on: the config's ``auto_advance`` until
        ``ctrl+a`` turns it over."""
        if self._auto_advance is None:
            self._auto_advance = self.settings.auto_advance
        return self._auto_advance

    def action_toggle_auto_advance(self) -> None:
        self._auto_advance = not self.auto_advance
        self.notify(
            "Auto-advance on: after a label the cursor moves to the next word"
            if self._auto_advance else "Auto-advance off: the cursor stays on what it labelled",
            markup=False,
        )

    def action_word_end(self) -> None:
        """``E`` is a screen key (its row is in the key table), moving the active reader."""
        self.reader.action_word_end()

    def on_reader_cursor_moved(self, message: Reader.CursorMoved) -> None:
        """The annotation panel highlights the span under (or next after) the cursor.
        Textual also runs the pane screen's handler for this message: no super call."""
        reader = self.reader
        if message.reader is reader and not self._place_shown():
            self.annotation_panel.follow(reader.cursor, reader.annotations_at())

    def _choose_annotation(self,
        title: str, then: Callable[[Annotation], None], *, suggested_only: bool = False, changing: bool = True,
    ) -> None:
        """Act on the annotation under the cursor, asking which when several overlap;
        on a team server, when the act ``changing`` it, only among those this role may change."""
        under = self._under_cursor(suggested_only=suggested_only)
        candidates = [a for a in under if not changing or self.db.may_change(a.annotator)]
        if under and not candidates:
            self.notify(f"{sanitise(under[0].annotator)}'s span: on this server only they or a reviewer may change it",
                        severity="warning", markup=False)
        elif not candidates:
            self.notify(WHY_NOT["suggestion" if suggested_only else "annotation"], severity="warning")
        elif len(candidates) == 1:
            then(candidates[0])
        else:
            choices = [(self.annotation_choice(a), a) for a in candidates]
            self.app.push_screen(LabelPicker(title, choices), if_chosen(then))

    def action_delete(self) -> None:
        if self._writable():
            self._choose_annotation("Delete which annotation?", self._delete)

    def _delete(self, annotation: Annotation, done: Callable[[], None] | None = None) -> None:
        """Delete at once; someone else's annotation only after a yes. ``done`` hears
        once it is deleted."""
        if annotation.annotator == self.annotator:
            self._delete_now(annotation, done)
            return
        question = f"Delete {sanitise(annotation.annotator)}'s {sanitise(annotation.label)} “{shorten(annotation.quote, 40)}”?"
        self.app.push_screen(Confirm(question), if_chosen(partial(self._delete_if_sure, annotation, done)))

    def _delete_if_sure(self, annotation: Annotation, done: Callable[[], None] | None, sure: bool) -> None:
        if sure:
            self._delete_now(annotation, done)

    def _delete_now(self, annotation: Annotation, done: Callable[[], None] | None = None) -> None:
        links = self._links_of(annotation)
        if isinstance(self._edit(partial(self.editing.delete, annotation, links)), Change):
            self.notify(f"Deleted {annotation.label} (u undoes)", markup=False)
            if done is not None:
                done()

    def _links_of(self, annotation: Annotation) -> list[str]:
        """The ids of a span's links, which its delete takes along: the reader's index
        has those of the spans it shows."""
        return [relation.id for relation in self.reader.links.of(annotation.id)]

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
        if not change.more:  # a batch stays where the cursor is
            self.reader.move_to(annotation.start)
        self.notify(sanitise(change.description), markup=False)  # names may come from a merge

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
        copy_text(self.app, citation(quote[0], document), "citation")

    def action_search(self) -> None:
        self.status.mode = "SEARCH"
        self.app.push_screen(SearchPrompt(self.reader.search_term or self._search_term), self._search)

    def _search(self, term: str | None) -> None:
        self.status.mode = "NORMAL"
        if term and parse_term(term) is not None:  # a term of only spaces is a cancel
            self._search_term = term
            if not self.reader.search(term, forward=True):
                self.notify(f"Not found: {term}", severity="warning", markup=False)
        self._update_status()

    def on_reader_search_changed(self, message: Reader.SearchChanged) -> None:
        if message.reader is self.reader:
            self._update_status()

    def _update_status(self) -> None:
        """The status line also counts the search's matches: "3 of 120"."""
        super()._update_status()
        reader = self.reader
        term = reader.search_term
        if term is None:
            self.status.search = ""
            return
        number, total = reader.search_position
        shown = f"/{shorten(term, 24)}"
        if total is None:
            self.status.search = f"{shown} counting…"
        elif number is None:
            self.status.search = f"{shown} {total} match{'' if total == 1 else 'es'}"
        else:
            self.status.search = f"{shown} {number} of {total}"

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

    def action_export(self) -> None:
        """Ask what to export where, then write it in a thread as ``margin export`` would."""
        from .export_dialog import ExportDialog, export_in_background

        dialog = ExportDialog(self.db.path, self.reader.document)
        self.app.push_screen(dialog, if_chosen(partial(export_in_background, self)))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_groups(self.app, self.app.active_bindings)))

    async def action_quit(self) -> None:
        self._save_positions()
        if self.editing.queue.waiting:
            edits = self.editing.queue.edits_waiting
            self.notify(
                f"Saving {edits} edit(s) first: another process is writing to the database"
                if edits else "Saving the reading position first: another process is writing to the database",
                title="Quitting", markup=False,
            )
            await asyncio.to_thread(self.editing.close)
        self.app.exit()
