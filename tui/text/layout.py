"""Soft wrapping of document text into display rows, measured in terminal cells.

The reader shows whole books, so the layout touches no more text than it must. Line
starts are found once with C-level string operations. A line made only of plain one-cell
characters is wrapped with `str.rfind` (one call per row); only a line holding something
wider, narrower or stranger than one cell (CJK, emoji, combining marks, tabs, control
characters) is split into grapheme clusters (`rows.wrap_complex`). Wrapped blocks (lines,
or reflowed paragraphs: see `reflow`) live in a small LRU cache for the current width, so
a screenful costs a screenful of work.

Offsets are code-point offsets into the document text. Every offset belongs to exactly
one row, including each line's ``"\\n"``, which is drawn as the cell after the row's
text so that a cursor on it stays visible. A reflowed block's row count is estimated until
it is first wrapped, so opening a book wraps only what is shown.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from itertools import accumulate, pairwise

from .cells import COMPLEX, TAB_SIZE, WIDE
from .reflow import hard_lines, paragraph_blocks
from .rows import Row, Wrapped, simple_rows, wrap_complex

WRAPPED_BLOCK_CACHE = 1024
"""Wrapped blocks kept for the current width: several screens of a book."""

REFLOW_SLACK = 2
"""A reflowed paragraph not wrapped yet is estimated at ``length / (width - REFLOW_SLACK)``
rows, rounded up: within 1 % of the exact count on the Gutenberg novels at 40 to 120 cells."""


class _RowIndex:
    """The first row of every block: prefix sums of the blocks' row counts, kept per chunk
    of `CHUNK` blocks, so that a block whose count changes (an estimate made exact) costs
    one chunk's sum rather than the whole document's."""

    CHUNK = 256

    def __init__(self, counts: array) -> None:
        self.counts = counts
        chunks = max(1, -(-len(counts) // self.CHUNK))
        self._inner: list[array] = [array("q")] * chunks
        self._chunk_starts = array("q")
        self._dirty = set(range(chunks))

    def set(self, block: int, count: int) -> None:
        if self.counts[block] != count:
            self.counts[block] = count
            self._dirty.add(block // self.CHUNK)

    def _sync(self) -> None:
        if not self._dirty:
            return
        size = self.CHUNK
        counts = self.counts
        for chunk in self._dirty:
            self._inner[chunk] = array("q", accumulate(counts[chunk * size : (chunk + 1) * size], initial=0))
        self._dirty.clear()
        self._chunk_starts = array("q", accumulate((inner[-1] for inner in self._inner), initial=0))

    @property
    def total(self) -> int:
        self._sync()
        return self._chunk_starts[-1]

    def first_row(self, block: int) -> int:
        self._sync()
        chunk, within = divmod(block, self.CHUNK)
        return self._chunk_starts[chunk] + self._inner[chunk][within]

    def block_at(self, row: int) -> int:
        """The block holding `row`, for ``0 <= row < total``."""
        self._sync()
        chunk = min(max(bisect_right(self._chunk_starts, row) - 1, 0), len(self._inner) - 1)
        within = bisect_right(self._inner[chunk], row - self._chunk_starts[chunk]) - 1
        return min(chunk * self.CHUNK + within, len(self.counts) - 1)


class Layout:
    """Display rows of one text at one width.

    The text is laid out in blocks: a block is one line, or with `reflow`, one paragraph
    (see `margin.tui.text.reflow`). `paragraph_gap` adds a blank row after every block, for
    texts that put one paragraph on each line. Rows are numbered from 0 over the whole
    document.

    Blocks that need more than counting to know their rows (reflowed paragraphs, and long
    lines that need cluster-level wrapping, such as CJK or emoji) start with an estimated
    row count; a block becomes exact the first time it is wrapped (when it is shown, or
    when `refine` gets to it), and row numbers after it move accordingly. Every method
    answers from exact blocks for what it touches, so a caller only sees `row_count`
    change.
    """

    def __init__(self, text: str, width: int, *, paragraph_gap: bool = False, reflow: bool = False) -> None:
        self.text = text
        self.paragraph_gap = paragraph_gap
        lines = text.split("\n")
        starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))  # each line and its newline
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
            starts.pop()
        else:
            starts[-1] = len(text) + 1
        # starts[i] is line i's first offset; starts[-1] is one past the last line's newline.
        self._multiline: frozenset[int] = frozenset()
        if reflow:
            starts, self._multiline = paragraph_blocks(lines, starts)
            lengths = array("q", [following - start - 1 for start, following in pairwise(starts)])
        else:
            lengths = array("q", map(len, lines))
        self._starts = array("q", starts)
        self._lengths = lengths
        self._complex = self._find_complex_blocks()
        self._cache: OrderedDict[int, Wrapped] = OrderedDict()
        self.width = 0
        self._rows = _RowIndex(array("q"))
        self._estimated: set[int] = set()
        self._pending: list[int] = []
        self.set_width(width)

    # -- structure ---------------------------------------------------------------

    @property
    def block_count(self) -> int:
        return len(self._lengths)

    @property
    def row_count(self) -> int:
        return self._rows.total

    @property
    def exact(self) -> bool:
        """True once every block's row count is exact rather than estimated."""
        return not self._estimated

    def block_of(self, offset: int) -> int:
        """Index of the block holding `offset` (its newline belongs to it)."""
        return min(max(bisect_right(self._starts, offset) - 1, 0), self.block_count - 1)

    def first_row(self, block: int) -> int:
        return self._rows.first_row(block)

    def anchor(self, row: int) -> tuple[int, int]:
        """(block, rows into it) of row ``row``: where that row is again after blocks
        before it were re-counted (`anchored_row`). An offset would not do: a
        paragraph gap's row starts where the text before it ends."""
        block = self._rows.block_at(row)
        return block, row - self._rows.first_row(block)

    def anchored_row(self, anchor: tuple[int, int]) -> int:
        block, within = anchor
        return self._rows.first_row(block) + within

    def set_width(self, width: int) -> None:
        """Re-measure every block for a new width; cheap lines are counted, not wrapped."""
        width = max(1, width)
        if width == self.width:
            return
        self.width = width
        self._cache.clear()
        gap = 1 if self.paragraph_gap else 0
        counts = array("q", [1 + gap]) * self.block_count
        if gap:
            counts[-1] = 1
        self._estimated = set()
        starts = self._starts
        text = self.text
        complex_blocks = self._complex
        multiline = self._multiline
        for block, length in enumerate(self._lengths):
            if block in multiline:
                start = starts[block]
                cells = length + len(WIDE.findall(text, start, start + length)) if block in complex_blocks else length
                counts[block] += max(1, -(-cells // max(1, width - REFLOW_SLACK))) - 1
                self._estimated.add(block)
            elif block in complex_blocks:
                start = starts[block]
                if length <= width:
                    # An upper bound on the cells: any character that is not plain takes at
                    # most two (the WIDE ranges are only an estimate), a tab four.
                    bound = length + len(COMPLEX.findall(text, start, start + length))
                    bound += (TAB_SIZE - 2) * text.count("\t", start, start + length)
                    if bound <= width:
                        continue
                    cells = bound
                else:
                    cells = length + len(WIDE.findall(text, start, start + length))
                counts[block] += max(1, -(-cells // width)) - 1
                self._estimated.add(block)
            elif length > width:
                counts[block] += len(simple_rows(text, starts[block], starts[block] + length, width)) - 1
        self._pending = sorted(self._estimated, reverse=True)
        self._rows = _RowIndex(counts)

    def refine(self, budget: float = 0.01) -> bool:
        """Make estimated blocks exact for about `budget` seconds; True if any row count
        changed (rows after a changed block have moved)."""
        deadline = time.perf_counter() + budget
        counts = self._rows.counts
        changed = False
        while self._pending and time.perf_counter() < deadline:
            block = self._pending.pop()
            if block in self._estimated:
                before = counts[block]
                self._wrapped(block)
                changed = changed or counts[block] != before
        return changed

    def settle(self, offset: int, rows_before: int) -> None:
        """Make exact the block holding `offset` and those filling the `rows_before` rows
        above it, so that drawing a screen that ends at `offset` moves no row number."""
        block = self.block_of(offset)
        above = -1
        while block >= 0 and above < rows_before:
            above += len(self._wrapped(block).rows)
            block -= 1

    def _find_complex_blocks(self) -> frozenset[int]:
        """Blocks holding at least one character that is not a plain single cell."""
        found: set[int] = set()
        text = self.text
        starts = self._starts
        search = COMPLEX.search
        position = 0
        while (match := search(text, position)) is not None:
            block = bisect_right(starts, match.start()) - 1
            found.add(block)
            if block + 1 >= len(starts):
                break
            position = starts[block + 1]
        return frozenset(block for block in found if block < self.block_count)

    # -- rows --------------------------------------------------------------------

    def row(self, index: int) -> Row:
        """Row `index` (clamped to the document)."""
        counts = self._rows.counts
        while True:
            index = min(max(index, 0), self.row_count - 1)
            block = self._rows.block_at(index)
            count = counts[block]
            rows = self._wrapped(block).rows
            if counts[block] == count:
                break
            # The block was estimated and has just been wrapped: map the row again.
        within = index - self._rows.first_row(block)
        if within < len(rows):
            return rows[within]
        end = self._starts[block] + self._lengths[block]
        return Row(end, end, False, 0, gap=True)

    def iter_rows(self) -> Iterator[Row]:
        """Every row in order, gap rows included, wrapping each block as it is reached."""
        last = self.block_count - 1
        for block in range(self.block_count):
            rows = self._wrapped(block).rows
            yield from rows
            if self.paragraph_gap and block < last:
                end = rows[-1].end
                yield Row(end, end, False, 0, gap=True)

    def row_of(self, offset: int) -> int:
        """Index of the row that owns `offset`."""
        block = self.block_of(offset)
        wrapped = self._wrapped(block)
        within = max(bisect_right(wrapped.starts, offset) - 1, 0)
        return self.first_row(block) + within

    def offset_to_rowcol(self, offset: int) -> tuple[int, int]:
        """``(row, column)`` where `offset` is drawn."""
        row_index = self.row_of(offset)
        return row_index, self.row(row_index).column(offset)

    def rowcol_to_offset(self, row: int, column: int) -> int:
        """The offset drawn at ``(row, column)``; a gap row answers its block's end."""
        return self.row(row).offset_at(column)

    def cluster_end(self, offset: int) -> int:
        """Offset just after the grapheme cluster holding `offset`."""
        return self.row(self.row_of(offset)).cluster_end(offset)

    def cluster_start(self, offset: int) -> int:
        return self.row(self.row_of(offset)).cluster_start(offset)

    # -- wrapping ----------------------------------------------------------------

    def _wrapped(self, block: int) -> Wrapped:
        cache = self._cache
        wrapped = cache.get(block)
        if wrapped is not None:
            cache.move_to_end(block)
            return wrapped
        start = self._starts[block]
        end = start + self._lengths[block]
        newline = end < len(self.text)
        soft = block in self._multiline
        rows: list[Row] = []
        for first, last in hard_lines(self.text, start, end) if soft else ((start, end),):
            ends_line = newline or last < end
            if block in self._complex:
                rows.extend(wrap_complex(self.text, first, last, self.width, ends_line))
            else:
                rows.extend(
                    Row(row_start, row_end, ends_line and row_end == last, row_end - row_start)
                    for row_start, row_end in simple_rows(self.text, first, last, self.width, soft)
                )
        wrapped = Wrapped(tuple(rows), tuple(row.start for row in rows))
        if block in self._estimated:
            self._estimated.discard(block)
            self._rows.set(block, len(rows) + (1 if self.paragraph_gap and block < self.block_count - 1 else 0))
        cache[block] = wrapped
        if len(cache) > WRAPPED_BLOCK_CACHE:
            cache.popitem(last=False)
        return wrapped
