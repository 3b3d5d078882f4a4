"""The main screen with versions of a document: the notice of a newer version, the
review list of re-anchored spans, and spans that moved to another version leaving
the reader that showed them.

A span lives on one document at a time, so a row that arrives (an edit here, or
another process's ``margin import --update``) carrying a doc_id other than the one a
reader shows has moved away from it: the reader drops it, row by row, and the
notice is read again. Only a batch too big for the feed reloads what is shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text

from margin.store.annotations import get_annotation
from margin.store.documents import get_document
from margin.store.model import Annotation
from margin.store.reanchor_review import ReviewItem, review_items
from margin.store.relations import relations_of
from margin.store.versions import newer_version, newest_id, versions

from ..compat import own_bindings
from ..editing import Change, Pending
from ..sync import ChangesArrived
from ..text.sanitise import sanitise, shorten
from ..version_edits import mark_reviewed, reattach_orphan
from ..version_notice import VersionState, expected_place, notice_text, version_state
from ..widgets.key_bar import KeyBar
from ..widgets.version_notice import VersionNotice
from .dismiss import if_chosen
from .main import MainScreen
from .reanchor_review import ReanchorReview, ReviewActions

if TYPE_CHECKING:
    from ..app import MarginApp

OPEN_NEWEST = "open_newest"
REVIEW = "review_versions"


class VersionScreen(MainScreen):
    """``MainScreen`` that knows a document may have newer versions."""

    def __init__(self, app: MarginApp) -> None:
        super().__init__(app)
        self.version_notice = VersionNotice(id="version-notice")
        self.version: VersionState | None = None
        """The active reader's document among its versions; None when it has none."""
        self._newest: dict[str, str | None] = {}
        """Per document shown, the newer version it had when last looked at."""
        self._reattaching: str | None = None
        """The orphan last gone to: the review list opens on it."""
        self._review: ReanchorReview | None = None
        self._hint_doc: str | None = None
        """The document the key bar's re-attach hint is about, while it shows."""

    def on_mount(self) -> None:
        # Textual runs the pane screen's own on_mount after this one: no super call.
        self.mount(self.version_notice, before=self.status)

    # -- the notice -------------------------------------------------------------------

    def _key_of(self, action: str) -> str:
        """The key bound to ``action`` as the help screen shows it (the keymap may move it)."""
        for bindings in own_bindings(self).values():
            for binding in bindings:
                if binding.action == action:
                    return self.app.get_key_display(binding)
        return action

    def refresh_version(self) -> None:
        document = self.reader.document
        state = None if document is None else self._store(version_state, self.db, document.id)
        self.version = state
        if document is not None:
            self._newest[document.id] = None if state is None or state.newer is None else state.newer.id
        self.version_notice.show(notice_text(state, self._key_of(OPEN_NEWEST), self._key_of(REVIEW)))

    def _reader_changed(self) -> None:
        super()._reader_changed()
        self.refresh_version()
        document = self.reader.document
        if self._hint_doc is not None and (document is None or document.id != self._hint_doc):
            self._hint(None)  # the hint is about placing an orphan on the text it went to

    def show_change(self, change: Change | Pending | None) -> None:
        super().show_change(change)
        if isinstance(change, Change) and self.version is not None:
            self.refresh_version()

    # -- spans that moved to another version ---------------------------------------------

    def _apply(self, annotations: Iterable[Annotation]) -> None:
        rows = list(annotations)
        self._drop_moved(rows)
        super()._apply(rows)

    def _drop_moved(self, rows: list[Annotation]) -> None:
        """Take each row out of every reader, panel and kept list that shows another
        document than the row's own: it was there, and has moved."""
        readers = self.readers
        panel_doc = self.reader.document.id if self.reader.document else None
        for annotation in rows:
            for reader in readers:
                document = reader.document
                if document is not None and document.id != annotation.doc_id and reader.has_annotation(annotation.id):
                    reader.remove_annotation(annotation.id)
            if panel_doc is not None and panel_doc != annotation.doc_id:
                self.annotation_panel.remove_annotation(annotation.id)
            for doc_id, kept in self._closed_documents.items():
                if doc_id != annotation.doc_id:
                    kept.pop(annotation.id, None)

    def on_changes_arrived(self, message: ChangesArrived) -> None:
        """A version added elsewhere shows in the notice. Its moved spans arrive as rows
        (``_apply`` drops them here), unless the batch was too big to carry them: then
        a reader whose document has just been replaced reads its spans again."""
        batch = message.batch
        if not (batch.documents or batch.overflow or batch.lost_track):
            return
        reload = bool(batch.overflow or batch.lost_track)
        for reader in self.readers:
            document = reader.document
            if document is None:
                continue
            found = self._store(newer_version, self.db, document.id)
            newer = None if found is None else found.id
            if reload and newer != self._newest.get(document.id):
                self._closed_documents.clear()
                reader.set_annotations(self._reader_annotations(document.id))
                if reader is self.reader:
                    self._refresh_panel()
            self._newest[document.id] = newer
        self.refresh_version()

    # -- keys ---------------------------------------------------------------------------

    def action_open_newest(self) -> None:
        state = self.version
        if state is None or state.newer is None:
            said = "This is the newest version of this document" if state else "This document has no other versions"
            self.notify(said, markup=False)
            return
        self.open_document(state.newer.id)

    def action_review_versions(self) -> None:
        document = self.reader.document
        if document is None:
            return
        self._hint(None)
        items = self._store(review_items, self.db, document.id)
        numbers = {version.id: version.version for version in self._store(versions, self.db, document.id) or []}
        if items is None:
            return
        review = ReanchorReview(
            document.title, items,
            ReviewActions(self._reattach, self._mark_reviewed, self._delete_item),
            versions=numbers, colors={label.name: label.color for label in self.labels},
            highlighted=self._reattaching,
        )
        self._review = review
        self.app.push_screen(review, if_chosen(self._go_to))

    def _go_to(self, item: ReviewItem) -> None:
        """A changed span: its place. An orphan: where the newest text has its old
        neighbours (the diff, in a thread), with a hint how to re-attach it."""
        if item.kind == "changed":
            self.open_document(item.doc_id)
            self.reader.move_to(item.start)
            self.reader.focus()
            return
        self.run_worker(self._go_to_orphan(item), group="versions", exclusive=True)

    async def _go_to_orphan(self, item: ReviewItem) -> None:
        newest = self._newest_of(item.doc_id)
        old = self._store(get_document, self.db, item.doc_id)
        new = None if newest is None else self._store(get_document, self.db, newest)
        if old is None or new is None:
            return
        offset = await asyncio.to_thread(expected_place, old.text, new.text, item.start)
        self.open_document(new.id)
        self.reader.move_to(offset)
        self.reader.focus()
        self._reattaching = item.annotation_id
        hint = Text()
        hint.append(f"Orphan {sanitise(item.label)} “{shorten(item.quote, 24)}” was about here: select where it goes (")
        hint.append("v", style="bold")
        hint.append(", move), then ")
        hint.append(self._key_of(REVIEW), style="bold")
        hint.append(" and ")
        hint.append("a", style="bold")
        hint.append(" re-attach it")
        self._hint(hint)

    def _hint(self, hint: Text | None) -> None:
        if hint is None and self._hint_doc is None:
            return  # the key bar's prompt is someone else's (link mode)
        self._hint_doc = None if hint is None else self.reader.document.id if self.reader.document else None
        self.query_one(KeyBar).prompt = hint

    def _newest_of(self, doc_id: str) -> str | None:
        return self._store(newest_id, self.db, doc_id)

    # -- the list's edits ---------------------------------------------------------------

    def _reattach(self, item: ReviewItem) -> bool:
        reader = self.reader
        document, selection = reader.document, reader.selection
        if document is None or document.id != self._newest_of(item.doc_id):
            self.notify(f"An orphan is re-attached to the newest version: {self._key_of(OPEN_NEWEST)} opens it; "
                        "select the text there first", severity="warning", markup=False)
            return False
        if selection is None:
            self.notify(f"Select the text to re-attach it to first (v, then move), then {self._key_of(REVIEW)} "
                        "and a", severity="warning", markup=False)
            return False
        if not self._writable():
            return False
        change = self._edit(partial(reattach_orphan, self.editing, item.annotation_id, item.label, *selection))
        if change is None:
            return False
        reader.clear_selection()
        self._reattaching = None
        self._hint(None)
        self.notify(f"Re-attached {sanitise(item.label)} “{shorten(document.text[slice(*selection)], 30)}” (u undoes)",
                    markup=False)
        return True

    def _mark_reviewed(self, item: ReviewItem) -> bool:
        if not self._writable():
            return False
        if self._edit(partial(mark_reviewed, self.editing, item.annotation_id, item.label)) is None:
            return False
        self.notify(f"Marked {sanitise(item.label)} reviewed (u undoes)", markup=False)
        return True

    def _delete_item(self, item: ReviewItem) -> bool:
        """The ordinary delete (someone else's span only after a yes); the list drops
        the row once it is done."""
        annotation = self._store(get_annotation, self.db, item.annotation_id)
        if annotation is not None and self._writable():
            self._delete(annotation, partial(self._deleted_from_list, annotation.id))
        return False

    def _deleted_from_list(self, annotation_id: str) -> None:
        if self._review is not None:
            self._review.drop(annotation_id)
        if self._reattaching == annotation_id:
            self._reattaching = None
            self._hint(None)

    def _links_of(self, annotation: Annotation) -> list[str]:
        """An orphan lives on an older version than the reader shows: its links are
        read from the store."""
        document = self.reader.document
        if document is not None and annotation.doc_id == document.id:
            return super()._links_of(annotation)
        return [relation.id for relation in self._store(relations_of, self.db, annotation.id) or []]
