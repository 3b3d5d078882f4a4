"""The reader's links: which spans are linked (a mark in the gutter) and which are the
partners of the span under the cursor (drawn bold and underlined, which reads in 16
colours and without colour too).

The partners are looked up in the document's `LinkIndex`, a dictionary by annotation
id, once per cursor move; a painted row asks only whether each of its spans is in
that small set. A mixin of `Reader`.
"""

from __future__ import annotations

from collections.abc import Iterable

from margin.store.model import Attribute, Relation
from margin.tui.text.links import LinkIndex

from .reader_view import ReaderView


class ReaderLinks(ReaderView):
    """Links and partners of the `Reader`."""

    links: LinkIndex
    _partners: frozenset[str]

    def _init_links(self) -> None:
        self.links = LinkIndex()
        self._partners = frozenset()

    def set_links(self, links: LinkIndex) -> None:
        """The document's relations and values, as read when it opened."""
        self.links = links
        self._partners = frozenset()
        self._strips.clear()
        self._update_partners()
        self.refresh()

    def apply_links(self, relations: Iterable[Relation] = (), attributes: Iterable[Attribute] = ()) -> set[str]:
        """Rows as they now stand; the annotation ids whose links or values changed."""
        touched: set[str] = set()
        for relation in relations:
            touched |= self.links.apply_relation(relation)
        for attribute in attributes:
            if self.links.apply_attribute(attribute):
                touched.add(attribute.annotation_id)
        self._refresh_spans(touched)
        self._update_partners()
        return touched

    def shows(self, annotation_id: str) -> bool:
        """Whether the span is drawn (an end of a link shows only while both are)."""
        return annotation_id in self._index

    def is_linked(self, annotation_id: str) -> bool:
        return self.links.linked(annotation_id, self.shows)

    @property
    def partners(self) -> frozenset[str]:
        """The other ends of the links of the spans under the cursor."""
        return self._partners

    def _update_partners(self) -> None:
        """Find the partners of the spans under the cursor; repaint whose look changed."""
        found = frozenset(
            partner
            for annotation in self._index.at(self.cursor)
            for partner in self.links.partners(annotation.id)
            if partner in self._index
        )
        if found != self._partners:
            changed = found ^ self._partners
            self._partners = found
            self._refresh_spans(changed)

    def _links_moved(self, annotation_id: str) -> None:
        """A span came or went: its partners' link marks and the cursor's partners follow."""
        if self.links.linked(annotation_id, lambda _other: True):
            self._refresh_spans(self.links.partners(annotation_id))
        self._update_partners()

    def _refresh_spans(self, annotation_ids: Iterable[str]) -> None:
        for annotation_id in annotation_ids:
            annotation = self._annotations.get(annotation_id)
            if annotation is not None:
                self._refresh_offsets(annotation.start, annotation.end)
