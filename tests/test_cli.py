"""The command line: global options, inspection commands, help and start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from margin.store import annotations as annotations_store
from margin.store import documents
from margin.store.db import open_database
from margin.tui.cli import COMMANDS, cli


def run(*args: str, db: Path | str | None = None):
    prefix = ["--db", str(db)] if db else []
    return CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands draw for an 80×24 terminal, as if stdout were one."""
    from margin.tui.commands import output

    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(80, 24))


def _annotate(where: Path | str, seed_text: str) -> None:
    db = open_database(where)
    doc, _ = documents.add_document(db, seed_text, source="seed")
    start = seed_text.index("520,000 migrants")
    annotations_store.add_annotation(db, doc.id, start, start + 16, "statistic", annotator="ana")
    start = seed_text.index("José Raúl Mulino")
    annotations_store.add_annotation(db, doc.id, start, start + 16, "person", annotator="bo")
    db.close()


@pytest.fixture
def annotated_db(db_location: str, seed_text: str) -> str:
    """The seed article with two annotators' spans, on each backend."""
    _annotate(db_location, seed_text)
    return db_location


@pytest.fixture
def annotated_file(db_path: Path, seed_text: str) -> Path:
    """The same, in a file, for what only a file has (its mode, its lock)."""
    _annotate(db_path, seed_text)
    return db_path


def _all_commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        found.append((name,))
        if isinstance(command, click.Group):
            found.extend((name, sub) for sub in command.list_commands(context))
    return found


@pytest.mark.parametrize("path", _all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"margin {' '.join(path)} --help has no example"
    context = click.Context(cli)
    command = cli.get_command(context, path[0])
    if len(path) > 1:
        assert isinstance(command, click.Group)
        command = command.get_command(context, path[1])
    assert command is not None
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of margin {' '.join(path)} is undocumented"


def test_documents_lists_counts_per_label(annotated_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("documents", "--json", db=annotated_db)
    assert result.exit_code == 0
    (row,) = json.loads(result.output)
    assert row["counts"] == {"statistic": 1, "person": 1}
    assert row["title"].startswith("US agrees to pay for flights")
    header, line = run("documents", db=annotated_db).output.splitlines()  # piped: TSV
    assert header.split("\t") == ["id", "title", "characters", "read", "claim", "person", "statistic", "total"]
    assert line.split("\t")[4:] == ["0", "1", "1", "2"]
    from margin.tui.commands import output

    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(80, 24))
    table = run("documents", db=annotated_db).output
    assert "US agrees to pay" in table and "statistic" in table and "\t" not in table


def test_documents_table_with_more_labels_than_fit_lists_them_per_row(annotated_db: Path, terminal: None) -> None:
    from margin.store.labels import add_label

    db = open_database(annotated_db)
    for number in range(30):
        add_label(db, f"imported-label-{number}")
    db.close()
    lines = run("documents", db=annotated_db).output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if "title" in line)
    assert "labels" in header and "claim" not in header
    assert any("person 1, statistic 1" in line for line in lines)

def test_stats_counts_per_label_annotator_and_document(annotated_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(run("stats", "--json", db=annotated_db).output)
    assert data["total"] == 2
    assert data["labels"] == {"statistic": 1, "person": 1, "claim": 0}
    assert data["annotators"] == {"ana": 1, "bo": 1}
    assert data["documents"][0]["annotations"] == 2
    rows = [line.split("\t") for line in run("stats", db=annotated_db).output.splitlines()]
    assert rows[0] == ["group", "name", "annotations"]
    assert ["annotator", "bo", "1"] in rows and ["label", "claim", "0"] in rows
    assert rows[-1][0] == "document" and rows[-1][2] == "2"
    assert run("stats", "--by", "annotator", "--tsv", db=annotated_db).output == "annotator\tannotations\nana\t1\nbo\t1\n"
    from margin.tui.commands import output

    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(80, 24))
    table = run("stats", db=annotated_db).output
    assert "Annotators" in table and "Documents" in table and "2 annotation(s)" in table


def test_labels_commands_manage_the_scheme(annotated_db: Path) -> None:
    assert run("labels", "add", "quote", "--key", "4", db=annotated_db).exit_code == 0
    assert run("labels", "set", "quote", "--color", "#123456", db=annotated_db).exit_code == 0
    refused = run("labels", "remove", "person", db=annotated_db)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run("labels", "rename", "person", "people", db=annotated_db).exit_code == 0
    listed = {row["name"]: row for row in json.loads(run("labels", "--json", db=annotated_db).output)}
    assert listed["quote"]["key"] == "4" and listed["quote"]["color"] == "#123456"
    assert listed["people"]["annotations"] == 1 and "person" not in listed
    assert run("labels", "remove", "people", "--force", db=annotated_db).exit_code == 0
    assert json.loads(run("stats", "--json", db=annotated_db).output)["total"] == 1


def test_info_reports_schema_and_counts(annotated_db: Path) -> None:
    info = json.loads(run("info", "--json", db=annotated_db).output)
    assert info["documents"] == 1 and info["annotations"] == 2 and info["annotators"] == 2
    assert info["path"] == str(annotated_db)
    assert info["relations"] == 0 and info["attribute_values"] == 0


def test_info_counts_the_links_and_values_shown(annotated_db: Path) -> None:
    from margin.store.attributes import set_attribute
    from margin.store.relations import add_relation

    db = open_database(annotated_db)
    doc_id = db.execute("select id from documents").fetchone()[0]
    text = db.execute("select text from documents").fetchone()[0]
    start = text.index("520,000 migrants")
    claim = annotations_store.add_annotation(db, doc_id, start - 30, start + 16, "claim", annotator="ana")
    figure = db.execute("select id from annotations where label = 'statistic'").fetchone()[0]
    add_relation(db, claim.id, figure, "cites", annotator="ana")
    set_attribute(db, claim.id, "verdict", "true", annotator="ana")
    annotations_store.delete_annotation(db, figure)  # its link goes with it
    db.close()
    info = json.loads(run("info", "--json", db=annotated_db).output)
    assert info["relations"] == 0 and info["attribute_values"] == 1
    assert "attribute values" in run("info", db=annotated_db).output


def test_db_comes_from_the_environment(annotated_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARGIN_DB", str(annotated_db))
    assert json.loads(run("info", "--json").output)["documents"] == 1


def test_annotator_comes_from_option_env_then_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('annotator = "from-config"\n', encoding="utf-8")
    monkeypatch.setenv("MARGIN_CONFIG", str(config))
    db = tmp_path / "x.db"
    assert "tester" in run("info", db=db).output
    monkeypatch.delenv("MARGIN_ANNOTATOR")
    assert "from-config" in run("info", db=db).output
    assert "cli-name" in run("--annotator", "cli-name", "info", db=db).output


def test_a_broken_config_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("annotator = \n", encoding="utf-8")
    monkeypatch.setenv("MARGIN_CONFIG", str(config))
    result = run("info", db=tmp_path / "x.db")
    assert result.exit_code == 1 and str(config) in result.output


@pytest.mark.parametrize(
    "content,message",
    [(b"not a database at all", "not a SQLite database"), (b"", None)],
)
def test_bad_database_files_give_one_line_errors(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    result = run("info", db=path)
    if message is None:
        assert result.exit_code == 0  # an empty file becomes a new database
    else:
        assert result.exit_code == 1
        assert result.output.strip().count("\n") == 0 and message in result.output
        assert path.read_bytes() == content



def test_a_database_whose_folder_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    path = blocker / "team" / "margin.db"
    result = run("labels", "add", "quote", db=path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: cannot create its folder (")
    assert result.output.count("\n") == 1

def test_help_and_info_do_not_load_textual(annotated_db: Path) -> None:
    for args in (["--help"], ["--db", str(annotated_db), "info"], ["--db", str(annotated_db), "stats"]):
        code = (
            f"import sys; from margin.tui.cli import main; sys.argv = ['margin', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'textual' not in sys.modules, 'textual was imported'\n"
            "assert 'trafilatura' not in sys.modules, 'trafilatura was imported'\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "args",
    [("labels", "add", "quote"), ("labels", "rename", "claim", "assertion"),
     ("labels", "remove", "claim"), ("labels", "set", "claim", "--key", "c")],
    ids=" ".join,
)
def test_label_changes_to_a_read_only_database_are_refused_in_one_line(
    annotated_file: Path, args: tuple[str, ...]
) -> None:
    annotated_db = annotated_file
    annotated_db.chmod(0o444)
    before = annotated_db.read_bytes()
    result = run(*args, db=annotated_db)
    assert result.exit_code == 1
    assert result.output == f"Error: {annotated_db}: read-only; nothing was changed\n"
    assert annotated_db.read_bytes() == before


def test_a_database_still_locked_after_the_busy_timeout_is_one_line(
    annotated_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotated_db = annotated_file
    import sqlite3

    monkeypatch.setattr("margin.store.db.BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(annotated_db)
    holder.execute("begin immediate")
    try:
        result = run("labels", "add", "quote", db=annotated_db)
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1
    assert result.output == f"Error: {annotated_db}: database is locked\n"


@pytest.mark.parametrize("command", [["documents"], ["stats"], ["labels"], ["agreement"], ["review"]])
def test_reading_commands_name_a_missing_database_instead_of_creating_one(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo.db"
    result = run(*command, db=missing)
    assert result.exit_code == 1
    assert f"{missing}: no such database" in result.output
    assert not missing.exists()


def test_info_says_where_the_database_will_be_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "later.db"
    assert f"{missing} (not created yet" in run("info", db=missing).output
    assert json.loads(run("info", "--json", db=missing).output)["exists"] is False
    assert not missing.exists()


def test_the_reserved_keys_are_exactly_the_keys_margin_binds() -> None:
    from textual.app import App
    from textual.binding import Binding

    from margin.store.labels import KEY_PATTERN
    from margin.tui.keys import RESERVED_KEYS
    from margin.tui.screens.main import MainScreen
    from margin.tui.widgets.reader import Reader

    bound = {
        binding.key
        for owner in (MainScreen, Reader, App)
        for binding in Binding.make_bindings(owner.BINDINGS)
        if KEY_PATTERN.match(binding.key)
    }
    # ctrl+c stays reserved: terminals send it as an interrupt.
    assert bound | {"ctrl+c", App.COMMAND_PALETTE_BINDING} == RESERVED_KEYS


@pytest.mark.parametrize("key", ["q", "j", "W", "ctrl+p"])
def test_a_label_key_margin_already_uses_is_refused(annotated_db: Path, key: str) -> None:
    added = run("labels", "add", "quote", "--key", key, db=annotated_db)
    assert added.exit_code == 2 and "one of margin's own keys" in added.output
    changed = run("labels", "set", "person", "--key", key, db=annotated_db)
    assert changed.exit_code == 2 and "one of margin's own keys" in changed.output
    listed = {row["name"]: row["key"] for row in json.loads(run("labels", "--json", db=annotated_db).output)}
    assert "quote" not in listed and listed["person"] == "2"
