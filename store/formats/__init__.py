"""The interchange formats margin reads and writes, and telling them apart.

Each format is a module here with ``read(source, *, encoding, warn)`` yielding
:class:`~store.model.DocumentRecord` and/or ``write(records, out)``; this registry
names them, lists their file extensions, and guesses a file's format from its
extension and, for JSON (whatever the file is called), from its first record.
Modules are imported only when used, so nothing heavy (trafilatura for HTML)
loads until a file needs it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import FormatError, MarginError

if TYPE_CHECKING:
    from .common import Warn


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    module_name: str
    extensions: tuple[str, ...]
    readable: bool
    writable: bool
    summary: str

    def module(self) -> ModuleType:
        return importlib.import_module(f"{__name__}.{self.module_name}")

    def export_statuses(self) -> tuple[str, ...] | None:
        """The statuses an export writes when none are asked for (None: all of them);
        formats without a notion of status get only accepted spans."""
        return getattr(self.module(), "EXPORT_STATUSES", None)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("margin", "margin", (".jsonl", ".ndjson"), True, True,
               "margin JSON lines: documents with every span, annotator and timestamp"),
        Format("text", "text", (".txt", ".text", ".md", ".markdown"), True, False,
               "plain text or Markdown, one article per file"),
        Format("html", "html", (".html", ".htm", ".xhtml"), True, False,
               "a web page; its title and main text are extracted"),
        Format("prodigy", "prodigy", (".jsonl", ".ndjson", ".json"), True, True,
               "Prodigy JSON lines (text, spans, answer)"),
        Format("doccano", "doccano", (".jsonl", ".ndjson", ".json"), True, True,
               "doccano JSON lines (label: [[start, end, label]] or entities)"),
        Format("label-studio", "labelstudio", (".json", ".jsonl"), True, True,
               "Label Studio JSON tasks (data.text, annotations, predictions)"),
        Format("brat", "brat", (".txt", ".ann"), True, True,
               "brat standoff: .txt and .ann pairs (export to a directory)"),
        Format("w3c", "w3c", (".jsonld", ".json", ".jsonl"), False, True,
               "W3C Web Annotation JSON-LD (quote and position selectors)"),
        Format("csv", "csv", (".csv",), False, True,
               "CSV, one row per annotation (export only)"),
    )
}
READABLE = tuple(name for name, fmt in FORMATS.items() if fmt.readable)
WRITABLE = tuple(name for name, fmt in FORMATS.items() if fmt.writable)
JSON_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".jsonld")
W3C_TYPES = ("Annotation", "AnnotationCollection", "AnnotationPage")
SNIFF_BYTES = 4096


def get(name: str, *, reading: bool = False, writing: bool = False) -> Format:
    """The format called ``name``; an error lists the choices when it is unknown or
    cannot do what is asked."""
    fmt = FORMATS.get(name)
    if fmt is None or (reading and not fmt.readable) or (writing and not fmt.writable):
        choices = READABLE if reading else WRITABLE if writing else tuple(FORMATS)
        action = "import" if reading else "export" if writing else "use"
        raise MarginError(f"cannot {action} format {name!r}; choose one of {', '.join(choices)}")
    return fmt


def is_brat_config(path: Path) -> bool:
    from .brat import CONFIG_FILES

    return path.name in CONFIG_FILES


def claims(fmt: Format, path: Path) -> bool:
    """Whether a file found in a directory belongs to ``fmt`` by its extension."""
    return path.suffix.lower() in fmt.extensions


def sniff(record: object) -> str | None:
    """The format a first JSON record belongs to, by its keys."""
    if not isinstance(record, dict):
        return None
    from . import doccano, labelstudio, margin, prodigy

    if labelstudio.looks_like(record):
        return "label-studio"
    if margin.looks_like(record):
        return "margin"
    if prodigy.looks_like(record):
        return "prodigy"
    if doccano.looks_like(record):
        return "doccano"
    if isinstance(record.get("text"), str):
        return "prodigy"
    return None


def _first_json_record(path: Path, *, array: bool) -> tuple[bool, object]:
    from .common import iter_json_lines, load_json_document

    reader = load_json_document if array else iter_json_lines
    for _, value in reader(path):
        return True, value
    return False, None


def json_opening(path: Path) -> str | None:
    """``{`` or ``[`` when the file's first character (past a byte-order mark and
    whitespace) opens JSON, else None; only the head of the file is read."""
    from .common import bom_encoding

    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    codec = bom_encoding(head) or "utf-8"
    text = head.decode(codec, errors="ignore").lstrip("\ufeff \t\r\n")
    return text[0] if text[:1] in ("{", "[") else None


def _json_format(path: Path, *, array: bool, empty: str) -> str:
    """The format of a file known to hold JSON, by its first record."""
    found, record = _first_json_record(path, array=array)
    if not found:  # nothing to tell by: the reader will find the file empty
        return empty
    if isinstance(record, dict) and ("@context" in record or record.get("type") in W3C_TYPES):
        raise FormatError(
            path, None, "W3C Web Annotation can be exported but not imported: it does not "
            "carry the documents' text"
        )
    sniffed = sniff(record)
    if sniffed is None:
        raise FormatError(
            path, None, "cannot tell which tool wrote this JSON (no \"text\" or \"data\" in "
            "its first record); name it with --format"
        )
    return sniffed


def _json_in_text_file(path: Path, opening: str) -> str | None:
    """The format of a text file that is really another tool's JSON, or None when
    it is prose that merely starts with a brace or a bracket."""
    try:
        found, record = _first_json_record(path, array=opening == "[")
    except FormatError:
        return None
    return sniff(record) if found else None


def detect(path: str | Path, *, warn: Warn | None = None) -> str | None:
    """The format of the file at ``path``, or None when no format claims it.

    A ``.txt`` with a ``.ann`` beside it is brat; JSON is told apart by its first
    record (``data.text``: Label Studio; spans with annotators: margin;
    ``spans``: Prodigy; ``label``/``entities`` lists: doccano), whatever the file
    is called: a name margin does not know (``out.prodigy``) is read by its
    content, and a ``.txt`` holding a known tool's JSON is read as that tool's
    file, which ``warn`` is told. Raises FormatError when a JSON file cannot be
    read far enough to tell.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").exists()):
        return "brat"
    if suffix in FORMATS["html"].extensions:
        return "html"
    if suffix in JSON_EXTENSIONS:
        return _json_format(
            path, array=suffix == ".json", empty="label-studio" if suffix == ".json" else "margin"
        )
    opening = json_opening(path)
    if suffix in FORMATS["text"].extensions:
        sniffed = _json_in_text_file(path, opening) if opening else None
        if sniffed is None:
            return "text"
        if warn is not None:
            warn(
                f"{path}: holds {sniffed} JSON, not plain text; imported as {sniffed} "
                "(give --format text to import it as text)"
            )
        return sniffed
    if opening is None:
        return None
    return _json_format(path, array=opening == "[", empty="margin")
