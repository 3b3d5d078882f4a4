"""Bars of one line (the status line, the key bar) drawn through the Line API.

Textual turns a widget's ``render()`` into lines through its visual pipeline, which
for one line of text costs more than everything else a key press does to the bar.
These bars draw their ``render()`` text straight into one strip, and keep it while
the text, the width and the style stay the same.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


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
        text = text.copy()
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis")
        strip = Strip(text.render(self.app.console)).apply_style(style).crop_extend(0, width, style).simplify()
        self._drawn_line = (key, strip)
        return strip
