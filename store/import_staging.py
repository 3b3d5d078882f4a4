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
from typing import TYPE_CHECKING

from .database import Database
from .timestamps import comparable

if TYPE_CHECKING:
    from .import_links import LinkRows

DOCUMENT_COLUMNS = ("id", "title", "source", "meta", "text", "added_at", "added_by", "length", "tokens")
ANNOTATION_COLUMNS = (
    "id", "doc_id", "start", "end", "label", "quote", "prefix", "suffix", "note", "annotator",
    "status", "origin", "created_at", "updated_at", "deleted_at",
)
RELATION_COLUMNS = (
    "id", "doc_id", "head", "child", "type", "note", "annotator", "status", "origin",
    "created_at", "updated_at", "deleted_at",
)
ATTRIBUTE_COLUMNS = ("annotation_id", "name", "value", "doc_id", "annotator", "created_at", "updated_at", "deleted_at")
TEMP_TABLES = ("import_documents", "import_annotations", "import_relations", "import_attributes")
_SAME_SPAN = (
    'a.doc_id = s.doc_id and a.start = s.start and a."end" = s."end" and a.label = s.label '
    "and a.annotator = s.annotator and a.deleted_at is null"
)


INTEGER_COLUMNS = frozenset({"start", "end", "length", "tokens"})


def _names(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


def _declared(columns: Sequence[str]) -> str:
    """Column definitions with their types, which a server needs and SQLite keeps."""
    return ", ".join(f'"{column}" {"integer" if column in INTEGER_COLUMNS else "text"}' for column in columns)


@dataclass(slots=True)
class Published:
    """What the publishing transaction added, beside what was staged."""

    documents_added: int
    documents_staged: int
    spans_added: int
    spans_staged: int
    spans_updated: int
    relations_added: int = 0
    relations_staged: int = 0
    relations_updated: int = 0
    attributes_added: int = 0
    attributes_staged: int = 0
    attributes_updated: int = 0


class Staging:
    """The TEMP tables of one file's import, on the importing connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Inside a caller's own transaction, committing the staged batches would
        # commit theirs too: then the rows are simply staged in that transaction.
        self.own_transactions = not db.conn.in_transaction
        self.documents = self.spans = 0
        for table in TEMP_TABLES:
            db.execute(f"drop table if exists temp.{table}")
        db.execute(f"create temp table import_documents ({_declared(DOCUMENT_COLUMNS)}, primary key (id))")
        db.execute(
            f"create temp table import_annotations ({_declared(ANNOTATION_COLUMNS)}, by_id integer not null, "
            "op text not null, primary key (id))"
        )
        db.execute(
            f"create temp table import_relations ({_declared(RELATION_COLUMNS)}, op text not null, primary key (id))"
        )
        db.execute(
            f"create temp table import_attributes ({_declared(ATTRIBUTE_COLUMNS)}, op text not null, "
            "primary key (annotation_id, name))"
        )
        self._commit()

    def _commit(self) -> None:
        if self.own_transactions and self.db.conn.in_transaction:
            self.db.conn.commit()

    def add(
        self,
        documents: Iterable[dict],
        inserts: Iterable[tuple[dict, bool]],
        updates: Iterable[dict],
        links: LinkRows | None = None,
    ) -> None:
        """One batch: new documents, spans to insert (with whether they matched by id),
        spans that are newer versions of stored ones, and their relations and values."""
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
                f"insert or replace into temp.import_annotations ({_names(ANNOTATION_COLUMNS)}, by_id, op) "
                f"values ({', '.join('?' * (len(ANNOTATION_COLUMNS) + 2))})",
                span_rows,
            )
        if links is not None:
            self._add_links(links)
        self.documents += len(document_rows)
        self.spans += len(span_rows)
        self._commit()

    def _add_links(self, links: LinkRows) -> None:
        relation_rows = [
            (*(row.get(column) for column in RELATION_COLUMNS), op)
            for op, rows in (("insert", links.relation_inserts), ("update", links.relation_updates))
            for row in rows
        ]
        if relation_rows:
            self.db.conn.executemany(
                f"insert or replace into temp.import_relations ({_names(RELATION_COLUMNS)}, op) "
                f"values ({', '.join('?' * (len(RELATION_COLUMNS) + 1))})",
                relation_rows,
            )
        attribute_rows = [(*(row[column] for column in ATTRIBUTE_COLUMNS), op) for row, op in links.attributes]
        if attribute_rows:
            # A later value for the same span and attribute wins, an update over an insert.
            self.db.conn.executemany(
                "insert into temp.import_attributes "
                f"values ({', '.join('?' * (len(ATTRIBUTE_COLUMNS) + 1))}) on conflict (annotation_id, name) "
                "do update set value = excluded.value, annotator = excluded.annotator, "
                "updated_at = excluded.updated_at, "
                "op = case when import_attributes.op = 'update' or excluded.op = 'update' then 'update' else 'insert' end",
                attribute_rows,
            )

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
            "and (s.by_id = 1 or not exists (select 1 from main.annotations a where a.doc_id = s.doc_id "
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
        published = Published(documents_added, staged_documents, spans_added, staged_inserts, spans_updated)
        self._publish_links(published)
        return published

    def _publish_links(self, published: Published) -> None:
        """Relations and values after their spans. A span another writer stored
        meanwhile was not inserted: its relations and values move to that writer's
        annotation, so that they point at a span that exists."""
        db = self.db
        for table, column in (("import_relations", "head"), ("import_relations", "child"),
                              ("import_attributes", "annotation_id")):
            db.execute(
                f"update temp.{table} set {column} = coalesce((select a.id from main.annotations a "
                f"join temp.import_annotations s on s.id = temp.{table}.{column} where {_SAME_SPAN} "
                f"order by a.created_at, a.id limit 1), {column}) "
                f"where {column} not in (select id from main.annotations)"
            )
        published.relations_staged = db.execute(
            "select count(*) from temp.import_relations where op = 'insert'").fetchone()[0]
        published.relations_added = db.execute(
            f"insert into relations ({_names(RELATION_COLUMNS)}) select {_names(RELATION_COLUMNS, 's.')} "
            "from temp.import_relations s where s.op = 'insert' and s.head != s.child "
            "and not exists (select 1 from main.relations r where r.id = s.id) "
            "and not exists (select 1 from main.relations r where r.head = s.head and r.child = s.child "
            "and r.type = s.type and r.annotator = s.annotator and r.deleted_at is null)"
        ).rowcount
        updated = ", ".join(f'"{column}" = excluded."{column}"' for column in RELATION_COLUMNS if column != "id")
        published.relations_updated = db.execute(
            f"insert into relations ({_names(RELATION_COLUMNS)}) select {_names(RELATION_COLUMNS)} "
            f"from temp.import_relations where op = 'update' and true on conflict (id) do update set {updated} "
            "where margin_comparable(excluded.updated_at) > margin_comparable(relations.updated_at)"
        ).rowcount
        published.attributes_staged = db.execute("select count(*) from temp.import_attributes").fetchone()[0]
        published.attributes_added = db.execute(
            f"insert into attributes ({_names(ATTRIBUTE_COLUMNS)}) select {_names(ATTRIBUTE_COLUMNS, 's.')} "
            "from temp.import_attributes s where not exists (select 1 from main.attributes v "
            "where v.annotation_id = s.annotation_id and v.name = s.name)"
        ).rowcount
        # A newer version of a span brings its values, once that version is stored.
        published.attributes_updated = db.execute(
            "update attributes set value = s.value, annotator = s.annotator, updated_at = s.updated_at, "
            "deleted_at = null from temp.import_attributes s join main.annotations a on a.id = s.annotation_id "
            "join temp.import_annotations t on t.id = s.annotation_id and t.op = 'update' "
            "where attributes.annotation_id = s.annotation_id and attributes.name = s.name and s.op = 'update' "
            "and a.updated_at = t.updated_at and (attributes.value != s.value or attributes.deleted_at is not null)"
        ).rowcount

    def close(self) -> None:
        """Drop the TEMP tables (a crash drops them too)."""
        if self.db.conn.in_transaction and self.own_transactions:
            self.db.conn.rollback()
        for table in TEMP_TABLES:
            self.db.execute(f"drop table if exists temp.{table}")
        self._commit()
