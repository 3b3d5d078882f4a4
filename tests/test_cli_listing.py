"""Listing commands stream: TSV when piped, a table of what fits on a terminal, JSON
for scripts, and no listing reads more of the database than it prints."""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pg_cluster import BACKENDS

from margin.store.annotations import annotation_row
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.tui.cli import cli
from margin.tui.commands import output

HOSTILE = "Evil \x1b[31mred\x1b[0m\ttab\nline \u202eflipped \x9bcsi"


def run(db: Path | str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def many_documents(path: Path | str, count: int, per_document: int = 2) -> Path | str:
    """``count`` documents with ``per_document`` annotations each, inserted in bulk."""
    db = open_database(path)
    with db.conn:
        for number in range(count):
            text = f"Document number {number} says something worth marking."
            doc_id = f"{number:016x}"
            db.execute(
                "insert into documents (id, title, text, length, added_at) values (?, ?, ?, ?, '')",
                [doc_id, f"Document {number}", text, len(text)],
            )
            for index in range(per_document):
                row = annotation_row(
                    doc_id=doc_id, text=text, start=index, end=index + 8, label="claim", annotator=f"a{index}"
                )
                db.table("annotations").insert(row)
    db.close()
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def big_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """Five thousand documents, made once per module on each backend: the tests only read them."""
    if request.param == "sqlite":
        yield many_documents(tmp_path_factory.mktemp("big") / "big.db", 5000)
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.fresh()
    yield many_documents(url, 5000)
    cluster.drop(url)


@pytest.fixture
def on_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(80, 24))


def test_piped_documents_are_tsv_with_every_row(big_db: Path | str) -> None:
    lines = run(big_db, "documents").splitlines()
    assert lines[0].split("\t") == ["id", "title", "characters", "read", "claim", "person", "statistic", "total"]
    assert len(lines) == 5001
    assert lines[1].split("\t")[1:] == ["Document 0", "47", "0.0", "2", "0", "0", "2"]
    assert lines[-1].split("\t")[1] == "Document 4999"


def test_limit_and_offset_page_through_any_format(big_db: Path | str) -> None:
    page = run(big_db, "documents", "--limit", "3", "--offset", "10").splitlines()
    assert [line.split("\t")[1] for line in page[1:]] == ["Document 10", "Document 11", "Document 12"]
    records = [json.loads(line) for line in run(big_db, "documents", "--jsonl", "--limit", "2").splitlines()]
    assert [record["title"] for record in records] == ["Document 0", "Document 1"]
    assert records[0]["counts"] == {"claim": 2}
    assert len(json.loads(run(big_db, "documents", "--json"))) == 5000
    totals = run(big_db, "stats", "--by", "document", "--limit", "2", "--offset", "4998").splitlines()
    assert totals[1:] == [f"{4998:016x}\tDocument 4998\t2", f"{4999:016x}\tDocument 4999\t2"]
    assert len(run(big_db, "stats").splitlines()) == 1 + 3 + 2 + 1 + 5000  # labels, annotators, status, documents


def test_json_keeps_its_shape(big_db: Path | str) -> None:
    documents_json = json.loads(run(big_db, "documents", "--json", "--limit", "1"))
    assert documents_json == [
        {"id": f"{0:016x}", "title": "Document 0", "source": "", "characters": 47, "progress": 0.0, "counts": {"claim": 2}}
    ]
    stats = json.loads(run(big_db, "stats", "--json", "--limit", "1"))
    assert stats == {
        "total": 10000,
        "labels": {"claim": 10000, "person": 0, "statistic": 0},
        "annotators": {"a0": 5000, "a1": 5000},
        "statuses": {"accepted": 10000},
        "documents": [{"id": f"{0:016x}", "title": "Document 0", "annotations": 2}],
    }


def test_a_terminal_gets_a_table_of_what_fits_and_how_many_more(big_db: Path | str, on_terminal: None) -> None:
    lines = run(big_db, "documents").splitlines()
    rows = [line for line in lines if re.match(r"[0-9a-f]{12} ", line)]
    assert len(rows) == 24 - output.TABLE_CHROME
    assert lines[-1].startswith("4,980 more documents (1–20 of 5,000): --offset 20")
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert "\t" not in "".join(lines)
    asked = run(big_db, "documents", "--limit", "30", "--offset", "4990").splitlines()
    assert len([line for line in asked if re.match(r"[0-9a-f]{12} ", line)]) == 10
    assert "more documents" not in asked[-1]
    everything = run(big_db, "documents", "--all").splitlines()
    assert len([line for line in everything if re.match(r"[0-9a-f]{12} ", line)]) == 5000


def test_a_real_terminal_decides_the_table(big_db: Path | str) -> None:
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 15, 70, 0, 0))
    env = {**os.environ, "TERM": "dumb"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "margin", "--db", str(big_db), "documents"],
        stdout=follower, stderr=follower, stdin=follower, env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=30) == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode()).splitlines()
    assert len([line for line in shown if re.match(r"[0-9a-f]{12} ", line)]) == 15 - output.TABLE_CHROME
    assert "4,989 more documents" in shown[-1]
    assert all(len(line) <= 70 for line in shown)


def test_documents_never_queries_the_annotations_table(big_db: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    import margin.store.db

    statements: list[str] = []
    opened = margin.store.db.open_database

    def traced(*args, **kwargs):
        db = opened(*args, **kwargs)
        db.conn.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(margin.store.db, "open_database", traced)
    assert len(run(big_db, "documents").splitlines()) == 5001
    assert statements and not [sql for sql in statements if re.search(r"\bannotations\b", sql)]
    assert not [sql for sql in statements if re.search(r"\btext\b", sql) and "coalesce(length, length(text))" not in sql]


def test_data_reaching_a_terminal_is_inert(db_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = db_location
    db = open_database(path)
    add_document(db, "Some text.", title=HOSTILE)
    db.close()
    piped = run(path, "documents").splitlines()[1].split("\t")[1]
    # TSV escapes, data kept: controls as backslash escapes, never raw
    assert piped == "Evil \\x1b[31mred\\x1b[0m\\ttab\\nline \\u202eflipped \\x9bcsi"
    piped_json = run(path, "documents", "--json")
    assert "\x1b" not in piped_json and "\u202e" not in piped_json and "\x9b" not in piped_json
    assert json.loads(piped_json)[0]["title"] == HOSTILE
    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(120, 24))
    for args in (["documents"], ["documents", "--tsv"], ["documents", "--json"], ["documents", "--jsonl"], ["stats"]):
        shown = run(path, *args)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", shown), args


def test_commands_do_not_import_the_cli_module() -> None:
    code = (
        "import sys\n"
        "import margin.tui.commands.inspect, margin.tui.commands.team, margin.tui.commands.transfer\n"
        "assert 'margin.tui.cli' not in sys.modules, 'a command imported tui.cli'\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
        "import margin.tui.commands.app\n"
        "assert 'margin.tui.cli' not in sys.modules, 'the open command imported tui.cli'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_all_and_limit_together_are_refused(big_db: Path | str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(big_db), "documents", "--all", "--limit", "3"])
    assert result.exit_code == 2 and "--all and --limit" in result.output
