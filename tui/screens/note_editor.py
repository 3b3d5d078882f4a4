"""The note editor: a modal text area for an annotation's note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from ..text.sanitise import sanitise, shorten
from .type_ahead import TypeAhead


class NoteEditor(TypeAhead[str | None]):
    """Edit a note; dismisses with the new text, or None when cancelled.

    | key | action |
    |---|---|
    | ctrl+s | save |
    | escape | cancel |
    """

    FIELD = "TextArea"

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
                f"Note on {sanitise(self.label)}: “{shorten(self.quote, 60)}”",
                markup=False,
                classes="dialog-title",
            )
            # Shown inert: a text area draws what it holds as it is.
            yield TextArea(sanitise(self.note), id="note-text", soft_wrap=True)
            yield Label("ctrl+s save · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        text_area = self.query_one(TextArea)
        # Tests stop the blink (MarginApp.cursor_blink) so screenshots are stable.
        text_area.cursor_blink = getattr(self.app, "cursor_blink", True)
        text_area.move_cursor(text_area.document.end)
        text_area.focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        # Saved unedited, the note keeps its own characters rather than the glyphs shown.
        self.dismiss(self.note if text == sanitise(self.note) else text)

    def action_cancel(self) -> None:
        self.dismiss(None)
