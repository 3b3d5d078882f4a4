"""Sentence boundaries for the claims suggester, as character offsets.

A rule set rather than a library: ``pysbd`` (the usual choice) splits the seed article
the same way but takes tens of seconds on War and Peace, and spaCy needs a model. The
rules here are measured in ``bench/suggest_eval_claims.py`` against the CLEF CheckThat
lines (which are one sentence each) and the seed article.

Paragraphs follow the reader's convention (:mod:`margin.store.paragraphs`, which
:mod:`margin.tui.text.motion` uses too): a text with blank lines separates paragraphs by them and its single
newlines are hard wraps; otherwise every line is a paragraph. A sentence never crosses
a paragraph. Inside one, a sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets) followed by space and something that may open a sentence
(not a lower-case letter). A full stop after an abbreviation ("Dr.", "Gen.") or a
single initial ("Antony J. Blinken") never ends one; after an initialism ("U.S.",
"a.m.") or "etc." it ends one only when the next word is a word that commonly opens
a sentence ("the U.S. Some sections…"), so "the U.S. State Department" stays whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..paragraphs import BLANK_LINE, SEPARATOR_BLANK, SEPARATOR_LINE

_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+([\"'“‘«(\[¿¡]*)(\w+))")
_ABBREVIATIONS = frozenset(
    "mr mrs ms messrs mme mlle dr prof st sr jr vs gen col lt sgt capt cmdr adm maj rev hon gov sen rep "
    "pres supt dept govt est approx no nos inc ltd co corp bros mt ft jan feb mar apr jun jul aug sep sept "
    "oct nov dec fig figs vol pp cf al ave blvd rd".split()
)
_INITIAL = re.compile(r"[^\W\d_]")
_INITIALISM = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}|etc|e\.g|i\.e")
_OPENERS = frozenset(
    "the a an it its he she they we i you this that these those there here but and so yet however in on at "
    "for if when while after before as some many most all no one his her their our my".split()
)


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each paragraph with content, without surrounding space."""
    separator = SEPARATOR_BLANK if BLANK_LINE.search(text) else SEPARATOR_LINE
    position = 0
    for match in separator.finditer(text):
        yield from _trimmed(text, position, match.start())
        position = match.end()
    yield from _trimmed(text, position, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def _ends_here(text: str, match: re.Match[str]) -> bool:
    """Whether the punctuation matched ends a sentence, given the word after it."""
    opening = match.group(2)
    if opening[0].islower():
        return False
    if not match.group().startswith(".") or match.group().startswith(".."):
        return True
    head = text[max(0, match.start() - 40) : match.start()]
    token = head.rsplit(None, 1)[-1] if head and not head[-1].isspace() else ""
    token = token.lstrip("\"'“‘([«")
    if not token:
        return True
    if _INITIAL.fullmatch(token):
        return False  # "Antony J. Blinken"
    if token.lower() in _ABBREVIATIONS:
        return False
    if _INITIALISM.fullmatch(token.lower()):
        return opening.lower() in _OPENERS  # "the U.S. Some sections…" but "the U.S. State Department"
    return True


def sentences(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every sentence of ``text``, in order, without outer space."""
    found: list[tuple[int, int]] = []
    for start, end in paragraphs(text):
        position = start
        for match in _END.finditer(text, start, end):
            if match.start() - position < 2:
                continue  # a paragraph that opens with "..." or a lone "." is not a sentence of its own
            if _ends_here(text, match):
                found.append((position, match.end()))
                position = match.end()
                while position < end and text[position].isspace():
                    position += 1
        if position < end:
            found.append((position, end))
    return found


def is_heading(text: str, start: int, end: int) -> bool:
    """A sentence that is a whole line without closing punctuation: a title, a
    heading, a byline, a "Follow her on Twitter" line — never a claim."""
    last = text[end - 1]
    if last in ".!?…\"'”’»)]":
        return False
    before = text.rfind("\n", 0, start)
    line_start = before + 1
    return not text[line_start:start].strip()
