"""Reflow: which newlines of a hard-wrapped text are soft breaks, and how the text falls
into paragraphs.

Books and reports are often hard-wrapped: paragraphs are separated by blank lines and each
paragraph's lines end at about 70 columns. With reflow (the reader sets it for texts with
blank lines) a *single* newline inside a paragraph is a soft break: the paragraph is
wrapped to the measure as if the newline were a space, and the newline is drawn as one
space cell, or as the row's trailing cell when it falls at a row end, as a wrapping space
does. The text and its offsets never change. A newline between lines A and B stays a line
end when:

* A is short: under 60 % of the paragraph's longest line, counting that as at least 72
  characters (headings such as "CHAPTER I", verse, addresses, short list items; and
  Chinese or Japanese lines, short in characters, which put no space between words);
* A or B is set apart: it starts with whitespace (indented verse, block quotes, hanging
  indents), with ``>`` (quoted mail), ``#`` (headings, comments) or ``|``, or it holds
  a run of three spaces (table rows with aligned columns);
* B opens a list item: ``-``, ``*``, ``+`` or ``•``, or up to three digits and ``.`` or
  ``)``, followed by whitespace.

Blank lines stay paragraph breaks. Each paragraph is one *block* of the layout (otherwise
a block is one line); a paragraph of more than `MAX_BLOCK_LINES` lines is split into
blocks of that many lines, and the newline between two such blocks is a line end.
"""

from __future__ import annotations

import re

SHORT_LINE = 0.6
"""With reflow, a line under this share of its paragraph's longest line keeps its newline."""

USUAL_MEASURE = 72
"""The longest line of a paragraph counts as at least this many characters, so that a
paragraph of short lines (a stanza, an address, a heading over one line) keeps its lines."""

MAX_BLOCK_LINES = 512
"""A longer paragraph is laid out in blocks of this many lines, so no block is costly to wrap."""

# Starts of a line that opens a list item, which keeps the newline before it.
_LIST_ITEM = re.compile(r"(?:[-*+\u2022]|\d{1,3}[.)])\s")


def _set_apart(line: str) -> bool:
    """An indented, quoted or commented line, or a table row, keeps its own line."""
    return line[:1].isspace() or line.startswith(("#", ">", "|")) or "   " in line.rstrip()


def soft_newlines(lines: list[str]) -> list[bool]:
    """For the newline after each line of one paragraph except the last: True when it is a
    soft break that reflow turns into a space (the rule is in the module docstring)."""
    widths = [len(line.rstrip()) for line in lines]
    short = SHORT_LINE * max(USUAL_MEASURE, *widths)
    apart = [_set_apart(line) for line in lines]
    return [
        widths[index] >= short
        and not apart[index]
        and not apart[index + 1]
        and _LIST_ITEM.match(lines[index + 1]) is None
        for index in range(len(lines) - 1)
    ]


def paragraph_blocks(lines: list[str], starts: list[int]) -> tuple[list[int], frozenset[int]]:
    """Block starts when paragraphs reflow (each blank line is a block, each run of lines
    with text one more, in pieces of at most `MAX_BLOCK_LINES`), and the blocks holding
    more than one line. `starts` holds each line's first offset and one past the end."""
    block_starts: list[int] = []
    multiline: list[int] = []
    run = 0
    after_blank = True
    for line, start in zip(lines, starts):
        blank = not line or line.isspace()
        if blank or after_blank or run == MAX_BLOCK_LINES:
            if run > 1:
                multiline.append(len(block_starts) - 1)
            block_starts.append(start)
            run = 0
        run += 1
        after_blank = blank
    if run > 1:
        multiline.append(len(block_starts) - 1)
    block_starts.append(starts[len(lines)])
    return block_starts, frozenset(multiline)


def hard_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` of each stretch of the reflowed paragraph ``text[start:end]``
    between hard newlines."""
    lines = text[start:end].split("\n")
    stretches = []
    first = position = start
    for line, soft in zip(lines, soft_newlines(lines)):
        position += len(line)
        if not soft:
            stretches.append((first, position))
            first = position + 1
        position += 1
    stretches.append((first, end))
    return stretches
