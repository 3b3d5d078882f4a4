"""brat standoff: ``name.txt`` holds the text, ``name.ann`` one annotation a line.

Text-bound ``T`` lines are spans (``T1<TAB>Label start end<TAB>text``), with
``#`` AnnotatorNotes lines as their notes; relations, equivalences, events and
attributes are read and written by ``brat_links``, and ``annotation.conf`` lists
what the export holds (``brat_conf``).

brat's text field cannot hold a line break, so brat itself splits a selection that
crosses lines into fragments (``start end;start end``) at the line breaks. brat
reads an ``.ann`` the way Python's ``str.splitlines()`` does, so to brat a line
ends not only at ``\n`` and ``\r`` but at ``\x0b \x0c \x1c \x1d \x1e \x85 U+2028
U+2029`` too; the writer cuts fragments at every one of them (the text column is
the fragments joined by spaces, which is what brat checks it against), and the
reader joins fragments back into one span when only whitespace lies between them;
a truly discontinuous span is refused. A fragment may be empty where a span begins
or ends at a line break, so that its ends survive.

A note is an ``AnnotatorNotes`` line, the comment brat shows when the span is
hovered and edits in its dialog. A note may hold line breaks, which the line cannot,
so they are written as backslash escapes (``\\`` ``\n`` ``\r`` ``\x0b`` ``\x0c``
``\x1c`` ``\x1d`` ``\x1e`` ``\x85`` ``\u2028`` ``\u2029``). brat itself writes a
note as typed, backslashes and all (``C:\\new``), so the escapes are read back
only from a directory whose ``annotation.conf`` holds margin's marker comment (a
``#`` line, which brat skips); any other file's notes are kept exactly as written,
and a backslash that starts no escape is kept as it is. Who made a span is a ``#``
line of its own, ``#2<TAB>Annotator T1<TAB>ana``: brat keeps it and shows it under the note when the
span is hovered, yet it stays out of the note brat edits. A span two annotators
agree on (same place, label and note) is written once with an ``Annotator`` line
for each, and read back as one span per annotator.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import FormatError
from ..model import AttributeDef, DocumentRecord, RelationRecord, RelationType, SpanRecord
from .brat_conf import annotation_conf
from .brat_links import ANNOTATOR_COMMENT, BratSpan, link_lines, read_links
from .common import Source, Warn, as_path, decode_text, is_path, read_all, source_name

EXPORT_STATUSES = ("accepted",)
CONFIG_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
LINE_KINDS = {"E": "event", "R": "relation", "A": "attribute", "M": "attribute",
              "N": "normalisation", "*": "equivalence"}
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Where ``str.splitlines()``, and so brat, ends a line."""
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
NOTE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"} | {
    character: f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
    for character in LINE_BREAKS[2:]
}
_NOTE_UNESCAPES = {escape: character for character, escape in NOTE_ESCAPES.items()}
_NOTE_SPECIAL = re.compile("|".join(re.escape(character) for character in NOTE_ESCAPES))
_NOTE_ESCAPE = re.compile("|".join(re.escape(escape) for escape in NOTE_ESCAPES.values()))
CONFIG = "annotation.conf"
ESCAPED_NOTES = "# margin: AnnotatorNotes hold line breaks as \\n and backslashes as \\\\"
"""The annotation.conf comment that says the notes beside it were escaped by margin."""


def escape_note(note: str) -> str:
    """The note on one line, so that brat neither splits it nor loses its breaks."""
    return _NOTE_SPECIAL.sub(lambda match: NOTE_ESCAPES[match.group()], note)


def unescape_note(value: str) -> str:
    return _NOTE_ESCAPE.sub(lambda match: _NOTE_UNESCAPES[match.group()], value)


def notes_escaped(directory: Path) -> bool:
    """Whether the notes of the .ann files in ``directory`` are margin's escapes:
    its annotation.conf carries margin's marker."""
    try:
        conf = (directory / CONFIG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() == ESCAPED_NOTES for line in conf.splitlines())


def pair(path: Path) -> tuple[Path, Path]:
    """(text file, annotation file) for either member of a pair."""
    return path.with_suffix(".txt"), path.with_suffix(".ann")


def _fragments(offsets: str) -> list[tuple[int, int]]:
    fragments = []
    for fragment in offsets.split(";"):
        start, end = fragment.split()
        fragments.append((int(start), int(end)))
    return sorted(fragments)


def _merge(text: str, fragments: list[tuple[int, int]], ann: str, lineno: int, ident: str, offsets: str) -> tuple[int, int]:
    for (_start, end), (next_start, _) in zip(fragments, fragments[1:]):
        if end > next_start or text[end:next_start].strip():
            raise FormatError(
                ann, lineno, f"{ident} is a discontinuous span ({offsets}); margin spans are contiguous"
            )
    for start, end in fragments:
        if not 0 <= start <= end <= len(text):
            raise FormatError(
                ann, lineno, f"{ident} {offsets} is out of range for a text of {len(text)} characters"
            )
    return fragments[0][0], fragments[-1][1]


def _parse(
    text: str, ann_text: str, ann: str, warn: Warn | None, *, escaped: bool
) -> tuple[list[SpanRecord], list[RelationRecord]]:
    spans: dict[str, BratSpan] = {}
    notes: dict[str, tuple[int, str]] = {}
    annotators: dict[str, list[str]] = {}
    links: list[tuple[int, str]] = []
    for lineno, line in enumerate(ann_text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        kind = line[0]
        if kind == "T":
            fields = line.split("\t", 2)
            try:
                ident, head, quote = fields
                label, offsets = head.split(" ", 1)
                fragments = _fragments(offsets)
            except ValueError:
                raise FormatError(ann, lineno, f"malformed text-bound line {line!r}") from None
            start, end = _merge(text, fragments, ann, lineno, ident, offsets)
            expected = " ".join(text[a:b] for a, b in fragments)
            if quote != expected:
                raise FormatError(
                    ann, lineno, f"{ident} text {quote!r} does not match the document ({expected!r})"
                )
            if ident in spans:
                raise FormatError(ann, lineno, f"duplicate id {ident}")
            spans[ident] = BratSpan(start=start, end=end, label=label, text=text[start:end], where=(ann, lineno))
        elif kind == "#":
            fields = line.split("\t", 2)
            target = fields[1].split() if len(fields) > 1 else []
            value = fields[2] if len(fields) > 2 else ""
            if len(target) == 2 and target[0] == "AnnotatorNotes":
                notes[target[1]] = (lineno, unescape_note(value) if escaped else value)
            elif len(target) == 2 and target[0] == ANNOTATOR_COMMENT and value.strip():
                annotators.setdefault(target[1], []).append(value.strip())
        elif kind in LINE_KINDS:
            links.append((lineno, line))
        else:
            raise FormatError(ann, lineno, f"not a brat annotation line: {line!r}")
    for ident in [ident for ident in notes if ident in spans]:
        spans[ident].note = notes.pop(ident)[1]
    records: list[SpanRecord] = []
    positions: dict[str, list[int]] = {}
    for ident, span in spans.items():
        for name in dict.fromkeys(annotators.pop(ident, []) or [""]):
            positions.setdefault(ident, []).append(len(records))
            records.append(replace(span, annotator=name or None, attributes={}, attribute_where={}))
    relations = read_links(ann, links, positions, records, notes, annotators, warn)
    return records, relations


def read_pair(
    txt: Path, ann: Path, *, encoding: str | None = None, warn: Warn | None = None, escaped: bool | None = None,
) -> DocumentRecord:
    """One document; ``escaped`` (looked up beside the .ann when not given) says
    whether its notes hold margin's escapes."""
    if not txt.exists():
        raise FormatError(ann, None, f"no text file {txt.name} beside it")
    if not ann.exists():
        raise FormatError(txt, None, f"no annotation file {ann.name} beside it; brat reads a .txt and .ann pair")
    text = decode_text(read_all(txt), str(txt), encoding=encoding, warn=warn, strip_bom=False)
    ann_text = decode_text(read_all(ann), str(ann), encoding=encoding, warn=warn)
    if escaped is None:
        escaped = notes_escaped(ann.parent)
    spans, relations = _parse(text, ann_text, str(ann), warn, escaped=escaped)
    return DocumentRecord(text=text, source=str(txt), spans=spans, line=None, relations=relations)


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    """A pair named by either file, or every pair under a directory."""
    if not is_path(source):
        raise FormatError(source_name(source), None, "brat needs files (a .txt and its .ann), not a stream")
    path = as_path(source)
    if path.is_dir():
        escaped: dict[Path, bool] = {}
        for txt in sorted(path.rglob("*.txt")):
            if txt.with_suffix(".ann").exists() and not txt.name.startswith("."):
                if txt.parent not in escaped:
                    escaped[txt.parent] = notes_escaped(txt.parent)
                yield read_pair(
                    txt, txt.with_suffix(".ann"), encoding=encoding, warn=warn, escaped=escaped[txt.parent]
                )
        return
    if path.suffix.lower() not in (".txt", ".ann"):
        raise FormatError(
            path, None, "brat reads a .txt file and its .ann; name one of the pair, not this file"
        )
    yield read_pair(*pair(path), encoding=encoding, warn=warn)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at its line breaks (each of LINE_BREAKS); the first and last
    pieces stay even when empty."""
    pieces = []
    position = start
    for piece in _LINE_BREAK.split(text[start:end]):
        pieces.append((position, position + len(piece)))
        position += len(piece) + 1
    return [pieces[0], *[p for p in pieces[1:-1] if p[0] < p[1]], pieces[-1]] if len(pieces) > 1 else pieces


def ann_lines(
    record: DocumentRecord,
    relation_types: dict[str, RelationType] | None = None,
    attribute_defs: dict[str, AttributeDef] | None = None,
) -> Iterator[str]:
    """The .ann lines for a document; a span two annotators agree on (place, label,
    note and attributes) is written once, with an Annotator line for each of them."""
    groups: dict[tuple, list[str | None]] = {}
    numbers: list[int] = []
    for span in record.spans:
        key = (span.start, span.end, span.label, span.note or "", tuple(sorted(span.attributes.items())))
        if key not in groups:
            groups[key] = []
        groups[key].append(span.annotator)
        numbers.append(len(groups) if len(groups[key]) == 1 else list(groups).index(key) + 1)
    comments = 0
    for number, ((start, end, label, note, _), names) in enumerate(groups.items(), 1):
        pieces = fragments(record.text, start, end)
        offsets = ";".join(f"{a} {b}" for a, b in pieces)
        quote = " ".join(record.text[a:b] for a, b in pieces)
        yield f"T{number}\t{label} {offsets}\t{quote}\n"
        if note:
            comments += 1
            yield f"#{comments}\tAnnotatorNotes T{number}\t{escape_note(note)}\n"
        for name in dict.fromkeys(name for name in names if name):
            comments += 1
            yield f"#{comments}\t{ANNOTATOR_COMMENT} T{number}\t{name}\n"
    yield from link_lines(record, numbers, comments, relation_types or {}, attribute_defs or {}, escape_note)


def write(
    records: Iterable[DocumentRecord],
    out: str | os.PathLike,
    *,
    relation_types: Iterable[RelationType] = (),
    attribute_defs: Iterable[AttributeDef] = (),
) -> None:
    """``<document id>.txt`` and ``.ann`` for each document, and an annotation.conf
    naming the labels, relation types and attributes used so brat can show them, and
    marking the notes as escaped. The schemes say which relation types are
    undirected (written as equivalences) and which attributes are flags."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    types = {kind.name: kind for kind in relation_types}
    attributes = {attribute.name: attribute for attribute in attribute_defs}
    labels: dict[str, None] = {}
    used_types: dict[str, None] = {}
    values: dict[str, dict[str, None]] = {}
    for record in records:
        (directory / f"{record.id}.txt").write_text(record.text, encoding="utf-8", newline="")
        with open(directory / f"{record.id}.ann", "w", encoding="utf-8", newline="") as handle:
            handle.writelines(ann_lines(record, types, attributes))
        labels.update((span.label, None) for span in record.spans)
        used_types.update((relation.type, None) for relation in record.relations)
        for span in record.spans:
            for name, value in span.attributes.items():
                values.setdefault(name, {})[value] = None
    conf = annotation_conf(list(labels), list(used_types), values, types, attributes) + f"\n{ESCAPED_NOTES}\n"
    (directory / CONFIG).write_text(conf, encoding="utf-8")
