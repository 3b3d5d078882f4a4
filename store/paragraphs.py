"""Paragraph separators, shared by the reader's motions (:mod:`margin.tui.text.motion`)
and the claims suggester's sentences, so that a sentence suggested never crosses a
paragraph the reader shows: one definition, in ``store`` because ``tui`` may import
from ``store`` and never the reverse.

A text with blank lines separates paragraphs by one or more of them (its single
newlines are hard wraps); a text with none puts one paragraph on each line.
"""

from __future__ import annotations

import re

BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
"""Present when the text separates paragraphs by blank lines."""
SEPARATOR_BLANK = re.compile(r"\n(?:[^\S\n]*\n)+")
"""Between paragraphs of a text with blank lines."""
SEPARATOR_LINE = re.compile(r"\n+")
"""Between paragraphs of a text without: every line is one."""
