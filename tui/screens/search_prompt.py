"""The `/` prompt: one line at the bottom of the screen, as in vim and less."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input


class SearchPrompt(ModalScreen[str | None]):
    """Ask for a search term; dismisses with it, or None when cancelled or empty.

    | key | action |
    |---|---|
    | enter | search |
    | escape | cancel |
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search.cancel")]

    def __init__(self, term: str = "") -> None:
        super().__init__()
        self.term = term

    def compose(self) -> ComposeResult:
        yield Input(self.term, placeholder="search this document", id="search-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
