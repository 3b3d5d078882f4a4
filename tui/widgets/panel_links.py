"""The lines under a span in the annotation panel: its attribute values ("verdict:
unverifiable") and its links ("said by → Adrienne Watson", "← said by: “Watson's
quote…”"), one row each, so that the panel's cursor can rest on a link to follow it
(enter) or undo it (x).

A link row's key sorts right after its span's key (the span's key, then the kind of
row and what names it), so the panel keeps every row, spans and lines under them, in
one sorted list and finds any of them by bisection. The rows come from the
document's `LinkIndex`; only the spans a change touches have theirs made again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from margin.store.model import Annotation, Relation

from ..text.links import LinkIndex
from ..text.sanitise import sanitise, shorten

SPAN_LINES = 3
"""Lines of a span's own row; a link or value row is one."""
ATTRIBUTE_ROW = "a"
RELATION_ROW = "r"


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One line under span ``owner``: a value of it, or a link to ``other``."""

    owner: str
    relation: Relation | None = None
    other: Annotation | None = None
    attribute: tuple[str, str] | None = None
    """(name, value)."""


def is_span_key(key: tuple) -> bool:
    return len(key) == 3


def link_rows(
    annotation: Annotation, span_key: tuple[int, int, str], links: LinkIndex, shown: dict[str, Annotation],
) -> list[tuple[tuple, LinkRow]]:
    """The rows under ``annotation``: values by name, then links in the order made,
    each to a span the panel shows (``shown``)."""
    rows: list[tuple[tuple, LinkRow]] = []
    for name, value in sorted(links.values(annotation.id).items()):
        rows.append(((*span_key, ATTRIBUTE_ROW, name, value), LinkRow(annotation.id, attribute=(name, value))))
    for relation in links.of(annotation.id):
        other = shown.get(relation.child if relation.head == annotation.id else relation.head)
        if other is not None:
            key = (*span_key, RELATION_ROW, relation.created_at, relation.id)
            rows.append((key, LinkRow(annotation.id, relation=relation, other=other)))
    return rows


def type_words(name: str) -> str:
    """A relation type as words: ``said_by`` reads "said by"."""
    return sanitise(name).replace("_", " ")


def link_line(row: LinkRow, width: int, colors: dict[str, str]) -> Text:
    """The row's one line, indented under its span; quotes cut to the width."""
    line = Text("  ")
    if row.attribute is not None:
        name, value = row.attribute
        line.append(f"{sanitise(name)}: ", style="dim")
        line.append(shorten(value, max(1, width - len(name) - 4)), style="bold")
        return line
    relation, other = row.relation, row.other
    assert relation is not None and other is not None
    kind = type_words(relation.type)
    outgoing = relation.head == row.owner
    line.append(f"{kind} → " if outgoing else f"← {kind}: ", style="dim")
    line.append("■ ", style=colors.get(other.label, "#888888"))
    room = max(1, width - line.cell_len - 2)
    line.append(f"“{shorten(other.quote, room)}”" if not outgoing else shorten(other.quote, room + 2))
    return line
