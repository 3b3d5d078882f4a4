"""Prodigy JSON lines: ``{"text", "spans": [{start, end, label}], "answer", "meta"}``.

Reading: a task's ``answer`` decides its spans' status (accept, or none given:
accepted; reject: rejected; ignore: the text is kept, its spans are not). The
annotator is ``_annotator_id`` when the task names one. Prodigy dedupes on
``_input_hash``/``_task_hash``, so they are kept, in the document's meta under
``_prodigy`` (spans have no meta of their own): the input hash, and per annotator
each task's hash, answer and spans. Tasks of one text that come near each other in
the file (within ``MERGE_WINDOW`` lines, as ``ner.teach`` writes a text's questions)
(and while they hold at most ``MERGE_CHARS`` characters of text) are all kept; the
document's meta is the first task's.

Writing: a task margin still holds exactly (its spans are all live with the status
its answer gave; for an accept task, all of its annotator's accepted spans, so that
a span added since the import does not split them over two tasks) is written again
with its own hashes. Kept tasks are data any import may have brought, so one not
shaped as margin writes them is left out. The other spans become new
tasks with hashes derived from the content: per annotator one task of the accepted
spans, and one task per rejected (answer ``reject``) or suggested (``ignore``: not
decided) span, as a binary decision is about one span. A document without spans is
written as its imported span-less tasks, or else as one ``ignore`` task, since no
span is no decision. Accepted spans that overlap are written in the
``spans_manual`` view, others in ``ner_manual`` (which spaCy's NER training needs
without overlaps), single-span decisions in ``ner``. With spaCy, the manual views' tasks get ``tokens``
from ``spacy.blank(lang)`` (the binary ``ner`` view does not use them, and a long
text's tokens written once per rejected span would make the file grow as spans times
text), and every span that begins and ends on token boundaries gets
``token_start``/``token_end`` (the others keep their character offsets only).
Relations and span attributes: see :mod:`store.formats.prodigy_relations`; a task
whose spans carry relations is written in Prodigy's ``relations`` view, with tokens.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import IO, Any, TypeGuard

from ..errors import FormatError
from ..model import DocumentRecord, SpanRecord, normalise_newlines
from . import prodigy_relations as relating
from . import tokens as tokenising
from .common import (
    Source,
    Warn,
    describe,
    expect_object,
    iter_json_lines,
    json_line,
    record_text,
    source_name,
    stable_int,
)

EXPORT_STATUSES = ("accepted", "rejected")
ANSWER_STATUS = {"accept": "accepted", "reject": "rejected"}
STATUS_ANSWER = {"accepted": "accept", "rejected": "reject", "suggested": "ignore"}
KEPT = "_prodigy"
MERGE_WINDOW = 1000
MERGE_CHARS = 8_000_000  # text held back at most, so long documents keep memory flat
ANSWERS = ("accept", "reject", "ignore")
# Tasks about the whole text (text classification, choices): margin holds none of it.
WHOLE_TEXT_KEYS = ("label", "options", "accept")
MANUAL, OVERLAPPING, BINARY = "ner_manual", "spans_manual", "ner"
TOKEN_VIEWS = (MANUAL, OVERLAPPING, relating.VIEW)


def looks_like(record: dict) -> bool:
    return isinstance(record.get("spans"), list)


def _status(task: dict, span: dict) -> str | None:
    answer = task.get("answer", span.get("answer", "accept"))
    if answer == "ignore":
        return None
    if answer not in ANSWER_STATUS:
        raise ValueError(f"unknown answer {answer!r}")
    return ANSWER_STATUS[answer]


def _record(task: dict, name: str, line: int) -> DocumentRecord:
    text = record_text(task, "text", name, line)
    meta = task.get("meta") or {}
    spans = task.get("spans") or []
    if not isinstance(spans, list) or not isinstance(meta, dict):
        raise FormatError(name, line, '"spans" must be a list and "meta" an object')
    annotator = task.get("_annotator_id")
    records = []
    try:
        for span in spans:
            span = expect_object(span, name, line)
            status = _status(task, span)
            if status is None:
                continue
            records.append(
                SpanRecord(
                    start=span["start"],
                    end=span["end"],
                    label=span["label"],
                    text=span.get("text"),
                    annotator=str(annotator) if annotator else None,
                    status=status,
                    attributes=relating.span_attributes(span, name, line),
                )
            )
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    relations = relating.read_relations(task, records, name, line)
    return DocumentRecord(text=text, meta=meta, spans=records, line=line, relations=relations)


def _stored_offset(text: str, offset: int) -> int:
    """Where ``offset`` lands once CRLF has become LF, as the store keeps text."""
    return offset - text.count("\r\n", 0, offset)


def _kept_task(task: dict) -> dict | None:
    """What is kept of a task to write it again: its hash, answer, view and spans
    (as stored offsets); None for a task margin could not write back."""
    task_hash = task.get("_task_hash")
    if not isinstance(task_hash, int) or any(key in task for key in WHOLE_TEXT_KEYS):
        return None
    text = task["text"]
    crlf = "\r\n" in text
    try:
        spans = [
            [_stored_offset(text, span["start"]) if crlf else span["start"],
             _stored_offset(text, span["end"]) if crlf else span["end"], span["label"]]
            for span in task.get("spans") or []
        ]
    except (KeyError, TypeError):  # an ignored task's spans are not checked: not kept either
        return None
    answer = task.get("answer", "accept")
    if not isinstance(answer, str) or answer not in ANSWERS:
        return None
    kept: dict[str, Any] = {"_task_hash": task_hash, "answer": answer, "spans": spans}
    if isinstance(task.get("_view_id"), str):
        kept["_view_id"] = task["_view_id"]
    return kept


def _keep(owner: DocumentRecord, task: dict) -> None:
    """Add ``task``'s hashes to the meta of ``owner``, the first record of its text."""
    input_hash = task.get("_input_hash")
    kept_task = _kept_task(task)
    if not isinstance(input_hash, int) and kept_task is None:
        return
    entry = owner.meta.get(KEPT)
    if not isinstance(entry, dict):
        entry = {}
        owner.meta = {**owner.meta, KEPT: entry}
    if isinstance(input_hash, int):
        entry.setdefault("_input_hash", input_hash)
    if kept_task is not None:
        annotator = task.get("_annotator_id")
        entry.setdefault("tasks", {}).setdefault(str(annotator) if annotator else "", []).append(kept_task)


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    """Records in file order, each held back for ``MERGE_WINDOW`` lines so that the
    hashes of later tasks of the same text reach the meta of its first record; or
    until more than ``MERGE_CHARS`` characters of text are held back (a text repeated
    by later tasks is held once, so a long text's questions still gather)."""
    name = source_name(source)
    pending: deque[tuple[str, DocumentRecord, int]] = deque()
    held = 0
    owners: dict[str, DocumentRecord] = {}
    for line, value in iter_json_lines(source, encoding=encoding):
        task = expect_object(value, name, line)
        record = _record(task, name, line)
        key = normalise_newlines(record.text)
        owner = owners.setdefault(key, record)
        _keep(owner, task)
        size = len(record.text)
        if owner is not record and owner.text == record.text:
            record.text, size = owner.text, 0  # one copy of a text asked about many times
        pending.append((key, record, size))
        held += size
        while pending and (len(pending) > MERGE_WINDOW or held > MERGE_CHARS):
            done_key, done, done_size = pending.popleft()
            held -= done_size
            if owners.get(done_key) is done:
                del owners[done_key]
            yield done
    for _, record, _ in pending:
        yield record


def _hash(*parts: object) -> int:
    """A signed 32-bit int, as Prodigy's hashes are, derived only from the content."""
    return stable_int(json.dumps(parts, ensure_ascii=False), bits=32, signed=True)


@dataclass(slots=True)
class _Task:
    annotator: str
    answer: str
    spans: list[SpanRecord]
    task_hash: int | None = None
    view: str | None = None
    binary: bool = False


def _overlapping(spans: list[SpanRecord]) -> bool:
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    return any(later.start < earlier.end for earlier, later in zip(ordered, ordered[1:]))


def _view(task: _Task) -> str:
    if _overlapping(task.spans):
        return OVERLAPPING
    if task.view and task.view != OVERLAPPING:
        return task.view
    return BINARY if task.binary else MANUAL


def _answer(span: SpanRecord) -> str:
    return STATUS_ANSWER.get(span.status, "accept")


def _replayed(kept: dict, spans: list[SpanRecord]) -> list[_Task]:
    """The imported tasks whose spans are all still live with their answer; an accept
    task only while its spans are all of its annotator's accepted ones."""
    live = {(s.start, s.end, s.label, s.annotator or "", _answer(s)): s for s in spans}
    annotators = list(dict.fromkeys(s.annotator or "" for s in spans))
    accepted: dict[str, set[int]] = {}
    for span in spans:
        if _answer(span) == "accept":
            accepted.setdefault(span.annotator or "", set()).add(id(span))
    found = []
    for key, stored in _stored_tasks(kept):
        if stored.answer not in ANSWER_STATUS or not stored.spans:
            continue
        for annotator in [key] if key else annotators:
            matched = [live.get((start, end, label, annotator, stored.answer)) for start, end, label in stored.spans]
            held = [span for span in matched if span is not None]
            if len(held) < len(matched):
                continue
            if stored.answer == "accept" and {id(span) for span in held} != accepted.get(annotator):
                continue
            found.append(_Task(annotator, stored.answer, held, stored.task_hash, stored.view,
                               binary=stored.answer != "accept" and len(held) == 1))
            break
    return found


@dataclass(frozen=True, slots=True)
class _Stored:
    """A kept task, checked: meta comes from any import and is not validated there."""

    answer: str
    task_hash: int
    spans: list[tuple[int, int, str]]
    view: str | None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(stored: object) -> _Stored | None:
    if not isinstance(stored, dict):
        return None
    answer, task_hash, view = stored.get("answer"), stored.get("_task_hash"), stored.get("_view_id")
    triples = _triples(stored.get("spans"))
    if not isinstance(answer, str) or answer not in ANSWERS or not _is_int(task_hash) or triples is None:
        return None
    if view is not None and not isinstance(view, str):
        return None
    return _Stored(answer, task_hash, triples, view)


def _stored_tasks(kept: dict) -> Iterator[tuple[str, _Stored]]:
    """(annotator, task) for each kept task; whatever is not shaped as margin writes
    it is passed over."""
    tasks = kept.get("tasks")
    for key, stored_tasks in tasks.items() if isinstance(tasks, dict) else ():
        for stored in stored_tasks if isinstance(stored_tasks, list) else ():
            checked = _checked(stored)
            if checked is not None:
                yield str(key), checked


def _triples(spans: object) -> list[tuple[int, int, str]] | None:
    """Kept spans as (start, end, label), or None unless every one is shaped so."""
    if not isinstance(spans, list):
        return None
    triples = []
    for span in spans:
        if not (isinstance(span, list) and len(span) == 3):
            return None
        start, end, label = span
        if not (_is_int(start) and _is_int(end) and isinstance(label, str)):
            return None
        triples.append((start, end, label))
    return triples


def _new_tasks(spans: list[SpanRecord]) -> list[_Task]:
    """Accepted spans as one task per annotator; every other span a task of its own."""
    accepted: dict[str, _Task] = {}
    tasks = []
    for span in spans:
        annotator, answer = span.annotator or "", _answer(span)
        if answer == "accept":
            if annotator not in accepted:
                accepted[annotator] = _Task(annotator, answer, [])
                tasks.append(accepted[annotator])
            accepted[annotator].spans.append(span)
        else:
            tasks.append(_Task(annotator, answer, [span], binary=True))
    return tasks


def _plan(record: DocumentRecord, kept: dict) -> list[_Task]:
    if not record.spans:
        empty = [_Task(key, task.answer, [], task.task_hash, task.view)
                 for key, task in _stored_tasks(kept) if not task.spans]
        return empty or [_Task("", "ignore", [])]
    replayed = _replayed(kept, record.spans)
    covered = {id(span) for task in replayed for span in task.spans}
    tasks = replayed + _new_tasks([span for span in record.spans if id(span) not in covered])
    position = {id(span): index for index, span in enumerate(record.spans)}
    return sorted(tasks, key=lambda task: min(position[id(span)] for span in task.spans))


class _Tokens:
    """The record's tokens, made once and shared by its tasks, and serialised once:
    a long text's tokens are many times its size."""

    def __init__(self, record: DocumentRecord) -> None:
        self.doc = tokenising.tokenise(record.text, tokenising.document_lang(record.meta))

    @cached_property
    def json(self) -> str:
        return json.dumps(tokenising.token_dicts(self.doc), ensure_ascii=False)


def _span_dict(text: str, span: SpanRecord, tokens: _Tokens | None) -> dict[str, Any]:
    result: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label,
                              "text": text[span.start : span.end]}
    bounds = tokenising.token_bounds(tokens.doc, span.start, span.end) if tokens else None
    if bounds is not None:
        result["token_start"], result["token_end"] = bounds
    if span.attributes:
        result[relating.ATTRIBUTES] = dict(span.attributes)
    return result


def _tasks(record: DocumentRecord, tokens: _Tokens | None) -> Iterator[dict]:
    meta = record.meta if isinstance(record.meta, dict) else {}
    kept = meta.get(KEPT)
    kept = kept if isinstance(kept, dict) else {}
    meta = {key: value for key, value in meta.items() if key != KEPT}
    input_hash = kept.get("_input_hash")
    if not _is_int(input_hash):
        input_hash = _hash(record.text)
    position = {id(span): index for index, span in enumerate(record.spans)}
    for task in _plan(record, kept):
        spans = [_span_dict(record.text, span, tokens) for span in task.spans]
        relations = relating.written_relations(
            record.relations, {position[id(span)]: written for span, written in zip(task.spans, spans)}
        )
        task_hash = task.task_hash
        if not isinstance(task_hash, int):
            hashed: list = [[s["start"], s["end"], s["label"]] for s in spans]
            if relations:
                hashed.append([[r["head_span"]["start"], r["head_span"]["end"], r["child_span"]["start"],
                                r["child_span"]["end"], r["label"]] for r in relations])
            task_hash = _hash(input_hash, hashed)
        written: dict[str, Any] = {"text": record.text, "meta": meta, "_input_hash": input_hash,
                                   "_task_hash": task_hash}
        written["spans"] = spans
        if relations:
            written[relating.RELATIONS] = relations
        written["answer"] = task.answer
        if task.annotator:
            written["_annotator_id"] = task.annotator
            written["_session_id"] = f"margin-{task.annotator}"
        written["_view_id"] = relating.VIEW if relations else _view(task)
        yield written


def write(records: Iterable[DocumentRecord], out: IO[str], *, tokens: bool | None = None) -> None:
    """``tokens``: add spaCy's tokens (None: when spaCy is installed); asking for
    them without spaCy is an error before anything is written."""
    if tokens and not tokenising.available():
        raise tokenising.missing("--tokens")
    with_tokens = tokenising.available() if tokens is None else tokens
    for record in records:
        shared = _Tokens(record) if with_tokens else None
        for task in _tasks(record, shared):
            line = json_line(task)
            if shared is not None and task["_view_id"] in TOKEN_VIEWS:
                line = f'{line[:-2]}, "tokens": {shared.json}}}\n'  # spliced: serialised once per record
            out.write(line)
