"""The base of margin's modal screens: the screen beneath, dimmed, drawn once per
change rather than once per frame.

A modal screen draws the screen below it as its own background, tinted: Textual
renders that whole screen again through Rich and blends the colour of every segment
each time anything marks the modal dirty — four times while a picker opens (resume,
resize, layout, first refresh), and again as it redraws — which made about 35 ms of
the 50 it took to open. What is beneath changes only when one of its widgets
changes, and Textual then asks the modal for a refresh of those regions
(``Screen._on_timer_update`` of a background screen); so the tinted lines are kept
until such a refresh, a new size or a new tint (a theme changes the tint, and
everything beneath with it).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from textual.geometry import Region
from textual.screen import ModalScreen
from textual.strip import Strip

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """A `ModalScreen` whose dimmed backdrop is kept between frames."""

    _backdrop: tuple[Hashable, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        width, height = self.size
        key = (width, height, self.styles.background)
        if self._backdrop is None or self._backdrop[0] != key:
            self._backdrop = (key, super().render_lines(Region(0, 0, width, height)))
        lines = self._backdrop[1][crop.y : crop.bottom]
        if crop.x or crop.width != width:
            lines = [line.crop(crop.x, crop.right) for line in lines]
        return lines

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Dialog[T]:
        """Regions are what changed beneath (the only caller that names them); a
        refresh without any is Textual's own, on mounting, focusing or resizing the
        dialog, which leaves the backdrop as it was. Textual tells only the top
        screen, so a dialog beneath another (the command palette over a picker)
        forgets its backdrop too."""
        if regions:
            for screen in self.app.screen_stack:
                if isinstance(screen, Dialog):
                    screen._backdrop = None
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self

    def on_screen_resume(self) -> None:
        """Back on top after a screen above closed: what changed beneath meanwhile may
        have been told to that screen alone (a screen that is not a `Dialog`)."""
        self._backdrop = None
