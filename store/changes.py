"""Following what other processes commit, reading only what changed.

``Database.data_version()`` changes exactly when another connection has committed
(on a file ``PRAGMA data_version``; on a server the notices ``LISTEN`` has received),
so checking it is nearly free. Only then is the ``changes``
table read, from the sequence number last seen: its triggers record every annotation,
label and document written by anyone (the app, an import, a merge carrying old
timestamps), so the follower never scans the annotations themselves.

The feed reads on its own connection, so it can run in a worker thread beside the
app's connection; the app's own commits show up in it too, and applying a row that is
already shown is a no-op. Polls and ``close()`` take turns on a lock: closing a
connection while another thread runs a statement on it crashes the interpreter.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

from .annotations import get_annotations
from .attributes import get_attributes
from .database import Database
from .db import open_database
from .model import Annotation, Attribute, Relation
from .relations import get_relations

DOCUMENT_KINDS = ("annotation", "relation", "attribute")
"""Feed entries that belong to one document's spans."""

BATCH = 500
"""Most annotations read per poll; a longer backlog becomes a reload (``overflow``)."""


@dataclass(slots=True)
class ChangeBatch:
    """What others committed since the previous poll."""

    annotations: list[Annotation] = field(default_factory=list)
    """Changed rows as they are now, tombstoned ones included, in commit order."""
    relations: list[Relation] = field(default_factory=list)
    """Changed relations as they are now, tombstones included."""
    attributes: list[Attribute] = field(default_factory=list)
    """Changed attribute values as they are now, cleared ones included."""
    labels: bool = False
    """The label scheme changed: re-read it (a handful of rows)."""
    schemes: bool = False
    """The relation or attribute scheme changed: re-read them."""
    documents: set[str] = field(default_factory=set)
    """Documents added or changed."""
    overflow: set[str] = field(default_factory=set)
    """Documents with more changes than one batch carries (an import, a merge):
    reload what is shown of them rather than apply each row."""
    lost_track: bool = False
    """The feed fell further behind than the ``changes`` table keeps: reload all shown."""

    def __bool__(self) -> bool:
        return bool(
            self.annotations or self.relations or self.attributes or self.labels or self.schemes
            or self.documents or self.overflow or self.lost_track
        )


class ChangeFeed:
    """``poll()`` returns what was committed since the last poll, or None; safe to call
    from a worker thread while another thread closes the feed."""

    def __init__(self, db: Database) -> None:
        self.db = open_database(db.path, readonly=True)
        self._lock = threading.Lock()
        self._closed = False
        self._version = self._data_version()
        self.seq = self._last_seq()

    def _data_version(self) -> int:
        return self.db.data_version()

    def _last_seq(self) -> int:
        return self.db.execute("select coalesce(max(seq), 0) from changes").fetchone()[0]

    def poll(self) -> ChangeBatch | None:
        with self._lock:
            if self._closed:
                return None
            try:
                version = self._data_version()
                if version == self._version:
                    return None
                self._version = version
                return self._read()
            except sqlite3.Error:
                return None

    def _read(self) -> ChangeBatch:
        batch = ChangeBatch()
        oldest = self.db.execute("select min(seq) from changes").fetchone()[0]
        if oldest is not None and oldest > self.seq + 1:
            batch.lost_track = True
            self.seq = self._last_seq()
            return batch
        rows = self.db.execute(
            "select seq, kind, row_id, doc_id from changes where seq > ? order by seq limit ?",
            [self.seq, BATCH + 1],
        ).fetchall()
        if len(rows) > BATCH:
            last = self._last_seq()  # first: a commit after it is the next poll's
            batch.overflow = {
                row[0]
                for row in self.db.execute(
                    "select distinct doc_id from changes where seq > ? and seq <= ? and kind in (?, ?, ?)",
                    [self.seq, last, *DOCUMENT_KINDS],
                )
            }
            batch.labels = True
            batch.schemes = True
            self.seq = last
            return batch
        annotation_ids: list[str] = []
        relation_ids: list[str] = []
        attribute_keys: list[tuple[str, str]] = []
        for _seq, kind, row_id, doc_id in rows:
            if kind == "annotation":
                annotation_ids.append(row_id)
            elif kind == "relation":
                relation_ids.append(row_id)
            elif kind == "attribute":
                annotation_id, _, name = row_id.partition("\x1f")
                attribute_keys.append((annotation_id, name))
            elif kind == "label":
                batch.labels = True
            elif kind == "scheme":
                batch.schemes = True
            elif kind == "document" and doc_id:
                batch.documents.add(doc_id)
        batch.annotations = get_annotations(self.db, annotation_ids)
        batch.relations = get_relations(self.db, relation_ids)
        batch.attributes = get_attributes(self.db, attribute_keys)
        if rows:
            self.seq = rows[-1][0]
        return batch

    def close(self) -> None:
        """Close the connection, after a poll under way in another thread ends."""
        with self._lock:
            self._closed = True
            self.db.close()
