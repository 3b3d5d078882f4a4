"""The document list and the document picker: lazy rows from the store, filtering by
title and full text, neighbours, one-row updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import pilot_test
from textual.app import App, ComposeResult

from margin.store.annotations import add_annotation
from margin.store.database import Database
from margin.store.db import open_database
from margin.store.document_index import DocumentIndex
from margin.store.documents import DocumentSummary, add_document
from margin.store.model import Label
from margin.store.reading import set_position
from margin.tui.screens.document_picker import DocumentPicker
from margin.tui.widgets.document_list import DocumentList, document_row

LABELS = [Label(name="person", color="#ff0000"), Label(name="statistic", color="#00ff00")]
"""Two of the default labels, in the order the list shows their counts."""


class ListApp(App[None]):
    def __init__(self, db: Database, labels: list[Label] = LABELS) -> None:
        super().__init__()
        self.db = db
        self.labels = labels
        self.documents = DocumentList(id="documents")
        self.opened: list[str] = []
        self.left = 0

    def compose(self) -> ComposeResult:
        yield self.documents

    def on_mount(self) -> None:
        self.documents.attach(self.db, "tester", self.labels)
        self.documents.focus()

    def on_document_list_opened(self, message: DocumentList.Opened) -> None:
        self.opened.append(message.doc_id)

    def on_document_list_left(self, _message: DocumentList.Left) -> None:
        self.left += 1


def bulk_documents(db: Database, count: int) -> None:
    """``count`` short documents, inserted with raw SQL (the list never reads texts)."""
    if db.backend == "sqlite":
        db.execute("drop trigger if exists documents_ai")  # the full-text index, which the list never reads
    db.conn.executemany(
        "insert into documents (id, title, source, meta, text, length, added_at, added_by) "
        "values (?, ?, '', '{}', '', ?, '', '')",
        ((f"doc{n:06d}", f"Document {n}", 1000 + n) for n in range(count)),
    )
    db.conn.commit()


def fetched_rowids(statement: str) -> list[str]:
    """The rowids a summary query (as traced, values filled in) asked for."""
    return statement.split("rowid in (", 1)[1].split(")", 1)[0].split(", ")


def lines(app: App[None], widget_id: str = "#document-options") -> list[str]:
    """What the rows widget shows, line by line, as plain text."""
    widget = app.query_one(widget_id)
    return [
        "".join(segment.text for segment in widget.render_line(y)).rstrip()
        for y in range(widget.scrollable_content_region.height)
    ]


@pytest.fixture
def library(db_path: Path) -> tuple[Path, list[str]]:
    db = open_database(db_path)
    texts = [
        ("Harbour news", "The ferry left the harbour at dawn."),
        ("Mountain pass", "Snow closed the pass for the winter; the ferry did not run."),
        ("City council", "The council voted on the budget."),
    ]
    ids = [add_document(db, text, title=title)[0].id for title, text in texts]
    db.close()
    return db_path, ids


@pilot_test
async def test_a_hundred_thousand_documents_open_with_one_page_fetched(db_path: Path) -> None:
    db = open_database(db_path)
    bulk_documents(db, 100_000)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        shown = lines(app)
        assert shown[0].startswith("  Document 0 ")
        assert shown[1].startswith("  Document 1 ")
        assert app.documents.border_title == "Documents 100000"
        [summary_query] = [s for s in statements if s.startswith("select rowid, id, title")]
        assert len(fetched_rowids(summary_query)) <= 64
        assert len(statements) <= 5
        statements.clear()
        app.documents.rows.focus()
        await pilot.press("end")
        await pilot.pause()
        assert lines(app)[-1].startswith("  Document 99999 ")
        assert len([s for s in statements if s.startswith("select rowid, id, title")]) <= 2
        app.documents.focus()
        await pilot.press(*"ment 4242")
        assert app.documents.count == 100_000, "a long list filters once typing pauses"
        await pilot.pause(0.3)
        assert app.documents.ids() == ["doc004242", *(f"doc{n:06d}" for n in range(42420, 42430))]
    db.close()


@pilot_test
async def test_the_current_document_is_scrolled_into_view_on_opening(fresh_db: Database) -> None:
    bulk_documents(fresh_db, 1000)

    class MarkedApp(ListApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.documents.mark_current("doc000900")

    app = MarkedApp(fresh_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert any(line.startswith("▸ Document 900 ") for line in lines(app))


def test_index_fetches_pages_and_forgets_one_document(fresh_db: Database) -> None:
    bulk_documents(fresh_db, 1000)
    index = DocumentIndex(fresh_db, annotator="tester", page_size=50)
    assert len(index) == 1000
    assert index.summary(120).id == "doc000120"
    assert len(index._summaries) == 50
    assert index.summary(100).length == 1100
    index.invalidate("doc000120")
    assert len(index._summaries) == 49
    assert index.summary(120).id == "doc000120"
    assert index.index_of("doc000999") == 999
    assert index.index_of("missing") is None
    assert index.ids(0, 3) == ["doc000000", "doc000001", "doc000002"]


def test_index_filters_by_title_with_wildcards_taken_literally(fresh_db: Database) -> None:
    add_document(fresh_db, "one", title="100% sure")
    add_document(fresh_db, "two", title="1000 sure")
    add_document(fresh_db, "three", title="snake_case")
    add_document(fresh_db, "four", title="snakeXcase")
    index = DocumentIndex(fresh_db)
    index.filter("0%")
    assert [index.summary(i).title for i in range(len(index))] == ["100% sure"]
    index.filter("E_C")
    assert [index.summary(i).title for i in range(len(index))] == ["snake_case"]
    index.filter("")
    assert len(index) == 4


@pilot_test
async def test_typing_filters_by_title_and_full_text(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert app.documents.ids() == ids
        await pilot.press(*"council")
        await pilot.pause()
        assert app.documents.ids() == [ids[2]]
        assert app.documents.border_title == "Documents 1/3"
        app.documents.filter_input.value = "ferry"
        await pilot.pause()
        assert app.documents.ids() == [ids[0], ids[1]]
        assert lines(app)[:2][1].startswith("  Mountain pass")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == [ids[1]]
        await pilot.press("escape")
        await pilot.pause()
        assert app.documents.filter_input.value == "" and app.documents.count == 3
        await pilot.press("escape")
        await pilot.pause()
        assert app.left == 1
    db.close()


@pilot_test
async def test_neighbour_wraps_in_the_filtered_order(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        documents = app.documents
        assert documents.first() == ids[0]
        assert documents.neighbour(ids[0], 1) == ids[1]
        assert documents.neighbour(ids[2], 1) == ids[0]
        assert documents.neighbour(ids[0], -1) == ids[2]
        assert documents.neighbour(None, 1) == ids[0]
        documents.filter_input.value = "ferry"
        await pilot.pause()
        assert documents.neighbour(ids[1], 1) == ids[0]
        assert documents.neighbour(ids[2], 1) == ids[0]
    db.close()


@pilot_test
async def test_update_redraws_one_row_with_new_counts_and_progress(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        before = lines(app)
        add_annotation(db, ids[1], 0, 4, "person", annotator="tester")
        add_annotation(db, ids[1], 5, 9, "statistic", annotator="tester")
        add_annotation(db, ids[1], 10, 14, "statistic", annotator="tester")
        set_position(db, ids[1], "tester", 29)
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        app.documents.update(ids[1])
        await pilot.pause()
        after = lines(app)
        assert after[0] == before[0] and after[2] == before[2]
        assert after[1].startswith("  Mountain pass") and after[1].endswith(" 50% ■1 ■2")
        fetches = [s for s in statements if s.startswith("select rowid, id, title")]
        assert len(fetches) == 1 and fetched_rowids(fetches[0]) == ["2"]
        summary = app.documents.summary(ids[1])
        assert summary is not None and summary.counts == {"person": 1, "statistic": 2}
    db.close()


@pilot_test
async def test_mark_current_moves_the_marker_and_the_highlight(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        app.documents.mark_current(ids[2])
        await pilot.pause()
        assert lines(app)[2].startswith("▸ City council")
        assert app.documents.highlighted_id == ids[2]
        app.documents.mark_current(ids[0])
        await pilot.pause()
        shown = lines(app)
        assert shown[0].startswith("▸ Harbour news") and shown[2].startswith("  City council")
    db.close()


@pilot_test
async def test_a_click_opens_the_row(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    app = ListApp(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.click("#document-options", offset=(3, 2))
        await pilot.pause()
        assert app.opened == [ids[2]]
    db.close()


def test_long_titles_are_cut_to_the_width_and_made_inert() -> None:
    summary = DocumentSummary(id="x", title="Ann\x1b[31m report and more", source="", length=11, counts={"person": 3})
    row = document_row(summary, LABELS, current=False, width=24)
    assert row.plain == "  Ann\u241b[31m repo…   0% ■3"


@pilot_test
async def test_the_picker_dismisses_with_the_chosen_document(library: tuple[Path, list[str]]) -> None:
    path, ids = library
    db = open_database(path)
    chosen: list[str | None] = []

    class PickerApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(
                DocumentPicker("Open beside", db, annotator="tester", labels=LABELS, highlighted=ids[1]),
                chosen.append,
            )

    app = PickerApp()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert chosen == [ids[2]]
        app.push_screen(DocumentPicker("Open beside", db), chosen.append)
        await pilot.pause()
        await pilot.press(*"harbour", "escape", "escape")
        await pilot.pause()
        assert chosen == [ids[2], None]
    db.close()


def test_big_counts_shorten_before_the_title_disappears() -> None:
    from margin.store.documents import DocumentSummary
    from margin.store.model import Label
    from margin.tui.widgets.document_list import MIN_TITLE, document_row

    labels = [Label("claim", "1", "#ff0000"), Label("person", "2", "#00ff00"), Label("statistic", "3", "#0000ff")]
    small = DocumentSummary("a", "Harbour news", "", 100, counts={"claim": 2})
    assert "■2" in document_row(small, labels, current=False, width=40).plain
    book = DocumentSummary("b", "War and Peace", "", 3_000_000, counts={"claim": 3309, "person": 3348, "statistic": 3343})
    wide = document_row(book, labels, current=False, width=60).plain
    assert "■3309" in wide and "War and Peace" in wide
    corpus = DocumentSummary("c", "Every article", "", 9, counts={"claim": 12_345, "person": 12_345, "statistic": 12_345})
    medium = document_row(corpus, labels, current=False, width=34).plain
    assert "■12k ■12k ■12k" in medium and "Every artic" in medium
    narrow = document_row(book, labels, current=True, width=26).plain
    assert narrow.startswith("▸ War and Peace") and "Σ10k" in narrow and len(narrow) <= 26
    assert len(narrow.split("  ")[0]) >= MIN_TITLE


def test_versions_are_marked_and_an_older_one_is_dimmed(fresh_db: Database) -> None:
    from margin.store.version_moves import add_version

    old, _ = add_document(fresh_db, "The harbour reopened on Monday.\n", title="Harbour")
    new, _ = add_document(fresh_db, "The harbour reopened on Tuesday.\n", title="Harbour")
    other, _ = add_document(fresh_db, "Unrelated.\n", title="Other")
    add_version(fresh_db, old.id, new.id)
    index = DocumentIndex(fresh_db)
    summaries = {summary.id: summary for summary in (index.summary(i) for i in range(len(index))) if summary}
    assert (summaries[old.id].version, summaries[old.id].superseded) == (1, True)
    assert (summaries[new.id].version, summaries[new.id].superseded) == (2, False)
    assert summaries[other.id].version == 0
    old_row = document_row(summaries[old.id], LABELS, current=False, width=60)
    new_row = document_row(summaries[new.id], LABELS, current=False, width=60)
    assert "v1 old" in old_row.plain and "v2" in new_row.plain and "old" not in new_row.plain
    assert any("dim" in str(span.style) for span in old_row.spans if old_row.plain[span.start:span.end].startswith("Harbour"))
    assert "v" not in document_row(summaries[other.id], LABELS, current=False, width=60).plain.split("Other")[1]


def test_a_row_read_again_takes_its_length_from_the_cache(sqlite_db: Database) -> None:
    fresh_db = sqlite_db
    """The length column is stored after the text: a label key, which reads its
    document's row again, must not walk a whole book to get it."""
    book, _ = add_document(fresh_db, "A long text.\n" * 1000, title="Book")
    index = DocumentIndex(fresh_db)
    assert index.summary(0).length == len("A long text.\n" * 1000)
    statements: list[str] = []
    fresh_db.conn.set_trace_callback(statements.append)
    index.invalidate(book.id)
    assert index.summary(0).length == len("A long text.\n" * 1000)
    fresh_db.conn.set_trace_callback(None)
    assert statements and not any("length" in statement for statement in statements)


@pilot_test
async def test_scrolling_a_long_list_by_a_row_leaves_its_scrollbar_undrawn(fresh_db: Database) -> None:
    """In a list of thousands, a scroll of one row moves the thumb by nothing: the bar's
    whole height is not drawn again for it (it was a tenth of a label key's time)."""
    from textual.scrollbar import ScrollBar

    bulk_documents(fresh_db, 20_000)
    app = ListApp(fresh_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        rows = app.documents.rows
        rows.focus()
        for _ in range(40):  # past the bottom of the view: each step scrolls by a row
            await pilot.press("down")
        await pilot.pause()
        bar = rows.vertical_scrollbar
        drawn: list[int] = []
        original = ScrollBar.refresh

        def counting(self: ScrollBar, *args: object, **kwargs: object) -> object:
            if self is bar:
                drawn.append(1)
            return original(self, *args, **kwargs)  # type: ignore[arg-type]

        ScrollBar.refresh = counting  # type: ignore[method-assign]
        try:
            top = rows.scroll_offset.y
            await pilot.press("down")
            await pilot.pause()
            assert rows.scroll_offset.y == top + 1
            assert bar.position == rows.scroll_offset.y
        finally:
            del ScrollBar.refresh  # the inherited method again, not a copy of it on ScrollBar
        assert drawn == []


def test_rowids_without_a_gap_are_a_range_read_from_no_row_and_a_gap_reads_them(sqlite_db: Database) -> None:
    fresh_db = sqlite_db
    """A hundred thousand documents cost the index three looks at b-tree ends, not a
    read of every rowid; rows deleted by hand leave gaps, and the list still shows
    exactly the documents there are, in order."""
    bulk_documents(fresh_db, 1000)
    statements: list[str] = []
    fresh_db.conn.set_trace_callback(statements.append)
    index = DocumentIndex(fresh_db)
    assert isinstance(index.all_rowids, range) and len(index) == index.total == 1000
    assert not [s for s in statements if "select rowid from documents" in s]
    assert index.doc_id(999) == "doc000999" and index.index_of("doc000500") == 500
    with fresh_db.conn:
        fresh_db.execute("drop trigger documents_ad")  # the rows never reached the full-text index
        fresh_db.execute("delete from documents where id in ('doc000000', 'doc000500', 'doc000999')")
    index.reload()
    assert not isinstance(index.all_rowids, range) and index.total == 997
    assert index.doc_id(0) == "doc000001" and index.doc_id(996) == "doc000998"
    assert index.index_of("doc000500") is None and index.index_of("doc000501") == 499
    assert index.ids(498, 500) == ["doc000499", "doc000501"]
    assert index.summary(499).id == "doc000501"
