"""HTML pages: the article's title and main text, extracted by trafilatura.

trafilatura (and lxml under it) is imported only when an HTML file is actually read,
so commands that never see HTML start fast. Paragraphs are separated by a blank
line, as in the plain-text articles margin reads, so paragraph motions work alike.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    yield DocumentRecord(
        text="\n\n".join(paragraphs),
        title=getattr(extracted, "title", None) or "",
        source=meta.get("url", ""),
        meta=meta,
        line=1,
    )
