"""Shared pieces of the app tests: a database holding the bundled sample, an app with
a fixed annotator and no blinking, and reads of what the database holds afterwards."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from textual.pilot import Pilot

from margin.store.annotations import query_annotations
from margin.store.db import open_database
from margin.store.model import Annotation
from margin.tui.app import MarginApp, make_app
from margin.tui.commands.app import add_sample
from margin.tui.config import Settings

SIZE = (120, 40)
SAMPLE = files("margin.tui.sample").joinpath("darien-gap-article.txt").read_text(encoding="utf-8")


def sample_db(path: Path | str, annotator: str = "tester") -> str:
    """Create a database at ``path`` holding the sample article; returns its id."""
    db = open_database(path)
    try:
        return add_sample(db, annotator)
    finally:
        db.close()


def app_for(
    path: Path | str, annotator: str = "tester", open_doc_id: str | None = None, **settings: object
) -> MarginApp:
    app = make_app(path, annotator, replace(Settings(), **settings), open_doc_id)
    app.cursor_blink = False
    return app


def rows(path: Path | str, **filters: object) -> list[Annotation]:
    """Live annotations in reading order, read through a connection of the test's own."""
    db = open_database(path)
    try:
        return query_annotations(db, **filters)
    finally:
        db.close()


def spans(path: Path | str) -> list[tuple[int, int, str, str]]:
    return [(a.start, a.end, a.label, a.annotator) for a in rows(path)]


def messages(app: MarginApp) -> list[str]:
    """The text of every notification raised so far."""
    return [notification.message for notification in app._notifications]


def pilot_test(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async Pilot scenario as a plain (synchronous) pytest test."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@asynccontextmanager
async def running(app: MarginApp, size: tuple[int, int] = SIZE) -> AsyncIterator[Pilot]:
    """The app under a Pilot, with its first document open."""
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await headings_found(pilot)
        yield pilot


async def headings_found(pilot: Pilot) -> None:
    """Until the worker that searches a document's headings for the status line is done
    and its chapter shown."""
    for worker in [worker for worker in pilot.app.workers if worker.group == "headings"]:
        await worker.wait()
    await pilot.pause()


async def go(pilot: Pilot, offset: int) -> None:
    """Put the active reader's cursor on ``offset``."""
    pilot.app.main.reader.move_to(offset)
    await pilot.pause()
