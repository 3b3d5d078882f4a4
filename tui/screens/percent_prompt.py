"""The `%` prompt: a percentage of the document to go to, as vim's `50%`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from .type_ahead import TypeAhead


def parse_percent(value: str) -> float | None:
    """The percentage typed, held to 0–100; None when nothing usable was typed."""
    try:
        percent = float(value.strip().rstrip("%"))
    except ValueError:
        return None
    if percent != percent:  # NaN
        return None
    return min(max(percent, 0.0), 100.0)


class PercentPrompt(TypeAhead[float | None]):
    """Ask for a percentage; dismisses with it, or None when cancelled or empty.

    One line at the bottom, like the search prompt, so the text being read stays in
    view. Only digits and a decimal point can be typed.

    | key | action |
    |---|---|
    | enter | go there |
    | escape | cancel |
    """

    DEFAULT_CSS = """
    PercentPrompt {
        align: left bottom;
        background: transparent;
    }
    #percent-input {
        dock: bottom;
        margin-bottom: 2;
        border: tall $accent;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="percent.cancel")]

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="go to per cent of the document (0–100), enter",
            restrict=r"[0-9]*\.?[0-9]*",
            max_length=8,
            id="percent-input",
        )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_percent(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
