"""The table of contents: a document's headings in a modal, filtered as you type."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets import Label as TitleLabel
from textual.widgets.option_list import Option

from ..text.headings import Heading, Headings
from ..text.sanitise import sanitise
from .list_keys import move, page
from .type_ahead import TypeAhead


def _prompt(heading: Heading) -> Text:
    """Indented by level, so books, chapters and sections read as an outline."""
    text = Text("  " * (heading.level - 1))
    text.append(sanitise(heading.title), style="bold" if heading.level == 1 else "")
    return text


class TableOfContents(TypeAhead[int | None]):
    """Choose a heading; dismisses with its offset, or None.

    | key | action |
    |---|---|
    | type | filter the headings |
    | up / down, pgup / pgdn | move |
    | enter | go to the heading |
    | escape | clear the filter, then cancel |
    """

    DEFAULT_CSS = """
    TableOfContents {
        align: center middle;
    }
    #toc-dialog {
        height: 80%;
    }
    #toc-options {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="toc.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
    ]

    def __init__(self, title: str, headings: Headings, *, current: int | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.headings = headings
        self.current = current
        self.shown: list[int] = []
        """Indices into ``headings`` of the options listed, in order."""

    def compose(self) -> ComposeResult:
        with Vertical(id="toc-dialog", classes="dialog"):
            yield TitleLabel(f"Contents — {sanitise(self.title_text)}", markup=False, classes="dialog-title")
            yield Input(placeholder="filter headings", id="toc-filter")
            yield OptionList(id="toc-options")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    def _show(self, term: str) -> None:
        """List the headings whose title has every word of ``term`` (case ignored),
        keeping the highlight on the chapter the cursor is in while it is listed."""
        words = term.casefold().split()
        items = self.headings.items
        self.shown = [
            index for index, heading in enumerate(items)
            if all(word in heading.title.casefold() for word in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(_prompt(items[index])) for index in self.shown])
        if not self.shown:
            return
        options.highlighted = self.shown.index(self.current) if self.current in self.shown else 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self._pick(highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.dismiss(self.headings.items[self.shown[row]].start)

    def action_move(self, step: int) -> None:
        move(self.query_one(OptionList), step)

    def action_page(self, direction: int) -> None:
        page(self.query_one(OptionList), direction)

    def action_cancel(self) -> None:
        field = self.query_one(Input)
        if field.value:
            field.value = ""
        else:
            self.dismiss(None)
