"""export and `margin export`: filters, statuses per format, streaming in batches,
output files, and the seed article surviving every format."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from transfer_support import export_text, export_to, reimport, span_set, texts

from margin.store.annotations import add_annotation, delete_annotation
from margin.store.documents import add_document
from margin.store.exporting import iter_records
from margin.tui.cli import cli

IMPORTABLE = ("margin", "prodigy", "doccano", "label-studio", "brat")


@pytest.fixture
def filled_db(fresh_db):
    doc_a, _ = add_document(fresh_db, "Ana said 40% of voters agree.", title="First")
    doc_b, _ = add_document(fresh_db, "Ben denied it.", title="Second")
    add_document(fresh_db, "Nobody annotated this.", title="Third")
    add_annotation(fresh_db, doc_a.id, 0, 3, "person", annotator="ana")
    add_annotation(fresh_db, doc_a.id, 9, 12, "statistic", annotator="ben", status="suggested")
    add_annotation(fresh_db, doc_a.id, 0, 29, "claim", annotator="ana", status="rejected")
    add_annotation(fresh_db, doc_b.id, 0, 3, "person", annotator="ben")
    gone = add_annotation(fresh_db, doc_b.id, 4, 10, "claim", annotator="ben")
    delete_annotation(fresh_db, gone.id)
    return fresh_db


def margin_lines(db, **filters):
    return [json.loads(line) for line in export_text(db, "margin", **filters).splitlines()]


def test_margin_exports_everything_live(filled_db):
    lines = margin_lines(filled_db)
    assert [line["title"] for line in lines] == ["First", "Second", "Third"]
    assert [(s["label"], s["status"]) for s in lines[0]["spans"]] == [
        ("claim", "rejected"), ("person", "accepted"), ("statistic", "suggested")]
    assert [s["label"] for s in lines[1]["spans"]] == ["person"]
    assert lines[2]["spans"] == []
    assert set(lines[0]["spans"][0]) == {"id", "start", "end", "label", "text", "note", "annotator",
                                         "status", "origin", "created_at", "updated_at"}


def test_filters_leave_out_documents_without_matching_spans(filled_db):
    assert [l["title"] for l in margin_lines(filled_db, label="person")] == ["First", "Second"]
    assert [len(l["spans"]) for l in margin_lines(filled_db, annotator=["ben"])] == [1, 1]
    assert [l["title"] for l in margin_lines(filled_db, status="suggested")] == ["First"]
    assert [l["title"] for l in margin_lines(filled_db, label=["person"], annotator="ana")] == ["First"]
    assert [l["title"] for l in margin_lines(filled_db, doc="Third")] == ["Third"]
    first_id = margin_lines(filled_db)[0]["id"]
    assert [l["title"] for l in margin_lines(filled_db, doc=[first_id[:8], "Second"])] == ["First", "Second"]


def test_each_format_exports_the_statuses_it_can_express(filled_db):
    doccano = [json.loads(line) for line in export_text(filled_db, "doccano").splitlines()]
    assert [[label for *_, label in line["label"]] for line in doccano] == [["person"], ["person"], []]
    prodigy = [json.loads(line) for line in export_text(filled_db, "prodigy").splitlines()]
    assert [(t.get("_annotator_id"), t.get("answer"), [s["label"] for s in t["spans"]]) for t in prodigy] == [
        ("ana", "reject", ["claim"]), ("ana", "accept", ["person"]), ("ben", "accept", ["person"]), (None, "ignore", []),
    ]
    studio = json.loads(export_text(filled_db, "label-studio"))
    assert [len(t["annotations"]) for t in studio] == [1, 1, 0]
    assert studio[0]["predictions"][0]["result"][0]["value"]["labels"] == ["statistic"]
    asked = [json.loads(line) for line in export_text(filled_db, "doccano", status="suggested").splitlines()]
    assert [line["label"] for line in asked] == [[[9, 12, "statistic"]]]


def test_bad_filters_are_errors(filled_db):
    from margin.store.errors import MarginError

    with pytest.raises(MarginError, match="no document matches 'nothing'"):
        export_text(filled_db, "margin", doc="nothing")
    with pytest.raises(MarginError, match="no label named 'Person'"):
        export_text(filled_db, "margin", label=["person", "Person"])
    with pytest.raises(MarginError, match="status must be one of"):
        export_text(filled_db, "margin", status="maybe")
    with pytest.raises(MarginError, match="cannot export format 'text'"):
        export_text(filled_db, "text")


def test_annotations_are_fetched_once_per_batch(fresh_db):
    from margin.store.db import write

    with write(fresh_db):
        fresh_db.table("documents").insert_all(
            ({"id": f"{n:032x}", "title": "", "source": "", "meta": "{}", "text": f"text {n}",
              "added_at": "", "added_by": ""} for n in range(450)),
        )
    queries: list[str] = []
    fresh_db.conn.set_trace_callback(queries.append)
    count = sum(1 for _ in iter_records(fresh_db))
    fresh_db.conn.set_trace_callback(None)
    assert count == 450
    # One read of the spans per batch of documents (the attribute values' query, also
    # one per batch, names annotations only to skip deleted spans).
    assert sum(1 for sql in queries if "from annotations" in sql and "from attributes" not in sql) == 3
    assert sum(1 for sql in queries if "from attributes" in sql) == 3


def test_seed_article_round_trips_every_format(fresh_db, tmp_path, seed_text):
    document, _ = add_document(fresh_db, seed_text, title="Darién Gap")
    line_break = seed_text.index("\n")
    mayorkas = seed_text.index("Alejandro Mayorkas")
    miles = seed_text.index("60-mile")
    spans = [(0, line_break + 20, "claim"), (line_break - 9, line_break + 1, "claim"),
             (mayorkas - 30, mayorkas + 40, "claim"), (mayorkas, mayorkas + 18, "person"),
             (miles, miles + 7, "statistic"), (miles, miles + 2, "statistic")]
    for start, end, label in spans:
        add_annotation(fresh_db, document.id, start, end, label, annotator="tester")
    original = span_set(fresh_db)
    assert len(original) == 6
    for format in IMPORTABLE:
        path = export_to(fresh_db, tmp_path, format)
        again = reimport(path, tmp_path, format, name=f"{format}.db")
        assert texts(again) == texts(fresh_db), format
        assert span_set(again) == original, format


def run(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args])


def test_cli_export_to_stdout_and_file(filled_db, db_location, tmp_path):
    filled_db.close()
    runner = CliRunner()
    result = run(runner, db_location, "export", "--label", "person")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == ["First", "Second"]
    assert result.stderr.strip() == "exported 2 document(s), 2 span(s)"
    out = tmp_path / "out.csv"
    result = run(runner, db_location, "export", "--format", "csv", "-o", str(out), "--status", "accepted")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("doc_id,title,annotation_id")
    assert f"to {out}" in result.stderr
    lines = tmp_path / "anno.jsonl"
    assert run(runner, db_location, "export", "--format", "w3c", "-o", str(lines)).exit_code == 0
    assert [json.loads(line)["type"] for line in lines.read_text().splitlines()] == ["Annotation", "Annotation"]


def test_cli_failed_export_leaves_existing_file(filled_db, db_location, tmp_path):
    filled_db.close()
    out = tmp_path / "keep.jsonl"
    out.write_text("precious")
    result = run(CliRunner(), db_location, "export", "--doc", "missing", "-o", str(out))
    assert result.exit_code == 1
    assert "Error: no document matches 'missing'" in result.output
    assert out.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")) == []



def test_cli_export_file_gets_the_usual_permissions(filled_db, db_location, tmp_path):
    """Written through a temporary file, yet readable by the group like any file the
    user writes (umask 022 here), and keeping the mode of a file it replaces."""
    filled_db.close()
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "spans.jsonl"
        assert run(CliRunner(), db_location, "export", "-o", str(fresh)).exit_code == 0
        kept = tmp_path / "private.csv"
        kept.write_text("old")
        kept.chmod(0o640)
        assert run(CliRunner(), db_location, "export", "--format", "csv", "-o", str(kept)).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text().startswith("doc_id,")


def test_cli_export_into_a_missing_folder_is_one_line(filled_db, db_location, tmp_path):
    filled_db.close()
    out = tmp_path / "missing" / "spans.jsonl"
    result = run(CliRunner(), db_location, "export", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: No such file or directory\n"

def test_cli_bad_filter_writes_nothing_to_stdout(filled_db, db_location):
    filled_db.close()
    result = run(CliRunner(), db_location, "export", "--format", "label-studio", "--doc", "missing")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "Error: no document matches 'missing'"


def test_cli_brat_needs_a_directory(filled_db, db_location, tmp_path):
    filled_db.close()
    runner = CliRunner()
    result = run(runner, db_location, "export", "--format", "brat")
    assert result.exit_code == 2 and "give -o DIR" in result.output
    result = run(runner, db_location, "export", "--format", "brat", "-o", str(tmp_path / "brat"))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "brat").glob("*.ann"))) == 3


def test_cli_export_without_database(tmp_path):
    result = run(CliRunner(), tmp_path / "none.db", "export")
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "label-studio"], ["import", "{txt}"]])
def test_commands_do_not_load_textual_or_trafilatura(tmp_path, args):
    text = tmp_path / "a.txt"
    text.write_text("Some text")
    db = tmp_path / "m.db"
    from margin.store.db import open_database

    open_database(db).close()
    argv = ["--db", str(db), *[arg.format(txt=text) for arg in args]]
    code = (
        "import sys\nfrom margin.tui.cli import cli\n"
        f"try:\n    cli.main({argv!r}, prog_name='margin')\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        "print(sorted(name for name in ('textual', 'trafilatura', 'lxml') if name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_cli_export_to_a_fifo_writes_through_it_and_leaves_it_a_fifo(filled_db, db_location, tmp_path):
    import os
    import stat
    import threading

    filled_db.close()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    result = run(CliRunner(), db_location, "export", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [json.loads(line)["title"] for line in received[0].splitlines()] == ["First", "Second", "Third"]
