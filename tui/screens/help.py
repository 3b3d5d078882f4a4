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
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

Groups = dict[str, list[tuple[str, str]]]


def binding_groups(app: App, active: Mapping[str, ActiveBinding]) -> Groups:
    """{group title: [(keys, description)]}: bindings of one action share a row."""
    rows: dict[tuple[str, str], tuple[str, list[str]]] = {}
    descriptions: dict[tuple[str, str], str] = {}
    for key, (namespace, binding, _enabled, _tooltip) in active.items():
        description = binding.tooltip or binding.description
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
    return getattr(namespace, "HELP_TITLE", type(namespace).__name__)


class HelpScreen(ModalScreen[None]):
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
