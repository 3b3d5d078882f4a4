"""Versions of a document: a corrected or updated article kept beside the one it replaces.

A document's id is its text's hash, so a revised text is a new document; making it a
*version* ties the two (a ``document_versions`` row each: ``lineage``, ``version``,
``replaces``, ``versioned_at``, see migration 0008) and moves the annotations onto the
newest version (``store.version_moves``). The old version stays readable, with
whatever could not be placed on the new text (its orphans). A document that never had
versions has no row, and is its own lineage.

The newest version of a lineage is the one with the highest (version,
versioned_at, id): every machine agrees on it after a merge, even when two people
each added a different revision as version 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .database import Database
from .db import write
from .errors import MarginError
from .model import now_iso

_NEWEST_FIRST = "order by v.version desc, v.versioned_at desc, v.doc_id desc"


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a document, without its text."""

    id: str
    title: str
    source: str
    version: int
    lineage: str
    replaces: str | None
    versioned_at: str


_VERSION_COLUMNS = "v.doc_id, d.title, d.source, v.version, v.lineage, v.replaces, v.versioned_at"
"""Read from the narrow versions table and the columns stored before a document's text
(a column after it would have SQLite walk the whole text to reach it)."""


def lineage_of(db: Database, doc_id: str) -> str:
    """The id of the first version of ``doc_id``'s lineage (its own id if it has none)."""
    row = db.execute("select lineage from document_versions where doc_id = ?", [doc_id]).fetchone()
    if row is not None:
        return row[0]
    if db.execute("select 1 from documents where id = ?", [doc_id]).fetchone() is None:
        raise MarginError(f"no document {doc_id}")
    return doc_id


def versions(db: Database, doc_id: str) -> list[Version]:
    """Every version of ``doc_id``'s document, oldest first (just itself if it has none)."""
    lineage = lineage_of(db, doc_id)
    rows = db.execute(
        f"select {_VERSION_COLUMNS} from document_versions v join documents d on d.id = v.doc_id "
        f"where v.lineage = ? {_NEWEST_FIRST}",
        [lineage],
    ).fetchall()
    if rows:
        return [Version(*row) for row in reversed(rows)]
    title, source, added_at = db.execute(
        "select title, source, added_at from documents where id = ?", [doc_id]
    ).fetchone()
    return [Version(doc_id, title or "", source or "", 1, doc_id, None, added_at or "")]


def latest_id(db: Database, lineage: str) -> str:
    """The newest version of a lineage."""
    row = db.execute(
        f"select v.doc_id from document_versions v where v.lineage = ? {_NEWEST_FIRST} limit 1", [lineage]
    ).fetchone()
    if row is not None:
        return row[0]
    if db.execute("select 1 from documents where id = ?", [lineage]).fetchone() is None:
        raise MarginError(f"no document {lineage}")
    return lineage


def newest_id(db: Database, doc_id: str) -> str:
    """The newest version of ``doc_id``'s document (``doc_id`` itself if it has none newer)."""
    return latest_id(db, lineage_of(db, doc_id))


def newer_version(db: Database, doc_id: str) -> Version | None:
    """The newest version when ``doc_id`` is not it: what the reader offers instead."""
    newest = newest_id(db, doc_id)
    if newest == doc_id:
        return None
    return next(version for version in versions(db, newest) if version.id == newest)


_RANKED = (
    "select doc_id, lineage, version, row_number() over (partition by lineage "
    "order by version desc, versioned_at desc, doc_id desc) as rank, "
    "max(version) over (partition by lineage) as newest from document_versions"
)
"""Each versioned document with its rank in its lineage (1: the newest)."""


def superseded(db: Database, doc_ids: Iterable[str] | None = None) -> set[str]:
    """Which of ``doc_ids`` (default: all documents) have a newer version: over the
    versioned documents only, and with ``doc_ids`` only over their own lineages, so a
    batch of an export costs what its documents' versions do, whatever the corpus."""
    if doc_ids is None:
        return {row[0] for row in db.execute(f"select doc_id from ({_RANKED}) as ranked where rank > 1").fetchall()}
    wanted = set(doc_ids)
    lineages = {row[0] for row in db.rows_in("select lineage from document_versions where doc_id in ({})", wanted)}
    ranked = _RANKED + " where lineage in ({})"
    found = {row[0] for row in db.rows_in(f"select doc_id, rank from ({ranked}) as ranked where rank > 1", sorted(lineages))}
    return found & wanted


def version_numbers(db: Database) -> dict[str, tuple[int, int, bool]]:
    """(version, newest version number, is the newest) of every versioned document, in
    one query: what listings show beside each title."""
    return {
        doc_id: (version, newest, rank == 1)
        for doc_id, _lineage, version, rank, newest in db.execute(_RANKED).fetchall()
    }


def lineages(db: Database) -> list[str]:
    """Every lineage that has more than one version."""
    return [
        row[0]
        for row in db.execute(
            "select lineage from document_versions group by lineage having count(*) > 1 order by min(rowid)"
        ).fetchall()
    ]


def previous_by_source(db: Database, source: str, new_id: str) -> str | None:
    """The newest version of the document an earlier import took from ``source``, when
    ``new_id`` is a different text from the same place: what ``import --update`` and
    ``margin open`` make ``new_id`` the next version of. None when nothing else came
    from there; a MarginError when several unrelated documents did."""
    if not source:
        return None
    found = {
        row[0]
        for row in db.execute(
            "select coalesce(v.lineage, d.id) from documents d left join document_versions v on v.doc_id = d.id "
            "where d.source = ? and d.id != ?",
            [source, new_id],
        ).fetchall()
    }
    if lineage_of(db, new_id) in found or not found:
        return None  # already one of its versions, or the first text from there
    if len(found) > 1:
        raise MarginError(f"{source}: {len(found)} unrelated documents came from here")
    return latest_id(db, found.pop())


def link_version(db: Database, old_id: str, new_id: str, *, stamp: str | None = None) -> int | None:
    """Make ``new_id`` the next version after the newest of ``old_id``'s lineage; returns
    its version number, or None when it already is a version of that lineage.

    Only ``document_versions`` changes here; moving the annotations is
    ``store.version_moves.settle``, which ``add_version`` runs after this."""
    if old_id == new_id:
        raise MarginError("a document cannot be a new version of itself")
    with write(db):
        lineage = lineage_of(db, old_id)
        if lineage_of(db, new_id) == lineage:
            return None
        if db.execute("select 1 from document_versions where doc_id = ?", [new_id]).fetchone():
            raise MarginError(
                f"{new_id[:12]} already has versions of its own; it cannot become a version of {old_id[:12]}"
            )
        newest = latest_id(db, lineage)
        db.execute(
            "insert into document_versions (doc_id, lineage, version, replaces, versioned_at) "
            "select id, id, 1, null, coalesce(added_at, ?) from documents where id = ? "
            "and not exists (select 1 from document_versions where doc_id = ?)",
            [stamp or now_iso(), lineage, lineage],
        )
        top = db.execute("select max(version) from document_versions where lineage = ?", [lineage]).fetchone()[0]
        db.execute(
            "insert into document_versions (doc_id, lineage, version, replaces, versioned_at) values (?, ?, ?, ?, ?)",
            [new_id, lineage, top + 1, newest, stamp or now_iso()],
        )
        return top + 1
