"""Keys typed faster than a prompt opens (a fast typist, a burst over a slow link) go
into the prompt, in order: none is lost or taken by the screen below. The keys are
posted to the app all at once, before any of them is handled, as a burst arrives."""

from __future__ import annotations

from app_support import SAMPLE, app_for, go, pilot_test, rows, running, sample_db
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from margin.tui.screens.note_editor import NoteEditor
from margin.tui.screens.search_prompt import SearchPrompt

CHARACTERS = {"slash": "/", "enter": "\r", "space": " ", "backspace": "\x7f"}


async def burst(pilot: Pilot, *keys: str) -> None:
    """Every key queued at once, then everything they cause allowed to finish."""
    for key in keys:
        pilot.app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
    for _ in range(3):
        await pilot.pause()


def typed(word: str) -> list[str]:
    return ["space" if character == " " else character for character in word]


@pilot_test
async def test_a_search_typed_in_one_burst_finds_its_term(db_location: str) -> None:
    path = db_location
    sample_db(path)
    app = app_for(path)
    async with running(app) as pilot:
        reader = app.main.reader
        await burst(pilot, "slash", *typed("Watsom"), "backspace", "n", "enter")
        assert not isinstance(app.screen, SearchPrompt)
        assert reader.search_term == "Watson"
        assert reader.cursor == SAMPLE.index("Watson")
        # Open, the prompt holds the last term, selected, so that typing replaces it: so does typing ahead.
        await burst(pilot, "slash", *typed("Mayorkas"))
        assert isinstance(app.screen, SearchPrompt) and app.screen.query_one(Input).value == "Mayorkas"
        await pilot.press("n")  # typed once the field has the focus: added, not replacing
        assert app.screen.query_one(Input).value == "Mayorkasn"
        await pilot.press("escape")
        await pilot.press("slash", *typed("Mulino"), "enter")  # at a typist's pace the same holds
        assert reader.search_term == "Mulino"


@pilot_test
async def test_a_note_typed_in_one_burst_after_e_is_the_note(db_location: str) -> None:
    path = db_location
    sample_db(path)
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("2")
        await burst(pilot, "e", *typed("check it"))
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("ctrl+s")
        await pilot.pause()
    [span] = rows(path, annotator="tester")
    assert span.note == "check it"
