"""Input that used to be stored wrongly, crash the command or be read without end:
each is refused as ``file:line: reason`` with a non-zero exit, nothing from that file
is stored, and the other files of the same run still import."""

from __future__ import annotations

import codecs
import itertools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store import import_limits
from margin.store.annotations import query_annotations
from margin.store.db import open_database
from margin.store.merge import merge_databases
from margin.store.model import now_iso
from margin.tui.cli import cli

GOOD_TEXT = "A good article that imports."
_GOOD_FILES = itertools.count()
NESTED = 100_000  # far past the recursion limit


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(arg) for arg in args], **kwargs)


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    db = open_database(db_path)
    try:
        return {
            table: db.execute(f"select * from {table} order by rowid").fetchall()
            for table in ("documents", "annotations", "labels")
        }
    finally:
        db.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A database that already holds an article with a span."""
    db_path = tmp_path / "m.db"
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps({"text": "Existing article", "label": [[0, 8, "claim"]]}) + "\n")
    assert run("--db", db_path, "import", seed).exit_code == 0
    return db_path


def jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def margin_record(text: str, *spans: dict, **fields: object) -> dict:
    return {"id": None, "title": "", "source": "", "meta": {}, "text": text, "spans": list(spans), **fields}


def margin_span(start: int, end: int, label: str = "person", **fields: object) -> dict:
    return {"id": fields.pop("id", f"s{start}"), "annotator": "ana", "start": start, "end": end,
            "label": label, **fields}


def refused(
    db_path: Path, tmp_path: Path, bad: Path | str, message: str, *options: object, good_suffix: str = ".txt"
) -> None:
    """Importing ``bad`` with a good file fails ``bad`` alone with ``message``."""
    number = next(_GOOD_FILES)
    good_text = f"{GOOD_TEXT} ({number})"
    good = tmp_path / "zz-good" / f"good-{number}{good_suffix}"
    good.parent.mkdir(exist_ok=True)
    good.write_text(good_text if good_suffix == ".txt" else json.dumps({"text": good_text}) + "\n")
    before = snapshot(db_path)
    result = run("--db", db_path, "import", *options, bad, good)
    assert result.exit_code == 1, result.output
    assert f"failed: {message}\n" in result.stderr, result.stderr
    assert result.stdout.startswith("1 file(s) imported; 1 document(s) added"), result.stdout
    after = snapshot(db_path)
    assert after["annotations"] == before["annotations"]
    assert after["labels"] == before["labels"]
    assert [row[4] for row in after["documents"]] == [row[4] for row in before["documents"]] + [good_text]


# 3. timestamps


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("updated_at", "9999-zzz", "not an ISO 8601 date and time"),
    ("created_at", "yesterday", "not an ISO 8601 date and time"),
    ("updated_at", "9999-12-31T23:59:59Z", "in the future"),
])
def test_bad_timestamps_are_refused(seeded, tmp_path, field, value, reason):
    path = jsonl(tmp_path / "t.jsonl", margin_record("Ana here"),
                 margin_record("Ana met Ben", margin_span(0, 3, **{field: value})))
    refused(seeded, tmp_path, path, f"{path}:2: bad timestamp '{value}' ({reason})")


def test_timestamps_are_stored_in_utc_with_microseconds(fresh_db, tmp_path):
    from margin.store.importing import import_paths

    path = jsonl(tmp_path / "t.jsonl", margin_record("Ana met Ben", margin_span(
        0, 3, created_at="2024-01-01T10:00:00+02:00", updated_at="2024-01-02T03:04:05.5Z")))
    assert import_paths(fresh_db, [path], annotator="x").ok
    [annotation] = query_annotations(fresh_db)
    assert (annotation.created_at, annotation.updated_at) == (
        "2024-01-01T08:00:00.000000Z", "2024-01-02T03:04:05.500000Z")


def _span_stamped(db, annotation_id: str, stamp: str, note: str) -> None:
    db.execute("update annotations set updated_at = ?, note = ? where id = ?", [stamp, note, annotation_id])
    db.conn.commit()


def test_an_odd_stored_timestamp_loses_to_a_real_newer_edit(tmp_path):
    """A database written before timestamps were checked may hold any string; it
    must not outrank a real edit, in a merge or in an import."""
    from margin.store.importing import import_paths

    path = jsonl(tmp_path / "t.jsonl", margin_record("Ana met Ben", margin_span(0, 3, id="a1")))
    ours, theirs = open_database(tmp_path / "ours.db"), open_database(tmp_path / "theirs.db")
    for db in (ours, theirs):
        assert import_paths(db, [path], annotator="x").ok
    _span_stamped(ours, "a1", "9999-zzz", "odd")
    _span_stamped(theirs, "a1", now_iso(), "real edit")
    report = merge_databases(ours, [theirs])
    assert report.tables["annotations"].updated == 1
    assert [a.note for a in query_annotations(ours)] == ["real edit"]

    _span_stamped(ours, "a1", "9999-zzz", "odd")
    newer = jsonl(tmp_path / "newer.jsonl", margin_record(
        "Ana met Ben", margin_span(0, 3, id="a1", note="imported", updated_at="2025-01-01T00:00:00Z")))
    assert import_paths(ours, [newer], annotator="x").spans_updated == 1
    assert [a.note for a in query_annotations(ours)] == ["imported"]


# 6. nesting


def test_deeply_nested_json_line(seeded, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"text": "fine", "label": []}) + "\n"
                    + '{"text": "x", "meta": ' + "[" * NESTED + "]" * NESTED + "}\n")
    refused(seeded, tmp_path, path, f"{path}:2: too deeply nested")


def test_deeply_nested_json_file(seeded, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * NESTED + "]" * NESTED)
    refused(seeded, tmp_path, path, f"{path}:1: too deeply nested")


def test_meta_nested_past_the_cap(seeded, tmp_path):
    meta: dict = {}
    for _ in range(40):
        meta = {"a": meta}
    path = jsonl(tmp_path / "m.jsonl", {"text": "Ana met Ben", "spans": [], "meta": meta})
    refused(seeded, tmp_path, path, f"{path}:1: meta is too deeply nested (more than 32 levels)")


# 7. size


def test_file_over_the_size_limit(seeded, tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    message = (f"{path}: 4.9 KB, over the import limit of 4 KB; raise it with --max-size or "
               "MARGIN_MAX_IMPORT_BYTES")
    refused(seeded, tmp_path, path, message, "--max-size", "4K")
    monkeypatch.setenv("MARGIN_MAX_IMPORT_BYTES", "4096")
    refused(seeded, tmp_path, path, message)
    assert run("--db", seeded, "import", path, "--max-size", "5K").exit_code == 0


def test_endless_device_is_read_only_up_to_the_limit(seeded, tmp_path):
    refused(seeded, tmp_path, "/dev/zero",
            "/dev/zero: more than the import limit of 64 KB; raise it with --max-size or MARGIN_MAX_IMPORT_BYTES",
            "--format", "text", "--max-size", "64K")


def test_default_limit_applies(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(import_limits, "DEFAULT_MAX_BYTES", 1024)
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": "x" * 2000}) + "\n")
    refused(seeded, tmp_path, path,
            f"{path}: 2 KB, over the import limit of 1 KB; raise it with --max-size or MARGIN_MAX_IMPORT_BYTES")


def test_bad_size_option_is_a_usage_error(seeded, tmp_path):
    result = run("--db", seeded, "import", "--max-size", "lots", tmp_path)
    assert result.exit_code == 2 and "'lots' is not a size" in result.output


# 8. accepted although wrong


def test_boolean_end_offset(seeded, tmp_path):
    path = jsonl(tmp_path / "b.jsonl", {"text": "Ana met Ben", "label": [[0, True, "person"]]})
    refused(seeded, tmp_path, path, f"{path}:1: person span: span offsets must be whole numbers, got 0, True")


def test_duplicate_brat_id(seeded, tmp_path):
    (tmp_path / "d.txt").write_text("Ana and Ben")
    (tmp_path / "d.ann").write_text("T3\tperson 0 3\tAna\nT3\tperson 8 11\tBen\n")
    refused(seeded, tmp_path, tmp_path / "d.txt", f"{tmp_path / 'd.ann'}:2: duplicate id T3")


def test_forced_brat_needs_one_of_the_pair(seeded, tmp_path):
    jsonl(tmp_path / "x.jsonl", {"text": "Ana"})
    (tmp_path / "x.txt").write_text("The sibling text, not what was named")
    (tmp_path / "y.txt").write_text("A lone text")
    before = snapshot(seeded)
    result = run("--db", seeded, "import", "--format", "brat", tmp_path / "x.jsonl", tmp_path / "y.txt")
    assert result.exit_code == 1
    assert result.stderr == (
        f"failed: {tmp_path / 'x.jsonl'}: brat reads a .txt file and its .ann; name one of the pair, not this file\n"
        f"failed: {tmp_path / 'y.txt'}: no annotation file y.ann beside it; brat reads a .txt and .ann pair\n"
    )
    assert snapshot(seeded) == before


def test_unreadable_folder_is_reported(seeded, tmp_path, monkeypatch):
    """Simulated, since the tests may run as a user that can read any folder."""
    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "locked" / "hidden.txt").write_text("Never seen")
    (tree / "open.txt").write_text(GOOD_TEXT)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == tree / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("--db", seeded, "import", tree)
    assert result.exit_code == 1
    assert result.stderr == (
        f"failed: {tree / 'locked'}: cannot read this folder (Permission denied); nothing in it was imported\n"
    )
    assert result.stdout.startswith("1 file(s) imported; 1 document(s) added")


def test_label_studio_task_without_text(seeded, tmp_path):
    path = tmp_path / "images.json"
    path.write_text(json.dumps([{"data": {"image": "https://example.org/cat.png"}}]))
    refused(seeded, tmp_path, path, f'{path}:1: task has no "data.text"; nothing from this file was imported '
            "(margin reads text tasks, and this one's data holds \"image\")")


def test_html_page_without_an_article(seeded, tmp_path):
    path = tmp_path / "links.html"
    path.write_text('<html><body><a href="/x">a</a></body></html>')
    refused(seeded, tmp_path, path, f"{path}: no article text found in this HTML page (only 1 word)")


def test_doccano_label_that_is_a_string(seeded, tmp_path):
    path = jsonl(tmp_path / "c.jsonl", {"text": "A fine day", "label": "positive"})
    refused(seeded, tmp_path, path,
            f"{path}:1: malformed span (\"label\" must be a list of [start, end, label] spans, found str 'positive')")


@pytest.mark.parametrize("title", [{"a": 1}, ["x"]])
def test_title_that_is_not_a_string(seeded, tmp_path, title):
    path = jsonl(tmp_path / "t.jsonl", margin_record("Ana met Ben", title=title))
    refused(seeded, tmp_path, path, f'{path}:1: "title" must be a string, found {type(title).__name__}')
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"data": {"text": "Ana met Ben", "title": title}}]))
    refused(seeded, tmp_path, tasks, f'{tasks}:1: "title" must be a string, found {type(title).__name__}')


def test_nul_in_json_text(seeded, tmp_path):
    path = jsonl(tmp_path / "n.jsonl", {"text": "Ana\u0000 met Ben", "label": []})
    refused(seeded, tmp_path, path,
            f"{path}:1: the text holds a NUL character (\\u0000) at character 3; binary data, not text")


# 9. empty input


@pytest.mark.parametrize(("name", "content"), [
    ("empty.txt", ""), ("blank.txt", "  \n\n\t "), ("none.jsonl", "\n\n"), ("none.json", "[]"),
    ("blank-texts.jsonl", json.dumps({"text": ""}) + "\n"),
])
def test_empty_input_is_not_imported(seeded, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    refused(seeded, tmp_path, path, f"{path}: empty, nothing imported")


@pytest.mark.parametrize("options", [(), ("--format", "margin")])
def test_dev_null_is_empty(seeded, tmp_path, options):
    refused(seeded, tmp_path, "/dev/null", "/dev/null: empty, nothing imported", *options, good_suffix=".jsonl")


# 10. encodings and empty spans


@pytest.mark.parametrize(("mark", "codec"), [
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_files_with_a_byte_order_mark_are_decoded(fresh_db, tmp_path, mark, codec):
    from margin.store.importing import import_paths

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(mark + "Grüße aus Köln\r\nzweite Zeile".encode(codec))
    line = json.dumps({"text": "Ana trifft Ben", "label": [[0, 3, "person"]]}, ensure_ascii=False)
    (folder / "b.jsonl").write_bytes(mark + (line + "\n").encode(codec))
    tasks = json.dumps([{"data": {"text": "Ana ruft an"}}], ensure_ascii=False)
    (folder / "c.json").write_bytes(mark + tasks.encode(codec))
    report = import_paths(fresh_db, [folder], annotator="x")
    assert report.ok, report.failed
    texts = {row[0] for row in fresh_db.execute("select text from documents")}
    assert texts == {"Grüße aus Köln\nzweite Zeile", "Ana trifft Ben", "Ana ruft an"}
    assert [a.quote for a in query_annotations(fresh_db)] == ["Ana"]


def test_utf16_without_a_mark_names_the_encoding_to_use(seeded, tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes("Hello world, no mark here".encode("utf-16-le"))
    refused(seeded, tmp_path, path, f"{path}: binary file, not text (it looks like UTF-16 without a "
            "byte-order mark: name it with --encoding utf-16-le)")
    assert run("--db", seeded, "import", "--encoding", "utf-16-le", path).exit_code == 0


def test_broken_utf16_names_the_byte_offset(seeded, tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Hi".encode("utf-16-le") + b"\x00\xdc")
    refused(seeded, tmp_path, path,
            f"{path}: not valid UTF-16-LE (illegal encoding at byte offset 6); name its encoding with --encoding")


def test_empty_span_says_so(seeded, tmp_path):
    path = jsonl(tmp_path / "e.jsonl", {"text": "Ana met Ben", "label": [[4, 4, "person"]]})
    refused(seeded, tmp_path, path, f"{path}:1: person span: empty span at 4: a span needs at least one character")


# 14. margin spans match by id


def test_margin_spans_with_ids_are_matched_by_id_only(tmp_path):
    db_path = tmp_path / "m.db"
    stamp = "2025-05-01T12:00:00.000000Z"
    path = jsonl(tmp_path / "m.jsonl", margin_record(
        "Ana met Ben", *(margin_span(0, 3, id=name, created_at=stamp, updated_at=stamp) for name in ("first", "second"))))
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 0, result.output
    assert "2 span(s) added, 0 already present" in result.stdout
    result = run("--db", db_path, "import", path)
    assert "0 span(s) added, 2 already present" in result.stdout
    db = open_database(db_path)
    assert sorted(a.id for a in query_annotations(db)) == ["first", "second"]
    db.close()
