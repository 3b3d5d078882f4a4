"""The command palette's margin commands: every action by name, and documents by title.

Actions come from the main screen's own bindings plus the few that have no key, so the
palette never falls behind the key map. Documents are looked up in SQL as the user
types, so the palette costs the same with a hundred documents or a hundred thousand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from margin.store.documents import search_titles

from .text.sanitise import shorten

if TYPE_CHECKING:
    from .app import MarginApp

DOCUMENT_HITS = 30


class MarginCommands(Provider):
    """Commands for every margin action, searched with Textual's fuzzy matcher."""

    @property
    def margin(self) -> MarginApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for name, help_text, callback in self.margin.main.palette_commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.margin.main.palette_commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class DocumentCommands(Provider):
    """``Open <title>`` for the documents whose title or text matches what is typed."""

    @property
    def margin(self) -> MarginApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        words = query.split()
        if words and words[0].casefold() == "open":
            words = words[1:]  # "Open …" is how the hits read, so users type it too
        if not words:
            return
        matcher = self.matcher(query)
        main = self.margin.main
        for doc_id, title in search_titles(self.margin.db, " ".join(words), limit=DOCUMENT_HITS):
            name = f"Open {shorten(title, 70)}"
            yield Hit(max(matcher.match(name), 0.1), matcher.highlight(name),
                      lambda doc_id=doc_id: main.open_document(doc_id), help="read this document")
