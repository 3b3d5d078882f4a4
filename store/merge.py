"""Merging other margin databases into one: the way a team combines work done apart.

Every table merges by its natural identity, and every rule is a *maximum* over the
versions of a row, so the result does not depend on the order of the merges and a
second merge of the same file changes nothing:

- documents by their content id: missing ones are inserted (the id is the text's
  hash, so both copies hold the same text); of two titles, one given by a person
  beats the one derived from the text, then the smaller string wins;
- labels, relation types and attribute definitions by name, all three by one piece
  of code (``store.merge_labels``): missing ones are added; one whose key or colour
  differs is reported as a conflict and this database's version is kept; a new one
  whose key is already taken here is added without a key, and reported; a removal (a
  retired row) or a rename (a ``label_renames`` or ``scheme_renames`` record, whose
  histories are united) is carried over, so an older copy's spans, relations and
  values take the new name and a removed entry stays removed, its older items
  tombstoned as ``remove --force`` made them;
- annotations and relations by id, attribute values by (annotation, name): the
  version with the newest ``updated_at`` wins, ties going to a tombstone, then to
  the greater row in a canonical JSON form, so two machines always pick the same
  one. A deletion (or a cleared value) is a newer version with ``deleted_at`` set,
  so it wins like any edit; a span's delete tombstoned its relations with the same
  stamp, so those win too;
- reading state by (document, annotator): newest ``updated_at`` wins the same way;
- review records by id: they are never edited, so missing ones are inserted;
- bookmarks by id: newest ``updated_at`` wins, a removal being a tombstone;
- suggestion scores beside their spans, and learned models by name, newest
  ``updated_at`` winning (``store.merge_suggestions``);
- versions of a document: a document's version row comes from the copy that gave it
  the higher version number (then the later ``versioned_at``); re-anchoring records by
  annotation, newest ``updated_at`` winning. Then every span left on an older
  version, by either copy, is moved onto the newest (``store.version_moves.settle``):
  two people who annotated different versions end up on the same one, with the same
  report of what could not be placed.

Sources are opened read-only through :func:`store.db.open_database`, so a file that is
not margin's, or was written by a newer margin, is refused before anything is written,
and everything is applied in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .compat import chunks
from .database import Database, Server
from .db import open_database, source_database, write
from .documents import default_title
from .errors import MarginError, PermissionRefused
from .merge_checks import check_source
from .merge_labels import Renames, merge_labels, merge_renames, renamed, settle_labels, settled, version_key
from .merge_schemes import ATTRIBUTES, LABELS, RELATION_TYPES, LabelConflict, Scheme, SchemeConflict
from .merge_suggestions import merge_models, merge_scores
from .safe_output import building, refuse_database, same_file
from .version_moves import SettleReport, settle

BATCH_SIZE = 500
TABLES = (
    "documents", "labels", "annotations", "relation_types", "attribute_defs", "scheme_renames",
    "relations", "attributes", "reading_state", "reviews", "bookmarks", "suggestion_scores", "models",
    "document_versions", "reanchored",
)


@dataclass(slots=True)
class TableCounts:
    """What a merge did to one table."""

    added: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass(slots=True)
class MergeReport:
    sources: list[str] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(
        default_factory=lambda: {name: TableCounts() for name in TABLES}
    )
    label_conflicts: list[LabelConflict] = field(default_factory=list)
    scheme_conflicts: list[SchemeConflict] = field(default_factory=list)
    """Relation types' and attributes' differing definitions."""
    reanchor: SettleReport = field(default_factory=SettleReport)
    """What moved onto newer versions of documents once everything was merged."""

    @property
    def changed(self) -> bool:
        return any(counts.added or counts.updated for counts in self.tables.values()) or bool(
            self.reanchor.moved or self.reanchor.orphans
        )

    def to_dict(self) -> dict:
        return {
            "sources": self.sources,
            "tables": {name: asdict(counts) for name, counts in self.tables.items()},
            "label_conflicts": [asdict(conflict) for conflict in self.label_conflicts],
            "scheme_conflicts": [asdict(conflict) for conflict in self.scheme_conflicts],
            "reanchor": {
                "moved": len(self.reanchor.moved),
                "changed": len(self.reanchor.changed),
                "orphans": len(self.reanchor.orphans),
            },
        }


def _batches(db: Database, table: str) -> Iterator[list[dict]]:
    """A table's rows in insertion order, a batch at a time, so memory stays flat."""
    return map(list, chunks(db.table(table).rows_where(order_by="rowid"), BATCH_SIZE))


def _existing(
    db: Database, table: str, columns: Sequence[str], batch: Sequence[dict]
) -> dict[tuple, dict]:
    """The rows of ``table`` whose key ``columns`` match a row of ``batch``, by key."""
    row_value = "(" + ", ".join("?" for _ in columns) + ")"
    where = (
        "(" + ", ".join(f'"{column}"' for column in columns) + ") in (values "
        + ", ".join(row_value for _ in batch) + ")"
    )
    params = [row[column] for row in batch for column in columns]
    return {
        tuple(row[column] for column in columns): row
        for row in db.table(table).rows_where(where, params)
    }


OWNER_COLUMNS = ("annotator", "reviewer")
"""The columns that say whose a row is, which a team server holds its roles to."""


@contextmanager
def _saying_whose(target: Database, table: str, rows: Sequence[dict]) -> Iterator[None]:
    """A server refusing part of a merge names only the table; say whose work the
    merge brings, so the annotator knows it is an admin's to merge."""
    try:
        yield
    except PermissionRefused as error:
        owners = sorted(
            {str(row[column]) for row in rows for column in OWNER_COLUMNS if row.get(column)} - {target.role}
        )
        shown = ", ".join(owners[:5]) + (f" and {len(owners) - 5} more" if len(owners) > 5 else "")
        raise PermissionRefused(
            f"{error}: the merge brings {table} of {shown}; a margin_admin may merge others' work in"
        ) from None


def _merge_missing(
    target: Database, source: Database, table: str, counts: TableCounts
) -> None:
    """Rows that never change once written (documents, review records): insert the missing."""
    for batch in _batches(source, table):
        present = _existing(target, table, ("id",), batch)
        missing = [row for row in batch if (row["id"],) not in present]
        counts.skipped += len(batch) - len(missing)
        if missing:
            with _saying_whose(target, table, missing):
                target.table(table).insert_all(missing)
            counts.added += len(missing)


def _title_rank(row: dict) -> tuple[bool, bool, str]:
    """How two titles of one document are settled, the same whichever database is
    merged into which (titles carry no edit time): a title someone gave beats the one
    derived from the text, which beats none; then the smaller string."""
    title = row.get("title") or ""
    return (not title, title == default_title(row["text"]), title)


def _version_rank(row: dict) -> tuple:
    """Of two copies' version rows for one document, the higher version wins (then the
    later time it became one, then the rest, so both sides agree): a document is the
    newest version it was made anywhere, so a revision one copy knows as version 3 is
    not taken back to the 2 another gave it."""
    return (row["version"], row["versioned_at"], row["lineage"], row.get("replaces") or "")


def _merge_documents(target: Database, source: Database, counts: TableCounts) -> None:
    """Missing documents are inserted; a present one keeps the title that ranks first."""
    for batch in _batches(source, "documents"):
        present = _existing(target, "documents", ("id",), batch)
        missing = []
        for row in batch:
            mine = present.get((row["id"],))
            if mine is None:
                missing.append(row)
                continue
            if row["title"] != mine["title"] and _title_rank(row) < _title_rank(mine):
                target.execute("update documents set title = ? where id = ?", [row["title"], row["id"]])
                counts.updated += 1
            else:
                counts.skipped += 1
        if missing:
            target.table("documents").insert_all(missing)
            counts.added += len(missing)


def _merge_newest(
    target: Database,
    source: Database,
    table: str,
    pk: tuple[str, ...],
    counts: TableCounts,
    transform: Callable[[dict], dict] | None = None,
    rank: Callable[[dict], tuple] = version_key,
) -> None:
    """Rows keyed by ``pk``: insert the missing, replace those whose version loses
    (``rank``: by default the newest edit wins, see ``version_key``)."""
    for batch in _batches(source, table):
        if transform is not None:
            # A rename can bring two rows of the source onto one key: the newer stays.
            newest: dict[tuple, dict] = {}
            for row in map(transform, batch):
                key = tuple(row[column] for column in pk)
                if key not in newest or rank(row) > rank(newest[key]):
                    newest[key] = row
            batch = list(newest.values())
        present = _existing(target, table, pk, batch)
        winners = []
        for row in batch:
            mine = present.get(tuple(row[column] for column in pk))
            if mine is None:
                counts.added += 1
            elif rank(row) > rank(mine):
                counts.updated += 1
            else:
                counts.skipped += 1
                continue
            winners.append(row)
        if winners:
            with _saying_whose(target, table, winners):
                target.table(table).upsert_all(winners, pk=pk if len(pk) > 1 else pk[0])


def _merge_scheme(
    target: Database, source: Database, name: str, scheme: Scheme, renames: Renames, report: MergeReport
) -> None:
    conflicts: list = report.label_conflicts if scheme is LABELS else report.scheme_conflicts
    added, updated, skipped = merge_labels(target, source, name, renames, conflicts, scheme)
    counts = report.tables[scheme.table]
    counts.added += added
    counts.updated += updated
    counts.skipped += skipped


def _merge_items(
    target: Database, source: Database, scheme: Scheme, renames: Renames, report: MergeReport
) -> None:
    """A scheme's items, each settled against its own copy's removals and under its
    resolved name; then the united scheme's removals applied."""
    settle = settled(source, scheme)

    def transform(row: dict) -> dict:
        return renamed(settle(row), renames, scheme.column)

    _merge_newest(target, source, scheme.items, scheme.item_key, report.tables[scheme.items], transform)
    settle_labels(target, renames, scheme)


def _count(db: Database, table: str) -> int:
    return db.execute(f"select count(*) from {table}").fetchone()[0]


def _merge_one(
    target: Database, source: Database, name: str, report: MergeReport
) -> None:
    tables = report.tables
    for scheme in (LABELS, RELATION_TYPES, ATTRIBUTES):
        settle_labels(target, Renames([]), scheme)  # the target, too, settled against its own removals
    _merge_documents(target, source, tables["documents"])
    _merge_newest(target, source, "document_versions", ("doc_id",), tables["document_versions"], rank=_version_rank)
    renames = merge_renames(target, source, LABELS)
    _merge_scheme(target, source, name, LABELS, renames, report)
    _merge_items(target, source, LABELS, renames, report)
    before = _count(target, "scheme_renames")
    schemes = [(scheme, merge_renames(target, source, scheme)) for scheme in (RELATION_TYPES, ATTRIBUTES)]
    added = _count(target, "scheme_renames") - before
    tables["scheme_renames"].added += added
    tables["scheme_renames"].skipped += _count(source, "scheme_renames") - added
    for scheme, scheme_renames in schemes:
        _merge_scheme(target, source, name, scheme, scheme_renames, report)
    # After every span, since relations and values point at spans.
    for scheme, scheme_renames in schemes:
        _merge_items(target, source, scheme, scheme_renames, report)
    _merge_newest(target, source, "reading_state", ("doc_id", "annotator"), tables["reading_state"])
    _merge_missing(target, source, "reviews", tables["reviews"])
    _merge_newest(target, source, "bookmarks", ("id",), tables["bookmarks"])
    merge_scores(target, source, tables["suggestion_scores"])
    merge_models(target, source, tables["models"])
    _merge_newest(target, source, "reanchored", ("annotation_id",), tables["reanchored"])


def _same_file(one: Database, other: Database) -> bool:
    return same_file(one.path, other.path)


@contextmanager
def _opened(
    sources: Iterable[str | Path | Server | Database],
) -> Iterator[list[tuple[str, Database]]]:
    """(name, database) for each source, paths opened read-only and their names and
    keys checked — all of them before the caller writes anything, so one refused file
    means nothing is merged — and closed again on exit. Open databases are used as they are."""
    named: list[tuple[str, Database]] = []
    with ExitStack() as stack:
        for source in sources:
            if isinstance(source, Database):
                named.append((str(getattr(source, "path", "source database")), source))
            else:
                named.append((str(source), stack.enter_context(source_database(source))))
        for name, source_db in named:
            check_source(name, source_db)
        yield named


def merge_databases(
    target: Database,
    sources: Iterable[str | Path | Server | Database],
) -> MergeReport:
    """Merge each source (a path or an open database) into ``target`` in one
    transaction; returns what changed."""
    if getattr(target, "readonly", False):
        raise MarginError(f"{target.path}: opened read-only; cannot merge into it")
    with _opened(sources) as named:
        for name, source in named:
            if _same_file(source, target):
                raise MarginError(f"{name}: is the database being merged into")
        report = MergeReport(sources=[name for name, _ in named])
        with write(target):
            for name, source in named:
                _merge_one(target, source, name, report)
            report.reanchor = settle(target)
        return report


def copy_database(db: Database, destination: str | Path) -> Path:
    """Write a consistent copy of ``db`` to a new file (``VACUUM INTO``), built under
    a temporary name so that a failure (a full disk) leaves nothing under this one."""
    _refuse_server_copy(db)
    destination = _new_file(db, destination, [])
    with building(destination, overwrite=False) as temporary:
        db.execute("vacuum into ?", [str(temporary)])
    return destination


def _refuse_server_copy(db: Database) -> None:
    if db.backend != "sqlite":
        raise MarginError(
            f"{db.path}: a copy is made of a file database; merge into a new file with "
            f"'margin --db NEW.db merge {db.path}' instead"
        )


def _new_file(db: Database, destination: str | Path, sources: Iterable[Path | Server]) -> Path:
    destination = Path(destination).expanduser()
    refuse_database(destination, [db.path, *sources])
    if destination.exists():
        raise MarginError(f"{destination}: already exists; choose a new file for the merged copy")
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination


def merge_into_copy(
    db: Database, sources: Iterable[str | Path | Server], destination: str | Path
) -> MergeReport:
    """Copy ``db`` and merge the sources into the copy, leaving ``db`` untouched. The
    copy is built under a temporary name and renamed to ``destination`` only once
    the merge is committed and closed, so a refused source, a failure or a kill
    leaves nothing under that name and a rerun can start afresh."""
    _refuse_server_copy(db)
    with _opened(sources) as named:
        destination = _new_file(db, destination, [source.path for _, source in named])
        try:
            with building(destination, overwrite=False) as temporary:
                db.execute("vacuum into ?", [str(temporary)])
                target = open_database(temporary)
                try:
                    report = merge_databases(target, [source for _, source in named])
                    target.execute("pragma wal_checkpoint(truncate)")
                finally:
                    target.close()
        except (OSError, sqlite3.Error) as error:
            raise MarginError(f"{destination}: {getattr(error, 'strerror', None) or error}") from None
        return report
