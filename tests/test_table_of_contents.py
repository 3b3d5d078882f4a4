"""The table of contents (`t`): headings of Markdown, of hard-wrapped books and of HTML
pages, the modal that filters them as you type and jumps to one, and the chapter the
status line shows, found by bisecting heading offsets rather than scanning per key."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, go, headings_found, messages, pilot_test, running, sample_db
from textual.widgets import Input, OptionList

from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.formats import html
from margin.store.model import Document
from margin.store.reading import set_position
from margin.tui.app import MarginApp
from margin.tui.recent import Recent
from margin.tui.screens.toc import TableOfContents
from margin.tui.text import headings as headings_module
from margin.tui.text.headings import Headings, find_headings, headings_of

MARKDOWN = """# Field notes

Some opening words about the trip.

## Getting there
The bus left at dawn.

```python
# not a heading: a comment in code
x = 1
```

### The border ###
We waited two hours.

#### Too deep to list
## Coming back
Home again.
"""


@pytest.fixture
def book(corpus: Path) -> str:
    return (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests in this process may have opened the same documents already."""
    monkeypatch.setattr(headings_module, "_CACHE", Recent(16))


def titles(text: str) -> list[str]:
    return [heading.title for heading in find_headings(text)]


# -- finding headings ------------------------------------------------------------------


def test_war_and_peace_books_chapters_and_epilogues(book: str) -> None:
    started = time.perf_counter()
    found = find_headings(book)
    elapsed = time.perf_counter() - started
    chapters = [h for h in found if h.title.startswith("CHAPTER ")]
    books = [h for h in found if h.title.startswith("BOOK ")]
    # This copy starts at the novel's first line, without "BOOK ONE: 1805" and "CHAPTER I".
    assert len(chapters) == 364 and chapters[0].title == "CHAPTER II"
    assert len(books) == 14 and books[0].title == "BOOK TWO: 1805" and books[-1].title == "BOOK FIFTEEN: 1812 - 13"
    assert [h.title for h in found if "EPILOGUE" in h.title] == ["FIRST EPILOGUE: 1813 - 20", "SECOND EPILOGUE"]
    assert len(found) == 364 + 14 + 2  # no letter signatures (JULIE, NAPOLEON), no proclamation
    assert {h.level for h in chapters} == {2} and {h.level for h in books} == {1}
    for heading in found:
        assert book[heading.start : heading.start + len(heading.title)] == heading.title
    assert elapsed < 0.5, f"{elapsed * 1000:.0f} ms for War and Peace"


def test_swanns_way_parts_without_its_contents_list(corpus: Path) -> None:
    text = (corpus / "gutenberg" / "pg7178_swanns_way.utf8.txt").read_text(encoding="utf-8")
    # The contents list names the parts one blank line apart; the parts themselves stand
    # after several, as does the title page.
    assert titles(text) == ["SWANN'S WAY", "OVERTURE", "COMBRAY", "SWANN IN LOVE", "PLACE-NAMES: THE NAME"]


def test_markdown_levels_outside_code_fences() -> None:
    found = find_headings(MARKDOWN)
    assert [(h.level, h.title) for h in found] == [
        (1, "Field notes"), (2, "Getting there"), (3, "The border"), (2, "Coming back"),
    ]
    assert found[0].start == 0
    assert MARKDOWN[found[1].start :].startswith("## Getting there")


def test_book_lines_numerals_and_what_is_prose() -> None:
    text = (
        "Part of the reason was the rain.\n\nChapter 1\n\nIt rained.\n\nXIV.\n\nMore rain.\n\n"
        "JULIE\n\nBook Two: The Sea\n\nEpilogue\n\nThe end."
    )
    assert [(h.level, h.title) for h in find_headings(text)] == [
        (2, "Chapter 1"), (2, "XIV."), (1, "Book Two: The Sea"), (1, "Epilogue"),
    ]


def test_the_chapter_before_an_offset_is_bisected() -> None:
    headings = Headings(find_headings(MARKDOWN))
    border = headings.items[2].start
    assert headings.at(border) == headings.items[2]
    assert headings.at(border - 1) == headings.items[1]
    assert Headings(find_headings("Prose.\n\n\n\nCHAPTER I\n\nText")).at(0) is None


def test_html_h1_to_h3_are_recorded_at_import() -> None:
    page = (
        "<html><head><title>Trip</title></head><body><article><h1>Field notes</h1>"
        f"<p>{'Some opening words about the trip. ' * 4}</p><h2>Getting there</h2>"
        f"<p>{'The bus left at dawn. ' * 4}</p><h3>The border</h3><p>We waited two hours at the border.</p>"
        "<h4>Too deep</h4><p>Nothing to see here at all, really.</p></article></body></html>"
    )
    record = next(html.read(io.BytesIO(page.encode())))
    document = Document("html-doc", record.text, meta=record.meta)
    found = headings_of(document).items
    assert [(h.level, h.title) for h in found] == [(1, "Field notes"), (2, "Getting there"), (3, "The border")]
    assert all(record.text[h.start :].startswith(h.title) for h in found)


def test_headings_are_found_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = headings_module.find_headings
    monkeypatch.setattr(headings_module, "find_headings", lambda text: calls.append(1) or real(text))
    document = Document("cached-doc", MARKDOWN + "\n")
    first = headings_of(document)
    assert headings_of(document) is first and len(calls) == 1


# -- in the app --------------------------------------------------------------------------


def library(db_location: str, text: str, title: str) -> tuple[Path, str]:
    path = db_location
    sample_db(path)
    db = open_database(path)
    document, _ = add_document(db, text, title=title, source="test")
    db.close()
    return path, document.id


def status(app: MarginApp) -> str:
    return app.main.status.render().plain


def listed(app: MarginApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pilot_test
async def test_t_filters_the_contents_and_enter_jumps_to_the_heading(
    db_location: str, book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, book_id = library(db_location, book, "War and Peace")
    found = find_headings(book)
    nine = next(h for h in found if h.title == "BOOK NINE: 1812")
    calls: list[int] = []
    real = headings_module.find_headings
    monkeypatch.setattr(headings_module, "find_headings", lambda text: calls.append(1) or real(text))
    app = app_for(path, open_doc_id=book_id)
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, found[5].start + 10)
        assert "§ CHAPTER VII" in status(app)
        await pilot.press("t")
        assert isinstance(app.screen, TableOfContents)
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(found)
        assert options.highlighted == 5  # the chapter the cursor is in
        assert listed(app)[found.index(nine)] == "BOOK NINE: 1812"
        assert listed(app)[found.index(nine) + 1] == "  CHAPTER I"  # chapters indented under books
        await pilot.press(*"book nine")
        assert listed(app) == ["BOOK NINE: 1812"]
        await pilot.press("enter")
        assert not isinstance(app.screen, TableOfContents)
        assert reader.cursor == nine.start and reader.has_focus
        assert "§ BOOK NINE: 1812" in status(app)
        await go(pilot, found[found.index(nine) + 1].start + 3)  # into CHAPTER I of book nine
        assert "§ CHAPTER I " in status(app)
        # escape clears the filter first, then closes without moving.
        await pilot.press("t", *"epilogue")
        assert len(listed(app)) == 2
        await pilot.press("escape")
        assert app.screen.query_one(Input).value == "" and len(listed(app)) == len(found)
        at = reader.cursor
        await pilot.press("escape")
        assert not isinstance(app.screen, TableOfContents) and reader.cursor == at
    assert len(calls) == 1  # once per document, not per key


@pilot_test
async def test_markdown_contents_and_a_document_without_headings(db_location: str) -> None:
    path, doc_id = library(db_location, MARKDOWN, "Field notes")
    found = find_headings(MARKDOWN)
    app = app_for(path, open_doc_id=doc_id)
    async with running(app) as pilot:
        reader = app.main.reader
        await pilot.press("t")
        assert listed(app) == ["Field notes", "  Getting there", "    The border", "  Coming back"]
        await pilot.press("down", "down", "enter")
        assert reader.cursor == found[2].start
        assert "§ The border" in status(app)
        await pilot.press("G")
        assert "§ Coming back" in status(app)
        await pilot.press("left_square_bracket")  # the sample article: no headings
        assert reader.document is not None and reader.document.text == SAMPLE
        assert "§" not in status(app)
        await pilot.press("t")
        assert not isinstance(app.screen, TableOfContents)
        assert "No headings in this document" in messages(app)


def test_a_hash_line_of_many_spaces_is_found_at_once() -> None:
    import time

    from margin.tui.text.headings import find_headings

    started = time.perf_counter()
    found = find_headings("# Title ##\n\n# a" + " " * 20_000 + "x\n" + "#" * 20_000 + "\n## Sub\n")
    assert time.perf_counter() - started < 0.5
    assert [(h.level, h.title) for h in found] == [(1, "Title"), (2, "Sub")]


@pilot_test
async def test_a_book_opens_before_its_headings_are_found_and_the_chapter_follows(
    db_location: str, book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, book_id = library(db_location, book, "War and Peace")
    seventh = find_headings(book)[5]
    db = open_database(path)
    set_position(db, book_id, "tester", seventh.start + 10)
    db.close()
    searched_on: list[str] = []
    real = headings_module.find_headings
    monkeypatch.setattr(
        headings_module, "find_headings", lambda text: searched_on.append(threading.current_thread().name) or real(text)
    )
    app = app_for(path, open_doc_id=book_id)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.main.reader.cursor == seventh.start + 10
        await headings_found(pilot)
        assert "§ CHAPTER VII" in status(app)
        assert len(searched_on) == 1 and searched_on[0] != threading.main_thread().name
        await pilot.press("j", "j", "w")  # keys while the chapter is known: no search again
        assert "§ CHAPTER VII" in status(app) and len(searched_on) == 1
