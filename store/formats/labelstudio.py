"""Label Studio JSON: a list of tasks (or one task) with ``data.text`` and results
``{"type": "labels", "value": {start, end, text, labels}}``.

``annotations`` (and the pre-1.0 ``completions``) become accepted spans by their
``completed_by`` (a user id or a user object); ``predictions`` become suggested
spans named by their ``model_version``. A ``textarea`` result sharing a region's id
is that region's note, as Label Studio's per-region text areas store it (or, named
by a control other than the note's, an attribute); per-region ``choices`` are
attributes and ``relation`` results relations (see
:mod:`store.formats.labelstudio_relations`). Other results (whole-task choices,
ratings...) have no place in margin and are counted in one warning per file, so
nothing is dropped unsaid. Cancelled annotations are left out.

Writing streams one task per document, in the shape a Label Studio server imports.
A server takes ``completed_by`` only as the id or email of one of its own users and
refuses anything else, so margin's annotator names cannot go there: annotations are
written without it (the server gives them to the user who imports) and the names go
in the task's ``meta`` under ``margin_annotators``, keyed by annotation id. The server
keeps task ``meta`` and keeps each annotation's id as its ``import_id``, so reading
the server's export back finds each annotation's margin annotator again. Tasks and
annotations carry integer ids derived from the document id, so an export is the same
each time and the converters that need ids (label-studio-sdk's) accept it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..errors import FormatError
from ..model import AttributeDef, DocumentRecord, Label, RelationRecord, RelationType, SpanRecord, document_id
from . import labelstudio_relations as regioning
from .common import (
    Source,
    Warn,
    describe,
    expect_object,
    load_json_document,
    optional_string,
    source_name,
    stable_int,
)
from .labelstudio_config import LABELS_NAME, NOTE_NAME, TEXT_NAME, labelling_config

EXPORT_STATUSES = ("accepted", "suggested")
ANNOTATORS_KEY = "margin_annotators"
ID_BITS = 53
"""Ids stay below 2**53 so JavaScript (Label Studio's editor) reads them exactly; a
collision among a million documents has odds under one in ten thousand."""


def looks_like(record: dict) -> bool:
    return isinstance(record.get("data"), dict)


def _task_text(task: dict, name: str, line: int) -> str:
    data = task.get("data")
    if not isinstance(data, dict):
        raise FormatError(name, line, 'task has no "data" object; nothing from this file was imported')
    text = data.get("text")
    if text is None:
        # An image or audio task holds a URL, which is not an article to read.
        found = ", ".join(f'"{key[:40]}"' for key in list(data)[:5]) or "nothing"
        raise FormatError(
            name, line, 'task has no "data.text"; nothing from this file was imported (margin reads '
            f"text tasks, and this one's data holds {found})"
        )
    if not isinstance(text, str):
        raise FormatError(name, line, '"data.text" must be a string')
    return text


def _annotator(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)


def _spans(
    results: list, annotator: str | None, status: str, skipped: Counter[str]
) -> tuple[list[SpanRecord], list[RelationRecord]]:
    notes: dict[str, str] = {}
    for result in results:
        if result.get("type") == "textarea" and result.get("id") and regioning.is_note(result):
            texts = result["value"].get("text") or []
            notes[result["id"]] = "\n".join(texts) if isinstance(texts, list) else str(texts)
    regions = {result.get("id") for result in results if result.get("type") == "labels"}
    attributes, used = regioning.region_attributes(results, regions, skipped)
    spans: list[SpanRecord] = []
    first: dict[str, int] = {}
    for position, result in enumerate(results):
        kind = result.get("type")
        if kind != "labels":
            kept = position in used or kind == regioning.RELATION or (kind == "textarea" and result.get("id") in regions)
            if not kept:
                skipped[str(kind or "untyped")] += 1
            continue
        value = result["value"]
        if not isinstance(value["labels"], list):
            raise TypeError('"labels" must be a list')
        for label in value["labels"]:
            if result.get("id") is not None:
                first.setdefault(result["id"], len(spans))
            spans.append(
                SpanRecord(
                    start=value["start"],
                    end=value["end"],
                    label=label,
                    text=value.get("text"),
                    note=notes.get(result.get("id"), ""),
                    annotator=annotator,
                    status=status,
                    attributes=dict(attributes.get(result.get("id"), {})),
                )
            )
    return spans, regioning.read_relations(results, first, annotator, status)


def _gather(spans: list[SpanRecord], relations: list[RelationRecord], read: tuple[list, list]) -> None:
    """Add one annotation's spans and relations to the record's, the relations'
    ends moved to where its spans land."""
    found, linked = read
    for relation in linked:
        relation.head += len(spans)
        relation.child += len(spans)
    spans.extend(found)
    relations.extend(linked)


def _margin_annotators(meta: dict) -> dict[str, str]:
    """The annotator names margin's export left in the task's meta (taken out of it,
    since they belong to the annotations, not to the document)."""
    names = meta.pop(ANNOTATORS_KEY, None)
    if not isinstance(names, dict):
        return {}
    return {str(key): value for key, value in names.items() if isinstance(value, str) and value}


def _annotation_key(annotation: dict) -> str | None:
    """The id margin wrote for an annotation: a server's export has it as
    ``import_id`` (its own ``id`` is new, and must not be taken for margin's), margin's
    own file as ``id``."""
    value = annotation["import_id"] if "import_id" in annotation else annotation.get("id")
    return None if value is None or isinstance(value, bool) else str(value)


def _record(task: dict, name: str, line: int, skipped: Counter[str]) -> DocumentRecord:
    text = _task_text(task, name, line)
    data = task["data"]
    meta = dict(task["meta"]) if isinstance(task.get("meta"), dict) else {}
    names = _margin_annotators(meta)
    spans: list[SpanRecord] = []
    relations: list[RelationRecord] = []
    try:
        for key in ("annotations", "completions"):
            for annotation in task.get(key) or []:
                if annotation.get("was_cancelled"):
                    continue
                annotator = names.get(_annotation_key(annotation) or "") or _annotator(annotation.get("completed_by"))
                _gather(spans, relations, _spans(annotation.get("result") or [], annotator, "accepted", skipped))
        for prediction in task.get("predictions") or []:
            if isinstance(prediction, int) and not isinstance(prediction, bool):
                skipped["prediction id"] += 1  # a server's export names its predictions by id
                continue
            _gather(spans, relations, _spans(
                prediction.get("result") or [], _annotator(prediction.get("model_version")), "suggested", skipped
            ))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed result ({describe(error)})") from None
    return DocumentRecord(
        text=text,
        title=optional_string(data, "title", name, line),
        source=optional_string(data, "source", name, line),
        meta=meta,
        spans=spans,
        line=line,
        relations=relations,
    )


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    skipped: Counter[str] = Counter()
    for line, value in load_json_document(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line, skipped)
    if skipped and warn is not None:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.items()))
        warn(
            f"{name}: skipped {kinds} result(s); margin keeps text spans (\"labels\" results), their per-region "
            "choices and text areas, and relations"
        )


def stable_id(*parts: str) -> int:
    """A positive integer id that is the same whenever the same parts are given."""
    return stable_int(*parts, bits=ID_BITS) or 1


def _region_id(span: SpanRecord) -> str:
    """A span's id, which Label Studio needs to pair a region with its note."""
    return span.id or f"{span.start}-{span.end}-{stable_id(span.label, str(span.annotator))}"


def _results(
    spans: list[tuple[int, SpanRecord]], relations: list[RelationRecord], scheme: regioning.Scheme
) -> list[dict]:
    results = []
    regions: dict[int, str] = {}
    for position, span in spans:
        region = regions[position] = _region_id(span)
        results.append(
            {
                "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
                "from_name": LABELS_NAME,
                "to_name": TEXT_NAME,
                "type": "labels",
                "id": region,
            }
        )
        if span.note:
            results.append(
                {
                    "value": {"start": span.start, "end": span.end, "text": [span.note]},
                    "from_name": NOTE_NAME,
                    "to_name": TEXT_NAME,
                    "type": "textarea",
                    "id": region,
                }
            )
        results.extend(regioning.attribute_results(span, region, scheme))
    results.extend(regioning.relation_results(relations, regions, scheme))
    return results


def _task(record: DocumentRecord, scheme: regioning.Scheme) -> dict:
    key = record.id or document_id(record.text)
    by_annotator: dict[tuple[str, str], list[tuple[int, SpanRecord]]] = {}
    for position, span in enumerate(record.spans):
        by_annotator.setdefault((span.status, span.annotator or ""), []).append((position, span))
    annotations, predictions, names = [], [], {}
    for (status, annotator), spans in by_annotator.items():
        number = stable_id(key, status, annotator)
        if status == "suggested":
            predictions.append({"id": number, "model_version": annotator,
                                "result": _results(spans, record.relations, scheme)})
            continue
        if annotator:
            names[str(number)] = annotator
        annotations.append(
            {
                "id": number,
                "result": _results(spans, record.relations, scheme),
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": min(span.created_at or "" for _, span in spans),
                "updated_at": max(span.updated_at or "" for _, span in spans),
            }
        )
    meta = dict(record.meta)
    meta.pop(ANNOTATORS_KEY, None)
    if names:
        meta[ANNOTATORS_KEY] = names
    return {
        "id": stable_id(key),
        "data": {"text": record.text, "title": record.title, "source": record.source},
        "meta": meta,
        "annotations": annotations,
        "predictions": predictions,
    }


def write(
    records: Iterable[DocumentRecord],
    out: IO[str],
    *,
    config: IO[str] | None = None,
    labels: Iterable[Label] = (),
    relation_types: Iterable[RelationType] = (),
    attribute_defs: Iterable[AttributeDef] = (),
) -> None:
    """A JSON array written item by item, so memory does not grow with the export.

    With ``config``, the project's labelling config is written there once the tasks
    are: ``labels`` (the label scheme) and any other label the spans used, and
    likewise the relation types and attributes. ``relation_types`` also say which
    relations are undirected and ``attribute_defs`` each attribute's kind, so they
    are worth giving without a config too."""
    relation_types, attribute_defs = list(relation_types), list(attribute_defs)
    scheme = regioning.Scheme.of(relation_types, attribute_defs)
    used: set[str] = set()
    out.write("[")
    separator = "\n"
    for record in records:
        used.update(span.label for span in record.spans)
        out.write(separator)
        out.write(json.dumps(_task(record, scheme), ensure_ascii=False))
        separator = ",\n"
    out.write("\n]\n")
    if config is not None:
        config.write(labelling_config(
            labels, used, relation_types=relation_types, relation_extra=scheme.used_relations,
            attribute_defs=attribute_defs, attribute_extra=scheme.used_attributes,
        ))
