"""CSV keeps the text exact by default, read back by Python's csv module and pandas;
``--safe-for-spreadsheets`` guards formula-like cells, and the guard can be undone."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import iter_documents
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.tui.cli import cli

STARTS = ("=", "+", "-", "@")
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def database(db_location, tmp_path, corpus):
    """The naughty-strings file with a span on each line that starts like a formula
    (or with a quote, or a tab), and an article whose title and text are formulas."""
    path = db_location
    db = open_database(path)
    article = {"title": "=1+1", "text": f"{FORMULA} was pasted in. @ana said +1 and -2.\n'tis so."}
    (tmp_path / "formula.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    assert import_paths(db, [corpus / "big-list-of-naughty-strings" / "blns.txt"], annotator="ana").ok
    assert import_paths(db, [tmp_path / "formula.jsonl"], format="margin", annotator="ana").ok
    ensure_labels(db, ["odd"])
    for document in iter_documents(db):
        position = 0
        for line in document.text.split("\n"):
            if line.startswith((*STARTS, "'", "\t")):
                add_annotation(db, document.id, position, position + len(line), "odd", annotator="ana", note=line)
            position += len(line) + 1
        text = document.text
        for start in (text.find("=HYPERLINK"), text.find("@ana"), text.find("+1"), text.find("-2")):
            if start >= 0:
                add_annotation(db, document.id, start, start + 4, "odd", annotator="ana")
    texts = {document.id: document.text for document in iter_documents(db)}
    db.close()
    return path, texts


def export_csv(path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(path), "export", "--format", "csv", *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_is_the_documents_text_by_default(database):
    path, texts = database
    rows = list(csv.DictReader(io.StringIO(export_csv(path), newline="")))
    starts = {start: 0 for start in STARTS}
    for row in rows:
        assert row["text"] == texts[row["doc_id"]][int(row["start"]) : int(row["end"])]
        if row["text"].startswith(STARTS):
            starts[row["text"][0]] += 1
    assert all(count > 0 for count in starts.values()), starts
    assert {row["title"] for row in rows} >= {"=1+1"}
    assert any(row["note"].startswith("-") for row in rows)


def test_pandas_reads_the_same_exact_text(database):
    pandas = pytest.importorskip("pandas")
    path, texts = database
    frame = pandas.read_csv(io.StringIO(export_csv(path)), dtype=str, keep_default_na=False)
    for doc_id, start, end, text in zip(frame["doc_id"], frame["start"], frame["end"], frame["text"]):
        assert text == texts[doc_id][int(start) : int(end)]


def test_safe_for_spreadsheets_guards_formula_cells_reversibly(database):
    path, texts = database
    rows = list(csv.DictReader(io.StringIO(export_csv(path, "--safe-for-spreadsheets"), newline="")))
    guarded = 0
    for row in rows:
        exact = texts[row["doc_id"]][int(row["start"]) : int(row["end"])]
        for column in ("text", "title", "note"):
            assert not row[column].startswith((*STARTS, "\t", "\r")), (column, row[column])
        if exact.startswith((*STARTS, "\t", "'")):
            assert row["text"] == "'" + exact
            guarded += 1
        else:
            assert row["text"] == exact
        assert row["text"].removeprefix("'") == exact  # one quote off undoes the guard
    assert guarded >= 30
    assert {row["title"] for row in rows} >= {"'=1+1"}


def test_the_option_is_refused_for_other_formats(database):
    path, _ = database
    result = CliRunner().invoke(cli, ["--db", str(path), "export", "--format", "doccano", "--safe-for-spreadsheets"])
    assert result.exit_code == 2
    assert "--safe-for-spreadsheets applies to --format csv" in result.output
