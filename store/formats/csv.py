"""CSV, one row per annotation, for spreadsheets (export only).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, so article text such as ``=HYPERLINK(...)``
could act when the file is opened. Such cells get a leading single quote, which
spreadsheets show as plain text.
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


def safe_cell(value: object) -> object:
    """The value, with a quote before anything a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        for span in record.spans:
            writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        record.id, record.title, span.id, span.start, span.end, span.label,
                        span.text, span.note, span.annotator, span.status, span.created_at,
                        span.updated_at,
                    )
                ]
            )
