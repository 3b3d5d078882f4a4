"""Bars of one line (the status line, the key bar) drawn through the Line API.

Textual turns a widget's ``render()`` into lines through its visual pipeline, which
for one line of text costs more than everything else a key press does to the bar.
These bars draw their ``render()`` text straight into one strip, and keep it while
the text, the width and the style stay the same.
"""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


def text_strip(text: Text, width: int, style: Style, console: Console) -> Strip:
    """One line of ``text`` on ``style``, cut with an ellipsis or padded to ``width``."""
    text = text.copy()
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis")
    return Strip(text.render(console)).apply_style(style).crop_extend(0, width, style).simplify()


class OneLine(Widget):
    """A widget whose ``render()`` is one line of rich ``Text``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn_line: tuple[object, Strip] | None = None

    def render(self) -> Text:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.rich_style
        if y != 0:
            return Strip.blank(width, style)
        text = self.render()
        key = (text.plain, tuple(text.spans), text.style, width, style)
        if self._drawn_line is not None and self._drawn_line[0] == key:
            return self._drawn_line[1]
        strip = text_strip(text, width, style, self.app.console)
        self._drawn_line = (key, strip)
        return strip
