"""The reader's suggestions: a second span index holding only the suggested spans it
shows, so "next suggestion" and "the suggestions in this selection" are bisections,
not scans of the document; and the labels whose suggestions are hidden (neither drawn
nor visited). A mixin of `Reader`.
"""

from __future__ import annotations

from collections.abc import Iterable

from margin.store.model import Annotation
from margin.tui.text.span_index import SpanIndex

from .reader_view import ReaderView

SUGGESTED = "suggested"


def shown_for(annotation: Annotation, visible: set[str] | None, hidden_labels: frozenset[str]) -> bool:
    """Drawn at all: live, by an annotator shown, and not a suggestion of a hidden label."""
    if annotation.hidden:
        return False
    if annotation.status == SUGGESTED and annotation.label in hidden_labels:
        return False
    return visible is None or annotation.annotator in visible


class ReaderSuggestions(ReaderView):
    """Suggested spans of the `Reader`, kept beside its span index."""

    _suggested: SpanIndex
    _hidden_suggestions: frozenset[str]

    def _init_suggestions(self) -> None:
        self._suggested = SpanIndex()
        self._hidden_suggestions = frozenset()

    def _index_suggestion(self, annotation: Annotation, shown: bool) -> None:
        self._suggested.remove(annotation.id)
        if shown and annotation.status == SUGGESTED:
            self._suggested.add(annotation)

    @property
    def hidden_suggestions(self) -> frozenset[str]:
        """Labels whose suggestions are not shown."""
        return self._hidden_suggestions

    def set_hidden_suggestions(self, labels: Iterable[str]) -> None:
        """Hide the suggestions of ``labels`` (and show every other label's)."""
        hidden = frozenset(labels)
        if hidden == self._hidden_suggestions:
            return
        self._hidden_suggestions = hidden
        self._rebuild_index()
        self._strips.clear()
        self.refresh()

    @property
    def suggestion_count(self) -> int:
        """Suggested spans shown in this document."""
        return len(self._suggested)

    def suggestion_after(self, offset: int) -> Annotation | None:
        """The first shown suggestion starting after ``offset``."""
        return self._suggested.next_after(offset)

    def suggestion_before(self, offset: int) -> Annotation | None:
        """The last shown suggestion starting before ``offset``."""
        return self._suggested.previous_before(offset)

    def suggestions_within(self, start: int, end: int) -> list[Annotation]:
        """Shown suggestions lying wholly inside ``[start, end)``, in reading order."""
        return [a for a in self._suggested.overlapping(start, end) if start <= a.start and a.end <= end]

    def has_suggestion_within(self, start: int, end: int) -> bool:
        """Whether any does: a few bisections, however long the selection."""
        found = self._suggested.next_after(start - 1)
        while found is not None and found.start < end:
            if found.end <= end:
                return True
            found = self._suggested.next_after(found.start)
        return False

    def marked(self, start: int, end: int, label: str) -> bool:
        """Whether a shown span with ``label`` overlaps ``[start, end)``."""
        return any(a.label == label for a in self._index.overlapping(start, end))
