"""Relations and span attributes in Prodigy tasks.

Prodigy's relations interface (``rel.manual``) saves a task's relations as
``{"head", "child", "head_span", "child_span", "label"}``: ``head`` and ``child``
are token indexes (the last token of each end's span, its ``token_end``) and
``head_span``/``child_span`` the spans themselves, with character and token
offsets. margin ties each relation to the task's spans by ``head_span``/
``child_span`` (start, end and label), or, in a task written without them, by
the spans' ``token_end``. A relation whose end is not one of the task's spans
(Prodigy lets a relation join bare tokens) is refused with the file and line
rather than stored half-linked.

Prodigy has no span attributes; margin writes them as an ``attributes`` object
on each span, which Prodigy keeps (a task's unknown keys are saved as they come)
but does not show or use, and reads them back.
"""

from __future__ import annotations

from typing import Any

from ..errors import FormatError
from ..model import RelationRecord, SpanRecord
from ..names import quoted

ATTRIBUTES = "attributes"
RELATIONS = "relations"
VIEW = "relations"
SPAN_FIELDS = ("start", "end", "token_start", "token_end", "label")


def span_attributes(span: dict, name: str, line: int) -> dict[str, str]:
    """A span's ``attributes`` (name → value, both strings)."""
    value = span.get(ATTRIBUTES)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise FormatError(name, line, f'a span\'s "{ATTRIBUTES}" must be an object of strings, found {quoted(value)}')
    return dict(value)


def _is_int(value: object) -> bool:
    return type(value) is int


def _by_span(end: Any, spans: list[SpanRecord]) -> list[int]:
    if not isinstance(end, dict):
        return []
    start, stop, label = end.get("start"), end.get("end"), end.get("label")
    places = [i for i, span in enumerate(spans) if span.start == start and span.end == stop]
    if isinstance(label, str):
        return [i for i in places if spans[i].label == label]
    return places


def _by_token(token: Any, task_spans: list, spans: list[SpanRecord]) -> list[int]:
    if not _is_int(token):
        return []
    ends = {
        (item.get("start"), item.get("end"), item.get("label"))
        for item in task_spans if isinstance(item, dict) and item.get("token_end") == token
    }
    return [i for i, span in enumerate(spans) if (span.start, span.end, span.label) in ends]


def _end(relation: dict, side: str, task: dict, spans: list[SpanRecord], name: str, line: int, number: int) -> int:
    given = relation.get(f"{side}_span")
    found = _by_span(given, spans) if given is not None else _by_token(relation.get(side), task.get("spans") or [], spans)
    if len(found) == 1:
        return found[0]
    if isinstance(given, dict):
        where = f"{side}_span {quoted(given.get('start'))}–{quoted(given.get('end'))} ({quoted(given.get('label'))})"
    elif given is not None:
        where = f"{side}_span {quoted(given)}"
    else:
        where = f"{side} token {quoted(relation.get(side))}"
    problem = "is not one of the task's spans" if not found else "matches several of the task's spans"
    raise FormatError(name, line, f"relation {number}: {where} {problem}; margin links spans only")


def read_relations(task: dict, spans: list[SpanRecord], name: str, line: int) -> list[RelationRecord]:
    """The task's relations as positions in ``spans`` (the spans read from it); an
    ignored task's are left out with its spans."""
    items = task.get(RELATIONS)
    if items is None or task.get("answer") == "ignore":
        return []
    if not isinstance(items, list):
        raise FormatError(name, line, f'"{RELATIONS}" must be a list, found {type(items).__name__}')
    relations = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise FormatError(name, line, f"relation {number} must be an object, found {type(item).__name__}")
        kind = item.get("label")
        if not isinstance(kind, str) or not kind:
            raise FormatError(name, line, f'relation {number} has no "label" (a string): margin\'s relations are typed')
        head = _end(item, "head", task, spans, name, line, number)
        child = _end(item, "child", task, spans, name, line, number)
        relations.append(RelationRecord(
            head=head, child=child, type=kind, annotator=spans[head].annotator, status=spans[head].status,
        ))
    return relations


def _end_dict(span: dict[str, Any]) -> dict[str, Any]:
    return {key: span[key] for key in SPAN_FIELDS if key in span}


def written_relations(
    relations: list[RelationRecord], written: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Prodigy's relation entries for the relations whose both ends are among a
    task's spans (``written``: position in the record's spans → the span as
    written). ``head``/``child`` are the ends' last tokens; a span that does not
    fall on token boundaries (or an export without tokens) has none, and its
    relation is written with the spans alone, which margin reads but Prodigy's
    relations interface cannot show."""
    entries = []
    seen: set[tuple[int, int, str]] = set()
    for relation in relations:
        head, child = written.get(relation.head), written.get(relation.child)
        key = (relation.head, relation.child, relation.type)
        if head is None or child is None or key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {}
        if "token_end" in head and "token_end" in child:
            entry["head"], entry["child"] = head["token_end"], child["token_end"]
        entry["head_span"], entry["child_span"] = _end_dict(head), _end_dict(child)
        entry["label"] = relation.type
        entries.append(entry)
    return entries
