"""Offsets counted in UTF-16 code units, as a browser counts them, against margin's
code-point offsets.

A JavaScript annotator (doccano's web interface) counts a character outside the
Basic Multilingual Plane (most emoji, rarer CJK ideographs) as two units, so every
offset after one is larger than Python's. Where a format carries no span text to
check against, the only safe course is to convert when told and to refuse a file
whose offsets cannot be code points.
"""

from __future__ import annotations

from itertools import accumulate

CODEPOINTS = "codepoints"
UTF16 = "utf16"
OFFSET_UNITS = (CODEPOINTS, UTF16)


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def is_narrow(text: str) -> bool:
    """Whether both countings agree everywhere (no character outside the BMP)."""
    return not any(ord(char) > 0xFFFF for char in text)


class Utf16Offsets:
    """Conversions both ways for one text; built only for text that needs them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.units = [0, *accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]
        self.codepoint_at = {unit: index for index, unit in enumerate(self.units)}

    @property
    def length(self) -> int:
        return self.units[-1]

    def to_utf16(self, offset: int) -> int:
        return self.units[offset]

    def to_codepoint(self, offset: int) -> int | None:
        """The code-point offset, or None when ``offset`` falls between the two halves
        of a surrogate pair (or outside the text)."""
        return self.codepoint_at.get(offset)

    def splits_pair(self, offset: int) -> bool:
        return 0 <= offset <= self.length and offset not in self.codepoint_at


def to_utf16(text: str, offsets: tuple[int, ...]) -> tuple[int, ...]:
    """Code-point offsets into ``text`` counted in UTF-16 code units instead."""
    if is_narrow(text):
        return offsets
    table = Utf16Offsets(text)
    return tuple(table.to_utf16(offset) for offset in offsets)


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
    if is_narrow(text):
        return False
    table = Utf16Offsets(text)
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
