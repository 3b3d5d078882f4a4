"""Label keys a terminal cannot deliver are refused; the default labels look different
at every colour depth a terminal may have (truecolor, 256, 16 colours, none)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, go, pilot_test, running, sample_db, spans
from click.testing import CliRunner
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color

from margin.store.labels import DEFAULT_LABELS, PALETTE
from margin.store.model import Annotation
from margin.tui.cli import cli
from margin.tui.config import load_settings
from margin.tui.widgets import reader_render
from margin.tui.widgets.annotation_panel import annotation_lines
from margin.tui.widgets.label_style import shown, span_style
from margin.tui.widgets.reader_render import MY_TINT, OTHER_TINT

DARK, LIGHT = Color(18, 18, 18), Color(224, 224, 224)
"""The reader's background in textual-dark and textual-light."""
COLOURS = [label.color for label in DEFAULT_LABELS]
DEPTHS = (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)
NAMES = {ColorSystem.TRUECOLOR: "truecolor", ColorSystem.EIGHT_BIT: "256", ColorSystem.STANDARD: "standard"}


def rendered(style: Style, depth: ColorSystem | None) -> str:
    """What a terminal at ``depth`` is sent for a word in ``style``; without colour,
    what is left of the style once its colours are taken away."""
    console = Console(color_system=NAMES[depth] if depth else "truecolor", force_terminal=True, width=20)  # type: ignore[arg-type]
    with console.capture() as capture:
        console.print(Text("word", style=style if depth else style.without_color), end="")
    return capture.get()


# -- keys a terminal cannot deliver -------------------------------------------------


@pytest.mark.parametrize(("key", "arrives_as"), [("ctrl+i", "tab"), ("ctrl+m", "enter"), ("ctrl+h", "backspace")])
def test_labels_add_and_set_refuse_a_key_that_arrives_as_another(db_location: str, key: str, arrives_as: str) -> None:
    db = db_location
    result = CliRunner().invoke(cli, ["--db", db, "labels", "add", "quote", "--key", key])
    assert result.exit_code == 2
    assert f"{key} arrives as {arrives_as} in a terminal" in result.output
    result = CliRunner().invoke(cli, ["--db", db, "labels", "set", "claim", "--key", key])
    assert result.exit_code == 2 and f"{key} arrives as {arrives_as} in a terminal" in result.output
    listing = CliRunner().invoke(cli, ["--db", db, "labels", "--tsv"]).output
    assert key not in listing and "quote" not in listing


def test_the_store_refuses_them_too_and_keys_past_f12(db_location: str) -> None:
    from margin.store.db import open_database
    from margin.store.errors import MarginError
    from margin.store.labels import add_label

    db = open_database(db_location)
    try:
        with pytest.raises(MarginError, match="ctrl\\+i arrives as tab in a terminal"):
            add_label(db, "quote", key="ctrl+i")
        with pytest.raises(MarginError, match="f1–f12"):
            add_label(db, "quote", key="f13")
        assert add_label(db, "quote", key="f12").key == "f12"
    finally:
        db.close()


def test_ctrl_j_is_a_usable_key(db_location: str) -> None:
    """ctrl+j sends a newline, which Textual receives as ctrl+j (enter sends a return)."""
    result = CliRunner().invoke(cli, ["--db", db_location, "labels", "add", "quote", "--key", "ctrl+j"])
    assert result.exit_code == 0, result.output


def test_the_config_keymap_refuses_them_for_label_keys(db_location: str) -> None:
    config = Path(os.environ["MARGIN_CONFIG"])
    config.write_text(
        '[keymap]\n"app.label_1" = "ctrl+i"\n"app.label.person" = "p,ctrl+h"\n"app.label_3" = "f3"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--db", db_location, "info", "--json"])
    assert result.exit_code == 0
    assert f"warning: {config}: [keymap] 'app.label_1' ignored: ctrl+i arrives as tab in a terminal" in result.stderr
    assert f"warning: {config}: [keymap] 'app.label.person' ignored: ctrl+h arrives as backspace" in result.stderr
    assert load_settings().keymap == {"app.label_3": "f3"}


# -- colours at every depth ------------------------------------------------------------


@pytest.mark.parametrize("depth", [*DEPTHS, None], ids=["truecolor", "256", "16", "monochrome"])
@pytest.mark.parametrize("background", [DARK, LIGHT], ids=["dark", "light"])
@pytest.mark.parametrize("mine", [True, False], ids=["mine", "others"])
def test_default_labels_render_differently_at_every_depth(
    depth: ColorSystem | None, background: Color, mine: bool
) -> None:
    strength = MY_TINT if mine else OTHER_TINT
    styles = [
        span_style(COLOURS, index, background=background, strength=strength, depth=depth, mine=mine)
        for index in range(len(COLOURS))
    ]
    for first, second in itertools.combinations(styles, 2):
        assert rendered(first, depth) != rendered(second, depth)
    if depth is None:
        attributes = [(s.reverse, s.underline, s.strike) for s in styles]
        assert len(set(attributes)) == len(attributes) and all(any(a) for a in attributes)


@pytest.mark.parametrize("depth", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD], ids=["256", "16"])
@pytest.mark.parametrize("background", [DARK, LIGHT], ids=["dark", "light"])
@pytest.mark.parametrize("strength", [MY_TINT, OTHER_TINT])
def test_default_colours_stay_apart_by_colour_alone(depth: ColorSystem, background: Color, strength: float) -> None:
    """The defaults need no fallback mark: their spans' colours downgrade apart, and
    they read as their hue (the 256-colour tint is not grey), in 16 colours too."""
    tints = [background.blend(Color.parse(c), strength) for c in COLOURS]
    bases = tints if depth == ColorSystem.EIGHT_BIT else [Color.parse(c) for c in COLOURS]
    assert len({shown(color, depth) for color in bases}) == len(COLOURS)
    for index in range(len(COLOURS)):
        style = span_style(COLOURS, index, background=background, strength=strength, depth=depth)
        assert not (style.reverse or style.underline or style.strike)
    assert PALETTE[: len(COLOURS)] == tuple(COLOURS)  # labels made by imports start alike


def test_a_label_whose_spans_would_look_alike_gets_a_mark() -> None:
    """Old databases keep their colours: the statistic colour before this change tints
    to person's colour 23 in 256 colours, so its spans are marked as well."""
    old = ["#e5a50a", "#3584e4", "#2ec27e"]
    person, statistic = (
        span_style(old, index, background=DARK, strength=MY_TINT, depth=ColorSystem.EIGHT_BIT) for index in (1, 2)
    )
    assert person.bgcolor and statistic.bgcolor
    assert person.bgcolor.downgrade(ColorSystem.EIGHT_BIT).number == statistic.bgcolor.downgrade(
        ColorSystem.EIGHT_BIT
    ).number
    assert rendered(person, ColorSystem.EIGHT_BIT) != rendered(statistic, ColorSystem.EIGHT_BIT)
    truecolor = span_style(old, 2, background=DARK, strength=MY_TINT, depth=ColorSystem.TRUECOLOR)
    assert not truecolor.reverse  # in truecolor the tints differ and nothing is added


@pytest.mark.parametrize("depth", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD], ids=["256", "16"])
def test_annotation_panel_swatches_differ(depth: ColorSystem) -> None:
    heads = []
    for label in DEFAULT_LABELS:
        annotation = Annotation("a", "d", 0, 4, label.name, "word", annotator="ana")
        heading = annotation_lines(annotation, label.color, 30)[0]
        swatch = next(span for span in heading.spans if span.end - span.start <= 2)
        style = Style.parse(swatch.style) if isinstance(swatch.style, str) else swatch.style
        heads.append(rendered(Style(color=style.color), depth))
        assert label.name in heading.plain  # without colour, the name still tells them apart
    assert len(set(heads)) == len(heads)


# -- the reader at each depth -------------------------------------------------------------


WORDS = ("Biden", "administration", "deporting")


async def _label_three_words(pilot) -> dict[str, Style]:  # type: ignore[no-untyped-def]
    """Label three words 1, 2, 3 and read the style each is drawn in."""
    for number, word in enumerate(WORDS, 1):
        await go(pilot, SAMPLE.index(word))
        await pilot.press(str(number))
    await go(pilot, 0)
    reader = pilot.app.main.reader
    found: dict[str, Style] = {}
    for y in range(reader.size.height):
        for segment in reader.render_line(y):
            assert isinstance(segment, Segment)
            if segment.text in WORDS and segment.style is not None:
                found[segment.text] = segment.style
    return found


@pilot_test
async def test_the_reader_marks_labels_apart_without_colour(db_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = db_location
    sample_db(path)
    app = app_for(path)
    async with running(app) as pilot:
        found = await _label_three_words(pilot)
    assert [label for *_, label, _who in spans(path)] == ["claim", "person", "statistic"]
    assert set(found) == set(WORDS)
    attributes = {word: (style.reverse, style.underline, style.strike) for word, style in found.items()}
    assert len(set(attributes.values())) == 3 and all(any(a) for a in attributes.values())


@pilot_test
async def test_the_reader_in_256_colours_draws_each_default_label_in_its_own_colour(
    db_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_render, "color_depth", lambda app: ColorSystem.EIGHT_BIT)
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        found = await _label_three_words(pilot)
    numbers = {
        word: style.bgcolor.downgrade(ColorSystem.EIGHT_BIT).number for word, style in found.items() if style.bgcolor
    }
    assert len(set(numbers.values())) == 3, numbers


def test_a_label_on_a_key_margin_now_uses_is_named_at_start(db_location: str) -> None:
    import asyncio

    from app_support import app_for, messages, running, sample_db

    from margin.store.db import open_database

    path = db_location
    sample_db(path)
    db = open_database(path)
    # Allowed before E was margin's end-of-word key.
    db.execute("insert into labels (name, key, color, position) values ('event', 'E', '#aa3377', 9)")
    db.conn.commit()
    db.close()

    async def scenario() -> None:
        app = app_for(path)
        async with running(app) as pilot:
            await pilot.pause()
            assert any("Label event's key E is now one of margin's own keys" in m for m in messages(app))

    asyncio.run(scenario())
