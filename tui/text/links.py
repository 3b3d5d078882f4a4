"""One document's relations and attribute values, by annotation id.

The reader asks on every cursor move which spans are the partners of the span under
the cursor, and on every painted row whether a span is linked; the panel asks for a
span's links and values when it draws its row. Each is a dictionary lookup here, so
nothing on a key's path grows with the number of spans or links. The index is read
once per document opened (``store.relations.document_relations``,
``store.attributes.document_attributes``) and kept up to date one row at a time.

A relation whose own row is live is held; whether it shows also depends on both its
ends being shown, which the caller knows (``shown`` below): deleting a span tombstones
its relations in the store, and undoing the delete restores exactly those, so the
index and the database agree without reading the relations again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from margin.store.model import Attribute, Relation


class LinkIndex:
    """Relations by id and by either end, and values by annotation and name."""

    def __init__(
        self, relations: Iterable[Relation] = (), attributes: dict[str, dict[str, str]] | None = None
    ) -> None:
        self._relations: dict[str, Relation] = {}
        self._by_span: dict[str, dict[str, None]] = {}
        """Annotation id → ids of the relations it is an end of, in the order made."""
        self._values: dict[str, dict[str, str]] = {name: dict(values) for name, values in (attributes or {}).items()}
        for relation in relations:
            self.apply_relation(relation)

    def __len__(self) -> int:
        return len(self._relations)

    # -- changes -----------------------------------------------------------------

    def apply_relation(self, relation: Relation) -> set[str]:
        """Take in a relation row as it now stands; the annotation ids whose links
        changed (both ends, old and new)."""
        old = self._relations.pop(relation.id, None)
        touched = {relation.head, relation.child}
        if old is not None:
            touched |= {old.head, old.child}
            for end in (old.head, old.child):
                held = self._by_span.get(end)
                if held is not None:
                    held.pop(old.id, None)
                    if not held:
                        del self._by_span[end]
        if relation.deleted_at is None and relation.status != "rejected":
            self._relations[relation.id] = relation
            for end in (relation.head, relation.child):
                self._by_span.setdefault(end, {})[relation.id] = None
        elif old is None:
            return set()
        return touched

    def apply_attribute(self, attribute: Attribute) -> bool:
        """Take in an attribute row as it now stands; whether the shown value changed."""
        values = self._values.get(attribute.annotation_id, {})
        before = values.get(attribute.name)
        after = None if attribute.deleted_at is not None else attribute.value
        if before == after:
            return False
        if after is None:
            values.pop(attribute.name, None)
        else:
            values[attribute.name] = after
        if values:
            self._values[attribute.annotation_id] = values
        else:
            self._values.pop(attribute.annotation_id, None)
        return True

    def set_values(self, annotation_id: str, values: dict[str, str]) -> None:
        """A span's values as read again (its delete was undone)."""
        if values:
            self._values[annotation_id] = dict(values)
        else:
            self._values.pop(annotation_id, None)

    # -- reading -----------------------------------------------------------------

    def get(self, relation_id: str) -> Relation | None:
        return self._relations.get(relation_id)

    def of(self, annotation_id: str, shown: Callable[[str], bool] | None = None) -> list[Relation]:
        """The relations ``annotation_id`` is an end of, in the order made; with
        ``shown``, only those whose other end it accepts."""
        found = [self._relations[relation_id] for relation_id in self._by_span.get(annotation_id, ())]
        if shown is None:
            return found
        return [r for r in found if shown(r.child if r.head == annotation_id else r.head)]

    def partners(self, annotation_id: str) -> set[str]:
        """The other ends of ``annotation_id``'s relations."""
        return {
            relation.child if relation.head == annotation_id else relation.head
            for relation in self.of(annotation_id)
        }

    def linked(self, annotation_id: str, shown: Callable[[str], bool]) -> bool:
        """Whether the span has a relation whose other end ``shown`` accepts."""
        for relation_id in self._by_span.get(annotation_id, ()):
            relation = self._relations[relation_id]
            if shown(relation.child if relation.head == annotation_id else relation.head):
                return True
        return False

    def values(self, annotation_id: str) -> dict[str, str]:
        """The span's attribute values, name → value (empty when it has none)."""
        return self._values.get(annotation_id, {})
