"""The `'` list: this document's bookmarks, each with the line it is on, to go back to
one or remove it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..text.sanitise import sanitise, shorten
from .dialog import Dialog
from .list_keys import move, remove_row

LINE_REACH = 240
"""How far either side of a bookmark its line is looked for: a text without line
breaks (one long paragraph) costs no more to list than a hard-wrapped one."""
LINE_WIDTH = 64


def line_at(text: str, offset: int, width: int = LINE_WIDTH) -> str:
    """The line of ``text`` holding ``offset``, inert and on one line, cut to ``width``."""
    start = text.rfind("\n", max(0, offset - LINE_REACH), offset) + 1 or max(0, offset - LINE_REACH)
    end = text.find("\n", offset, offset + LINE_REACH)
    line = text[start : end if end >= 0 else offset + LINE_REACH]
    return shorten(line, width) or "(blank line)"


@dataclass(frozen=True, slots=True)
class Entry:
    offset: int
    percent: float
    line: str
    """Already made inert by ``line_at``."""


class BookmarkList(Dialog[int | None]):
    """Choose a bookmark; dismisses with its offset, or None.

    Removing one calls ``remove`` (which says whether it went) and keeps the list open,
    so several can be cleared in a row.

    | key | action |
    |---|---|
    | up/down, j/k | move |
    | enter | go to the bookmark |
    | x, d | remove the bookmark |
    | escape | close |
    """

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="bookmarks.cancel"),
        Binding("x,d", "delete_bookmark", "Remove", id="bookmarks.remove", tooltip="Remove the highlighted bookmark"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    DEFAULT_CSS = """
    BookmarkList {
        align: center middle;
    }
    #bookmark-options {
        height: auto;
        max-height: 20;
    }
    """

    def __init__(self, title: str, entries: Sequence[Entry], remove: Callable[[int], bool]) -> None:
        super().__init__()
        self.title_text = title
        self.entries = list(entries)
        self._remove_bookmark = remove

    def compose(self) -> ComposeResult:
        with Vertical(id="bookmarks-dialog", classes="dialog"):
            yield Label(sanitise(self.title_text), markup=False, classes="dialog-title")
            yield OptionList(*(self._option(entry) for entry in self.entries), id="bookmark-options")
            yield Label("enter: go there   x / d: remove   escape: close", markup=False, classes="dialog-hint")

    @staticmethod
    def _option(entry: Entry) -> Option:
        prompt = Text()
        prompt.append(f"{entry.percent:5.1f}%  ", style="dim")
        prompt.append(entry.line)
        return Option(prompt)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.entries else None
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.entries):
            self.dismiss(self.entries[event.option_index].offset)

    def action_delete_bookmark(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not 0 <= index < len(self.entries):
            return
        if not self._remove_bookmark(self.entries[index].offset):
            return
        remove_row(options, self.entries, index)

    def action_move(self, step: int) -> None:
        move(self.query_one(OptionList), step)

    def action_cancel(self) -> None:
        self.dismiss(None)
