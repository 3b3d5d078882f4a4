"""The tokens agreement counts: ``\\w+|[^\\w\\s]``, a run of word characters or one
other non-space character.

A module of its own because the count is written with each document when it is
stored (``documents.tokens``), so that ``margin agreement`` need not split every
text again, and the documents module should not import agreement to do it.
"""

from __future__ import annotations

import re

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """How many tokens ``text`` has, counted in C (``subn`` makes no match objects)."""
    return TOKEN_PATTERN.subn("", text)[1]
