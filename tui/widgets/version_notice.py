"""The reader's line about versions: "version 1 of 3 — a newer version exists …".

Above the status line, and only while there is something to say, so a document
without versions keeps every row for its text.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class VersionNotice(Widget):
    """One line of already-inert text set by the screen; hidden when there is none."""

    DEFAULT_CSS = """
    VersionNotice { height: 1; display: none; background: $warning 25%; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._line: Text | None = None

    @property
    def line(self) -> Text | None:
        return self._line

    def show(self, line: Text | None) -> None:
        if line == self._line:
            return
        self._line = line
        self.display = line is not None
        self.refresh()

    def render(self) -> Text:
        return self._line or Text()
