"""Printing for commands: Rich tables for people, TSV and JSON for scripts.

Listings stream: rows are written as they are read, whatever the format, so a list
of a million rows costs no more memory than a list of ten. A table is drawn only on a
terminal, and only for what fits unless more is asked for; piped, a listing is TSV.
Every string that came from the database is made inert on its way out: shown with
``sanitise`` in tables, and as backslash escapes in TSV and JSON, which keep the data
for scripts while staying inert on a terminal that shows them (``less``, ``cat``).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, cast

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..text.sanitise import escape_unsafe, sanitise
from .context import ListingOptions

CHUNK_ROWS = 200
"""Rows per Rich table when a long listing is drawn on a terminal: each chunk is drawn
as it is read, with the same column widths, so chunks line up as one table."""
COLUMN_GAP = 3
"""Cells between two columns of a table (padding and separator)."""
TABLE_CHROME = 4
"""Lines of a screen a table leaves for other things: its header and rule, the line
saying how many more rows there are, and the shell prompt."""


@dataclass(frozen=True, slots=True)
class Terminal:
    width: int
    height: int


def terminal() -> Terminal | None:
    """stdout's size when it is a terminal, None when it is a pipe or a file.

    The one place that asks; tests replace it to draw tables without a terminal."""
    if not sys.stdout.isatty():
        return None
    size = shutil.get_terminal_size()
    return Terminal(size.columns, size.lines)


def console(stderr: bool = False, width: int | None = None) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def json_text(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON that is inert on a terminal: non-ASCII text stays readable,
    every control character is a ``\\u`` escape, and parsing gives back the same value.

    ``json.dumps`` escapes C0 controls itself, but with ``ensure_ascii=False`` it writes
    DEL, the C1 controls (CSI is U+009B) and bidirectional overrides as they are."""
    return escape_unsafe(json.dumps(value, ensure_ascii=False, indent=indent), json=True)


def print_json(value: Any) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    sys.stdout.write(json_text(value, indent=2) + "\n")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_cell(value: object) -> str:
    """A TSV field: tabs, newlines and backslashes escaped as ``\\t``, ``\\n``, ``\\\\``,
    and every other control character as ``\\x1b`` (``\\u202e`` above U+00FF)."""
    if value is None:
        return ""
    return escape_unsafe(str(value).translate(_TSV_ESCAPES))


JSON_EXPORTS = ("margin", "prodigy", "doccano", "label-studio", "w3c")
"""Export formats written as JSON, where an escape keeps the data exactly."""


class _CleanedStream:
    """A text stream whose writes go through ``clean`` first; the rest is the stream's."""

    def __init__(self, stream: IO[str], clean: Callable[[str], str]) -> None:
        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        self._stream.write(self._clean(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _sanitise_keeping_line_ends(text: str) -> str:
    return sanitise(text).replace("\u240d\n", "\r\n")


def inert_export(stream: IO[str], format_name: str) -> IO[str]:
    """Standard output for an export. JSON formats write every unsafe character as a
    ``\\u`` escape, which is the same data; CSV has no escapes, so it is kept exact
    when piped and shown inert only when standard output is a terminal."""
    if format_name in JSON_EXPORTS:
        return cast(IO[str], _CleanedStream(stream, lambda text: escape_unsafe(text, json=True)))
    if terminal() is not None:
        return cast(IO[str], _CleanedStream(stream, _sanitise_keeping_line_ends))
    return stream


def table(*columns: str, title: str | None = None, numeric: tuple[str, ...] = ()) -> Table:
    """A plain table whose numeric columns are right-aligned; cells are never markup."""
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, justify="right" if column in numeric else "left")
    return result


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a listing's table. ``width`` None shares what the others leave."""

    name: str
    numeric: bool = False
    width: int | None = None


@dataclass
class Listing:
    """One listing command's rows and how each format shows a row.

    ``fetch(limit, offset)`` reads rows from the database (``limit`` None: all);
    ``count()`` is asked only when a table has to say how many rows it left out.
    ``columns``/``cells`` make the TSV; ``table_columns``/``table_cells`` the table
    (by default the same); ``record`` the JSON object of a row."""

    noun: str
    fetch: Callable[[int | None, int], Iterable[Any]]
    count: Callable[[], int]
    columns: Sequence[str]
    cells: Callable[[Any], Sequence[object]]
    record: Callable[[Any], dict]
    table_columns: Callable[[Terminal], Sequence[Column]] | None = None
    table_cells: Callable[[Any, Sequence[Column]], Sequence[object]] | None = None
    json_wrap: Callable[[Iterable[str]], Iterator[str]] | None = None
    """For ``--json`` shapes other than a bare array: given the rows' JSON texts,
    yields the whole document (see ``stats``)."""


def _fitted_columns(columns: Sequence[Column], width: int) -> list[Column]:
    fixed = sum(column.width or 0 for column in columns)
    flexible = [column for column in columns if column.width is None]
    left = max(8 * len(flexible), width - fixed - COLUMN_GAP * (len(columns) - 1) - 1)
    share = left // max(1, len(flexible))
    return [column if column.width is not None else Column(column.name, column.numeric, share) for column in columns]


def _chunk_table(columns: Sequence[Column], show_header: bool) -> Table:
    result = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        show_header=show_header,
        pad_edge=False,
        header_style="bold",
        collapse_padding=False,
    )
    for column in columns:
        result.add_column(
            Text(sanitise(column.name)),
            width=column.width,
            justify="right" if column.numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
        )
    return result


def _cell(value: object) -> Text:
    if isinstance(value, Text):
        return value  # styled by the command, its text already sanitised
    return Text(sanitise(str(value)).replace("\n", " ").replace("\t", " "))


def _print_table(listing: Listing, options: ListingOptions, screen: Terminal, out: Console) -> None:
    fits = max(1, screen.height - TABLE_CHROME)
    wanted = None if options.show_all else options.limit if options.limit is not None else fits
    # One row past what is shown says whether anything was left out, without a count.
    rows = iter(listing.fetch(None if wanted is None else wanted + 1, options.offset))
    declared = listing.table_columns(screen) if listing.table_columns else [Column(name) for name in listing.columns]
    columns = _fitted_columns(declared, screen.width)
    cells = listing.table_cells or (lambda row, _columns: listing.cells(row))
    shown = 0
    while True:
        take = CHUNK_ROWS if wanted is None else min(CHUNK_ROWS, wanted - shown)
        chunk = list(islice(rows, take))
        if chunk:
            result = _chunk_table(columns, show_header=shown == 0)
            for row in chunk:
                result.add_row(*(_cell(value) for value in cells(row, columns)))
            out.print(result)
            shown += len(chunk)
        if len(chunk) < take or take == 0:
            break
    more = wanted is not None and shown == wanted and next(rows, None) is not None
    if more:
        total = listing.count()
        out.print(
            f"{total - options.offset - shown:,} more {listing.noun} "
            f"({options.offset + 1:,}–{options.offset + shown:,} of {total:,}): "
            f"--offset {options.offset + shown}, --limit N or --all",
            markup=False,
            highlight=False,
        )
    elif shown == 0:
        out.print(f"no {listing.noun}" + (f" after the first {options.offset:,}" if options.offset else ""), markup=False)


def _json_rows(listing: Listing, rows: Iterable[Any], inert: bool, indent: int | None = None) -> Iterator[str]:
    for row in rows:
        record = listing.record(row)
        yield json_text(_sanitised(record) if inert else record, indent=indent)


def _sanitised(value: Any) -> Any:
    """Strings made inert for a terminal, keys included; the structure is kept."""
    if isinstance(value, str):
        return sanitise(value)
    if isinstance(value, dict):
        return {_sanitised(key): _sanitised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitised(item) for item in value]
    return value


def json_array(items: Iterable[str], indent: str = "  ", outer: str = "") -> Iterator[str]:
    """A JSON array written as its items come (each already indented JSON text), laid
    out as ``json.dumps(..., indent=2)`` lays out the whole list."""
    yield "["
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + indent + item.replace("\n", "\n" + indent)
        first = False
    yield "]" if first else f"\n{outer}]"


def emit(listing: Listing, options: ListingOptions, screen: Terminal | None = None) -> None:
    """Print a listing in the format asked for (a table on a terminal, TSV piped).

    ``screen``: the part of the terminal left for this table, when something was
    printed above it."""
    screen = screen or terminal()
    fmt = options.fmt or ("table" if screen is not None else "tsv")
    if fmt == "table" and screen is not None:
        _print_table(listing, options, screen, console(width=screen.width))
        return
    inert = screen is not None
    rows = listing.fetch(options.limit, options.offset)
    write = sys.stdout.write
    if fmt == "tsv":
        write("\t".join(map(tsv_cell, listing.columns)) + "\n")
        for row in rows:
            write("\t".join(tsv_cell(value) for value in listing.cells(row)) + "\n")
    elif fmt == "jsonl":
        for line in _json_rows(listing, rows, inert):
            write(line + "\n")
    else:
        wrap = listing.json_wrap or json_array
        for piece in wrap(_json_rows(listing, rows, inert, indent=2)):
            write(piece)
        write("\n")
