"""A modal list to choose one thing from: a label, or one of several overlapping spans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..text.sanitise import sanitise
from .dialog import Dialog
from .list_keys import move

T = TypeVar("T")


def _inert(prompt: Text | str) -> Text:
    """The prompt as Text with its characters made inert; styles stay where they were,
    since ``sanitise`` replaces one character by one."""
    text = prompt.copy() if isinstance(prompt, Text) else Text(prompt)
    text.plain = sanitise(text.plain)
    return text


class LabelPicker(Dialog[T | None], Generic[T]):
    """Choose among ``choices`` (prompt, value); dismisses with the value, or None.

    Prompts are Rich ``Text`` (never markup) and are sanitised here, like the title,
    so label names and article text in them stay inert.

    | key | action |
    |---|---|
    | up/down, j/k | move |
    | enter | choose |
    | 1–9 | choose the n-th |
    | escape | cancel |
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)),
    ]

    def __init__(
        self, title: str, choices: Sequence[tuple[Text | str, T]], *, highlighted: int = 0
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="dialog"):
            yield Label(sanitise(self.title_text), markup=False, classes="dialog-title")
            yield OptionList(
                *(
                    Option(_inert(prompt), id=str(index))
                    for index, (prompt, _value) in enumerate(self.choices)
                ),
                id="picker-options",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = min(self.highlighted, len(self.choices) - 1) if self.choices else None
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index)

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.dismiss(self.choices[index][1])

    def action_move(self, step: int) -> None:
        move(self.query_one(OptionList), step)

    def action_cancel(self) -> None:
        self.dismiss(None)
