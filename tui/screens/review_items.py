"""How the review screen shows a disagreement: a span cluster's versions, or a
relation or attribute the annotators differ on.

Apart from the screen so that it stays about keys and moving; everything here is
plain Rich ``Text`` built from sanitised data, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from margin.store import review
from margin.store.model import Annotation
from margin.store.review import Review, Span
from margin.store.review_links import AttributeItem, LinkItem, RelationItem

from ..text.sanitise import sanitise, shorten

QUOTE_CHARS = 40
CONTEXT_CHARS = 280


def in_context(text: str, start: int, end: int) -> Text:
    before = max(0, start - CONTEXT_CHARS)
    after = min(len(text), end + CONTEXT_CHARS)
    return Text.assemble(
        ("…" if before else "", "dim"),
        (sanitise(text[before:start]), "dim"),
        (sanitise(text[start:end]), "bold reverse"),
        (sanitise(text[end:after]), "dim"),
        ("…" if after < len(text) else "", "dim"),
    )

def version_column(
    number: int, name: str, spans: list[Annotation], colours: dict[str, str]
) -> VerticalScroll:
    body = Text()
    for annotation in spans:
        body.append(sanitise(annotation.label), style=f"bold {colours.get(annotation.label, '')}".strip())
        body.append(f"  {annotation.start}–{annotation.end}\n", style="dim")
        body.append(f"“{sanitise(annotation.quote)}”\n", style="italic")
        if annotation.note:
            body.append(f"note: {sanitise(annotation.note)}\n", style="dim")
        body.append("\n")
    if not spans:
        body.append("(no span here)", style="dim italic")
    column = VerticalScroll(Static(body), classes="version")
    column.border_title = Text(f"{number} · {sanitise(name)}")
    return column

def describe_cluster(decided: review.Review | None, count: int) -> str:
    if decided is None:
        return f"Open: 1–{count} adopt a version, e edit, x reject."
    if decided.decision == "adopted":
        what = f"adopted {sanitise(decided.adopted_from or '')}'s version"
    else:
        what = decided.decision
    return f"Settled by {sanitise(decided.reviewer)}: {what} ({len(decided.result_ids)} span(s) kept)."


def quoted(text: str, span: Span) -> str:
    """``claim “the tariff cut…”``: a span as a label and a few words."""
    start, end, label = span
    return f"{sanitise(label)} “{shorten(text[start:end], QUOTE_CHARS)}”"


def _value(value: str | None) -> str:
    return "(none)" if value is None else sanitise(value)


def answers(item: LinkItem) -> list[tuple[str, str]]:
    """(annotator, what they said) in column order: yes/no, or a value."""
    if isinstance(item, RelationItem):
        return [(name, "yes" if relation is not None else "no") for name, relation in item.made.items()]
    return [(name, _value(value)) for name, value in item.values.items()]


def headline(item: LinkItem, text: str) -> str:
    """``claim “…” — said_by → person “Adrienne Watson”: ana yes, ben no``."""
    said = ", ".join(f"{sanitise(name)} {answer}" for name, answer in answers(item))
    if isinstance(item, RelationItem):
        return f"{quoted(text, item.head)} — {sanitise(item.type)} → {quoted(text, item.child)}: {said}"
    return f"{quoted(text, item.span)} — {sanitise(item.name)}: {said}"


def item_column(number: int, name: str, item: LinkItem, text: str) -> VerticalScroll:
    """One annotator's version of the item, numbered like a span version."""
    body = Text()
    if isinstance(item, RelationItem):
        relation = item.made[name]
        body.append("linked\n" if relation is not None else "not linked\n", style="bold")
        body.append(f"{quoted(text, item.head)}\n", style="italic")
        body.append(f"  {sanitise(item.type)} →\n", style="dim")
        body.append(f"{quoted(text, item.child)}\n", style="italic")
        if relation is not None and relation.note:
            body.append(f"note: {sanitise(relation.note)}\n", style="dim")
    else:
        body.append(f"{sanitise(item.name)}: ", style="dim")
        body.append(_value(item.values[name]), style="bold")
    column = VerticalScroll(Static(body), classes="version")
    column.border_title = Text(f"{number} · {sanitise(name)}")
    return column


def open_hint(item: LinkItem) -> str:
    count = len(item.annotators)
    if isinstance(item, RelationItem):
        return f"Open: 1–{count} take that annotator's version, k keep the relation, x drop it."
    return f"Open: 1–{count} take that annotator's value, x keep no value."


def settled_line(decided: Review, item: LinkItem) -> str:
    who = sanitise(decided.reviewer)
    source = sanitise(decided.adopted_from or "")
    if isinstance(item, RelationItem):
        what = f"kept (as {source} made it)" if decided.decision == "kept" else "dropped"
    elif isinstance(item, AttributeItem) and decided.decision == "chosen":
        what = f"took {source}'s value {_value(item.values.get(decided.adopted_from or ''))}"
    else:
        what = "no value kept"
    return f"Settled by {who}: {what}."
