"""The list of what re-anchoring left to review: spans whose text changed in the
newest version, and orphans that could not be placed on it.

Enter goes to an item (the screen that opened the list decides where); the other
keys act on the highlighted item through callbacks that make an ordinary, undoable
edit and say whether it was made, so the list drops that one row and stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from margin.store.reanchor_review import ReviewItem

from ..text.sanitise import sanitise, shorten
from ..version_notice import counted
from .dialog import Dialog
from .list_keys import move, remove_row

QUOTE_WIDTH = 36
EMPTY = "Nothing to review: every span of this document's versions is placed and looked at."
HINT = "enter go there · a re-attach to the selection · r reviewed · x delete · escape close"


@dataclass(frozen=True, slots=True)
class ReviewActions:
    """What the list's keys do to an item; each returns whether the edit was made."""

    reattach: Callable[[ReviewItem], bool]
    mark_reviewed: Callable[[ReviewItem], bool]
    delete: Callable[[ReviewItem], bool]


def describe(item: ReviewItem, versions: dict[str, int], colors: dict[str, str]) -> Text:
    """One row, every part from the data made inert."""
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append("■ ", style=colors.get(item.label, "#888888"))
    row.append(f"{sanitise(item.label):<10} ", style="bold")
    if item.kind == "changed":
        row.append(f"was “{shorten(item.old_quote, QUOTE_WIDTH)}” → now “{shorten(item.quote, QUOTE_WIDTH)}”")
        row.append(f"  {sanitise(item.method)} {item.confidence:.0%}", style="dim")
        return row
    row.append("orphan ", style="bold reverse")
    row.append(f" “{shorten(item.quote, QUOTE_WIDTH)}”")
    version = versions.get(item.doc_id)
    stays = f"stays on v{version}" if version is not None else "stays on an older version"
    row.append(f"  {sanitise(item.reason) or 'not found'}; {stays}", style="dim")
    return row


class ReanchorReview(Dialog[ReviewItem | None]):
    """Choose an item to go to; dismisses with it, or None.

    | key | action |
    |---|---|
    | up/down, j/k | move |
    | enter | go to the item (an orphan: where the newest text has its old place) |
    | a | re-attach the highlighted orphan to the reader's selection |
    | r | mark the highlighted changed span reviewed |
    | x | delete the highlighted span (undoable) |
    | escape | close |
    """

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="reanchor_review.cancel"),
        Binding("a", "reattach", "Re-attach", id="reanchor_review.reattach",
                tooltip="Re-attach the highlighted orphan to the text selected in the reader"),
        Binding("r", "mark_reviewed", "Reviewed", id="reanchor_review.reviewed",
                tooltip="Mark the highlighted changed span reviewed"),
        Binding("x", "delete", "Delete", id="reanchor_review.delete", tooltip="Delete the highlighted span"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    DEFAULT_CSS = """
    ReanchorReview {
        align: center middle;
    }
    #reanchor-options {
        height: auto;
        max-height: 20;
    }
    """

    def __init__(
        self, title: str, items: Sequence[ReviewItem], actions: ReviewActions, *,
        versions: dict[str, int], colors: dict[str, str], highlighted: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.actions = actions
        self.versions = versions
        self.label_colors = colors
        self._first = next((n for n, item in enumerate(self.items) if item.annotation_id == highlighted), 0)

    def compose(self) -> ComposeResult:
        with Vertical(id="reanchor-dialog", classes="dialog"):
            yield Label(self._title(), markup=False, classes="dialog-title", id="reanchor-title")
            yield OptionList(*(Option(describe(item, self.versions, self.label_colors)) for item in self.items),
                             id="reanchor-options")
            yield Label(EMPTY, markup=False, id="reanchor-empty")
            yield Label(HINT, markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._first if self.items else None
        options.focus()
        self._show_empty()

    def _title(self) -> str:
        """The document's title and what is left: it counts down as items are dealt with."""
        changed = sum(item.kind == "changed" for item in self.items)
        left = counted(changed, len(self.items) - changed) or "nothing left"
        return f"To review in “{shorten(self.title_text, 50)}”: {left}"

    def _show_empty(self) -> None:
        self.query_one("#reanchor-title", Label).update(self._title())
        self.query_one("#reanchor-empty").display = not self.items
        self.query_one(OptionList).display = bool(self.items)

    @property
    def current(self) -> ReviewItem | None:
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.items):
            self.dismiss(self.items[event.option_index])

    def _act(self, act: Callable[[ReviewItem], bool], kind: str | None, refusal: str) -> None:
        """Run ``act`` on the highlighted item (of ``kind``, when given) and take its
        row out once the edit is made."""
        item = self.current
        if item is None:
            return
        if kind is not None and item.kind != kind:
            self.notify(refusal, severity="warning", markup=False)
            return
        if act(item):
            self.drop(item.annotation_id)

    def drop(self, annotation_id: str) -> None:
        """Take one item's row out, the highlight staying where it was."""
        index = next((n for n, item in enumerate(self.items) if item.annotation_id == annotation_id), None)
        if index is None:
            return
        remove_row(self.query_one(OptionList), self.items, index)
        self._show_empty()

    def action_reattach(self) -> None:
        self._act(self.actions.reattach, "orphan", "Only an orphan is re-attached: r marks a changed span reviewed")

    def action_mark_reviewed(self) -> None:
        self._act(self.actions.mark_reviewed, "changed",
                  "An orphan is re-attached (a) or deleted (x), not marked reviewed")

    def action_delete(self) -> None:
        self._act(self.actions.delete, None, "")

    def action_move(self, step: int) -> None:
        move(self.query_one(OptionList), step)

    def action_cancel(self) -> None:
        self.dismiss(None)
