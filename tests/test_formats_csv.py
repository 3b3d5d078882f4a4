"""CSV export: one row per annotation, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from margin.store.formats import csv as csv_format
from margin.store.model import DocumentRecord, SpanRecord


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_formula_cells_get_a_quote(dangerous):
    assert csv_format.safe_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize("plain", ["Ana", "1+1", " =x", "", 5])
def test_plain_cells_are_unchanged(plain):
    assert csv_format.safe_cell(plain) == plain


def test_rows_and_columns():
    text = '=HYPERLINK("http://evil")\nsaid "Ana", 40%'
    record = DocumentRecord(
        text=text, title="-title", id="d1",
        spans=[SpanRecord(0, 25, "claim", text[:25], note="@note", annotator="ana", status="accepted",
                          id="a1", created_at="c", updated_at="u"),
               SpanRecord(31, 36, "person", '"Ana"', note="multi\nline", annotator="ben", id="a2")],
    )
    out = io.StringIO()
    csv_format.write([record], out, safe_for_spreadsheets=True)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(csv_format.COLUMNS)
    assert rows[1] == ["d1", "'-title", "a1", "0", "25", "claim", "'" + text[:25], "'@note", "ana", "accepted", "c", "u"]
    assert rows[2][6] == '"Ana"' and rows[2][7] == "multi\nline"
    assert len(rows) == 3
