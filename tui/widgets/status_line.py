"""The status line: mode, who you are, which database, where you are, what is selected."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from ..text.sanitise import sanitise, shorten
from .one_line import OneLine


class StatusLine(OneLine):
    """One line under the panes. The app sets its reactives; it only draws them."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    mode: reactive[str] = reactive("NORMAL")
    """NORMAL, VISUAL (a selection is active), SEARCH (the search prompt is open) or
    FILTER (typing in the document list's filter: keys type, they do not act)."""
    annotator: reactive[str] = reactive("")
    """Who is annotating: every new span is theirs."""
    database: reactive[str] = reactive("")
    """The database path as given."""
    position: reactive[float] = reactive(0.0)
    """How far through the document the cursor is, 0–100."""
    selection_length: reactive[int] = reactive(0)
    """Characters selected; 0 when nothing is."""
    viewing: reactive[str] = reactive("everyone")
    """Whose annotations are shown: everyone, mine, or one annotator's name."""
    readonly: reactive[bool] = reactive(False)
    """The database cannot be written; edits are refused."""
    pending: reactive[int] = reactive(0)
    """Edits queued behind another process's write lock, not yet saved."""
    chapter: reactive[str] = reactive("")
    """The heading the cursor is under (the last one before it); empty when none."""
    busy: reactive[str] = reactive("")
    """Work going on in the background ("suggesting…"); empty when none."""
    search: reactive[str] = reactive("")
    """The search and where the cursor is among its matches ("/term 3 of 120"); empty
    when no search is active."""

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.mode} ", style="reverse bold")
        text.append(f" {sanitise(self.annotator)} ", style="bold")
        if self.readonly:
            text.append(" read-only ", style="reverse")
        if self.pending:
            text.append(f" saving {self.pending}… ", style="reverse bold")
        if self.busy:
            text.append(f" {self.busy} ", style="reverse")
        text.append(f" viewing {sanitise(self.viewing)} ", style="dim")
        text.append(f" {self.position:3.0f}% ")
        if self.chapter:
            text.append(f" § {shorten(self.chapter, 32)} ", style="italic")
        if self.selection_length:
            text.append(f" sel {self.selection_length} ")
        if self.search:
            text.append(f" {sanitise(self.search)} ", style="bold")
        text.append(f" {sanitise(self.database)}", style="dim")
        return text
