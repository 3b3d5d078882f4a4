"""Making document text safe to show: control characters made visible, and text fitted
into one-line places (list rows, titles, notifications).

Article text reaches Rich as plain text (never markup) and goes through `sanitise`
first, so a stray escape or bidirectional override shows as a glyph instead of acting on
the terminal. The replacement is one code point for one, so offsets into the stored text
stay valid for whatever is drawn from it.
"""

from __future__ import annotations


def _control_pictures() -> dict[int, str]:
    """Replacement glyphs that keep control characters inert and one cell wide."""
    table = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
    table[0x7F] = "\u2421"
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    # Line/paragraph separators and bidirectional overrides would rearrange the screen.
    table.update({code: "\ufffd" for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    return table


SANITISE = str.maketrans(_control_pictures())
"""`str.translate` table: each control character becomes one visible glyph, so lengths
and offsets are unchanged."""


def sanitise(text: str) -> str:
    """The text with control characters replaced by visible glyphs, one for one."""
    return text.translate(SANITISE)


def one_line(text: str) -> str:
    """Whitespace runs, newlines included, collapsed to single spaces."""
    return " ".join(text.split())


def shorten(text: str, width: int) -> str:
    """``text`` made inert, on one line, cut to ``width`` characters with an ellipsis."""
    text = one_line(sanitise(text))
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
