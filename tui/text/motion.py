"""Word, sentence and paragraph boundaries in document text, for cursor motions and
W/S/P selections.

Everything works on code-point offsets of the stored text and looks only near the
offset it is given (regular expressions run from a nearby safe starting point), so a
motion costs the same in a tweet and in a 3 MB book.

Paragraphs: a text with blank lines (Gutenberg books, BBC articles) separates paragraphs
by one or more blank lines, and its single newlines are hard wraps inside a paragraph; a
text with no blank line at all (many web articles) puts one paragraph on each line.
Inside a paragraph a single newline is whitespace like any other, so words and sentences
run across it, as the reader shows them once `margin.tui.text.layout` has reflowed the
paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from margin.store.paragraphs import BLANK_LINE as _BLANK_LINE
from margin.store.paragraphs import SEPARATOR_BLANK as _SEPARATOR_BLANK
from margin.store.paragraphs import SEPARATOR_LINE as _SEPARATOR_LINE

WORD = re.compile(r"\w+(?:['’.,:/\-]\w+)*%?")
"""A word: letters and digits, joined across an apostrophe, hyphen, dot, comma, colon or
slash (so "don't", "60-mile", "U.S", "520,000" and "10:30" are single words), and a
trailing per cent sign for statistics."""

_NOT_SPACE = re.compile(r"\S")

# A sentence ends at terminal punctuation (with any closing quotes or brackets) that is
# followed by whitespace and then by something that can open a sentence.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[¿¡]*[\w])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs etc e.g i.e gen col lt sgt capt rev hon gov sen rep "
    "no nos inc ltd co corp mt ft jan feb mar apr jun jul aug sep sept oct nov dec fig".split()
)
_INITIALS = re.compile(r"(?:\b\w\.)*\b\w$")

# How far back a search may start: far enough for any real word, sentence or line.
_WINDOW = 4096


def has_blank_lines(text: str) -> bool:
    """True when paragraphs are separated by blank lines (rather than one per line)."""
    return _BLANK_LINE.search(text) is not None


class TextMotion:
    """Boundaries in one text. Methods return offsets, or None when there is nowhere to go."""

    def __init__(self, text: str, *, blank_lines: bool | None = None) -> None:
        self.text = text
        self.blank_lines = has_blank_lines(text) if blank_lines is None else blank_lines
        self._separator = _SEPARATOR_BLANK if self.blank_lines else _SEPARATOR_LINE

    # -- helpers ---------------------------------------------------------------

    def _safe_start(self, offset: int) -> int:
        """A position at or before `offset` where no word is in progress: after whitespace."""
        text = self.text
        limit = max(0, offset - 64)
        space = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
        return space + 1 if space >= 0 else 0

    def _skip_space(self, offset: int, end: int | None = None) -> int | None:
        """First non-whitespace offset in ``[offset, end)``."""
        match = _NOT_SPACE.search(self.text, offset, len(self.text) if end is None else end)
        return match.start() if match else None

    def _content_before(self, offset: int) -> int | None:
        """Last non-whitespace offset at or before `offset`."""
        text = self.text
        while offset >= 0 and text[offset].isspace():
            offset -= 1
        return offset if offset >= 0 else None

    # -- words -------------------------------------------------------------------

    def word_at(self, offset: int) -> tuple[int, int] | None:
        """``[start, end)`` of the word containing `offset`, or None off a word."""
        if not 0 <= offset < len(self.text):
            return None
        for match in WORD.finditer(self.text, self._safe_start(offset)):
            if match.start() > offset:
                return None
            if match.end() > offset:
                return match.start(), match.end()
        return None

    def next_word(self, offset: int) -> int | None:
        """Start of the first word that starts after `offset`."""
        current = self.word_at(offset)
        match = WORD.search(self.text, current[1] if current else offset)
        while match is not None and match.start() <= offset:
            match = WORD.search(self.text, match.end())
        return match.start() if match else None

    def word_end(self, offset: int) -> int | None:
        """Last character of the word that ends after `offset`: the end of the word under
        the cursor, or of the next one when the cursor is already on its last character
        (vim's ``e``). With the visual selection including the cursor character, ``v``
        then this selects exactly one word, where ``v w`` takes the next word's first
        character too."""
        current = self.word_at(offset)
        if current is not None and current[1] - 1 > offset:
            return current[1] - 1
        match = WORD.search(self.text, current[1] if current else offset + 1)
        return match.end() - 1 if match else None

    def previous_word(self, offset: int) -> int | None:
        """Start of the last word that starts before `offset`."""
        low = offset
        while low > 0:
            low = self._safe_start(max(0, low - _WINDOW))
            starts = [match.start() for match in WORD.finditer(self.text, low, offset)]
            if starts:
                return starts[-1]
        return None

    # -- paragraphs --------------------------------------------------------------

    def _paragraph_region_start(self, offset: int) -> int:
        """Where the separator before `offset` ends (0 when there is none)."""
        text = self.text
        if not self.blank_lines:
            return text.rfind("\n", 0, offset) + 1
        position = offset
        while (newline := text.rfind("\n", 0, position)) >= 0:
            previous = text.rfind("\n", 0, newline)
            if text[previous + 1 : newline].isspace() or previous + 1 == newline:
                return newline + 1
            position = newline
        return 0

    def paragraph_at(self, offset: int) -> tuple[int, int] | None:
        """``[start, end)`` of the paragraph holding `offset`, without surrounding
        whitespace. In whitespace between paragraphs it is the paragraph before."""
        text = self.text
        if not text:
            return None
        offset = min(max(offset, 0), len(text) - 1)
        anchor = self._content_before(offset)
        if anchor is None:
            anchor = self._skip_space(offset)
            if anchor is None:
                return None
        start = self._skip_space(self._paragraph_region_start(anchor))
        assert start is not None
        separator = self._separator.search(text, anchor)
        end = self._content_before((separator.start() if separator else len(text)) - 1)
        assert end is not None
        return start, end + 1

    def next_paragraph(self, offset: int) -> int | None:
        """Start of the first paragraph that starts after `offset`."""
        text = self.text
        position = offset
        # Step back over whitespace so that a separator the offset sits in is seen whole.
        while position > 0 and offset - position < _WINDOW and text[position - 1].isspace():
            position -= 1
        if position == 0:
            first = self._skip_space(0)
            if first is not None and first > offset:
                return first
        for separator in self._separator.finditer(text, position):
            start = self._skip_space(separator.end())
            if start is None:
                return None
            if start > offset:
                return start
        return None

    def previous_paragraph(self, offset: int) -> int | None:
        """Start of the last paragraph that starts before `offset`."""
        current = self.paragraph_at(offset)
        if current is None:
            return None
        if current[0] < offset:
            return current[0]
        before = self._content_before(current[0] - 1)
        if before is None:
            return None
        previous = self.paragraph_at(before)
        return previous[0] if previous else None

    # -- sentences ---------------------------------------------------------------

    def _opens_sentence(self, offset: int, end: int) -> bool:
        """False when the first letter at `offset` (after opening quotes) is lower case."""
        for character in self.text[offset : min(end, offset + 8)]:
            if character.isalnum():
                return not character.islower()
        return True

    def _abbreviation(self, period: int) -> bool:
        """True when the full stop at `period` closes an abbreviation or an initial."""
        before = self.text[max(0, period - 32) : period].rsplit(None, 1)
        token = before[-1].lstrip("\"'“‘(«[") if before else ""
        return token.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(token) is not None

    def _sentence_starts(self, start: int, end: int) -> list[int]:
        """Sentence starts within ``[start, end)`` (which begins a sentence), in order."""
        text = self.text
        starts = [start]
        for match in _SENTENCE_END.finditer(text, start, end):
            if match.group() == "." and self._abbreviation(match.start()):
                continue
            following = self._skip_space(match.end(), end)
            if following is not None and following > starts[-1] and self._opens_sentence(following, end):
                starts.append(following)
        return starts

    def _sentence_window(self, offset: int) -> tuple[int, int] | None:
        """The paragraph around `offset`; in a huge paragraph, a stretch of it near `offset`
        that starts at a sentence start."""
        paragraph = self.paragraph_at(offset)
        if paragraph is None:
            return None
        start, end = paragraph
        if end - start > 2 * _WINDOW:
            low = max(start, offset - _WINDOW)
            if low > start:
                match = _SENTENCE_END.search(self.text, low, max(low, offset))
                low = (self._skip_space(match.end(), end) or low) if match else low
            start, end = low, min(end, max(offset, low) + _WINDOW)
        return start, end

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """``[start, end)`` of the sentence holding `offset`, without trailing whitespace;
        between sentences it is the sentence before."""
        window = self._sentence_window(offset)
        if window is None:
            return None
        starts = self._sentence_starts(*window)
        index = max(0, bisect_right(starts, offset) - 1)
        limit = starts[index + 1] if index + 1 < len(starts) else window[1]
        end = self._content_before(limit - 1)
        return starts[index], (end + 1) if end is not None else limit

    def next_sentence(self, offset: int) -> int | None:
        """Start of the first sentence that starts after `offset`."""
        window = self._sentence_window(offset)
        if window is not None:
            starts = self._sentence_starts(*window)
            index = bisect_right(starts, offset)
            if index < len(starts):
                return starts[index]
        return self.next_paragraph(offset)

    def previous_sentence(self, offset: int) -> int | None:
        """Start of the last sentence that starts before `offset`."""
        window = self._sentence_window(offset)
        if window is None:
            return None
        starts = self._sentence_starts(*window)
        index = bisect_left(starts, offset)
        if index > 0:
            return starts[index - 1]
        before = self._content_before(window[0] - 1)
        if before is None:
            return None
        previous = self._sentence_window(before)
        return self._sentence_starts(*previous)[-1] if previous else None
