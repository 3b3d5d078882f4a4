"""The annotation panel: this document's annotations in reading order, filtered by
label, each with its quote, note and annotator; choosing one jumps to it.

The annotations are kept sorted by (start, longest first, id); a change finds its
place by bisection and only visible entries are drawn, so a book with ten thousand
annotations updates as fast as an article with ten. The highlight follows the reader's
cursor the same way: a bisection per key, never a scan.

Under each span are its attribute values and its links, a line each (``panel_links``,
``panel_rows``): ``enter`` on a link goes to its other end, ``x`` unlinks. They come
from the document's ``LinkIndex``; a change redraws the lines of the spans it touches.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Select

from margin.store.model import Annotation, Label

from ..compat import set_border_title
from ..text.links import LinkIndex
from .lazy_list import LazyList
from .panel_links import LinkRow, is_span_key, link_rows
from .panel_rows import FAR, AnnotationRows, SortKey, annotation_lines, context_line, reading_order

__all__ = ["AnnotationPanel", "AnnotationRows", "annotation_lines", "context_line", "reading_order"]

class AnnotationPanel(Vertical):
    """Annotations of the document in the active reader.

    | key | action |
    |---|---|
    | up / down, k / j | move |
    | enter | jump to the span in the reader (on a link: to its other end) |
    | x, delete | on a link: unlink; on a value: clear it |
    | f | next label filter |
    | escape | back to the reader |
    """

    HELP_TITLE = "Annotation panel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_filter", "Filter", id="annotations.filter"),
        Binding("x,delete", "remove_link", "Unlink", id="annotations.unlink"),
        Binding("escape", "leave", "Back", id="annotations.leave", show=False),
    ]

    class LinkRemoved(Message):
        """The user asked to unlink (or clear the value of) a line under a span."""

        def __init__(self, row: LinkRow, owner: Annotation) -> None:
            super().__init__()
            self.row = row
            self.owner = owner

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
        self.links = LinkIndex()
        self.extra_keys: list[SortKey] = []
        """The keys of the lines under spans, sorted: also in ``keys``."""
        self.shown_extra: list[SortKey] = self.extra_keys
        self.link_rows: dict[SortKey, LinkRow] = {}
        self._extras: dict[str, list[SortKey]] = {}
        """Annotation id → the keys of the lines under it."""
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

    def show(
        self, annotations: Iterable[Annotation], labels: Sequence[Label], links: LinkIndex | None = None,
    ) -> None:
        """Replace the list with a document's annotations, keeping the label filter and,
        if it is among them, the highlighted annotation."""
        highlighted = self.highlighted_key
        self.set_labels(labels)
        self._by_id = {annotation.id: annotation for annotation in annotations}
        self.links = links if links is not None else LinkIndex()
        self.link_rows, self._extras = {}, {}
        keys = [reading_order(annotation) for annotation in self._by_id.values()]
        for annotation, key in zip(list(self._by_id.values()), list(keys), strict=True):
            for extra, row in self._rows_under(annotation, key):
                keys.append(extra)
                self.link_rows[extra] = row
                self._extras.setdefault(annotation.id, []).append(extra)
        self.keys = sorted(keys)
        self.extra_keys = sorted(self.link_rows)
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
        self._insert(key, annotation)
        self._put_rows_under(annotation)
        if highlighted is not None and highlighted == old:
            highlighted = key
        moved = [bisect_left(self.shown_keys, each) for each in (old, key) if each is not None]
        moved += self._redo_rows_under(self.links.partners(annotation.id))
        self._rows_changed(highlighted, changed_from=min(moved))

    def remove_annotation(self, annotation_id: str) -> None:
        """Take one annotation out; the highlight stays where it was, or moves to the
        next one if it was on this."""
        highlighted = self.highlighted_key
        removed = self._take(annotation_id)
        if removed is None:
            return
        changed_from = min([bisect_left(self.shown_keys, removed),
                            *self._redo_rows_under(self.links.partners(annotation_id))])
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
        self._drop_rows_under(annotation_id)
        self._delete(key, extra=False)
        return key

    def _insert(self, key: SortKey, annotation: Annotation, *, extra: bool = False) -> None:
        pairs = [(self.keys, self.shown_keys)] + ([(self.extra_keys, self.shown_extra)] if extra else [])
        for every, shown in pairs:
            insort(every, key)
            if shown is not every and self._passes(annotation):
                insort(shown, key)

    def _delete(self, key: SortKey, *, extra: bool) -> None:
        lists = [self.keys, self.shown_keys] + ([self.extra_keys, self.shown_extra] if extra else [])
        for keys in {id(keys): keys for keys in lists}.values():
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                del keys[index]
        self.rows.forget_row(key)

    # -- the lines under spans (panel_links.py) ---------------------------------------

    def _rows_under(self, annotation: Annotation, key: SortKey) -> list[tuple[SortKey, LinkRow]]:
        return link_rows(annotation, (key[0], key[1], key[2]), self.links, self._by_id)

    def _put_rows_under(self, annotation: Annotation) -> None:
        for extra, row in self._rows_under(annotation, reading_order(annotation)):
            self.link_rows[extra] = row
            self._extras.setdefault(annotation.id, []).append(extra)
            self._insert(extra, annotation, extra=True)

    def _drop_rows_under(self, annotation_id: str) -> None:
        for extra in self._extras.pop(annotation_id, ()):
            self.link_rows.pop(extra, None)
            self._delete(extra, extra=True)

    def _redo_rows_under(self, annotation_ids: Iterable[str]) -> list[int]:
        """Make the lines under these spans again; the first shown row that changed."""
        changed = []
        for annotation_id in annotation_ids:
            annotation = self._by_id.get(annotation_id)
            if annotation is not None:
                self._drop_rows_under(annotation_id)
                self._put_rows_under(annotation)
                changed.append(bisect_left(self.shown_keys, reading_order(annotation)))
        return changed

    def links_changed(self, annotation_ids: Iterable[str]) -> None:
        """The links or values of these spans changed (``LinkIndex`` already has them)."""
        highlighted = self.highlighted_key
        changed = self._redo_rows_under(annotation_ids)
        if changed:
            position = self.rows.highlighted
            self._rows_changed(highlighted, position=position, changed_from=min(changed))

    # -- reading it -------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.keys) - len(self.extra_keys)

    @property
    def count(self) -> int:
        """Annotations the label filter lets through."""
        return len(self.shown_keys) - len(self.shown_extra)

    @property
    def shown(self) -> list[Annotation]:
        """The annotations the filter lets through, in order (a new list: for tests and
        small documents, not for every key)."""
        return [self._by_id[key[2]] for key in self.shown_keys if is_span_key(key)]

    def lines_under(self, annotation_id: str) -> list[LinkRow]:
        """The value and link lines shown under a span, in order."""
        return [self.link_rows[key] for key in self._extras.get(annotation_id, ())]

    @property
    def highlighted_link(self) -> LinkRow | None:
        """The value or link line the highlight is on, if it is on one."""
        key = self.highlighted_key
        return self.link_rows.get(key) if key is not None and not is_span_key(key) else None

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
            self.shown_keys, self.shown_extra = self.keys, self.extra_keys
        else:
            self.shown_keys = [each for each in self.keys if self._passes(self._by_id[each[2]])]
            self.shown_extra = [each for each in self.extra_keys if self._passes(self._by_id[each[2]])]
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
            row = self.link_rows.get(self.shown_keys[event.index])
            other = row.other if row is not None else None
            self.post_message(self.Chosen(other if other is not None else self.annotation_at(event.index)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``x`` on a span (not a line under it) is the screen's: delete the span."""
        if action == "remove_link":
            return self.highlighted_link is not None
        return True

    def action_remove_link(self) -> None:
        row = self.highlighted_link
        owner = self._by_id.get(row.owner) if row is not None else None
        if row is not None and owner is not None:
            self.post_message(self.LinkRemoved(row, owner))

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
