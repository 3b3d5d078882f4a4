"""Making document text safe to show: control characters made visible, and text fitted
into one-line places (list rows, titles, notifications).

Article text reaches Rich as plain text (never markup) and goes through `sanitise`
first, so a stray escape or bidirectional override shows as a glyph instead of acting on
the terminal. The replacement is one code point for one, so offsets into the stored text
stay valid for whatever is drawn from it.

What counts as unsafe: C0 controls but tab and newline (ESC and BEL among them), DEL,
the C1 controls U+0080–U+009F (CSI and OSC have one-byte forms there), the line and
paragraph separators, and the bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069), which can reorder what is shown across a whole line.
The directional marks U+200E, U+200F and U+061C are left alone: they only set the
direction of the characters beside them, and right-to-left text needs them.

Output for programs (TSV, JSON) keeps the data instead: the same characters are
written as backslash escapes (`escape_unsafe`), so nothing unsafe reaches a terminal
that shows the output and a reader still gets the exact text back.
"""

from __future__ import annotations

import re
from collections.abc import Callable


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


UNSAFE = re.compile("[" + re.escape("".join(map(chr, sorted(_control_pictures())))) + "]")
"""The characters ``sanitise`` replaces, as one character class."""


def _json_form(code: int) -> str:
    return f"\\u{code:04x}"


def _short_form(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_unsafe(text: str, json: bool = False) -> str:
    """``text`` with each unsafe character written as a backslash escape: ``\\u001b``
    style for JSON text, ``\\x1b`` (or ``\\u202e`` above U+00FF) otherwise."""
    form: Callable[[int], str] = _json_form if json else _short_form
    return UNSAFE.sub(lambda match: form(ord(match.group())), text)


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
