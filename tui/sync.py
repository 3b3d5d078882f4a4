"""The change feed wired into the app: other processes' commits, shown as they land.

A timer starts a poll in a worker thread (the feed has a connection of its own), at
most one at a time, so a burst of commits is read as one batch and the UI thread
only applies the rows that changed.
"""

from __future__ import annotations

from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from margin.store.changes import ChangeBatch, ChangeFeed

POLL_SECONDS = 0.3


class ChangesArrived(Message):
    """Another process committed: ``batch`` holds the rows as they now stand."""

    def __init__(self, batch: ChangeBatch) -> None:
        super().__init__()
        self.batch = batch


class ChangeFollower:
    """Polls ``feed`` for ``owner`` and posts a ``ChangesArrived`` to it per batch.

    The worker belongs to the app, not to ``owner``: its state changes are messages,
    and each message a screen beneath a dialog handles has Textual redraw all of that
    screen for the dialog's dimmed backdrop (a full repaint it marks once the dialog
    has shown a change from beneath). ``owner`` hears only of batches; the timer
    lives beside the worker."""

    def __init__(self, owner: Widget, feed: ChangeFeed) -> None:
        self.owner = owner
        self.feed = feed
        self._worker: Worker[None] | None = None
        self._timer: Timer | None = None

    def start(self) -> None:
        self._timer = self.owner.app.set_interval(POLL_SECONDS, self._tick, name="follow changes")

    def _tick(self) -> None:
        if self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        self._worker = self.owner.app.run_worker(self._poll, thread=True, group="changes", exit_on_error=False)

    def _poll(self) -> None:
        batch = self.feed.poll()
        if batch:
            self.owner.post_message(ChangesArrived(batch))

    def close(self) -> None:
        """Stop polling; a poll still running in its thread finishes before the feed's
        connection is closed (``ChangeFeed.close``)."""
        if self._timer is not None:
            self._timer.stop()
        self.feed.close()
