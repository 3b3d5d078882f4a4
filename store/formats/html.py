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
    if not paragraphs:
        raise FormatError(name, None, "no article text found in this HTML page")
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
