"""Noticing other processes' writes without reading the whole database.

SQLite's ``PRAGMA data_version`` changes on a connection exactly when another
connection has committed to the file, so polling it is nearly free; only then does
the app re-read what it shows.
"""

from __future__ import annotations

import sqlite_utils


class ChangeWatcher:
    """``changed()`` is true once after each commit made by another connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._version = self._read()

    def _read(self) -> int:
        return self.db.execute("pragma data_version").fetchone()[0]

    def changed(self) -> bool:
        version = self._read()
        if version != self._version:
            self._version = version
            return True
        return False
