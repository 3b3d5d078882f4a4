"""Terminal cells: which characters are one plain cell, and how a line splits into
grapheme clusters of known width.

Most text in most documents is plain: one code point, one cell, never joining its
neighbours. `COMPLEX` finds what is not, so the layout measures everything else by length
alone and splits only the rare complex line into clusters. The cluster widths must be
exactly what Rich and Textual draw, or the cursor and the spans drift from the text, so
`cluster_line` follows `rich.cells.split_graphemes`.
"""

from __future__ import annotations

import re

from rich.cells import get_character_cell_size

from margin.tui.compat import emoji_widened_by_vs16

TAB_SIZE = 4
"""Tabs stop every four cells, counted from the start of the row."""

PLACEHOLDER = "\u25cc"
"""Dotted circle drawn in front of a zero-width cluster that has no base character."""

COMPLEX = re.compile(
    "[^\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f"
    "\u1e00-\u1fff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u2189"
    "\u2190-\u2319\u231c-\u2328\u232b-\u23e8\u2500-\u25fc\n]"
)
"""A character that is not one plain cell (the newline is handled separately, so it
counts as plain here)."""

WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)
"""East Asian wide ranges and the main emoji blocks: used only to estimate row counts."""

_ZWJ = "\u200d"
_VS16 = "\ufe0f"
_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")


def cluster_line(line: str) -> tuple[list[list[int]], list[int]]:
    """Split a sanitised line into ``[start, end, width]`` grapheme clusters.

    Mirrors `rich.cells.split_graphemes`, so the widths agree with what Rich and Textual
    measure when they draw the row, with three changes: a tab is its own cluster (width
    ``-1``, resolved while wrapping); a zero-width cluster with no base character gets a
    placeholder cell so that the cursor can sit on it; and a zero width joiner with
    nothing to join is listed (second value) so that it can be left undrawn, since Rich
    would otherwise swallow the cell after it.
    """
    narrow_to_wide = emoji_widened_by_vs16()
    clusters: list[list[int]] = []
    idle_joiners: list[int] = []
    last_measured: str | None = None
    index = 0
    length = len(line)
    while index < length:
        character = line[index]
        attachable = bool(clusters) and clusters[-1][2] != -1
        if character == "\t":
            clusters.append([index, index + 1, -1])
            last_measured = None
            index += 1
            continue
        if character == _ZWJ:
            joins_next = index + 1 < length and line[index + 1] != "\t"
            if not joins_next:
                idle_joiners.append(index)
            following = index + (2 if joins_next else 1)
            if attachable:
                clusters[-1][1] = following
            else:
                clusters.append([index, following, 0])
            index = following
            continue
        if attachable and character == _VS16:
            index += 1
            clusters[-1][1] = index
            if last_measured is not None and last_measured in narrow_to_wide:
                clusters[-1][2] += 1
            last_measured = None
            continue
        width = get_character_cell_size(character)
        if width:
            clusters.append([index, index + 1, width])
            last_measured = character
        elif attachable:
            clusters[-1][1] = index + 1
        else:
            clusters.append([index, index + 1, 0])
        index += 1
    return clusters, idle_joiners


def is_break_space(cluster_text: str) -> bool:
    """A space a row may break after (no-break spaces hold their words together)."""
    return cluster_text[0].isspace() and cluster_text[0] not in _NO_BREAK_SPACES
