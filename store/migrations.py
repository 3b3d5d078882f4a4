"""The schema as a history of migrations, each applied once in its own transaction.

Only opening a file whose schema is older than this margin imports this module (and
sqlite-utils with it).
"""

from __future__ import annotations

from .compat import sqlite_utils
from .labels import DEFAULT_LABELS

migrations = sqlite_utils.Migrations("margin")
"""Applied in order on open by ``store.db``; ``store.db.SCHEMA_VERSION`` counts them."""


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db.table("documents").create(
        {
            "id": str,
            "title": str,
            "source": str,
            "meta": str,
            "text": str,
            "added_at": str,
            "added_by": str,
        },
        pk="id",
        not_null={"text"},
        defaults={"title": "", "source": "", "meta": "{}", "added_by": ""},
    )
    db.table("labels").create(
        {
            "name": str,
            "key": str,
            "color": str,
            "description": str,
            "position": int,
        },
        pk="name",
        defaults={"color": "#888888", "description": "", "position": 0},
    )
    db.table("annotations").create(
        {
            "id": str,
            "doc_id": str,
            "start": int,
            "end": int,
            "label": str,
            "quote": str,
            "prefix": str,
            "suffix": str,
            "note": str,
            "annotator": str,
            "status": str,
            "origin": str,
            "created_at": str,
            "updated_at": str,
            "deleted_at": str,
        },
        pk="id",
        not_null={"doc_id", "start", "end", "label", "annotator", "status"},
        defaults={
            "prefix": "",
            "suffix": "",
            "note": "",
            "status": "accepted",
            "origin": "manual",
        },
        foreign_keys=[("doc_id", "documents", "id"), ("label", "labels", "name")],
    )
    db.table("annotations").create_index(["doc_id", "start", "end"])
    db.table("annotations").create_index(["label"])
    db.table("annotations").create_index(["annotator"])
    db.table("annotations").create_index(["updated_at"])
    db.table("reading_state").create(
        {"doc_id": str, "annotator": str, "offset": int, "updated_at": str},
        pk=("doc_id", "annotator"),
        foreign_keys=[("doc_id", "documents", "id")],
    )
    db.table("documents").enable_fts(["title", "text"], create_triggers=True)
    db.table("labels").insert_all(
        [
            {
                "name": label.name,
                "key": label.key,
                "color": label.color,
                "description": label.description,
                "position": label.position,
            }
            for label in DEFAULT_LABELS
        ]
    )


@migrations(name="0002_review")
def _review(db: sqlite_utils.Database) -> None:
    """The adjudicator's record: one row per decision on a disagreement.

    The reviewer's spans themselves are ordinary annotations (origin ``review:...``);
    a row here says which annotators' spans were weighed (``source_ids``, each with
    the ``updated_at`` it had), which were copied (``adopted_ids``) and which
    annotations the decision created (``result_ids``). Rows are never updated, so
    merging them is inserting the missing ones.
    """
    db.table("reviews").create(
        {
            "id": str,
            "doc_id": str,
            "reviewer": str,
            "start": int,
            "end": int,
            "decision": str,
            "adopted_from": str,
            "source_ids": str,
            "adopted_ids": str,
            "result_ids": str,
            "created_at": str,
        },
        pk="id",
        not_null={"doc_id", "reviewer", "start", "end", "decision", "created_at"},
        defaults={"source_ids": "[]", "adopted_ids": "[]", "result_ids": "[]"},
        foreign_keys=[("doc_id", "documents", "id")],
    )
    db.table("reviews").create_index(["doc_id", "reviewer"])




LIVE = "deleted_at is null"


def _count_trigger(event: str, body: str) -> str:
    return f"create trigger annotation_counts_{event} after {event} on annotations begin {body} end"


def _bump(row: str, delta: int) -> str:
    return (
        f"insert into annotation_counts (doc_id, label, status, n) "
        f"select {row}.doc_id, {row}.label, {row}.status, {delta} where {row}.{LIVE} "
        f"on conflict (doc_id, label, status) do update set n = n + {delta};"
    )


@migrations(name="0003_counts_and_changes")
def _counts_and_changes(db: sqlite_utils.Database) -> None:
    """Two tables kept in step by triggers, inside the transaction of each write.

    ``documents.length`` is the text's length in characters, written with the row
    (``store.documents.document_row``), so listing documents with their progress never
    reads their texts.

    ``annotation_counts`` holds the number of live annotations per document, label and
    status, so the document list and ``margin documents`` read a few rows per
    document instead of counting a million annotations.

    ``changes`` is the feed other processes follow: every insert or update of an
    annotation, label or document appends its id with a growing sequence number, so a
    poll reads only what changed since the last one, whoever wrote it (the app, an
    import, a merge that carries old timestamps). Only the latest 100,000 entries are
    kept; a follower further behind than that reloads what it shows.
    """
    db.execute("alter table documents add column length integer")
    db.execute("update documents set length = length(text)")
    db.execute(
        "create table annotation_counts (doc_id text not null, label text not null, "
        "status text not null, n integer not null, primary key (doc_id, label, status)) without rowid"
    )
    db.execute(
        "insert into annotation_counts (doc_id, label, status, n) "
        f"select doc_id, label, status, count(*) from annotations where {LIVE} group by doc_id, label, status"
    )
    db.execute(_count_trigger("insert", _bump("new", 1)))
    db.execute(_count_trigger("delete", _bump("old", -1)))
    db.execute(_count_trigger("update", _bump("old", -1) + " " + _bump("new", 1)))
    db.execute(
        "create table changes (seq integer primary key autoincrement, kind text not null, "
        "row_id text not null, doc_id text)"
    )
    for table, kind, doc in (
        ("annotations", "annotation", "new.doc_id"),
        ("labels", "label", "null"),
        ("documents", "document", "new.id"),
    ):
        row_id = "new.name" if table == "labels" else "new.id"
        for event in ("insert", "update"):
            db.execute(
                f"create trigger changes_{table}_{event} after {event} on {table} begin "
                f"insert into changes (kind, row_id, doc_id) values ('{kind}', {row_id}, {doc}); end"
            )
    db.execute(
        "create trigger changes_labels_delete after delete on labels begin "
        "insert into changes (kind, row_id, doc_id) values ('label', old.name, null); end"
    )
    db.execute(
        "create trigger changes_keep_recent after insert on changes when new.seq % 1000 = 0 begin "
        "delete from changes where seq <= new.seq - 100000; end"
    )
    db.execute(
        "create trigger annotation_counts_drop_empty after update of n on annotation_counts when new.n = 0 begin "
        "delete from annotation_counts where doc_id = new.doc_id and label = new.label and status = new.status; end"
    )


@migrations(name="0004_label_history")
def _label_history(db: sqlite_utils.Database) -> None:
    """Removing and renaming a label become history that merges carry.

    A removed label keeps its row, marked ``retired_at`` (hidden from the app, the
    listings and the exports), and its annotations become tombstones, so an older
    copy of the database cannot bring them back in a merge. ``updated_at`` on a label
    orders its versions across copies the way it does for annotations.

    ``label_renames`` records each rename, so a merge maps an older copy's spans and
    label row from the old name to the new one instead of re-creating the old label.
    """
    db.execute("alter table labels add column retired_at text")
    db.execute("alter table labels add column updated_at text")
    db.execute(
        "create table label_renames (old text not null, new text not null, renamed_at text not null, "
        "primary key (old, renamed_at, new))"
    )


@migrations(name="0005_bookmarks")
def _bookmarks(db: sqlite_utils.Database) -> None:
    """Places an annotator marked in a document, to go back to (``store.bookmarks``).

    Rows carry ``updated_at`` and a ``deleted_at`` tombstone, as annotations do, so a
    merge lets the newest version win and a removed bookmark stays removed. They are
    not in the change feed: only the annotator who made them sees them, in the app
    that made them.
    """
    db.table("bookmarks").create(
        {
            "id": str,
            "doc_id": str,
            "annotator": str,
            "offset": int,
            "created_at": str,
            "updated_at": str,
            "deleted_at": str,
        },
        pk="id",
        not_null={"doc_id", "annotator", "offset", "created_at", "updated_at"},
        foreign_keys=[("doc_id", "documents", "id")],
    )
    db.table("bookmarks").create_index(["doc_id", "annotator", "offset"])


def _changes_triggers(db: sqlite_utils.Database, table: str, kind: str, row_id: str) -> None:
    for event in ("insert", "update"):
        db.execute(
            f"create trigger changes_{table}_{event} after {event} on {table} begin "
            f"insert into changes (kind, row_id, doc_id) values ('{kind}', {row_id}, new.doc_id); end"
        )


@migrations(name="0006_relations_and_attributes")
def _relations_and_attributes(db: sqlite_utils.Database) -> None:
    """Links between spans and values on them, each with the scheme that names them.

    ``relation_types`` and ``attribute_defs`` are kept like labels: a removed entry
    keeps its row (``retired_at``) and ``updated_at`` orders versions across copies;
    ``scheme_renames`` is their rename history (``scheme`` is ``relation`` or
    ``attribute``), as ``label_renames`` is for labels. Lists (allowed labels, values)
    are JSON arrays; an empty one means "any".

    ``relations`` link two annotations of one document and are tombstoned like them;
    ``attributes`` hold one value per annotation and attribute name, a cleared value
    being a tombstone. Both are in the change feed, by document.
    """
    db.table("relation_types").create(
        {
            "name": str,
            "key": str,
            "color": str,
            "description": str,
            "position": int,
            "directed": int,
            "head_labels": str,
            "child_labels": str,
            "retired_at": str,
            "updated_at": str,
        },
        pk="name",
        defaults={"color": "#888888", "description": "", "position": 0, "directed": 1,
                  "head_labels": "[]", "child_labels": "[]"},
    )
    db.table("attribute_defs").create(
        {
            "name": str,
            "kind": str,
            "choices": str,
            "labels": str,
            "key": str,
            "description": str,
            "position": int,
            "retired_at": str,
            "updated_at": str,
        },
        pk="name",
        defaults={"kind": "choice", "choices": "[]", "labels": "[]", "description": "", "position": 0},
    )
    db.execute(
        "create table scheme_renames (scheme text not null, old text not null, new text not null, "
        "renamed_at text not null, primary key (scheme, old, renamed_at, new))"
    )
    db.table("relations").create(
        {
            "id": str,
            "doc_id": str,
            "head": str,
            "child": str,
            "type": str,
            "note": str,
            "annotator": str,
            "status": str,
            "origin": str,
            "created_at": str,
            "updated_at": str,
            "deleted_at": str,
        },
        pk="id",
        not_null={"doc_id", "head", "child", "type", "annotator", "status"},
        defaults={"note": "", "status": "accepted", "origin": "manual"},
        foreign_keys=[("doc_id", "documents", "id"), ("head", "annotations", "id"),
                      ("child", "annotations", "id")],
    )
    db.table("relations").create_index(["doc_id"])
    db.table("relations").create_index(["head"])
    db.table("relations").create_index(["child"])
    db.table("relations").create_index(["type"])
    db.table("attributes").create(
        {
            "annotation_id": str,
            "name": str,
            "value": str,
            "doc_id": str,
            "annotator": str,
            "created_at": str,
            "updated_at": str,
            "deleted_at": str,
        },
        pk=("annotation_id", "name"),
        not_null={"value", "doc_id"},
        foreign_keys=[("annotation_id", "annotations", "id"), ("doc_id", "documents", "id")],
    )
    db.table("attributes").create_index(["doc_id"])
    db.table("attributes").create_index(["name"])
    _changes_triggers(db, "relations", "relation", "new.id")
    _changes_triggers(db, "attributes", "attribute", "new.annotation_id || char(31) || new.name")
    for table in ("relation_types", "attribute_defs"):
        db.execute(
            f"create trigger changes_{table}_write after insert on {table} begin "
            "insert into changes (kind, row_id, doc_id) values ('scheme', new.name, null); end"
        )
        db.execute(
            f"create trigger changes_{table}_update after update on {table} begin "
            "insert into changes (kind, row_id, doc_id) values ('scheme', new.name, null); end"
        )
        db.execute(
            f"create trigger changes_{table}_delete after delete on {table} begin "
            "insert into changes (kind, row_id, doc_id) values ('scheme', old.name, null); end"
        )
    from .schemes import DEFAULT_ATTRIBUTES, DEFAULT_RELATION_TYPES, attribute_row, relation_type_row

    stamp = "1970-01-01T00:00:00.000000Z"
    """Older than any edit, so a copy that changed a default wins a merge."""
    db.table("relation_types").insert_all([relation_type_row(kind, stamp) for kind in DEFAULT_RELATION_TYPES])
    db.table("attribute_defs").insert_all([attribute_row(attribute, stamp) for attribute in DEFAULT_ATTRIBUTES])


@migrations(name="0007_suggestions")
def _suggestions(db: sqlite_utils.Database) -> None:
    """What assisted annotation keeps beside the spans it suggests.

    ``suggestion_scores`` holds the score a suggester gave each span it made (status
    ``suggested``, origin ``suggest:<name>``); a span's row is never rewritten for it,
    so the annotations table and every format stay as they were.

    ``models`` holds what a suggester learned (the claim classifier), so everyone
    sharing a database shares it: ``data`` is the model's bytes, ``trained_on`` how
    many spans it learned from, ``updated_at`` orders versions in a merge.
    """
    db.execute(
        "create table suggestion_scores (annotation_id text primary key references annotations(id), "
        "score real not null)"
    )
    db.execute(
        "create table models (name text primary key, kind text not null, data blob not null, "
        "labels text not null default '[]', trained_on integer not null default 0, "
        "trained_at text not null, updated_at text not null)"
    )


@migrations(name="0008_versions")
def _versions(db: sqlite_utils.Database) -> None:
    """Revised texts of one document, and what re-anchoring did with its spans.

    ``document_versions`` has a row for each document that is a version: ``lineage``
    (the id of the first version), ``version`` (1, 2, ...), ``replaces`` (the version it
    was made from) and ``versioned_at``. A table of its own rather than columns of
    ``documents``: a column added there is stored after the text, and reading it would
    walk the whole text of a book. The newest version of a lineage is the one with the
    highest (version, versioned_at, id), a rule that gives the same answer on every
    machine after a merge.

    ``reanchored`` holds, per annotation, the last move onto a newer version: where
    it came from (``from_doc``, ``old_start``, ``old_end``, ``old_quote``), where it
    was tried (``to_doc``), how it was placed (``method``: diff, quote, fuzzy, manual,
    or orphan when it could not be), with what confidence, whether its text changed,
    and whether someone still has to look at it (``needs_review``; a partial index
    holds those few rows, which the reader asks for after every edit of a versioned
    document).
    """
    db.execute(
        "create table document_versions (doc_id text primary key references documents(id), "
        "lineage text not null, version integer not null, replaces text, versioned_at text not null)"
    )
    db.execute("create index document_versions_lineage on document_versions (lineage)")
    db.execute("create index documents_source on documents (source)")
    for event in ("insert", "update"):
        db.execute(
            f"create trigger changes_document_versions_{event} after {event} on document_versions begin "
            "insert into changes (kind, row_id, doc_id) values ('document', new.doc_id, new.doc_id); end"
        )
    db.execute(
        "create table reanchored (annotation_id text primary key references annotations(id), "
        "from_doc text not null, to_doc text not null, method text not null, "
        "confidence real not null, changed integer not null default 0, "
        "old_start integer not null, old_end integer not null, old_quote text not null, "
        "reason text not null default '', needs_review integer not null default 0, "
        "updated_at text not null)"
    )
    db.execute("create index reanchored_from_doc on reanchored (from_doc)")
    db.execute("create index reanchored_pending on reanchored (to_doc) where needs_review = 1")
    for event in ("insert", "update"):
        db.execute(
            f"create trigger changes_reanchored_{event} after {event} on reanchored begin "
            "insert into changes (kind, row_id, doc_id) values ('reanchor', new.annotation_id, new.to_doc); end"
        )


@migrations(name="0009_document_tokens")
def _document_tokens(db: sqlite_utils.Database) -> None:
    """``documents.tokens``: how many tokens agreement splits the text into
    (``store.tokens``), written with the row, so ``margin agreement`` on many
    documents reads only the text around the spans it compares.

    Documents stored before keep a null count, counted when agreement needs it:
    filling it in here would read every text of a large database on the first open.
    """
    db.execute("alter table documents add column tokens integer")
