"""Every edit the app makes, as store calls that return what changed.

Nothing here imports Textual: the screen asks for an edit, gets back a ``Change``
carrying the committed row, and passes that row on to the widgets that show it. Each
edit is one committed transaction before the change is returned, so the screen never
shows anything the file does not hold. Undo and redo are further committed writes
(``tui/undo.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from margin.store.annotations import add_annotation, delete_annotation, update_annotation
from margin.store.database import Database
from margin.store.errors import MarginError
from margin.store.model import Annotation, Document

from .undo import Added, Changed, Deleted, Edit, Field, History

READ_ONLY = "read-only database: nothing was changed"


@dataclass(frozen=True, slots=True)
class Change:
    """A committed edit: the annotation as it now stands, and what to call the edit."""

    annotation: Annotation
    description: str


class Editing:
    """The edits of one annotator on one database, with their undo history."""

    def __init__(self, db: Database, annotator: str) -> None:
        self.db = db
        self.annotator = annotator
        self.history = History()

    def _check_writable(self) -> None:
        if self.db.readonly:
            raise MarginError(READ_ONLY)

    def label(self, document: Document, start: int, end: int, name: str) -> Change:
        self._check_writable()
        annotation = add_annotation(
            self.db, document.id, start, end, name, annotator=self.annotator, text=document.text
        )
        return self._record(Added(annotation.id, name), annotation)

    def delete(self, annotation: Annotation) -> Change:
        self._check_writable()
        deleted = delete_annotation(self.db, annotation.id)
        return self._record(Deleted(annotation.id, annotation.label), deleted)

    def relabel(self, annotation: Annotation, label: str) -> Change | None:
        return self._change(annotation, "label", annotation.label, label)

    def set_note(self, annotation: Annotation, note: str) -> Change | None:
        return self._change(annotation, "note", annotation.note, note)

    def set_status(self, annotation: Annotation, status: str) -> Change | None:
        return self._change(annotation, "status", annotation.status, status)

    def _change(self, annotation: Annotation, field: Field, before: str, after: str) -> Change | None:
        """One field changed; None when it already had that value (nothing recorded)."""
        if before == after:
            return None
        self._check_writable()
        changed = update_annotation(self.db, annotation.id, **{field: after})
        return self._record(Changed(annotation.id, field, before, after), changed)

    def _record(self, edit: Edit, annotation: Annotation) -> Change:
        self.history.record(edit)
        return Change(annotation, edit.description)

    def undo(self) -> Change | None:
        self._check_writable()
        step = self.history.undo(self.db)
        return None if step is None else Change(step[1], f"Undid {step[0].description}")

    def redo(self) -> Change | None:
        self._check_writable()
        step = self.history.redo(self.db)
        return None if step is None else Change(step[1], f"Redid {step[0].description}")
