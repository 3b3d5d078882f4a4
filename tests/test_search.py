"""Search in the reader: terms across hard-wrapped line breaks, whole words (`*`, `#`,
tab in the prompt), smart-case, "n of m" in the status line, the wrap notice, labelled
matches drawn in their label's tint, and landing on a full-text hit from the list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, go, messages, pilot_test, running, sample_db
from rich.cells import cell_len
from rich.style import Style
from textual.pilot import Pilot

from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.reading import set_position
from margin.tui.app import MarginApp
from margin.tui.screens.search_prompt import SearchPrompt
from margin.tui.text.search import Matches, parse_term, toggle_whole_word
from margin.tui.widgets.reader import Reader
from margin.tui.widgets.reader_search import WRAPPED_BACKWARD, WRAPPED_FORWARD


@pytest.fixture
def book(corpus: Path) -> str:
    return (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")


@pytest.fixture
def library(db_location: str, book: str) -> tuple[str, str, str]:
    """The seed article and War and Peace: (database, seed id, book id), on each backend."""
    path = db_location
    seed_id = sample_db(path)
    db = open_database(path)
    document, _ = add_document(db, book, title="War and Peace", source="pg2600.txt")
    db.close()
    return path, seed_id, document.id


def whole_words(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)]


def painted(reader: Reader, offset: int) -> Style:
    """The style the reader draws the character at ``offset`` with."""
    cell = reader.offset_to_cell(offset)
    strip = reader.render_line(cell.y - round(reader.scroll_offset.y))
    position = 0
    for segment in strip:
        width = cell_len(segment.text)
        if position <= cell.x < position + width:
            assert segment.style is not None
            return segment.style
        position += width
    raise AssertionError(f"offset {offset} is not drawn")


async def counted(pilot: Pilot) -> None:
    """Let the background count of a long text finish and reach the status line."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def status(app: MarginApp) -> str:
    return app.main.status.render().plain


async def search(pilot: Pilot, term: str) -> None:
    await pilot.press("slash")
    assert isinstance(pilot.app.screen, SearchPrompt)
    await pilot.press("ctrl+u", *term, "enter")
    await counted(pilot)


# -- the pattern ---------------------------------------------------------------------------


def test_whitespace_runs_match_each_other_and_case_is_smart() -> None:
    text = "family\nestates of  the\n\tBuonapartes; Estates"
    term = parse_term("estates of the Buonapartes")
    assert term is not None and term.pattern.search(text).span() == (7, 35)
    assert parse_term("estates\nof the   buonapartes").pattern.search(text) is not None  # vice versa
    assert [m.start() for m in parse_term("estates").pattern.finditer(text)] == [7, 37]
    assert [m.start() for m in parse_term("Estates").pattern.finditer(text)] == [37]  # a capital: exact case
    assert parse_term("   ") is None and parse_term("\\<\\>") is None


def test_a_term_typed_without_accents_matches_with_them_and_one_with_them_only_itself(book: str) -> None:
    text = "Natásha, NATÁSHA and Natasha met Kutúzov; nata\u0301sha wrote. Café, cafe."
    spans = lambda typed: [m.group() for m in parse_term(typed).pattern.finditer(text)]  # noqa: E731
    assert spans("natasha") == ["Natásha", "NATÁSHA", "Natasha", "nata\u0301sha"]  # combining marks too
    assert spans("Natasha") == ["Natásha", "Natasha"]  # a capital: exact case, accents still free
    assert spans("Natásha") == ["Natásha"] and spans("café") == ["Café"]  # an accent typed: exact
    assert spans("\\<kutuzov\\>") == ["Kutúzov"] and spans("cafe") == ["Café", "cafe"]
    assert spans("Kutuzov; nata") == ["Kutúzov; nata\u0301"]  # punctuation literal, the mark kept with its letter
    # War and Peace marks stress: "Kutuzov" and "Natasha" are written only with accents there.
    assert "Kutuzov" not in book and "Natasha" not in book
    kutuzov = Matches(parse_term("Kutuzov"), book).count()
    assert len(kutuzov) == book.count("Kutúzov") > 500
    assert all(book[start:end] == "Kutúzov"
               for start, end in zip(kutuzov.starts or [], kutuzov.ends or []))


def test_whole_word_markers_and_the_toggle() -> None:
    text = "assist this is his island; is."
    assert [m.start() for m in parse_term("is").pattern.finditer(text)] == [3, 9, 12, 16, 19, 27]
    assert [m.start() for m in parse_term("\\<is\\>").pattern.finditer(text)] == [12, 27]
    assert [m.start() for m in parse_term("\\<is").pattern.finditer(text)] == [12, 19, 27]
    assert toggle_whole_word("is") == "\\<is\\>" and toggle_whole_word("\\<is\\>") == "is"


def test_counted_matches_answer_as_the_uncounted_search_does(book: str) -> None:
    """Before and after counting, the same next, previous and per-row answers: counting
    only makes them bisections."""
    term = parse_term("the Emperor")
    assert term is not None
    fresh, full = Matches(term, book), Matches(term, book).count()
    starts = [m.start() for m in term.pattern.finditer(book)]
    assert list(full.starts or []) == starts and len(full) == len(starts) > 100
    for offset in (0, starts[3], starts[3] + 1, len(book) // 2, starts[-1], len(book) - 1):
        assert fresh.after(offset) == full.after(offset)
        assert fresh.before(offset) == full.before(offset)
        assert fresh.within(offset, offset + 300) == full.within(offset, offset + 300)
    assert full.after(starts[-1]) == full.first(0)  # wraps
    assert full.before(starts[0]) == (starts[-1], starts[-1] + len("the Emperor"))
    assert full.number_at(starts[2] + 3) == 3 and full.number_at(starts[2] - 1) is None


# -- the keys, on War and Peace ------------------------------------------------------------


@pilot_test
async def test_a_term_matches_across_a_reflowed_line_break(library: tuple[str, str, str], book: str) -> None:
    path, _seed, book_id = library
    app = app_for(path, open_doc_id=book_id)
    hit = book.index("estates of the\nBuonapartes")
    async with running(app) as pilot:
        reader = app.main.reader
        # The screen shows the line break as a space, within one row.
        assert reader.offset_to_cell(hit).y == reader.offset_to_cell(hit + len("estates of the ")).y
        await search(pilot, "estates of the Buonapartes")
        assert reader.cursor == hit
        assert "Not found" not in " ".join(messages(app))
        assert "1 of 1" in status(app)
        assert painted(reader, hit + len("estates of the")).underline  # the newline is part of the match


@pilot_test
async def test_n_of_m_in_the_status_line_and_the_wrap_notices(library: tuple[str, str, str], book: str) -> None:
    path, _seed, book_id = library
    app = app_for(path, open_doc_id=book_id)
    starts = whole_words(book, "Natásha")
    async with running(app) as pilot:
        reader = app.main.reader
        await search(pilot, "\\<Natásha\\>")
        assert reader.cursor == starts[0]
        assert f"1 of {len(starts)}" in status(app)
        await pilot.press("n", "n")
        assert reader.cursor == starts[2] and f"3 of {len(starts)}" in status(app)
        assert WRAPPED_FORWARD not in messages(app)
        await pilot.press("N", "N", "N")
        assert reader.cursor == starts[-1] and f"{len(starts)} of {len(starts)}" in status(app)
        assert WRAPPED_BACKWARD in messages(app) and WRAPPED_FORWARD not in messages(app)
        await pilot.press("n")
        assert reader.cursor == starts[0] and WRAPPED_FORWARD in messages(app)
        await pilot.press("w")
        assert f"{len(starts)} matches" in status(app)  # off a match: how many there are


@pilot_test
async def test_a_long_text_is_counted_once_per_term_not_per_key(
    library: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _seed, book_id = library
    calls: list[str] = []
    count = Matches.count

    def counting(self: Matches) -> Matches:
        calls.append(self.term.typed)
        return count(self)

    monkeypatch.setattr(Matches, "count", counting)
    app = app_for(path, open_doc_id=book_id)
    async with running(app) as pilot:
        await search(pilot, "Pierre")
        await pilot.press(*"nnnnnNNNnn")
        await counted(pilot)
        assert "5 of " in status(app)
        assert calls == ["Pierre"]


@pilot_test
async def test_star_searches_the_word_under_the_cursor_as_a_whole_word(
    library: tuple[str, str, str], book: str
) -> None:
    path, _seed, book_id = library
    app = app_for(path, open_doc_id=book_id)
    words = whole_words(book, "is")
    parts = [m.start() for m in re.finditer("is", book, re.IGNORECASE)]
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, words[0])
        await pilot.press("asterisk")
        await counted(pilot)
        # The next "is" as a word, past "this", "his", "Antichrist" and the like.
        assert reader.cursor == words[1] and parts.index(words[1]) > parts.index(words[0]) + 1
        assert reader.search_term == "\\<is\\>" and f"2 of {len(words)}" in status(app)
        await pilot.press("number_sign", "number_sign")
        assert reader.cursor == words[-1]
        # `/` offers the word again, markers and all.
        await pilot.press("slash")
        assert app.screen.query_one("#search-input").value == "\\<is\\>"
        await pilot.press("escape")


# -- the keys, on the seed article ---------------------------------------------------------


@pilot_test
async def test_tab_in_the_prompt_asks_for_whole_words(db_location: str) -> None:
    path = db_location
    sample_db(path)
    app = app_for(path)
    inside = SAMPLE.index("assist")
    word = whole_words(SAMPLE, "is")[0]
    assert inside < word
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, 0)
        await search(pilot, "is")
        assert reader.cursor == SAMPLE.index("is", 1)  # "is" in "administration"
        await go(pilot, 0)
        await pilot.press("slash", "ctrl+u", "i", "s", "tab")
        assert app.screen.query_one("#search-input").value == "\\<is\\>"
        await pilot.press("enter")
        assert reader.cursor == word  # past "assist"
        await pilot.press("n")
        assert reader.cursor == whole_words(SAMPLE, "is")[1]


@pilot_test
async def test_a_labelled_match_shows_its_labels_tint(db_location: str) -> None:
    path = db_location
    sample_db(path)
    app = app_for(path)
    first = SAMPLE.index("Mayorkas")
    second = SAMPLE.index("Mayorkas", first + 1)
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, 0)
        await search(pilot, "Mayorkas")
        assert reader.cursor == first
        search_match = painted(reader, first + 2)
        assert search_match.underline and search_match == painted(reader, second + 2)
        await pilot.press("2")  # person: the word under the cursor
        await pilot.pause()
        [span] = reader.annotations_at(first)
        assert (span.start, span.end, span.label) == (first, first + len("Mayorkas"), "person")
        labelled = painted(reader, first + 2)
        tint = reader._span_style(span, False)
        assert labelled.bgcolor == tint.bgcolor != search_match.bgcolor
        assert not labelled.underline
        assert painted(reader, second + 2) == search_match  # the unlabelled match keeps the highlight


@pilot_test
async def test_opening_a_full_text_hit_lands_on_it_highlighted(library: tuple[str, str, str], book: str) -> None:
    path, seed_id, book_id = library
    app = app_for(path, open_doc_id=seed_id)
    hit = book.index("Mimi")
    async with running(app) as pilot:
        await pilot.press("ctrl+b", *"Mimi")
        await pilot.pause()
        assert app.main.documents.ids() == [book_id]
        await pilot.press("enter")
        await counted(pilot)
        reader = app.main.reader
        assert reader.document.id == book_id and reader.cursor == hit
        assert reader.search_term == "Mimi" and painted(reader, hit + 1).underline
        assert "/Mimi 1 of" in status(app)
        await pilot.press("n")
        assert reader.cursor == book.index("Mimi", hit + 1)


@pilot_test
async def test_finding_a_book_by_its_title_keeps_the_reading_position(library: tuple[str, str, str]) -> None:
    path, seed_id, book_id = library
    db = open_database(path)
    set_position(db, book_id, "tester", 1_000_000)
    db.close()
    app = app_for(path, open_doc_id=seed_id)
    async with running(app) as pilot:
        await pilot.press("ctrl+b", *"War and")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        reader = app.main.reader
        assert reader.document.id == book_id
        assert reader.cursor == 1_000_000 and reader.search_term is None


def test_an_empty_term_gets_no_markers_and_spaces_alone_are_no_search() -> None:
    assert toggle_whole_word("") == ""
    assert toggle_whole_word(toggle_whole_word("is")) == "is"
    assert parse_term("   ") is None
