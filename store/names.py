"""What a label or annotator name may hold: the one rule, used wherever a name enters.

Names are shown everywhere (tables, the panel, pickers, exports read by other tools),
so a name that carried an escape sequence or a bidirectional override would act on
every terminal that shows it. Such names are refused where they come in rather than
relied on being made inert at each place they go out. Article text, titles and notes
are not names: they are kept as they are and made inert when shown.
"""

from __future__ import annotations

import unicodedata

from .errors import MarginError

MAX_NAME_LENGTH = 64
"""Long enough for any real label or person; a name is a column heading and a list row."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
)
"""Marks, embeddings, overrides and isolates: they reorder the text around them."""

_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Control characters (C0, DEL, C1), lone surrogates and line/paragraph separators."""

QUOTED_LENGTH = 30
"""Characters of a refused name quoted in a message, which must stay one short line."""


def quoted(value: object) -> str:
    """``value`` quoted for a message: escaped by ``repr``, and cut short when long."""
    text = repr(value)
    return text if len(text) <= QUOTED_LENGTH else text[: QUOTED_LENGTH - 1] + "…"


def name_problem(kind: str, name: str) -> str | None:
    """Why ``name`` cannot be a ``kind`` ("label", "annotator") name, or None if it can."""
    if not name.strip():
        return f"{kind} name must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"{kind} name {quoted(name)} is {len(name):,} characters long; at most {MAX_NAME_LENGTH} are allowed"
    return character_problem(f"{kind} name", name)


def character_problem(what: str, text: str) -> str | None:
    """Why ``text`` (a name, a short value) may not be kept: a control or bidirectional
    formatting character in it; None when it has none."""
    for character in text:
        if character in BIDI_CONTROLS or unicodedata.category(character) in _REFUSED_CATEGORIES:
            return (
                f"{what} {quoted(text)} contains the control character U+{ord(character):04X}; "
                "names and values may not hold control or bidirectional formatting characters"
            )
    return None


def check_name(kind: str, name: str) -> str:
    """``name`` if it is usable as a ``kind`` name; else a MarginError saying why."""
    return _checked(name, name_problem(kind, name))


def _checked(name: str, problem: str | None) -> str:
    if problem:
        raise MarginError(problem)
    return name


def label_name_problem(name: str) -> str | None:
    """A label is also one word, so it can be typed as a command argument and a key id."""
    problem = name_problem("label", name)
    if problem is None and any(character.isspace() for character in name):
        problem = f"label name {quoted(name)} must be one word without spaces"
    return problem


def check_label_name(name: str) -> str:
    return _checked(name, label_name_problem(name))
