"""Where a document came from, as the reader header and ``Y``'s citation put it.

The store keeps a file's absolute path as its source, which names the machine's
folders rather than the work; readers are shown the file name, and web pages their
URL. An HTML page's author, site and date (trafilatura's ``author``, ``sitename`` and
``date``, kept in the document's meta) make its byline.
"""

from __future__ import annotations

import os
import re

from rich.cells import cell_len

from margin.store.model import Document

from .text.sanitise import one_line, sanitise

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# A source row may break after these (or after a space): a file name or URL is one
# long word to the wrapper, but these end its parts.
_SOURCE_PIECE = re.compile(r"[^/?&#=_.\-\s]*(?:[/?&#=_.\-]+\s*|\s+|$)")


def _meta(document: Document, key: str) -> str:
    value = document.meta.get(key) if isinstance(document.meta, dict) else None
    return one_line(value) if isinstance(value, str) else ""


def source_label(source: str) -> str:
    """A URL as it is, a stored path as its file name, any other source as written."""
    source = one_line(source)
    if not source or _URL.match(source):
        return source
    if os.path.isabs(source):
        return os.path.basename(source.rstrip(os.sep)) or source
    return source


def byline(document: Document) -> str:
    """Author, site and date of a web page, those it has, joined by " · "."""
    return " · ".join(part for part in (_meta(document, key) for key in ("author", "sitename", "date")) if part)


def citation(quote: str, document: Document) -> str:
    """“quote” — author, title, site, date, URL or file name, leaving out what is missing."""
    source = source_label(document.source) or _meta(document, "url")
    parts = (
        _meta(document, "author"), one_line(document.title), _meta(document, "sitename"),
        _meta(document, "date"), source,
    )
    cited = ", ".join(part for part in parts if part)
    return f"“{one_line(quote)}” — {cited}" if cited else f"“{one_line(quote)}”"


def wrap_source(source: str, width: int) -> list[str]:
    """``source`` (made inert) in rows of at most ``width`` cells, broken after a
    space or a separator (``/ ? & # = _ . -``); only a part wider than a whole row
    is cut, where nothing better exists."""
    width = max(1, width)
    rows: list[str] = []
    row = ""
    for piece in _SOURCE_PIECE.findall(sanitise(source)):
        if not piece:
            continue
        if row and cell_len(row + piece.rstrip()) > width:
            rows.append(row.rstrip())
            row = ""
        while cell_len(piece.rstrip()) > width:
            cut, cells = 0, 0
            while cut < len(piece) and (cut == 0 or cells + cell_len(piece[cut]) <= width):
                cells += cell_len(piece[cut])
                cut += 1
            rows.append(piece[:cut])
            piece = piece[cut:]
        row += piece
    if row.strip():
        rows.append(row.rstrip())
    return rows
