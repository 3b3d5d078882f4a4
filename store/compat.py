"""Every use of a private API or behaviour of sqlite-utils, in one place (tested in
tests/test_compat_store.py), so that an upgrade that changes one breaks here.

It is also the one place sqlite-utils is imported: at import, sqlite-utils imports
pandas and numpy whenever they are installed, only to map their scalar types to
column types. margin never stores either, and where an environment has pandas (as
most NLP environments do) that import alone costs more than Textual, at every
command that writes. They are hidden from that one import; a later import of pandas
by anything else is untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

DATAFRAME_MODULES = ("pandas", "numpy")


@contextmanager
def _dataframes_hidden() -> Iterator[None]:
    """``import pandas`` and ``import numpy`` raise ImportError inside, as if absent
    (a ``None`` in ``sys.modules`` is how Python spells that); modules already
    imported stay as they are."""
    hidden = [name for name in DATAFRAME_MODULES if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


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
