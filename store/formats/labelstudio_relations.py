"""Relations and span attributes in Label Studio results.

A relation is a result ``{"type": "relation", "from_id", "to_id", "direction",
"labels"}`` between two regions of the same annotation: ``right`` runs from
``from_id`` to ``to_id``, ``left`` the other way, ``bi`` both (margin's undirected
types). One result per pair of regions and direction holds every type linking
them, as Label Studio's editor keeps it. A relation with no labels is of type
``related``, since margin's relations are typed.

An attribute is a per-region result sharing its region's ``id``, named by its
control (``from_name``): a ``choices`` result with one choice (a flag's choice is
the attribute's own name, read back as the flag's value), or a ``textarea``
whose control is not the note's. A ``relation`` naming a region its annotation
lacks is an error with the task's line, so nothing is stored linked to nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import FLAG_VALUE, AttributeDef, RelationRecord, RelationType, SpanRecord
from ..names import quoted
from .labelstudio_config import NOTE_NAME, TEXT_NAME, attribute_name, control_name

RELATION = "relation"
UNTYPED = "related"
DIRECTIONS = ("right", "left", "bi")


def is_note(result: dict) -> bool:
    """A per-region text area that holds the region's note: margin's ``note``
    control, or one that names no control."""
    return result.get("from_name") in (None, NOTE_NAME)


def _one_text(texts: Any) -> str:
    return "\n".join(texts) if isinstance(texts, list) else str(texts)


def region_attributes(results: list, regions: set, skipped: Counter[str]) -> tuple[dict[str, dict[str, str]], set[int]]:
    """Each region's attributes, and the positions of the results they came from
    (a choices result with several choices is counted in ``skipped``: an attribute
    holds one value)."""
    found: dict[str, dict[str, str]] = {}
    used: set[int] = set()
    for position, result in enumerate(results):
        kind, region, control = result.get("type"), result.get("id"), result.get("from_name")
        if region not in regions or not isinstance(control, str):
            continue
        name = attribute_name(control)
        if kind == "textarea" and not is_note(result):
            found.setdefault(region, {})[name] = _one_text(result["value"].get("text") or [])
            used.add(position)
        elif kind == "choices":
            choices = result["value"].get("choices")
            if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
                raise TypeError(f'the "choices" of {quoted(control)} must be a list of strings')
            if len(choices) != 1:
                skipped["choices with several values"] += 1
            else:
                found.setdefault(region, {})[name] = FLAG_VALUE if choices[0] == name else choices[0]
            used.add(position)
    return found, used


def read_relations(
    results: list, first: dict[Any, int], annotator: str | None, status: str
) -> list[RelationRecord]:
    """The relation results among ``results``, as positions in the spans read from
    them (``first``: each region's id → its first span)."""
    relations: list[RelationRecord] = []
    for result in results:
        if result.get("type") != RELATION:
            continue
        ends = []
        for key in ("from_id", "to_id"):
            region = result.get(key)
            if region not in first:
                raise ValueError(f"relation {key} {quoted(region)} names no text region of its annotation")
            ends.append(first[region])
        direction = result.get("direction", "right")
        if direction not in DIRECTIONS:
            raise ValueError(f"relation direction must be one of {', '.join(DIRECTIONS)}, not {quoted(direction)}")
        head, child = (ends[1], ends[0]) if direction == "left" else (ends[0], ends[1])
        labels = result.get("labels") or [UNTYPED]
        if not isinstance(labels, list) or not all(isinstance(label, str) and label for label in labels):
            raise TypeError('a relation\'s "labels" must be a list of names')
        relations.extend(
            RelationRecord(head=head, child=child, type=label, annotator=annotator, status=status,
                           directed=direction != "bi")
            for label in labels
        )
    return relations


@dataclass(slots=True)
class Scheme:
    """What the writer needs of the database's scheme: which relation types are
    undirected, and each attribute's kind. Types and attributes it lacks are
    written as directed relations and choices."""

    undirected: set[str] = field(default_factory=set)
    attributes: dict[str, AttributeDef] = field(default_factory=dict)
    used_relations: set[str] = field(default_factory=set)
    used_attributes: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, relation_types: Iterable[RelationType], attribute_defs: Iterable[AttributeDef]) -> Scheme:
        return cls(
            {kind.name for kind in relation_types if not kind.directed},
            {attribute.name: attribute for attribute in attribute_defs},
        )


def attribute_results(span: SpanRecord, region: str, scheme: Scheme) -> list[dict]:
    results = []
    for name, value in span.attributes.items():
        scheme.used_attributes.setdefault(name, set()).add(value)
        definition = scheme.attributes.get(name)
        kind = definition.kind if definition is not None else "choice"
        where = {"start": span.start, "end": span.end}
        if kind == "text":
            result = {"value": {**where, "text": [value]}, "type": "textarea"}
        else:
            choice = name if kind == "flag" else value
            result = {"value": {**where, "text": span.text, "choices": [choice]}, "type": "choices"}
        results.append({**result, "from_name": control_name(name), "to_name": TEXT_NAME, "id": region})
    return results


def relation_results(
    relations: list[RelationRecord], regions: dict[int, str], scheme: Scheme
) -> list[dict]:
    """Relation results for the relations whose both ends are among one
    annotation's regions (``regions``: position in the record's spans → region id)."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for relation in relations:
        head, child = regions.get(relation.head), regions.get(relation.child)
        if head is None or child is None or head == child:
            continue
        scheme.used_relations.add(relation.type)
        direction = "bi" if relation.type in scheme.undirected else "right"
        labels = grouped.setdefault((head, child, direction), [])
        if relation.type not in labels:
            labels.append(relation.type)
    return [
        {"from_id": head, "to_id": child, "type": RELATION, "direction": direction, "labels": labels}
        for (head, child, direction), labels in grouped.items()
    ]
