"""The relation and attribute schemes: which links spans can have, which values they
can carry. Like the label scheme they live in the database, so that everyone sharing
a database shares them, and like labels a removed entry keeps its row (``retired_at``)
so that a merge with an older copy does not bring it back.

Keys are checked for their form and against the rest of their own scheme here; the
app decides which of its own keys they may not shadow (``tui.scheme_keys``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .database import Database
from .db import write
from .errors import MarginError
from .labels import PALETTE, check_color, check_key, list_labels, reader_keys, rename_stamp
from .model import ATTRIBUTE_KINDS, FLAG_VALUE, AttributeDef, RelationType, now_iso
from .names import character_problem, check_label_name, quoted

DEFAULT_RELATION_TYPES = (
    RelationType("said_by", "s", "#c061cb", "Who made the claim", 0, True, ("claim",), ("person",)),
    RelationType("cites", "c", "#2ec24d", "The statistic the claim rests on", 1, True, ("claim",), ("statistic",)),
    RelationType("about", "o", "#3584e4", "Whom the claim is about", 2, True, ("claim",), ("person",)),
)
VERDICTS = ("true", "false", "misleading", "unverifiable", "unchecked")
DEFAULT_ATTRIBUTES = (
    AttributeDef("verdict", "choice", VERDICTS, ("claim",), "C", "What checking the claim found", 0),
)
ACTIVE = "retired_at is null"
MAX_VALUE_LENGTH = 200
"""A free-text attribute value is a short phrase (a unit, a source), not a note."""

_RELATION_SELECT = (
    "select name, key, color, description, position, directed, head_labels, child_labels from relation_types"
)
_ATTRIBUTE_SELECT = "select name, kind, choices, labels, key, description, position from attribute_defs"


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(json.loads(value)) if value else ()


def relation_type_row(kind: RelationType, stamp: str) -> dict[str, object]:
    return {
        "name": kind.name, "key": kind.key, "color": kind.color, "description": kind.description,
        "position": kind.position, "directed": int(kind.directed),
        "head_labels": json.dumps(list(kind.head_labels)), "child_labels": json.dumps(list(kind.child_labels)),
        "retired_at": None, "updated_at": stamp,
    }


def attribute_row(attribute: AttributeDef, stamp: str) -> dict[str, object]:
    return {
        "name": attribute.name, "kind": attribute.kind, "choices": json.dumps(list(attribute.choices)),
        "labels": json.dumps(list(attribute.labels)), "key": attribute.key,
        "description": attribute.description, "position": attribute.position,
        "retired_at": None, "updated_at": stamp,
    }


def _relation_type(row: tuple) -> RelationType:
    name, key, color, description, position, directed, heads, children = row
    return RelationType(name, key, color or "#888888", description or "", position or 0, bool(directed),
                        _names(heads), _names(children))


def _attribute(row: tuple) -> AttributeDef:
    name, kind, choices, labels, key, description, position = row
    return AttributeDef(name, kind or "choice", _names(choices), _names(labels), key, description or "", position or 0)


# -- reading ---------------------------------------------------------------------------


def list_relation_types(db: Database) -> list[RelationType]:
    return [_relation_type(row) for row in db.execute(f"{_RELATION_SELECT} where {ACTIVE} order by position, name")]


def get_relation_type(db: Database, name: str) -> RelationType | None:
    row = db.execute(f"{_RELATION_SELECT} where name = ? and {ACTIVE}", [name]).fetchone()
    return _relation_type(row) if row else None


def require_relation_type(db: Database, name: str) -> RelationType:
    kind = get_relation_type(db, name)
    if kind is None:
        raise MarginError(f"no relation type named {name!r}")
    return kind


def list_attribute_defs(db: Database) -> list[AttributeDef]:
    return [_attribute(row) for row in db.execute(f"{_ATTRIBUTE_SELECT} where {ACTIVE} order by position, name")]


def get_attribute_def(db: Database, name: str) -> AttributeDef | None:
    row = db.execute(f"{_ATTRIBUTE_SELECT} where name = ? and {ACTIVE}", [name]).fetchone()
    return _attribute(row) if row else None


def require_attribute_def(db: Database, name: str) -> AttributeDef:
    attribute = get_attribute_def(db, name)
    if attribute is None:
        raise MarginError(f"no attribute named {name!r}")
    return attribute


# -- checks ----------------------------------------------------------------------------


def _check_labels(db: Database, labels: Iterable[str]) -> tuple[str, ...]:
    known = {label.name for label in list_labels(db)}
    names = tuple(dict.fromkeys(labels))
    for name in names:
        if name not in known:
            raise MarginError(f"no label named {name!r}")
    return names


def check_choice(value: str) -> str:
    """A choice is one word, like a label: it is typed in commands and written by
    formats (brat) that split on spaces."""
    check_label_name(value)
    return value


def check_value(attribute: AttributeDef, value: str) -> str:
    """``value`` if ``attribute`` can hold it; else a MarginError saying why."""
    if attribute.kind == "flag":
        if value != FLAG_VALUE:
            raise MarginError(f"attribute {attribute.name!r} is a flag: its only value is {FLAG_VALUE!r}")
    elif attribute.kind == "choice":
        if value not in attribute.choices:
            raise MarginError(
                f"{quoted(value)} is not a value of {attribute.name!r}; choose one of {', '.join(attribute.choices)}"
            )
    else:
        if not value.strip():
            raise MarginError(f"a value of {attribute.name!r} must not be empty")
        if problem := character_problem("attribute value", value):
            raise MarginError(problem)
        if len(value) > MAX_VALUE_LENGTH:
            raise MarginError(f"an attribute value holds at most {MAX_VALUE_LENGTH} characters")
    return value


def _relation_keys(db: Database) -> dict[str, str]:
    return {kind.key: f"relation type {kind.name!r}" for kind in list_relation_types(db) if kind.key}


def _attribute_keys(db: Database) -> dict[str, str]:
    """Attribute keys are pressed in the reader, as label keys are: they share one space."""
    return reader_keys(db)


# -- relation types --------------------------------------------------------------------


def _upsert(db: Database, table: str, row: dict[str, object]) -> None:
    """Write a scheme row; a retired entry of the same name is brought back in place."""
    columns = ", ".join(row)
    updates = ", ".join(f"{column} = excluded.{column}" for column in row if column != "name")
    db.execute(
        f"insert into {table} ({columns}) values ({', '.join('?' for _ in row)}) "
        f"on conflict (name) do update set {updates}",
        list(row.values()),
    )


def _put_relation_type(db: Database, kind: RelationType, stamp: str) -> None:
    _upsert(db, "relation_types", relation_type_row(kind, stamp))


def _retire(db: Database, scheme_table: str, items_table: str, column: str, name: str) -> int:
    """Inside a ``remove --force``: the entry's live items (relations, values) become
    tombstones and its row is kept as retired history; returns how many items went."""
    stamp = now_iso()
    cursor = db.execute(
        f"update {items_table} set deleted_at = ?, updated_at = ? where {column} = ? and deleted_at is null",
        [stamp, stamp, name],
    )
    db.execute(f"update {scheme_table} set retired_at = ?, updated_at = ?, key = null where name = ?",
               [stamp, stamp, name])
    return cursor.rowcount


def add_relation_type(
    db: Database,
    name: str,
    *,
    key: str | None = None,
    color: str | None = None,
    description: str = "",
    directed: bool = True,
    head_labels: Iterable[str] = (),
    child_labels: Iterable[str] = (),
) -> RelationType:
    name = check_label_name(name.strip())
    with write(db):
        if get_relation_type(db, name) is not None:
            raise MarginError(f"relation type {name!r} already exists")
        check_key(key, _relation_keys(db), f"relation type {name!r}")
        existing = list_relation_types(db)
        color = color or PALETTE[(len(existing) + 3) % len(PALETTE)]
        check_color(color)
        kind = RelationType(
            name, key, color, description, max((k.position for k in existing), default=-1) + 1, directed,
            _check_labels(db, head_labels), _check_labels(db, child_labels),
        )
        _put_relation_type(db, kind, now_iso())
    return kind


def ensure_relation_types(db: Database, names: Iterable[str]) -> list[RelationType]:
    """Create the types an import uses that the scheme lacks, with no constraints."""
    known = {kind.name for kind in list_relation_types(db)}
    return [add_relation_type(db, name) for name in sorted(set(names) - known)]


def update_relation_type(
    db: Database,
    name: str,
    *,
    key: str | None = None,
    clear_key: bool = False,
    color: str | None = None,
    description: str | None = None,
    directed: bool | None = None,
    head_labels: Iterable[str] | None = None,
    child_labels: Iterable[str] | None = None,
) -> RelationType:
    with write(db):
        require_relation_type(db, name)
        changes: dict[str, object] = {}
        if clear_key:
            changes["key"] = None
        elif key is not None:
            check_key(key, _relation_keys(db), f"relation type {name!r}")
            changes["key"] = key
        if color is not None:
            check_color(color)
            changes["color"] = color
        if description is not None:
            changes["description"] = description
        if directed is not None:
            changes["directed"] = int(directed)
        if head_labels is not None:
            changes["head_labels"] = json.dumps(list(_check_labels(db, head_labels)))
        if child_labels is not None:
            changes["child_labels"] = json.dumps(list(_check_labels(db, child_labels)))
        if changes:
            db.table("relation_types").update(name, changes | {"updated_at": now_iso()})
            if broken := _broken_relations(db, require_relation_type(db, name)):
                raise MarginError(  # rolls the change back: write() ends in an error
                    f"{broken} relation(s) of {name!r} link labels this would not allow; "
                    "remove them first (or widen the lists)"
                )
        return require_relation_type(db, name)


def record_scheme_rename(db: Database, scheme: str, old: str, new: str, when: str) -> None:
    """Add to the rename history of a scheme (``relation`` or ``attribute``); nothing
    is ever taken out of it, so every copy resolves a name alike in a merge."""
    db.execute(
        "insert or ignore into scheme_renames (scheme, old, new, renamed_at) values (?, ?, ?, ?)",
        [scheme, old, new, when],
    )


def _rename_stamp(db: Database, scheme: str, old: str) -> str:
    last = db.execute(
        "select max(renamed_at) from scheme_renames where scheme = ? and ? in (old, new)", [scheme, old]
    ).fetchone()[0]
    return rename_stamp(now_iso(), last)


def rename_relation_type(db: Database, old: str, new: str) -> int:
    """Rename a type and every relation of it; returns how many relations moved."""
    new = check_label_name(new.strip())
    with write(db):
        kind = require_relation_type(db, old)
        if get_relation_type(db, new) is not None:
            raise MarginError(f"relation type {new!r} already exists")
        stamp = _rename_stamp(db, "relation", old)
        _put_relation_type(
            db, RelationType(new, kind.key, kind.color, kind.description, kind.position, kind.directed,
                             kind.head_labels, kind.child_labels), stamp,
        )
        cursor = db.execute("update relations set type = ?, updated_at = ? where type = ?", [new, stamp, old])
        record_scheme_rename(db, "relation", old, new, stamp)
        db.table("relation_types").delete(old)
        return cursor.rowcount


def relation_type_usage(db: Database, name: str) -> int:
    """How many shown relations (live, both ends live) are of this type."""
    from .relations import LIVE

    return db.execute(f"select count(*) from relations where type = ? and {LIVE}", [name]).fetchone()[0]


def remove_relation_type(db: Database, name: str, *, force: bool = False) -> int:
    """Retire a type; with ``force`` its relations become tombstones. Returns how many."""
    with write(db):
        require_relation_type(db, name)
        used = relation_type_usage(db, name)
        if used and not force:
            raise MarginError(f"relation type {name!r} is used by {used} relation(s); use --force to remove them too")
        return _retire(db, "relation_types", "relations", "type", name)


# -- attribute definitions -------------------------------------------------------------


def _put_attribute(db: Database, attribute: AttributeDef, stamp: str) -> None:
    _upsert(db, "attribute_defs", attribute_row(attribute, stamp))


def _check_kind(kind: str, choices: tuple[str, ...]) -> None:
    if kind not in ATTRIBUTE_KINDS:
        raise MarginError(f"attribute kind must be one of {', '.join(ATTRIBUTE_KINDS)}, not {kind!r}")
    if kind == "choice" and not choices:
        raise MarginError("a choice attribute needs at least one value (--value)")
    if kind != "choice" and choices:
        raise MarginError(f"a {kind} attribute has no list of values")
    if len(set(choices)) != len(choices):
        raise MarginError("each value may be listed only once")


def add_attribute_def(
    db: Database,
    name: str,
    *,
    kind: str = "choice",
    choices: Iterable[str] = (),
    labels: Iterable[str] = (),
    key: str | None = None,
    description: str = "",
) -> AttributeDef:
    name = check_label_name(name.strip())
    values = tuple(check_choice(value) for value in choices)
    _check_kind(kind, values)
    with write(db):
        if get_attribute_def(db, name) is not None:
            raise MarginError(f"attribute {name!r} already exists")
        check_key(key, _attribute_keys(db), f"attribute {name!r}")
        existing = list_attribute_defs(db)
        attribute = AttributeDef(
            name, kind, values, _check_labels(db, labels), key, description,
            max((a.position for a in existing), default=-1) + 1,
        )
        _put_attribute(db, attribute, now_iso())
    return attribute


def update_attribute_def(
    db: Database,
    name: str,
    *,
    key: str | None = None,
    clear_key: bool = False,
    choices: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    description: str | None = None,
) -> AttributeDef:
    """Change a definition. New ``choices`` must keep every value spans already carry."""
    with write(db):
        attribute = require_attribute_def(db, name)
        changes: dict[str, object] = {}
        if clear_key:
            changes["key"] = None
        elif key is not None:
            check_key(key, _attribute_keys(db), f"attribute {name!r}")
            changes["key"] = key
        if choices is not None:
            values = tuple(check_choice(value) for value in choices)
            _check_kind(attribute.kind, values)
            used = {
                row[0]
                for row in db.execute(
                    "select distinct value from attributes where name = ? and deleted_at is null", [name]
                )
            }
            if missing := sorted(used - set(values)):
                raise MarginError(
                    f"spans carry {', '.join(map(quoted, missing))} for {name!r}; keep those values "
                    f"or clear them first"
                )
            changes["choices"] = json.dumps(list(values))
        if labels is not None:
            allowed = _check_labels(db, labels)
            if allowed:
                from .attributes import SHOWN

                outside = db.execute(
                    f"select count(*) from attributes join annotations a on a.id = attributes.annotation_id "
                    f"where attributes.name = ? and {SHOWN} and a.label not in ({', '.join('?' for _ in allowed)})",
                    [name, *allowed],
                ).fetchone()[0]
                if outside:
                    raise MarginError(
                        f"{outside} span(s) of other labels carry {name!r}; clear those values first "
                        "(or keep their labels in the list)"
                    )
            changes["labels"] = json.dumps(list(allowed))
        if description is not None:
            changes["description"] = description
        if changes:
            db.table("attribute_defs").update(name, changes | {"updated_at": now_iso()})
        return require_attribute_def(db, name)


def ensure_attribute_defs(db: Database, seen: dict[str, set[str]]) -> list[AttributeDef]:
    """Make the scheme hold every attribute and value an import carries: a missing
    attribute is created (a flag when its only value is the flag's, else a choice of
    the values seen), and a choice attribute gains the values it lacks. Returns the
    definitions created or extended."""
    changed = []
    for name in sorted(seen):
        values = seen[name]
        attribute = get_attribute_def(db, name)
        if attribute is None:
            if values == {FLAG_VALUE}:
                changed.append(add_attribute_def(db, name, kind="flag"))
            else:
                changed.append(add_attribute_def(db, name, choices=sorted(values)))
        elif attribute.kind == "choice" and (new := sorted(values - set(attribute.choices))):
            changed.append(update_attribute_def(db, name, choices=[*attribute.choices, *new]))
    return changed


def rename_attribute_def(db: Database, old: str, new: str) -> int:
    """Rename an attribute and every value of it; returns how many values moved."""
    new = check_label_name(new.strip())
    with write(db):
        attribute = require_attribute_def(db, old)
        if get_attribute_def(db, new) is not None:
            raise MarginError(f"attribute {new!r} already exists")
        stamp = _rename_stamp(db, "attribute", old)
        _put_attribute(
            db, AttributeDef(new, attribute.kind, attribute.choices, attribute.labels, attribute.key,
                             attribute.description, attribute.position), stamp,
        )
        # A value cleared when an attribute of the new name was removed would take the
        # same place (span, name): the renamed value is newer, so it replaces it.
        db.execute(
            "delete from attributes where name = ? and annotation_id in "
            "(select annotation_id from attributes where name = ?)",
            [new, old],
        )
        cursor = db.execute("update attributes set name = ?, updated_at = ? where name = ?", [new, stamp, old])
        record_scheme_rename(db, "attribute", old, new, stamp)
        db.table("attribute_defs").delete(old)
        return cursor.rowcount


def attribute_usage(db: Database, name: str) -> int:
    """How many live spans carry this attribute."""
    from .attributes import SHOWN

    return db.execute(f"select count(*) from attributes where name = ? and {SHOWN}", [name]).fetchone()[0]


def remove_attribute_def(db: Database, name: str, *, force: bool = False) -> int:
    """Retire an attribute; with ``force`` its values become tombstones. Returns how many."""
    with write(db):
        require_attribute_def(db, name)
        used = attribute_usage(db, name)
        if used and not force:
            raise MarginError(f"attribute {name!r} is set on {used} span(s); use --force to clear them too")
        return _retire(db, "attribute_defs", "attributes", "name", name)


def rename_label_in_schemes(db: Database, old: str, new: str, stamp: str) -> None:
    """Inside a label's rename: the relation types and attributes that name it follow."""
    for table, columns in (("relation_types", ("head_labels", "child_labels")), ("attribute_defs", ("labels",))):
        for row in db.execute(f"select name, {', '.join(columns)} from {table} where {ACTIVE}").fetchall():
            name, lists = row[0], [list(_names(value)) for value in row[1:]]
            if not any(old in names for names in lists):
                continue
            changes = {
                column: json.dumps([new if label == old else label for label in names])
                for column, names in zip(columns, lists)
            }
            db.table(table).update(name, changes | {"updated_at": stamp})


def _broken_relations(db: Database, kind: RelationType) -> int:
    """How many shown relations of ``kind.name`` its (new) constraints would refuse."""
    from .relations import LIVE

    rows = db.execute(
        f"select h.label, c.label from relations join annotations h on h.id = relations.head "
        f"join annotations c on c.id = relations.child where relations.type = ? and {LIVE}",
        [kind.name],
    )
    return sum(1 for head, child in rows if not kind.allows(head, child))
