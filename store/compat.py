"""Every use of a private API of sqlite-utils, in one place (tested in
tests/test_compat_store.py), so that an upgrade that changes one breaks here."""

from __future__ import annotations

import sqlite_utils


def migration_names(migrations: sqlite_utils.Migrations) -> list[str]:
    """The names of the registered migrations, in order; sqlite-utils keeps them in a
    private list and offers no public way to count them before applying."""
    return [migration.name for migration in migrations._migrations]
