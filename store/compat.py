"""Every use of a private API or behaviour of sqlite-utils, in one place (tested in
tests/test_compat_store.py), so that an upgrade that changes one breaks here.

It is also the one place sqlite-utils is imported: at import, sqlite-utils imports
pandas and numpy whenever they are installed, only to map their scalar types to
column types. margin never stores either, and where an environment has pandas (as
most NLP environments do) that import alone costs more than Textual, at every
command that writes. They are hidden from that one import, in the importing thread
only; any other import of pandas, then or later, is untouched.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

DATAFRAME_MODULES = ("pandas", "numpy")


class _HiddenInThread(MetaPathFinder):
    """Makes ``import pandas`` and ``import numpy`` fail as if absent, in one thread
    only: another thread importing either meanwhile (spaCy, for an export) finds them."""

    def __init__(self, thread: int) -> None:
        self.thread = thread

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if threading.get_ident() == self.thread and fullname.partition(".")[0] in DATAFRAME_MODULES:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextmanager
def _dataframes_hidden() -> Iterator[None]:
    """Inside, this thread's imports of pandas and numpy fail; modules already imported
    stay as they are (an import of a module in ``sys.modules`` asks no finder)."""
    finder = _HiddenInThread(threading.get_ident())
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


with _dataframes_hidden():
    import sqlite_utils as sqlite_utils
    from sqlite_utils import plugins
    from sqlite_utils.utils import chunks as chunks


def load_plugins() -> None:
    """sqlite-utils' plugins, which it otherwise loads when a first Database is made."""
    plugins.ensure_plugins_loaded()


def migration_names(migrations: sqlite_utils.Migrations) -> list[str]:
    """The names of the registered migrations, in order; sqlite-utils keeps them in a
    private list and offers no public way to count them before applying."""
    return [migration.name for migration in migrations._migrations]
