"""Soft wrapping of document text into display rows, measured in terminal cells.

The reader shows whole books, so this module touches no more text than it must. Line
starts are found once with C-level string operations. A line made only of plain one-cell
characters is wrapped with `str.rfind` (one call per row); only a line holding something
wider, narrower or stranger than one cell (CJK, emoji, combining marks, tabs, control
characters) is split into grapheme clusters. Wrapped blocks (lines, or reflowed
paragraphs: see below) live in a small LRU cache for the current width, so a screenful
costs a screenful of work.

Offsets are code-point offsets into the document text. Every offset belongs to exactly
one row, including each line's ``"\\n"``, which is drawn as the cell after the row's
text so that a cursor on it stays visible. Nothing here imports Textual.

Reflow. Books and reports are often hard-wrapped: paragraphs are separated by blank lines
and each paragraph's lines end at about 70 columns. With ``reflow=True`` (the reader sets
it for texts with blank lines) a *single* newline inside a paragraph is a soft break: the
paragraph is wrapped to the measure as if the newline were a space, and the newline is
drawn as one space cell, or as the row's trailing cell when it falls at a row end, as a
wrapping space does. The text and its offsets never change. A newline between lines A and
B stays a line end when:

* A is short: under 60 % of the paragraph's longest line, counting that as at least 72
  characters (headings such as "CHAPTER I", verse, addresses, short list items; and
  Chinese or Japanese lines, short in characters, which put no space between words);
* A or B is set apart: it starts with whitespace (indented verse, block quotes, hanging
  indents), with ``>`` (quoted mail), ``#`` (headings, comments) or ``|``, or it holds
  a run of three spaces (table rows with aligned columns);
* B opens a list item: ``-``, ``*``, ``+`` or ``•``, or up to three digits and ``.`` or
  ``)``, followed by whitespace.

Blank lines stay paragraph breaks. Each paragraph is one *block* (otherwise a block is one
line); a paragraph of more than `MAX_BLOCK_LINES` lines is split into blocks of that many
lines, and the newline between two such blocks is a line end. A reflowed block's row count
is estimated until it is first wrapped, so opening a book wraps only what is shown.
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

WRAPPED_BLOCK_CACHE = 1024

SHORT_LINE = 0.6
"""With reflow, a line under this share of its paragraph's longest line keeps its newline."""

USUAL_MEASURE = 72
"""The longest line of a paragraph counts as at least this many characters, so that a
paragraph of short lines (a stanza, an address, a heading over one line) keeps its lines."""

MAX_BLOCK_LINES = 512
"""A longer paragraph is laid out in blocks of this many lines, so no block is costly to wrap."""

REFLOW_SLACK = 2
"""A reflowed paragraph not wrapped yet is estimated at ``length / (width - REFLOW_SLACK)``
rows, rounded up: within 1 % of the exact count on the Gutenberg novels at 40 to 120 cells."""

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

# Starts of a line that opens a list item, which keeps the newline before it.
_LIST_ITEM = re.compile(r"(?:[-*+\u2022]|\d{1,3}[.)])\s")

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
    (see the module docstring). `paragraph_gap` adds a blank row after every block, for
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
        starts = list(accumulate(map(len, lines), lambda total, size: total + size + 1, initial=0))
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
            starts.pop()
        else:
            starts[-1] = len(text) + 1
        # starts[i] is line i's first offset; starts[-1] is one past the last line's newline.
        self._multiline: frozenset[int] = frozenset()
        if reflow:
            starts, self._multiline = self._paragraphs(lines, starts)
            lengths = array("q", [following - start - 1 for start, following in zip(starts, starts[1:])])
        else:
            lengths = array("q", map(len, lines))
        self._starts = array("q", starts)
        self._lengths = lengths
        self._complex = self._find_complex_blocks()
        self._cache: OrderedDict[int, _Wrapped] = OrderedDict()
        self.width = 0
        self._rows = _RowIndex(array("q"))
        self._estimated: set[int] = set()
        self._pending: list[int] = []
        self.set_width(width)

    @staticmethod
    def _paragraphs(lines: list[str], starts: list[int]) -> tuple[list[int], frozenset[int]]:
        """Block starts when paragraphs reflow (each blank line is a block, each run of
        lines with text one more, in pieces of at most `MAX_BLOCK_LINES`), and the blocks
        holding more than one line."""
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
                cells = length + len(_WIDE.findall(text, start, start + length)) if block in complex_blocks else length
                counts[block] += max(1, -(-cells // max(1, width - REFLOW_SLACK))) - 1
                self._estimated.add(block)
            elif block in complex_blocks:
                start = starts[block]
                if length <= width:
                    # An upper bound on the cells: wide characters take two, tabs four.
                    bound = length + len(_WIDE.findall(text, start, start + length))
                    bound += (TAB_SIZE - 1) * text.count("\t", start, start + length)
                    if bound <= width:
                        continue
                    cells = bound
                else:
                    cells = length + len(_WIDE.findall(text, start, start + length))
                counts[block] += max(1, -(-cells // width)) - 1
                self._estimated.add(block)
            elif length > width:
                counts[block] += len(self._simple_rows(text, starts[block], starts[block] + length, width)) - 1
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
        search = _COMPLEX.search
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

    def _wrapped(self, block: int) -> _Wrapped:
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
        for first, last in self._hard_lines(start, end) if soft else ((start, end),):
            ends_line = newline or last < end
            if block in self._complex:
                rows.extend(self._wrap_complex(first, last, ends_line))
            else:
                rows.extend(
                    Row(row_start, row_end, ends_line and row_end == last, row_end - row_start)
                    for row_start, row_end in self._simple_rows(self.text, first, last, self.width, soft)
                )
        wrapped = _Wrapped(tuple(rows), tuple(row.start for row in rows))
        if block in self._estimated:
            self._estimated.discard(block)
            self._rows.set(block, len(rows) + (1 if self.paragraph_gap and block < self.block_count - 1 else 0))
        cache[block] = wrapped
        if len(cache) > WRAPPED_BLOCK_CACHE:
            cache.popitem(last=False)
        return wrapped

    def _hard_lines(self, start: int, end: int) -> list[tuple[int, int]]:
        """``[start, end)`` of each stretch of a reflowed paragraph between hard newlines."""
        lines = self.text[start:end].split("\n")
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

    @staticmethod
    def _simple_rows(text: str, start: int, end: int, width: int, soft: bool = False) -> list[tuple[int, int]]:
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

    def _wrap_complex(self, start: int, end: int, newline: bool) -> tuple[Row, ...]:
        """Wrap a line cluster by cluster: breaks after spaces and around wide characters.
        A soft newline inside it is measured, broken after and drawn as a space."""
        line = sanitise(self.text[start:end]).replace("\n", " ")
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
