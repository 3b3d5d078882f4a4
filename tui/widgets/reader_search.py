"""The reader's search: jumping to the matches of a term (`/` from the screen, `n`, `N`,
`*` and `#` here), and knowing which of them the cursor is on.

What a term means and where it matches is `margin.tui.text.search`; this mixin owns the
current `Matches`, counts them once per term (off the event loop for a long text, so a
search in War and Peace answers before its thousands of matches are counted) and says
when a jump wraps around the document. A mixin of `Reader`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from margin.tui.text.search import Matches, Term, parse_term, whole_word

from .reader_view import ReaderView

COUNT_INLINE = 200_000
"""Texts shorter than this are counted at once: well under a frame, and the status line
never shows a count on its way."""

COUNT_GROUP = "reader-search-count"

WRAPPED_FORWARD = "Search hit BOTTOM, continuing at TOP"
WRAPPED_BACKWARD = "Search hit TOP, continuing at BOTTOM"


class ReaderSearch(ReaderView):
    """Search matches of the `Reader`."""

    if TYPE_CHECKING:
        _matches: Matches | None

        def _search_changed(self) -> None: ...

    # -- public API ----------------------------------------------------------------

    def search(self, term: str, *, forward: bool = True) -> bool:
        """Highlight every match of `term` and jump to the next one from the cursor,
        wrapping around; False (and no search) when there is none."""
        parsed = parse_term(term)
        if parsed is None:
            self._set_matches(None)
            return False
        return self._search_for(parsed, forward)

    def find_hit(self, term: str) -> bool:
        """Show the first match of `term` at or after the cursor (wrapping), quietly:
        a document opened from a full-text hit lands on it. A phrase the text does not
        hold, as the full-text search matches words apart, falls back to its longest
        word that it does."""
        candidates = [term, *sorted(set(term.split()), key=len, reverse=True)]
        for candidate in candidates:
            parsed = parse_term(candidate)
            if parsed is None:
                continue
            matches = Matches(parsed, self._text)
            hit = matches.first(self.cursor)
            if hit is not None:
                self._set_matches(matches)
                self.move_to(hit[0])
                return True
        return False

    @property
    def search_term(self) -> str | None:
        """The term being highlighted, as typed (markers included), if any."""
        return None if self._matches is None else self._matches.term.typed

    @property
    def search_position(self) -> tuple[int | None, int | None]:
        """``(number of the match under the cursor, how many there are)``: the number is
        None off a match, the count None while it is being counted. Bisections only."""
        matches = self._matches
        if matches is None or not matches.counted:
            return None, None
        return matches.number_at(self.cursor), len(matches)

    # -- actions -------------------------------------------------------------------

    def action_search_next(self) -> None:
        self._jump_to_match(forward=True)

    def action_search_previous(self) -> None:
        self._jump_to_match(forward=False)

    def action_search_word(self) -> None:
        """vim's `*`: the word under the cursor, as a whole word, forwards."""
        self._search_word(forward=True)

    def action_search_word_backward(self) -> None:
        """vim's `#`."""
        self._search_word(forward=False)

    def _search_word(self, forward: bool) -> None:
        word = self._motion.word_at(self.cursor) if self._motion is not None else None
        if word is None:
            self.app.bell()
            self.notify("No word under the cursor", severity="warning", markup=False)
            return
        parsed = parse_term(whole_word(self._text[word[0] : word[1]]))
        if parsed is not None:
            self._search_for(parsed, forward, from_offset=word[0])

    # -- helpers -------------------------------------------------------------------

    def _search_for(self, term: Term, forward: bool, from_offset: int | None = None) -> bool:
        matches = Matches(term, self._text)
        origin = self.cursor if from_offset is None else from_offset
        hit = matches.after(origin) if forward else matches.before(origin)
        if hit is None:
            self._set_matches(None)
            return False
        self._set_matches(matches)
        self._land(hit[0], origin, forward)
        return True

    def _jump_to_match(self, forward: bool) -> None:
        matches = self._matches
        if matches is None:
            self.app.bell()
            return
        hit = matches.after(self.cursor) if forward else matches.before(self.cursor)
        if hit is None:
            self.app.bell()
            return
        self._land(hit[0], self.cursor, forward)

    def _land(self, offset: int, origin: int, forward: bool) -> None:
        """Move onto a match, saying so when the search went round the document's end."""
        if forward and offset <= origin:
            self.notify(WRAPPED_FORWARD, severity="warning", timeout=2, markup=False)
        elif not forward and offset >= origin:
            self.notify(WRAPPED_BACKWARD, severity="warning", timeout=2, markup=False)
        self.move_to(offset)
        self._search_changed()

    def _set_matches(self, matches: Matches | None) -> None:
        """Make `matches` the highlighted search and start counting them."""
        self._matches = matches
        self._search = None if matches is None else matches.pattern
        self.refresh()
        if matches is not None and not matches.counted:
            if len(self._text) < COUNT_INLINE:
                matches.count()
            else:
                self.run_worker(matches.count, thread=True, group=COUNT_GROUP, exclusive=True, exit_on_error=False)
        self._search_changed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != COUNT_GROUP or event.state != WorkerState.SUCCESS:
            return
        event.stop()
        if worker.result is self._matches:
            self.refresh()  # the rows now draw from the counted matches
            self._search_changed()
