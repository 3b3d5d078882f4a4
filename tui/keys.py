"""The keys margin itself answers to, known without importing Textual.

A label given one of these as its key would never label anything (the reader or the
app takes the key first), so `margin labels add/set` refuse them. A test keeps this
set equal to the default bindings of the app and the reader.
"""

from __future__ import annotations

RESERVED_KEYS = frozenset(
    {
        # the reader: motion, selection, search
        "h", "j", "k", "l", "w", "b", "g", "G", "v", "W", "S", "P", "n", "N",
        # the app: editing, copying, panes
        "a", "e", "q", "r", "u", "x", "y", "z", "A", "R", "Y", "f2",
        "ctrl+b", "ctrl+o", "ctrl+r", "ctrl+s", "ctrl+t",
        # Textual's own: command palette, quit, copy
        "ctrl+p", "ctrl+q", "ctrl+c",
    }
)


def reserved_key_error(key: str | None) -> str | None:
    """Why ``key`` cannot be a label's key, or None when it can."""
    if key in RESERVED_KEYS:
        return f"key {key!r} is one of margin's own keys (see `?` in the app); choose another"
    return None
