"""Label Studio JSON: a list of tasks (or one task) with ``data.text`` and results
``{"type": "labels", "value": {start, end, text, labels}}``.

``annotations`` (and the pre-1.0 ``completions``) become accepted spans by their
``completed_by``; ``predictions`` become suggested spans named by their
``model_version``. A ``textarea`` result sharing a region's id is that region's
note, as Label Studio's per-region text areas store it. Other results (choices,
relations, ratings...) have no place in margin and are counted in one warning per
file, so nothing is dropped unsaid. Cancelled annotations are left out. Writing
streams one task per document.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..errors import FormatError
from ..model import DocumentRecord, SpanRecord
from .common import (
    Source,
    Warn,
    describe,
    expect_object,
    load_json_document,
    optional_string,
    source_name,
)

EXPORT_STATUSES = ("accepted", "suggested")
FROM_NAME = "label"
NOTE_FROM_NAME = "note"


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


def _spans(results: list, annotator: str | None, status: str, skipped: Counter[str]) -> list[SpanRecord]:
    notes: dict[str, str] = {}
    for result in results:
        if result.get("type") == "textarea" and result.get("id"):
            texts = result["value"].get("text") or []
            notes[result["id"]] = "\n".join(texts) if isinstance(texts, list) else str(texts)
    regions = {result.get("id") for result in results if result.get("type") == "labels"}
    spans = []
    for result in results:
        if result.get("type") != "labels":
            if not (result.get("type") == "textarea" and result.get("id") in regions):
                skipped[str(result.get("type") or "untyped")] += 1
            continue
        value = result["value"]
        if not isinstance(value["labels"], list):
            raise TypeError('"labels" must be a list')
        for label in value["labels"]:
            spans.append(
                SpanRecord(
                    start=value["start"],
                    end=value["end"],
                    label=label,
                    text=value.get("text"),
                    note=notes.get(result.get("id"), ""),
                    annotator=annotator,
                    status=status,
                )
            )
    return spans


def _record(task: dict, name: str, line: int, skipped: Counter[str]) -> DocumentRecord:
    text = _task_text(task, name, line)
    data = task["data"]
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    spans: list[SpanRecord] = []
    try:
        for key in ("annotations", "completions"):
            for annotation in task.get(key) or []:
                if annotation.get("was_cancelled"):
                    continue
                spans.extend(_spans(
                    annotation.get("result") or [], _annotator(annotation.get("completed_by")), "accepted", skipped
                ))
        for prediction in task.get("predictions") or []:
            if isinstance(prediction, int) and not isinstance(prediction, bool):
                skipped["prediction id"] += 1  # a server's export names its predictions by id
                continue
            spans.extend(_spans(
                prediction.get("result") or [], _annotator(prediction.get("model_version")), "suggested", skipped
            ))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed result ({describe(error)})") from None
    return DocumentRecord(
        text=text,
        title=optional_string(data, "title", name, line),
        source=optional_string(data, "source", name, line),
        meta=meta or {},
        spans=spans,
        line=line,
    )


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    skipped: Counter[str] = Counter()
    for line, value in load_json_document(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line, skipped)
    if skipped and warn is not None:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.items()))
        warn(f"{name}: skipped {kinds} result(s); margin keeps text spans (\"labels\" results)")


def _results(spans: list[SpanRecord]) -> list[dict]:
    results = []
    for span in spans:
        results.append(
            {
                "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
                "from_name": FROM_NAME,
                "to_name": "text",
                "type": "labels",
                "id": span.id,
            }
        )
        if span.note:
            results.append(
                {
                    "value": {"start": span.start, "end": span.end, "text": [span.note]},
                    "from_name": NOTE_FROM_NAME,
                    "to_name": "text",
                    "type": "textarea",
                    "id": span.id,
                }
            )
    return results


def _task(record: DocumentRecord) -> dict:
    by_annotator: dict[tuple[str, str], list[SpanRecord]] = {}
    for span in record.spans:
        by_annotator.setdefault((span.status, span.annotator or ""), []).append(span)
    annotations, predictions = [], []
    for (status, annotator), spans in by_annotator.items():
        if status == "suggested":
            predictions.append({"model_version": annotator, "result": _results(spans)})
        else:
            annotations.append(
                {
                    "completed_by": annotator,
                    "result": _results(spans),
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": min(span.created_at or "" for span in spans),
                    "updated_at": max(span.updated_at or "" for span in spans),
                }
            )
    return {
        "data": {"text": record.text, "title": record.title, "source": record.source},
        "meta": record.meta,
        "annotations": annotations,
        "predictions": predictions,
    }


def write(records: Iterable[DocumentRecord], out: IO[str]) -> None:
    """A JSON array written item by item, so memory does not grow with the export."""
    out.write("[")
    separator = "\n"
    for record in records:
        out.write(separator)
        out.write(json.dumps(_task(record), ensure_ascii=False))
        separator = ",\n"
    out.write("\n]\n")
