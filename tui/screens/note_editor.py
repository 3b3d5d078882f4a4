"""The note editor: a modal text area for an annotation's note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ..text.sanitise import shorten


class NoteEditor(ModalScreen[str | None]):
    """Edit a note; dismisses with the new text, or None when cancelled.

    | key | action |
    |---|---|
    | ctrl+s | save |
    | escape | cancel |
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, note: str, *, quote: str, label: str) -> None:
        super().__init__()
        self.note = note
        self.quote = quote
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Label(
                f"Note on {self.label}: “{shorten(self.quote, 60)}”",
                markup=False,
                classes="dialog-title",
            )
            yield TextArea(self.note, id="note-text", soft_wrap=True)
            yield Label("ctrl+s save · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        text_area = self.query_one(TextArea)
        # Tests stop the blink (MarginApp.cursor_blink) so screenshots are stable.
        text_area.cursor_blink = getattr(self.app, "cursor_blink", True)
        text_area.move_cursor(text_area.document.end)
        text_area.focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
