"""Importing files and directories into a margin database.

Each file is one transaction: it goes in whole or not at all, and a bad file is
reported as ``file:line: reason`` while the others go on. Documents are keyed by
their content id, so importing the same article twice adds nothing; spans are
checked against the stored text (never shifted to fit) and deduplicated among the
live annotations on (document, start, end, label, annotator), or by id for margin's
own JSON lines, where the newer ``updated_at`` wins.

Newlines: the store keeps LF only. When a source's text had CRLF, offsets in that
source count the CR characters, so they are mapped through the normalisation
(each offset moves back by the CRs removed before it) and then checked against the
stored text like any other span.

Work goes in batches of records (one query for the documents and one for the
annotations already there, then ``insert_all``), so large imports stay fast and
memory stays flat.
"""

from __future__ import annotations

import os
import re
import sqlite3
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO

from sqlite_utils.utils import chunks

from . import formats
from .annotations import annotation_row, check_span
from .database import Database
from .db import write
from .documents import document_row
from .errors import FormatError, MarginError, SpanError
from .import_plan import FileResult, ImportProgress, ImportReport, ImportUnit, plan_imports
from .labels import ensure_labels, list_labels
from .model import DocumentRecord, normalise_newlines

BATCH_RECORDS = 500
INSERT_BATCH = 1000
QUERY_CHUNK = 500
_CRLF = re.compile("\r\n")



def _crlf_mapper(raw: str) -> Callable[[int], int] | None:
    """Maps an offset into ``raw`` to the same place once CRLF has become LF."""
    if "\r\n" not in raw:
        return None
    removed = [match.start() for match in _CRLF.finditer(raw)]
    return lambda offset: offset - bisect_left(removed, offset) if isinstance(offset, int) else offset

def _check_label(label: object, name: str, line: int | None) -> str:
    if not isinstance(label, str) or not label or any(ch.isspace() for ch in label):
        raise FormatError(
            name, line, f"label {label!r} is not usable: margin labels are single words without spaces"
        )
    return label

class _FileImport:
    """The state of one file's import, inside its transaction."""

    def __init__(
        self, db: Database, path: Path, fmt: str, annotator: str,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.warn = warn
        self.name = str(path)
        self.source = os.path.abspath(path)
        self.annotator = annotator
        self.result = FileResult(path=str(path), format=fmt)
        self.known_labels = {label.name for label in list_labels(db)}
        self.usable_labels: set[str] = set()
        self.documents_seen: set[str] = set()

    def _rows(self, record: DocumentRecord) -> tuple[dict, list[tuple[dict, bool]]]:
        raw = record.text
        if not isinstance(raw, str):
            raise FormatError(self.name, record.line, "the text must be a string")
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
        mapper = _crlf_mapper(raw)
        rows = []
        for span in record.spans:
            label = span.label
            if not (isinstance(label, str) and label in self.usable_labels):
                self.usable_labels.add(_check_label(label, self.name, record.line))
            start, end = (mapper(span.start), mapper(span.end)) if mapper else (span.start, span.end)
            quote = normalise_newlines(span.text) if isinstance(span.text, str) else None
            try:
                row = annotation_row(
                    doc_id=doc["id"], text=text, start=start, end=end, label=label,
                    annotator=span.annotator or self.annotator, note=span.note or "",
                    status=span.status or "accepted", origin=span.origin or "import", id=span.id,
                    created_at=span.created_at, updated_at=span.updated_at,
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
            rows.append((row, span.id is not None))
        return doc, rows

    def _existing(self, sql: str, values: Sequence[str]) -> list[tuple]:
        found = []
        for chunk in map(list, chunks(values, QUERY_CHUNK)):
            found.extend(self.db.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall())
        return found

    def store(self, records: list[DocumentRecord]) -> None:
        docs: dict[str, dict] = {}
        spans: list[tuple[dict, bool, int | None]] = []
        for record in records:
            if record.text == "":
                if self.warn is not None:
                    where = f"{self.name}:{record.line}" if record.line else self.name
                    self.warn(f"{where}: empty text; this record was left out")
                continue
            doc, rows = self._rows(record)
            if doc["id"] in docs or doc["id"] in self.documents_seen:
                self.result.documents_present += 1
            docs.setdefault(doc["id"], doc)
            spans.extend((row, has_id, record.line) for row, has_id in rows)
        present = {
            row[0] for row in self._existing("select id from documents where id in ({})", list(docs))
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
        stored_before = present | (self.documents_seen & docs.keys())
        self.documents_seen.update(docs)
        self._ensure_labels({row["label"] for row, _, _ in spans})
        if new_documents:
            self.db.table("documents").insert_all(new_documents, batch_size=INSERT_BATCH)
        inserts, updates = self._dedupe(spans, stored_before)
        if inserts:
            self.db.table("annotations").insert_all(inserts, batch_size=INSERT_BATCH)
        if updates:
            self.db.table("annotations").upsert_all(updates, pk="id", batch_size=INSERT_BATCH)
        self.result.spans_added += len(inserts)
        self.result.spans_updated += len(updates)

    def _ensure_labels(self, labels: set[str]) -> None:
        missing = labels - self.known_labels
        if missing:
            created = ensure_labels(self.db, missing)
            self.result.labels_created.extend(label.name for label in created)
            self.known_labels.update(missing)

    def _dedupe(
        self, spans: list[tuple[dict, bool, int | None]], stored_before: set[str]
    ) -> tuple[list[dict], list[dict]]:
        """New rows to insert and rows to update; the rest are already there.

        Only documents stored before this batch can hold matching annotations, so
        a batch of new documents costs no query at all."""
        ids = [row["id"] for row, has_id, _ in spans if has_id]
        by_id = {
            row[0]: (row[1], row[2])
            for row in self._existing("select id, doc_id, updated_at from annotations where id in ({})", ids)
        }
        keys = set(
            self._existing(
                'select doc_id, start, "end", label, annotator from annotations '
                "where deleted_at is null and doc_id in ({})",
                sorted(stored_before),
            )
        )
        inserts: list[dict] = []
        updates: list[dict] = []
        batch_ids: set[str] = set()
        for row, has_id, line in spans:
            key = (row["doc_id"], row["start"], row["end"], row["label"], row["annotator"])
            if has_id and (row["id"] in by_id or row["id"] in batch_ids):
                if row["id"] in batch_ids:
                    self.result.spans_present += 1
                    continue
                doc_id, updated_at = by_id[row["id"]]
                if doc_id != row["doc_id"]:
                    raise FormatError(
                        self.name, line, f"annotation {row['id']} belongs to another document in this database"
                    )
                if row["updated_at"] > (updated_at or ""):
                    updates.append(row)
                    keys.add(key)
                else:
                    self.result.spans_present += 1
                batch_ids.add(row["id"])
                continue
            if key in keys:
                self.result.spans_present += 1
                continue
            keys.add(key)
            batch_ids.add(row["id"])
            inserts.append(row)
        return inserts, updates

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
) -> FileResult:
    """Import one file in one transaction; raises (and rolls back) on any error.

    ``on_batch`` hears after each batch how far into the file the reader is (in
    bytes, where the format reads a stream) and what the file has added so far."""
    name = format or formats.detect(path)
    if name is None:
        raise FormatError(path, None, "no format reads this kind of file; name one with --format")
    fmt = formats.get(name, reading=True)
    reader = fmt.module().read
    options = _read_options(fmt, reader_options or {})
    with write(db):
        state = _FileImport(db, path, name, annotator, warn)
        if fmt.name == "brat":
            records = reader(path, encoding=encoding, warn=warn, **options)
            _store_all(state, records, None, on_batch)
        else:
            with open(path, "rb") as handle:
                records = reader(handle, encoding=encoding, warn=warn, **options)
                _store_all(state, records, handle, on_batch)
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
) -> ImportReport:
    """Import files and directories; see the module docstring for the rules.

    ``format`` forces one format (inside directories, only files with its
    extensions are taken); ``encoding`` forces the text encoding;
    ``reader_options`` go to the doccano reader (``text_key``, ``label_key``).
    """
    if db.readonly:
        raise MarginError(f"{getattr(db, 'path', 'the database')}: read-only; importing needs write access")
    if not annotator:
        raise MarginError("importing needs an annotator name (--annotator)")
    forced = formats.get(format, reading=True) if format else None
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
                reader_options=reader_options, warn=warnings.append, on_batch=on_batch,
            )
        except MarginError as error:
            report.failed.append(str(error))
        except UnicodeEncodeError:
            report.failed.append(f"{unit.path}: holds an unpaired surrogate, which is not valid text")
        except (OSError, sqlite3.Error) as error:
            report.failed.append(f"{unit.path}: {getattr(error, 'strerror', None) or error}")
        else:
            report.files.append(result)
            report.warnings.extend(warnings)
            if not (result.documents_added or result.documents_present):
                report.warnings.append(f"{unit.path}: no text in this file; nothing imported")
            documents += result.documents_added + result.documents_present
            spans += result.spans_added
        bytes_done += unit.size
        tell(unit.path, done + 1)
    return report
