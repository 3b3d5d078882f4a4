"""Merging label schemes: names, keys, colours, and the history of removals and renames.

A removed label stays as a retired row and a renamed one leaves a ``label_renames``
record (migration 0004), so a merge with an older copy can tell "this label was
removed or renamed here" from "that copy added a label": the older copy's spans are
mapped to the new name, and a removed label is not brought back. Versions of a label
row are ordered by ``updated_at`` like annotations, so the result does not depend on
which database is merged into which.
"""

from __future__ import annotations

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


Renames = dict[str, tuple[str, str]]
"""Old name → (current name, when renamed)."""


def _renames(db: Database) -> Renames:
    return {old: (new, when) for old, new, when in db.execute("select old, new, renamed_at from label_renames")}


def merge_renames(target: Database, source: Database) -> Renames:
    """Bring the source's renames into the target, the newest rename of a name winning,
    and apply them to the target's own spans and label rows; returns them all."""
    ours = _renames(target)
    for old, (new, when) in sorted(_renames(source).items(), key=lambda item: comparable(item[1][1])):
        mine = ours.get(old)
        if mine is None or (comparable(when), new) > (comparable(mine[1]), mine[0]):
            record_rename(target, old, new, when)
    ours = _renames(target)
    for old, (new, when) in ours.items():
        if target.execute("select 1 from labels where name = ?", [old]).fetchone() is None:
            continue
        # The new name's row first (spans reference labels), then the spans, each as
        # new as it was unless the rename is newer than its last edit; then the old row.
        target.execute(
            f"insert into labels ({', '.join(LABEL_COLUMNS)}) select ?, key, color, description, position, "
            "retired_at, ? from labels where name = ? on conflict (name) do nothing",
            [new, when, old],
        )
        target.execute(
            "update annotations set label = ?, updated_at = max(coalesce(updated_at, ''), ?) where label = ?",
            [new, when, old],
        )
        target.execute("delete from labels where name = ?", [old])
    return ours


def renamed(row: dict, renames: Renames) -> dict:
    """An annotation row from another copy, under the label's current name."""
    found = renames.get(row.get("label") or "")
    if found is None:
        return row
    new, when = found
    newest = max(comparable(row.get("updated_at")), comparable(when))
    return row | {"label": new, "updated_at": row.get("updated_at") if newest == comparable(row.get("updated_at")) else when}


def _rows(db: Database) -> dict[str, dict]:
    columns = ", ".join(LABEL_COLUMNS)
    return {row[0]: dict(zip(LABEL_COLUMNS, row)) for row in db.execute(f"select {columns} from labels")}


def merge_labels(
    target: Database,
    source: Database,
    source_name: str,
    renames: Renames,
    conflicts: list[LabelConflict],
) -> tuple[int, int, int]:
    """Add the source's labels that the target lacks (a renamed one under its new name),
    take a newer removal or revival; report differing keys and colours. Returns
    (added, updated, unchanged)."""
    ours = _rows(target)
    next_position = max((row["position"] or 0 for row in ours.values()), default=-1) + 1
    added = updated = unchanged = 0
    for name, theirs in sorted(_rows(source).items(), key=lambda item: item[1]["position"] or 0):
        name = renames[name][0] if name in renames else name
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
            row = theirs | {"name": name, "position": next_position}
            if holder is not None or row["retired_at"] is not None:
                row["key"] = None
            target.table("labels").insert(row)
            ours[name] = row
            next_position += 1
            added += 1
            continue
        if (mine["retired_at"] is None) != (theirs["retired_at"] is None) and comparable(
            theirs["updated_at"]
        ) > comparable(mine["updated_at"]):
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
