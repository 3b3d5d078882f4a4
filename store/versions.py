"""Versions of a document: a corrected or updated article kept beside the one it replaces.

A document's id is its text's hash, so a revised text is a new document; making it a
*version* ties the two (``lineage``, ``version``, ``replaces``, ``versioned_at``, see
migration 0008) and moves the annotations onto the newest version
(``store.version_moves``). The old version stays readable, with whatever could not
be placed on the new text (its orphans).

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

_NEWEST_FIRST = "order by coalesce(version, 1) desc, coalesce(versioned_at, added_at) desc, id desc"


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
    length: int


_VERSION_COLUMNS = (
    "id, title, source, coalesce(version, 1), coalesce(lineage, id), replaces, "
    "coalesce(versioned_at, added_at, ''), coalesce(length, length(text))"
)


def _version(row: tuple) -> Version:
    return Version(*row)


def lineage_of(db: Database, doc_id: str) -> str:
    """The id of the first version of ``doc_id``'s lineage (its own id if it has none)."""
    row = db.execute("select coalesce(lineage, id) from documents where id = ?", [doc_id]).fetchone()
    if row is None:
        raise MarginError(f"no document {doc_id}")
    return row[0]


def versions(db: Database, doc_id: str) -> list[Version]:
    """Every version of ``doc_id``'s document, oldest first (just itself if it has none)."""
    lineage = lineage_of(db, doc_id)
    rows = db.execute(
        f"select {_VERSION_COLUMNS} from documents where id = ? or lineage = ? {_NEWEST_FIRST}",
        [lineage, lineage],
    ).fetchall()
    return [_version(row) for row in reversed(rows)]


def latest_id(db: Database, lineage: str) -> str:
    """The newest version of a lineage."""
    row = db.execute(
        f"select id from documents where id = ? or lineage = ? {_NEWEST_FIRST} limit 1", [lineage, lineage]
    ).fetchone()
    if row is None:
        raise MarginError(f"no document {lineage}")
    return row[0]


def newer_version(db: Database, doc_id: str) -> Version | None:
    """The newest version when ``doc_id`` is not it: what the reader offers instead."""
    lineage = lineage_of(db, doc_id)
    if lineage == doc_id and not db.execute(
        "select 1 from documents where lineage = ? and id != ? limit 1", [lineage, doc_id]
    ).fetchone():
        return None
    newest = latest_id(db, lineage)
    if newest == doc_id:
        return None
    return next(version for version in versions(db, newest) if version.id == newest)


_RANKED = (
    "select id, lineage, version, row_number() over (partition by lineage "
    "order by version desc, versioned_at desc, id desc) as rank, "
    "max(version) over (partition by lineage) as newest from documents where lineage is not null"
)
"""Each versioned document with its rank in its lineage (1: the newest), read through
the partial index on ``lineage``: only documents that have versions are visited."""


def superseded(db: Database, doc_ids: Iterable[str] | None = None) -> set[str]:
    """Which of ``doc_ids`` (default: all documents) have a newer version: over the
    versioned documents only, and with ``doc_ids`` only over their own lineages, so a
    batch of an export costs what its documents' versions do, whatever the corpus."""
    if doc_ids is None:
        return {row[0] for row in db.execute(f"select id from ({_RANKED}) where rank > 1").fetchall()}
    wanted = set(doc_ids)
    lineages = {
        row[0] for row in db.rows_in("select lineage from documents where lineage is not null and id in ({})", wanted)
    }
    ranked = _RANKED.replace("where lineage is not null", "where lineage in ({})")
    found = {row[0] for row in db.rows_in(f"select id, rank from ({ranked}) where rank > 1", sorted(lineages))}
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
            "select lineage from documents where lineage is not null group by lineage having count(*) > 1 "
            "order by min(rowid)"
        ).fetchall()
    ]


def previous_by_source(db: Database, source: str, new_id: str, exclude: Iterable[str] = ()) -> str | None:
    """The newest version of the document an earlier import took from ``source``, when
    ``new_id`` is a different text from the same place: what ``import --update`` and
    ``margin open`` make ``new_id`` the next version of. None when nothing else came
    from there; a MarginError when several unrelated documents did. ``exclude``: documents
    not to count (those after ``new_id`` in the file being imported, which are newer)."""
    if not source:
        return None
    skip = set(exclude)
    found = {
        row[1]
        for row in db.execute(
            "select id, coalesce(lineage, id) from documents where source = ? and id != ?", [source, new_id]
        ).fetchall()
        if row[0] not in skip
    }
    mine = db.execute("select coalesce(lineage, id) from documents where id = ?", [new_id]).fetchone()
    if mine is not None and mine[0] in found:
        return None  # already one of its versions
    if not found:
        return None
    if len(found) > 1:
        raise MarginError(
            f"{source}: {len(found)} unrelated documents came from here; say which one this text "
            f"replaces with margin reanchor OLD {new_id[:12]}"
        )
    return latest_id(db, found.pop())


def link_version(db: Database, old_id: str, new_id: str, *, stamp: str | None = None) -> int | None:
    """Make ``new_id`` the next version after the newest of ``old_id``'s lineage; returns
    its version number, or None when it already is a version of that lineage.

    Only the version columns change here; moving the annotations is
    ``store.version_moves.settle``, which :func:`add_version` runs after this."""
    if old_id == new_id:
        raise MarginError("a document cannot be a new version of itself")
    with write(db):
        lineage = lineage_of(db, old_id)
        new_lineage = lineage_of(db, new_id)
        if new_lineage == lineage:
            return None
        if db.execute("select 1 from documents where lineage = ? limit 1", [new_id]).fetchone() or (
            new_lineage != new_id
        ):
            raise MarginError(
                f"{new_id[:12]} already has versions of its own; it cannot become a version of {old_id[:12]}"
            )
        newest = latest_id(db, lineage)
        top = db.execute(
            "select max(coalesce(version, 1)) from documents where id = ? or lineage = ?", [lineage, lineage]
        ).fetchone()[0]
        db.execute(
            "update documents set lineage = id, version = 1, versioned_at = added_at "
            "where id = ? and lineage is null",
            [lineage],
        )
        db.execute(
            "update documents set lineage = ?, version = ?, replaces = ?, versioned_at = ? where id = ?",
            [lineage, top + 1, newest, stamp or now_iso(), new_id],
        )
        return top + 1
