"""The keys that label, built from the database's labels and the screen's own keys.

Labels live in the database and change while the app runs (another annotator adds
one), so these bindings are rebuilt on the fly rather than declared on a class.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.screen import Screen

from margin.store.model import Label

from ..compat import own_bindings, replace_own_bindings
from ..keymap import ATTRIBUTE_ID, LABEL_ID, LINK_ID
from ..text.sanitise import sanitise


def label_bindings(labels: list[Label], taken: set[str]) -> Iterable[Binding]:
    """Keys that label: each label's own key, and `1`–`9` for the first nine labels
    that a digit key does not already name. Keys the screen already uses are skipped."""
    by_key: dict[str, Label] = {}
    for label in labels:
        if label.key and label.key not in by_key:
            by_key[label.key] = label
    for position, label in enumerate(labels[:9], 1):
        by_key.setdefault(str(position), label)
    for key, label in by_key.items():
        binding_id = f"{LABEL_ID}_{key}" if key.isdigit() else f"{LABEL_ID}.{label.name}"
        # The footer, help screen and palette show these; the action keeps the real name.
        shown = sanitise(label.name)
        tooltip = f"Label the selection (or the word under the cursor) as {shown}"
        for binding in Binding.make_bindings(
            [Binding(key, f"label({label.name!r})", shown, tooltip=tooltip, id=binding_id)]
        ):
            if binding.key not in taken:
                yield binding


class SchemeKeys(Screen[None]):
    """The main screen's keys that come from the database: labels, attributes and,
    in link mode, relation types. Mixed into the pane screen, which holds ``labels``."""

    labels: list[Label]
    _told_clashes: set[tuple[str, str]]

    def _bind_labels(self) -> None:
        """Rebuild the label keys from the label scheme, which lives in the database:
        label keys first (they lead the footer), then everything else."""
        built = (LABEL_ID, ATTRIBUTE_ID, LINK_ID)
        others = {
            key: kept
            for key, bindings in own_bindings(self).items()
            if (kept := [b for b in bindings if not (b.id or "").startswith(built)])
        }
        rebuilt: dict[str, list[Binding]] = {}
        for binding in label_bindings(self.labels, taken=set(others)):
            rebuilt.setdefault(binding.key, []).append(binding)
        # A label key chosen before margin took that key for itself would fall silent.
        clashes = [(label, label.key) for label in self.labels if label.key and label.key in others]
        for label, key in clashes:
            if (label.name, key) not in self._told_clashes:
                self._told_clashes.add((label.name, key))
                self.notify(
                    f"Label {sanitise(label.name)}'s key {key} is now one of margin's own keys; "
                    f"choose another with: margin labels set {sanitise(label.name)} --key …",
                    title="Label key taken", severity="warning", markup=False, timeout=15,
                )
        rebuilt.update(others)
        for binding in self._scheme_bindings(taken=set(rebuilt)):
            rebuilt[binding.key] = [binding, *rebuilt.get(binding.key, [])]
        replace_own_bindings(self, rebuilt)
        self.refresh_bindings()

    def _scheme_bindings(self, taken: set[str]) -> list[Binding]:
        """Keys made from the relation and attribute schemes (``link_mode.py``)."""
        return []
