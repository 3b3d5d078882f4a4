"""Shared fixtures: a fresh database per test, the corpus beside the checkout, and an
environment that never touches the user's own config or data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pg_cluster
import pytest
from pg_cluster import BACKENDS

from margin.store.db import open_database

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "darien-gap-article.txt"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MARGIN_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("MARGIN_DB", str(home / "margin.db"))
    monkeypatch.setenv("MARGIN_ANNOTATOR", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("MARGIN_STATE", str(home / "state" / "margin" / "state.json"))


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """An app that lived past its first second froze everything alive in the test
    process (``tui/memory.py``); thaw it, so that one test's garbage is collected."""
    yield
    gc.unfreeze()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg_cluster.Cluster]:
    """A throwaway PostgreSQL cluster for this test process (``tests/pg_cluster.py``)."""
    cluster = pg_cluster.start()
    yield cluster
    cluster.close()


@pytest.fixture(params=BACKENDS)
def db_location(request: pytest.FixtureRequest, db_path: Path) -> Iterator[str]:
    """Where a test's database is, once on each backend: a file, then a fresh
    database on the test cluster. What is passed as ``--db`` or to ``open_database``."""
    if request.param == "sqlite":
        yield str(db_path)
        return
    cluster: pg_cluster.Cluster = request.getfixturevalue("postgres")
    url = cluster.fresh()
    yield url
    cluster.drop(url)


@pytest.fixture
def fresh_db(db_location: str):
    db = open_database(db_location)
    yield db
    db.close()


@pytest.fixture
def sqlite_db(db_path: Path):
    """A file database only, for a test of what SQLite alone does (its loose column
    types, its statement trace, its files)."""
    db = open_database(db_path)
    yield db
    db.close()


@pytest.fixture
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus is expected at {CORPUS}"
    return CORPUS


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
