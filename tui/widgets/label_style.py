"""How a label's span looks at each colour depth the terminal has.

A span is a tint of its label's colour over the reader's background. Tints are dark
(or pale) and close together, so a terminal with fewer colours can round two labels'
tints to one colour (under tmux without truecolor, blue and green both became colour
23): the labels would then look alike. Here each depth gets a look that keeps labels
apart: in truecolor and 256 colours the tint, in 16 colours the label's own colour
(a tint of any colour rounds to black or grey there), and with no colour at all (or
when two labels still round to one colour) a text attribute per label position.

The styles are plain Rich styles, so a test can render them at each depth.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.color import ColorSystem
from rich.style import Style
from textual.app import App
from textual.color import Color

from ..compat import standard_rgb

MARKS: tuple[Style, ...] = (
    Style(reverse=True),
    Style(underline=True),
    Style(reverse=True, underline=True),
    Style(strike=True),
    Style(reverse=True, strike=True),
)
"""Attributes that tell labels apart without colour, by the label's place in the scheme."""

FALLBACK = "#888888"
DEPTHS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.STANDARD,
}


def color_depth(app: App[object]) -> ColorSystem | None:
    """The colours the app's output has: None for none (``NO_COLOR`` or a terminal
    without colour). A headless app (the tests, screenshots) is drawn in truecolor."""
    if app.no_color:
        return None
    if app.is_headless:
        return ColorSystem.TRUECOLOR
    return DEPTHS.get(app.console.color_system or "")


def parse(color: str) -> Color:
    try:
        return Color.parse(color)
    except Exception:
        return Color.parse(FALLBACK)


def shown(color: Color, depth: ColorSystem) -> tuple[object, ...]:
    """What the terminal is sent for ``color`` at ``depth`` (Rich's colour names are
    left out: two colours that downgrade to one number are one colour)."""
    rich = color.rich_color if depth == ColorSystem.TRUECOLOR else color.rich_color.downgrade(depth)
    return (rich.type, rich.number, rich.triplet)


def _background(label: Color, background: Color, strength: float, depth: ColorSystem | None) -> Color:
    """The span's background: a tint, or in 16 colours the label's colour itself."""
    return label if depth == ColorSystem.STANDARD else background.blend(label, strength)


def _readable_on(color: Color) -> Style:
    """Black or white text, whichever reads on ``color`` in 16 colours."""
    number = color.rich_color.downgrade(ColorSystem.STANDARD).number or 0
    red, green, blue = standard_rgb(number)
    light = 0.299 * red + 0.587 * green + 0.114 * blue > 128
    return Style(color="#000000" if light else "#ffffff")


def span_style(
    colors: Sequence[str],
    index: int,
    *,
    background: Color,
    strength: float,
    depth: ColorSystem | None,
    mine: bool = True,
    suggested: bool = False,
    nested: bool = False,
) -> Style:
    """The style of a span of the label at ``index`` of the scheme's ``colors``.

    Nested spans are bold and suggested ones italic at every depth; another annotator's
    spans are underlined, or dim without colour (where underline may mark a label). A
    label whose span would show in the same colour as an earlier label's gets that
    label position's mark as well, so no two labels look alike at any depth.
    """
    label = parse(colors[index]) if 0 <= index < len(colors) else parse(FALLBACK)
    flags = Style(bold=nested or None, italic=suggested or None)
    if depth is None:
        return flags + Style(dim=(not mine) or None) + MARKS[max(index, 0) % len(MARKS)]
    tint = _background(label, background, strength, depth)
    style = flags + Style(bgcolor=tint.rich_color, underline=(not mine) or None)
    if depth == ColorSystem.STANDARD:
        style += _readable_on(tint)
    earlier = {shown(_background(parse(other), background, strength, depth), depth) for other in colors[:max(index, 0)]}
    if shown(tint, depth) in earlier:
        style += MARKS[index % len(MARKS)]
    return style
