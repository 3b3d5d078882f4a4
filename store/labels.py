"""The label scheme: names, keyboard keys, colours. It lives in the database so that
everyone sharing a database shares it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .database import Database
from .db import write
from .errors import MarginError
from .model import Label, now_iso
from .names import check_label_name
from .timestamps import comparable, format_utc

DEFAULT_LABELS = (
    Label("claim", "1", "#e5a50a", "A statement presented as fact", 0),
    Label("person", "2", "#3584e4", "A named person", 1),
    Label("statistic", "3", "#2ec24d", "A number, quantity or percentage", 2),
)

# Distinct, readable on dark and light backgrounds; cycled for labels made by imports.
# The first three are the defaults: their tints and swatches stay apart in 256 and 16
# colours too (statistic was #2ec27e, whose tint in 256 colours is person's colour 23;
# databases made before keep it, and the reader marks the second of two labels whose
# spans show alike; tui/widgets/label_style.py).
PALETTE = (
    "#e5a50a", "#3584e4", "#2ec24d", "#c061cb", "#e66100",
    "#1c71d8", "#26a269", "#a51d2d", "#986a44", "#33d17a",
)
KEY_PATTERN = re.compile(r"^[0-9a-zA-Z]$|^f([1-9]|1[0-2])$|^ctrl\+[a-z]$")
KEY_FORMS = "a letter, a digit, f1–f12 or ctrl+letter"
ARRIVES_AS = {"ctrl+h": "backspace", "ctrl+i": "tab", "ctrl+m": "enter"}
"""ctrl+letters a terminal sends as the byte of another key (backspace, tab, enter),
so the app is told that key and a label bound to them would never fire. ctrl+j is not
here: it sends a newline, which the app does receive as ctrl+j (enter sends a return)."""
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


SELECT = "select name, key, color, description, position from labels"
ACTIVE = "retired_at is null"
"""A removed label keeps its row as history (see migration 0004); all else skips it."""


def _row_to_label(row: tuple) -> Label:
    name, key, color, description, position = row
    return Label(name=name, key=key, color=color or "#888888", description=description or "", position=position or 0)


def list_labels(db: Database) -> list[Label]:
    """The scheme in its order. Plain SQL: the app reads it before its first screen."""
    return [_row_to_label(row) for row in db.execute(f"{SELECT} where {ACTIVE} order by position, name")]


def get_label(db: Database, name: str) -> Label | None:
    row = db.execute(f"{SELECT} where name = ? and {ACTIVE}", [name]).fetchone()
    return _row_to_label(row) if row else None


def require_label(db: Database, name: str) -> Label:
    """The label called ``name``; an error that names it when there is none."""
    label = get_label(db, name)
    if label is None:
        raise MarginError(f"no label named {name!r}")
    return label


def terminal_key_problem(key: str) -> str | None:
    """Why a terminal cannot deliver ``key`` as itself, or None when it can."""
    if key in ARRIVES_AS:
        return f"{key} arrives as {ARRIVES_AS[key]} in a terminal, so it would never label; choose another key"
    return None


def check_key(key: str | None, taken: dict[str, str], name: str) -> None:
    """Raise unless ``key`` can be pressed and is free; ``taken`` maps each key in use
    to who uses it ("label 'claim'"). The one rule for label, relation and attribute keys."""
    if key is None:
        return
    if not KEY_PATTERN.match(key):
        raise MarginError(f"{key!r} is not a usable key ({KEY_FORMS})")
    if problem := terminal_key_problem(key):
        raise MarginError(problem)
    owner = taken.get(key)
    if owner is not None and owner != name:
        raise MarginError(f"key {key!r} is already used by {owner}")


def reader_keys(db: Database) -> dict[str, str]:
    """Keys pressed in the reader, by who uses them: labels' and attributes' share it."""
    taken = {label.key: f"label {label.name!r}" for label in list_labels(db) if label.key}
    for attribute, key in db.execute(f"select name, key from attribute_defs where key is not null and {ACTIVE}"):
        taken[key] = f"attribute {attribute!r}"
    return taken


def _check_key(db: Database, key: str | None, name: str) -> None:
    check_key(key, reader_keys(db), f"label {name!r}")


def check_color(color: str) -> None:
    if not COLOR_PATTERN.match(color):
        raise MarginError(f"{color!r} is not a colour of the form #rrggbb")


def _free_key(db: Database) -> str | None:
    used = {label.key for label in list_labels(db)}
    return next((str(digit) for digit in range(1, 10) if str(digit) not in used), None)


def add_label(
    db: Database,
    name: str,
    *,
    key: str | None = None,
    color: str | None = None,
    description: str = "",
) -> Label:
    name = check_label_name(name.strip())
    with write(db):
        if get_label(db, name) is not None:
            raise MarginError(f"label {name!r} already exists")
        _check_key(db, key, name)
        existing = list_labels(db)
        if color is None:
            color = PALETTE[len(existing) % len(PALETTE)]
        check_color(color)
        label = Label(
            name=name,
            key=key if key is not None else _free_key(db),
            color=color,
            description=description,
            position=max((label.position for label in existing), default=-1) + 1,
        )
        _put(db, label, now_iso())
    return label


def _put(db: Database, label: Label, stamp: str) -> None:
    """Write a label row. A removed label of the same name is brought back in place
    (its tombstoned spans still point at the row), with the new key and colour."""
    db.execute(
        "insert into labels (name, key, color, description, position, retired_at, updated_at) "
        "values (?, ?, ?, ?, ?, null, ?) on conflict (name) do update set key = excluded.key, "
        "color = excluded.color, description = excluded.description, position = excluded.position, "
        "retired_at = null, updated_at = excluded.updated_at",
        [label.name, label.key, label.color, label.description, label.position, stamp],
    )


def ensure_labels(db: Database, names: set[str] | list[str]) -> list[Label]:
    """Create any label an import uses that the scheme lacks; returns those created."""
    known = {label.name for label in list_labels(db)}
    return [add_label(db, name) for name in sorted(set(names) - known)]


def update_label(
    db: Database,
    name: str,
    *,
    key: str | None = None,
    color: str | None = None,
    description: str | None = None,
    clear_key: bool = False,
) -> Label:
    with write(db):
        require_label(db, name)
        changes: dict[str, object] = {}
        if clear_key:
            changes["key"] = None
        elif key is not None:
            _check_key(db, key, name)
            changes["key"] = key
        if color is not None:
            check_color(color)
            changes["color"] = color
        if description is not None:
            changes["description"] = description
        if changes:
            db.table("labels").update(name, changes | {"updated_at": now_iso()})
        return require_label(db, name)


def rename_label(db: Database, old: str, new: str) -> int:
    """Rename a label and every annotation that carries it; returns how many moved.

    The annotations' ``updated_at`` moves too, so the rename wins in a merge, and the
    rename is recorded in ``label_renames``, a history that is only ever added to, so
    a merge maps an older copy's ``old`` to ``new`` rather than bringing the old label
    back (``store.merge_labels.resolve``).
    """
    new = check_label_name(new.strip())
    with write(db):
        label = require_label(db, old)
        if get_label(db, new) is not None:
            raise MarginError(f"label {new!r} already exists")
        stamp = rename_stamp(now_iso(), db.execute(
            "select max(renamed_at) from label_renames where ? in (old, new)", [old]
        ).fetchone()[0])
        _put(db, Label(new, label.key, label.color, label.description, label.position), stamp)
        cursor = db.execute(
            "update annotations set label = ?, updated_at = ? where label = ?",
            [new, stamp, old],
        )
        record_rename(db, old, new, stamp)
        from .schemes import rename_label_in_schemes

        rename_label_in_schemes(db, old, new, stamp)
        db.table("labels").delete(old)
        return cursor.rowcount


def rename_stamp(now: str, last: str | None) -> str:
    """The time of a rename of a name that an earlier rename (``last``, the latest
    recorded with that name as its old or new one) touched: strictly after it. A
    merge follows a chain of renames only forward in time, so ``a`` → ``b`` then
    ``b`` → ``c`` in one tick (a coarse clock, or the same microsecond) would read
    the same as the reverse order, and copies merged in different orders would
    disagree on where ``a``'s items went."""
    floor = comparable(last)
    if not floor or comparable(now) > floor:
        return now
    return format_utc(datetime.fromisoformat(floor.replace("Z", "+00:00")) + timedelta(microseconds=1))


def record_rename(db: Database, old: str, new: str, when: str) -> None:
    """Add ``old`` → ``new`` at ``when`` to the rename history. Nothing is ever taken
    out of it, so every copy that has seen the same renames resolves a name alike."""
    db.execute("insert or ignore into label_renames (old, new, renamed_at) values (?, ?, ?)", [old, new, when])


def label_usage(db: Database, name: str) -> int:
    return db.execute(
        "select count(*) from annotations where label = ? and deleted_at is null", [name]
    ).fetchone()[0]


def remove_label(db: Database, name: str, *, force: bool = False) -> int:
    """Remove a label; with ``force`` its annotations go too. Returns how many went.

    Nothing is hard-deleted: the annotations become tombstones and the label row is
    marked retired, so that a merge with an older copy keeps them removed instead of
    bringing them back. The label's key is freed for another label.
    """
    with write(db):
        require_label(db, name)
        used = label_usage(db, name)
        if used and not force:
            raise MarginError(
                f"label {name!r} is used by {used} annotation(s); use --force to remove them too"
            )
        stamp = now_iso()
        cursor = db.execute(
            "update annotations set deleted_at = ?, updated_at = ? where label = ? and deleted_at is null",
            [stamp, stamp, name],
        )
        # Their links go with them, as a delete takes them (store.relations.tombstone_with).
        removed = "(select id from annotations where label = ? and deleted_at = ?)"
        db.execute(
            f"update relations set deleted_at = ?, updated_at = ? where deleted_at is null "
            f"and (head in {removed} or child in {removed})",
            [stamp, stamp, name, stamp, name, stamp],
        )
        db.execute(
            "update labels set retired_at = ?, updated_at = ?, key = null where name = ?",
            [stamp, stamp, name],
        )
        return cursor.rowcount
