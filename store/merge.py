"""Merging other margin databases into one: the way a team combines work done apart.

Every table merges by its natural identity, and every rule is a *maximum* over the
versions of a row, so the result does not depend on the order of the merges and a
second merge of the same file changes nothing:

- documents by their content id: missing ones are inserted, present ones left alone
  (the id is the text's hash, so both copies hold the same text);
- labels by name: missing ones are added; a label whose key or colour differs is
  reported as a conflict and this database's version is kept; a new label whose key
  is already taken here is added without a key, and reported;
- annotations by id: the version with the newest ``updated_at`` wins, ties going to
  the greater row in a canonical JSON form, so two machines always pick the same
  one. A deletion is a newer version with ``deleted_at`` set, so it wins like any edit;
- reading state by (document, annotator): newest ``updated_at`` wins the same way;
- review records by id: they are never edited, so missing ones are inserted.

Sources are opened read-only through :func:`store.db.open_database`, so a file that is
not margin's, or was written by a newer margin, is refused before anything is written,
and everything is applied in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlite_utils.utils import chunks

from .database import Database
from .db import open_database, source_database, write
from .errors import MarginError
from .labels import list_labels
from .model import Label

BATCH_SIZE = 500
TABLES = ("documents", "labels", "annotations", "reading_state", "reviews")


@dataclass(slots=True)
class TableCounts:
    """What a merge did to one table."""

    added: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass(slots=True)
class LabelConflict:
    """A label both databases define differently; this database's version was kept."""

    label: str
    source: str
    column: str
    kept: str | None
    theirs: str | None
    message: str


@dataclass(slots=True)
class MergeReport:
    sources: list[str] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(
        default_factory=lambda: {name: TableCounts() for name in TABLES}
    )
    label_conflicts: list[LabelConflict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(counts.added or counts.updated for counts in self.tables.values())

    def to_dict(self) -> dict:
        return {
            "sources": self.sources,
            "tables": {name: asdict(counts) for name, counts in self.tables.items()},
            "label_conflicts": [asdict(conflict) for conflict in self.label_conflicts],
        }


def version_key(row: dict) -> tuple[str, str]:
    """The order in which versions of one row win: newest ``updated_at``, then the
    canonical JSON of the whole row, so that ties are settled the same way everywhere."""
    return (row.get("updated_at") or "", json.dumps(row, sort_keys=True, ensure_ascii=False))


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


def _merge_missing(
    target: Database, source: Database, table: str, counts: TableCounts
) -> None:
    """Rows that never change once written (documents, review records): insert the missing."""
    for batch in _batches(source, table):
        present = _existing(target, table, ("id",), batch)
        missing = [row for row in batch if (row["id"],) not in present]
        counts.skipped += len(batch) - len(missing)
        if missing:
            target.table(table).insert_all(missing)
            counts.added += len(missing)


def _merge_labels(
    target: Database,
    source: Database,
    source_name: str,
    counts: TableCounts,
    conflicts: list[LabelConflict],
) -> None:
    ours = {label.name: label for label in list_labels(target)}
    next_position = max((label.position for label in ours.values()), default=-1) + 1
    for theirs in list_labels(source):
        mine = ours.get(theirs.name)
        if mine is None:
            key = theirs.key
            holder = next((label.name for label in ours.values() if key and label.key == key), None)
            if holder is not None:
                conflicts.append(
                    LabelConflict(
                        label=theirs.name,
                        source=source_name,
                        column="key",
                        kept=None,
                        theirs=key,
                        message=(
                            f"label {theirs.name!r} added without a key: its key {key!r} "
                            f"is taken by {holder!r} here"
                        ),
                    )
                )
                key = None
            row = asdict(theirs) | {"key": key, "position": next_position}
            target.table("labels").insert(row)
            ours[theirs.name] = Label(**row)
            next_position += 1
            counts.added += 1
            continue
        counts.skipped += 1
        for name in ("key", "color"):
            kept, other = getattr(mine, name), getattr(theirs, name)
            if kept != other:
                conflicts.append(
                    LabelConflict(
                        label=theirs.name,
                        source=source_name,
                        column=name,
                        kept=kept,
                        theirs=other,
                        message=(
                            f"label {theirs.name!r}: {name} is {kept!r} here and "
                            f"{other!r} in {source_name}; kept {kept!r}"
                        ),
                    )
                )


def _merge_newest(
    target: Database,
    source: Database,
    table: str,
    pk: tuple[str, ...],
    counts: TableCounts,
) -> None:
    """Rows keyed by ``pk``: insert the missing, replace those whose version loses."""
    for batch in _batches(source, table):
        present = _existing(target, table, pk, batch)
        winners = []
        for row in batch:
            mine = present.get(tuple(row[column] for column in pk))
            if mine is None:
                counts.added += 1
            elif version_key(row) > version_key(mine):
                counts.updated += 1
            else:
                counts.skipped += 1
                continue
            winners.append(row)
        if winners:
            target.table(table).upsert_all(winners, pk=pk if len(pk) > 1 else pk[0])


def _merge_one(
    target: Database, source: Database, name: str, report: MergeReport
) -> None:
    tables = report.tables
    _merge_missing(target, source, "documents", tables["documents"])
    _merge_labels(target, source, name, tables["labels"], report.label_conflicts)
    _merge_newest(target, source, "annotations", ("id",), tables["annotations"])
    _merge_newest(target, source, "reading_state", ("doc_id", "annotator"), tables["reading_state"])
    _merge_missing(target, source, "reviews", tables["reviews"])


def _same_file(one: Database, other: Database) -> bool:
    return one.path.resolve() == other.path.resolve()


@contextmanager
def _opened(
    sources: Iterable[str | Path | Database],
) -> Iterator[list[tuple[str, Database]]]:
    """(name, database) for each source, paths opened read-only — all of them before
    the caller writes anything, so one refused file means nothing is merged — and
    closed again on exit. Open databases are used as they are."""
    named: list[tuple[str, Database]] = []
    with ExitStack() as stack:
        for source in sources:
            if isinstance(source, Database):
                named.append((str(getattr(source, "path", "source database")), source))
            else:
                named.append((str(source), stack.enter_context(source_database(source))))
        yield named


def merge_databases(
    target: Database,
    sources: Iterable[str | Path | Database],
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
        return report


def copy_database(db: Database, destination: str | Path) -> Path:
    """Write a consistent copy of ``db`` to a new file (``VACUUM INTO``)."""
    destination = Path(destination).expanduser()
    if destination.exists():
        raise MarginError(f"{destination}: already exists; choose a new file for the merged copy")
    destination.parent.mkdir(parents=True, exist_ok=True)
    db.execute("vacuum into ?", [str(destination)])
    return destination


def merge_into_copy(
    db: Database, sources: Iterable[str | Path], destination: str | Path
) -> MergeReport:
    """Copy ``db`` to ``destination`` and merge the sources into the copy, leaving
    ``db`` untouched. The sources are checked before the copy is made, and a copy
    whose merge fails is removed again."""
    with _opened(sources) as named:
        destination = copy_database(db, destination)
        try:
            target = open_database(destination)
            try:
                return merge_databases(target, [source for _, source in named])
            finally:
                target.close()
        except BaseException:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{destination}{suffix}").unlink(missing_ok=True)
            raise
