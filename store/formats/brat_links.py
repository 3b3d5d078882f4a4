"""brat's lines about text-bound spans: relations, equivalences, events, attributes.

Read:

- ``R1<TAB>Type Arg1:T1 Arg2:T2`` is a relation from Arg1 (the head) to Arg2;
  an ``AnnotatorNotes`` line on it is its note, an ``Annotator`` line its annotator.
- ``*<TAB>Type T1 T2 T3`` (an equivalence) becomes relations of an undirected type
  linking each member to the next (T1–T2, T2–T3); brat's equivalences are symmetric
  and transitive, so the chain says all that the line did.
- ``E1<TAB>Type:T9 Role:T1 Role2:T2`` (an event) becomes a relation from the trigger
  ``T9`` to each argument, the role (without brat's number, ``Theme2`` → ``Theme``)
  as its type; an argument that is an event stands for that event's trigger. One
  warning per file says the event structure was flattened.
- ``A1<TAB>Name T3`` (brat's binary attribute) is a flag, ``A1<TAB>Name T3 Value``
  a value; ``M`` lines are the older spelling of ``A``.
- Attributes on events and relations, notes on events and ``N`` normalisations
  have no place in margin: they are skipped and counted in a warning.

An id that no line of the file defines is an error naming the file and line.

Written: ``R`` lines for directed types, one ``*`` line for each connected group of
an undirected type's relations (in span order), ``A`` lines for values, and
``AnnotatorNotes``/``Annotator`` comments on ``R`` lines. An equivalence line has no
id, so an undirected relation's note and annotator are not written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import FormatError
from ..model import FLAG_VALUE, AttributeDef, DocumentRecord, RelationRecord, RelationType, SpanRecord
from .common import Warn

ANNOTATOR_COMMENT = "Annotator"
_ATTRIBUTE = re.compile(r"(\S+) (\S+)(?: (.+))?$")
_RELATION_ARGUMENT = re.compile(r"(Arg1|Arg2):(\S+)$")


@dataclass(slots=True)
class BratSpan(SpanRecord):
    """A span read from an .ann, with the lines its attributes came from."""

    where: tuple[str, int] | None = None
    attribute_where: dict[str, tuple[str, int]] = field(default_factory=dict)


def split_role(role: str) -> str:
    """brat's role without its number (``Theme2`` → ``Theme``), as brat splits it."""
    end = len(role)
    while end > 1 and role[end - 1].isdigit():
        end -= 1
    return role[:end]


class _Links:
    """The link lines of one .ann, read against its text-bound spans."""

    def __init__(self, ann: str, positions: dict[str, list[int]], spans: Sequence[SpanRecord]) -> None:
        self.ann = ann
        self.positions = positions
        self.spans = spans
        self.events: dict[str, tuple[int, str, list[tuple[str, str]]]] = {}
        self.relations: dict[str, tuple[int, str, str, str]] = {}
        self.others: dict[str, int] = {}
        self.skipped: Counter[str] = Counter()

    def _id(self, ident: str, lineno: int) -> None:
        if ident in self.positions or ident in self.events or ident in self.relations or ident in self.others:
            raise FormatError(self.ann, lineno, f"duplicate id {ident}")

    def parse(self, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Take the ids the lines define; returns the lines read in a second pass."""
        later = []
        for lineno, line in lines:
            fields = line.split("\t")
            ident, data = fields[0], fields[1] if len(fields) > 1 else ""
            kind = ident[:1]
            if kind == "E":
                self._id(ident, lineno)
                try:
                    head, *arguments = data.split()
                    _, trigger = head.split(":")
                    roles = [tuple(argument.split(":")) for argument in arguments]
                    self.events[ident] = (lineno, trigger, [(role, target) for role, target in roles])
                except ValueError:
                    raise FormatError(self.ann, lineno, f"malformed event line {line!r}") from None
            elif kind == "R":
                self._id(ident, lineno)
                parts = data.split()
                matches = [_RELATION_ARGUMENT.match(part) for part in parts[1:]]
                if len(parts) != 3 or not all(matches) or matches[0].group(1) == matches[1].group(1):  # type: ignore[union-attr]
                    raise FormatError(self.ann, lineno, f"malformed relation line {line!r} (Type Arg1:T1 Arg2:T2)")
                ends: dict[str, str] = {match.group(1): match.group(2) for match in matches if match}
                self.relations[ident] = (lineno, parts[0], ends["Arg1"], ends["Arg2"])
            else:
                if kind != "*":
                    self._id(ident, lineno)
                    self.others[ident] = lineno
                later.append((lineno, line))
        return later

    def span_of(self, ident: str, lineno: int, seen: frozenset[str] = frozenset()) -> str:
        """The text-bound id that ``ident`` stands for: itself, or an event's trigger."""
        if ident in self.positions:
            return ident
        if ident in self.events and ident not in seen:
            return self.span_of(self.events[ident][1], self.events[ident][0], seen | {ident})
        what = "an event that triggers itself" if ident in seen else (
            "a relation or attribute, not a span" if ident in self.relations or ident in self.others
            else "not an annotation of this file")
        raise FormatError(self.ann, lineno, f"{ident} is {what}")

    def position(self, ident: str, annotator: str | None) -> int:
        """The span record of ``ident`` made by ``annotator`` (the first when none is)."""
        positions = self.positions[ident]
        return next((p for p in positions if self.spans[p].annotator == annotator), positions[0])


def read_links(
    ann: str,
    lines: list[tuple[int, str]],
    positions: dict[str, list[int]],
    spans: Sequence[SpanRecord],
    notes: dict[str, tuple[int, str]],
    annotators: dict[str, list[str]],
    warn: Warn | None,
) -> list[RelationRecord]:
    """The relations of an .ann; sets attribute values on ``spans``. ``positions``
    maps each T id to its span records (one per annotator), ``notes`` and
    ``annotators`` hold the comments on ids other than T ones."""
    links = _Links(ann, positions, spans)
    later = links.parse(lines)
    relations: list[RelationRecord] = []
    for ident, (lineno, kind, arg1, arg2) in links.relations.items():
        head, child = links.span_of(arg1, lineno), links.span_of(arg2, lineno)
        note = notes.pop(ident, (0, ""))[1]
        names: list[str | None] = list(annotators.pop(ident, [])) or [None]
        for name in dict.fromkeys(names):
            relations.append(RelationRecord(
                links.position(head, name), links.position(child, name), kind, note, name,
                where=(ann, lineno)))
    for lineno, trigger, arguments in links.events.values():
        head = links.span_of(trigger, lineno)
        for role, target in arguments:
            child = links.span_of(target, lineno)
            if child != head:
                relations.append(RelationRecord(
                    links.position(head, None), links.position(child, None), split_role(role), where=(ann, lineno)))
    for lineno, line in later:
        fields = line.split("\t")
        ident, data = fields[0], fields[1] if len(fields) > 1 else ""
        if ident == "*":
            kind, *members = data.split() or ["", ""]
            if len(members) < 2:
                raise FormatError(ann, lineno, f"malformed equivalence line {line!r} (Type T1 T2 …)")
            ends = [links.span_of(member, lineno) for member in members]
            for head, child in zip(ends, ends[1:]):
                if head != child:
                    relations.append(RelationRecord(
                        links.position(head, None), links.position(child, None), kind, directed=False,
                        where=(ann, lineno)))
        elif ident[:1] in "AM":
            _attribute(links, lineno, line, data)
        elif ident[:1] == "N":
            normalised = data.split()[1:2]
            if not normalised:
                raise FormatError(ann, lineno, f"malformed normalisation line {line!r}")
            if normalised[0] not in links.relations:
                links.span_of(normalised[0], lineno)
            links.skipped["normalisation"] += 1
    for ident, (lineno, _) in notes.items():
        if ident in links.events or ident in links.others:
            links.skipped["note on an event or attribute"] += 1
        else:
            raise FormatError(ann, lineno, f"{ident} is not an annotation of this file")
    if warn is not None:
        if links.events:
            warn(f"{ann}: {len(links.events)} event(s) flattened into relations from each trigger to its "
                 "arguments (the role as the type); the event structure itself is not kept")
        if links.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(links.skipped.items()))
            warn(f"{ann}: skipped {kinds} line(s), which margin has no place for")
    return relations


def _attribute(links: _Links, lineno: int, line: str, data: str) -> None:
    match = _ATTRIBUTE.match(data)
    if match is None:
        raise FormatError(links.ann, lineno, f"malformed attribute line {line!r} (Name T1 [Value])")
    name, target, value = match.groups()
    if target in links.events or target in links.relations:
        links.skipped["attribute on an event or relation"] += 1
        return
    links.span_of(target, lineno)
    for position in links.positions[target]:
        span = links.spans[position]
        span.attributes[name] = value if value is not None else FLAG_VALUE
        if isinstance(span, BratSpan):
            span.attribute_where[name] = (links.ann, lineno)


# -- writing ---------------------------------------------------------------------------


def _groups(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of T numbers that an undirected type's pairs link."""
    parent: dict[int, int] = {}

    def root(number: int) -> int:
        while parent.setdefault(number, number) != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for head, child in pairs:
        parent[root(head)] = root(child)
    groups: dict[int, list[int]] = {}
    for number in sorted(parent):
        groups.setdefault(root(number), []).append(number)
    return sorted(groups.values())


def link_lines(
    record: DocumentRecord,
    numbers: Sequence[int],
    comments: int,
    relation_types: dict[str, RelationType],
    attribute_defs: dict[str, AttributeDef],
    escape: Callable[[str], str],
) -> Iterator[str]:
    """The A, R and ``*`` lines (and comments on R lines, numbered on from
    ``comments``) of a document whose span ``i`` is ``T{numbers[i]}``."""
    written: set[tuple[int, str]] = set()
    attributes = 0
    for position, span in enumerate(record.spans):
        for name, value in span.attributes.items():
            if (numbers[position], name) in written:
                continue
            written.add((numbers[position], name))
            attributes += 1
            definition = attribute_defs.get(name)
            flag = value == FLAG_VALUE and (definition is None or definition.kind == "flag")
            # A value holds no line break (store.names refuses them), and brat reads the
            # rest of the line as the value, spaces and all.
            yield f"A{attributes}\t{name} T{numbers[position]}" + ("" if flag else f" {value}") + "\n"
    directed: dict[tuple[str, int, int, str], list[str | None]] = {}
    undirected: dict[str, list[tuple[int, int]]] = {}
    for relation in record.relations:
        head, child = numbers[relation.head], numbers[relation.child]
        if head == child:
            continue  # two annotators' spans brat shows as one: brat refuses a link to itself
        kind = relation_types.get(relation.type)
        if kind is not None and not kind.directed:
            undirected.setdefault(relation.type, []).append((head, child))
        else:
            directed.setdefault((relation.type, head, child, relation.note or ""), []).append(relation.annotator)
    for number, ((kind_name, head, child, note), names) in enumerate(directed.items(), 1):
        yield f"R{number}\t{kind_name} Arg1:T{head} Arg2:T{child}\t\n"
        if note:
            comments += 1
            yield f"#{comments}\tAnnotatorNotes R{number}\t{escape(note)}\n"
        for name in dict.fromkeys(name for name in names if name):
            comments += 1
            yield f"#{comments}\t{ANNOTATOR_COMMENT} R{number}\t{name}\n"
    for kind_name, pairs in undirected.items():
        for group in _groups(pairs):
            yield f"*\t{kind_name} " + " ".join(f"T{number}" for number in group) + "\n"

