"""Where each naming scheme a merge unites is stored: labels, relation types and
attribute definitions, with the items each names and its rename history, so that
``store.merge_labels`` merges all three with one piece of code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .database import Database
from .labels import record_rename
from .schemes import record_scheme_rename


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
class SchemeConflict:
    """A relation type or attribute both databases define differently; this
    database's version was kept."""

    scheme: str
    name: str
    source: str
    column: str
    kept: object
    theirs: object
    message: str


Conflict = LabelConflict | SchemeConflict


@dataclass(frozen=True, slots=True)
class Scheme:
    """Where one naming scheme and the items it names are stored."""

    kind: str
    """What an entry is called in messages."""
    table: str
    items: str
    column: str
    """The items' column holding an entry's name."""
    item_key: tuple[str, ...]
    history: str
    """Selects the rename history as (old, new, renamed_at)."""
    record: Callable[[Database, str, str, str], None]
    key_tables: tuple[str, ...]
    """Tables whose live entries share one space of keys with this scheme's."""
    reported: tuple[str, ...]
    """Columns whose difference between two copies is reported (ours is kept)."""
    conflict: Callable[..., Conflict]
    united: str | None = None
    """A JSON-list column whose values both copies' versions keep."""


LABELS = Scheme(
    "label", "labels", "annotations", "label", ("id",),
    "select old, new, renamed_at from label_renames", record_rename,
    ("labels", "attribute_defs"), ("key", "color"), LabelConflict,
)
RELATION_TYPES = Scheme(
    "relation type", "relation_types", "relations", "type", ("id",),
    "select old, new, renamed_at from scheme_renames where scheme = 'relation'",
    lambda db, old, new, when: record_scheme_rename(db, "relation", old, new, when),
    ("relation_types",), ("key", "color", "directed"), partial(SchemeConflict, "relation type"),
)
ATTRIBUTES = Scheme(
    "attribute", "attribute_defs", "attributes", "name", ("annotation_id", "name"),
    "select old, new, renamed_at from scheme_renames where scheme = 'attribute'",
    lambda db, old, new, when: record_scheme_rename(db, "attribute", old, new, when),
    ("labels", "attribute_defs"), ("key", "kind"), partial(SchemeConflict, "attribute"), "choices",
)
