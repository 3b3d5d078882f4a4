"""The keys margin itself answers to, known without importing Textual.

A label given one of these as its key would never label anything (the reader or the
app takes the key first), so `margin labels add/set` refuse them. The app's keys come
from the key table (``tui/keymap.py``); a test keeps the reader's equal to its
bindings.
"""

from __future__ import annotations

from margin.store.labels import KEY_PATTERN, terminal_key_problem

from .keymap import ACTIONS, LABEL_ID

READER_KEYS = frozenset({"h", "j", "k", "l", "w", "b", "g", "G", "v", "W", "S", "P", "n", "N"})
"""The reader's motion, selection and search keys that a label could otherwise take."""

TEXTUAL_KEYS = frozenset({"ctrl+p", "ctrl+q", "ctrl+c"})
"""Textual's own: the command palette, quit, and copy (terminals send ctrl+c as an interrupt)."""

RESERVED_KEYS = (
    READER_KEYS
    | TEXTUAL_KEYS
    | {key for entry in ACTIONS for key in entry.keys.split(",") if KEY_PATTERN.match(key)}
)


def reserved_key_error(key: str | None) -> str | None:
    """Why ``key`` cannot be a label's key, or None when it can."""
    if key in RESERVED_KEYS:
        return f"key {key!r} is one of margin's own keys (see `?` in the app); choose another"
    return terminal_key_problem(key) if key is not None else None


def label_keymap_problem(binding_id: str, keys: str) -> str | None:
    """Why a ``[keymap]`` entry would leave a label on a key no terminal delivers
    (``app.label_1 = "ctrl+i"``), or None. Other entries are the app's to check."""
    if not binding_id.startswith(LABEL_ID):
        return None
    return next((problem for key in keys.split(",") if (problem := terminal_key_problem(key.strip()))), None)
