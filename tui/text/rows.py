"""Display rows, and the two ways a stretch of text is wrapped into them.

A `Row` is what the reader draws on one screen line and what cursor motion steps
through: offsets, their columns and the cells the terminal shows. Plain one-cell text is
wrapped by `simple_rows` with `str.rfind`, one call per row, and its rows carry no
per-offset data; only text holding something wider, narrower or stranger than one cell is
wrapped by `wrap_complex`, cluster by cluster, and its rows share one table of columns and
one of drawn pieces. Both break at the same places on plain text (the tests check it), so
which one runs is only a matter of speed.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from .cells import PLACEHOLDER, TAB_SIZE, cluster_line, is_break_space
from .sanitise import sanitise


@dataclass(frozen=True, slots=True)
class Row:
    """One display row: the code points ``[start, end)`` of one line, plus its newline.

    When `newline` is true the row is the last of its line and also owns offset `end`
    (the ``"\\n"``), drawn as one cell after the text. A soft newline of a reflowed
    paragraph lies inside ``[start, end)`` and is drawn as a space. `cols` and `pieces`
    are shared by all rows of a complex stretch of text and indexed by ``offset - base``;
    for simple text they are None and each code point is one cell.
    """

    start: int
    end: int
    newline: bool
    cells: int
    base: int = 0
    cols: tuple[int, ...] | None = None
    pieces: tuple[str, ...] | None = None
    gap: bool = False

    @property
    def stop(self) -> int:
        """End of the offsets this row owns (exclusive)."""
        return self.end + 1 if self.newline else self.end

    @property
    def last(self) -> int:
        """The last offset on the row, or `start` when it owns none."""
        return max(self.start, self.stop - 1)

    def column(self, offset: int) -> int:
        """Cell column of `offset` on this row; the newline sits just after the text."""
        if offset >= self.end:
            return self.cells
        if self.cols is None:
            return offset - self.start
        return self.cols[offset - self.base]

    def offset_at(self, column: int) -> int:
        """The offset drawn at `column`, snapped to its cluster start; past the text, the last offset."""
        if self.gap or column >= self.cells or self.start == self.end:
            return self.last
        column = max(0, column)
        if self.cols is None:
            return self.start + column
        index = bisect_right(self.cols, column, self.start - self.base, self.end - self.base) - 1
        return self.cluster_start(self.base + index)

    def cluster_start(self, offset: int) -> int:
        """First offset of the grapheme cluster holding `offset`."""
        if self.cols is None or offset >= self.end:
            return offset
        index = offset - self.base
        low = self.start - self.base
        column = self.cols[index]
        while index > low and self.cols[index - 1] == column:
            index -= 1
        return self.base + index

    def cluster_end(self, offset: int) -> int:
        """Offset just after the grapheme cluster holding `offset`."""
        if offset >= self.end:
            return offset + 1
        if self.cols is None:
            return offset + 1
        index = offset - self.base
        high = self.end - self.base
        column = self.cols[index]
        index += 1
        while index < high and self.cols[index] == column:
            index += 1
        return self.base + index

    def display(self, text: str, start: int, end: int) -> str:
        """What the terminal shows for offsets ``[start, end)`` of this row."""
        visible_end = min(end, self.end)
        if start >= visible_end:
            shown = ""
        elif self.pieces is None:
            shown = text[start:visible_end].replace("\n", " ")
        else:
            shown = "".join(self.pieces[start - self.base : visible_end - self.base])
        if end > self.end and self.newline:
            shown += " "
        return shown


@dataclass(frozen=True, slots=True)
class Wrapped:
    """The rows of one block, and their starts for bisecting."""

    rows: tuple[Row, ...]
    starts: tuple[int, ...]


def simple_rows(text: str, start: int, end: int, width: int, soft: bool = False) -> list[tuple[int, int]]:
    """Greedy word wrap of one-cell text: break after the last space (or, when `soft`,
    newline) that fits, let further spaces hang past the measure, and cut words longer
    than the measure."""
    hanging = " \n" if soft else " "
    rows = []
    row_start = start
    while end - row_start > width:
        space = text.rfind(" ", row_start + 1, row_start + width + 1)
        if soft:
            space = max(space, text.rfind("\n", row_start + 1, row_start + width + 1))
        if space < 0:
            row_end = row_start + width
        else:
            row_end = space + 1
            while row_end < end and text[row_end] in hanging:
                row_end += 1
        rows.append((row_start, row_end))
        row_start = row_end
    if row_start < end or not rows:
        rows.append((row_start, end))
    return rows


def wrap_complex(text: str, start: int, end: int, width: int, newline: bool) -> tuple[Row, ...]:
    """Wrap a line cluster by cluster: breaks after spaces and around wide characters.
    A soft newline inside it is measured, broken after and drawn as a space."""
    line = sanitise(text[start:end]).replace("\n", " ")
    clusters, idle_joiners = cluster_line(line)
    row_firsts: list[int] = [0]
    widths: list[int] = [0] * len(clusters)
    column = 0
    row_first = 0
    brk = 0
    index = 0
    while index < len(clusters):
        first, last, size = clusters[index]
        if size == -1 or is_break_space(line[first:last]):
            size = TAB_SIZE - column % TAB_SIZE if size == -1 else size
            widths[index] = size
            column += size
            index += 1
            if index - 1 > row_first:
                brk = index
            continue
        size = size or 1
        wide = size > 1
        if wide and index > row_first:
            brk = max(brk, index)
        if column + size > width and index > row_first:
            row_first = brk if brk > row_first else index
            row_firsts.append(row_first)
            column = sum(widths[row_first:index])
            brk = row_first
            continue
        widths[index] = size
        column += size
        index += 1
        if wide:
            brk = index
    cols = [0] * len(line)
    pieces = list(line)
    for joiner in idle_joiners:
        pieces[joiner] = ""
    rows: list[Row] = []
    boundaries = [*row_firsts, len(clusters)]
    for first_cluster, next_cluster in pairwise(boundaries):
        column = 0
        for cluster in range(first_cluster, next_cluster):
            first, last, size = clusters[cluster]
            cols[first:last] = [column] * (last - first)
            if size == -1:
                pieces[first] = " " * widths[cluster]
            elif size == 0:
                pieces[first] = PLACEHOLDER + pieces[first]
            column += widths[cluster]
        row_start = start + (clusters[first_cluster][0] if first_cluster < len(clusters) else 0)
        row_end = start + (clusters[next_cluster][0] if next_cluster < len(clusters) else len(line))
        rows.append(Row(row_start, row_end, newline and row_end == end, column, start))
    shared_cols = tuple(cols)
    shared_pieces = tuple(pieces)
    return tuple(
        Row(row.start, row.end, row.newline, row.cells, start, shared_cols, shared_pieces) for row in rows
    )
