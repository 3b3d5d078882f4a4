"""Undo and redo for the edits made in the app, replayed as store operations.

Every edit is already committed when it is recorded, so undoing is another committed
write: undoing a new label tombstones its row, redoing it restores the very same row
(same id), and undoing a delete restores the deleted row rather than making a copy.
Links between spans and the values of their attributes go back and forth the same
way: a link's row is tombstoned and restored, a value set back or cleared. A batch
(the suggesters' spans, a bulk accept) is one step: its rows go back and forth in one
transaction.
Nothing here imports Textual, so the history is tested on a bare database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from margin.store.annotations import (
    delete_annotation,
    get_annotations,
    restore_annotation,
    update_annotation,
)
from margin.store.attributes import clear_attribute, get_attribute, set_attribute
from margin.store.database import Database
from margin.store.db import write
from margin.store.errors import MarginError
from margin.store.model import Annotation, Attribute, Relation
from margin.store.relations import delete_relation, restore_relation

Field = Literal["label", "note", "status"]
Row = Annotation | Relation | Attribute | tuple[Annotation, ...]
"""What an edit changed: a span, a link between two, a value on one, or the spans of
a batch."""


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


CHANGED_SINCE = "changed since"


@dataclass(slots=True)
class Batch:
    """Many span edits made by one key (``ctrl+g``'s suggestions, accepting every
    suggestion in a selection): undone and redone together, in one transaction, so a
    hundred suggestions never take a hundred presses of ``u`` to take back.

    ``stamps`` holds each span's status and ``updated_at`` as the batch left it. A span
    someone changed since (accepted it, wrote a note, maybe on another connection) is
    work the undo must not throw away: it is kept, and the message says how many were.
    Redo then only redoes the steps the undo took back."""

    steps: tuple[Added | Changed, ...]
    what: str
    stamps: dict[str, tuple[str, str]] = field(default_factory=dict)
    undone: tuple[Added | Changed, ...] = ()
    """The steps the last undo took back: all that a redo may redo."""
    kept: int = 0

    @classmethod
    def of(cls, steps: tuple[Added | Changed, ...], what: str, rows: Sequence[Annotation]) -> Batch:
        return cls(steps, what, {row.id: (row.status, row.updated_at) for row in rows})

    @property
    def description(self) -> str:
        return f"{self.what}; {self.kept} kept: {CHANGED_SINCE}" if self.kept else self.what

    def saw(self, row: Annotation) -> None:
        """One of its spans as an edit of this history left it (undoing a later accept,
        say): that is not someone else's change."""
        if row.id in self.stamps:
            self.stamps[row.id] = (self.stamps[row.id][0], row.updated_at)

    def undo(self, db: Database) -> tuple[Annotation, ...]:
        with write(db):
            now = {row.id: row for row in get_annotations(db, [step.annotation_id for step in self.steps])}
            undone: list[Added | Changed] = []
            rows: dict[str, Annotation] = {}
            for step in reversed(self.steps):
                current = now.get(step.annotation_id)
                stamp = self.stamps.get(step.annotation_id)
                if current is None:
                    continue
                if stamp is not None and (current.status, current.updated_at) != stamp:
                    rows[current.id] = current
                    continue
                rows[step.annotation_id] = step.undo(db)
                undone.append(step)
        self.undone = tuple(reversed(undone))
        self.kept = len(self.steps) - len(undone)
        return tuple(rows[step.annotation_id] for step in self.steps if step.annotation_id in rows)

    def redo(self, db: Database) -> tuple[Annotation, ...]:
        with write(db):
            rows = tuple(step.redo(db) for step in self.undone)
        for row in rows:
            self.saw(row)
        self.undone = ()
        self.kept = 0
        return rows


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
        self._seen(row)
        return edit, row

    def redo(self, db: Database) -> tuple[Edit, Row] | None:
        if not self._undone:
            return None
        edit = self._undone[-1]
        row = edit.redo(db)
        self._done.append(self._undone.pop())
        self._seen(row)
        return edit, row

    def _seen(self, row: Row) -> None:
        """What an undo or redo of this history left a span as is no change "since" for
        the batches further down the stack."""
        rows = row if isinstance(row, tuple) else (row,)
        for edit in self._done:
            if isinstance(edit, Batch):
                for each in rows:
                    if isinstance(each, Annotation):
                        edit.saw(each)
