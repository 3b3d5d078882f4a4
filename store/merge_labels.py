"""Merging label schemes: names, keys, colours, and the history of removals and renames.

A removed label stays as a retired row and every rename adds a row to the
``label_renames`` history (migration 0004), which is only ever added to. A merge
unites the two histories, so both copies then hold the same one, and every rule here
is a function of the united rows alone, which is why the result does not depend on
which database is merged into which:

- a label name, as carried by a span or a label row last changed at time *t*, is
  *resolved* by following the renames of that name made after *t*, in time order
  (``resolve``): an older copy's ``statistic`` spans become ``number``, while spans of
  a ``statistic`` label created again after the rename stay ``statistic``;
- label rows are versioned by ``updated_at`` like annotations (ties settled by the
  canonical row), which decides whether a label is retired; its key and colour stay
  this database's, and a difference is reported;
- after the spans are merged, a live span of a retired label that was last changed
  before the removal becomes a tombstone (as ``labels remove --force`` made it in the
  other copy), and one changed after it brings the label back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from .database import Database
from .labels import record_rename
from .timestamps import comparable

LABEL_COLUMNS = ("name", "key", "color", "description", "position", "retired_at", "updated_at")


@dataclass(slots=True)
class LabelConflict:
    """A label both databases define differently; this database's version was kept."""

    label: str
    source: str
    column: str
    kept: str | None
    theirs: str | None
    message: str


class Renames:
    """The rename history: for each old name, its renames as (when, new), in time order."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.by_old: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for old, new, when in rows:
            self.by_old[old].append((comparable(when), new))
        for history in self.by_old.values():
            history.sort()

    def resolve(self, name: str, since: str | None) -> str:
        """The name that ``name``, as it stood at ``since``, carries now. Each step is
        a rename later than the one before, so the walk always ends."""
        current, at = name, comparable(since)
        while True:
            later = next(((when, new) for when, new in self.by_old.get(current, ()) if when > at), None)
            if later is None:
                return current
            at, current = later

    def __bool__(self) -> bool:
        return bool(self.by_old)


def _history(db: Database) -> list[tuple[str, str, str]]:
    return db.execute("select old, new, renamed_at from label_renames").fetchall()


def merge_renames(target: Database, source: Database) -> Renames:
    """Unite the two rename histories in the target, and give every name a rename led
    to a label row there (a copy of the renamed row), so spans can move to it."""
    for old, new, when in _history(source):
        record_rename(target, old, new, when)
    history = _history(target)
    ours, theirs = _rows(target), _rows(source)
    for old, new, when in sorted(history, key=lambda row: (comparable(row[2]), row[0], row[1])):
        if new in ours:
            continue
        model = ours.get(old) or theirs.get(old) or theirs.get(new)
        if model is None:
            continue
        taken = {row["key"] for row in ours.values() if row["retired_at"] is None}
        # A rename makes a label in use, whatever became of the old name since.
        row = model | {
            "name": new, "updated_at": when, "retired_at": None,
            "key": None if model["key"] in taken else model["key"],
        }
        target.table("labels").insert(row)
        ours[new] = row
    return Renames(history)


def renamed(row: dict, renames: Renames) -> dict:
    """An annotation row from another copy, under the label's current name."""
    name = renames.resolve(row["label"], row.get("updated_at")) if renames else row["label"]
    return row if name == row["label"] else row | {"label": name}


def _rows(db: Database) -> dict[str, dict]:
    columns = ", ".join(LABEL_COLUMNS)
    return {row[0]: dict(zip(LABEL_COLUMNS, row)) for row in db.execute(f"select {columns} from labels")}


def _version(row: dict) -> tuple[str, str]:
    return comparable(row["updated_at"]), json.dumps(row, sort_keys=True, ensure_ascii=False)


def merge_labels(
    target: Database,
    source: Database,
    source_name: str,
    renames: Renames,
    conflicts: list[LabelConflict],
) -> tuple[int, int, int]:
    """Add the source's labels that the target lacks, take a newer removal or revival,
    report differing keys and colours. Returns (added, updated, unchanged)."""
    ours = _rows(target)
    next_position = max((row["position"] or 0 for row in ours.values()), default=-1) + 1
    added = updated = unchanged = 0
    for name, theirs in sorted(_rows(source).items(), key=lambda item: (item[1]["position"] or 0, item[0])):
        if renames.resolve(name, theirs["updated_at"]) != name:
            unchanged += 1  # renamed since: its spans follow the rename
            continue
        mine = ours.get(name)
        if mine is None:
            key = theirs["key"]
            holder = next(
                (row["name"] for row in ours.values() if key and row["key"] == key and row["retired_at"] is None), None
            )
            if holder is not None and theirs["retired_at"] is None:
                conflicts.append(
                    LabelConflict(
                        name, source_name, "key", None, key,
                        f"label {name!r} added without a key: its key {key!r} is taken by {holder!r} here",
                    )
                )
            row = theirs | {"position": next_position}
            if holder is not None or row["retired_at"] is not None:
                row["key"] = None
            target.table("labels").insert(row)
            ours[name] = row
            next_position += 1
            added += 1
            continue
        if (mine["retired_at"] is None) != (theirs["retired_at"] is None) and _version(theirs) > _version(mine):
            # Removed there after it last changed here (or brought back there): theirs wins.
            retired = theirs["retired_at"]
            target.execute(
                "update labels set retired_at = ?, updated_at = ?, key = case when ? is null then key end "
                "where name = ?",
                [retired, theirs["updated_at"], retired, name],
            )
            ours[name] = mine | {"retired_at": retired, "updated_at": theirs["updated_at"]}
            updated += 1
            continue
        unchanged += 1
        if mine["retired_at"] is not None or theirs["retired_at"] is not None:
            continue
        for column in ("key", "color"):
            kept, other = mine[column], theirs[column]
            if kept != other:
                conflicts.append(
                    LabelConflict(
                        name, source_name, column, kept, other,
                        f"label {name!r}: {column} is {kept!r} here and {other!r} in {source_name}; kept {kept!r}",
                    )
                )
    return added, updated, unchanged


def settle_labels(target: Database, renames: Renames) -> None:
    """Once the spans are merged: every span under its resolved name, label rows that
    a rename left behind gone, and retired labels' spans made tombstones (or the label
    brought back by a span made after its removal)."""
    if renames:
        olds = list(renames.by_old)
        marks = ", ".join("?" * len(olds))
        rows = target.execute(f"select id, label, updated_at from annotations where label in ({marks})", olds)
        for annotation_id, label, updated_at in rows.fetchall():
            name = renames.resolve(label, updated_at)
            if name != label:
                target.execute("update annotations set label = ? where id = ?", [name, annotation_id])
        for name, row in _rows(target).items():
            if renames.resolve(name, row["updated_at"]) != name and target.execute(
                "select 1 from annotations where label = ? limit 1", [name]
            ).fetchone() is None:
                target.execute("delete from labels where name = ?", [name])
    for name, retired_at in target.execute(
        "select name, retired_at from labels where retired_at is not null"
    ).fetchall():
        stamp = comparable(retired_at)
        newest = None
        for annotation_id, updated_at in target.execute(
            "select id, updated_at from annotations where label = ? and deleted_at is null", [name]
        ).fetchall():
            if comparable(updated_at) <= stamp:
                target.execute(
                    "update annotations set deleted_at = ?, updated_at = ? where id = ?",
                    [retired_at, retired_at, annotation_id],
                )
            elif newest is None or comparable(updated_at) > comparable(newest):
                newest = updated_at
        if newest is not None:
            target.execute("update labels set retired_at = null, updated_at = ? where name = ?", [newest, name])
