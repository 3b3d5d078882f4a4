"""Fitting article text into one-line places: list rows, titles, notifications.

Text reaches Rich as plain text (never markup) and goes through ``layout.sanitise``
first, so control characters show as visible glyphs instead of acting on the terminal.
"""

from __future__ import annotations

from .layout import sanitise


def one_line(text: str) -> str:
    """Whitespace runs, newlines included, collapsed to single spaces."""
    return " ".join(text.split())


def shorten(text: str, width: int) -> str:
    """``text`` made inert, on one line, cut to ``width`` characters with an ellipsis."""
    text = one_line(sanitise(text))
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
