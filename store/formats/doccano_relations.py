"""doccano's relation-extraction layout: ``entities`` with ids, and ``relations``
that link them by ``from_id``/``to_id`` with a ``type``.

A doccano project reads one layout: a sequence-labelling project the ``label``
lists, a relation-extraction project the ``entities``/``relations`` objects. An
export file therefore keeps to one layout: ``label`` lists while no document has a
relation, and the entities layout for the whole file as soon as one has. The
lines are held in a spooled temporary file (on disk past ``SPOOL_BYTES``) until
the layout is known, so memory stays flat whatever the export's size.

Entity and relation ids are numbered from 0 on each line, as doccano's own
import example numbers them; doccano gives them new ids of its own on import. A
relation is written on the line of the annotator whose spans both its ends are;
one between two annotators' spans has no line to go on and is left out.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from ..errors import FormatError
from ..model import DocumentRecord, RelationRecord, SpanRecord
from ..names import quoted
from .common import json_line

ENTITIES = "entities"
RELATIONS = "relations"
LABEL = "label"
SPOOL_BYTES = 8 * 1024 * 1024

SpanKey = tuple[int, int, str]


def _entity_id(value: Any) -> bool:
    return (type(value) is int) or isinstance(value, str)


def _entity_indexes(record: dict, keys: tuple[str, ...], name: str, line: int) -> dict[Any, int]:
    """Each entity id → the position of its span among the record's spans, walking
    the span keys in the order the reader does."""
    indexes: dict[Any, int] = {}
    position = 0
    for key in keys:
        items = record.get(key)
        if not isinstance(items, list):
            continue
        if key == ENTITIES:
            for offset, item in enumerate(items):
                entity = item.get("id") if isinstance(item, dict) else None
                if entity is None:
                    continue
                if not _entity_id(entity):
                    raise FormatError(name, line, f"entity id {quoted(entity)} must be a number or a string")
                if entity in indexes:
                    raise FormatError(name, line, f"two entities have the id {quoted(entity)}")
                indexes[entity] = position + offset
        position += len(items)
    return indexes


def read_relations(
    record: dict, keys: tuple[str, ...], spans: list[SpanRecord], name: str, line: int
) -> list[RelationRecord]:
    """The record's ``relations``, as positions in ``spans``; a relation naming an
    entity the record lacks is an error, so nothing is stored linked to nothing."""
    items = record.get(RELATIONS)
    if items is None:
        return []
    if not isinstance(items, list):
        raise FormatError(name, line, f'"{RELATIONS}" must be a list, found {type(items).__name__}')
    indexes = _entity_indexes(record, keys, name, line)
    relations = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise FormatError(name, line, f"relation {number} must be an object, found {type(item).__name__}")
        kind = item.get("type")
        if not isinstance(kind, str) or not kind:
            raise FormatError(name, line, f'relation {number} has no "type" (a string)')
        ends = []
        for key in ("from_id", "to_id"):
            entity = item.get(key)
            if not _entity_id(entity) or entity not in indexes:
                raise FormatError(
                    name, line, f"relation {number} ({quoted(kind)}): {key} {quoted(entity)} names no entity "
                    "of this record"
                )
            ends.append(indexes[entity])
        head, child = ends
        relations.append(RelationRecord(head=head, child=child, type=kind, annotator=spans[head].annotator))
    return relations


def line_relations(
    record: DocumentRecord, keys: dict[int, SpanKey]
) -> list[tuple[SpanKey, SpanKey, str]]:
    """The relations whose both ends are among one line's spans (``keys``: the
    position of each of its spans in ``record.spans`` → its place as written), each
    once."""
    found: dict[tuple[SpanKey, SpanKey, str], None] = {}
    for relation in record.relations:
        head, child = keys.get(relation.head), keys.get(relation.child)
        if head is not None and child is not None and head != child:
            found[(head, child, relation.type)] = None
    return list(found)


def as_entities(line: dict, relations: Iterable[tuple[SpanKey, SpanKey, str]]) -> dict:
    """A line written with ``label`` lists, in the entities layout instead (the
    entities take the place of ``label``, so the keys keep their order)."""
    ids: dict[SpanKey, int] = {}
    converted: dict[str, Any] = {}
    for key, value in line.items():
        if key != LABEL:
            converted[key] = value
            continue
        entities: list[dict[str, Any]] = []
        for start, end, label in value:
            ids[(start, end, label)] = len(entities)
            entities.append({"id": len(entities), "start_offset": start, "end_offset": end, "label": label})
        converted[ENTITIES] = entities
        converted[RELATIONS] = [
            {"id": number, "from_id": ids[head], "to_id": ids[child], "type": kind}
            for number, (head, child, kind) in enumerate(relations)
        ]
    return converted


class LayoutWriter:
    """Writes lines in ``label`` lists until a line has relations, then rewrites
    what it held back, and everything after, in the entities layout."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.entities = False
        self.spool: IO[str] | None = tempfile.SpooledTemporaryFile(
            SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass", newline="\n"
        )

    def write(self, line: dict, relations: list[tuple[SpanKey, SpanKey, str]]) -> None:
        if not self.entities and relations:
            self._switch()
        if self.entities:
            self.out.write(json_line(as_entities(line, relations)))
        else:
            assert self.spool is not None
            self.spool.write(json_line(line))

    def _switch(self) -> None:
        assert self.spool is not None
        self.spool.seek(0)
        for held in self.spool:
            self.out.write(json_line(as_entities(json.loads(held), ())))
        self.spool.close()
        self.spool = None
        self.entities = True

    def close(self) -> None:
        if self.spool is None:
            return
        self.spool.seek(0)
        for held in self.spool:
            self.out.write(held)
        self.spool.close()
        self.spool = None
