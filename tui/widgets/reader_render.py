"""How the reader draws: one `Strip` per row, styled by label, annotator, selection,
search match and cursor, with an overlap mark in the gutter.

`render_line` is the hot path (every visible row of every frame), so strips are cached by
everything that changes their look, and styles by the few facts that decide them; both
caches are dropped when the theme or the label scheme changes. A mixin of `Reader`.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from margin.store.model import Annotation
from margin.tui.text.rows import Row
from margin.tui.text.search import Matches

from .label_style import color_depth, span_style
from .reader_view import GUTTER, ReaderView

OVERLAP_MARK = "┃"
NOTE_MARK = "✎"
"""In the gutter's second cell, on the row where a span with a note ends: the text
keeps its cells, so offsets and columns stay as they are."""
LINK_MARK = "⊸"
"""In the same cell, on the row where a linked span starts (a note's mark wins)."""
STRIP_CACHE = 512
"""Rendered rows kept: several screens, so scrolling back and forth repaints nothing."""
MY_TINT = 0.45
OTHER_TINT = 0.22


class ReaderRender(ReaderView):
    """Styles and strips of the `Reader`."""

    if TYPE_CHECKING:
        _matches: Matches | None  # the search's, kept by `ReaderSearch`

        @property
        def partners(self) -> frozenset[str]: ...  # `ReaderLinks`
        def is_linked(self, annotation_id: str) -> bool: ...

    # -- styles ------------------------------------------------------------------------

    def _restyle(self) -> None:
        self._style_generation += 1
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_generation += 1
        self._styles.clear()
        self._strips.clear()

    def _label_color(self, label: str) -> Color:
        known = self._labels.get(label)
        try:
            return Color.parse(known.color if known else "#888888")
        except Exception:
            return Color.parse("#888888")

    def _span_style(self, annotation: Annotation, nested: bool) -> Style:
        mine = self._me is None or annotation.annotator == self._me
        suggested = annotation.status in ("suggested", "pending")  # pending: queued, not yet saved
        key = ("span", annotation.label, mine, suggested, nested)
        style = self._styles.get(key)
        if style is None:
            background = self.background_colors[1]
            strength = MY_TINT if mine and not suggested else OTHER_TINT
            # The tint, or at fewer colours a look that keeps labels apart: label_style.py.
            names = list(self._labels)
            style = span_style(
                [label.color for label in self._labels.values()],
                names.index(annotation.label) if annotation.label in self._labels else -1,
                background=background, strength=strength, depth=color_depth(self.app),
                mine=mine, suggested=suggested, nested=nested,
            )
            self._styles[key] = style
        return style

    def _base_style(self) -> Style:
        style = self._styles.get(("base",))
        if style is None:
            style = self._styles[("base",)] = self.rich_style
        return style

    def _current_selection(self) -> tuple[int, int] | None:
        """`selection`, computed once per cursor position rather than once per row."""
        key = (self._anchor, self.cursor)
        if self._selection_memo[0] != key:
            self._selection_memo = (key, self.selection)
        return self._selection_memo[1]

    def _component(self, name: str) -> Style:
        key = ("component", name)
        style = self._styles.get(key)
        if style is None:
            style = self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    def _cell_style(
        self, base: Style, covering: list[Annotation], selected: bool, matched: bool, cursor: bool,
        partner: bool = False,
    ) -> Style:
        inner = min(covering, key=lambda a: a.end - a.start) if covering else None
        key = (
            "cell",
            (inner.label, inner.annotator, inner.status, len(covering) > 1) if inner else None,
            selected,
            matched,
            cursor,
            partner,
        )
        style = self._styles.get(key)
        if style is None:
            style = base
            if inner is not None:
                style += self._span_style(inner, len(covering) > 1)
            if partner:
                style += self._component("reader--partner")
            if matched and inner is None:  # a labelled match shows its label, not the search
                style += self._component("reader--search-match")
            if selected:
                style += self._component("reader--selection")
            if cursor:
                style += self._component("reader--cursor")
            self._styles[key] = style
        return style

    # -- strips ------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._geometry[0]
        row = round(self.scroll_y) + y
        if self._layout is None:
            return Strip.blank(self.scrollable_content_region.width, self._base_style())
        header = len(self._header)
        if row < header:
            return self._header_strip(row, width)
        row -= header
        text_row = self._layout.row(row)
        if row >= self._layout.row_count:
            return Strip.blank(width, self._base_style())
        return self._text_strip(text_row, width)

    def _header_strip(self, row: int, width: int) -> Strip:
        key = ("header", row, self._geometry, self._style_generation)
        strip = self._strips.get(key)
        if strip is None:
            base = self._base_style()
            text, component = self._header[row]
            style = base + self._component(component) if component else base
            padding = self._geometry[2] + GUTTER
            strip = Strip([Segment(" " * padding, base), Segment(text, style)]).adjust_cell_length(width, base)
            self._strips[key] = strip
        return strip

    def _matches_in(self, start: int, stop: int) -> tuple[tuple[int, int], ...]:
        matches = self._matches
        return () if matches is None else matches.within(start, stop)

    def _text_strip(self, row: Row, width: int) -> Strip:
        base = self._base_style()
        if row.gap:
            return Strip.blank(width, base)
        start, stop = row.start, row.stop
        spans = self._index.overlapping(start, stop) if len(self._index) else []
        selection = self._current_selection()
        selected = None
        if selection is not None and selection[0] < stop and selection[1] > start:
            selected = (max(selection[0], start), min(selection[1], stop))
        cursor = self.cursor
        cursor_here = start <= cursor < stop or (start == stop == cursor == len(self._text))
        matches = self._matches_in(start, stop)
        partners = self.partners
        key = (
            start,
            stop,
            self._geometry,
            tuple(
                (a.start, a.end, a.label, a.status, a.annotator, bool(a.note), a.id in partners, self.is_linked(a.id))
                for a in spans
            ),
            selected,
            cursor if cursor_here else None,
            matches,
            self._style_generation,
            self._me,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._build_strip(row, width, base, spans, selected, cursor if cursor_here else None, matches)
            self._strips[key] = strip
        return strip

    def _build_strip(
        self,
        row: Row,
        width: int,
        base: Style,
        spans: list[Annotation],
        selected: tuple[int, int] | None,
        cursor: int | None,
        matches: tuple[tuple[int, int], ...],
    ) -> Strip:
        start, stop = row.start, row.stop
        points = {start, stop}
        for annotation in spans:
            points.add(max(annotation.start, start))
            points.add(min(annotation.end, stop))
        if selected is not None:
            points.update(selected)
        for match in matches:
            points.update(match)
        if cursor is not None:
            points.add(cursor)
            points.add(min(row.cluster_end(cursor), stop))
        boundaries = sorted({row.cluster_start(point) if point < row.end else point for point in points})
        segments = [Segment(" " * self._geometry[2], base)] if self._geometry[2] else []
        segments.extend(self._gutter(spans, start, stop, base))
        text = self._text
        partners = self.partners
        for low, high in pairwise(boundaries):
            covering = [a for a in spans if a.start <= low < a.end]
            style = self._cell_style(
                base,
                covering,
                selected is not None and selected[0] <= low < selected[1],
                any(m_start <= low < m_end for m_start, m_end in matches),
                cursor is not None and cursor <= low < row.cluster_end(cursor),
                bool(partners) and any(a.id in partners for a in covering),
            )
            segments.append(Segment(row.display(text, low, high), style))
        used = self._geometry[2] + GUTTER + row.cells + row.newline
        if cursor is not None and start == stop:
            segments.append(Segment(" ", base + self._component("reader--cursor")))
            used += 1
        if used > width:  # spaces hanging past a narrow pane
            return Strip(segments).crop(0, width)
        segments.append(Segment(" " * (width - used), base))
        # The layout measured every cell already: no need for Strip to measure again.
        return Strip(segments, width)

    def _gutter(self, spans: list[Annotation], start: int, stop: int, base: Style) -> list[Segment]:
        """An overlap mark when two spans share an offset on this row, and a note mark
        when a span with a note ends on it (else a link mark when a linked span starts
        on it): one cell each, the gutter's two."""
        overlap = Segment(" ", base)
        reach = -1
        for annotation in spans:
            if annotation.start < reach and max(annotation.start, start) < min(reach, stop):
                color = self._label_color(annotation.label).rich_color
                overlap = Segment(OVERLAP_MARK, base + Style(color=color, bold=True))
                break
            reach = max(reach, annotation.end)
        note = Segment(" ", base)
        for annotation in spans:
            if annotation.note and start <= annotation.end - 1 < stop:
                color = self._label_color(annotation.label).rich_color
                note = Segment(NOTE_MARK, base + Style(color=color, bold=True))
                break
        else:
            for annotation in spans:
                if start <= annotation.start < stop and self.is_linked(annotation.id):
                    color = self._label_color(annotation.label).rich_color
                    note = Segment(LINK_MARK, base + Style(color=color, bold=True))
                    break
        return [overlap, note, Segment(" " * (GUTTER - 2), base)] if GUTTER > 2 else [overlap, note]
