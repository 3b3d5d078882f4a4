"""Searching a document: what a typed term means, and where its matches are.

A term is matched as the reader shows the text, not as it is stored: a hard-wrapped
book has a newline where the screen shows a space, so any run of whitespace in the
term matches any run of whitespace in the text. Case is vim's smart-case (ignored
unless the term has a capital), and so are accents: a term typed without any matches
"Natásha" and "Kutúzov" as "Natasha" and "Kutuzov" (the Gutenberg translations of
Tolstoy mark stress that way), one typed with an accent only what it spells. ``\\<``
before and ``\\>`` after the term ask for whole words, as in vim, so "is" can skip
"assist"; `*` in the reader builds such a term.

Counting every match of a term reads the whole text once, so `Matches` does it once per
term (the reader runs `Matches.count` off the event loop); after that "match n of m",
the next match and the matches on a row are bisections of its offsets. Until then the
same questions are answered by searching from the offset asked about.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

WORD_START = "\\<"
WORD_END = "\\>"

_WHITESPACE = re.compile(r"\s+")

REACH = 256
"""How far before a row a match is looked for, before the matches are counted: longer
than any term typed, plus whitespace between its words."""

BACKWARD_STEP = 65_536
"""The first window a backward search reads, before they are counted; it grows fourfold."""


@dataclass(frozen=True, slots=True)
class Term:
    """A search term as typed, and the pattern it stands for."""

    typed: str
    """What the user typed, markers included: what `/` offers again."""
    words: str
    """The term without its whole-word markers."""
    whole_word: bool
    pattern: re.Pattern[str]


def parse_term(typed: str) -> Term | None:
    """The pattern for ``typed``; None when it holds nothing to look for."""
    core = typed
    word_start = core.startswith(WORD_START)
    if word_start:
        core = core[len(WORD_START):]
    word_end = core.endswith(WORD_END) and len(core) >= len(WORD_END)
    if word_end:
        core = core[: -len(WORD_END)]
    if not core.strip():
        return None
    regex = _escape_flexibly(core)
    if word_start:
        regex = r"(?<!\w)" + regex
    if word_end:
        regex += r"(?!\w)"
    flags = 0 if any(character.isupper() for character in core) else re.IGNORECASE
    return Term(typed, core, word_start and word_end, re.compile(regex, flags))


def _escape_flexibly(core: str) -> str:
    """``core`` as a literal pattern whose every whitespace run matches any whitespace
    run, and whose every letter, when ``core`` has no accent of its own, matches it
    with any accent too."""
    escape = _escape_accents if core.isascii() else re.escape
    parts: list[str] = []
    position = 0
    for space in _WHITESPACE.finditer(core):
        parts.append(escape(core[position : space.start()]))
        parts.append(r"\s+")
        position = space.end()
    parts.append(escape(core[position:]))
    return "".join(parts)


_COMBINING = "[\u0300-\u036f]*"
"""Accents written as combining marks after their letter (text in NFD)."""


def _escape_accents(chunk: str) -> str:
    """``chunk`` (ASCII) as a pattern whose letters match with any accent."""
    accented = _accented_letters()
    return "".join(
        f"[{character}{accented[character]}]{_COMBINING}" if character in accented else re.escape(character)
        for character in chunk
    )


@functools.cache
def _accented_letters() -> dict[str, str]:
    """Each ASCII letter's accented forms among the Latin letters (é, ñ, ū, ș …):
    built on the first search, not at start."""
    found: dict[str, list[str]] = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        character = chr(code)
        base = unicodedata.normalize("NFD", character)[0]
        if base != character and base.isascii() and base.isalpha():
            found.setdefault(base, []).append(character)
    return {base: "".join(forms) for base, forms in found.items()}


def whole_word(word: str) -> str:
    """The term that finds ``word`` only as a whole word."""
    return f"{WORD_START}{word}{WORD_END}"


def toggle_whole_word(typed: str) -> str:
    """Add the whole-word markers to ``typed``, or take them off when it has them."""
    term = parse_term(typed)
    if term is not None and term.whole_word:
        return term.words
    core = typed.removeprefix(WORD_START)
    if core.endswith(WORD_END):
        core = core[: -len(WORD_END)]
    if not core.strip():
        return core  # nothing to mark: no empty pair of markers
    return whole_word(core)


class Matches:
    """Where one term matches one text."""

    def __init__(self, term: Term, text: str) -> None:
        self.term = term
        self.text = text
        self.starts: array[int] | None = None
        """Start of every match, in order, once counted (None until then)."""
        self.ends: array[int] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        return self.term.pattern

    @property
    def counted(self) -> bool:
        return self.starts is not None

    def count(self) -> Matches:
        """Find every match: one pass over the text, safe to run in another thread
        (nothing is published until both arrays are complete)."""
        starts: array[int] = array("q")
        ends: array[int] = array("q")
        for match in self.pattern.finditer(self.text):
            if match.end() > match.start():
                starts.append(match.start())
                ends.append(match.end())
        self.ends = ends
        self.starts = starts
        return self

    def __len__(self) -> int:
        return len(self.starts) if self.starts is not None else 0

    def first(self, offset: int) -> tuple[int, int] | None:
        """The first match starting at or after ``offset``, else the first of all."""
        if self.starts is not None and self.ends is not None:
            if not self.starts:
                return None
            index = bisect_left(self.starts, offset)
            index = index if index < len(self.starts) else 0
            return self.starts[index], self.ends[index]
        match = self.pattern.search(self.text, offset) or self.pattern.search(self.text, 0)
        return match.span() if match is not None else None

    def after(self, offset: int) -> tuple[int, int] | None:
        """The first match starting after ``offset``, wrapping to the first of all."""
        return self.first(offset + 1)

    def before(self, offset: int) -> tuple[int, int] | None:
        """The last match starting before ``offset``, wrapping to the last of all."""
        if self.starts is not None and self.ends is not None:
            if not self.starts:
                return None
            index = bisect_left(self.starts, offset) - 1
            return self.starts[index], self.ends[index]  # index -1 wraps to the last
        return self._scan_back(offset) or self._scan_back(len(self.text) + 1)

    def _scan_back(self, end: int) -> tuple[int, int] | None:
        text, pattern = self.text, self.pattern
        reach = min(len(text), end + REACH)
        step = BACKWARD_STEP
        while True:
            low = max(0, end - step)
            last = None
            for match in pattern.finditer(text, low, reach):
                if match.start() >= end:
                    break
                last = match
            if last is not None or low == 0:
                return last.span() if last is not None else None
            step *= 4

    def number_at(self, offset: int) -> int | None:
        """1-based number of the match covering ``offset``; None off a match or before
        the matches are counted."""
        if self.starts is None or self.ends is None:
            return None
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return index + 1
        return None

    def within(self, start: int, stop: int) -> tuple[tuple[int, int], ...]:
        """The parts of matches inside ``[start, stop)``."""
        if self.starts is not None and self.ends is not None:
            starts, ends = self.starts, self.ends
            found = []
            index = bisect_right(ends, start)
            while index < len(starts) and starts[index] < stop:
                found.append((max(starts[index], start), min(ends[index], stop)))
                index += 1
            return tuple(found)
        found = []
        low = max(0, start - REACH - len(self.term.words))
        for match in self.pattern.finditer(self.text, low, min(len(self.text), stop + REACH)):
            if match.start() >= stop:
                break
            if match.end() > start and match.end() > match.start():
                found.append((max(match.start(), start), min(match.end(), stop)))
        return tuple(found)
