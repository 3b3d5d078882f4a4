"""CSV, one row per annotation (export only).

By default every cell is the value itself: ``text`` is exactly the document's text
from ``start`` to ``end``, as the programs that read CSV (pandas, R, ``csv``, a
database's loader) need it. A spreadsheet, though, runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula, so article
text such as ``=HYPERLINK(...)`` could act when the file is opened there. Exported
with ``safe_for_spreadsheets``, such cells get a leading single quote, which
spreadsheets take as "show as text" and hide. A cell that really starts with a
quote gets one too, so that a guarded file can still be read back exactly: a
reader drops one leading quote from every cell that has one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from ..model import DocumentRecord

COLUMNS = (
    "doc_id", "title", "annotation_id", "start", "end", "label", "text", "note",
    "annotator", "status", "created_at", "updated_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def safe_cell(value: object) -> object:
    """The value, with a quote before anything a spreadsheet would run as a formula
    and before a quote of its own (so that the guard can be told from the text)."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + value
    return value


def write(records: Iterable[DocumentRecord], out: IO[str], *, safe_for_spreadsheets: bool = False) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        for span in record.spans:
            row: list[object] = [
                record.id, record.title, span.id, span.start, span.end, span.label,
                record.text[span.start : span.end], span.note, span.annotator, span.status,
                span.created_at, span.updated_at,
            ]
            writer.writerow([safe_cell(value) for value in row] if safe_for_spreadsheets else row)
