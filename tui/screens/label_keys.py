"""The keys that label, built from the database's labels and the screen's own keys.

Labels live in the database and change while the app runs (another annotator adds
one), so these bindings are rebuilt on the fly rather than declared on a class.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

from margin.store.model import Label

from ..keymap import LABEL_ID
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
