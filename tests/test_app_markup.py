"""Article text is data: markup and escape sequences show verbatim everywhere."""

from __future__ import annotations

from pathlib import Path

import pyperclip
import pytest
from app_support import app_for, go, messages, pilot_test, running

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document

TITLE = "[bold]Loud[/bold] title \x1b[31m"
TEXT = "Intro line.\nPlain [bold]x[/bold] then [link=http://x]here[/link] and \x1b[31mred\x1b[0m text.\n"


@pytest.fixture
def marked(db_location: str) -> str:
    path = db_location
    db = open_database(path)
    document, _ = add_document(db, TEXT, title=TITLE, source="[i]src[/i]")
    start = TEXT.index("[bold]x")
    add_annotation(db, document.id, start, start + len("[bold]x[/bold]"), "claim", annotator="tester",
                   note="[red]note[/red]")
    db.close()
    return path


def reader_lines(app) -> list[str]:
    reader = app.main.reader
    return [reader.render_line(y).text for y in range(reader.size.height)]


@pilot_test
async def test_markup_and_ansi_in_text_title_quote_and_note_stay_inert(marked: Path, monkeypatch) -> None:
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    app = app_for(marked)
    async with running(app) as pilot:
        screen = " ".join(" ".join(reader_lines(app)).split())
        assert "Plain [bold]x[/bold] then [link=http://x]here[/link] and ␛[31mred␛[0m text." in screen
        assert "\x1b" not in screen
        row = "\n".join(t.plain for t in app.main.documents.rows.render_row(0, 60))
        assert "[bold]Loud[/bold] title ␛[31m" in row
        panel = "\n".join(t.plain for t in app.main.annotation_panel.rows.render_row(0, 60))
        assert "“[bold]x[/bold]”" in panel and "[red]note[/red]" in panel
        await go(pilot, TEXT.index("[link"))
        await pilot.press("v", *["l"] * 15, "y")
        assert "Copied selection: [link=http://x]h" in messages(app)
