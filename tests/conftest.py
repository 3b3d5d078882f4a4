"""Shared fixtures: a fresh database per test, the corpus beside the checkout, and an
environment that never touches the user's own config or data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pg_cluster
import pytest
from pg_cluster import BACKENDS
from team_data import SNAPSHOT_TABLES, copy_file, file_rows

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


class Places:
    """The databases one test names, all on one backend: files in the test's folder,
    or fresh databases on the test cluster (each already holding margin's schema).
    A name gives the same location each time it is asked for."""

    def __init__(self, backend: str, folder: Path, cluster: pg_cluster.Cluster | None) -> None:
        self.backend, self.folder, self.cluster = backend, folder, cluster
        self.made: dict[str, str] = {}

    @property
    def server(self) -> bool:
        return self.cluster is not None

    def __call__(self, name: str) -> str:
        if name not in self.made:
            self.made[name] = self.cluster.fresh() if self.cluster else str(self.folder / f"{name}.db")
        return self.made[name]

    def copy(self, source: str, name: str) -> str:
        """A copy of the database at ``source`` (closed by the caller) under ``name``."""
        assert name not in self.made, f"{name} is taken"
        if self.cluster:
            self.made[name] = self.cluster.fresh(template=source)
        else:
            self.made[name] = str(copy_file(source, self.folder / f"{name}.db"))
        return self.made[name]

    def rows(self, where: str, tables: tuple[str, ...] = SNAPSHOT_TABLES) -> dict[str, list[tuple]]:
        """Every row of each table, read without writing to the database."""
        if self.cluster is None:
            return file_rows(where, tables)
        conn = open_database(where, readonly=True)
        try:
            return {table: [tuple(row) for row in conn.execute(f"select * from {table} order by 1, 2")]
                    for table in tables}
        finally:
            conn.close()

    def close(self) -> None:
        """Drop every database made so far (a property test's example ends)."""
        for where in self.made.values():
            if self.cluster:
                self.cluster.drop(where)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(where + suffix).unlink(missing_ok=True)
        self.made.clear()


@pytest.fixture(params=BACKENDS)
def places(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Places]:
    """Named databases for a test that needs several (merges, copies), once on each
    backend."""
    cluster = request.getfixturevalue("postgres") if request.param == "postgresql" else None
    made = Places(request.param, tmp_path, cluster)
    yield made
    made.close()


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
