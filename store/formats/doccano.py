"""doccano JSON lines, in the layouts doccano has used.

- ``{"text", "label": [[start, end, "LABEL"], ...]}``: sequence labelling, current
  import and export (``labels`` is the 2019 spelling of the key);
- ``{"text", "entities": [{"id", "start_offset", "end_offset", "label"}],
  "relations": [{"from_id", "to_id", "type"}]}``: relation extraction, read and
  written with its relations (see :mod:`store.formats.doccano_relations`; an export
  uses it for the whole file once any document has a relation);
- ``{"text", "annotations": [{"start_offset", "end_offset", "label"}]}``: the
  2019 export, whose labels are numeric ids (kept as their number).

doccano exports an example's metadata as top-level keys beside ``text`` and reads
any key it does not know back into metadata, so margin does the same both ways (a
``meta`` object, which older doccano files hold, is merged in rather than nested);
a key that would make the line read back as another tool's file (``answer``,
``data``, ``spans``, ``@context``…) is written in such a ``meta`` object.
doccano's ``Comments`` are notes on the whole example; margin writes a span's note
as a comment that starts with the span in doccano's own spelling, ``[0, 3, "ORG"]
note``, so that it can be tied back to its span, and keeps any other comment in
the document's metadata. doccano has no annotator field (it exports one file per
annotator), so margin writes one line per document and annotator with an
``annotator`` key, which doccano keeps as metadata.

doccano's web interface counts offsets in UTF-16 code units; ``offsets="utf16"``
reads and writes them that way (see :mod:`store.formats.offsets`). Told nothing,
the reader refuses a record whose offsets run past its text but fit it as UTF-16,
and warns when spans cut words as code points but not as UTF-16 code units.

doccano lets a project rename the text and label columns; ``text_key`` and
``label_key`` name them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..errors import FormatError, MarginError
from ..model import DocumentRecord, SpanRecord
from . import doccano_relations
from .common import (
    Source,
    Warn,
    describe,
    expect_object,
    iter_json_lines,
    record_text,
    source_name,
)
from .offsets import CODEPOINTS, OFFSET_UNITS, UTF16, reads_better_as_utf16, table_for

EXPORT_STATUSES = ("accepted",)
SPAN_KEYS = ("label", "labels", "entities", "annotations")
COMMENTS = "Comments"
ANNOTATOR = "annotator"
META = "meta"
# Keys the writer spends on the example itself; a metadata key spelt like one of
# them (or one that format detection reads as another tool's) is written inside a
# "meta" object instead.
WRITER_KEYS = frozenset(("text", *SPAN_KEYS, "relations", COMMENTS, ANNOTATOR, META))
OPTION = "--offsets utf16"

PRODIGY_KEYS = ("spans", "answer", "_input_hash", "_task_hash")
_DECODER = json.JSONDecoder()

SpanKey = tuple[int, int, str]


def looks_like(record: dict) -> bool:
    """Span lists under doccano's keys; or a lone ``label`` string (a text
    classification record), claimed so that it is refused rather than read as
    Prodigy with its label silently dropped."""
    if any(key in record for key in PRODIGY_KEYS):
        return False
    return any(isinstance(record.get(key), list) for key in SPAN_KEYS) or isinstance(record.get("label"), str)


def _span(item: Any) -> SpanRecord:
    if isinstance(item, list):
        start, end, label = item
    elif isinstance(item, dict):
        start, end, label = item["start_offset"], item["end_offset"], item["label"]
    else:
        raise TypeError(f"a span must be [start, end, label] or an object, not {item!r}")
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)
    return SpanRecord(start=start, end=end, label=label)


def _span_keys(record: dict, label_key: str | None) -> tuple[str, ...]:
    return (label_key,) if label_key else SPAN_KEYS


def _spans(record: dict, keys: tuple[str, ...]) -> list[SpanRecord]:
    spans: list[SpanRecord] = []
    for key in keys:
        items = record.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise TypeError(
                f'"{key}" must be a list of [start, end, label] spans, found {type(items).__name__} {items!r:.40}'
            )
        spans.extend(_span(item) for item in items)
    return spans


def _comment_text(item: Any) -> str | None:
    """A comment as doccano exports it: a string (sequence labelling) or an object
    with ``comment`` (relation extraction)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("comment"), str):
        return item["comment"]
    return None


def span_comment(start: int, end: int, label: str, note: str) -> str:
    return f"{json.dumps([start, end, label], ensure_ascii=False)} {note}"


def _key(start: Any, end: Any, label: Any) -> SpanKey | None:
    """The place and label a span comment is matched on, or None unless they are
    whole-number offsets and a string label (a number label reads as its string,
    as in a span)."""
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)
    if _is_offset(start) and _is_offset(end) and isinstance(label, str):
        return start, end, label
    return None


def _parse_span_comment(comment: str) -> tuple[SpanKey, str] | None:
    """The span a comment names and its note; None for a comment that does not
    start like one, which is a comment on the whole example."""
    if not comment.startswith("["):
        return None
    try:
        value, end = _DECODER.raw_decode(comment)
    except (json.JSONDecodeError, RecursionError):
        return None
    rest = comment[end:]
    if not (isinstance(value, list) and len(value) == 3 and rest[:1] in ("", " ")):
        return None
    key = _key(*value)
    return (key, rest[1:]) if key is not None else None


def _notes(comments: list, spans: list[SpanRecord]) -> tuple[dict[SpanKey, list[str]], list]:
    """Notes by the span their comment names; the comments that name none. A span
    with malformed offsets or label has no key, and is left for the import's own
    check to refuse."""
    keys = {key for span in spans if (key := _key(span.start, span.end, span.label)) is not None}
    notes: dict[SpanKey, list[str]] = {}
    others = []
    for item in comments:
        text = _comment_text(item)
        parsed = _parse_span_comment(text) if text is not None else None
        if parsed is not None and parsed[0] in keys:
            notes.setdefault(parsed[0], []).append(parsed[1])
        else:
            others.append(item)
    return notes, others


def _meta(record: dict, skip: set[str]) -> dict:
    meta = {key: value for key, value in record.items() if key not in skip}
    nested = record.get(META)
    if isinstance(nested, dict):
        meta.update(nested)
    elif nested is not None:
        meta[META] = nested
    return meta


def _annotator(record: dict, name: str, line: int) -> str | None:
    value = record.get(ANNOTATOR)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FormatError(name, line, f'"{ANNOTATOR}" must be a string, found {type(value).__name__}')
    return value


def _is_offset(value: Any) -> bool:
    return type(value) is int  # bool is an int, and not an offset


def _from_utf16(text: str, spans: list[SpanRecord], name: str, line: int) -> None:
    """Turn UTF-16 code-unit offsets into code points, refusing any that cannot be."""
    table = table_for(text)
    if table is None:
        return
    for span in spans:
        converted = []
        for offset in (span.start, span.end):
            if not _is_offset(offset):
                converted.append(offset)  # left for the import's own check to refuse
                continue
            if offset > table.length:
                raise FormatError(
                    name, line, f"{span.label} span {span.start}–{span.end} runs past the text "
                    f"({table.length} UTF-16 code units)"
                )
            point = table.to_codepoint(offset)
            if point is None:
                raise FormatError(
                    name, line, f"{span.label} span {span.start}–{span.end}: offset {offset} falls inside "
                    "a character outside the BMP, so these are not UTF-16 offsets; import without "
                    f"{OPTION}"
                )
            converted.append(point)
        span.start, span.end = converted


def _refuse_utf16(text: str, spans: list[SpanRecord], name: str, line: int) -> None:
    """Refuse code-point offsets that run past the text but would fit it counted
    in UTF-16 code units: the file came from a browser, and reading it as code
    points would store every span after an emoji shifted."""
    beyond = [
        span for span in spans
        if _is_offset(span.start) and _is_offset(span.end) and max(span.start, span.end) > len(text)
    ]
    table = table_for(text) if beyond else None
    if table is None:
        return
    fits = all(
        0 <= span.start <= span.end <= table.length
        and not table.splits_pair(span.start) and not table.splits_pair(span.end)
        for span in spans if _is_offset(span.start) and _is_offset(span.end)
    )
    if fits:
        span = beyond[0]
        raise FormatError(
            name, line, f"{span.label} span {span.start}–{span.end} runs past the text ({len(text)} "
            f"characters) but fits it counted in UTF-16 code units, as doccano's web interface "
            f"counts; import with {OPTION}"
        )


def _looks_shifted(text: str, spans: list[SpanRecord]) -> bool:
    placed = [
        (span.start, span.end) for span in spans
        if _is_offset(span.start) and _is_offset(span.end) and 0 <= span.start <= span.end <= len(text)
    ]
    return reads_better_as_utf16(text, placed)


def _record(
    record: dict, name: str, line: int, text_key: str, label_key: str | None, units: str,
    shifted: list[int] | None = None,
) -> DocumentRecord:
    text = record_text(record, text_key, name, line)
    span_keys = _span_keys(record, label_key)
    try:
        spans = _spans(record, span_keys)
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(name, line, f"malformed span ({describe(error)})") from None
    skip = {text_key, *span_keys, "relations", ANNOTATOR, META}
    comments = record.get(COMMENTS)
    other_comments: list = []
    if isinstance(comments, list):
        skip.add(COMMENTS)
        notes, other_comments = _notes(comments, spans)
        for span in spans:
            key = _key(span.start, span.end, span.label)
            span.note = "\n\n".join(notes.get(key, ())) if key is not None else ""
    meta = _meta(record, skip)
    if other_comments:
        meta[COMMENTS] = other_comments
    annotator = _annotator(record, name, line)
    for span in spans:
        span.annotator = annotator
    relations = doccano_relations.read_relations(record, span_keys, spans, name, line)
    if units == UTF16:
        _from_utf16(text, spans, name, line)
    else:
        _refuse_utf16(text, spans, name, line)
        if shifted is not None and _looks_shifted(text, spans):
            shifted.append(line)
    return DocumentRecord(text=text, meta=meta, spans=spans, line=line, relations=relations)


def _units(offsets: str | None) -> str:
    units = offsets or CODEPOINTS
    if units not in OFFSET_UNITS:
        raise MarginError(f"offsets are counted in {' or '.join(OFFSET_UNITS)}, not {offsets!r}")
    return units


def read(
    source: Source,
    *,
    encoding: str | None = None,
    warn: Warn | None = None,
    text_key: str = "text",
    label_key: str | None = None,
    offsets: str | None = None,
) -> Iterator[DocumentRecord]:
    units = _units(offsets)
    name = source_name(source)
    # Told nothing, spans that fit as code points but look cut in the wrong places
    # are reported; told "codepoints", they are taken as they are.
    shifted: list[int] | None = [] if offsets is None else None
    for line, value in iter_json_lines(source, encoding=encoding):
        yield _record(expect_object(value, name, line), name, line, text_key, label_key, units, shifted)
    if shifted and warn is not None:
        warn(
            f"{name}:{shifted[0]}: in {len(shifted)} record(s) spans cut words when their offsets are read "
            "as characters but not as UTF-16 code units; if the file came from doccano's web interface its "
            f"spans were stored shifted: import it into a new database with {OPTION} (--offsets codepoints "
            "takes the offsets as they are without this check)"
        )


def _read_elsewhere(line: dict) -> bool:
    """Whether a line would be detected as another tool's file on import. Asked of
    the detection itself, so that a key it comes to look at is never spread; only
    the W3C test, which detection makes before sniffing, is repeated here."""
    from . import W3C_TYPES, sniff

    return sniff(line) != "doccano" or "@context" in line or line.get("type") in W3C_TYPES


def _spread_meta(meta: dict) -> tuple[dict, list]:
    """Metadata as doccano writes it, at the top level, except keys the writer
    spends itself and keys that would make the line read back as another tool's
    (``answer`` as Prodigy's, ``data`` as Label Studio's), which go in a ``meta``
    object; the document-wide comments kept from an import go back into
    ``Comments``."""
    line: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    comments: list = []
    probe: dict[str, Any] = {"text": "", "label": [], META: {}}
    for key, value in meta.items():
        if key == COMMENTS and isinstance(value, list):
            comments = value
            continue
        if key not in WRITER_KEYS:
            probe[key] = value
            if not _read_elsewhere(probe):
                line[key] = value
                continue
            del probe[key]
        kept[key] = value
    if kept:
        line[META] = kept
    return line, comments


def _lines(record: DocumentRecord, units: str) -> Iterator[tuple[dict, list]]:
    table = table_for(record.text) if units == UTF16 else None

    def place(offset: int) -> int:
        return table.to_utf16(offset) if table is not None else offset

    groups: dict[str, list[tuple[int, SpanRecord]]] = {}
    for position, span in enumerate(record.spans):
        groups.setdefault(span.annotator or "", []).append((position, span))
    meta, document_comments = _spread_meta(record.meta if isinstance(record.meta, dict) else {})
    for index, (annotator, spans) in enumerate(sorted((groups or {"": []}).items())):
        labels: dict[tuple[int, int, str], list[str]] = {}
        keys: dict[int, tuple[int, int, str]] = {}
        for position, span in spans:
            keys[position] = (place(span.start), place(span.end), span.label)
            notes = labels.setdefault(keys[position], [])
            if span.note and span.note not in notes:
                notes.append(span.note)
        line: dict[str, Any] = {"text": record.text, **meta, "label": [list(key) for key in labels]}
        comments = [span_comment(*key, note) for key, notes in labels.items() for note in notes]
        if index == 0:
            comments.extend(document_comments)
        if comments:
            line[COMMENTS] = comments
        if annotator:
            line[ANNOTATOR] = annotator
        yield line, doccano_relations.line_relations(record, keys)


def write(records: Iterable[DocumentRecord], out: IO[str], *, offsets: str | None = None) -> None:
    """One line per document and annotator; a span an annotator made twice is
    written once. Attributes have no place in doccano and are not written."""
    units = _units(offsets)
    writer = doccano_relations.LayoutWriter(out)
    for record in records:
        for line, relations in _lines(record, units):
            writer.write(line, relations)
    writer.close()
