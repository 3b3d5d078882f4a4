"""The rows of the annotation panel: a span's three lines (label and annotator, the
quote in a few words of its context, the note) and, one line each, its values and
links (``panel_links.py``).

Rows have two heights, so where a row starts is counted rather than multiplied:
three lines for each row before it, less two for each link row before it, found by
bisecting the few link rows. A held key in a long list stays a bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text

from margin.store.model import Annotation

from ..text.sanitise import one_line, sanitise, shorten
from .lazy_list import LazyList
from .panel_links import SPAN_LINES, is_span_key, link_line

if TYPE_CHECKING:
    from .annotation_panel import AnnotationPanel

SortKey = tuple[Any, ...]
"""A span's (start, -end, id); a line under it extends that key (``panel_links``)."""

NO_COLOR = "#888888"
FAR = 1 << 62
"""Past any offset: ``(offset, -FAR, "")`` sorts before every key starting at offset."""
CONTEXT_WORDS = 5
"""Words of the text shown on either side of a quote, as far as the width allows
(from the span's stored prefix and suffix, so no document text is needed)."""


def reading_order(annotation: Annotation) -> SortKey:
    """Where an annotation stands in the panel: by start, the longest first."""
    return (annotation.start, -annotation.end, annotation.id)


def _fit(text: str, cells: int, *, keep_end: bool) -> str:
    """The start (or with ``keep_end`` the end) of ``text`` that fits ``cells``, with
    an ellipsis where it was cut; one pass over the characters it keeps."""
    if cell_len(text) <= cells:
        return text
    if cells <= 0:
        return ""
    kept: list[str] = []
    room = cells - 1
    for character in reversed(text) if keep_end else text:
        room -= cell_len(character)
        if room < 0:
            break
        kept.append(character)
    if keep_end:
        return "…" + "".join(reversed(kept))
    return "".join(kept) + "…"


def context_line(annotation: Annotation, width: int) -> Text:
    """The quote on one line with a few words of the text before and after it, dim,
    so that two spans quoting the same word can be told apart. The words come from the
    span's own prefix and suffix (stored with it, as a W3C TextQuoteSelector has them)."""
    prefix, suffix = annotation.prefix, annotation.suffix
    words = one_line(sanitise(prefix)).split(" ") if prefix.strip() else []
    if words and annotation.start > len(prefix) and not prefix[0].isspace():
        words = words[1:]  # the stored prefix began inside a word
    before = " ".join(words[-CONTEXT_WORDS:])
    words = one_line(sanitise(suffix)).split(" ") if suffix.strip() else []
    if words and not suffix[-1].isspace():
        words = words[:-1]  # and the suffix may end inside one
    after = " ".join(words[:CONTEXT_WORDS])
    if before and prefix[-1].isspace():
        before += " "
    if after and suffix[0].isspace():
        after = " " + after
    quote = f"“{shorten(annotation.quote, max(1, width - 2))}”"
    room = max(0, width - cell_len(quote))
    before = _fit(before, max(room // 2, room - cell_len(after)), keep_end=True)
    after = _fit(after, room - cell_len(before), keep_end=False)
    line = Text(before, style="dim")
    line.append(quote)
    line.append(after, style="dim")
    return line


def annotation_lines(annotation: Annotation, color: str, width: int) -> list[Text]:
    """Three lines: label, annotator and status (if not accepted); the quote in a few
    words of context; the note, if any."""
    heading = Text()
    heading.append("■ ", style=color)
    heading.append(sanitise(annotation.label), style="bold")
    heading.append(f" · {sanitise(annotation.annotator)}", style="dim")
    if annotation.status != "accepted":
        heading.append(f" · {annotation.status}", style="italic")
    quote = context_line(annotation, width)
    note = Text(f"✎ {shorten(annotation.note, max(1, width - 2))}", style="italic") if annotation.note else Text()
    return [heading, quote, note]


class AnnotationRows(LazyList):
    """The entries of an `AnnotationPanel`: three lines a span, one a line under it."""

    HELP_TITLE = "Annotation panel"

    ROW_HEIGHT = SPAN_LINES

    def __init__(self, panel: AnnotationPanel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panel = panel

    def row_key(self, index: int) -> Hashable:
        return self.panel.shown_keys[index]

    def render_row(self, index: int, width: int) -> list[Text]:
        panel = self.panel
        key = panel.shown_keys[index]
        if not is_span_key(key):
            return [link_line(panel.link_rows[key], width, panel.label_colors)]
        annotation = panel.annotation_at(index)
        return annotation_lines(annotation, panel.label_colors.get(annotation.label, NO_COLOR), width)

    # A link row is one line: row i starts 3 lines a row down, less 2 for each link
    # row before it (a bisection in the few link rows).

    def row_top(self, index: int) -> int:
        panel = self.panel
        keys = panel.shown_keys
        if index >= len(keys):
            return SPAN_LINES * len(keys) - 2 * len(panel.shown_extra)
        return SPAN_LINES * index - 2 * bisect_left(panel.shown_extra, keys[index])

    def row_lines(self, index: int) -> int:
        keys = self.panel.shown_keys
        return SPAN_LINES if index >= len(keys) or is_span_key(keys[index]) else 1

    def row_at(self, line: int) -> int:
        low, high = 0, len(self.panel.shown_keys)
        if line >= self.row_top(high):
            return high
        while high - low > 1:
            middle = (low + high) // 2
            if self.row_top(middle) <= line:
                low = middle
            else:
                high = middle
        return low
