"""The `?` screen: every live key, generated from the bindings in force, grouped.

Built from ``App.active_bindings`` at the moment `?` is pressed, so it shows the
user's own keymap and only what applies to the focused pane.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.keys import key_to_character
from textual.widgets import Input, Label, Static

from ..compat import own_bindings
from .dialog import Dialog

Groups = dict[str, list[tuple[str, str]]]

SCROLL_DEFAULTS = frozenset(
    (binding.action, binding.description) for binding in Binding.make_bindings(ScrollableContainer.BINDINGS)
)
"""Textual's scrolling keys, which every scrolling widget inherits whether or not it
scrolls that way (``ctrl+pageup`` "Page Left" in a reader that wraps every line).
A key bound only by them does nothing meaningful here; a key a margin widget around
them also binds (up and down in the document filter move the list) does that."""

NOT_MARGINS = frozenset({"screen.copy_text"})
"""Textual's screen-wide copy of text selected with the mouse: margin copies with y."""

DESCRIBED = {
    "app.focus_next": "Go to the next pane or field",
    "app.focus_previous": "Go to the previous pane or field",
    "submit": "Open the highlighted document",
}
"""Textual's words for keys that do something else, or something more, in margin."""


def _meaningful(namespace: object, key: str, binding: Binding) -> tuple[object, Binding] | None:
    """The binding the key really runs: an inherited scrolling key gives way to the
    nearest enclosing widget's own binding of that key, or to nothing."""
    if binding.action in NOT_MARGINS:
        return None
    if (binding.action, binding.description) not in SCROLL_DEFAULTS:
        return namespace, binding
    for node in getattr(namespace, "ancestors", []):
        for outer in own_bindings(node).get(key, []):
            if (outer.action, outer.description) not in SCROLL_DEFAULTS and outer.action not in NOT_MARGINS:
                return node, outer
    return None


def _character(app: App, key: str, binding: Binding) -> str | None:
    """The character a key types, if any: Textual names some by their Unicode name
    (``question_mark``) and shows others as themselves (``slash`` as ``/``)."""
    character = key_to_character(key)
    if character is None:
        shown = app.get_key_display(binding.with_key(key))
        character = shown if len(shown) == 1 and shown.isascii() else None
    return character


def binding_groups(app: App, active: Mapping[str, ActiveBinding]) -> Groups:
    """{group title: [(keys, description)]}: bindings of one action share a row.
    Only keys that do something in margin are listed (see `_meaningful`)."""
    rows: dict[tuple[str, str], tuple[str, list[str]]] = {}
    descriptions: dict[tuple[str, str], str] = {}
    focused = app.focused
    for key, (shown_namespace, shown_binding, _enabled, _tooltip) in active.items():
        if focused is not None and shown_namespace is not focused and focused.check_consume_key(
            key, _character(app, key, shown_binding)
        ):
            continue  # typed into the filter (`/` there is a slash), not the screen's key
        meaningful = _meaningful(shown_namespace, key, shown_binding)
        if meaningful is None:
            continue
        namespace, binding = meaningful
        description = DESCRIBED.get(binding.action) or binding.tooltip or binding.description
        if not description or binding.system:
            continue
        group = _group_title(namespace, binding)
        row = rows.setdefault((group, binding.action), (group, []))
        row[1].append(app.get_key_display(binding.with_key(key)))
        # margin's own bindings carry ids; their words win over Textual's defaults
        # (ctrl+q and q both quit, but only q says the reading position is saved).
        if binding.id or (group, binding.action) not in descriptions:
            descriptions[(group, binding.action)] = description
    groups: Groups = {}
    for action_key, (group, keys) in rows.items():
        groups.setdefault(group, []).append((" ".join(keys), descriptions[action_key]))
    return groups


def _group_title(namespace: object, binding: Binding) -> str:
    """Label keys together; otherwise one group per widget (its HELP_TITLE, if any)."""
    if (binding.id or "").startswith("app.label"):
        return "Labels"
    if binding.group is not None and binding.group.description:
        return binding.group.description
    if isinstance(namespace, Input):
        return "Typing in the filter"
    return getattr(namespace, "HELP_TITLE", type(namespace).__name__)


class HelpScreen(Dialog[None]):
    """Keys in force, grouped; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, groups: Groups) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("margin — keys (escape closes)", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for title, rows in self.groups.items():
                    table = Table.grid(padding=(0, 2))
                    table.add_column(style="bold", min_width=14)
                    table.add_column()
                    for keys, description in rows:
                        table.add_row(Text(keys), Text(description))
                    yield Static(Text(title, style="bold underline"), classes="help-group")
                    yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
