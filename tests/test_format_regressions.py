"""Malformed doccano spans and comments are refused with one line naming the file
and line, through the command line, and leave the database empty."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from margin.store.db import open_database
from margin.tui.cli import cli

TEXT = "Ana said no."


def import_line(where: str, tmp_path, record: dict):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", where, "import", str(path)])
    db = open_database(where)
    stored = {
        table: db.execute(f"select count(*) from {table}").fetchone()[0] for table in ("documents", "annotations")
    }
    metas = [json.loads(meta) for (meta,) in db.execute("select meta from documents")]
    db.close()
    return path, result, stored, metas


@pytest.mark.parametrize(("spans", "reason"), [
    ([[[0], 3, "person"]], "person span: span offsets must be whole numbers, got [0], 3"),
    ([[0, {"at": 3}, "person"]], "person span: span offsets must be whole numbers, got 0, {'at': 3}"),
    ([[0, 3, ["person"]]], "label ['person'] is not usable: a label is a word, not list"),
])
def test_a_malformed_span_beside_comments_is_one_line(db_location, tmp_path, spans, reason):
    record = {"text": TEXT, "label": spans, "Comments": ['[0, 3, "person"] the speaker', "[[1], 2, \"p\"] hi"]}
    path, result, stored, _ = import_line(db_location, tmp_path, record)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"failed: {path}:1: {reason}"]
    assert stored == {"documents": 0, "annotations": 0}


@pytest.mark.parametrize("comment", [
    '[[1], 2, "p"] hi', '[0, [3], "person"] hi', '[0, 3, ["person"]] hi', '[0, 3.0, "person"] hi',
    '[true, 3, "person"] hi', '[0, 3, {"l": 1}] hi',
])
def test_a_comment_that_names_no_proper_span_is_kept_on_the_example(db_location, tmp_path, comment):
    """A comment shaped like a span that is not one (its offsets not whole numbers
    or its label not a string) is someone's comment on the example, kept as it is."""
    record = {"text": TEXT, "label": [[0, 3, "person"]], "Comments": [comment]}
    _, result, stored, metas = import_line(db_location, tmp_path, record)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert stored == {"documents": 1, "annotations": 1}
    assert metas == [{"Comments": [comment]}]
