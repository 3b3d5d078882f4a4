"""Every edit the app makes, as store calls that return what changed.

Nothing here imports Textual: the screen asks for an edit, gets back a ``Change``
carrying the committed row, and passes that row on to the widgets that show it. Each
edit is one committed transaction before the change is returned, so the screen never
shows anything the file does not hold. Undo and redo are further committed writes
(``tui/undo.py``).

When another process holds the write lock for longer than a key may wait
(``write_queue.UI_WAIT_MS``), the edit is handed to the ``WriteQueue`` and ``Pending``
is returned at once; the committed ``Change`` (or the reason it failed) reaches the
screen later through ``on_late``, from the queue's thread.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

from margin.store.annotations import add_annotation, delete_annotation, get_annotation, update_annotation
from margin.store.attributes import attributes_of
from margin.store.database import Database
from margin.store.db import write
from margin.store.errors import MarginError
from margin.store.model import Annotation, Attribute, Document, Relation
from margin.store.reading import set_position
from margin.store.relations import add_relation, delete_relation, get_relations
from margin.store.suggest import Suggestion
from margin.store.suggest.run import store_suggestions

from .undo import Added, Batch, Changed, Deleted, Edit, Field, History, Linked, Row, Unlinked, ValueChanged
from .write_queue import WriteQueue, is_locked, short_wait

R = TypeVar("R", Annotation, Relation, Attribute)


class SpanEdit(Protocol):
    """An edit of one span made outside this module (a re-attach, a review mark), as
    :meth:`Editing.commit` takes it."""

    @property
    def description(self) -> str: ...

    def undo(self, db: Database) -> Row: ...

    def redo(self, db: Database) -> Annotation: ...
W = TypeVar("W")

READ_ONLY = "read-only database: nothing was changed"
POSITION = "reading position"
PENDING = "pending"
"""The status of a placeholder span: shown, not yet in the database, not editable."""
WAIT_FOR_QUEUE = "edits are still waiting for the database; undo and redo once they are saved"


@dataclass(frozen=True, slots=True)
class Change:
    """A committed edit: the annotation as it now stands (for a link or a value, the
    span it is on), what to call the edit, and the relation and attribute rows it
    changed, as they now stand."""

    annotation: Annotation
    description: str
    relations: tuple[Relation, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    values: dict[str, str] | None = None
    """The span's every value as read again, when its delete was undone (or redone)."""
    more: tuple[Annotation, ...] = ()
    """The other spans of a batch (the suggesters' spans, a bulk accept), as they now
    stand: ``annotation`` is the first of them."""


@dataclass(frozen=True, slots=True)
class Pending:
    """An edit queued behind another process's write lock; its ``Change`` comes later."""

    description: str
    waiting: int
    placeholder: Annotation | None = None
    """What the reader shows (status ``pending``) until the real row commits."""


@dataclass(frozen=True, slots=True)
class Late:
    """What became of a queued edit: its change, or why it was not saved."""

    description: str
    change: Change | None
    error: BaseException | None
    edit: Edit | None = None
    placeholder: Annotation | None = None


class Editing:
    """The edits of one annotator on one database, with their undo history."""

    def __init__(
        self, db: Database, annotator: str, *, on_late: Callable[[Late], object] | None = None,
        queue: WriteQueue | None = None,
    ) -> None:
        self.db = db
        self.annotator = annotator
        self.history = History()
        self.on_late = on_late
        self.queue = queue or WriteQueue(db.path)

    def _check_writable(self) -> None:
        if self.db.readonly:
            raise MarginError(READ_ONLY)

    def _commit(
        self, write: Callable[[Database], R], edit_for: Callable[[R], Edit], description: str,
        placeholder: Annotation | None = None, on: Annotation | None = None,
    ) -> Change | Pending:
        """One row's edit; ``on`` is the span a link or a value edit is about."""

        def outcome(row: R) -> tuple[Edit, Change]:
            edit = edit_for(row)
            return edit, _change(row, edit.description, on)

        committed = self._write(write, outcome, description, placeholder)
        assert committed is not None, "an edit of one row always changes it"
        return committed

    def _write(
        self, write: Callable[[Database], W], outcome: Callable[[W], tuple[Edit, Change] | None], description: str,
        placeholder: Annotation | None = None,
    ) -> Change | Pending | None:
        """Commit on the app's connection, or queue the write when the lock is taken
        (and while anything is already queued, so edits keep their order). ``outcome``
        turns what the write returned into its undo step and its change: None when it
        changed nothing (a batch whose every span was already there)."""
        self._check_writable()
        if not self.queue.waiting:
            try:
                with short_wait(self.db):
                    result = write(self.db)
            except sqlite3.OperationalError as error:
                if not is_locked(error):
                    raise
            else:
                made = outcome(result)
                if made is None:
                    return None
                self.history.record(made[0])
                return made[1]

        def done(result: W | None, error: BaseException | None) -> None:
            made = None if result is None or error is not None else outcome(result)
            edit, change = made if made is not None else (None, None)
            if self.on_late is not None:
                self.on_late(Late(description, change, error, edit, placeholder))

        self.queue.submit(write, done)
        return Pending(description, self.queue.edits_waiting, placeholder)

    def committed_late(self, late: Late) -> None:
        """Take in a queued edit's outcome on the UI thread: its undo step if it
        committed. Only then may the next edit skip the queue."""
        if late.edit is not None:
            self.history.record(late.edit)
        self.queue.acknowledge(quiet=late.description == POSITION)

    def label(self, document: Document, start: int, end: int, name: str) -> Change | Pending:
        return self._commit(
            lambda db: add_annotation(db, document.id, start, end, name, annotator=self.annotator, text=document.text),
            lambda annotation: Added(annotation.id, name),
            f"label {name}",
            Annotation(
                f"pending:{uuid.uuid4()}", document.id, start, end, name, document.text[start:end],
                annotator=self.annotator, status=PENDING, origin=PENDING,
            ),
        )

    def delete(self, annotation: Annotation, relation_ids: Iterable[str] = ()) -> Change | Pending:
        """Delete a span; ``relation_ids`` are its links, which the store tombstones
        with it and an undo shows again."""
        relations = tuple(relation_ids)
        return self._commit(
            lambda db: delete_annotation(db, annotation.id),
            lambda _deleted: Deleted(annotation.id, annotation.label, relations),
            f"delete {annotation.label}",
        )

    def relabel(self, annotation: Annotation, label: str) -> Change | Pending | None:
        return self._change(annotation, "label", annotation.label, label)

    def set_note(self, annotation: Annotation, note: str) -> Change | Pending | None:
        return self._change(annotation, "note", annotation.note, note)

    def set_status(self, annotation: Annotation, status: str) -> Change | Pending | None:
        return self._change(annotation, "status", annotation.status, status)

    def _change(self, annotation: Annotation, field: Field, before: str, after: str) -> Change | Pending | None:
        """One field changed; None when it already had that value (nothing recorded)."""
        if before == after:
            return None
        return self._commit(
            lambda db: update_annotation(db, annotation.id, **{field: after}),
            lambda _changed: Changed(annotation.id, field, before, after),
            {"label": "relabelling", "note": "note", "status": "status change"}[field],
        )

    def suggest(
        self, batches: Sequence[tuple[Document, Sequence[Suggestion]]], what: str = "suggest",
    ) -> Change | Pending | None:
        """Store suggestions (one or more documents' worth) as ``suggested`` spans, in
        one transaction and one undo step; None when every one was already marked, or
        rejected before (``store_suggestions`` skips those)."""

        def write_all(db: Database) -> tuple[Annotation, ...]:
            with write(db):
                return tuple(
                    row for document, found in batches
                    for row in store_suggestions(db, document, found, annotator=self.annotator)
                )

        def outcome(rows: tuple[Annotation, ...]) -> tuple[Edit, Change] | None:
            if not rows:
                return None
            edit = Batch.of(tuple(Added(row.id, row.label) for row in rows), f"{what} {_spans(len(rows))}", rows)
            return edit, Change(rows[0], edit.description, more=rows[1:])

        return self._write(write_all, outcome, what)

    def set_statuses(self, annotations: Iterable[Annotation], status: str) -> Change | Pending | None:
        """Accept or reject many suggestions at once: one transaction, one undo step."""
        steps = tuple(Changed(a.id, "status", a.status, status) for a in annotations if a.status != status)
        if not steps:
            return None

        def write_all(db: Database) -> tuple[Annotation, ...]:
            with write(db):
                return tuple(update_annotation(db, step.annotation_id, status=status) for step in steps)

        def outcome(rows: tuple[Annotation, ...]) -> tuple[Edit, Change]:
            edit = Batch.of(steps, f"mark {_spans(len(rows))} {status}", rows)
            return edit, Change(rows[0], edit.description, more=rows[1:])

        return self._write(write_all, outcome, f"{status} suggestions")

    def link(self, head: Annotation, child: Annotation, type: str) -> Change | Pending:
        """Link ``head`` to ``child`` as ``type`` (the store checks the labels)."""
        return self._commit(
            lambda db: add_relation(db, head.id, child.id, type, annotator=self.annotator),
            lambda relation: Linked(relation.id, type),
            f"link {type}", on=head,
        )

    def unlink(self, relation: Relation, on: Annotation) -> Change | Pending:
        return self._commit(
            lambda db: delete_relation(db, relation.id),
            lambda _gone: Unlinked(relation.id, relation.type),
            f"unlink {relation.type}", on=on,
        )

    def set_value(
        self, annotation: Annotation, name: str, before: str | None, after: str | None,
    ) -> Change | Pending | None:
        """Set (or with None clear) one attribute's value; None when it already had it."""
        if before == after:
            return None
        edit = ValueChanged(annotation.id, name, before, after, self.annotator)
        return self._commit(edit.redo, lambda _row: edit, edit.description, on=annotation)

    def commit(self, edit: SpanEdit) -> Change | Pending:
        """Commit an edit built elsewhere the way the edits above are: through the
        queue when the lock is taken, into the history."""
        return self._commit(edit.redo, lambda _row: edit, edit.description)

    def undo(self) -> Change | None:
        return self._replay(self.history.undo, "Undid")

    def redo(self) -> Change | None:
        return self._replay(self.history.redo, "Redid")

    def _replay(self, step: Callable[[Database], tuple[Edit, Row] | None], done: str) -> Change | None:
        """Undo or redo on the app's connection; refused while edits wait in the queue,
        whose order the history must not overtake. A span brought back brings back the
        links its delete took (by id) and its values, read for it alone."""
        self._check_writable()
        if self.queue.waiting:
            raise MarginError(WAIT_FOR_QUEUE)
        with short_wait(self.db):
            replayed = step(self.db)
            if replayed is None:
                return None
            edit, row = replayed
            description = f"{done} {edit.description}"
            if isinstance(row, tuple):
                if not row:
                    return None
                return Change(row[0], description, more=row[1:])
            if not isinstance(row, Annotation):
                return _change(row, description, self._span_of(row))
            links = tuple(get_relations(self.db, edit.relations)) if isinstance(edit, Deleted) else ()
            if row.deleted:
                return Change(row, description, links)
            return Change(row, description, links, values=attributes_of(self.db, [row.id]).get(row.id, {}))

    def _span_of(self, row: Relation | Attribute) -> Annotation:
        annotation_id = row.head if isinstance(row, Relation) else row.annotation_id
        annotation = get_annotation(self.db, annotation_id)
        if annotation is None:
            raise MarginError(f"no annotation with id {annotation_id}")
        return annotation

    def save_position(self, doc_id: str, offset: int) -> None:
        """Save where the reader is, queued like an edit when the lock is taken."""
        if self.db.readonly:
            return
        write = partial(set_position, doc_id=doc_id, annotator=self.annotator, offset=offset)
        if not self.queue.waiting:
            try:
                with short_wait(self.db):
                    write(self.db)
                return
            except sqlite3.OperationalError as error:
                if not is_locked(error):
                    raise

        def done(_result: object, error: BaseException | None) -> None:
            if self.on_late is not None:
                self.on_late(Late(POSITION, None, error))

        self.queue.submit(write, done, quiet=True)

    def close(self, timeout: float | None = None) -> bool:
        """Commit whatever is queued before the app goes; False if it could not."""
        return self.queue.close(timeout)


def _spans(count: int) -> str:
    return f"{count} span{'' if count == 1 else 's'}"


def _change(row: Annotation | Relation | Attribute, description: str, on: Annotation | None) -> Change:
    if isinstance(row, Annotation):
        return Change(row, description)
    assert on is not None, "a link or a value edit names its span"
    if isinstance(row, Relation):
        return Change(on, description, relations=(row,))
    return Change(on, description, attributes=(row,))
