"""When another process holds the write lock (a long import), a key never freezes the
app: the edit waits in a queue, the status line says so, and it is shown once it has
committed; a write that fails says so and loses no typed note."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from app_support import SAMPLE, app_for, go, messages, pilot_test, rows, running, sample_db
from textual.pilot import Pilot

from margin.store.annotations import add_annotation
from margin.store.database import Database
from margin.store.db import open_database
from margin.tui.app import MarginApp
from margin.tui.screens.note_editor import NoteEditor

PERSON = SAMPLE.index("José Raúl Mulino")


@pytest.fixture
def sample(db_location: str) -> tuple[str, str]:
    return db_location, sample_db(db_location)


def hold_lock(where: str) -> Database:
    """Another connection holding the write lock, as a long import does: on a file
    SQLite's, on a server the advisory lock every write transaction takes first."""
    db = open_database(where)
    db.conn.execute("BEGIN IMMEDIATE")
    return db


def release(holder: Database) -> None:
    if holder.conn.in_transaction:
        holder.conn.execute("ROLLBACK")
    holder.close()


@contextmanager
def lock_held(where: str) -> Iterator[Database]:
    holder = hold_lock(where)
    try:
        yield holder
    finally:
        release(holder)


async def settle(pilot: Pilot, app: MarginApp, timeout: float = 60.0) -> None:
    """Until the queue has committed everything and the screen has heard of it."""
    deadline = time.monotonic() + timeout
    while app.main.editing.queue.waiting or app.main.status.pending:
        assert time.monotonic() < deadline, "the queued edit never committed"
        await asyncio.sleep(0.02)
        await pilot.pause()


@pilot_test
async def test_a_label_key_does_not_wait_for_another_writer(sample: tuple[str, str]) -> None:
    path, _ = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        with lock_held(path):
            started = time.perf_counter()
            await pilot.press("W", "2")
            took = time.perf_counter() - started
            assert took < 2.0, f"the key waited {took:.2f} s for the lock"
            assert app.main.status.pending == 1
            assert "saving 1…" in str(app.main.status.render())
            assert any("Another process is writing" in message for message in messages(app))
            assert rows(path) == []  # not committed: shown as pending, and only in the reader
            [placeholder] = app.main.reader.annotations_at(PERSON + 1)
            assert (placeholder.status, placeholder.label, placeholder.start) == ("pending", "person", PERSON)
            assert app.main.annotation_panel.count == 0
        await settle(pilot, app)
        [stored] = rows(path)
        assert (stored.start, stored.label) == (PERSON, "person")
        assert [a.id for a in app.main.reader.annotations_at(PERSON + 1)] == [stored.id]
        assert app.main.status.pending == 0
        # The queued edit has its undo step like any other.
        await pilot.press("u")
        assert rows(path) == []


@pilot_test
async def test_edits_made_while_waiting_commit_in_order(sample: tuple[str, str]) -> None:
    path, _ = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        with lock_held(path):
            await pilot.press("W", "2")
            await pilot.press("x")  # deletes nothing yet: the span is not shown before it commits
            await go(pilot, 0)
            await pilot.press("1")  # the word under the cursor
            assert app.main.status.pending == 2
        await settle(pilot, app)
    assert [(a.start, a.label) for a in rows(path)] == [(0, "claim"), (PERSON, "person")]


@pilot_test
async def test_a_write_that_never_gets_the_lock_is_reported_and_the_note_kept(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    db = open_database(path)
    add_annotation(db, doc_id, PERSON, PERSON + 16, "person", annotator="tester")
    db.close()
    app = app_for(path)
    async with running(app) as pilot:
        app.main.editing.queue.give_up_after = 0.5
        await go(pilot, PERSON + 2)
        with lock_held(path):
            await pilot.press("e")
            assert isinstance(app.screen, NoteEditor)
            await pilot.press(*"his title", "ctrl+s")
            deadline = time.monotonic() + 20
            while not any("The note was not saved" in message for message in messages(app)):
                assert time.monotonic() < deadline, messages(app)
                await asyncio.sleep(0.05)
                await pilot.pause()
        assert any("Your note is kept" in message for message in messages(app)), messages(app)
        assert [a.note for a in rows(path)] == [""]
        # The typed note comes back in the editor, to save again now the lock is free.
        await pilot.press("e")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one("TextArea").text == "his title"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert [a.note for a in rows(path)] == ["his title"]


@pilot_test
async def test_quitting_waits_for_the_queue(sample: tuple[str, str]) -> None:
    path, _ = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        with lock_held(path) as holder:
            await pilot.press("W", "2")
            assert app.main.status.pending == 1
            asyncio.get_running_loop().call_later(0.5, holder.conn.execute, "ROLLBACK")
            await pilot.press("q")
            await pilot.pause()
    assert [(a.start, a.label) for a in rows(path)] == [(PERSON, "person")]


@pilot_test
async def test_an_edit_made_while_quitting_waits_is_saved_too(sample: tuple[str, str]) -> None:
    path, _ = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        holder = hold_lock(path)
        await pilot.press("W", "2")
        queue = app.main.editing.queue
        closing = asyncio.create_task(asyncio.to_thread(queue.close))
        await asyncio.sleep(0.2)
        await go(pilot, 0)
        await pilot.press("1")  # after the queue was asked to close
        release(holder)
        await closing
    assert [(a.start, a.label) for a in rows(path)] == [(0, "claim"), (PERSON, "person")]


@pilot_test
async def test_a_waiting_reading_position_is_not_counted_as_an_edit(sample: tuple[str, str]) -> None:
    path, _ = sample
    app = app_for(path)
    async with running(app) as pilot:
        with lock_held(path):
            await go(pilot, PERSON)
            app.main._save_positions()  # what the timer does every second
            assert app.main.editing.queue.waiting == 1
            await pilot.press("W", "2")
            assert app.main.status.pending == 1
        await settle(pilot, app)
    assert [(a.start, a.label) for a in rows(path)] == [(PERSON, "person")]
