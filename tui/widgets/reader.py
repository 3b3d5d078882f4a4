"""The reader: one document wrapped to a reading measure, spans coloured by label, a
keyboard cursor and a vim-style visual selection.

It is a Line API widget: `virtual_size` covers the whole wrapped document and
`render_line` draws only the rows on screen, so a 3 MB book with ten thousand spans opens
as fast as a short article. A text that separates paragraphs by blank lines is reflowed:
the single newlines of its hard-wrapped paragraphs are drawn as spaces and the paragraph
is wrapped to the measure, while a text with one paragraph per line gets a blank row
after each line. Wrapping, word/sentence/paragraph boundaries and span lookup live in
`margin.tui.text`, which knows nothing of Textual; this widget turns them into strips and
key bindings. It never touches the database: the app hands it `store.model`
objects and listens for `Reader.CursorMoved`.

| keys | action |
|---|---|
| left/h right/l | previous / next character |
| up/k down/j | previous / next wrapped line |
| w b, ) (, } { | next / previous word, sentence, paragraph |
| g G (ctrl+home ctrl+end) | start / end of the document |
| home end | start / end of the wrapped line |
| pageup pagedown space | pages |
| v | start / stop a selection (inclusive of the cursor character) |
| shift+arrows | extend the selection |
| W S P | select the word / sentence / paragraph under the cursor |
| escape | clear the selection |
| tab shift+tab | next / previous annotation |
| n N | next / previous match of the search term |
| * # | next / previous match of the word under the cursor, as a whole word |
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from margin.store.model import Annotation, Document, Label
from margin.tui.text.layout import Layout
from margin.tui.text.motion import TextMotion
from margin.tui.text.search import Matches
from margin.tui.text.span_index import SpanIndex

from ..recent import Recent
from .reader_links import ReaderLinks
from .reader_motion import ReaderMotions
from .reader_render import STRIP_CACHE, ReaderRender
from .reader_search import ReaderSearch
from .reader_suggestions import ReaderSuggestions, shown_for

RECENT_DOCUMENTS = 3


class Reader(ReaderSuggestions, ReaderLinks, ReaderSearch, ReaderMotions, ReaderRender, ScrollView, can_focus=True):
    """A keyboard-driven view of one document and its annotations.

    The class body holds the bindings, the reactives, the message and the public API;
    the helper mixins hold the rest: `ReaderView` (geometry and scrolling, in
    reader_view.py), `ReaderRender` (styles and strips, reader_render.py) and
    `ReaderMotions` (the key and mouse actions, reader_motion.py) and `ReaderSearch`
    (search matches, reader_search.py).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "cursor_left", "Left", show=False, id="reader.cursor_left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="reader.cursor_right"),
        Binding("up,k", "cursor_up", "Up", show=False, id="reader.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="reader.cursor_down"),
        Binding("w", "word_next", "Next word", show=False, id="reader.word_next"),
        Binding("b", "word_previous", "Previous word", show=False, id="reader.word_previous"),
        Binding(")", "sentence_next", "Next sentence", show=False, id="reader.sentence_next"),
        Binding("(", "sentence_previous", "Previous sentence", show=False, id="reader.sentence_previous"),
        Binding("}", "paragraph_next", "Next paragraph", show=False, id="reader.paragraph_next"),
        Binding("{", "paragraph_previous", "Previous paragraph", show=False, id="reader.paragraph_previous"),
        Binding("g,ctrl+home", "document_start", "Top", show=False, id="reader.document_start"),
        Binding("G,ctrl+end", "document_end", "Bottom", show=False, id="reader.document_end"),
        Binding("home", "line_start", "Line start", show=False, id="reader.line_start"),
        Binding("end", "line_end", "Line end", show=False, id="reader.line_end"),
        Binding("pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("v", "toggle_selection", "Select", id="reader.toggle_selection"),
        Binding("shift+left", "select_left", "Extend left", show=False, id="reader.select_left"),
        Binding("shift+right", "select_right", "Extend right", show=False, id="reader.select_right"),
        Binding("shift+up", "select_up", "Extend up", show=False, id="reader.select_up"),
        Binding("shift+down", "select_down", "Extend down", show=False, id="reader.select_down"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="reader.clear_selection"),
        Binding("W", "select_word", "Select word (again: the next too)", show=False, id="reader.select_word"),
        Binding("S", "select_sentence", "Select sentence (again: the next too)", show=False, id="reader.select_sentence"),
        Binding("P", "select_paragraph", "Select paragraph (again: the next too)", show=False, id="reader.select_paragraph"),
        Binding("tab", "annotation_next", "Next span", id="reader.annotation_next"),
        Binding("shift+tab", "annotation_previous", "Previous span", show=False, id="reader.annotation_previous"),
        Binding("n", "search_next", "Next match", show=False, id="reader.search_next"),
        Binding("N", "search_previous", "Previous match", show=False, id="reader.search_previous"),
        Binding("asterisk", "search_word", "Search word", show=False, id="reader.search_word",
                tooltip="Search for the word under the cursor as a whole word, forwards"),
        Binding("number_sign", "search_word_backward", "Search word back", show=False,
                id="reader.search_word_backward",
                tooltip="Search for the word under the cursor as a whole word, backwards"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--cursor",
        "reader--selection",
        "reader--search-match",
        "reader--header",
        "reader--source",
        "reader--gutter",
        "reader--partner",
    }

    DEFAULT_CSS = """
    Reader {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        height: 1fr;
    }
    Reader > .reader--cursor { text-style: reverse; }
    Reader > .reader--selection { background: $foreground 40%; }
    Reader > .reader--search-match { background: $warning 50%; text-style: underline; }
    Reader > .reader--header { text-style: bold; }
    Reader > .reader--source { color: $text-muted; text-style: italic; }
    Reader > .reader--gutter { color: $text-muted; }
    Reader > .reader--partner { text-style: bold underline; }
    """

    cursor: reactive[int] = reactive(0, init=False, repaint=False)
    """Code-point offset of the cursor in `document.text`."""

    reading_width: reactive[int] = reactive(88, init=False, repaint=False)
    """The measure in cells; text is centred when the widget is wider."""

    class CursorMoved(Message):
        """The cursor or the selection changed. Bursts coalesce into the latest."""

        def __init__(self, reader: Reader, offset: int, selection_length: int, position: float) -> None:
            super().__init__()
            self.reader = reader
            self.offset = offset
            self.selection_length = selection_length
            self.position = position
            """Per cent through the document."""

        @property
        def control(self) -> Reader:
            return self.reader

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Reader.CursorMoved) and message.reader is self.reader

    class SearchChanged(Message):
        """The search term or its count changed (counting a long text ends later)."""

        def __init__(self, reader: Reader) -> None:
            super().__init__()
            self.reader = reader

        @property
        def control(self) -> Reader:
            return self.reader

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Reader.SearchChanged) and message.reader is self.reader

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.document: Document | None = None
        self._text = ""
        self._layout: Layout | None = None
        self._motion: TextMotion | None = None
        self._labels: dict[str, Label] = {}
        self._annotations: dict[str, Annotation] = {}
        self._index = SpanIndex()
        self._me: str | None = None
        self._visible_annotators: set[str] | None = None
        self._anchor: int | None = None
        self._selected_unit: str | None = None  # the unit W/S/P last selected, to grow it
        self._goal_column: int | None = None
        self._search: re.Pattern[str] | None = None
        self._matches: Matches | None = None
        self._header: list[tuple[str, str]] = []
        self._geometry = (0, 0, 0)  # (pane width, measure, left padding)
        self.width_hint: int | None = None
        """The text's width before the first layout has measured it, so a document
        loaded before the first screen is laid out once, not twice."""
        self._centre_pending = False  # centre the cursor once the widget has a size
        self._refiner: Timer | None = None
        self._selection_memo: tuple[tuple[int | None, int], tuple[int, int] | None] = ((None, -1), None)
        self._style_generation = 0
        self._styles: dict[tuple, Style] = {}
        self._strips: LRUCache[tuple, Strip] = LRUCache(STRIP_CACHE)
        self._init_links()
        self._init_suggestions()
        self._recent: Recent[str, tuple[TextMotion, Layout]] = Recent(RECENT_DOCUMENTS)
        """The motions and layout of documents shown lately, by id: going back to a book
        (`[` after `]`) does not find its paragraphs again. An id is its text's hash, so
        what is cached under it never goes stale."""

    # -- public API ----------------------------------------------------------------

    def load(
        self,
        document: Document,
        annotations: Iterable[Annotation],
        labels: Iterable[Label],
        *,
        cursor: int = 0,
    ) -> None:
        """Show `document`; the cursor starts at `cursor` (scrolled into view)."""
        self.document = document
        self._text = document.text
        self._geometry = self._measure()
        recent = self._recent.get(document.id)
        if recent is None:
            self._motion = TextMotion(self._text)
            blank_lines = self._motion.blank_lines
            self._layout = Layout(self._text, self._geometry[1], paragraph_gap=not blank_lines, reflow=blank_lines)
            self._recent[document.id] = (self._motion, self._layout)
        else:
            self._motion, self._layout = recent
            self._layout.set_width(self._geometry[1])
        self._labels = {label.name: label for label in labels}
        self._annotations = {annotation.id: annotation for annotation in annotations}
        self._rebuild_index()
        self._init_links()
        self._anchor = None
        self._selection_memo = ((None, -1), None)
        self._goal_column = None
        self._search = None
        self._matches = None
        self._styles.clear()
        self._strips.clear()
        self._build_header()
        self._update_virtual_size()
        self._start_refining()
        self.set_reactive(Reader.cursor, self.validate_cursor(cursor))
        self.scroll_to(y=0, animate=False)
        self._centre_pending = True
        self._scroll_to_cursor(centre=True)
        self.refresh()
        self._post_cursor_moved()

    def set_labels(self, labels: Iterable[Label]) -> None:
        """Replace the label scheme (colours and keys)."""
        self._labels = {label.name: label for label in labels}
        self._restyle()

    @property
    def annotations(self) -> list[Annotation]:
        """Every annotation the reader holds, in no particular order."""
        return list(self._annotations.values())

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Replace every annotation; cursor, selection and scroll position stay."""
        self._annotations = {annotation.id: annotation for annotation in annotations}
        self._rebuild_index()
        self._strips.clear()
        self._update_partners()
        self.refresh()

    def upsert_annotation(self, annotation: Annotation) -> None:
        """Add an annotation or replace the one with its id, repainting only its rows."""
        previous = self._annotations.get(annotation.id)
        self._annotations[annotation.id] = annotation
        self._index.remove(annotation.id)
        shown = shown_for(annotation, self._visible_annotators, self._hidden_suggestions)
        if shown:
            self._index.add(annotation)
        self._index_suggestion(annotation, shown)
        if previous is not None:
            self._refresh_offsets(previous.start, previous.end)
        self._refresh_offsets(annotation.start, annotation.end)
        self._links_moved(annotation.id)

    def has_annotation(self, annotation_id: str) -> bool:
        """Whether the reader holds it: a row that moved to another document leaves."""
        return annotation_id in self._annotations

    def remove_annotation(self, annotation_id: str) -> None:
        previous = self._annotations.pop(annotation_id, None)
        self._index.remove(annotation_id)
        self._suggested.remove(annotation_id)
        if previous is not None:
            self._refresh_offsets(previous.start, previous.end)
        self._links_moved(annotation_id)

    def set_viewer(self, me: str | None, visible: set[str] | None) -> None:
        """`me` is the current annotator; only spans by annotators in `visible` are shown
        (None shows everyone's). Other annotators' spans are drawn underlined and paler."""
        self._me = me
        self._visible_annotators = None if visible is None else set(visible)
        self._rebuild_index()
        self._styles.clear()
        self.refresh()

    @property
    def selection(self) -> tuple[int, int] | None:
        """``[start, end)`` of the selection, including the character under the cursor."""
        if self._anchor is None or self._layout is None:
            return None
        low = min(self._anchor, self.cursor)
        high = min(self._layout.cluster_end(max(self._anchor, self.cursor)), len(self._text))
        return (low, high) if low < high else None

    def target_span(self) -> tuple[int, int] | None:
        """What a label key applies to: the selection, else the word under the cursor."""
        selection = self.selection
        if selection is not None:
            return selection
        if self._motion is None:
            return None
        return self._motion.word_at(self.cursor)

    def annotations_at(self, offset: int | None = None) -> list[Annotation]:
        """Visible annotations covering `offset` (default: the cursor), innermost first."""
        return self._index.at(self.cursor if offset is None else offset)

    def clear_selection(self) -> None:
        if self._anchor is None:
            return
        old = self.selection
        self._anchor = None
        if old is not None:
            self._refresh_offsets(*old)
        self._post_cursor_moved()

    def move_to(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor (extending the selection when `select`), and scroll it into
        view, centred when it was far away."""
        if select:
            if self._anchor is None:
                self._anchor = self.cursor
        else:
            self.clear_selection()
        self._goal_column = None
        self.cursor = offset
        self._scroll_to_cursor()

    @property
    def text_layout(self) -> Layout | None:
        """The wrapped document at the current measure (None before `load`)."""
        return self._layout

    # -- reactives -----------------------------------------------------------------

    def validate_cursor(self, offset: int) -> int:
        if self._layout is None:
            return 0
        offset = min(max(offset, 0), max(len(self._text) - 1, 0))
        return self._layout.cluster_start(offset)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._anchor is not None:
            self._refresh_offsets(min(old, new), max(old, new))
        else:
            self._refresh_offsets(old, old)
        self._refresh_offsets(new, new)
        self._update_partners()
        self._scroll_to_cursor()
        self._post_cursor_moved()

    def watch_reading_width(self) -> None:
        self._relayout()

    # -- index and messages ---------------------------------------------------------

    def _rebuild_index(self) -> None:
        visible, hidden = self._visible_annotators, self._hidden_suggestions
        shown = [a for a in self._annotations.values() if shown_for(a, visible, hidden)]
        self._index = SpanIndex(shown)
        self._suggested = SpanIndex(a for a in shown if a.status == "suggested")

    def _post_cursor_moved(self) -> None:
        selection = self.selection
        length = selection[1] - selection[0] if selection else 0
        total = max(len(self._text) - 1, 1)
        self.post_message(self.CursorMoved(self, self.cursor, length, 100.0 * self.cursor / total))

    def _search_changed(self) -> None:
        self.post_message(self.SearchChanged(self))

    # -- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let escape, n and N fall through to the app when they have nothing to do here."""
        if action == "clear_selection":
            return self._anchor is not None
        if action in ("search_next", "search_previous"):
            return self._search is not None
        return True
