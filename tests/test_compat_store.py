"""The private sqlite-utils API the store relies on still behaves as it relies on."""

from __future__ import annotations

from margin.store.compat import migration_names
from margin.store.db import SCHEMA_VERSION
from margin.store.migrations import migrations


def test_migration_names_lists_every_registered_migration_in_order() -> None:
    names = migration_names(migrations)
    assert names[:3] == ["0001_initial", "0002_review", "0003_counts_and_changes"]


def test_schema_version_counts_the_migrations() -> None:
    assert len(migration_names(migrations)) == SCHEMA_VERSION
