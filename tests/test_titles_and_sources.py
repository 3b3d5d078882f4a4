"""Titles and sources: a Gutenberg book's ``Title:`` line, a file-name title for a text
that opens with prose, ``margin open`` by the start of a title, the file name (not
the path) in the reader header, and a web page's author, site and date in the header
and in ``Y``'s citation."""

from __future__ import annotations

import io
from pathlib import Path

import pyperclip
import pytest
from app_support import app_for, go, messages, pilot_test, running
from click.testing import CliRunner
from conftest import CORPUS

from margin.store.db import open_database
from margin.store.documents import add_document, get_document, list_documents
from margin.store.formats import text as text_format
from margin.store.formats.text import first_line_is_prose, gutenberg_title, title_from_file_name
from margin.store.model import document_id, normalise_newlines
from margin.tui import app as app_module
from margin.tui.app import MarginApp
from margin.tui.cli import cli
from margin.tui.sources import wrap_source

WAR = CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt"
SWANN = CORPUS / "gutenberg" / "pg7178_swanns_way.utf8.txt"
URL = "https://news.example.com/world/2024/03/05/migrants-cross-the-darien-gap"
PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Migrants cross the Darien Gap | Example News</title>
<meta property="og:title" content="Migrants cross the Darien Gap">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="{URL}">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Migrants cross the Darien Gap</h1>
<p>More than 500,000 people crossed the jungle between Colombia and Panama last year,
according to figures from the Panamanian government.</p>
<p>Aid groups say the number of children making the crossing has risen sharply since 2021.</p>
</article></body></html>
"""


def run_margin(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def titles(db_path: Path) -> dict[str, str]:
    db = open_database(db_path)
    try:
        return {document.title: document.id for document in list_documents(db)}
    finally:
        db.close()


@pytest.fixture
def books(tmp_path: Path) -> Path:
    db = tmp_path / "books.db"
    result = run_margin(db, "import", str(WAR), str(SWANN))
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


def header(app: MarginApp) -> list[str]:
    reader = app.main.reader
    return [reader.render_line(y).text.strip() for y in range(len(reader._header))]


# -- titles ------------------------------------------------------------------------------


def test_import_titles_a_gutenberg_book_by_its_header_and_prose_by_its_file_name(books: Path) -> None:
    found = titles(books)
    assert "Swann's Way" in found  # from "Title: Swann's Way", not "The Project Gutenberg EBook of…"
    assert "War and Peace" in found  # the novel opens mid-dialogue: “Well, Prince, so Genoa…


def test_a_document_already_stored_keeps_its_title(tmp_path: Path) -> None:
    db_path = tmp_path / "kept.db"
    db = open_database(db_path)
    text = normalise_newlines(WAR.read_text(encoding="utf-8"))
    add_document(db, text, title="Tolstoy, my copy")
    db.close()
    result = run_margin(db_path, "import", str(WAR))
    assert result.exit_code == 0, result.output
    db = open_database(db_path)
    try:
        assert get_document(db, document_id(text)).title == "Tolstoy, my copy"  # type: ignore[union-attr]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("pg2600_war_and_peace.utf8.txt", "War and Peace"),
        ("/some/folder/pg2600_war_and_peace.cp1252.txt", "War and Peace"),
        ("field-notes_on_the-delta.md", "Field Notes on the Delta"),
        ("the_waves.txt", "The Waves"),
        ("pg2600.txt", "pg2600"),
    ],
)
def test_title_from_file_name(name: str, title: str) -> None:
    assert title_from_file_name(name) == title


@pytest.mark.parametrize(
    ("first_line", "prose"),
    [
        ("“Well, Prince, so Genoa and Lucca are now just family estates of the", True),
        ("and so the story begins where the last one ended", True),
        ("A sentence " * 20, True),
        ("'No re-draft' for EU patent law", False),  # a BBC headline opening with a quote
        ("iTunes now selling Band Aid song", False),
        ("US agrees to pay for flights, help Panama deport migrants", False),
        ("# a heading in lower case", False),
    ],
)
def test_first_line_is_prose(first_line: str, prose: bool) -> None:
    assert first_line_is_prose(f"\n{first_line}\nmore text follows here\n") is prose


def test_a_prose_opening_from_a_stream_is_left_to_the_default_title() -> None:
    [record] = text_format.read(io.BytesIO(b"and then it rained.\n"))
    assert record.title == ""  # no file name to take a title from: the store uses the first line


# -- margin open by title -------------------------------------------------------------------


def test_open_war_opens_war_and_peace_with_the_file_name_in_the_header(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[MarginApp] = []
    real_make_app = app_module.make_app

    def capture(*args: object, **kwargs: object) -> MarginApp:
        app = real_make_app(*args, **kwargs)  # type: ignore[arg-type]
        app.cursor_blink = False
        monkeypatch.setattr(app, "run", lambda: None)
        made.append(app)
        return app

    monkeypatch.setattr(app_module, "make_app", capture)
    result = run_margin(books, "open", "war")
    assert result.exit_code == 0, result.output

    @pilot_test
    async def scenario() -> None:
        async with running(made[0]) as pilot:
            shown = header(pilot.app)  # type: ignore[arg-type]
            assert pilot.app.main.reader.document.title == "War and Peace"  # type: ignore[attr-defined]
            assert shown[0] == "War and Peace"
            assert "pg2600_war_and_peace.utf8.txt" in shown
            assert not any(str(CORPUS) in row or "/" in row for row in shown)

    scenario()


def test_open_by_a_title_start_several_titles_share_is_refused(books: Path) -> None:
    db = open_database(books)
    add_document(db, "A short story.\n", title="Warp drive")
    db.close()
    result = run_margin(books, "open", "war")
    assert result.exit_code != 0
    assert "begins several titles" in result.output
    assert "'War and Peace'" in result.output and "'Warp drive'" in result.output


# -- web pages: byline, URL, citation ---------------------------------------------------------


@pytest.fixture
def page(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "darien.html"
    path.write_text(PAGE, encoding="utf-8")
    db = tmp_path / "web.db"
    result = run_margin(db, "import", str(path))
    assert result.exit_code == 0, result.output
    return db, titles(db)["Migrants cross the Darien Gap"]


@pilot_test
async def test_a_web_page_header_shows_its_byline_and_its_url_wrapped_at_separators(page) -> None:
    db, doc_id = page
    app = app_for(db, open_doc_id=doc_id)
    async with running(app, size=(60, 30)) as pilot:
        shown = header(pilot.app)  # type: ignore[arg-type]
    # What trafilatura extracts from the page's meta: author, site name, and the date only.
    assert "Jane Doe · Example News · 2024-03-05" in shown
    url_rows = shown[shown.index("Jane Doe · Example News · 2024-03-05") + 1 : -1]
    assert "".join(url_rows) == URL
    assert len(url_rows) > 1
    assert all(row[-1] in "/?&#=_.-" for row in url_rows[:-1])  # never cut inside a word


@pilot_test
async def test_Y_cites_author_title_site_date_and_url(page, clipboard: list[str]) -> None:
    db, doc_id = page
    app = app_for(db, open_doc_id=doc_id)
    async with running(app) as pilot:
        await go(pilot, app.main.reader.document.text.index("More than"))  # type: ignore[union-attr]
        await pilot.press("v", *["l"] * 16, "Y")
    assert clipboard == [
        f"“More than 500,000” — Jane Doe, Migrants cross the Darien Gap, Example News, 2024-03-05, {URL}"
    ]
    assert any(message.startswith("Copied citation") for message in messages(app))


@pilot_test
async def test_Y_on_a_book_cites_its_file_name_not_its_path(books: Path, clipboard: list[str]) -> None:
    app = app_for(books, open_doc_id=titles(books)["War and Peace"])
    async with running(app) as pilot:
        await go(pilot, 1)
        await pilot.press("v", *["l"] * 3, "Y")
    assert clipboard == ["“Well” — War and Peace, pg2600_war_and_peace.utf8.txt"]


def test_wrap_source_breaks_after_separators_and_cuts_only_an_overlong_part() -> None:
    assert wrap_source("pg2600_war_and_peace.utf8.txt", 12) == ["pg2600_war_", "and_peace.", "utf8.txt"]
    assert wrap_source("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    assert wrap_source("The Christian Post — Samantha Kamman", 20) == ["The Christian Post —", "Samantha Kamman"]
    assert wrap_source("x\x1by", 10) == ["x␛y"]


@pytest.mark.parametrize(
    "first_line",
    ['Merkel: „Wir schaffen das“', 'Apple unveils 27" iMac', "de Blasio wins primary"],
)
def test_headlines_with_quotes_or_a_lower_case_particle_stay_titles(first_line: str) -> None:
    assert not first_line_is_prose(first_line + "\n\nThe story.\n")


def test_a_gutenberg_title_carried_on_an_indented_line_is_whole() -> None:
    head = "The Project Gutenberg eBook\n\nTitle: The Strange Case of Dr. Jekyll\n       and Mr. Hyde\n\nAuthor: R. L. S.\n"
    assert gutenberg_title(head) == "The Strange Case of Dr. Jekyll and Mr. Hyde"


def test_a_word_made_of_hex_letters_is_a_title_start_not_an_id(fresh_db) -> None:
    from margin.store.documents import add_document, resolve_document

    aces, _ = add_document(fresh_db, "Aces high, the story.", title="Aces High")
    for number in range(40):  # some id will start with a hex word
        add_document(fresh_db, f"Filler article number {number}.")
    assert resolve_document(fresh_db, "ace").id == aces.id
    assert resolve_document(fresh_db, aces.id[:8]).id == aces.id
