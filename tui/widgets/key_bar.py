"""The footer: the keys in force on one line, drawn rather than composed.

Textual's ``Footer`` recomposes a widget per key whenever the bindings change, which
every edit does (undo becomes available, the span under the cursor changes): a
layout of the whole screen per key press. This bar redraws one line of text instead,
greys out what does not apply, cuts what does not fit with an ellipsis, and keeps
the command palette's key at the right edge. A click on a key presses it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen

from .one_line import OneLine

SEPARATOR = "  "


class KeyBar(OneLine):
    """The keys of the screen's active bindings that ask to be shown."""

    DEFAULT_CSS = """
    KeyBar { height: 1; background: $footer-background; color: $footer-foreground; }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--disabled { color: $footer-foreground 50%; }
    """

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets: list[tuple[int, int, str]] = []
        """(first cell, last cell, key) of each key drawn, for clicks."""
        self._prompt: Text | None = None
        self._drawn: object = None
        """The entries the bar last drew: a bindings update that leaves them as they
        were (most keys: the cursor moved, a span was labelled) draws nothing."""

    @property
    def prompt(self) -> Text | None:
        """A line shown instead of the keys while a mode asks for one of its own (link
        mode: "Link from claim …: s said_by · enter pick · escape cancel")."""
        return self._prompt

    @prompt.setter
    def prompt(self, prompt: Text | None) -> None:
        self._prompt = prompt
        self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        if self._prompt is not None or self._entries() != self._drawn:
            self.refresh()

    def _entries(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key display, description, enabled) per action, and the palette's key."""
        app = self.app
        entries: list[tuple[str, str, str, bool]] = []
        palette: tuple[str, str, str, bool] | None = None
        seen: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (key, app.get_key_display(binding), binding.description, enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append((key, app.get_key_display(binding), binding.description, enabled))
        return entries, palette

    def render(self) -> Text:
        width = self.size.width
        if self._prompt is not None:
            self._targets = []
            line = Text(" ", no_wrap=True, overflow="ellipsis")
            line.append_text(self._prompt)
            line.truncate(width, pad=True)
            return line
        entries, palette = self._drawn = self._entries()
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        right = Text()
        if palette is not None:
            right.append(palette[1], style=key_style)
            right.append(f" {palette[2].lower()} ")
        room = max(0, width - right.cell_len - 1)
        line = Text(no_wrap=True, overflow="ellipsis")
        self._targets = []
        for key, display, description, enabled in entries:
            piece = f" {display} {description}"
            if line.cell_len + cell_len(piece) > room:
                if line.cell_len < room:
                    line.append(" …")
                break
            start = line.cell_len
            line.append(" ")
            line.append(display, style=key_style if enabled else disabled_style)
            line.append(f" {description}", style="" if enabled else disabled_style)
            self._targets.append((start, line.cell_len, key))
        line.truncate(room, pad=True)
        if palette is not None:
            self._targets.append((width - right.cell_len, width, palette[0]))
            line.append(" ")
            line.append_text(right)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._targets:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
