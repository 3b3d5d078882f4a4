"""No command's output lands on the database, escapes its folder, or is left half
written: refusals are one line with the database unchanged, a killed export or
merge leaves the final name as it was and a rerun cleans up, and merging gives the
same document titles whichever way round it runs."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from team_data import ARTICLE, add_text, mark

from margin.store import merge
from margin.store.db import open_database, write
from margin.store.documents import document_row
from margin.store.merge import merge_databases
from margin.store.safe_output import MARK, remove_stale
from margin.tui.cli import cli

CHECKOUT = Path(__file__).resolve().parents[1]
TEXT_FORMATS = ("margin", "csv", "w3c", "prodigy", "doccano", "label-studio")


def state(path: Path) -> tuple[tuple[int, ...], str]:
    """(documents, annotations, labels) and the file's checksum, read without writing
    anything, not even the -wal and -shm a read-only reader of a WAL file would leave."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    try:
        counts = tuple(
            conn.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("documents", "annotations", "labels")
        )
    finally:
        conn.close()
    return counts, digest


def snapshot(places, where: str) -> object:
    """What a command must leave as it was: a file's counts and checksum (``state``),
    or every row of a server's database."""
    return places.rows(where) if places.server else state(Path(where))


def log_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def leftovers(folder: Path) -> list[str]:
    """Hidden files: the temporary files an output is built in, whatever their naming."""
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def run(db: Path | str, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])


@pytest.fixture
def ours(tmp_path: Path) -> Path:
    path = tmp_path / "ours.db"
    db = open_database(path)
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    return path


@pytest.fixture
def ours_db(db_location: str) -> str:
    """The same as ``ours``, on each backend."""
    db = open_database(db_location)
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    return db_location


@pytest.fixture
def theirs(tmp_path: Path) -> Path:
    path = tmp_path / "theirs.db"
    db = open_database(path)
    text = "Bob's own article."
    mark(db, add_text(db, text), text, "Bob", "person", "bob")
    db.close()
    return path


def _names_of(ours: Path, kind: str) -> Path:
    """Another name that reaches the database or one of its files."""
    if kind == "same":
        return ours
    if kind == "dotted":
        return Path(f"./{ours.name}")
    if kind in ("-wal", "-shm"):
        return Path(f"{ours}{kind}")
    other = ours.with_name(f"other-{kind}.db")
    if kind == "hardlink":
        os.link(ours, other)
    elif kind == "symlink":
        other.symlink_to(ours)
    elif kind == "symlink-to-wal":
        other.symlink_to(f"{ours}-wal")
    return other


NAMES = ("same", "dotted", "hardlink", "symlink", "-wal", "-shm", "symlink-to-wal")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("kind", NAMES)
def test_export_onto_the_database_is_refused(ours, tmp_path, monkeypatch, fmt, kind):
    monkeypatch.chdir(tmp_path)
    out = _names_of(ours, kind)
    before = state(ours)

    result = run(ours, "export", "--format", fmt, "-o", out)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: would overwrite the database {ours}; choose another output file\n"
    )
    assert state(ours) == before
    assert not Path(f"{ours}-wal").exists() and not Path(f"{ours}-shm").exists()
    assert leftovers(tmp_path) == []


def test_brat_export_refuses_a_folder_whose_names_reach_the_database(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    database = folder / "annotation.conf"
    db = open_database(database)
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    before = state(database)

    result = run(database, "export", "--format", "brat", "-o", folder)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder}: holds the database {database}, which the export could overwrite; "
        "choose another folder\n"
    )
    assert state(database) == before
    assert sorted(path.name for path in folder.iterdir()) == ["annotation.conf"]


def test_brat_file_names_from_ids_stay_inside_the_folder(ours_db, tmp_path):
    ours = ours_db
    conn = open_database(ours)
    with conn.conn:
        conn.execute(
            "insert into documents (id, title, text, length) values (?, ?, ?, ?)",
            ["../../escaped", "../../title", "Text from a foreign database.", 29],
        )
    conn.close()
    folder = tmp_path / "deep" / "er" / "brat"

    result = run(ours, "export", "--format", "brat", "-o", folder)

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.rglob("escaped*")) == []
    assert {path.parent for path in tmp_path.rglob("*.txt")} == {folder}
    texts = {path.read_text(encoding="utf-8") for path in folder.glob("*.txt")}
    assert texts == {ARTICLE, "Text from a foreign database."}
    assert all(path.with_suffix(".ann").exists() for path in folder.glob("*.txt"))


@pytest.mark.parametrize("kind", ("-wal", "-shm", "hardlink", "symlink", "source-wal"))
def test_merge_output_onto_a_database_is_refused(ours, theirs, tmp_path, kind):
    out = Path(f"{theirs}-wal") if kind == "source-wal" else _names_of(ours, kind)
    protected = theirs if kind == "source-wal" else ours
    before, before_theirs = state(ours), state(theirs)

    result = run(ours, "merge", theirs, "-o", out)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: would overwrite the database {protected}; choose another output file\n"
    )
    assert (state(ours), state(theirs)) == (before, before_theirs)
    # a reader may leave an empty log behind; never a database copied over it
    assert [log_size(Path(f"{path}-wal")) for path in (ours, theirs)] == [0, 0]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ("hardlink", "symlink"))
def test_merging_into_another_name_of_itself_is_refused(ours, kind):
    other = _names_of(ours, kind)
    before = state(ours)

    result = run(ours, "merge", other)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {other}: is the database being merged into\n"
    assert state(ours) == before


def _titled(path: Path | str, title: str) -> Path | str:
    db = open_database(path)
    mark(db, add_text(db, title=title), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    return path


def _title_after_merge(into: Path | str, source: Path | str) -> str:
    db = open_database(into)
    try:
        merge_databases(db, [source])
        return db.execute("select title from documents").fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("Beta edition", "Alpha edition", "Alpha edition"),
        ("", "Given by a reader", "Given by a reader"),
    ],
)
def test_the_title_kept_does_not_depend_on_merge_direction(places, one, other, expected):
    a, b = places("a"), places("b")
    _titled(a, one)
    _titled(b, other)
    a_copy, b_copy = places.copy(a, "a-copy"), places.copy(b, "b-copy")

    assert _title_after_merge(a_copy, b) == expected
    assert _title_after_merge(b_copy, a) == expected
    assert _title_after_merge(a_copy, b) == expected  # and a second merge changes nothing


def _biggish(path: Path | str, documents: int = 2000) -> Path | str:
    db = open_database(path)
    filler = "Some words of an article that goes on for a while. " * 40
    with write(db):
        db.table("documents").insert_all(
            document_row(f"Article {number}.\n{filler}", title=f"Article {number}")
            for number in range(documents)
        )
    db.close()
    return path


SLOW_EXPORT = """
import sys, time
import margin.store.exporting as exporting
records = exporting._records
def slow(*args):
    for record in records(*args):
        time.sleep(0.005)
        yield record
exporting._records = slow
from margin.tui.cli import cli
cli.main(sys.argv[1:], prog_name="margin")
"""

STALLED_MERGE = """
import sys, time
from pathlib import Path
import margin.store.merge as merge
merge_one = merge._merge_one
def stalled(*args):
    merge_one(*args)
    Path(sys.argv[-1] + ".ready").touch()
    time.sleep(120)
merge._merge_one = stalled
from margin.tui.cli import cli
cli.main(sys.argv[1:-1], prog_name="margin")
"""


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the subprocess never got there"
        time.sleep(0.01)


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()  # reaped, so its pid is really gone


def test_a_killed_export_leaves_the_earlier_output_and_the_rerun_cleans_up(places, tmp_path):
    database = _biggish(places("big"))
    before = snapshot(places, database)
    out = tmp_path / "out.jsonl"
    out.write_text("earlier export\n")
    argv = ["--db", str(database), "export", "-o", str(out)]
    process = subprocess.Popen([sys.executable, "-c", SLOW_EXPORT, *argv], cwd=CHECKOUT)
    try:
        _wait_for(lambda: any(path.stat().st_size for path in tmp_path.glob(".out.jsonl.*")))
    finally:
        _kill(process)

    assert out.read_text() == "earlier export\n"
    assert leftovers(tmp_path)  # the kill came mid-export
    result = run(database, "export", "-o", out)

    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2000
    assert leftovers(tmp_path) == []
    assert snapshot(places, database) == before


def test_a_killed_merge_leaves_no_file_under_the_new_name_and_a_rerun_succeeds(ours, tmp_path):
    source = _biggish(tmp_path / "source.db", documents=300)
    merged = tmp_path / "merged.db"
    before = state(ours)
    argv = ["--db", str(ours), "merge", str(source), "-o", str(merged), str(tmp_path / "merge")]
    process = subprocess.Popen([sys.executable, "-c", STALLED_MERGE, *argv], cwd=CHECKOUT)
    try:
        _wait_for((tmp_path / "merge.ready").exists)
    finally:
        _kill(process)

    assert not merged.exists()
    assert leftovers(tmp_path)  # killed with the merged rows written but not renamed
    result = run(ours, "merge", source, "-o", merged)

    assert result.exit_code == 0, result.output
    assert state(merged)[0][0] == 301
    assert leftovers(tmp_path) == []
    assert state(ours) == before


def _limit_file_size() -> None:
    limit = 256 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_while_copying_leaves_no_partial_merged_file(tmp_path):
    database = _biggish(tmp_path / "big.db")
    source = _biggish(tmp_path / "source.db", documents=10)
    merged = tmp_path / "merged.db"
    before = state(database)
    code = "import sys\nfrom margin.tui.cli import cli\ncli.main(sys.argv[1:], prog_name='margin')"
    result = subprocess.run(
        [sys.executable, "-c", code, "--db", str(database), "merge", str(source), "-o", str(merged)],
        cwd=CHECKOUT, capture_output=True, text=True, preexec_fn=_limit_file_size,
    )

    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {merged}: ") and result.stderr.count("\n") == 1
    assert not merged.exists()
    assert leftovers(tmp_path) == []
    assert state(database) == before


def test_merge_writes_its_copy_under_a_temporary_name_until_it_is_complete(
    ours, theirs, tmp_path, monkeypatch
):
    merged = tmp_path / "merged.db"
    seen: list[bool] = []
    merge_one = merge._merge_one

    def watching(*args):
        seen.append(merged.exists())
        merge_one(*args)

    monkeypatch.setattr(merge, "_merge_one", watching)
    umask = os.umask(0o022)
    try:
        result = run(ours, "merge", theirs, "-o", merged, "--json")
    finally:
        os.umask(umask)

    assert result.exit_code == 0, result.output
    assert seen == [False]
    assert json.loads(result.output)["tables"]["documents"]["added"] == 1
    assert state(merged)[0] == (2, 2, state(ours)[0][2])
    assert stat.S_IMODE(merged.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_only_leftovers_of_ended_or_long_idle_writers_are_removed(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / f".out.jsonl{MARK}{ended.pid}-abc123"
        dead_log = tmp_path / f".new.db{MARK}{ended.pid}-def456-wal"
        busy = tmp_path / f".out.jsonl{MARK}{running.pid}-ghi789"
        idle = tmp_path / f".new.db{MARK}{running.pid}-jkl012"
        mine = tmp_path / ".notes.txt"
        for path in (dead, dead_log, busy, idle, mine):
            path.write_text("x")
        an_hour_ago = time.time() - 3700
        os.utime(idle, (an_hour_ago, an_hour_ago))

        removed = remove_stale(tmp_path)
    finally:
        _kill(running)

    assert sorted(removed) == sorted([dead, dead_log, idle])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([busy.name, mine.name])
