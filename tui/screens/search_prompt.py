"""The `/` prompt: one line at the bottom of the screen, as in vim and less."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from ..text.search import toggle_whole_word
from .type_ahead import TypeAhead


class SearchPrompt(TypeAhead[str | None]):
    """Ask for a search term; dismisses with it, or None when cancelled or empty.

    Whole words are asked for as in vim, ``\\<term\\>``; tab puts those markers on or
    takes them off, so they need not be typed.

    | key | action |
    |---|---|
    | enter | search |
    | tab | whole words on / off |
    | escape | cancel |
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("tab", "toggle_whole_word", "Whole words", id="search.whole_word",
                tooltip="Match whole words only (\\<term\\>), or any part of a word"),
    ]

    def __init__(self, term: str = "") -> None:
        super().__init__()
        self.term = term

    def compose(self) -> ComposeResult:
        yield Input(self.term, placeholder="search this document (tab: whole words)", id="search-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value or None)

    def action_toggle_whole_word(self) -> None:
        field = self.query_one(Input)
        field.value = toggle_whole_word(field.value)
        field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
