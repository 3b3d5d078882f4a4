"""Documents: adding them by content id, reading them back, listing and searching."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from .database import Database
from .db import write
from .errors import MarginError
from .model import Document, document_id, normalise_newlines, now_iso
from .tokens import count_tokens

DOCUMENT_COLUMNS = "id, title, source, meta, text, added_at, added_by"


def _row_to_document(row: dict | tuple) -> Document:
    if isinstance(row, tuple):
        row = dict(zip(("id", "title", "source", "meta", "text", "added_at", "added_by"), row))
    return Document(
        id=row["id"],
        text=row["text"],
        title=row["title"] or "",
        source=row["source"] or "",
        meta=json.loads(row["meta"] or "{}"),
        added_at=row["added_at"] or "",
        added_by=row["added_by"] or "",
    )


def default_title(text: str) -> str:
    """The first non-blank line, shortened: what a reader would call the article."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= 120 else line[:119] + "…"
    return "(empty)"


def document_row(
    text: str, *, title: str = "", source: str = "", meta: dict | None = None, added_by: str = ""
) -> dict:
    """The row for a document, text normalised and id derived from it."""
    text = normalise_newlines(text)
    return {
        "id": document_id(text),
        "title": title or default_title(text),
        "source": source,
        "meta": json.dumps(meta or {}, ensure_ascii=False),
        "text": text,
        "length": len(text),
        "tokens": count_tokens(text),
        "added_at": now_iso(),
        "added_by": added_by,
    }


def add_document(
    db: Database,
    text: str,
    *,
    title: str = "",
    source: str = "",
    meta: dict | None = None,
    added_by: str = "",
) -> tuple[Document, bool]:
    """Add a document unless one with the same text exists; returns it and whether it is new."""
    row = document_row(text, title=title, source=source, meta=meta, added_by=added_by)
    with write(db):
        existing = get_document(db, row["id"])
        if existing is not None:
            return existing, False
        db.table("documents").insert(row)
    return _row_to_document(row), True


def get_document(db: Database, doc_id: str) -> Document | None:
    row = db.execute(
        f"select {DOCUMENT_COLUMNS} from documents where id = ?", [doc_id]
    ).fetchone()
    return _row_to_document(row) if row else None


MIN_ID_PREFIX = 6
"""Hex characters a reference needs before it is taken as the start of an id."""


def resolve_document(db: Database, ref: str) -> Document:
    """A document by id, unique id prefix, or exact title, for ``--doc`` and ``open``;
    failing those, by the start of its title in any case (``margin open war`` opens
    "War and Peace"), so a book need not be named in full."""
    document = get_document(db, ref)
    if document is not None:
        return document
    # An id prefix only when it looks like one: "ace" or "cafe" are words, and a
    # title that starts so must not lose to an id that happens to.
    looks_like_id = len(ref) >= MIN_ID_PREFIX and all(c in "0123456789abcdefABCDEF" for c in ref)
    ids = [
        row[0]
        for row in db.execute(
            "select id from documents where (? = 1 and id like ?) or title = ? limit 3",
            [looks_like_id, ref.replace("%", "").replace("_", "") + "%", ref],
        ).fetchall()
    ]
    if len(ids) == 1:
        return get_document(db, ids[0])  # type: ignore[return-value]
    if ids:
        raise MarginError(f"{ref!r} matches several documents; give more of the id")
    pattern = ref.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    titled = db.execute(
        "select id, title from documents where title like ? escape '\\' limit 4", [pattern]
    ).fetchall() if ref.strip() else []
    if len(titled) == 1:
        return get_document(db, titled[0][0])  # type: ignore[return-value]
    if not titled:
        raise MarginError(f"no document matches {ref!r}")
    names = ", ".join(repr(title) for _, title in titled[:3]) + (", ..." if len(titled) > 3 else "")
    raise MarginError(f"{ref!r} begins several titles ({names}); give more of the title or the id")


def iter_documents(
    db: Database, doc_ids: list[str] | None = None, batch_size: int = 200
) -> Iterator[Document]:
    """Every document in insertion order, fetched in batches so memory stays flat."""
    where, params = "", []
    if doc_ids:
        where = f"where id in ({', '.join('?' for _ in doc_ids)})"
        params = list(doc_ids)
    last_rowid = 0
    while True:
        joiner = "and" if where else "where"
        rows = db.execute(
            f"select rowid, {DOCUMENT_COLUMNS} from documents {where} {joiner} rowid > ? "
            f"order by rowid limit {batch_size}",
            [*params, last_rowid],
        ).fetchall()
        if not rows:
            return
        for row in rows:
            yield _row_to_document(row[1:])
        last_rowid = rows[-1][0]


def count_documents(db: Database) -> int:
    return db.execute("select count(*) from documents").fetchone()[0]


@dataclass(slots=True)
class DocumentSummary:
    """A document list row: everything the list shows, without the text."""

    id: str
    title: str
    source: str
    length: int
    counts: dict[str, int] = field(default_factory=dict)
    position: int = 0
    version: int = 0
    """Its version number, 0 when the document has no versions (``store.versions``)."""
    superseded: bool = False
    """A newer version of it exists."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def progress(self) -> float:
        """How far the reader has got, 0–100."""
        if self.length <= 1:
            return 100.0 if self.position else 0.0
        return min(100.0, 100.0 * self.position / (self.length - 1))


def list_documents(
    db: Database,
    *,
    annotator: str | None = None,
    doc_ids: list[str] | None = None,
) -> list[DocumentSummary]:
    """Every document with its counts per label (live annotations only) and, for
    ``annotator``, the reading position."""
    where, params = "", []
    if doc_ids is not None:
        if not doc_ids:
            return []
        where = f"where id in ({', '.join('?' for _ in doc_ids)})"
        params = list(doc_ids)
    summaries = {
        row[0]: DocumentSummary(id=row[0], title=row[1], source=row[2], length=row[3])
        for row in db.execute(
            f"select id, title, source, coalesce(length, length(text)) from documents {where} order by rowid",
            params,
        ).fetchall()
    }
    for doc_id, counts in label_counts(db, None if doc_ids is None else list(summaries)).items():
        if doc_id in summaries:
            summaries[doc_id].counts = counts
    if annotator is not None:
        for doc_id, offset in db.execute(
            'select doc_id, "offset" from reading_state where annotator = ?', [annotator]
        ).fetchall():
            if doc_id in summaries:
                summaries[doc_id].position = offset
    return list(summaries.values())


def label_counts(db: Database, doc_ids: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Live, not rejected, annotations per document and label, read from the counts
    the schema's triggers keep (a few rows per document, whatever the annotations)."""
    where, params = "", []
    if doc_ids is not None:
        if not doc_ids:
            return {}
        where = f"and doc_id in ({', '.join('?' for _ in doc_ids)})"
        params = list(doc_ids)
    counts: dict[str, dict[str, int]] = {}
    for doc_id, label, count in db.execute(
        f"select doc_id, label, sum(n) from annotation_counts where status != 'rejected' and n > 0 {where} "
        "group by doc_id, label",
        params,
    ).fetchall():
        counts.setdefault(doc_id, {})[label] = count
    return counts


def search_documents(db: Database, query: str, limit: int = 200) -> list[str]:
    """Ids of documents matching a full-text query, best first (each backend has its
    own index: ``Database.search_documents``)."""
    return db.search_documents(query, limit)


def contains_pattern(text: str) -> str:
    """A ``like ... escape '\\'`` pattern matching ``text`` anywhere, its ``%`` and ``_``
    taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_titles(db: Database, query: str, limit: int = 30) -> list[tuple[str, str]]:
    """(id, title) of documents whose title contains ``query``, then of those whose
    text matches it, at most ``limit``: what a picker offers as the user types."""
    pattern = contains_pattern(query)
    found = dict(
        db.execute(
            "select id, title from documents where title like ? escape '\\' order by rowid limit ?",
            [pattern, limit],
        ).fetchall()
    )
    extra = [doc_id for doc_id in search_documents(db, query, limit=limit) if doc_id not in found]
    if extra and len(found) < limit:
        rows = db.execute(
            f"select id, title from documents where id in ({', '.join('?' for _ in extra)})", extra
        ).fetchall()
        found.update(list(rows)[: limit - len(found)])
    return list(found.items())
