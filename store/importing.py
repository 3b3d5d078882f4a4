"""Importing files and directories into a margin database.

Each file is published in one transaction: it goes in whole or not at all, and a bad file is
reported as ``file:line: reason`` while the others go on. Documents are keyed by
their content id, so importing the same article twice adds nothing; spans are
checked against the stored text (never shifted to fit) and deduplicated among the
live annotations on (document, start, end, label, annotator), or by id for margin's
own JSON lines, where the newer ``updated_at`` wins. Relations and attribute values
go in with their spans, tied to the ids the spans end up with (``store.import_links``).

Newlines: the store keeps LF only. When a source's text had CRLF, offsets in that
source count the CR characters, so they are mapped through the normalisation
(each offset moves back by the CRs removed before it) and then checked against the
stored text like any other span.

Work goes in batches of records (one query for the documents and one for the
annotations already there), staged in TEMP tables without holding the write lock and
published in one short transaction at the end (``store.import_staging``), so large
imports stay fast, memory stays flat, and other writers wait only for the publishing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from . import formats
from .annotations import annotation_row, check_span
from .compat import chunks
from .database import Database
from .db import write
from .documents import document_row
from .errors import FormatError, MarginError, PermissionRefused, SpanError
from .import_checks import check_document, check_label, crlf_mapper, span_timestamps
from .import_dedupe import dedupe_spans
from .import_limits import check_size, import_limit, open_bounded
from .import_links import LinkImport, PendingAttributes, PendingRelation
from .import_plan import FileResult, ImportProgress, ImportReport, ImportUnit, VersionAdded, plan_imports
from .import_staging import Staging
from .labels import ensure_labels, list_labels
from .model import DocumentRecord, normalise_newlines

BATCH_RECORDS = 500
INSERT_BATCH = 1000
EMPTY = "empty, nothing imported"


class _FileImport:
    """The state of one file's import: checked rows staged, then published."""

    def __init__(
        self, db: Database, path: Path, fmt: str, annotator: str,
        warn: Callable[[str], None] | None, staging: Staging,
    ) -> None:
        self.db = db
        self.staging = staging
        self.labels_needed: set[str] = set()
        self.warn = warn
        self.name = str(path)
        self.source = os.path.abspath(path)
        self.annotator = annotator
        self.result = FileResult(path=str(path), format=fmt)
        self.known_labels = {label.name for label in list_labels(db)}
        self.usable_labels: set[str] = set()
        self.documents_seen: set[str] = set()
        self.added_ids: set[str] = set()
        self.own_sources: dict[str, str] = {}
        """Documents whose record named its own source (a URL), which identifies them."""
        self.links = LinkImport(db, self.name, annotator)

    def _rows(self, record: DocumentRecord) -> tuple[dict, list[tuple[dict, bool]]]:
        raw = record.text
        check_document(self.name, record)
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError as error:
            raise FormatError(
                self.name, record.line,
                f"the text has an unpaired surrogate (\\u{ord(raw[error.start]):04x}) at character {error.start}",
            ) from None
        meta = record.meta if isinstance(record.meta, dict) else {}
        doc = document_row(
            raw, title=str(record.title or ""), source=record.source or self.source, meta=meta,
            added_by=self.annotator,
        )
        text = doc["text"]
        mapper = crlf_mapper(raw)
        rows = []
        for span in record.spans:
            label = span.label
            if not (isinstance(label, str) and label in self.usable_labels):
                self.usable_labels.add(check_label(label, self.name, record.line))
            start, end = (mapper(span.start), mapper(span.end)) if mapper else (span.start, span.end)
            created_at, updated_at = span_timestamps(self.name, span, record.line)
            quote = normalise_newlines(span.text) if isinstance(span.text, str) else None
            try:
                row = annotation_row(
                    doc_id=doc["id"], text=text, start=start, end=end, label=label,
                    annotator=span.annotator or self.annotator, note=span.note or "",
                    status=span.status or "accepted", origin=span.origin or "import", id=span.id,
                    created_at=created_at, updated_at=updated_at,
                )
                if quote is not None and row["quote"] != quote:
                    check_span(text, start, end, quote)
            except MarginError as error:
                where = (
                    f" (offsets {span.start}–{span.end} in the file, which has CRLF newlines)"
                    if mapper and (start, end) != (span.start, span.end) else ""
                )
                kind = "span" if isinstance(error, SpanError) else "annotation"
                raise FormatError(self.name, record.line, f"{label} {kind}: {error}{where}") from None
            if span.id is not None and span.updated_at is None:
                # No time in the file: not newer than a stored version of the same span.
                row["_undated"] = True
            rows.append((row, span.id is not None))
        return doc, rows

    def store(self, records: list[DocumentRecord]) -> None:
        docs: dict[str, dict] = {}
        spans: list[tuple[dict, bool, int | None]] = []
        relations: list[PendingRelation] = []
        attributes: list[PendingAttributes] = []
        for record in records:
            if record.text == "":
                if self.warn is not None:
                    where = f"{self.name}:{record.line}" if record.line else self.name
                    self.warn(f"{where}: empty text; this record was left out")
                continue
            doc, rows = self._rows(record)
            if record.source:
                self.own_sources.setdefault(doc["id"], doc["source"])
            if record.relations or any(span.attributes for span in record.spans):
                record_relations, record_attributes = self.links.check(record, [row for row, _ in rows], len(spans))
                relations += record_relations
                attributes += record_attributes
            if doc["id"] in docs or doc["id"] in self.documents_seen:
                self.result.documents_present += 1
            docs.setdefault(doc["id"], doc)
            spans.extend((row, has_id, record.line) for row, has_id in rows)
        present = {
            row[0] for row in self.db.rows_in("select id from documents where id in ({})", list(docs))
        }
        for doc_id in docs:
            if doc_id in self.documents_seen:
                continue
            self.result.document_ids.append(doc_id)
            if doc_id in present:
                self.result.documents_present += 1
            else:
                self.result.documents_added += 1
        new_documents = [doc for doc_id, doc in docs.items() if doc_id not in present]
        self.added_ids.update(doc["id"] for doc in new_documents)
        stored_before = present | (self.documents_seen & docs.keys())
        self.documents_seen.update(docs)
        self.labels_needed.update(row["label"] for row, _, _ in spans)
        inserts, updates, span_ids, span_ops = dedupe_spans(
            self.db.rows_in, spans, stored_before, self.name, self.result
        )
        links = None
        if relations or attributes:
            counts = {"relations_present": 0}
            links = self.links.resolve(
                relations, attributes, [row for row, _, _ in spans], span_ids, span_ops, stored_before, counts
            )
            self.result.relations_present += counts["relations_present"]
        self.staging.add(new_documents, inserts, updates, links)
        self.result.spans_added += len(inserts)
        self.result.spans_updated += len(updates)

    def publish(self) -> None:
        """Inside the write transaction: the labels the file uses, then its rows.
        Counts become what was really added, should another writer have stored some
        of the same documents or spans while the file was being read."""
        self._ensure_labels(self.labels_needed)
        result = self.result
        types, attributes = self.links.ensure_schemes()
        result.relation_types_created.extend(types)
        result.attributes_created.extend(attributes)
        published = self.staging.publish()
        result.documents_present += published.documents_staged - published.documents_added
        result.documents_added = published.documents_added
        result.spans_present += published.spans_staged - published.spans_added
        result.spans_added = published.spans_added
        result.spans_updated = published.spans_updated
        result.relations_present += published.relations_staged - published.relations_added
        result.relations_added = published.relations_added
        result.relations_updated = published.relations_updated
        result.attributes_added = published.attributes_added
        result.attributes_updated = published.attributes_updated
        result.attributes_present = published.attributes_staged - published.attributes_added - published.attributes_updated

    def identities(self) -> dict[str, str]:
        """The documents of this file that their source identifies, by id: a record's own
        source that no other document of the file shares, or the file's path when it holds
        one document. A source many records share (the path of the file an export came
        from, which it writes into every record) says nothing of which article is which."""
        by_source: dict[str, set[str]] = {}
        for doc_id, source in self.own_sources.items():
            by_source.setdefault(source, set()).add(doc_id)
        found = {next(iter(ids)): source for source, ids in by_source.items() if len(ids) == 1}
        if not self.own_sources and len(self.result.document_ids) == 1:
            found[self.result.document_ids[0]] = self.source
        return found

    def _where(self, source: str) -> str:
        return "this file" if source == self.source else source

    def add_versions(self, warn: Callable[[str], None]) -> None:
        """Inside the write transaction, after :meth:`publish` (``--update``): each text
        new to the database that its source identifies becomes the next version of the
        document an earlier import took from there, and the annotations move onto it.
        A text already here (a file imported again, an export of this database) is left
        as it is: ``margin reanchor OLD NEW`` links two stored documents."""
        from .version_moves import add_version
        from .versions import previous_by_source

        for doc_id, source in self.identities().items():
            if doc_id not in self.added_ids:
                continue
            try:
                previous = previous_by_source(self.db, source, doc_id)
            except MarginError:
                warn(f"{self.name}: several documents came from {self._where(source)}, so this text was added "
                     f"as a separate document; margin reanchor OLD {doc_id[:12]} makes it a version of one")
                continue
            if previous is None:
                continue
            try:
                number, report = add_version(self.db, previous, doc_id)
            except MarginError as error:
                raise FormatError(self.name, None, str(error)) from None
            if number is not None:
                title = self.db.execute("select title from documents where id = ?", [doc_id]).fetchone()[0]
                self.result.versions.append(VersionAdded(doc_id, previous, number, title, report))

    def settle_older(self) -> None:
        """Inside the write transaction: spans this file put on an older version of a
        document (a colleague's export of it) move onto the newest, as a merge's do."""
        from .version_moves import settle
        from .versions import lineage_of, superseded

        older = superseded(self.db, self.result.document_ids)
        if older:
            self.result.moved = settle(self.db, sorted({lineage_of(self.db, doc_id) for doc_id in older}))

    def same_source_warnings(self) -> list[str]:
        """Without ``--update``: the new documents whose source already gave another
        text, found with one query per batch of sources, whatever the file holds."""
        identities = {doc_id: source for doc_id, source in self.identities().items() if doc_id in self.added_ids}
        stored: dict[str, list[str]] = {}
        for source, doc_id in self.db.rows_in(
            "select source, id from documents where source in ({}) order by rowid", set(identities.values())
        ):
            stored.setdefault(source, []).append(doc_id)
        warnings = []
        for doc_id, source in identities.items():
            others = [other for other in stored.get(source, []) if other != doc_id]
            if others:
                warnings.append(
                    f"{self.name}: a different text from {self._where(source)} is already here; added as a separate "
                    f"document (import --update makes a revised text a new version; to link these two: "
                    f"margin reanchor {others[-1][:12]} {doc_id[:12]})"
                )
        return warnings

    def _ensure_labels(self, labels: set[str]) -> None:
        missing = labels - self.known_labels
        if missing:
            created = ensure_labels(self.db, missing)
            self.result.labels_created.extend(label.name for label in created)
            self.known_labels.update(missing)

def _is_empty(path: Path) -> bool:
    """A file known to be empty without reading it: 0 bytes, or the null device."""
    try:
        return os.path.samefile(path, os.devnull) or (path.is_file() and path.stat().st_size == 0)
    except OSError:
        return False


def _read_options(fmt: formats.Format, options: dict) -> dict:
    return {key: value for key, value in options.items() if value is not None} if fmt.name == "doccano" else {}


def import_file(
    db: Database,
    path: Path,
    *,
    format: str | None,
    annotator: str,
    encoding: str | None = None,
    reader_options: dict | None = None,
    warn: Callable[[str], None] | None = None,
    on_batch: Callable[[int, FileResult], None] | None = None,
    max_bytes: int | None = None,
    update: bool = False,
) -> FileResult:
    """Import one file in one transaction; raises (and rolls back) on any error.

    ``update``: a document whose source (its own, or the file's when it is the file's
    only one) gave another text before becomes that document's next version, in the
    same transaction (``store.versions``); without it, such a document is added apart
    and ``warn`` says so.

    The file is read and checked into TEMP tables first (``store.import_staging``),
    holding no lock on the database, and published in one short write transaction.

    ``on_batch`` hears after each batch how far into the file the reader is (in
    bytes, where the format reads a stream) and what the file has added so far.
    Nothing past ``max_bytes`` (see :func:`store.import_limits.import_limit`) is read."""
    limit = import_limit(max_bytes)
    check_size(path, limit)
    name = format or formats.detect(path, warn=warn)
    if name is None:
        if _is_empty(path):
            raise FormatError(path, None, EMPTY)
        raise FormatError(path, None, "no format reads this kind of file; name one with --format")
    fmt = formats.get(name, reading=True)
    reader = fmt.module().read
    options = _read_options(fmt, reader_options or {})
    staging = Staging(db)
    try:
        state = _FileImport(db, path, name, annotator, warn, staging)
        if fmt.name == "brat":
            for member in fmt.module().pair(path):
                check_size(member, limit)
            records = reader(path, encoding=encoding, warn=warn, **options)
            _store_all(state, records, None, on_batch)
        else:
            with open_bounded(path, limit) as handle:
                records = reader(handle, encoding=encoding, warn=warn, **options)
                _store_all(state, records, handle, on_batch)
        with write(db):
            state.publish()
            if update:
                state.add_versions(warn or (lambda _message: None))
            state.settle_older()
        if not update and warn is not None:
            for warning in state.same_source_warnings():
                warn(warning)
    finally:
        staging.close()
    return state.result


def _store_all(
    state: _FileImport,
    records: Iterable[DocumentRecord],
    handle: IO[bytes] | None,
    on_batch: Callable[[int, FileResult], None] | None,
) -> None:
    for batch in map(list, chunks(records, BATCH_RECORDS)):
        state.store(batch)
        if on_batch is not None:
            on_batch(_position(handle), state.result)


def _position(handle: IO[bytes] | None) -> int:
    """How far into the file the reader is; 0 where that cannot be told (a pipe,
    such as /dev/stdin, has no position)."""
    try:
        return handle.tell() if handle is not None else 0
    except OSError:
        return 0


def import_paths(
    db: Database,
    paths: Iterable[str | os.PathLike],
    *,
    format: str | None = None,
    annotator: str,
    encoding: str | None = None,
    reader_options: dict | None = None,
    progress: Callable[[ImportProgress], None] | None = None,
    max_bytes: int | None = None,
    update: bool = False,
) -> ImportReport:
    """Import files and directories; see the module docstring for the rules.

    ``format`` forces one format (inside directories, only files with its
    extensions are taken); ``encoding`` forces the text encoding;
    ``reader_options`` go to the doccano reader (``text_key``, ``label_key``);
    ``max_bytes`` caps each file (default: ``MARGIN_MAX_IMPORT_BYTES``, else 512 MB);
    ``update`` makes a revised text a new version of the document from the same source.
    A file that holds no text is reported as a failure: nothing came of it.
    """
    if db.readonly:
        raise MarginError(f"{getattr(db, 'path', 'the database')}: read-only; importing needs write access")
    if not annotator:
        raise MarginError("importing needs an annotator name (--annotator)")
    forced = formats.get(format, reading=True) if format else None
    limit = import_limit(max_bytes)
    report = ImportReport()
    units = plan_imports(paths, forced, report)
    bytes_total = sum(unit.size for unit in units)
    bytes_done = documents = spans = 0

    def tell(path: Path, files_done: int, position: int = 0, current: FileResult | None = None) -> None:
        if progress is not None:
            progress(ImportProgress(
                str(path), files_done, len(units), bytes_done + position, bytes_total,
                documents + (current.documents_added + current.documents_present if current else 0),
                spans + (current.spans_added if current else 0),
            ))

    for done, unit in enumerate(units):
        warnings: list[str] = []

        def on_batch(position: int, current: FileResult, unit: ImportUnit = unit, done: int = done) -> None:
            tell(unit.path, done, min(position, unit.size), current)

        try:
            result = import_file(
                db, unit.path, format=unit.format, annotator=annotator, encoding=encoding,
                reader_options=reader_options, warn=warnings.append, on_batch=on_batch, max_bytes=limit,
                update=update,
            )
        except PermissionRefused as error:  # the server's refusal is said of the file that met it
            report.failed.append(f"{unit.path}: {error}")
        except MarginError as error:
            report.failed.append(str(error))
        except RecursionError:
            report.failed.append(f"{unit.path}: too deeply nested")
        except UnicodeEncodeError:
            report.failed.append(f"{unit.path}: holds an unpaired surrogate, which is not valid text")
        except (OSError, sqlite3.Error) as error:
            report.failed.append(f"{unit.path}: {getattr(error, 'strerror', None) or error}")
        else:
            report.warnings.extend(warnings)
            if result.documents_added or result.documents_present:
                report.files.append(result)
            else:
                report.failed.append(f"{unit.path}: {EMPTY}")
            documents += result.documents_added + result.documents_present
            spans += result.spans_added
        bytes_done += unit.size
        tell(unit.path, done + 1)
    return report
