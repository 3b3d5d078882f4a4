"""Sessions: reading position across runs, other processes' writes, the command line
that starts the app, and the whole acceptance scenario on the sample."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyperclip
import pytest
from app_support import SAMPLE, app_for, go, pilot_test, rows, running, sample_db
from click.testing import CliRunner

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import list_documents
from margin.store.exporting import export
from margin.store.labels import add_label
from margin.tui.app import MarginApp
from margin.tui.cli import cli
from margin.tui.commands.app import SAMPLE_SOURCE, SAMPLE_TITLE
from margin.tui.screens.label_picker import LabelPicker
from margin.tui.screens.note_editor import NoteEditor


@pytest.fixture
def sample(db_location: str) -> tuple[str, str]:
    """The sample article's database, on each backend."""
    return db_location, sample_db(db_location)


@pilot_test
async def test_reading_position_is_restored_on_reopen(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    offset = SAMPLE.index("Blinken")
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, offset)
        await pilot.press("q")
    db = open_database(path)
    [summary] = list_documents(db, annotator="tester")
    db.close()
    assert summary.position == offset and summary.progress > 50
    again = app_for(path)
    async with running(again):
        assert again.main.reader.document.id == doc_id
        assert again.main.reader.cursor == offset
    other = app_for(path, annotator="ana")
    async with running(other):
        assert other.main.reader.cursor == 0


@pilot_test
async def test_position_is_saved_while_reading_without_quitting(sample: tuple[str, str]) -> None:
    path, _doc_id = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, 300)
        await pilot.pause(1.2)
        db = open_database(path)
        assert list_documents(db, annotator="tester")[0].position == 300
        db.close()


@pilot_test
async def test_another_process_write_shows_up_without_moving_the_cursor(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    start = SAMPLE.index("Adrienne Watson")
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, start + 3)
        await pilot.press("v", "l")
        other = open_database(path)
        add_annotation(other, doc_id, start, start + 15, "person", annotator="ana")
        add_label(other, "place", key="p")
        other.close()
        await pilot.pause(1.0)
        assert [a.annotator for a in app.main.reader.annotations_at()] == ["ana"]
        assert app.main.reader.cursor == start + 4 and app.main.reader.selection == (start + 3, start + 5)
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Adrienne Watson"]
        assert app.main.documents.summary(app.main.documents.first()).counts == {"person": 1}
        assert "place" in [label.name for label in app.main.labels]
        await pilot.press("p")
    assert [(a.label, a.annotator) for a in rows(path)] == [("person", "ana"), ("place", "tester")]


@pilot_test
async def test_store_errors_become_notifications(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"  # a file: only SQLite lets a label go from under its spans
    sample_db(path)
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Panama"))
        app.main.follower.feed.poll = lambda: None  # the app must not notice the change by polling
        other = open_database(path)
        other.execute("pragma foreign_keys = off")
        other.execute("delete from labels where name = 'claim'")
        other.conn.commit()
        other.close()
        await pilot.press("1")
        assert any("no label named 'claim'" in n.message for n in app._notifications)
        assert app.is_running
    assert rows(path) == []


def test_margin_open_imports_a_file_and_opens_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(MarginApp, "run", lambda self, **_: opened.append(self.open_doc_id))
    article = tmp_path / "harbour.txt"
    article.write_text("Harbour news\nThe harbour reopened.\n", encoding="utf-8")
    db_path = tmp_path / "m.db"
    for _ in range(2):
        result = CliRunner().invoke(cli, ["--db", str(db_path), "open", str(article)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    db = open_database(db_path)
    documents = list_documents(db)
    db.close()
    assert [d.title for d in documents] == ["Harbour news"]
    assert opened == [documents[0].id, documents[0].id]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "open", documents[0].id[:8]], catch_exceptions=False)
    assert opened[-1] == documents[0].id
    result = CliRunner().invoke(cli, ["--db", str(db_path), "open", "no-such-thing"])
    assert result.exit_code == 1 and "no document matches 'no-such-thing'" in result.output



def test_margin_open_reads_a_document_of_a_read_only_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(MarginApp, "run", lambda self, **_: opened.append(self.open_doc_id))
    db_path = tmp_path / "m.db"
    doc_id = sample_db(db_path)
    article = tmp_path / "harbour.txt"
    article.write_text("Harbour news\n", encoding="utf-8")
    db_path.chmod(0o444)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "open", doc_id[:8]], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert opened == [doc_id]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "open", str(article)])
    assert result.exit_code == 1
    assert result.output == f"Error: {db_path}: read-only; cannot import {article}\n"

def test_first_run_adds_the_bundled_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(MarginApp, "run", lambda self, **_: opened.append(self.open_doc_id))
    db_path = tmp_path / "new.db"
    for _ in range(2):
        assert CliRunner().invoke(cli, ["--db", str(db_path)], catch_exceptions=False).exit_code == 0
    db = open_database(db_path)
    [document] = list_documents(db)
    db.close()
    assert (document.title, document.source) == (SAMPLE_TITLE, SAMPLE_SOURCE)
    assert opened == [document.id, None]


@pilot_test
async def test_acceptance_label_note_undo_redo_cite_quit_reopen_export(
    sample: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc_id = sample
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    statistic = SAMPLE.index("520,000 migrants")
    person = SAMPLE.index("José Raúl Mulino")
    claim = SAMPLE.index("According to the department")
    claim_end = SAMPLE.index("in 2023.") + len("in 2023.")
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, statistic)
        await pilot.press("v", *["l"] * 15, "3")
        await go(pilot, person)
        await pilot.press("v", *["l"] * 15, "2")
        await go(pilot, statistic)
        await pilot.press("S", "1")
        await go(pilot, statistic)
        await pilot.press("e")  # the claim and the statistic overlap here: pick the claim
        assert isinstance(app.screen, LabelPicker)
        await pilot.press("down", "enter")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Checked against DHS figures", "ctrl+s")
        await pilot.press("u")
        assert [a.note for a in rows(path, label="claim")] == [""]
        await pilot.press("ctrl+r")
        await go(pilot, statistic + 3)
        await pilot.press("Y")
        await pilot.press("q")
    assert copied == [f"“520,000 migrants” — {SAMPLE_TITLE}, {SAMPLE_SOURCE}"]

    reopened = app_for(path)
    async with running(reopened):
        assert reopened.main.reader.cursor == statistic + 3

    expected = [
        (person, person + 16, "person", "José Raúl Mulino", ""),
        (claim, claim_end, "claim", SAMPLE[claim:claim_end], "Checked against DHS figures"),
        (statistic, statistic + 16, "statistic", "520,000 migrants", ""),
    ]
    db = open_database(path)
    out = io.StringIO()
    export(db, out)
    db.close()
    [record] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert record["id"] == doc_id
    exported = [(s["start"], s["end"], s["label"], s["text"], s["note"]) for s in record["spans"]]
    assert exported == expected
    assert all(s["annotator"] == "tester" for s in record["spans"])
    assert all(record["text"][s["start"] : s["end"]] == s["text"] for s in record["spans"])


@pytest.mark.parametrize(
    ("content", "decoded_again"),
    [
        (b"Harbour news\r\nThe harbour reopened.\r\n", True),  # carriage returns: the text is hashed
        ("Harbour news\nThe harbour reopened — at last.\n".encode(), False),  # the bytes are hashed
        (codecs.BOM_UTF8 + b"Harbour news\nThe harbour reopened.\n", False),
    ],
    ids=["CRLF", "plain", "byte-order mark"],
)
def test_margin_open_of_a_stored_file_only_hashes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, decoded_again: bool,
) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(MarginApp, "run", lambda self, **_: opened.append(self.open_doc_id))
    article = tmp_path / "harbour.txt"
    article.write_bytes(content)
    db_path = tmp_path / "m.db"
    first = CliRunner().invoke(cli, ["--db", str(db_path), "open", str(article)], catch_exceptions=False)
    assert first.exit_code == 0, first.output

    def refused(what: str) -> Callable[..., None]:
        def refuse(*_args: object, **_kwargs: object) -> None:
            raise AssertionError(f"a stored file was {what} again")
        return refuse

    monkeypatch.setattr("margin.store.importing.import_paths", refused("imported"))
    if not decoded_again:
        monkeypatch.setattr("margin.tui.commands.app.decode_text", refused("decoded"))
    again = CliRunner().invoke(cli, ["--db", str(db_path), "open", str(article)], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert opened[0] is not None and opened == [opened[0], opened[0]]
    monkeypatch.undo()
    monkeypatch.setattr(MarginApp, "run", lambda self, **_: opened.append(self.open_doc_id))
    monkeypatch.setattr("margin.store.importing.import_paths", refused("imported"))
    article.write_text("Harbour news\nThe harbour reopened, and closed.\n", encoding="utf-8")
    changed = CliRunner().invoke(cli, ["--db", str(db_path), "open", str(article)])
    assert changed.exit_code == 1 and "a stored file was imported again" in str(changed.exception)
