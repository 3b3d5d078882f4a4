"""Undo and redo for the edits made in the app, replayed as store operations.

Every edit is already committed when it is recorded, so undoing is another committed
write: undoing a new label tombstones its row, redoing it restores the very same row
(same id), and undoing a delete restores the deleted row rather than making a copy.
Nothing here imports Textual, so the history is tested on a bare database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from margin.store.annotations import (
    delete_annotation,
    restore_annotation,
    update_annotation,
)
from margin.store.database import Database
from margin.store.model import Annotation

Field = Literal["label", "note", "status"]


class Edit(Protocol):
    """One recorded edit: both directions return the annotation as it now stands."""

    @property
    def description(self) -> str: ...

    def undo(self, db: Database) -> Annotation: ...

    def redo(self, db: Database) -> Annotation: ...


@dataclass(frozen=True, slots=True)
class Added:
    """A span was labelled."""

    annotation_id: str
    label: str

    @property
    def description(self) -> str:
        return f"label {self.label}"

    def undo(self, db: Database) -> Annotation:
        return delete_annotation(db, self.annotation_id)

    def redo(self, db: Database) -> Annotation:
        return restore_annotation(db, self.annotation_id)


@dataclass(frozen=True, slots=True)
class Deleted:
    """An annotation was deleted (tombstoned)."""

    annotation_id: str
    label: str

    @property
    def description(self) -> str:
        return f"delete {self.label}"

    def undo(self, db: Database) -> Annotation:
        return restore_annotation(db, self.annotation_id)

    def redo(self, db: Database) -> Annotation:
        return delete_annotation(db, self.annotation_id)


@dataclass(frozen=True, slots=True)
class Changed:
    """One field of an annotation changed: a relabel, a note edit, an accept or reject."""

    annotation_id: str
    field: Field
    before: str
    after: str

    @property
    def description(self) -> str:
        if self.field == "label":
            return f"relabel {self.before} → {self.after}"
        if self.field == "status":
            return f"mark {self.after}"
        return "note edit"

    def undo(self, db: Database) -> Annotation:
        return update_annotation(db, self.annotation_id, **{self.field: self.before})

    def redo(self, db: Database) -> Annotation:
        return update_annotation(db, self.annotation_id, **{self.field: self.after})


class History:
    """Two stacks of edits. A step moves between stacks only once its write succeeded,
    so a failed undo (say, the label was removed meanwhile) can be tried again."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._done: list[Edit] = []
        self._undone: list[Edit] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def record(self, edit: Edit) -> None:
        """A new edit: it can be undone, and whatever was undone before is gone for good."""
        self._done.append(edit)
        del self._done[: -self.limit]
        self._undone.clear()

    def undo(self, db: Database) -> tuple[Edit, Annotation] | None:
        if not self._done:
            return None
        edit = self._done[-1]
        annotation = edit.undo(db)
        self._undone.append(self._done.pop())
        return edit, annotation

    def redo(self, db: Database) -> tuple[Edit, Annotation] | None:
        if not self._undone:
            return None
        edit = self._undone[-1]
        annotation = edit.redo(db)
        self._done.append(self._undone.pop())
        return edit, annotation
