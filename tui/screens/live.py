"""The main screen's live part: changes shown as rows, whose annotations are shown,
and the command palette's entries.

Between the panes (``panes.py``) and the keys (``main.py``): every committed row,
this app's edit or another process's, comes through ``_apply`` once and goes to the
reader, the annotation panel and the document list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from rich.text import Text

from margin.store.annotations import annotators
from margin.store.model import Annotation, Attribute, Relation

from ..compat import own_bindings
from ..editing import POSITION, READ_ONLY, Change, Pending
from ..sync import ChangesArrived
from ..text.sanitise import sanitise, shorten
from .dismiss import if_chosen
from .document_picker import DocumentPicker
from .panes import LateWrite
from .split import SplitView


class LiveScreen(SplitView):
    """The panes, kept in step with the database row by row."""

    def _writable(self) -> bool:
        """Refuse an edit on a read-only database before asking anything about it."""
        if self.db.readonly:
            self.notify(READ_ONLY, severity="warning", markup=False)
            return False
        return True

    # -- showing changes --------------------------------------------------------------

    def _apply(self, annotations: Iterable[Annotation]) -> None:
        """Committed rows, ours or another process's, shown in every pane that holds them."""
        touched: set[str] = set()
        panel_doc = self.reader.document.id if self.reader.document else None
        readers = self.readers
        for annotation in annotations:
            touched.add(annotation.doc_id)
            gone = annotation.hidden
            closed = self._closed_documents.get(annotation.doc_id)
            if closed is not None:
                if gone:
                    closed.pop(annotation.id, None)
                else:
                    closed[annotation.id] = annotation
            for reader in readers:
                if reader.document is not None and reader.document.id == annotation.doc_id:
                    if gone:
                        reader.remove_annotation(annotation.id)
                    else:
                        reader.upsert_annotation(annotation)
            if annotation.doc_id == panel_doc:
                if gone or not self._visible(annotation):
                    self.annotation_panel.remove_annotation(annotation.id)
                else:
                    self.annotation_panel.upsert(annotation)
        for doc_id in touched:
            self.documents.update(doc_id)
        self._refresh_binding_state()

    def show_change(self, change: Change | Pending | None) -> None:
        if isinstance(change, Pending):
            self.status.pending = self.editing.queue.edits_waiting
            if change.placeholder is not None:
                self._show_placeholder(change.placeholder, shown=True)
            if change.waiting == 1:
                self.notify(
                    f"Another process is writing to the database; the {sanitise(change.description)} will be "
                    "saved as soon as it finishes (the status line counts what is waiting)",
                    title="Waiting to save", severity="warning", markup=False,
                )
        elif change is not None:
            rows = [change.annotation, *change.more]  # a batch: one row each, no reload
            for row in rows:
                self._shown_edits[row.id] = row.updated_at
            self._note_drafts.pop(change.annotation.id, None)
            self._apply(rows)
            if change.relations or change.attributes or change.values is not None:
                values = None if change.values is None else (change.annotation.id, change.values)
                self._apply_links(change.annotation.doc_id, change.relations, change.attributes, values)

    def _apply_links(
        self, doc_id: str, relations: Iterable[Relation], attributes: Iterable[Attribute],
        values: tuple[str, dict[str, str]] | None = None,
    ) -> None:
        """Committed relation and attribute rows of one document, shown in the readers
        that show it and in the panel: only the spans they touch are drawn again."""
        relations, attributes = list(relations), list(attributes)
        for relation in relations:
            self._shown_edits[relation.id] = relation.updated_at
        for attribute in attributes:
            self._shown_edits[f"{attribute.annotation_id}\x1f{attribute.name}"] = attribute.updated_at
        touched: set[str] = set() if values is None else {values[0]}
        for reader in self.readers:
            if reader.document is not None and reader.document.id == doc_id:
                if values is not None:
                    reader.links.set_values(*values)
                touched |= reader.apply_links(relations, attributes)
        if self.reader.document is not None and self.reader.document.id == doc_id:
            self.annotation_panel.links_changed(touched)

    def _show_placeholder(self, placeholder: Annotation, *, shown: bool) -> None:
        """A queued label in the readers only: the lists count what is committed."""
        for reader in self.readers:
            if reader.document is not None and reader.document.id == placeholder.doc_id:
                if shown:
                    reader.upsert_annotation(placeholder)
                else:
                    reader.remove_annotation(placeholder.id)

    def on_late_write(self, message: LateWrite) -> None:
        """A queued edit has committed: shown now, with its undo step; or it failed."""
        late = message.late
        self.editing.committed_late(late)
        self.status.pending = self.editing.queue.edits_waiting
        if late.placeholder is not None:
            self._show_placeholder(late.placeholder, shown=False)
        if late.description == POSITION:
            if late.error is not None:
                # Minor and retried: the next save (a timer, leaving the document) tries again.
                self._saved_positions.clear()
            return
        if late.error is not None:
            kept = " Your note is kept: ⏎ on the span opens it again." if late.description == "note" else ""
            self.notify(
                f"The {sanitise(late.description)} was not saved: {sanitise(str(late.error))}.{kept}",
                title="Not saved", severity="error", markup=False, timeout=30,
            )
            return
        self.show_change(late.change)

    def on_changes_arrived(self, message: ChangesArrived) -> None:
        batch = message.batch
        if batch.labels:
            self._load_labels()
        if batch.lost_track or batch.overflow:
            for doc_id in list(self._closed_documents.keys()):
                if batch.lost_track or doc_id in batch.overflow:
                    self._closed_documents.pop(doc_id, None)
            for reader in self.readers:
                document = reader.document
                if document is not None and (batch.lost_track or document.id in batch.overflow):
                    reader.set_annotations(self._reader_annotations(document.id))
            self._refresh_panel()
            self.documents.reload()
        elif batch.documents:
            self.documents.reload()
        # The feed read its rows in a worker: one this app has edited since is stale.
        self._apply(a for a in batch.annotations if a.updated_at >= self._shown_edits.get(a.id, ""))

    # -- whose annotations ------------------------------------------------------------

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

    def annotation_choice(self, annotation: Annotation) -> Text:
        colors = {label.name: label.color for label in self.labels}
        text = Text()
        text.append("■ ", style=colors.get(annotation.label, "#888888"))
        text.append(f"{sanitise(annotation.label):<10} ", style="bold")
        text.append(f"“{shorten(annotation.quote, 50)}”")
        text.append(f"  {sanitise(annotation.annotator)}", style="dim")
        return text

    def _pick_document(self) -> None:
        picker = DocumentPicker(
            "Open", self.db, annotator=self.annotator, labels=self.labels, current=self.documents.current
        )
        self.app.push_screen(picker, if_chosen(self.open_document))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Every action by name: the screen's bindings and whose annotations to show.
        Documents are found by the palette's document provider, by title, in SQL."""
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for bindings in own_bindings(self).values():
            for binding in bindings:
                if binding.id is None or binding.action in seen:
                    continue
                seen.add(binding.action)
                name = binding.tooltip or binding.description
                key = self.app.get_key_display(binding)
                commands.append((name, f"key {key}", partial(self.run_action, binding.action)))
        commands.append(("Show everyone's annotations", "whose spans are shown", partial(self.show_annotations_of, None)))
        commands.append(("Show my annotations", "whose spans are shown", partial(self.show_annotations_of, self.annotator)))
        commands.append(("Open a document…", "choose among every document", self._pick_document))
        for name in self._store(annotators, self.db) or []:
            if name != self.annotator:
                commands.append((f"Show annotations by {sanitise(name)}", "whose spans are shown",
                                 partial(self.show_annotations_of, name)))
        return commands
