"""The annotation panel: this document's annotations in reading order, filtered by
label, each with its quote, note and annotator; choosing one jumps to it.

The annotations are kept sorted by (start, longest first, id); a change finds its
place by bisection and only visible entries are drawn, so a book with ten thousand
annotations updates as fast as an article with ten. The highlight follows the reader's
cursor the same way: a bisection per key, never a scan.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Hashable, Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Select

from margin.store.model import Annotation, Label

from ..compat import set_border_title
from ..text.sanitise import one_line, sanitise, shorten
from .lazy_list import LazyList

SortKey = tuple[int, int, str]

NO_COLOR = "#888888"
FAR = 1 << 62
"""Past any offset: ``(offset, -FAR, "")`` sorts before every key starting at offset."""
CONTEXT_WORDS = 5
"""Words of the text shown on either side of a quote, as far as the width allows
(from the span's stored prefix and suffix, so no document text is needed)."""


def reading_order(annotation: Annotation) -> SortKey:
    """Where an annotation stands in the panel: by start, the longest first."""
    return (annotation.start, -annotation.end, annotation.id)


def _fit(text: str, cells: int, *, keep_end: bool) -> str:
    """The start (or with ``keep_end`` the end) of ``text`` that fits ``cells``, with
    an ellipsis where it was cut; one pass over the characters it keeps."""
    if cell_len(text) <= cells:
        return text
    if cells <= 0:
        return ""
    kept: list[str] = []
    room = cells - 1
    for character in reversed(text) if keep_end else text:
        room -= cell_len(character)
        if room < 0:
            break
        kept.append(character)
    if keep_end:
        return "…" + "".join(reversed(kept))
    return "".join(kept) + "…"


def context_line(annotation: Annotation, width: int) -> Text:
    """The quote on one line with a few words of the text before and after it, dim,
    so that two spans quoting the same word can be told apart. The words come from the
    span's own prefix and suffix (stored with it, as a W3C TextQuoteSelector has them)."""
    prefix, suffix = annotation.prefix, annotation.suffix
    words = one_line(sanitise(prefix)).split(" ") if prefix.strip() else []
    if words and annotation.start > len(prefix) and not prefix[0].isspace():
        words = words[1:]  # the stored prefix began inside a word
    before = " ".join(words[-CONTEXT_WORDS:])
    words = one_line(sanitise(suffix)).split(" ") if suffix.strip() else []
    if words and not suffix[-1].isspace():
        words = words[:-1]  # and the suffix may end inside one
    after = " ".join(words[:CONTEXT_WORDS])
    if before and prefix[-1].isspace():
        before += " "
    if after and suffix[0].isspace():
        after = " " + after
    quote = f"“{shorten(annotation.quote, max(1, width - 2))}”"
    room = max(0, width - cell_len(quote))
    before = _fit(before, max(room // 2, room - cell_len(after)), keep_end=True)
    after = _fit(after, room - cell_len(before), keep_end=False)
    line = Text(before, style="dim")
    line.append(quote)
    line.append(after, style="dim")
    return line


def annotation_lines(annotation: Annotation, color: str, width: int) -> list[Text]:
    """Three lines: label, annotator and status (if not accepted); the quote in a few
    words of context; the note, if any."""
    heading = Text()
    heading.append("■ ", style=color)
    heading.append(sanitise(annotation.label), style="bold")
    heading.append(f" · {sanitise(annotation.annotator)}", style="dim")
    if annotation.status != "accepted":
        heading.append(f" · {annotation.status}", style="italic")
    quote = context_line(annotation, width)
    note = Text(f"✎ {shorten(annotation.note, max(1, width - 2))}", style="italic") if annotation.note else Text()
    return [heading, quote, note]


class AnnotationRows(LazyList):
    """The entries of an `AnnotationPanel`, three lines each."""

    HELP_TITLE = "Annotation panel"

    ROW_HEIGHT = 3

    def __init__(self, panel: AnnotationPanel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panel = panel

    def row_key(self, index: int) -> Hashable:
        return self.panel.shown_keys[index]

    def render_row(self, index: int, width: int) -> list[Text]:
        annotation = self.panel.annotation_at(index)
        return annotation_lines(annotation, self.panel.label_colors.get(annotation.label, NO_COLOR), width)


class AnnotationPanel(Vertical):
    """Annotations of the document in the active reader.

    | key | action |
    |---|---|
    | up / down, k / j | move |
    | enter | jump to the span in the reader |
    | f | next label filter |
    | escape | back to the reader |
    """

    HELP_TITLE = "Annotation panel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_filter", "Filter", id="annotations.filter"),
        Binding("escape", "leave", "Back", id="annotations.leave", show=False),
    ]

    class Chosen(Message):
        """The user chose an annotation: the reader should go to it."""

        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    class Left(Message):
        """The user is done with the panel."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels: list[Label] = []
        self.label_colors: dict[str, str] = {}
        self.keys: list[SortKey] = []
        """Every annotation's sort key, in reading order."""
        self.shown_keys: list[SortKey] = self.keys
        """The keys the label filter lets through (the same list when it is off)."""
        self._by_id: dict[str, Annotation] = {}
        # Kept, not queried: a timer may update the panel while the app is closing.
        self.label_filter: Select[str] = Select([], prompt="All labels", id="label-filter", compact=True)
        self.rows = AnnotationRows(self, id="annotation-options")

    def compose(self) -> ComposeResult:
        yield self.label_filter
        yield self.rows

    def focus(self, scroll_visible: bool = True) -> AnnotationPanel:
        self.rows.focus(scroll_visible)
        return self

    # -- data -------------------------------------------------------------------------

    def show(self, annotations: Iterable[Annotation], labels: Sequence[Label]) -> None:
        """Replace the list with a document's annotations, keeping the label filter and,
        if it is among them, the highlighted annotation."""
        highlighted = self.highlighted_key
        self.set_labels(labels)
        self._by_id = {annotation.id: annotation for annotation in annotations}
        self.keys = sorted(reading_order(annotation) for annotation in self._by_id.values())
        kept = self._by_id.get(highlighted[2]) if highlighted is not None else None
        self._apply_filter(reading_order(kept) if kept is not None else None, position=0)

    def follow(self, offset: int, under: Sequence[Annotation] = ()) -> None:
        """Highlight the span under the reader's cursor (``under``, innermost first),
        else the first that starts after it, and scroll it into view: a bisection, so a
        held motion key stays as fast in a book with ten thousand spans."""
        keys = self.shown_keys
        if not keys:
            return
        current = self.rows.highlighted
        if current is not None and current < len(keys) and keys[current][2] in {a.id for a in under}:
            return  # already on one of them: the one chosen in the panel stays chosen
        for annotation in under:
            held = self._by_id.get(annotation.id)
            if held is None:
                continue
            key = reading_order(held)
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                break
        else:
            index = min(bisect_left(keys, (offset, -FAR, "")), len(keys) - 1)
        self.rows.highlighted = index

    def set_labels(self, labels: Sequence[Label]) -> None:
        """The labels changed: the filter's choices and the colours follow."""
        labels = list(labels)
        if [label.name for label in labels] != [label.name for label in self.labels]:
            selected = self.label_filter.value
            self.label_filter.set_options((label.name, label.name) for label in labels)
            if selected in {label.name for label in labels}:
                self.label_filter.value = selected
        colors = {label.name: label.color for label in labels}
        if colors != self.label_colors:
            self.label_colors = colors
            self.rows.clear_cache()
        self.labels = labels

    def upsert(self, annotation: Annotation) -> None:
        """Add one annotation or replace it (a deleted one is removed); the highlight
        stays on the annotation it was on."""
        if annotation.deleted:
            self.remove_annotation(annotation.id)
            return
        highlighted = self.highlighted_key
        old = self._take(annotation.id)
        self._by_id[annotation.id] = annotation
        key = reading_order(annotation)
        insort(self.keys, key)
        if self.shown_keys is not self.keys and self._passes(annotation):
            insort(self.shown_keys, key)
        if highlighted is not None and highlighted == old:
            highlighted = key
        moved = [bisect_left(self.shown_keys, each) for each in (old, key) if each is not None]
        self._rows_changed(highlighted, changed_from=min(moved))

    def remove_annotation(self, annotation_id: str) -> None:
        """Take one annotation out; the highlight stays where it was, or moves to the
        next one if it was on this."""
        highlighted = self.highlighted_key
        removed = self._take(annotation_id)
        if removed is None:
            return
        changed_from = bisect_left(self.shown_keys, removed)
        if highlighted == removed:
            self._rows_changed(None, position=self.rows.highlighted, changed_from=changed_from)
        else:
            self._rows_changed(highlighted, changed_from=changed_from)

    def _take(self, annotation_id: str) -> SortKey | None:
        """Remove ``annotation_id`` from the lists; its old key, or None."""
        annotation = self._by_id.pop(annotation_id, None)
        if annotation is None:
            return None
        key = reading_order(annotation)
        lists = (self.keys,) if self.shown_keys is self.keys else (self.keys, self.shown_keys)
        for keys in lists:
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                del keys[index]
        self.rows.forget_row(key)
        return key

    # -- reading it -------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.keys)

    @property
    def count(self) -> int:
        """Annotations the label filter lets through."""
        return len(self.shown_keys)

    @property
    def shown(self) -> list[Annotation]:
        """The annotations the filter lets through, in order (a new list: for tests and
        small documents, not for every key)."""
        return [self._by_id[key[2]] for key in self.shown_keys]

    def annotation_at(self, index: int) -> Annotation:
        """The ``index``-th annotation the filter lets through."""
        return self._by_id[self.shown_keys[index][2]]

    @property
    def highlighted_key(self) -> SortKey | None:
        index = self.rows.highlighted
        return self.shown_keys[index] if index is not None and index < len(self.shown_keys) else None

    @property
    def highlighted_annotation(self) -> Annotation | None:
        key = self.highlighted_key
        return self._by_id[key[2]] if key is not None else None

    # -- filtering --------------------------------------------------------------------

    def _passes(self, annotation: Annotation) -> bool:
        wanted = self.label_filter.value
        return wanted == Select.NULL or annotation.label == wanted

    def _apply_filter(self, highlighted: SortKey | None = None, *, position: int | None = None) -> None:
        """Rebuild the shown keys from the filter (only when the filter or the whole list
        changes), the highlight on ``highlighted`` if shown, else at ``position``."""
        if self.label_filter.value == Select.NULL:
            self.shown_keys = self.keys
        else:
            self.shown_keys = [each for each in self.keys if self._passes(self._by_id[each[2]])]
        self._rows_changed(highlighted, position=position)

    def _rows_changed(
        self, highlighted: SortKey | None, *, position: int | None = None, changed_from: int | None = None
    ) -> None:
        """Show the current keys with the highlight on ``highlighted``, if still shown,
        else at ``position``; rows before ``changed_from`` are as they were."""
        if highlighted is not None:
            index = bisect_left(self.shown_keys, highlighted)
            if index < len(self.shown_keys) and self.shown_keys[index] == highlighted:
                position = index
        self.rows.set_row_count(len(self.shown_keys), position, changed_from=changed_from)
        count, total = self.count, self.total
        set_border_title(self, f"Annotations {total}" if count == total else f"Annotations {count}/{total}")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._apply_filter(self.highlighted_key)

    # -- choosing ---------------------------------------------------------------------

    def on_lazy_list_row_chosen(self, event: LazyList.RowChosen) -> None:
        event.stop()
        if 0 <= event.index < len(self.shown_keys):
            self.post_message(self.Chosen(self.annotation_at(event.index)))

    def action_cycle_filter(self) -> None:
        names = [label.name for label in self.labels]
        current = self.label_filter.value
        if current == Select.NULL:
            self.label_filter.value = names[0] if names else Select.NULL
        else:
            index = names.index(current) + 1 if current in names else len(names)
            self.label_filter.value = names[index] if index < len(names) else Select.NULL

    def action_leave(self) -> None:
        self.post_message(self.Left())
