"""Exporting annotations in margin's JSON lines or another tool's format.

Documents are read in batches, with one annotation query per batch, and handed to
the format's writer as a stream of DocumentRecord; nothing holds the whole
database, so memory stays flat however large it is. Only live annotations are
exported (a tombstone is history, not an annotation).

Relations and attribute values come with their spans, read with one query each per
batch of documents: a document carries the shown relations (live, not rejected)
whose two ends are both among its exported spans and that pass the same status and
annotator filters, and each span its live values.

A document that has a newer version (``store.versions``) holds only the spans that
could not be placed on the newer text, its orphans: it is exported for them, with
the text they fit, and not as an empty document; ``orphans=False`` leaves those
spans and documents out. A document named in ``doc`` is exported either way. Which
documents of a batch are superseded is asked once per batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import IO

from . import formats
from .annotations import iter_annotations
from .attributes import documents_attributes
from .database import Database
from .documents import iter_documents, resolve_document
from .errors import MarginError
from .labels import require_label
from .model import REVIEW_PREFIX, STATUSES, DocumentRecord, Relation, RelationRecord, SpanRecord
from .relations import SELECT as RELATION_SELECT
from .review_status import OpenReview, export_reviewer, open_reviews
from .safe_output import database_files, refuse_database, safe_stem, same_file
from .schemes import list_attribute_defs, list_relation_types
from .versions import superseded

BATCH_DOCUMENTS = 200
FOLDER_FILE_SUFFIXES = (".txt", ".ann")
FOLDER_FIXED_NAMES = ("annotation.conf",)
"""What a folder writer (brat) names its files: ``<document id>.txt`` and ``.ann``,
and a configuration file."""


@dataclass(slots=True)
class ExportReport:
    documents: int = 0
    spans: int = 0
    relations: int = 0
    reviewer: str | None = None
    """``reviewed``: whose settled version was exported."""
    open_reviews: list[OpenReview] = field(default_factory=list)
    """``reviewed``: the documents in scope whose review is unfinished."""


def _as_list(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    values = [values] if isinstance(values, str) else list(values)
    return values or None


def iter_records(
    db: Database,
    *,
    label: str | Iterable[str] | None = None,
    annotator: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    doc: str | Iterable[str] | None = None,
    report: ExportReport | None = None,
    keep_empty: bool | None = None,
    reviewed: bool = False,
    orphans: bool = True,
) -> Iterator[DocumentRecord]:
    """Documents in the order they were added, each with its matching live spans in
    reading order; ``doc`` takes ids, id prefixes or titles. Documents with no
    matching span are left out when ``keep_empty`` is false, which is the default
    once a label, annotator or status filter is given. ``reviewed`` keeps only one
    reviewer's settled spans (see store.review_status.export_reviewer: two reviewers'
    versions would be duplicates), and notes in ``report`` the documents whose
    review is unfinished. ``orphans``: whether the spans left on superseded versions
    are exported (see the module docstring).

    The filters are checked (labels must exist, ``doc`` is resolved) at once, before any record is
    asked for, so a writer never starts on output that an error then cuts short."""
    labels, annotators, statuses = _as_list(label), _as_list(annotator), _as_list(status)
    for value in statuses or ():
        if value not in STATUSES:
            raise MarginError(f"status must be one of {', '.join(STATUSES)}, not {value!r}")
    for name in labels or ():
        require_label(db, name)
    doc_ids = [resolve_document(db, ref).id for ref in _as_list(doc) or ()] or None
    if keep_empty is None:
        keep_empty = not (labels or annotators or statuses or reviewed)
    origin_prefix = REVIEW_PREFIX if reviewed else None
    reviewer = export_reviewer(db, annotators) if reviewed else None
    if reviewer is not None:
        annotators = [reviewer]
        if report is not None:
            report.reviewer = reviewer
    return _records(db, doc_ids, labels, annotators, statuses, origin_prefix, keep_empty, report, reviewer, orphans)


def _records(
    db: Database,
    doc_ids: list[str] | None,
    labels: list[str] | None,
    annotators: list[str] | None,
    statuses: list[str] | None,
    origin_prefix: str | None,
    keep_empty: bool,
    report: ExportReport | None,
    reviewer: str | None = None,
    orphans: bool = True,
) -> Iterator[DocumentRecord]:
    named = set(doc_ids or ())
    documents = iter_documents(db, doc_ids, batch_size=BATCH_DOCUMENTS)
    while batch := list(islice(documents, BATCH_DOCUMENTS)):
        if reviewer is not None and report is not None:
            report.open_reviews.extend(open_reviews(db, reviewer, [document.id for document in batch]))
        spans: dict[str, list[SpanRecord]] = {}
        doc_ids = [document.id for document in batch]
        stale = superseded(db, doc_ids)
        with_spans = doc_ids if orphans else [doc_id for doc_id in doc_ids if doc_id not in stale]
        values = documents_attributes(db, with_spans)
        for annotation in iter_annotations(
            db, doc_ids=with_spans, label=labels,
            annotator=annotators, status=statuses, origin_prefix=origin_prefix,
        ):
            spans.setdefault(annotation.doc_id, []).append(
                SpanRecord(
                    start=annotation.start,
                    end=annotation.end,
                    label=annotation.label,
                    text=annotation.quote,
                    note=annotation.note,
                    annotator=annotation.annotator,
                    status=annotation.status,
                    id=annotation.id,
                    origin=annotation.origin,
                    created_at=annotation.created_at,
                    updated_at=annotation.updated_at,
                    attributes=values.get(annotation.id, {}),
                )
            )
        relations = _relations(db, doc_ids, annotators, statuses)
        for document in batch:
            document_spans = spans.get(document.id, [])
            if not _exported(document.id in stale and document.id not in named, bool(document_spans), keep_empty,
                             orphans):
                continue
            document_relations = _between(relations.get(document.id, []), document_spans)
            if report is not None:
                report.documents += 1
                report.spans += len(document_spans)
                report.relations += len(document_relations)
            yield DocumentRecord(
                text=document.text,
                title=document.title,
                source=document.source,
                meta=document.meta,
                spans=document_spans,
                id=document.id,
                relations=document_relations,
            )


def _exported(superseded_unnamed: bool, has_spans: bool, keep_empty: bool, orphans: bool) -> bool:
    """Whether a document is written: a superseded version nobody named only for its
    orphans, never empty; any other document by the usual rule."""
    if superseded_unnamed:
        return orphans and has_spans
    return keep_empty or has_spans


def _placeholders(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def _relations(
    db: Database, doc_ids: list[str], annotators: list[str] | None, statuses: list[str] | None
) -> dict[str, list[Relation]]:
    """document id → its live, unrejected relations that pass the filters, in the
    order made; one query for the whole batch."""
    # Both ends live is left to the caller, which keeps those between exported spans.
    where = [f"doc_id in ({_placeholders(doc_ids)})", "deleted_at is null", "status != 'rejected'"]
    values: list[str] = list(doc_ids)
    for column, wanted in (("annotator", annotators), ("status", statuses)):
        if wanted:
            where.append(f"{column} in ({_placeholders(wanted)})")
            values.extend(wanted)
    found: dict[str, list[Relation]] = {}
    for row in db.execute(f"{RELATION_SELECT} where {' and '.join(where)} order by created_at, id", values):
        relation = Relation(*row)
        found.setdefault(relation.doc_id, []).append(relation)
    return found


def _between(relations: list[Relation], spans: list[SpanRecord]) -> list[RelationRecord]:
    """The relations whose two ends are both exported, as positions in ``spans``."""
    if not relations:
        return []
    position = {span.id: index for index, span in enumerate(spans)}
    return [
        RelationRecord(
            head=position[relation.head], child=position[relation.child], type=relation.type,
            note=relation.note, annotator=relation.annotator, status=relation.status, id=relation.id,
            origin=relation.origin, created_at=relation.created_at, updated_at=relation.updated_at,
        )
        for relation in relations
        if relation.head in position and relation.child in position
    ]


def export(
    db: Database,
    out: IO[str] | str | os.PathLike,
    *,
    format: str = "margin",
    label: str | Sequence[str] | None = None,
    annotator: str | Sequence[str] | None = None,
    status: str | Sequence[str] | None = None,
    doc: str | Sequence[str] | None = None,
    options: dict | None = None,
    progress: Callable[[ExportReport], None] | None = None,
    reviewed: bool = False,
    orphans: bool = True,
) -> ExportReport:
    """Write the selected documents and spans to ``out`` (a text stream, or a
    directory for brat) in ``format``.

    Without ``status``, a format gets the statuses it can express: all of them for
    margin and CSV, accepted and suggested (as predictions) for Label Studio,
    accepted and rejected (as answers) for Prodigy, accepted only for the others.
    ``orphans``: whether spans left on superseded versions are written (the default).
    """
    fmt = formats.get(format, writing=True)
    report = ExportReport()
    asked_status = _as_list(status)
    records = iter_records(
        db, label=label, annotator=annotator,
        status=asked_status or fmt.export_statuses(),
        doc=doc, report=report, reviewed=reviewed, orphans=orphans,
        keep_empty=not (_as_list(label) or _as_list(annotator) or asked_status or reviewed),
    )
    if isinstance(out, (str, os.PathLike)):
        _refuse_database_in_folder(db, Path(out))
        records = _named_inside_folder(records)
    if progress is not None:
        records = _reporting(records, report, progress)
    options = dict(options or {})
    if fmt.name in ("brat", "label-studio"):
        # Both write a configuration naming the relation types and attributes, and
        # write undirected types and flags differently from the others.
        options.setdefault("relation_types", list_relation_types(db))
        options.setdefault("attribute_defs", list_attribute_defs(db))
    fmt.module().write(records, out, **options)
    return report


def _refuse_database_in_folder(db: Database, folder: Path) -> None:
    """A folder writer replaces files named after the documents; checked before it
    starts, so a database among those names is never half overwritten."""
    refuse_database(folder, [db.path])
    for name in database_files(db.path):
        written_there = name.suffix in FOLDER_FILE_SUFFIXES or name.name in FOLDER_FIXED_NAMES
        if written_there and same_file(name.parent, folder):
            raise MarginError(
                f"{folder}: holds the database {db.path}, which the export could overwrite; "
                "choose another folder"
            )


def _named_inside_folder(records: Iterable[DocumentRecord]) -> Iterator[DocumentRecord]:
    """Records whose ids are safe file names, since a folder writer names files by
    id and an id read from a foreign database (``../../x``) must not leave the folder."""
    for record in records:
        stem = safe_stem(record.id or "")
        yield record if stem == record.id else replace(record, id=stem)


def _reporting(
    records: Iterator[DocumentRecord], report: ExportReport, progress: Callable[[ExportReport], None]
) -> Iterator[DocumentRecord]:
    for record in records:
        yield record
        progress(report)
