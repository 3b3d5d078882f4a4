"""HTML pages: the article's title and main text, extracted by trafilatura.

trafilatura (and lxml under it) is imported only when an HTML file is actually read,
so commands that never see HTML start fast. Paragraphs are separated by a blank
line, as in the plain-text articles margin reads, so paragraph motions work alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import FormatError
from ..model import DocumentRecord
from .common import Source, Warn, decode_text, read_all, source_name

# Fewer words than this is what trafilatura finds on a page without an article
# (a lone link, a navigation bar), not an article to annotate.
MIN_WORDS = 5


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    import trafilatura

    name = source_name(source)
    data = read_all(source)
    if isinstance(data, bytes) and (encoding or b"\x00" in data):
        data = decode_text(data, name, encoding=encoding, warn=warn)
    extracted = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=True
    )
    text = getattr(extracted, "text", None) or ""
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    words = sum(len(paragraph.split()) for paragraph in paragraphs)
    if words < MIN_WORDS:
        found = f" (only {words} word{'s' if words != 1 else ''})" if words else ""
        raise FormatError(name, None, f"no article text found in this HTML page{found}")
    meta = {
        key: value
        for key in ("url", "author", "date", "sitename", "description")
        if (value := getattr(extracted, key, None))
    }
    headings = _headings(getattr(extracted, "body", None), paragraphs)
    if headings:
        meta["headings"] = headings
    yield DocumentRecord(
        text="\n\n".join(paragraphs),
        title=getattr(extracted, "title", None) or "",
        source=meta.get("url", ""),
        meta=meta,
        line=1,
    )


def _headings(body: Any, paragraphs: list[str]) -> list[list[int]]:
    """``[offset, level]`` of the page's h1–h3 in the text, for the reader's table of
    contents: the text keeps no mark of them, but trafilatura's tree does (as
    ``<head rend="h2">``), and each is one of the text's paragraphs, in order."""
    if body is None:
        return []
    wanted = [
        (" ".join("".join(head.itertext()).split()), int(rend[1]))
        for head in body.iter("head")
        if (rend := head.get("rend", "")) in ("h1", "h2", "h3")
    ]
    found: list[list[int]] = []
    offset = 0
    for paragraph in paragraphs:
        if len(found) < len(wanted) and " ".join(paragraph.split()) == wanted[len(found)][0]:
            found.append([offset, wanted[len(found)][1]])
        offset += len(paragraph) + 2
    return found
