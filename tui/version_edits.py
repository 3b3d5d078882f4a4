"""The review of re-anchored spans as undoable edits: re-attaching an orphan, and
marking a changed span reviewed.

They are committed the way every other edit is (``Editing``: on the app's
connection, or queued behind another process's lock) and recorded in the same
history, so ``u`` and ``ctrl+r`` take them back and forth. Deleting an orphan is
the ordinary delete. Nothing here imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from margin.store.annotations import get_annotation
from margin.store.database import Database
from margin.store.errors import MarginError
from margin.store.model import Annotation
from margin.store.reanchor_review import Reattached, reattach, set_reviewed, undo_reattach

from .editing import Change, Editing, Pending


def _row(db: Database, annotation_id: str) -> Annotation:
    annotation = get_annotation(db, annotation_id)
    if annotation is None:
        raise MarginError("that span is gone")
    return annotation


@dataclass(slots=True)
class Reattach:
    """An orphan put on ``start``–``end`` of the newest version; undoing puts it back
    on its old version as an orphan (``store.reanchor_review.undo_reattach``)."""

    annotation_id: str
    label: str
    start: int
    end: int
    done: Reattached | None = None
    """What the last redo changed: what the next undo puts back."""

    @property
    def description(self) -> str:
        return f"re-attach {self.label}"

    def redo(self, db: Database) -> Annotation:
        self.done = reattach(db, self.annotation_id, self.start, self.end)
        return _row(db, self.annotation_id)

    def undo(self, db: Database) -> Annotation:
        if self.done is None:
            raise MarginError("nothing to put back")
        undo_reattach(db, self.done)
        self.done = None
        return _row(db, self.annotation_id)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A changed span marked looked at; undoing asks for its review again."""

    annotation_id: str
    label: str

    @property
    def description(self) -> str:
        return f"mark {self.label} reviewed"

    def redo(self, db: Database) -> Annotation:
        set_reviewed(db, self.annotation_id, True)
        return _row(db, self.annotation_id)

    def undo(self, db: Database) -> Annotation:
        set_reviewed(db, self.annotation_id, False)
        return _row(db, self.annotation_id)


def reattach_orphan(editing: Editing, annotation_id: str, label: str, start: int, end: int) -> Change | Pending:
    return editing.commit(Reattach(annotation_id, label, start, end))


def mark_reviewed(editing: Editing, annotation_id: str, label: str) -> Change | Pending:
    return editing.commit(Reviewed(annotation_id, label))
