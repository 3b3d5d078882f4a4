"""Whole-word, case-sensitive search for many phrases at once.

The learned suggester holds every span an annotator ever labelled and the patterns
file may hold thousands of phrases; trying each phrase over a whole book would cost
phrases × characters. Instead each word of the text is looked up once in a table of
the phrases that begin with it, and only those few are compared there, so the cost
grows with the text, not with the number of phrases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import regex

WORD = regex.compile(r"[\p{L}\p{M}\p{N}_]+")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class PhraseMatcher:
    """Finds each phrase where it stands as whole words: the characters either side
    of a match are not letters, digits or ``_`` (a phrase that starts or ends with
    punctuation needs no boundary on that side)."""

    def __init__(self, phrases: Iterable[str], values: Iterable[object] | None = None) -> None:
        phrases = list(phrases)
        tags = list(values) if values is not None else [None] * len(phrases)
        self.by_word: dict[str, list[tuple[str, object]]] = defaultdict(list)
        self.loose: list[tuple[str, object]] = []
        for phrase, tag in zip(phrases, tags):
            if not phrase:
                continue
            first = WORD.match(phrase)
            if first:
                self.by_word[first.group()].append((phrase, tag))
            else:
                self.loose.append((phrase, tag))
        for entries in self.by_word.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def __bool__(self) -> bool:
        return bool(self.by_word or self.loose)

    @staticmethod
    def _bounded(text: str, start: int, end: int, phrase: str) -> bool:
        if start > 0 and _is_word(phrase[0]) and _is_word(text[start - 1]):
            return False
        return not (end < len(text) and _is_word(phrase[-1]) and _is_word(text[end]))

    def finditer(self, text: str) -> Iterator[tuple[int, int, object]]:
        """(start, end, value) of every whole-word occurrence, overlaps included."""
        if self.by_word:
            for match in WORD.finditer(text):
                entries = self.by_word.get(match.group())
                if entries is None:
                    continue
                start = match.start()
                for phrase, tag in entries:
                    end = start + len(phrase)
                    if text.startswith(phrase, start) and self._bounded(text, start, end, phrase):
                        yield start, end, tag
        for phrase, tag in self.loose:
            start = text.find(phrase)
            while start != -1:
                end = start + len(phrase)
                if self._bounded(text, start, end, phrase):
                    yield start, end, tag
                start = text.find(phrase, start + 1)
