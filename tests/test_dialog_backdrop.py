"""A dialog keeps the dimmed screen beneath it between frames, and follows what
changes there."""

from __future__ import annotations

from app_support import app_for, pilot_test, running, sample_db
from textual.geometry import Region
from textual.screen import Screen

from margin.tui.screens.dialog import Dialog
from margin.tui.screens.help import HelpScreen


def _backdrop_text(screen: Screen) -> list[str]:
    width, height = screen.size
    return ["".join(segment.text for segment in line) for line in screen.render_lines(Region(0, 0, width, height))]


@pilot_test
async def test_a_dialog_draws_what_is_beneath_once_and_again_when_it_changes(db_location: str, monkeypatch) -> None:
    path = db_location
    sample_db(path)
    app = app_for(path)
    drawn: list[int] = []
    original = Screen.render_lines

    def counted(self: Screen, crop: Region):
        if isinstance(self, Dialog):
            drawn.append(crop.height)
        return original(self, crop)

    monkeypatch.setattr(Screen, "render_lines", counted)
    async with running(app, size=(120, 40)) as pilot:
        for timer in list(app.main._timers):
            # Each tick, a message to the screen beneath, has Textual redraw all of it
            # for the dialog (once a dialog has shown a change from beneath, that screen
            # is marked for a full repaint, which its next message performs). The
            # change feed's ticks go to the app, so they redraw nothing.
            if timer.name == "save reading position":
                timer.stop()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any("viewing everyone" in line for line in _backdrop_text(app.screen))
        opened = -1
        while opened != len(drawn):  # until what opening changed beneath (focus, keys) is drawn
            opened = len(drawn)
            await pilot.pause(0.2)
        assert opened >= 1
        for _ in range(3):
            app.screen.refresh()  # a redraw of the dialog itself: the backdrop is kept
            await pilot.pause()
        assert len(drawn) == opened
        app.main.status.viewing = "only ana"  # beneath the dialog
        await pilot.pause()
        await pilot.pause()
        assert any("viewing only ana" in line for line in _backdrop_text(app.screen))
        assert len(drawn) == opened + 1
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert [len(line) for line in _backdrop_text(app.screen)] == [100] * 30


@pilot_test
async def test_a_dialog_beneath_the_palette_shows_what_changed_meanwhile_once_it_is_back(db_location: str) -> None:
    """Textual tells only the top screen what changed beneath: a dialog under the
    command palette must not keep its old backdrop once the palette closes."""
    path = db_location
    sample_db(path)
    app = app_for(path)
    async with running(app, size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen is not help_screen
        app.main.status.viewing = "only ana"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.screen is help_screen
        assert any("viewing only ana" in line for line in _backdrop_text(help_screen))
