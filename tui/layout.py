"""Soft wrapping of document text into display rows, measured in terminal cells.

The reader shows whole books, so this module touches no more text than it must. Line
starts are found once with C-level string operations. A line made only of plain one-cell
characters is wrapped with `str.rfind` (one call per row); only a line holding something
wider, narrower or stranger than one cell (CJK, emoji, combining marks, tabs, control
characters) is split into grapheme clusters. Wrapped lines live in a small LRU cache for
the current width, so a screenful costs a screenful of work.

Offsets are code-point offsets into the document text. Every offset belongs to exactly
one row, including each line's ``"\\n"``, which is drawn as the cell after the row's
text so that a cursor on it stays visible. Nothing here imports Textual.
"""

from __future__ import annotations

import re
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from rich._unicode_data import load as load_cell_table
from rich.cells import get_character_cell_size

TAB_SIZE = 4
"""Tabs stop every four cells, counted from the start of the row."""

PLACEHOLDER = "\u25cc"
"""Dotted circle drawn in front of a zero-width cluster that has no base character."""

WRAPPED_LINE_CACHE = 1024

# One code point, one cell, never joining its neighbours: the common case, measured by
# length alone. Everything else (and the newline, handled separately) is "complex".
_COMPLEX = re.compile(
    "[^\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f"
    "\u1e00-\u1fff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u2189"
    "\u2190-\u2319\u231c-\u2328\u232b-\u23e8\u2500-\u25fc\n]"
)

# East Asian wide ranges and the main emoji blocks: used only to estimate row counts.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)

_ZWJ = "\u200d"
_VS16 = "\ufe0f"
_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")


def _control_pictures() -> dict[int, str]:
    """Replacement glyphs that keep control characters inert and one cell wide."""
    table = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
    table[0x7F] = "\u2421"
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    # Line/paragraph separators and bidirectional overrides would rearrange the screen.
    table.update({code: "\ufffd" for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    return table


SANITISE = str.maketrans(_control_pictures())
"""`str.translate` table: each control character becomes one visible glyph, so lengths
and offsets are unchanged."""


def sanitise(text: str) -> str:
    """The text with control characters replaced by visible glyphs, one for one."""
    return text.translate(SANITISE)


@dataclass(frozen=True, slots=True)
class Row:
    """One display row: the code points ``[start, end)`` of one line, plus its newline.

    When `newline` is true the row is the last of its line and also owns offset `end`
    (the ``"\\n"``), drawn as one cell after the text. `cols` and `pieces` are shared by
    all rows of a complex line and indexed by ``offset - base``; for a simple line they
    are None and each code point is one cell.
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
            shown = text[start:visible_end]
        else:
            shown = "".join(self.pieces[start - self.base : visible_end - self.base])
        if end > self.end and self.newline:
            shown += " "
        return shown


@dataclass(frozen=True, slots=True)
class _Wrapped:
    rows: tuple[Row, ...]
    starts: tuple[int, ...]


def _cluster_line(line: str) -> tuple[list[list[int]], list[int]]:
    """Split a sanitised line into ``[start, end, width]`` grapheme clusters.

    Mirrors `rich.cells.split_graphemes`, so the widths agree with what Rich and Textual
    measure when they draw the row, with three changes: a tab is its own cluster (width
    ``-1``, resolved while wrapping); a zero-width cluster with no base character gets a
    placeholder cell so that the cursor can sit on it; and a zero width joiner with
    nothing to join is listed (second value) so that it can be left undrawn, since Rich
    would otherwise swallow the cell after it.
    """
    narrow_to_wide = load_cell_table("auto").narrow_to_wide
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


def _is_break_space(cluster_text: str) -> bool:
    return cluster_text[0].isspace() and cluster_text[0] not in _NO_BREAK_SPACES


class Layout:
    """Display rows of one text at one width.

    `paragraph_gap` adds a blank row after every line, for texts that put one paragraph
    on each line. Rows are numbered from 0 over the whole document.

    Long lines that need cluster-level wrapping (CJK, emoji) start with an estimated row
    count; a line becomes exact the first time it is wrapped (when it is shown, or when
    `refine` gets to it), and row numbers after it move accordingly. Every method answers
    from exact lines for what it touches, so a caller only sees `row_count` change.
    """

    def __init__(self, text: str, width: int, *, paragraph_gap: bool = False) -> None:
        self.text = text
        self.paragraph_gap = paragraph_gap
        lines = text.split("\n")
        starts = list(accumulate(map(len, lines), lambda total, size: total + size + 1, initial=0))
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
            starts.pop()
        else:
            starts[-1] = len(text) + 1
        # starts[i] is line i's first offset; starts[-1] is one past the last line's newline.
        self._starts = array("q", starts)
        self._lengths = array("q", map(len, lines))
        self._complex = self._find_complex_lines()
        self._cache: OrderedDict[int, _Wrapped] = OrderedDict()
        self.width = 0
        self._counts = array("q")
        self._row_starts = array("q")
        self._estimated: set[int] = set()
        self._pending: list[int] = []
        self._stale = False
        self.set_width(width)

    # -- structure ---------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._lengths)

    @property
    def row_count(self) -> int:
        self._sync()
        return self._row_starts[-1]

    @property
    def exact(self) -> bool:
        """True once every line's row count is exact rather than estimated."""
        return not self._estimated

    def _sync(self) -> None:
        if self._stale:
            self._row_starts = array("q", accumulate(self._counts, initial=0))
            self._stale = False

    def line_of(self, offset: int) -> int:
        """Index of the line holding `offset` (its newline belongs to it)."""
        return min(max(bisect_right(self._starts, offset) - 1, 0), self.line_count - 1)

    def first_row(self, line: int) -> int:
        self._sync()
        return self._row_starts[line]

    def set_width(self, width: int) -> None:
        """Re-measure every line for a new width; cheap lines are counted, not wrapped."""
        width = max(1, width)
        if width == self.width:
            return
        self.width = width
        self._cache.clear()
        gap = 1 if self.paragraph_gap else 0
        counts = array("q", [1 + gap]) * self.line_count
        if gap:
            counts[-1] = 1
        self._counts = counts
        self._estimated = set()
        starts = self._starts
        text = self.text
        complex_lines = self._complex
        for line, length in enumerate(self._lengths):
            if line in complex_lines:
                if length <= width:
                    start = starts[line]
                    # An upper bound on the cells: wide characters take two, tabs four.
                    bound = length + len(_WIDE.findall(text, start, start + length))
                    bound += (TAB_SIZE - 1) * text.count("\t", start, start + length)
                    if bound <= width:
                        continue
                    cells = bound
                else:
                    start = starts[line]
                    cells = length + len(_WIDE.findall(text, start, start + length))
                counts[line] += max(1, -(-cells // width)) - 1
                self._estimated.add(line)
            elif length > width:
                counts[line] += len(self._simple_rows(text, starts[line], starts[line] + length, width)) - 1
        self._pending = sorted(self._estimated, reverse=True)
        self._row_starts = array("q", accumulate(counts, initial=0))
        self._stale = False

    def refine(self, budget: float = 0.01) -> bool:
        """Make estimated lines exact for about `budget` seconds; True if any row count
        changed (rows after a changed line have moved)."""
        deadline = time.perf_counter() + budget
        changed = False
        while self._pending and time.perf_counter() < deadline:
            line = self._pending.pop()
            if line in self._estimated:
                before = self._counts[line]
                self._wrapped(line)
                changed = changed or self._counts[line] != before
        return changed

    def _find_complex_lines(self) -> frozenset[int]:
        """Lines holding at least one character that is not a plain single cell."""
        found: set[int] = set()
        text = self.text
        starts = self._starts
        search = _COMPLEX.search
        position = 0
        while (match := search(text, position)) is not None:
            line = bisect_right(starts, match.start()) - 1
            found.add(line)
            if line + 1 >= len(starts):
                break
            position = starts[line + 1]
        return frozenset(line for line in found if line < self.line_count)

    # -- rows --------------------------------------------------------------------

    def row(self, index: int) -> Row:
        """Row `index` (clamped to the document)."""
        while True:
            index = min(max(index, 0), self.row_count - 1)
            line = bisect_right(self._row_starts, index) - 1
            rows = self._wrapped(line).rows
            if not self._stale:
                break
            # The line was estimated and has just been wrapped: map the row again.
        within = index - self._row_starts[line]
        if within < len(rows):
            return rows[within]
        end = self._starts[line] + self._lengths[line]
        return Row(end, end, False, 0, gap=True)

    def iter_rows(self) -> Iterator[Row]:
        """Every row in order, gap rows included, wrapping each line as it is reached."""
        last = self.line_count - 1
        for line in range(self.line_count):
            rows = self._wrapped(line).rows
            yield from rows
            if self.paragraph_gap and line < last:
                end = rows[-1].end
                yield Row(end, end, False, 0, gap=True)

    def row_of(self, offset: int) -> int:
        """Index of the row that owns `offset`."""
        line = self.line_of(offset)
        wrapped = self._wrapped(line)
        within = max(bisect_right(wrapped.starts, offset) - 1, 0)
        return self.first_row(line) + within

    def offset_to_rowcol(self, offset: int) -> tuple[int, int]:
        """``(row, column)`` where `offset` is drawn."""
        row_index = self.row_of(offset)
        return row_index, self.row(row_index).column(offset)

    def rowcol_to_offset(self, row: int, column: int) -> int:
        """The offset drawn at ``(row, column)``; a gap row answers its line's end."""
        return self.row(row).offset_at(column)

    def cluster_end(self, offset: int) -> int:
        """Offset just after the grapheme cluster holding `offset`."""
        return self.row(self.row_of(offset)).cluster_end(offset)

    def cluster_start(self, offset: int) -> int:
        return self.row(self.row_of(offset)).cluster_start(offset)

    # -- wrapping ----------------------------------------------------------------

    def _wrapped(self, line: int) -> _Wrapped:
        cache = self._cache
        wrapped = cache.get(line)
        if wrapped is not None:
            cache.move_to_end(line)
            return wrapped
        start = self._starts[line]
        end = start + self._lengths[line]
        newline = end < len(self.text)
        if line in self._complex:
            rows = self._wrap_complex(start, end, newline)
        else:
            rows = tuple(
                Row(row_start, row_end, newline and row_end == end, row_end - row_start)
                for row_start, row_end in self._simple_rows(self.text, start, end, self.width)
            )
        wrapped = _Wrapped(rows, tuple(row.start for row in rows))
        if line in self._estimated:
            self._estimated.discard(line)
            exact = len(rows) + (1 if self.paragraph_gap and line < self.line_count - 1 else 0)
            if self._counts[line] != exact:
                self._counts[line] = exact
                self._stale = True
        cache[line] = wrapped
        if len(cache) > WRAPPED_LINE_CACHE:
            cache.popitem(last=False)
        return wrapped

    @staticmethod
    def _simple_rows(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
        """Greedy word wrap of one-cell text: break after the last space that fits,
        let further spaces hang past the measure, and cut words longer than the measure."""
        rows = []
        row_start = start
        while end - row_start > width:
            space = text.rfind(" ", row_start + 1, row_start + width + 1)
            if space < 0:
                row_end = row_start + width
            else:
                row_end = space + 1
                while row_end < end and text[row_end] == " ":
                    row_end += 1
            rows.append((row_start, row_end))
            row_start = row_end
        if row_start < end or not rows:
            rows.append((row_start, end))
        return rows

    def _wrap_complex(self, start: int, end: int, newline: bool) -> tuple[Row, ...]:
        """Wrap a line cluster by cluster: breaks after spaces and around wide characters."""
        line = sanitise(self.text[start:end])
        clusters, idle_joiners = _cluster_line(line)
        width = self.width
        row_firsts: list[int] = [0]
        widths: list[int] = [0] * len(clusters)
        column = 0
        row_first = 0
        brk = 0
        index = 0
        while index < len(clusters):
            first, last, size = clusters[index]
            if size == -1 or _is_break_space(line[first:last]):
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
        boundaries = row_firsts + [len(clusters)]
        for first_cluster, next_cluster in zip(boundaries, boundaries[1:]):
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
