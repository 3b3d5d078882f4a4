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

STATUSES = ("accepted", "suggested", "rejected")
CONTEXT_CHARS = 32
# Annotations a reviewer settled carry an origin starting with this (see store.review).
REVIEW_PREFIX = "review:"


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
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str | None = None
    color: str = "#888888"
    description: str = ""
    position: int = 0


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
