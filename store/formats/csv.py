"""CSV, one row per annotation (export only), and a second file of relations.

By default every cell is the value itself: ``text`` is exactly the document's text
from ``start`` to ``end``, as the programs that read CSV (pandas, R, ``csv``, a
database's loader) need it. A spreadsheet, though, runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula, so article
text such as ``=HYPERLINK(...)`` could act when the file is opened there. Exported
with ``safe_for_spreadsheets``, such cells get a leading single quote, which
spreadsheets take as "show as text" and hide. A cell that really starts with a
quote gets one too, so that a guarded file can still be read back exactly: a
reader drops one leading quote from every cell that has one.

Attributes are columns of their own, ``attribute:<name>``, one per attribute some
exported span carries (sorted by name, after the fixed columns, so a script that
reads columns by position is not moved), empty where a span has none; a flag reads
``true``. Which attributes are used is known only once every span is read, so the
rows wait in a temporary file (in memory while small) until the header can be
written: memory stays flat, but nothing reaches the output before the end.

A CSV row has no place for a link between two rows, so relations go to a second
file beside the first (:func:`relations_path`: ``out.csv`` → ``out.relations.csv``),
one row per relation naming both its spans. Written only when the export goes to
a file (:func:`relations_output`); on standard output there is only the one stream.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..database import Server
from ..errors import MarginError
from ..model import DocumentRecord, SpanRecord
from ..safe_output import building, refuse_database

COLUMNS = (
    "doc_id", "title", "annotation_id", "start", "end", "label", "text", "note",
    "annotator", "status", "created_at", "updated_at",
)
ATTRIBUTE_PREFIX = "attribute:"
RELATION_COLUMNS = (
    "relation_id", "doc_id", "type",
    "head_annotation_id", "head_start", "head_end", "head_text",
    "child_annotation_id", "child_start", "child_end", "child_text",
    "annotator", "note", "status", "created_at", "updated_at",
)
RELATIONS_SUFFIX = ".relations.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
SPOOL_BYTES = 1 << 20
"""Rows held in memory before the spool moves to a temporary file on disk."""
LINE_END = "\r\n"


def safe_cell(value: object) -> object:
    """The value, with a quote before anything a spreadsheet would run as a formula
    and before a quote of its own (so that the guard can be told from the text)."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + value
    return value


def _row_writer(out: IO[str], safe_for_spreadsheets: bool):
    writer = csv.writer(out, lineterminator=LINE_END)

    def write_row(row: Sequence[object]) -> None:
        writer.writerow([safe_cell(value) for value in row] if safe_for_spreadsheets else row)

    return write_row


def _span_cells(record: DocumentRecord, span: SpanRecord) -> list[object]:
    return [
        record.id, record.title, span.id, span.start, span.end, span.label,
        record.text[span.start : span.end], span.note, span.annotator, span.status,
        span.created_at, span.updated_at,
    ]


def _relation_rows(record: DocumentRecord) -> Iterator[list[object]]:
    for relation in record.relations:
        head, child = record.spans[relation.head], record.spans[relation.child]
        yield [
            relation.id, record.id, relation.type,
            head.id, head.start, head.end, record.text[head.start : head.end],
            child.id, child.start, child.end, record.text[child.start : child.end],
            relation.annotator, relation.note, relation.status, relation.created_at, relation.updated_at,
        ]


def write(
    records: Iterable[DocumentRecord],
    out: IO[str],
    *,
    safe_for_spreadsheets: bool = False,
    relations: IO[str] | None = None,
) -> None:
    """Spans to ``out``; relations to ``relations`` when given (else they are not written)."""
    write_relation = _row_writer(relations, safe_for_spreadsheets) if relations is not None else None
    wrote_relations = False
    used: set[str] = set()
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8", newline="") as spool:
        for record in records:
            for span in record.spans:
                used.update(span.attributes)
                spool.write(json.dumps([_span_cells(record, span), span.attributes], ensure_ascii=False) + "\n")
            if write_relation is not None:
                for row in _relation_rows(record):
                    if not wrote_relations:  # no relations, no file (see relations_output)
                        write_relation(RELATION_COLUMNS)
                        wrote_relations = True
                    write_relation(row)
        names = sorted(used)
        write_row = _row_writer(out, safe_for_spreadsheets)
        write_row(header(names))
        spool.seek(0)
        for line in spool:
            cells, attributes = json.loads(line)
            write_row([*cells, *(attributes.get(name, "") for name in names)])


def relations_path(output: Path) -> Path:
    """Where the relations of a CSV export to ``output`` go: ``out.csv`` →
    ``out.relations.csv``, any other name with the suffix added."""
    name = output.name
    stem = name[: -len(".csv")] if name.lower().endswith(".csv") else name
    return output.with_name(stem + RELATIONS_SUFFIX)


@contextmanager
def relations_output(
    output: Path | None, *, databases: Iterable[str | Path | Server] = (), overwrite: bool = True
) -> Iterator[IO[str] | None]:
    """The relations file of a CSV export to ``output``, written as the main file is
    (built beside its name, moved into place whole and only if the export succeeds;
    never onto a database). Entered before the main file, so it is moved into place
    after it. None for standard output and for a device or a pipe, which have no
    folder to put a second file in. ``overwrite`` false refuses an existing file, as
    the app does. An export without relations writes no relations file (and removes
    one an earlier export left under that name)."""
    if output is None or (output.exists() and not output.is_file()):
        yield None
        return
    path = relations_path(output)
    refuse_database(path, databases)
    if not overwrite and path.exists():
        raise MarginError(f"{path}: already exists; choose a new name (the app never writes over a file)")
    try:
        with building(path, overwrite=overwrite) as temporary, temporary.open(
            "w", encoding="utf-8", newline=""
        ) as handle:
            yield handle
            if handle.tell() == 0:
                raise _NoRelations
    except _NoRelations:
        # No relations, no second file; and not an earlier export's either, whose
        # rows would read as this one's.
        if overwrite and path.is_file():
            path.unlink()


class _NoRelations(Exception):
    """Raised inside ``building`` so that it removes the unused file."""


def header(names: Iterable[str]) -> list[str]:
    """The spans file's header when spans carry the attributes ``names``."""
    return [*COLUMNS, *(ATTRIBUTE_PREFIX + name for name in sorted(names))]
