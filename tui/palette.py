"""The command palette's margin commands: every action the app can do, by name.

The app lists its commands (``MarginApp.palette_commands``) from its own bindings plus
the few that have no key, so the palette never falls behind the key map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import MarginApp


class MarginCommands(Provider):
    """Commands for every margin action, searched with Textual's fuzzy matcher."""

    @property
    def margin(self) -> MarginApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for name, help_text, callback in self.margin.palette_commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.margin.palette_commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
