"""Export from inside the app: ctrl+x (or the palette) opens a dialog; the file it
writes is the one ``margin export`` writes for the same format and scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import messages, pilot_test, running, sample_db
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.formats import WRITABLE
from margin.tui.app import make_app
from margin.tui.cli import cli
from margin.tui.config import Settings
from margin.tui.screens.export_dialog import ExportDialog, ExportRequest, write_export


def make_library(path: str | Path) -> tuple[str | Path, str]:
    """The sample article and a second document: (database, sample id)."""
    seed_id = sample_db(path)
    db = open_database(path)
    add_document(db, "A second, short document about nothing much.", title="Second")
    db.close()
    return path, seed_id


@pytest.fixture
def library(db_location: str) -> tuple[str | Path, str]:
    return make_library(db_location)


@pytest.fixture
def library_file(db_path: Path) -> tuple[Path, str]:
    """The library in a file, for what only a file has: a path an export could overwrite."""
    _, seed_id = make_library(db_path)
    return db_path, seed_id


def app_on(path: Path, seed_id: str):
    app = make_app(path, "tester", Settings(), seed_id)
    app.cursor_blink = False
    return app


def cli_export(db: Path, output: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "export", *args, "-o", str(output)])
    assert result.exit_code == 0, result.output


async def export_keys(pilot: Pilot, format_name: str, *, whole_database: bool, path: Path | None) -> None:
    """ctrl+x, the format by arrows, the scope, the path typed (or the default kept), enter."""
    await pilot.press("ctrl+x")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ExportDialog)
    await pilot.press(*["down"] * WRITABLE.index(format_name), "enter")
    await pilot.pause()
    await pilot.press(*(["down"] if whole_database else []), "enter")
    await pilot.pause()
    assert isinstance(pilot.app.focused, Input)
    if path is not None:
        await pilot.press("ctrl+u", *str(path))
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pilot_test
async def test_ctrl_x_exports_this_document_as_the_cli_does(library, tmp_path):
    path, seed_id = library
    out = tmp_path / "in-app.jsonl"
    async with running(app_on(path, seed_id)) as pilot:
        await export_keys(pilot, "doccano", whole_database=False, path=out)
        assert not isinstance(pilot.app.screen, ExportDialog)
        assert any(f"to {out}" in message and "1 document(s)" in message for message in messages(pilot.app))
    expected = tmp_path / "cli.jsonl"
    cli_export(path, expected, "--format", "doccano", "--doc", seed_id)
    assert out.read_bytes() == expected.read_bytes()
    assert len(out.read_text().splitlines()) == 1


@pilot_test
async def test_the_whole_database_as_margin_jsonl(library, tmp_path):
    path, seed_id = library
    out = tmp_path / "everything.jsonl"
    async with running(app_on(path, seed_id)) as pilot:
        await export_keys(pilot, "margin", whole_database=True, path=out)
    expected = tmp_path / "cli.jsonl"
    cli_export(path, expected)
    assert out.read_bytes() == expected.read_bytes()
    assert len(out.read_text().splitlines()) == 2


@pilot_test
async def test_brat_writes_a_folder(library, tmp_path):
    path, seed_id = library
    out = tmp_path / "brat-out"
    async with running(app_on(path, seed_id)) as pilot:
        await export_keys(pilot, "brat", whole_database=True, path=out)
    expected = tmp_path / "cli-brat"
    cli_export(path, expected, "--format", "brat")
    names = sorted(p.name for p in expected.iterdir())
    assert sorted(p.name for p in out.iterdir()) == names and len(names) >= 4
    for name in names:
        assert (out / name).read_bytes() == (expected / name).read_bytes()


@pilot_test
async def test_the_default_path_is_in_the_current_directory(library, tmp_path, monkeypatch):
    path, seed_id = library
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    async with running(app_on(path, seed_id)) as pilot:
        await export_keys(pilot, "csv", whole_database=False, path=None)
    written = list(folder.iterdir())
    assert len(written) == 1 and written[0].suffix == ".csv" and written[0].name.endswith("-csv.csv")
    expected = tmp_path / "cli.csv"
    cli_export(path, expected, "--format", "csv", "--doc", seed_id)
    assert written[0].read_bytes() == expected.read_bytes()


@pilot_test
async def test_the_database_path_is_refused(library_file):
    path, seed_id = library_file
    before = path.read_bytes()
    async with running(app_on(path, seed_id)) as pilot:
        await pilot.press("ctrl+x")
        await pilot.pause()
        await pilot.press("tab", "tab", "ctrl+u", *str(path), "enter")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)  # still open, saying why
        assert "would overwrite the database" in str(dialog.query_one("#export-error", Label).render())
        assert dialog.query_one(Input).value == str(path)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ExportDialog)
    assert path.read_bytes() == before
    for side in ("-wal", "-shm"):
        with pytest.raises(MarginError, match="would overwrite the database"):
            write_export(path, ExportRequest("margin", Path(f"{path}{side}"), None))


@pilot_test
async def test_a_failed_export_says_so_and_leaves_no_file(library, tmp_path):
    path, seed_id = library
    out = tmp_path / "missing-folder" / "out.jsonl"
    async with running(app_on(path, seed_id)) as pilot:
        await export_keys(pilot, "margin", whole_database=True, path=out)
        assert any(message.startswith("Export failed:") for message in messages(pilot.app))
    assert not out.parent.exists()


@pilot_test
async def test_export_is_in_the_command_palette(library):
    path, seed_id = library
    async with running(app_on(path, seed_id)) as pilot:
        names = [name for name, _help, _run in pilot.app.main.palette_commands()]
        assert any(name.startswith("Export this document or the whole database") for name in names)


@pilot_test
async def test_a_hostile_title_is_drawn_inert_in_the_dialog(db_location: str):
    path = db_location
    sample_db(path)
    db = open_database(path)
    document, _ = add_document(db, "Some text.", title="\x1b]0;owned\x07[b]bold[/b]")
    db.close()
    async with running(app_on(path, document.id)) as pilot:
        await pilot.press("ctrl+x")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        scope = dialog.query_one("#export-scope", OptionList)
        shown = str(scope.get_option_at_index(0).prompt)
        assert "\x1b" not in shown and "\x07" not in shown and "[b]bold[/b]" in shown
        assert "\x1b" not in dialog.query_one(Input).value


def test_an_existing_file_is_never_written_over(db_location: str, tmp_path) -> None:
    import pytest as _pytest

    from margin.store.database import location
    from margin.store.errors import MarginError
    from margin.tui.screens.export_dialog import check_output

    db_path = location(db_location)  # as the app holds it: a path or a server
    sample_db(db_location)
    article = tmp_path / "article.txt"
    article.write_text("kept", encoding="utf-8")
    with _pytest.raises(MarginError, match="already exists"):
        check_output("margin", article, db_path)
    assert article.read_text(encoding="utf-8") == "kept"
