"""The Textual floor for app_bench: the smallest Textual app that shows a text.

    python bench/app_bench_floor.py FILE [--db DB]

Shows the first 4,000 characters of FILE (or, with ``--db``, of the first document
of a margin database, read with plain sqlite3) in one ``Static``, and nothing else.
app_bench times it from launch to first screen in tmux, beside margin on the same
text, so that what Python and Textual cost before margin does anything is visible.
"""

from __future__ import annotations

import sqlite3
import sys

from textual.app import App, ComposeResult
from textual.widgets import Static

CHARS = 4_000


def text_of(argv: list[str]) -> str:
    if argv[:1] == ["--db"]:
        conn = sqlite3.connect(f"file:{argv[1]}?mode=ro", uri=True)
        row = conn.execute("select substr(text, 1, ?) from documents order by rowid limit 1", [CHARS]).fetchone()
        conn.close()
        return row[0] if row else ""
    with open(argv[0], encoding="utf-8") as handle:
        return handle.read(CHARS)


class Floor(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=False)


if __name__ == "__main__":
    Floor(text_of(sys.argv[1:])).run()
