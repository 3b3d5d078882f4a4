"""Mistakes in the config file are named at start, one line each with the file and the
key, and the rest of the file still applies: a warning on stderr for commands, a
notification in the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_support import app_for, messages, pilot_test, running, sample_db
from click.testing import CliRunner

from margin.tui.app import make_app
from margin.tui.cli import cli
from margin.tui.config import load_settings

CONFIG = """\
annotator = "ana"
thme = "textual-light"
reading_width = "wide"

[keymap]
"app.undo" = "U"
"app.delete" = 5
"app.redo" = "W,,x"
"app.copy" = "ctrl+nope"
"app.search" = "hyperx+s"
"app.dlete" = "X"
"""
EXPECTED = [
    "thme ignored: not a setting",
    "reading_width ignored: must be a whole number from 20 to 400, not 'wide'",
    "[keymap] 'app.delete' ignored: must be keys in quotes, not a number",
    "[keymap] 'app.redo' ignored: 'W,,x' is not a list of keys",
    "[keymap] 'app.search' ignored: 'hyperx' in 'hyperx+s' is not a modifier",
]
"""What is wrong in ``CONFIG`` without Textual's key names (the app adds those)."""


@pytest.fixture
def config() -> Path:
    path = Path(os.environ["MARGIN_CONFIG"])
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_commands_warn_on_stderr_and_still_succeed(config: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "info", "--json"])
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == len(EXPECTED)
    for line, expected in zip(warnings, EXPECTED, strict=True):
        assert line.startswith(f"warning: {config}: {expected}")
    assert '"annotator": "tester"' in result.stdout  # MARGIN_ANNOTATOR still wins over the file


def test_what_is_right_in_the_file_still_applies(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARGIN_ANNOTATOR")
    settings = load_settings()
    assert settings.annotator == "ana" and settings.theme == "textual-dark" and settings.reading_width == 88
    assert settings.keymap == {"app.undo": "U", "app.copy": "ctrl+nope", "app.dlete": "X"}


def test_wrong_types_and_unusable_annotator_names_are_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('annotator = "eve\\u001b]2;x\\u0007"\ntheme = 3\nkeymap = "W"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.annotator is None and settings.theme == "textual-dark" and settings.keymap == {}
    assert [warning.split(" ignored: ")[0] for warning in settings.warnings] == [
        f"{path}: annotator", f"{path}: theme", f"{path}: keymap"
    ]
    assert "contains the control character U+001B" in settings.warnings[0]
    assert "\x1b" not in "".join(settings.warnings)


def test_the_reader_does_not_print_warnings_it_will_show_itself(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import margin.tui.commands.app

    monkeypatch.setattr(margin.tui.commands.app, "run_app", lambda ctx, files: None)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0 and result.stderr == ""


@pilot_test
async def test_the_app_notifies_each_mistake_and_applies_the_rest(config: Path, db_location: str) -> None:
    path = db_location
    sample_db(path)
    app = make_app(path, "tester", load_settings())
    app.cursor_blink = False
    async with running(app) as pilot:
        await pilot.pause()
        shown = messages(app)
        warnings = [n for n in app._notifications if n.severity == "warning"]
    for expected in EXPECTED:
        assert any(message.startswith(f"{config}: {expected}") for message in shown), expected
    assert any(f"{config}: [keymap] 'app.copy' ignored: 'ctrl+nope' is not a key name" in m for m in shown)
    assert any("names no binding 'app.dlete'" in message for message in shown)
    assert len(warnings) == len(EXPECTED) + 2
    assert app._keymap == {"app.undo": "U", "app.dlete": "X"}


@pilot_test
async def test_a_key_list_with_an_empty_key_is_named_and_left_out(db_location: str) -> None:
    """Textual would bind the empty key name and say nothing."""
    path = db_location
    sample_db(path)
    app = app_for(path, keymap={"app.delete": "D,,", "app.undo": "U"})
    async with running(app) as pilot:
        await pilot.pause()
        assert app._keymap == {"app.undo": "U"}
    assert any("[keymap] 'app.delete' ignored: '' is not a key name" in message for message in messages(app))


def test_spacy_model_names_a_pipeline_for_the_people_suggester(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('spacy_model = "en_core_web_sm"\n', encoding="utf-8")
    assert load_settings(path).spacy_model == "en_core_web_sm"
    path.write_text('spacy_model = "x; rm -rf /\\u001b[2J"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.spacy_model is None
    assert any("spacy_model" in warning and "pipeline's name" in warning for warning in settings.warnings)


def test_a_spacy_model_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    """``$`` matches before a final newline: the whole name must be a pipeline's name."""
    path = tmp_path / "config.toml"
    path.write_text('spacy_model = "en_core_web_sm\\n"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.spacy_model is None
    assert any("spacy_model" in warning for warning in settings.warnings)


def test_margin_suggest_passes_the_spacy_model_to_the_people_suggester(
    tmp_path: Path, db_location: str, monkeypatch
) -> None:
    from click.testing import CliRunner

    from margin.store import suggest
    from margin.tui.cli import cli

    config = tmp_path / "config.toml"
    config.write_text('spacy_model = "no_such_pipeline_xyz"\n', encoding="utf-8")
    monkeypatch.setenv("MARGIN_CONFIG", str(config))
    seen: list[object] = []
    real = suggest.build

    def spy(db, names=None, options=None):  # type: ignore[no-untyped-def]
        seen.append(options.extra.get("spacy_model") if options else None)
        return real(db, ["statistics"], options)

    monkeypatch.setattr(suggest, "build", spy)
    db = db_location
    CliRunner().invoke(cli, ["--db", str(db), "import", str(Path(__file__).parents[1].parent / "shared/corpus/seed/darien-gap-article.txt")])
    result = CliRunner().invoke(cli, ["--db", str(db), "suggest"])
    assert result.exit_code == 0, result.output
    assert seen == ["no_such_pipeline_xyz"]
