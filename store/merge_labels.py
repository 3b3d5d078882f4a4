"""Merging naming schemes: labels, relation types and attribute names, with the
history of their removals and renames.

The three schemes are kept alike (a :class:`Scheme` says where each lives), so one
piece of code merges them all. A removed entry stays as a retired row and every
rename adds a row to a history (``label_renames``, or ``scheme_renames`` for the
other two), which is only ever added to. A merge unites the two histories, so both
copies then hold the same one, and every rule here is a function of the united rows
alone, which is why the result does not depend on which database is merged into which:

- a name, as carried by an item (a span's label, a relation's type, an attribute
  value's name) or an entry last changed at time *t*, is *resolved* by following the
  renames of that name made after *t*, in time order (``resolve``): an older copy's
  ``statistic`` spans become ``number``, and its ``said_by`` relations ``stated_by``,
  while items named again after the rename keep the name (and their entry);
- entries are versioned by ``updated_at`` like annotations (ties settled by the
  canonical row), which decides whether one is retired; its key and colour (and, for
  relation types, direction; for attributes, kind) stay this database's, and a
  difference is reported; a choice attribute's values are united;
- after the items are merged, a live item of a retired entry that was last changed
  before the removal becomes a tombstone (as ``remove --force`` made it in the
  other copy), and one changed after it brings the entry back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from .database import Database
from .merge_schemes import LABELS, Scheme
from .timestamps import comparable


def version_key(row: dict) -> tuple[str, bool, str]:
    """The order in which versions of one row win: newest ``updated_at``, then a
    tombstone before a live row (a span or value a removal tombstoned keeps the
    removal's time, so it must beat the version it settled), then the canonical JSON
    of the whole row, so that ties are settled the same way everywhere. Timestamps
    compare in their stored form, so an odd string an older margin let in never
    outranks a real time."""
    return (
        comparable(row.get("updated_at")),
        row.get("deleted_at") is not None,
        json.dumps(row, sort_keys=True, ensure_ascii=False),
    )


def _entry_version(row: dict) -> tuple[str, bool, str]:
    """As :func:`version_key`, with a removal as the tombstone: of a removal and
    another version made at the same instant, the removal wins, so a rename and a
    removal in one tick (or an entry a rename brought into being here) do not
    revive what was removed."""
    updated_at, _, canonical = version_key(row)
    return updated_at, row["retired_at"] is not None, canonical


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


def _history(db: Database, scheme: Scheme) -> list[tuple[str, str, str]]:
    return db.execute(scheme.history).fetchall()


def _dicts(db: Database, sql: str, params: list | tuple = ()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _rows(db: Database, scheme: Scheme) -> dict[str, dict]:
    return {row["name"]: row for row in _dicts(db, f"select * from {scheme.table}")}


def _key_holders(db: Database, scheme: Scheme) -> dict[str, str]:
    """key → name of the live entry holding it, over the tables sharing the keys."""
    holders: dict[str, str] = {}
    for table in scheme.key_tables:
        for key, name in db.execute(
            f"select key, name from {table} where key is not null and retired_at is null order by name"
        ):
            holders.setdefault(key, name)
    return holders


def merge_renames(target: Database, source: Database, scheme: Scheme = LABELS) -> Renames:
    """Unite the two rename histories in the target, and give every name a rename led
    to an entry there (a copy of the renamed entry), so items can move to it."""
    for old, new, when in _history(source, scheme):
        scheme.record(target, old, new, when)
    history = _history(target, scheme)
    ours, theirs = _rows(target, scheme), _rows(source, scheme)
    for old, new, when in sorted(history, key=lambda row: (comparable(row[2]), row[0], row[1])):
        if new in ours:
            continue
        taken = _key_holders(target, scheme)
        if new in theirs:
            # The entry as the copy that renamed it holds it now, whatever it did since.
            row = theirs[new] | {"key": None if theirs[new]["key"] in taken else theirs[new]["key"]}
        else:
            model = ours.get(old) or theirs.get(old)
            if model is None:
                continue
            # A rename makes an entry in use, whatever became of the old name since.
            row = model | {
                "name": new, "updated_at": when, "retired_at": None,
                "key": None if model["key"] in taken else model["key"],
            }
        target.table(scheme.table).insert(row)
        ours[new] = row
    return Renames(history)


def renamed(row: dict, renames: Renames, column: str = "label") -> dict:
    """An item row from another copy, under its entry's current name."""
    name = renames.resolve(row[column], row.get("updated_at")) if renames else row[column]
    return row if name == row[column] else row | {column: name}


def settled(source: Database, scheme: Scheme) -> Callable[[dict], dict]:
    """An item of the source as the source itself would hold it once settled: a live
    item of an entry the source retired after the item last changed is a tombstone
    of that removal (a copy can hold such a row: a relation restored after its type
    went). Settling each copy against its own removals before the rows meet keeps
    the result independent of which removal the target happens to know first."""
    retired = dict(source.execute(f"select name, retired_at from {scheme.table} where retired_at is not null"))

    def settle(row: dict) -> dict:
        retired_at = retired.get(row[scheme.column])
        if retired_at is None or row["deleted_at"] is not None or comparable(row["updated_at"]) > comparable(
            retired_at
        ):
            return row
        return row | {"deleted_at": retired_at, "updated_at": retired_at}

    return settle


def _still_named(source: Database, scheme: Scheme, name: str, renames: Renames) -> bool:
    """Whether some item of the source carries ``name`` after the renames of it: it was
    named so after the rename, so the entry must come along."""
    return any(
        renames.resolve(name, updated_at) == name
        for (updated_at,) in source.execute(
            f"select updated_at from {scheme.items} where {scheme.column} = ?", [name]
        )
    )


def _add(target: Database, scheme: Scheme, theirs: dict, position: int, source_name: str,
         conflicts: list) -> dict:
    name, key = theirs["name"], theirs["key"]
    holder = _key_holders(target, scheme).get(key) if key else None
    if holder is not None and theirs["retired_at"] is None:
        conflicts.append(
            scheme.conflict(
                name, source_name, "key", None, key,
                f"{scheme.kind} {name!r} added without a key: its key {key!r} is taken by {holder!r} here",
            )
        )
    row = theirs | {"position": position}
    if holder is not None or row["retired_at"] is not None:
        row["key"] = None
    target.table(scheme.table).insert(row)
    return row


def _unite(target: Database, scheme: Scheme, mine: dict, theirs: dict) -> bool:
    """Give our entry the listed values only theirs has (a choice attribute's values,
    which the merged items may carry). Returns whether anything was added."""
    column = scheme.united
    if column is None or mine.get("kind") != theirs.get("kind"):
        return False
    ours = json.loads(mine[column] or "[]")
    extra = [value for value in json.loads(theirs[column] or "[]") if value not in ours]
    if not extra:
        return False
    target.execute(
        f"update {scheme.table} set {column} = ? where name = ?", [json.dumps(ours + extra), mine["name"]]
    )
    return True


def merge_labels(
    target: Database,
    source: Database,
    source_name: str,
    renames: Renames,
    conflicts: list,
    scheme: Scheme = LABELS,
) -> tuple[int, int, int]:
    """Add the source's entries that the target lacks, take a newer removal or revival,
    report differing keys and colours. Returns (added, updated, unchanged)."""
    ours = _rows(target, scheme)
    next_position = max((row["position"] or 0 for row in ours.values()), default=-1) + 1
    added = updated = unchanged = 0
    for name, theirs in sorted(_rows(source, scheme).items(), key=lambda item: (item[1]["position"] or 0, item[0])):
        mine = ours.get(name)
        if renames.resolve(name, theirs["updated_at"]) != name and (
            mine is not None or not _still_named(source, scheme, name, renames)
        ):
            unchanged += 1  # renamed since: its items follow the rename
            continue
        if mine is None:
            ours[name] = _add(target, scheme, theirs, next_position, source_name, conflicts)
            next_position += 1
            added += 1
            continue
        if mine["retired_at"] != theirs["retired_at"] and _entry_version(theirs) > _entry_version(mine):
            # Removed there after it last changed here (or brought back, or removed
            # again later, there): theirs wins.
            retired = theirs["retired_at"]
            target.execute(
                f"update {scheme.table} set retired_at = ?, updated_at = ?, "
                "key = case when cast(? as text) is null then key end where name = ?",
                [retired, theirs["updated_at"], retired, name],
            )
            ours[name] = mine | {"retired_at": retired, "updated_at": theirs["updated_at"]}
            updated += 1
            continue
        if _unite(target, scheme, mine, theirs):
            updated += 1
        else:
            unchanged += 1
        if mine["retired_at"] is not None or theirs["retired_at"] is not None:
            continue
        for column in scheme.reported:
            kept, other = mine[column], theirs[column]
            if kept != other:
                conflicts.append(
                    scheme.conflict(
                        name, source_name, column, kept, other,
                        f"{scheme.kind} {name!r}: {column} is {kept!r} here and {other!r} in {source_name}; "
                        f"kept {kept!r}",
                    )
                )
    return added, updated, unchanged


def _move(target: Database, scheme: Scheme, rowid: int, name: str) -> None:
    """Give one item its resolved name. Where the name is part of the item's key (an
    attribute value), a value already under the new name is settled like two
    versions of one row: the newer stays."""
    table, column = scheme.items, scheme.column
    if column in scheme.item_key:
        (row,) = _dicts(target, f"select * from {table} where rowid = ?", [rowid])
        moved = row | {column: name}
        where = " and ".join(f'"{part}" = ?' for part in scheme.item_key)
        other = _dicts(target, f"select rowid, * from {table} where {where}", [moved[part] for part in scheme.item_key])
        if other:
            held = other[0]
            held_rowid = held.pop("rowid")
            if version_key(moved) <= version_key(held):
                target.execute(f"delete from {table} where rowid = ?", [rowid])
                return
            target.execute(f"delete from {table} where rowid = ?", [held_rowid])
    target.execute(f'update {table} set "{column}" = ? where rowid = ?', [name, rowid])


def settle_labels(target: Database, renames: Renames, scheme: Scheme = LABELS) -> None:
    """Once the items are merged: every item under its resolved name, entries that a
    rename left behind gone, and retired entries' items made tombstones (or the entry
    brought back by an item made after its removal)."""
    table, items, column = scheme.table, scheme.items, scheme.column
    if renames:
        olds = list(renames.by_old)
        marks = ", ".join("?" * len(olds))
        rows = target.execute(f"select rowid, {column}, updated_at from {items} where {column} in ({marks})", olds)
        for rowid, name, updated_at in rows.fetchall():
            resolved = renames.resolve(name, updated_at)
            if resolved != name:
                _move(target, scheme, rowid, resolved)
        for name, row in _rows(target, scheme).items():
            if renames.resolve(name, row["updated_at"]) != name and target.execute(
                f"select 1 from {items} where {column} = ? limit 1", [name]
            ).fetchone() is None:
                target.execute(f"delete from {table} where name = ?", [name])
    for name, retired_at in target.execute(f"select name, retired_at from {table} where retired_at is not null").fetchall():
        stamp = comparable(retired_at)
        newest = None
        for rowid, updated_at in target.execute(
            f"select rowid, updated_at from {items} where {column} = ? and deleted_at is null", [name]
        ).fetchall():
            if comparable(updated_at) <= stamp:
                target.execute(
                    f"update {items} set deleted_at = ?, updated_at = ? where rowid = ?", [retired_at, retired_at, rowid]
                )
            elif newest is None or comparable(updated_at) > comparable(newest):
                newest = updated_at
        if newest is not None:
            target.execute(f"update {table} set retired_at = null, updated_at = ? where name = ?", [newest, name])
