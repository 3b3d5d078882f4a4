"""The checks a record from a file passes before any of it is staged: what the
text, title, meta, labels and timestamps must be, each refused as ``file:line: reason``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from .errors import FormatError
from .model import DocumentRecord, RelationRecord, SpanRecord
from .names import label_name_problem, quoted
from .timestamps import TimestampError, normalise

MAX_META_DEPTH = 32
_CRLF = re.compile("\r\n")


def crlf_mapper(raw: str) -> Callable[[int], int] | None:
    """Maps an offset into ``raw`` to the same place once CRLF has become LF."""
    if "\r\n" not in raw:
        return None
    removed = [match.start() for match in _CRLF.finditer(raw)]
    return lambda offset: offset - bisect_left(removed, offset) if isinstance(offset, int) else offset


def check_label(label: object, name: str, line: int | None) -> str:
    """The label of a span, if margin can use it: a word, with no control characters."""
    if not isinstance(label, str):
        raise FormatError(name, line, f"label {quoted(label)} is not usable: a label is a word, not {type(label).__name__}")
    problem = label_name_problem(label)
    if problem:
        raise FormatError(name, line, problem)
    return label


def _depth_over(value: object, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep; iterative, so
    the check itself cannot run out of stack."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def span_timestamps(name: str, span: SpanRecord | RelationRecord, line: int | None) -> tuple[str | None, str | None]:
    """The span's (or relation's) timestamps in the stored form; refused unless they are real,
    past times, since the newer ``updated_at`` wins every later merge."""
    stamps: list[str | None] = []
    for value in (span.created_at, span.updated_at):
        if value is None:
            stamps.append(None)
            continue
        try:
            stamps.append(normalise(value))
        except TimestampError as error:
            shown = quoted(value)
            raise FormatError(name, line, f"bad timestamp {shown} ({error})") from None
    return stamps[0], stamps[1]


def check_document(name: str, record: DocumentRecord) -> None:
    """Refuse what would be stored wrongly: a text that is not text, a title that is an
    object, a NUL, meta nested past any use."""
    raw, line = record.text, record.line
    if not isinstance(raw, str):
        raise FormatError(name, line, "the text must be a string")
    for key, value in (("title", record.title), ("source", record.source)):
        if value is not None and not isinstance(value, str):
            raise FormatError(name, line, f"the {key} must be a string, found {type(value).__name__}")
    if "\x00" in raw:
        raise FormatError(
            name, line, f"the text holds a NUL character (\\u0000) at character {raw.index(chr(0))}; "
            "binary data, not text"
        )
    if _depth_over(record.meta, MAX_META_DEPTH):
        raise FormatError(name, line, f"meta is too deeply nested (more than {MAX_META_DEPTH} levels)")
