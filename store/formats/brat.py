"""brat standoff: ``name.txt`` holds the text, ``name.ann`` one annotation a line.

Only text-bound ``T`` lines are spans (``T1<TAB>Label start end<TAB>text``), with
``#`` AnnotatorNotes lines as their notes; events, relations, attributes and
normalisations have no place in margin and are skipped (the reader says how many).

brat's text field cannot hold a newline, so brat itself splits a selection that
crosses lines into fragments (``start end;start end``) at the line breaks. The
writer does the same, and the reader joins fragments back into one span when only
whitespace lies between them; a truly discontinuous span is refused. A fragment
may be empty where a span begins or ends at a newline, so that its ends survive.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import FormatError
from ..model import DocumentRecord, SpanRecord
from .common import Source, Warn, as_path, decode_text, is_path, read_all, source_name

EXPORT_STATUSES = ("accepted",)
CONFIG_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
LINE_KINDS = {"E": "event", "R": "relation", "A": "attribute", "M": "attribute",
              "N": "normalisation", "*": "equivalence"}


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


def _parse(text: str, ann_text: str, ann: str, warn: Warn | None) -> list[SpanRecord]:
    spans: dict[str, SpanRecord] = {}
    notes: dict[str, str] = {}
    skipped: Counter[str] = Counter()
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
            spans[ident] = SpanRecord(start=start, end=end, label=label, text=text[start:end])
        elif kind == "#":
            fields = line.split("\t", 2)
            target = fields[1].split() if len(fields) > 1 else []
            if len(target) == 2 and target[0] == "AnnotatorNotes":
                notes[target[1]] = fields[2] if len(fields) > 2 else ""
        elif kind in LINE_KINDS:
            skipped[LINE_KINDS[kind]] += 1
        else:
            raise FormatError(ann, lineno, f"not a brat annotation line: {line!r}")
    for ident, note in notes.items():
        if ident in spans:
            spans[ident].note = note
    if skipped and warn is not None:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.items()))
        warn(f"{ann}: skipped {kinds} line(s); margin keeps text-bound spans")
    return list(spans.values())


def read_pair(txt: Path, ann: Path, *, encoding: str | None = None, warn: Warn | None = None) -> DocumentRecord:
    if not txt.exists():
        raise FormatError(ann, None, f"no text file {txt.name} beside it")
    if not ann.exists():
        raise FormatError(txt, None, f"no annotation file {ann.name} beside it; brat reads a .txt and .ann pair")
    text = decode_text(read_all(txt), str(txt), encoding=encoding, warn=warn, strip_bom=False)
    ann_text = decode_text(read_all(ann), str(ann), encoding=encoding, warn=warn)
    spans = _parse(text, ann_text, str(ann), warn)
    return DocumentRecord(text=text, source=str(txt), spans=spans, line=None)


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    """A pair named by either file, or every pair under a directory."""
    if not is_path(source):
        raise FormatError(source_name(source), None, "brat needs files (a .txt and its .ann), not a stream")
    path = as_path(source)
    if path.is_dir():
        for txt in sorted(path.rglob("*.txt")):
            if txt.with_suffix(".ann").exists() and not txt.name.startswith("."):
                yield read_pair(txt, txt.with_suffix(".ann"), encoding=encoding, warn=warn)
        return
    if path.suffix.lower() not in (".txt", ".ann"):
        raise FormatError(
            path, None, "brat reads a .txt file and its .ann; name one of the pair, not this file"
        )
    yield read_pair(*pair(path), encoding=encoding, warn=warn)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at its newlines; the first and last pieces stay even when empty."""
    pieces = []
    position = start
    for piece in text[start:end].split("\n"):
        pieces.append((position, position + len(piece)))
        position += len(piece) + 1
    return [pieces[0], *[p for p in pieces[1:-1] if p[0] < p[1]], pieces[-1]] if len(pieces) > 1 else pieces


def ann_lines(record: DocumentRecord) -> Iterator[str]:
    """The .ann lines for a document; a span two annotators agree on is written once."""
    seen: set[tuple[int, int, str]] = set()
    number = 0
    for span in record.spans:
        key = (span.start, span.end, span.label)
        if key in seen:
            continue
        seen.add(key)
        number += 1
        pieces = fragments(record.text, span.start, span.end)
        offsets = ";".join(f"{a} {b}" for a, b in pieces)
        quote = " ".join(record.text[a:b] for a, b in pieces)
        yield f"T{number}\t{span.label} {offsets}\t{quote}\n"
        if span.note:
            yield f"#{number}\tAnnotatorNotes T{number}\t{' '.join(span.note.splitlines())}\n"


def write(records: Iterable[DocumentRecord], out: str | os.PathLike) -> None:
    """``<document id>.txt`` and ``.ann`` for each document, and an annotation.conf
    naming the labels so brat can show them."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    labels: dict[str, None] = {}
    for record in records:
        (directory / f"{record.id}.txt").write_text(record.text, encoding="utf-8", newline="")
        with open(directory / f"{record.id}.ann", "w", encoding="utf-8", newline="") as handle:
            handle.writelines(ann_lines(record))
        labels.update((span.label, None) for span in record.spans)
    conf = "[entities]\n" + "".join(f"{label}\n" for label in labels) + "\n[relations]\n\n[events]\n\n[attributes]\n"
    (directory / "annotation.conf").write_text(conf, encoding="utf-8")
