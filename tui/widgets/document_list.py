"""The document list: every document with its progress and counts per label,
narrowed as you type by title and by full-text search."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from margin.store.documents import DocumentSummary
from margin.store.model import Label

from ..text.sanitise import sanitise


def document_prompt(summary: DocumentSummary, labels: Sequence[Label], *, current: bool) -> Text:
    """Two lines: the title, then progress and a coloured count per label."""
    text = Text(no_wrap=False)
    text.append("▸ " if current else "  ", style="bold")
    text.append(sanitise(summary.title) or "(untitled)", style="bold" if current else "")
    text.append(f"\n  {summary.progress:3.0f}%", style="dim")
    for label in labels:
        count = summary.counts.get(label.name)
        if count:
            text.append("  ■", style=label.color)
            text.append(f"{count}")
    return text


class DocumentList(Vertical):
    """Documents; typing filters them, enter opens the highlighted one.

    | key | action |
    |---|---|
    | type | filter by title and full text |
    | up / down | move |
    | enter | open |
    | escape | clear the filter, then back to the reader |
    """

    HELP_TITLE = "Document list"

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("escape", "leave", "Back", id="documents.leave", show=False),
    ]

    class Opened(Message):
        """The user chose a document to read."""

        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    class Left(Message):
        """The user is done with the list (escape on an empty filter)."""

    def __init__(self, *, search: Callable[[str], list[str]], id: str | None = None) -> None:
        super().__init__(id=id)
        self.search = search
        self.summaries: list[DocumentSummary] = []
        self.labels: list[Label] = []
        self.current: str | None = None
        self.order: list[str] = []
        # Kept, not queried: a timer may update the list while the app is closing.
        self.filter_input = Input(placeholder="filter / search", id="document-filter")
        self.options = OptionList(id="document-options")

    def compose(self) -> ComposeResult:
        yield self.filter_input
        yield self.options

    def focus(self, scroll_visible: bool = True) -> DocumentList:
        self.filter_input.focus(scroll_visible)
        return self

    def show(self, summaries: list[DocumentSummary], labels: list[Label], current: str | None) -> None:
        """Replace the rows, keeping the filter and the highlighted document."""
        self.summaries = summaries
        self.labels = labels
        self.current = current
        self._rebuild()

    def update(self, summary: DocumentSummary) -> None:
        """Redraw one row (its counts or progress changed)."""
        for index, existing in enumerate(self.summaries):
            if existing.id == summary.id:
                self.summaries[index] = summary
        if summary.id in self.order:
            self.options.replace_option_prompt(
                summary.id, document_prompt(summary, self.labels, current=summary.id == self.current)
            )

    def mark_current(self, doc_id: str) -> None:
        previous, self.current = self.current, doc_id
        for summary in self.summaries:
            if summary.id in (previous, doc_id) and summary.id in self.order:
                self.options.replace_option_prompt(
                    summary.id, document_prompt(summary, self.labels, current=summary.id == doc_id)
                )
        if doc_id in self.order:
            self.options.highlighted = self.order.index(doc_id)

    def neighbour(self, doc_id: str | None, step: int) -> str | None:
        """The document ``step`` places away in the (filtered) list, wrapping around."""
        if not self.order:
            return None
        if doc_id not in self.order:
            return self.order[0]
        return self.order[(self.order.index(doc_id) + step) % len(self.order)]

    def _matching(self) -> list[DocumentSummary]:
        query = self.filter_input.value.strip()
        if not query:
            return self.summaries
        needle = query.casefold()
        found = set(self.search(query))
        return [s for s in self.summaries if s.id in found or needle in s.title.casefold()]

    def _rebuild(self) -> None:
        options = self.options
        highlighted = options.highlighted_option.id if options.highlighted_option else self.current
        shown = self._matching()
        self.order = [summary.id for summary in shown]
        options.clear_options()
        options.add_options(
            Option(document_prompt(s, self.labels, current=s.id == self.current), id=s.id)
            for s in shown
        )
        if highlighted in self.order:
            options.highlighted = self.order.index(highlighted)
        elif self.order:
            options.highlighted = 0
        count = len(self.order)
        total = len(self.summaries)
        self.border_title = f"Documents {count}" if count == total else f"Documents {count}/{total}"

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.options.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Opened(option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(event.option.id))

    def action_move(self, step: int) -> None:
        if step > 0:
            self.options.action_cursor_down()
        else:
            self.options.action_cursor_up()

    def action_leave(self) -> None:
        if self.filter_input.value:
            self.filter_input.value = ""
        else:
            self.post_message(self.Left())
