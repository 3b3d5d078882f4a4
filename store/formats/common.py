"""What the format modules share: opening a path or a stream, decoding text the way
margin promises (strict UTF-8, a cp1252 fallback that is reported, never a silent
guess), and reading JSON and JSON lines with errors that name the line.

Readers take ``source`` as a path or an open stream (binary or text), so the same
code serves the command line and the tests.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import FormatError

Source = str | os.PathLike | IO[bytes] | IO[str]
Warn = Callable[[str], None]

FALLBACK_ENCODING = "cp1252"
TOO_DEEP = "too deeply nested"
# Longest first: a UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
WIDE_CODECS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def source_name(source: Source) -> str:
    """The name to put in messages: the path, or the stream's name."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


@contextmanager
def open_source(source: Source) -> Iterator[IO]:
    """A binary handle on a path (closed afterwards), or the stream itself (left open)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            handle = open(source, "rb")
        except OSError as error:
            raise FormatError(source_name(source), None, error.strerror or str(error)) from None
        with handle:
            yield handle
    else:
        yield source


def read_all(source: Source) -> bytes | str:
    with open_source(source) as handle:
        return handle.read()


def _byte_position(data: bytes, offset: int) -> tuple[int, str]:
    line = data.count(b"\n", 0, offset) + 1
    return line, f"byte 0x{data[offset]:02x} at byte offset {offset}"


def bom_encoding(head: bytes) -> str | None:
    """The encoding a leading byte-order mark names (the mark itself stays in the
    decoded text as U+FEFF, for the caller to drop or count)."""
    for mark, codec in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return codec
    return None


def is_wide(encoding: str) -> bool:
    """Whether the codec spends more than one byte on a newline, so that the bytes
    cannot be split into lines before decoding."""
    try:
        return codecs.lookup(encoding).name in WIDE_CODECS
    except LookupError:
        return False


def _utf16_hint(data: bytes) -> str:
    """A hint for NUL-laden bytes that look like UTF-16 written without a mark."""
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if pairs and odd > 0.4 * pairs and even < 0.05 * pairs:
        return " (it looks like UTF-16 without a byte-order mark: name it with --encoding utf-16-le)"
    if pairs and even > 0.4 * pairs and odd < 0.05 * pairs:
        return " (it looks like UTF-16 without a byte-order mark: name it with --encoding utf-16-be)"
    return ""


def _decode_wide(data: bytes, name: str, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise FormatError(
            name, None, f"not valid {codec.upper()} ({error.reason} at byte offset {error.start}); "
            "name its encoding with --encoding"
        ) from None


def decode_text(
    data: bytes | str, name: str, *, encoding: str | None = None, warn: Warn | None = None,
    strip_bom: bool = True,
) -> str:
    """Text from a file's bytes.

    UTF-8 first (a leading byte-order mark is dropped unless the caller's offsets
    count it); a file that is not UTF-8 but decodes strictly as cp1252 is read as
    cp1252 and ``warn`` is told; anything else is an error naming the first bad
    byte. A NUL byte means a binary file. ``encoding`` forces one codec.
    """
    if isinstance(data, str):
        text = data
    elif encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise FormatError(name, None, f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            line, where = _byte_position(data, error.start)
            raise FormatError(name, line, f"cannot be read as {encoding}: {where}") from None
    elif (wide := bom_encoding(data)) is not None and is_wide(wide):
        text = _decode_wide(data, name, wide)
    else:
        if b"\x00" in data:
            raise FormatError(name, None, "binary file, not text" + _utf16_hint(data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line, where = _byte_position(data, error.start)
            try:
                text = data.decode(FALLBACK_ENCODING)
            except UnicodeDecodeError:
                raise FormatError(
                    name, line, f"not UTF-8 ({where}) nor cp1252; name its encoding with --encoding"
                ) from None
            if warn is not None:
                warn(f"{name}: not UTF-8 ({where}); read as cp1252")
    if "\x00" in text:
        raise FormatError(name, None, "binary file, not text")
    if strip_bom and text.startswith("\ufeff"):
        text = text[1:]
    return text


def _decode_line(raw: bytes | str, name: str, lineno: int, encoding: str) -> str:
    """Decode one line (or the rest of a file, starting at ``lineno``) strictly."""
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = lineno + raw.count(b"\n", 0, error.start)
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        what = "not valid UTF-8" if encoding.replace("_", "-").lower().startswith("utf") else f"not {encoding}"
        raise FormatError(name, line, f"{what} (byte 0x{raw[error.start]:02x} at column {column})") from None
    except LookupError:
        raise FormatError(name, None, f"unknown encoding {encoding!r}") from None


def iter_json_document(text: str, name: str, first_line: int = 1) -> Iterator[tuple[int, Any]]:
    """(line, value) for a whole JSON document: each item of a top-level array, or
    each of one or more top-level values written one after another, with the line
    it starts on."""
    position = 0
    line = first_line

    def skip_whitespace() -> None:
        nonlocal position, line
        start = position
        while position < len(text) and text[position] in _WHITESPACE:
            position += 1
        line += text.count("\n", start, position)

    def decode() -> Any:
        nonlocal position, line
        start = position
        try:
            value, position = _DECODER.raw_decode(text, position)
        except RecursionError:
            raise FormatError(name, line, TOO_DEEP) from None
        except json.JSONDecodeError as error:
            raise FormatError(
                name, error.lineno + first_line - 1, f"not valid JSON ({error.msg}, column {error.colno})"
            ) from None
        line += text.count("\n", start, position)
        return value

    skip_whitespace()
    if position < len(text) and text[position] == "[":
        position += 1
        skip_whitespace()
        if position < len(text) and text[position] == "]":
            position += 1
        else:
            while True:
                item_line = line
                yield item_line, decode()
                skip_whitespace()
                if position < len(text) and text[position] == ",":
                    position += 1
                    skip_whitespace()
                    continue
                if position < len(text) and text[position] == "]":
                    position += 1
                    break
                raise FormatError(name, line, "not valid JSON (expected ',' or ']' after an array item)")
        skip_whitespace()
        if position < len(text):
            raise FormatError(name, line, "unexpected data after the JSON array")
        return
    while position < len(text):
        value_line = line
        yield value_line, decode()
        skip_whitespace()


def _peek(handle: IO, size: int) -> bytes | str:
    """The first bytes of a stream, left in it to be read again."""
    peek = getattr(handle, "peek", None)
    if peek is not None:
        return peek(size)[:size]
    if handle.seekable():
        position = handle.tell()
        head = handle.read(size)
        handle.seek(position)
        return head
    return b""


def _text_lines(handle: IO[bytes], name: str, codec: str) -> Iterator[tuple[int, str]]:
    """Lines of a stream in a codec whose newline is more than one byte. Decoded
    whole (the import's size limit bounds it) so a bad byte is named by its offset."""
    data = handle.read()
    text = data if isinstance(data, str) else _decode_wide(data, name, codec)
    yield from enumerate(io.StringIO(text, newline=""), 1)


def _lines(handle: IO, name: str, encoding: str | None) -> Iterator[tuple[int, bytes | str]]:
    """(line number, line) with the line decoded where it has to be before it can be
    split (UTF-16 and UTF-32, named or announced by a byte-order mark)."""
    head = _peek(handle, 4)
    codec = encoding or (bom_encoding(head) if isinstance(head, bytes) else None)
    if codec is not None and is_wide(codec):
        return _text_lines(handle, name, codec)
    return enumerate(handle, 1)


def _loads(line: str, name: str, lineno: int) -> Any:
    try:
        return json.loads(line)
    except RecursionError:
        raise FormatError(name, lineno, TOO_DEEP) from None


def iter_json_lines(source: Source, *, encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON lines file.

    A file whose first line is not JSON on its own but whose content is a JSON
    document (a pretty-printed object, several of them, or an array) is read as that
    document instead, so a ``.jsonl`` that was pretty-printed still imports.
    """
    name = source_name(source)
    codec = encoding or "utf-8"
    with open_source(source) as handle:
        first = True
        lines = _lines(handle, name, encoding)
        for lineno, raw in lines:
            line = _decode_line(raw, name, lineno, codec)
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if not line.strip():
                continue
            try:
                value = _loads(line, name, lineno)
            except json.JSONDecodeError as error:
                problem = FormatError(name, lineno, f"not valid JSON ({error.msg}, column {error.colno})")
                if not first:
                    raise problem from None
                if isinstance(raw, str):  # already decoded: the rest comes from the same reader
                    rest = "".join(str(text) for _, text in lines)
                else:
                    rest = _decode_line(handle.read(), name, lineno + 1, codec)
                whole = line + rest
                values = iter_json_document(whole, name, lineno)
                try:
                    first_value = next(values)
                except (FormatError, StopIteration):
                    raise problem from None
                yield first_value
                yield from values
                return
            first = False
            yield lineno, value


def load_json_document(source: Source, *, encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line, value) for each top-level item of a JSON file (see iter_json_document)."""
    name = source_name(source)
    data = read_all(source)
    if isinstance(data, bytes):
        codec = encoding or bom_encoding(data) or "utf-8"
        try:
            text = data.decode(codec).removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            if is_wide(codec):
                raise FormatError(
                    name, None, f"not valid {codec.upper()} ({error.reason} at byte offset {error.start})"
                ) from None
            line, where = _byte_position(data, error.start)
            raise FormatError(name, line, f"not valid UTF-8 ({where})") from None
        except LookupError:
            raise FormatError(name, None, f"unknown encoding {encoding!r}") from None
    else:
        text = data
    yield from iter_json_document(text, name)


def expect_object(value: Any, name: str, line: int) -> dict:
    if not isinstance(value, dict):
        raise FormatError(name, line, f"expected a JSON object, found {type(value).__name__}")
    return value


def record_text(record: dict, key: str, name: str, line: int) -> str:
    """The record's text, or an error that says the whole file was left out."""
    if key not in record:
        raise FormatError(
            name, line, f'record has no "{key}"; nothing from this file was imported '
            "(each file is imported whole or not at all)"
        )
    text = record[key]
    if not isinstance(text, str):
        raise FormatError(name, line, f'"{key}" must be a string, found {type(text).__name__}')
    return text


def optional_string(record: dict, key: str, name: str, line: int) -> str:
    """A string field that may be missing or null; anything else is refused rather
    than stored as its Python spelling."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormatError(name, line, f'"{key}" must be a string, found {type(value).__name__}')
    return value


def describe(error: Exception) -> str:
    """A structural problem in a record, said plainly."""
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    if isinstance(error, AttributeError):
        return "an object was expected"
    return str(error)


def stable_int(*parts: str, bits: int = 64, signed: bool = False) -> int:
    """An int of ``bits`` bits taken from the SHA-256 of ``parts``, so that ids and
    hashes derived from content are the same in every export, on every machine."""
    if not 0 < bits <= 64:
        raise ValueError(f"bits must be between 1 and 64, not {bits}")
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    value = int.from_bytes(digest[:8], "big") >> (64 - bits)
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def json_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def is_path(source: Any) -> bool:
    return isinstance(source, (str, os.PathLike))


def as_path(source: Source) -> Path:
    return Path(os.fspath(source))  # type: ignore[arg-type]
