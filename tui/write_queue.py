"""Edits that could not take the write lock at once, committed in order off the UI thread.

An edit is first tried on the app's own connection with a short busy timeout
(``UI_WAIT_MS``), so a key press never freezes the screen for longer than that. When
another process holds the lock (a large import, a merge), the edit goes to this queue:
one thread with its own connection commits the queued edits in the order they were
made, waiting for the lock as long as it takes (up to ``GIVE_UP_AFTER``), and hands
each result back. Until the queue is empty every further edit joins it, so edits are
never committed out of order.

No Textual import: the screen passes callbacks that hop back to the UI thread.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from margin.store.database import Database, Location
from margin.store.db import BUSY_TIMEOUT_MS, open_database

UI_WAIT_MS = 150
"""How long a key waits for another process's write lock before its edit is queued."""
GIVE_UP_AFTER = 600.0
"""Seconds a queued edit keeps waiting for the lock before it is reported as not saved."""
RETRY_PAUSE = 0.05
ATTEMPT_WAIT = 5.0
"""Seconds one attempt waits for the lock, so that giving up is on time."""

Write = Callable[[Database], Any]
Done = Callable[[Any, BaseException | None], None]


def is_locked(error: BaseException) -> bool:
    """SQLite's "database is locked" (or busy): another process holds the write lock."""
    return (isinstance(error, sqlite3.OperationalError) and getattr(error, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
    )) or "database is locked" in str(error)


@contextmanager
def short_wait(db: Database, milliseconds: int = UI_WAIT_MS) -> Iterator[Database]:
    """The connection with a short busy timeout for the length of the block."""
    db.execute(f"pragma busy_timeout = {milliseconds}")
    try:
        yield db
    finally:
        db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")


@dataclass(slots=True)
class _Job:
    write: Write
    done: Done


class WriteQueue:
    """One thread, one connection, edits committed in the order they were queued."""

    def __init__(self, path: Location, *, give_up_after: float = GIVE_UP_AFTER) -> None:
        self.path = path
        self.give_up_after = give_up_after
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._waiting = 0
        self._quiet = 0
        """Of those waiting, the ones the user did not make (a reading position saved)."""
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._gave_up = False

    @property
    def waiting(self) -> int:
        """Edits queued whose outcome the screen has not yet taken in (``acknowledge``):
        until then a new edit queues behind them, so the order of edits holds."""
        with self._lock:
            return self._waiting

    @property
    def edits_waiting(self) -> int:
        """Of :attr:`waiting`, the user's own edits: what the status line counts."""
        with self._lock:
            return self._waiting - self._quiet

    def acknowledge(self, quiet: bool = False) -> None:
        """The screen has shown (or reported) one queued edit's outcome."""
        with self._lock:
            self._waiting = max(0, self._waiting - 1)
            if quiet:
                self._quiet = max(0, self._quiet - 1)

    def submit(self, write: Write, done: Done, quiet: bool = False) -> None:
        """Queue ``write``; ``done(result, error)`` is called from the queue's thread.
        ``quiet``: not an edit of the user's (a reading position), so not counted as one."""
        with self._lock:
            self._waiting += 1
            self._quiet += quiet
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="margin-writes", daemon=True)
                self._thread.start()
        self._jobs.put(_Job(write, done))

    def close(self, timeout: float | None = None) -> bool:
        """Commit what is queued (and what is queued meanwhile), then stop; False if
        edits were still waiting at ``timeout``."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return True
        self._jobs.put(None)
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def unfinished(self) -> int:
        """Edits queued and not yet committed or failed, whatever the screen knows."""
        return self._jobs.qsize()

    def _run(self) -> None:
        db: Database | None = None
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    if self._jobs.empty():
                        break
                    self._jobs.put(None)  # edits made while closing still go first
                    continue
                try:
                    if db is None:
                        db = open_database(self.path)
                    result, error = self._commit(db, job.write), None
                except BaseException as failure:  # reported to the screen, never raised here
                    result, error = None, failure
                job.done(result, error)
        finally:
            if db is not None:
                db.close()

    def _commit(self, db: Database, write: Write) -> Any:
        # One deadline for a stretch of waiting, not one per edit: once an edit has
        # given up, those behind it try once while the lock is still held.
        give_up = time.monotonic() + (0.0 if self._gave_up else self.give_up_after)
        while True:
            left = give_up - time.monotonic()
            try:
                with short_wait(db, int(min(max(left, 0.05), ATTEMPT_WAIT) * 1000)):
                    result = write(db)
            except sqlite3.OperationalError as error:
                if not is_locked(error):
                    raise
                if time.monotonic() >= give_up:
                    self._gave_up = True
                    raise
                time.sleep(RETRY_PAUSE)
            else:
                self._gave_up = False
                return result
