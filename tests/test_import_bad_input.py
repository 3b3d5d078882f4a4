"""Bad input: each case gives a one-line message naming the file (and line), a
non-zero exit from the command, and a database exactly as it was."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from margin.store import db as store_db
from margin.store.db import SCHEMA_VERSION, open_database
from margin.store.importing import import_paths
from margin.tui.cli import cli


def snapshot(db) -> dict[str, list[tuple]]:
    return {
        table: db.execute(f"select * from {table} order by rowid").fetchall()
        for table in ("documents", "annotations", "labels", "reading_state")
    }


@pytest.fixture
def seeded(fresh_db, tmp_path):
    """A database that already holds something, so 'unchanged' means something."""
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps({"text": "Existing article", "label": [[0, 8, "claim"]]}) + "\n")
    assert import_paths(fresh_db, [seed], annotator="ana").ok
    return fresh_db


def fails_alone(db, path, message: str, **options) -> None:
    """Importing ``path`` fails with exactly ``message`` and changes nothing."""
    before = snapshot(db)
    report = import_paths(db, [path], annotator="ana", **options)
    assert report.failed == [message]
    assert report.files == []
    assert snapshot(db) == before


def test_binary_file(seeded, tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    fails_alone(seeded, path, f"{path}: binary file, not text")


def test_text_in_no_known_encoding_names_the_byte(seeded, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"line one\nline \x81\x81 two")
    fails_alone(
        seeded, path,
        f"{path}:2: not UTF-8 (byte 0x81 at byte offset 14) nor cp1252; name its encoding with --encoding",
    )


def test_invalid_utf8_in_jsonl_names_the_line(seeded, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "fine", "label": []}\n{"text": "caf\xe9", "label": []}\n')
    fails_alone(seeded, path, f"{path}:2: not valid UTF-8 (byte 0xe9 at column 14)")


def test_malformed_jsonl_line_names_file_and_line(seeded, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "one", "label": []}\n\n{"text": "two", "label": [}\n')
    fails_alone(seeded, path, f"{path}:3: not valid JSON (Expecting value, column 27)")


def test_json_line_that_is_not_an_object(seeded, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "one", "label": []}\n[1, 2]\n')
    fails_alone(seeded, path, f"{path}:2: expected a JSON object, found list")


def test_span_out_of_range(seeded, tmp_path):
    path = tmp_path / "spans.jsonl"
    path.write_text(
        json.dumps({"text": "A fine article", "label": [[0, 1, "claim"]]}) + "\n"
        + json.dumps({"text": "short", "label": [[2, 50, "person"]]}) + "\n"
    )
    fails_alone(seeded, path, f"{path}:2: person span: span 2–50 is out of range for a text of 5 characters")


def test_span_whose_text_disagrees(seeded, tmp_path):
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps({"text": "Ana met Ben", "spans": [
        {"start": 0, "end": 3, "label": "person", "text": "Ana"},
        {"start": 4, "end": 7, "label": "person", "text": "Ben"}]}) + "\n")
    fails_alone(seeded, path, f"{path}:1: person span: span 4–7 reads 'met' in the document, not 'Ben'")


def test_record_without_text_fails_the_whole_file(seeded, corpus):
    path = corpus / "doccano" / "tests_sequence_labeling_example.jsonl"
    fails_alone(
        seeded, path,
        f'{path}:3: record has no "text"; nothing from this file was imported '
        "(each file is imported whole or not at all)",
    )


def test_unpaired_surrogate(seeded, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "half \\ud83d emoji"}\n')
    fails_alone(seeded, path, f"{path}:2: the text has an unpaired surrogate (\\ud83d) at character 5")


def test_discontinuous_brat_span(seeded, tmp_path):
    (tmp_path / "d.txt").write_text("New and York")
    (tmp_path / "d.ann").write_text("T1\tGPE 0 3\tNew\nT2\tGPE 0 3;8 12\tNew York\n")
    fails_alone(seeded, tmp_path / "d.txt",
                f"{tmp_path / 'd.ann'}:2: T2 is a discontinuous span (0 3;8 12); margin spans are contiguous")


def test_unknown_status(seeded, tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"text": "abc", "spans": [
        {"id": "x", "annotator": "a", "start": 0, "end": 1, "label": "claim", "status": "maybe"}]}) + "\n")
    fails_alone(seeded, path, f"{path}:1: claim annotation: status must be one of accepted, suggested, rejected, not 'maybe'")


def test_broken_label_studio_result(seeded, tmp_path):
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([{"data": {"text": "abc"}, "annotations": [{"result": [{"type": "labels", "value": {}}]}]}]))
    fails_alone(seeded, path, f"{path}:1: malformed result (missing 'labels')")


def test_markup_and_escape_sequences_are_imported_verbatim(fresh_db, tmp_path):
    body = (
        "[bold red]Breaking[/] [link=https://evil.example]click[/link]\n"
        "\x1b[2J\x1b[31mred\x1b[0m \x07bell \x1b]52;c;ZXZpbA==\x07 <script>alert(1)</script>\n"
        "{{ template }} ${HOME} %s \\n\tend"
    )
    (tmp_path / "markup.txt").write_text(body, encoding="utf-8")
    (tmp_path / "markup.jsonl").write_text(json.dumps({"text": body + " (json)", "label": [[0, 10, "claim"]]}) + "\n")
    report = import_paths(fresh_db, [tmp_path], annotator="ana")
    assert report.ok
    stored = {row[0] for row in fresh_db.execute("select text from documents")}
    assert stored == {body, body + " (json)"}
    assert fresh_db.execute("select quote from annotations").fetchone()[0] == "[bold red]"


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_database_from_a_newer_margin_is_refused_untouched(db_path, tmp_path):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db_path.read_bytes()
    (tmp_path / "a.txt").write_text("An article")
    for args in (["import", tmp_path / "a.txt"], ["export"]):
        result = run("--db", db_path, *args)
        assert result.exit_code == 1
        assert result.output.strip() == (
            f"Error: {db_path}: written by a newer margin (schema {SCHEMA_VERSION + 1}; this version reads "
            f"up to {SCHEMA_VERSION}); upgrade margin to open it"
        )
    assert db_path.read_bytes() == before


def test_database_that_is_not_margins_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer primary key, total real)")
    conn.close()
    text = tmp_path / "notes.db"
    text.write_text("just some notes, not a database at all")
    (tmp_path / "a.txt").write_text("An article")
    for path, message in ((other, "a SQLite database, but not margin's; left untouched"),
                          (text, "not a SQLite database; left untouched")):
        before = path.read_bytes()
        for args in (["import", tmp_path / "a.txt"], ["export"]):
            result = run("--db", path, *args)
            assert result.exit_code == 1
            assert result.output.strip() == f"Error: {path}: {message}"
        assert path.read_bytes() == before


def test_read_only_database_exports_but_refuses_imports(db_path, tmp_path, monkeypatch, corpus):
    """The file is made read-only; margin is also told so directly, because the
    superuser that may run the tests can write to any file regardless of its mode."""
    db = open_database(db_path)
    assert import_paths(db, [corpus / "doccano" / "export_sequence_labeling_example.jsonl"], annotator="a").ok
    db.close()
    db_path.chmod(0o444)
    monkeypatch.setattr(store_db, "is_writable", lambda path: False)
    before = db_path.read_bytes()
    result = run("--db", db_path, "export", "--format", "doccano")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    (tmp_path / "a.txt").write_text("An article")
    result = run("--db", db_path, "import", tmp_path / "a.txt")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {db_path}: read-only; importing needs write access"
    assert db_path.read_bytes() == before


def test_cli_bad_file_among_good_ones(tmp_path):
    db_path = tmp_path / "m.db"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Good article")
    (tmp_path / "in" / "b.txt").write_bytes(b"\x00\x01binary")
    result = run("--db", db_path, "import", tmp_path / "in")
    assert result.exit_code == 1
    assert f"failed: {tmp_path / 'in' / 'b.txt'}: binary file, not text" in result.stderr
    assert result.stdout.startswith("1 file(s) imported; 1 document(s) added")
