"""Offsets counted in UTF-16 code units, as a browser counts them, against margin's
code-point offsets.

A JavaScript annotator (doccano's web interface) counts a character outside the
Basic Multilingual Plane (most emoji, rarer CJK ideographs) as two units, so every
offset after one is larger than Python's. Where a format carries no span text to
check against, the only safe course is to convert when told and to refuse a file
whose offsets cannot be code points.
"""

from __future__ import annotations

import re
from bisect import bisect_left

CODEPOINTS = "codepoints"
UTF16 = "utf16"
OFFSET_UNITS = (CODEPOINTS, UTF16)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Offsets:
    """Conversions both ways for one text. Only the characters outside the BMP are
    remembered (each shifts every later UTF-16 offset by one), so a long text with
    a few emoji costs a few entries, not one per character."""

    def __init__(self, text: str) -> None:
        # Where each character outside the BMP starts, as a code point and in UTF-16.
        self.astral = [match.start() for match in _ASTRAL.finditer(text)]
        self._astral_units = [point + rank for rank, point in enumerate(self.astral)]
        self.length = len(text) + len(self.astral)

    def to_utf16(self, offset: int) -> int:
        return offset + bisect_left(self.astral, offset)

    def to_codepoint(self, offset: int) -> int | None:
        """The code-point offset, or None when ``offset`` falls between the two halves
        of a surrogate pair (or outside the text)."""
        if not 0 <= offset <= self.length:
            return None
        before = bisect_left(self._astral_units, offset)
        if before and self._astral_units[before - 1] + 1 == offset:
            return None
        return offset - before

    def splits_pair(self, offset: int) -> bool:
        return 0 <= offset <= self.length and self.to_codepoint(offset) is None


def table_for(text: str) -> Utf16Offsets | None:
    """The conversions for ``text``, or None when both countings agree everywhere
    (no character outside the BMP), so that callers can skip converting."""
    table = Utf16Offsets(text)
    return table if table.astral else None


def _wordish(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _ragged(text: str, start: int, end: int) -> bool:
    """Whether a span looks cut in the wrong place: it cuts a word (of ASCII letters
    or digits, so that scripts written without spaces never count) or begins or
    ends with whitespace."""
    quote = text[start:end]
    if not quote or quote != quote.strip():
        return True
    return any(0 < cut < len(text) and _wordish(text[cut - 1]) and _wordish(text[cut]) for cut in (start, end))


def reads_better_as_utf16(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether spans that fit as code points still look like UTF-16 offsets: read as
    code points some cut words, read as UTF-16 code units none do. Only spans that
    the two readings place differently count."""
    table = table_for(text)
    if table is None:
        return False
    ragged_as_points = False
    for start, end in spans:
        first, last = table.to_codepoint(start), table.to_codepoint(end)
        if first is None or last is None:
            return False
        if (first, last) == (start, end):
            continue
        if _ragged(text, first, last):
            return False
        ragged_as_points = ragged_as_points or _ragged(text, start, end)
    return ragged_as_points
