"""The footer: one line of the keys in force, greyed when they do not apply, cut to
fit, the palette's key at the right edge; and redrawn, never recomposed."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, go, pilot_test, running, sample_db

from margin.tui.widgets.key_bar import KeyBar


@pytest.fixture
def sample(db_location: str) -> Path:
    path = db_location
    sample_db(path)
    return path


def bar_text(app) -> str:
    return app.main.query_one(KeyBar).render().plain


@pilot_test
async def test_keys_fit_greyed_and_palette_at_the_right(sample: Path) -> None:
    app = app_for(sample)
    async with running(app, size=(120, 30)) as pilot:
        bar = app.main.query_one(KeyBar)
        text = bar_text(app)
        assert text.startswith(" v Select") and "1 claim" in text and "q Quit" in text
        assert text.rstrip().endswith("^p palette") and len(text) == 120
        disabled = bar.get_component_rich_style("key-bar--disabled", partial=True)
        styles = {span.style for span in bar.render().spans}
        assert disabled in styles  # undo, delete... do not apply yet
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("2")
        assert "u Undo" in bar_text(app)
    async with running(app_for(sample), size=(60, 20)) as pilot:
        text = bar_text(pilot.app)
        assert len(text) == 60 and "…" in text and text.rstrip().endswith("^p palette")
        assert "\x1b" not in text


@pilot_test
async def test_an_edit_redraws_the_bar_without_mounting_widgets(sample: Path) -> None:
    app = app_for(sample)
    async with running(app) as pilot:
        bar = app.main.query_one(KeyBar)
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("2", "u", "ctrl+r")
        assert list(bar.children) == []


@pilot_test
async def test_clicking_a_key_presses_it(sample: Path) -> None:
    app = app_for(sample)
    async with running(app, size=(120, 30)) as pilot:
        bar = app.main.query_one(KeyBar)
        text = bar_text(app)
        await pilot.click(KeyBar, offset=(text.index("? Help") + 1, 0))
        await pilot.pause()
        from margin.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        assert bar is not None


@pilot_test
async def test_the_bar_is_drawn_again_only_when_its_keys_change(sample: Path) -> None:
    app = app_for(sample)
    async with running(app, size=(120, 30)) as pilot:
        bar = app.main.query_one(KeyBar)
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("2")  # a first label: undo becomes available
        await pilot.pause()
        drawn: list[int] = []
        original = bar.refresh

        def counting(*args: object, **kwargs: object) -> object:
            drawn.append(1)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        bar.refresh = counting  # type: ignore[method-assign]
        app.main.refresh_bindings()  # what every key does: the same keys apply after it
        await pilot.press("l", "l")  # along the span: still on it
        await pilot.pause()
        assert drawn == []
        await go(pilot, SAMPLE.index("Mayorkas"))  # off every span: delete and relabel grey out
        await pilot.pause()
        assert drawn and "x Delete" in bar_text(app)


@pilot_test
async def test_the_bars_draw_their_text_with_its_styles_and_keep_the_strip_while_it_holds(sample: Path) -> None:
    app = app_for(sample)
    async with running(app, size=(120, 30)) as pilot:
        bar, status = app.main.query_one(KeyBar), app.main.status
        drawn = bar.render_line(0)
        assert drawn.text == bar_text(app) and drawn.cell_length == 120
        key_colour = bar.get_component_rich_style("key-bar--key", partial=True).color
        assert any(segment.style is not None and segment.style.color == key_colour for segment in drawn)
        assert all(segment.style is not None and segment.style.bgcolor == bar.rich_style.bgcolor for segment in drawn)
        assert bar.render_line(0) is drawn  # nothing changed: the same strip, not drawn again
        assert status.render_line(0).text.startswith(" NORMAL ")
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("v", "e")
        assert status.render_line(0).text.startswith(" VISUAL ") and " sel " in status.render_line(0).text
        assert bar.render_line(0).text == bar_text(app)
        assert bar.render_line(1).text.strip() == ""
