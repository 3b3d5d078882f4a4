"""An interval index over one document's annotations.

The reader asks three questions on every key press and every painted row: which spans
cover this offset, which spans touch this row, and where does the next (or previous) span
start. With ten thousand spans a linear scan is too slow, and spans change one at a time
while the user labels, so the index is a sorted list cut into small blocks; an insert or
a removal touches one block. Spans up to `LONG_SPAN` long live in the blocks, so a query
only looks at the blocks that start within that distance before it. The few longer spans
(whole sections) are kept apart in a short list that every query scans.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from heapq import merge

from margin.store.model import Annotation

BLOCK_SIZE = 64
LONG_SPAN = 4096

_Entry = tuple[int, int, str]  # (start, end, id): sorted by start, then end, then id


class SpanIndex:
    """Annotations of one document, queryable by offset and by range."""

    def __init__(self, annotations: Iterable[Annotation] = ()) -> None:
        self._by_id: dict[str, Annotation] = {}
        for annotation in annotations:
            self._by_id[annotation.id] = annotation
        entries = sorted((a.start, a.end, a.id) for a in self._by_id.values())
        short = [entry for entry in entries if entry[1] - entry[0] <= LONG_SPAN]
        self._long: list[_Entry] = [entry for entry in entries if entry[1] - entry[0] > LONG_SPAN]
        self._blocks: list[list[_Entry]] = [
            short[index : index + BLOCK_SIZE] for index in range(0, len(short), BLOCK_SIZE)
        ]
        self._heads: list[_Entry] = [block[0] for block in self._blocks]
        self._firsts: list[int] = [head[0] for head in self._heads]

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._by_id

    def __iter__(self) -> Iterator[Annotation]:
        """Annotations in reading order (by start, then end)."""
        short = (entry for block in self._blocks for entry in block)
        for _start, _end, annotation_id in merge(short, self._long):
            yield self._by_id[annotation_id]

    def get(self, annotation_id: str) -> Annotation | None:
        return self._by_id.get(annotation_id)

    # -- changes -----------------------------------------------------------------

    def add(self, annotation: Annotation) -> Annotation | None:
        """Add `annotation`, replacing one with the same id; returns the one replaced."""
        previous = self.remove(annotation.id)
        self._by_id[annotation.id] = annotation
        entry = (annotation.start, annotation.end, annotation.id)
        if entry[1] - entry[0] > LONG_SPAN:
            insort(self._long, entry)
            return previous
        if not self._blocks:
            self._blocks.append([entry])
            self._heads.append(entry)
            self._firsts.append(entry[0])
            return previous
        # The last block whose first entry sorts before this one keeps the order global.
        number = max(bisect_right(self._heads, entry) - 1, 0)
        block = self._blocks[number]
        insort(block, entry)
        self._set_head(number)
        if len(block) > 2 * BLOCK_SIZE:
            half = len(block) // 2
            self._blocks[number : number + 1] = [block[:half], block[half:]]
            self._heads[number : number + 1] = [block[0], block[half]]
            self._firsts[number : number + 1] = [block[0][0], block[half][0]]
        return previous

    def _set_head(self, number: int) -> None:
        self._heads[number] = self._blocks[number][0]
        self._firsts[number] = self._heads[number][0]

    def remove(self, annotation_id: str) -> Annotation | None:
        """Remove an annotation by id; returns it, or None when it was not indexed."""
        annotation = self._by_id.pop(annotation_id, None)
        if annotation is None:
            return None
        entry = (annotation.start, annotation.end, annotation.id)
        if entry[1] - entry[0] > LONG_SPAN:
            self._long.remove(entry)
            return annotation
        number = bisect_right(self._heads, entry) - 1
        block = self._blocks[number]
        del block[bisect_left(block, entry)]
        if block:
            self._set_head(number)
        else:
            del self._blocks[number], self._heads[number], self._firsts[number]
        return annotation

    # -- queries -----------------------------------------------------------------

    def _scan(self, below: int, above: int, inclusive: bool) -> list[Annotation]:
        """Spans starting before `below` (or at it, when inclusive) that end after `above`,
        in reading order."""
        found: list[_Entry] = []
        firsts = self._firsts
        limit = bisect_right(firsts, below) if inclusive else bisect_left(firsts, below)
        # A short span ending after `above` starts after `above - LONG_SPAN`.
        first = max(bisect_right(firsts, above - LONG_SPAN) - 1, 0)
        for block in self._blocks[first:limit]:
            for entry in block:
                start = entry[0]
                if start > below or (start == below and not inclusive):
                    break
                if entry[1] > above:
                    found.append(entry)
        for entry in self._long:
            start = entry[0]
            if start > below or (start == below and not inclusive):
                break
            if entry[1] > above:
                found.append(entry)
        if self._long:
            found.sort()
        by_id = self._by_id
        return [by_id[entry[2]] for entry in found]

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
        candidates = []
        number = max(bisect_right(self._firsts, offset) - 1, 0)
        for block in self._blocks[number:]:
            position = bisect_right(block, (offset, float("inf"), ""))
            if position < len(block):
                candidates.append(block[position])
                break
        position = bisect_right(self._long, (offset, float("inf"), ""))
        if position < len(self._long):
            candidates.append(self._long[position])
        return self._by_id[min(candidates)[2]] if candidates else None

    def previous_before(self, offset: int) -> Annotation | None:
        """The last span (in reading order) starting before `offset`."""
        candidates = []
        number = bisect_left(self._firsts, offset) - 1
        while number >= 0:
            block = self._blocks[number]
            position = bisect_left(block, (offset, -1, ""))
            if position > 0:
                candidates.append(block[position - 1])
                break
            number -= 1
        position = bisect_left(self._long, (offset, -1, ""))
        if position > 0:
            candidates.append(self._long[position - 1])
        return self._by_id[max(candidates)[2]] if candidates else None
