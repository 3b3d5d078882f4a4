"""Where an import's rows wait until the whole file has been read and checked.

Reading, checking and deduplicating a large file takes most of an import's time; doing
it inside the write transaction held the write lock for all of it, so every other
writer (the app, a colleague's import) waited, and some gave up. The rows go instead
into TEMP tables of the importing connection, in short transactions that lock
nothing in the database file; once the file is through, one transaction publishes
them with ``INSERT … SELECT``, re-checking against what other writers added in the
meantime. The file still goes in whole or not at all, and a crash at any point leaves
nothing behind: SQLite removes a connection's TEMP tables with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .database import Database
from .timestamps import comparable

DOCUMENT_COLUMNS = ("id", "title", "source", "meta", "text", "added_at", "added_by", "length")
ANNOTATION_COLUMNS = (
    "id", "doc_id", "start", "end", "label", "quote", "prefix", "suffix", "note", "annotator",
    "status", "origin", "created_at", "updated_at", "deleted_at",
)


def _names(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


@dataclass(slots=True)
class Published:
    """What the publishing transaction added, beside what was staged."""

    documents_added: int
    documents_staged: int
    spans_added: int
    spans_staged: int
    spans_updated: int


class Staging:
    """The TEMP tables of one file's import, on the importing connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Inside a caller's own transaction, committing the staged batches would
        # commit theirs too: then the rows are simply staged in that transaction.
        self.own_transactions = not db.conn.in_transaction
        self.documents = self.spans = 0
        db.execute("drop table if exists temp.import_documents")
        db.execute("drop table if exists temp.import_annotations")
        db.execute(f"create temp table import_documents ({_names(DOCUMENT_COLUMNS)}, primary key (id))")
        db.execute(
            f"create temp table import_annotations ({_names(ANNOTATION_COLUMNS)}, by_id integer not null, "
            "op text not null, primary key (id))"
        )
        self._commit()

    def _commit(self) -> None:
        if self.own_transactions and self.db.conn.in_transaction:
            self.db.conn.commit()

    def add(self, documents: Iterable[dict], inserts: Iterable[tuple[dict, bool]], updates: Iterable[dict]) -> None:
        """One batch: new documents, spans to insert (with whether they matched by id),
        spans that are newer versions of stored ones."""
        document_rows = [tuple(row.get(column) for column in DOCUMENT_COLUMNS) for row in documents]
        span_rows = [
            (*(row.get(column) for column in ANNOTATION_COLUMNS), int(by_id), "insert") for row, by_id in inserts
        ]
        span_rows += [(*(row.get(column) for column in ANNOTATION_COLUMNS), 1, "update") for row in updates]
        if document_rows:
            self.db.conn.executemany(
                f"insert or ignore into temp.import_documents values ({', '.join('?' * len(DOCUMENT_COLUMNS))})",
                document_rows,
            )
        if span_rows:
            self.db.conn.executemany(
                "insert or replace into temp.import_annotations "
                f"values ({', '.join('?' * (len(ANNOTATION_COLUMNS) + 2))})",
                span_rows,
            )
        self.documents += len(document_rows)
        self.spans += len(span_rows)
        self._commit()

    def publish(self) -> Published:
        """Move the staged rows into the database; call inside the write transaction.

        A document or span another writer stored meanwhile is left as theirs: only the
        missing are inserted, and a newer version replaces a stored span only if it is
        still newer than what is stored now."""
        db = self.db
        documents_added = db.execute(
            f"insert into documents ({_names(DOCUMENT_COLUMNS)}) select {_names(DOCUMENT_COLUMNS)} "
            "from temp.import_documents where id not in (select id from main.documents)"
        ).rowcount
        staged_documents = db.execute("select count(*) from temp.import_documents").fetchone()[0]
        spans_added = db.execute(
            f"insert into annotations ({_names(ANNOTATION_COLUMNS)}) select {_names(ANNOTATION_COLUMNS, 's.')} "
            "from temp.import_annotations s where s.op = 'insert' "
            "and not exists (select 1 from main.annotations a where a.id = s.id) "
            "and (s.by_id or not exists (select 1 from main.annotations a where a.doc_id = s.doc_id "
            'and a.start = s.start and a."end" = s."end" and a.label = s.label and a.annotator = s.annotator '
            "and a.deleted_at is null))"
        ).rowcount
        staged_inserts = db.execute("select count(*) from temp.import_annotations where op = 'insert'").fetchone()[0]
        updated = ", ".join(f'"{column}" = excluded."{column}"' for column in ANNOTATION_COLUMNS if column != "id")
        db.conn.create_function("margin_comparable", 1, comparable, deterministic=True)
        spans_updated = db.execute(
            f"insert into annotations ({_names(ANNOTATION_COLUMNS)}) select {_names(ANNOTATION_COLUMNS)} "
            f"from temp.import_annotations where op = 'update' and true on conflict (id) do update set {updated} "
            "where margin_comparable(excluded.updated_at) > margin_comparable(annotations.updated_at)"
        ).rowcount
        return Published(documents_added, staged_documents, spans_added, staged_inserts, spans_updated)

    def close(self) -> None:
        """Drop the TEMP tables (a crash drops them too)."""
        if self.db.conn.in_transaction and self.own_transactions:
            self.db.conn.rollback()
        self.db.execute("drop table if exists temp.import_documents")
        self.db.execute("drop table if exists temp.import_annotations")
        self._commit()
