"""The keys a relation type or an attribute may not take, known without Textual.

An attribute's key is pressed in the reader, as a label's is, so it may not be one
of margin's own keys (``tui.keys``). A relation type's key is pressed in link mode,
after ``L``, while the cursor is being moved onto the other span: there the reader's
motion, selection and search keys (and ``L`` itself) go on moving, so a type on one
of them could never be chosen; the app's other keys are not in force there.
"""

from __future__ import annotations

from margin.store.labels import terminal_key_problem

from .keys import READER_KEYS, TEXTUAL_KEYS, reserved_key_error

LINK_KEY = "L"
LINK_MODE_KEYS = READER_KEYS | {"e", "E", LINK_KEY}
"""What link mode keeps for itself: moving (``E`` too, and ``e``, the word end as
vim users press it), selecting, searching, and ``L`` to leave."""


def relation_key_error(key: str | None) -> str | None:
    """Why ``key`` cannot be a relation type's key, or None when it can."""
    if key is None:
        return None
    if key in LINK_MODE_KEYS:
        return f"key {key!r} moves the cursor in link mode (after {LINK_KEY}); choose another"
    if key in TEXTUAL_KEYS:
        return f"key {key!r} is one of margin's own keys (see `?` in the app); choose another"
    return terminal_key_problem(key)


def attribute_key_error(key: str | None) -> str | None:
    """Why ``key`` cannot be an attribute's key: the same as for a label."""
    return reserved_key_error(key)
