"""Copying: the selection, an annotation's quote, a citation; never a crash."""

from __future__ import annotations

import pyperclip
import pytest
from app_support import SAMPLE, app_for, go, messages, pilot_test, running, sample_db

from margin.tui.commands.app import SAMPLE_SOURCE, SAMPLE_TITLE


@pytest.fixture
def sample(db_location: str) -> str:
    """The sample article's database, on each backend."""
    sample_db(db_location)
    return db_location


@pytest.fixture
def clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


@pilot_test
async def test_y_copies_the_selection_then_the_annotation_under_the_cursor(sample: str, clipboard: list[str]) -> None:
    start = SAMPLE.index("José Raúl Mulino")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, start)
        await pilot.press("v", *["l"] * 15, "y")
        assert app.main.reader.selection is None
        await pilot.press("W", "2")
        await pilot.press("y")
        await go(pilot, 0)
        await pilot.press("y")
        assert "Nothing to copy: select text or move onto an annotation" in messages(app)
    assert clipboard == ["José Raúl Mulino", "Mulino"]
    assert "Copied selection: José Raúl Mulino" in messages(app)


@pilot_test
async def test_Y_copies_a_citation_with_title_and_source(sample: str, clipboard: list[str]) -> None:
    start = SAMPLE.index("520,000 migrants")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, start)
        await pilot.press("v", *["l"] * 15, "Y")
    assert clipboard == [f"“520,000 migrants” — {SAMPLE_TITLE}, {SAMPLE_SOURCE}"]


@pilot_test
async def test_without_a_system_clipboard_the_terminal_gets_it(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Panama"))
        await pilot.press("W", "y")
        assert app.clipboard == "Panama"
        assert "Copied selection (terminal clipboard): Panama" in messages(app)


@pilot_test
async def test_any_clipboard_failure_is_a_notification(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("no display")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = app_for(sample)
    monkeypatch.setattr(app, "copy_to_clipboard", broken)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Panama"))
        await pilot.press("W", "y")
        assert "Could not copy: no display" in messages(app)
        assert app.is_running
