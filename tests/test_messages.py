"""What margin says: a missing file named as such, the label key's forms in --help,
only margin's own keys on the help screen, and FILTER while the filter is typed in."""

from __future__ import annotations

from app_support import app_for, pilot_test, running, sample_db
from click.testing import CliRunner

from margin.tui.cli import cli
from margin.tui.screens.help import HelpScreen, binding_groups

TEXTUAL_ONLY = ("Page Left", "Page Right", "Scroll Up", "Scroll Down", "Scroll Left", "Scroll Right")


def test_open_of_a_missing_file_says_so(db_location: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_location, "open", "/nonexistent.txt"])
    assert result.exit_code == 1
    assert "no such file or document: /nonexistent.txt" in result.output
    assert "no document matches" not in result.output


def test_open_of_an_unknown_id_still_says_no_document_matches(db_location: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_location, "open", "no-such-thing"])
    assert result.exit_code == 1 and "no document matches 'no-such-thing'" in result.output


def test_labels_help_names_every_form_of_key() -> None:
    for command in ("add", "set"):
        result = CliRunner().invoke(cli, ["labels", command, "--help"], terminal_width=200)
        assert result.exit_code == 0
        assert "a letter, a digit, f1–f12 or ctrl+letter" in " ".join(result.output.split())
        assert "a letter or digit" not in result.output


def _shown(groups: dict[str, list[tuple[str, str]]]) -> list[str]:
    return [f"{keys} {description}" for rows in groups.values() for keys, description in rows]


@pilot_test
async def test_the_help_screen_leaves_out_textuals_inherited_scroll_keys(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        app = pilot.app
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        reader_rows = _shown(app.screen.groups)
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        panel_rows = _shown(app.screen.groups)
        await pilot.press("escape")
        await pilot.press("ctrl+b")
        await pilot.pause()
        # `?` types into the filter; the help it would show is built the same way.
        filter_groups = binding_groups(app, app.active_bindings)
    for rows in (reader_rows, panel_rows, _shown(filter_groups)):
        assert not [row for row in rows if any(word in row for word in TEXTUAL_ONLY)], rows
    # Textual's copy of mouse-selected text; in the filter, the field's own copy stays.
    assert not [row for row in reader_rows + panel_rows if "Copy selected text" in row]
    assert "pgdn space Page down" in reader_rows and "? Show every key" in reader_rows
    assert ("↑", "Up") in filter_groups["Document list"] and ("↓", "Down") in filter_groups["Document list"]
    assert ("⏎", "Open the highlighted document") in filter_groups["Typing in the filter"]
    typed = [row for row in _shown(filter_groups) if row.split(" ")[0] in {"/", "[", "]", "x", "q", "?"}]
    assert typed == []  # those keys type into the filter there


@pilot_test
async def test_status_line_says_filter_while_the_filter_has_the_focus(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        status = pilot.app.main.status
        assert status.mode == "NORMAL"
        await pilot.press("ctrl+b")
        await pilot.press("a")
        await pilot.pause()
        assert status.mode == "FILTER" and " FILTER " in status.render().plain
        await pilot.press("escape", "escape")  # clear the filter, then back to the reader
        await pilot.pause()
        assert pilot.app.focused is pilot.app.main.reader
        assert status.mode == "NORMAL"
        await pilot.press("ctrl+b", "tab")
        await pilot.pause()
        assert status.mode != "FILTER"
