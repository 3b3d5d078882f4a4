"""Plain dataclasses for what the store holds and what the formats exchange.

Rows come out of SQLite as these objects so that callers never depend on column order,
and the interchange records keep every format module free of database concerns.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import timestamps
from .errors import MarginError

STATUSES = ("accepted", "suggested", "rejected")
ATTRIBUTE_KINDS = ("choice", "text", "flag")
"""An attribute takes one of a list of values, free text, or is simply present (a
flag, stored as :data:`FLAG_VALUE`; brat's binary attributes)."""
FLAG_VALUE = "true"
CONTEXT_CHARS = 32
# Annotations a reviewer settled carry an origin starting with this (see store.review).
REVIEW_PREFIX = "review:"


def check_status(status: str) -> str:
    """``status`` if it is one of STATUSES (of a span or a relation); else a MarginError."""
    if status not in STATUSES:
        raise MarginError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    return status


def now_iso() -> str:
    """UTC timestamp with microseconds; fixed width so string order is time order."""
    return timestamps.now_iso()


def new_id() -> str:
    return str(uuid.uuid4())


def normalise_newlines(text: str) -> str:
    """The one normalisation applied to stored text: CRLF and CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def document_id(text: str) -> str:
    """Content-derived id, so one article imported on two machines merges cleanly."""
    return document_id_of_bytes(text.encode("utf-8", "surrogatepass"))


def document_id_of_bytes(data: bytes) -> str:
    """:func:`document_id` of the text whose UTF-8 encoding is ``data``."""
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str | None = None
    color: str = "#888888"
    description: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class RelationType:
    """A kind of link between two spans, from the database's relation scheme.

    ``head_labels``/``child_labels`` name the labels each end may carry (empty: any);
    an undirected type (``directed`` false) links its ends both ways.
    """

    name: str
    key: str | None = None
    color: str = "#888888"
    description: str = ""
    position: int = 0
    directed: bool = True
    head_labels: tuple[str, ...] = ()
    child_labels: tuple[str, ...] = ()

    def allows(self, head_label: str, child_label: str) -> bool:
        def fits(labels: tuple[str, ...], label: str) -> bool:
            return not labels or label in labels

        if fits(self.head_labels, head_label) and fits(self.child_labels, child_label):
            return True
        return not self.directed and fits(self.head_labels, child_label) and fits(self.child_labels, head_label)


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """An attribute spans can carry, from the database's attribute scheme.

    ``choices`` are the values of a ``choice`` attribute, in the order its key
    cycles them; ``labels`` name the labels it applies to (empty: every label).
    """

    name: str
    kind: str = "choice"
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    key: str | None = None
    description: str = ""
    position: int = 0

    def applies_to(self, label: str) -> bool:
        return not self.labels or label in self.labels


@dataclass(slots=True)
class Document:
    id: str
    text: str
    title: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    added_at: str = ""
    added_by: str = ""


@dataclass(slots=True)
class Annotation:
    id: str
    doc_id: str
    start: int
    end: int
    label: str
    quote: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    annotator: str = ""
    status: str = "accepted"
    origin: str = "manual"
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def hidden(self) -> bool:
        """Not shown, nor counted: deleted, or a suggestion that was rejected."""
        return self.deleted_at is not None or self.status == "rejected"


@dataclass(slots=True)
class Relation:
    """A typed link from the ``head`` annotation to the ``child`` annotation of one
    document. Deleting either span tombstones it (same ``deleted_at``), so that
    undoing the delete brings both back."""

    id: str
    doc_id: str
    head: str
    child: str
    type: str
    note: str = ""
    annotator: str = ""
    status: str = "accepted"
    origin: str = "manual"
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(slots=True)
class Attribute:
    """The value of one attribute on one annotation; clearing it is a tombstone."""

    annotation_id: str
    name: str
    value: str
    doc_id: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(slots=True)
class SpanRecord:
    """A span as an interchange format carries it: only start, end and label are required."""

    start: int
    end: int
    label: str
    text: str | None = None
    note: str = ""
    annotator: str | None = None
    status: str = "accepted"
    id: str | None = None
    origin: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    """Attribute name → value (a flag's value is :data:`FLAG_VALUE`)."""


@dataclass(slots=True)
class RelationRecord:
    """A relation as a format carries it: ``head`` and ``child`` are positions in
    the document record's ``spans``."""

    head: int
    child: int
    type: str
    note: str = ""
    annotator: str | None = None
    status: str = "accepted"
    id: str | None = None
    origin: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    directed: bool | None = None
    """Whether the format says the link goes one way (brat ``R``, Label Studio
    ``right``) or both (brat ``*``, Label Studio ``bi``); None when it does not say.
    A type an import creates takes it."""
    where: tuple[str, int] | None = None
    """The file and line it was read from, when not the record's own (brat's .ann)."""


@dataclass(slots=True)
class DocumentRecord:
    """A document as an interchange format carries it, with its spans.

    `line` is where the record started in its file, for error messages.
    """

    text: str
    title: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    id: str | None = None
    line: int | None = None
    relations: list[RelationRecord] = field(default_factory=list)
