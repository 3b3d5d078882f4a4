"""An interval index over one document's annotations.

The reader asks three questions on every key press and every painted row: which spans
cover this offset, which spans touch this row, and where does the next (or previous) span
start. With ten thousand spans a linear scan is too slow, and spans change one at a time
while the user labels, so the index is a sorted list cut into small blocks. Each block
knows its smallest start and largest end: a stab query bisects to the blocks that start
early enough and skips every block whose spans all end too soon; an insert or a removal
touches one block.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator

from store.model import Annotation

BLOCK_SIZE = 64

_Entry = tuple[int, int, str]  # (start, end, id): sorted by start, then end, then id


class SpanIndex:
    """Annotations of one document, queryable by offset and by range."""

    def __init__(self, annotations: Iterable[Annotation] = ()) -> None:
        self._by_id: dict[str, Annotation] = {}
        for annotation in annotations:
            self._by_id[annotation.id] = annotation
        entries = sorted((a.start, a.end, a.id) for a in self._by_id.values())
        self._blocks: list[list[_Entry]] = [
            entries[index : index + BLOCK_SIZE] for index in range(0, len(entries), BLOCK_SIZE)
        ]
        self._firsts: list[int] = [block[0][0] for block in self._blocks]
        self._max_ends: list[int] = [max(entry[1] for entry in block) for block in self._blocks]

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._by_id

    def __iter__(self) -> Iterator[Annotation]:
        """Annotations in reading order (by start, then end)."""
        for block in self._blocks:
            for _start, _end, annotation_id in block:
                yield self._by_id[annotation_id]

    def get(self, annotation_id: str) -> Annotation | None:
        return self._by_id.get(annotation_id)

    # -- changes -----------------------------------------------------------------

    def add(self, annotation: Annotation) -> Annotation | None:
        """Add `annotation`, replacing one with the same id; returns the one replaced."""
        previous = self.remove(annotation.id)
        self._by_id[annotation.id] = annotation
        entry = (annotation.start, annotation.end, annotation.id)
        if not self._blocks:
            self._blocks.append([entry])
            self._firsts.append(entry[0])
            self._max_ends.append(entry[1])
            return previous
        number = max(bisect_right(self._firsts, entry[0]) - 1, 0)
        block = self._blocks[number]
        insort(block, entry)
        self._firsts[number] = block[0][0]
        self._max_ends[number] = max(self._max_ends[number], entry[1])
        if len(block) > 2 * BLOCK_SIZE:
            half = len(block) // 2
            self._blocks[number : number + 1] = [block[:half], block[half:]]
            self._firsts[number : number + 1] = [block[0][0], block[half][0]]
            self._max_ends[number : number + 1] = [
                max(e[1] for e in block[:half]),
                max(e[1] for e in block[half:]),
            ]
        return previous

    def remove(self, annotation_id: str) -> Annotation | None:
        """Remove an annotation by id; returns it, or None when it was not indexed."""
        annotation = self._by_id.pop(annotation_id, None)
        if annotation is None:
            return None
        entry = (annotation.start, annotation.end, annotation.id)
        number = bisect_right(self._firsts, entry[0]) - 1
        # Equal starts can straddle a block boundary: look left until the entry is found.
        while number >= 0:
            block = self._blocks[number]
            position = bisect_left(block, entry)
            if position < len(block) and block[position] == entry:
                del block[position]
                if block:
                    self._firsts[number] = block[0][0]
                    self._max_ends[number] = max(e[1] for e in block)
                else:
                    del self._blocks[number], self._firsts[number], self._max_ends[number]
                return annotation
            number -= 1
        raise AssertionError(f"span index lost track of {annotation_id}")

    # -- queries -----------------------------------------------------------------

    def _scan(self, below: int, above: int, inclusive: bool) -> list[Annotation]:
        """Spans starting before `below` (or at it, when inclusive) that end after `above`."""
        found = []
        limit = bisect_right(self._firsts, below) if inclusive else bisect_left(self._firsts, below)
        max_ends = self._max_ends
        for number in range(limit):
            if max_ends[number] <= above:
                continue
            for start, end, annotation_id in self._blocks[number]:
                if start > below or (start == below and not inclusive):
                    break
                if end > above:
                    found.append(self._by_id[annotation_id])
        return found

    def at(self, offset: int) -> list[Annotation]:
        """Spans covering `offset` (``start <= offset < end``), innermost (shortest) first."""
        found = self._scan(offset, offset, inclusive=True)
        found.sort(key=lambda a: (a.end - a.start, -a.start, a.id))
        return found

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Spans sharing at least one offset with ``[start, end)``, in reading order."""
        if end <= start:
            return []
        return self._scan(end, start, inclusive=False)

    def next_after(self, offset: int) -> Annotation | None:
        """The first span (in reading order) starting after `offset`."""
        number = bisect_right(self._firsts, offset) - 1
        for block in self._blocks[max(number, 0) :]:
            position = bisect_right(block, (offset, float("inf"), ""))
            if position < len(block):
                return self._by_id[block[position][2]]
        return None

    def previous_before(self, offset: int) -> Annotation | None:
        """The last span (in reading order) starting before `offset`."""
        number = bisect_left(self._firsts, offset) - 1
        while number >= 0:
            block = self._blocks[number]
            position = bisect_left(block, (offset, -1, ""))
            if position > 0:
                return self._by_id[block[position - 1][2]]
            number -= 1
        return None
