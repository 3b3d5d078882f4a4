"""Undo and redo for the edits made in the app, replayed as store operations.

Every edit is already committed when it is recorded, so undoing is another committed
write: undoing a new label tombstones its row, redoing it restores the very same row
(same id), and undoing a delete restores the deleted row rather than making a copy.
Links between spans and the values of their attributes go back and forth the same
way: a link's row is tombstoned and restored, a value set back or cleared.
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
from margin.store.attributes import clear_attribute, get_attribute, set_attribute
from margin.store.database import Database
from margin.store.errors import MarginError
from margin.store.model import Annotation, Attribute, Relation
from margin.store.relations import delete_relation, restore_relation

Field = Literal["label", "note", "status"]
Row = Annotation | Relation | Attribute
"""What an edit changed: a span, a link between two, or a value on one."""


class Edit(Protocol):
    """One recorded edit: both directions return the row as it now stands."""

    @property
    def description(self) -> str: ...

    def undo(self, db: Database) -> Row: ...

    def redo(self, db: Database) -> Row: ...


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
    """An annotation was deleted (tombstoned), and with it its links (``relations``:
    their ids, which undoing the delete brings back with it)."""

    annotation_id: str
    label: str
    relations: tuple[str, ...] = ()

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


@dataclass(frozen=True, slots=True)
class Linked:
    """Two spans were linked; undoing tombstones the relation, redoing restores the
    same row (same id)."""

    relation_id: str
    type: str

    @property
    def description(self) -> str:
        return f"link {self.type}"

    def undo(self, db: Database) -> Relation:
        return delete_relation(db, self.relation_id)

    def redo(self, db: Database) -> Relation:
        return restore_relation(db, self.relation_id)


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A relation was removed (tombstoned)."""

    relation_id: str
    type: str

    @property
    def description(self) -> str:
        return f"unlink {self.type}"

    def undo(self, db: Database) -> Relation:
        return restore_relation(db, self.relation_id)

    def redo(self, db: Database) -> Relation:
        return delete_relation(db, self.relation_id)


@dataclass(frozen=True, slots=True)
class ValueChanged:
    """An attribute's value on a span was set or cleared (None: no value)."""

    annotation_id: str
    name: str
    before: str | None
    after: str | None
    annotator: str

    @property
    def description(self) -> str:
        return f"{self.name} {self.after}" if self.after is not None else f"clear {self.name}"

    def _put(self, db: Database, value: str | None) -> Attribute:
        if value is not None:
            return set_attribute(db, self.annotation_id, self.name, value, annotator=self.annotator)
        row = clear_attribute(db, self.annotation_id, self.name) or get_attribute(db, self.annotation_id, self.name)
        if row is None:
            raise MarginError(f"no {self.name} value to clear")
        return row

    def undo(self, db: Database) -> Attribute:
        return self._put(db, self.before)

    def redo(self, db: Database) -> Attribute:
        return self._put(db, self.after)


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

    def undo(self, db: Database) -> tuple[Edit, Row] | None:
        if not self._done:
            return None
        edit = self._done[-1]
        row = edit.undo(db)
        self._undone.append(self._done.pop())
        return edit, row

    def redo(self, db: Database) -> tuple[Edit, Row] | None:
        if not self._undone:
            return None
        edit = self._undone[-1]
        row = edit.redo(db)
        self._done.append(self._undone.pop())
        return edit, row
