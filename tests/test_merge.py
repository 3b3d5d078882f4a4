"""Merging databases: newest edit wins, tombstones hold, any order gives the same rows,
merging twice changes nothing, and bad sources leave everything untouched."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from itertools import count
from unittest import mock

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from team_data import ARTICLE, add_text, copy_file, file_rows, mark

from margin.store import annotations as store_annotations
from margin.store.annotations import (
    add_annotation,
    delete_annotation,
    get_annotation,
    restore_annotation,
    update_annotation,
)
from margin.store.db import open_database
from margin.store.errors import DatabaseRefused
from margin.store.labels import add_label, get_label, update_label
from margin.store.merge import merge_databases
from margin.store.reading import get_position, set_position
from margin.tui.cli import cli

LABELS = ("claim", "person", "statistic")


def annotation_rows(db) -> list[tuple]:
    return db.execute("select * from annotations order by id").fetchall()


def test_merge_adds_what_is_missing(places):
    ours = open_database(places("ours"))
    theirs = open_database(places("theirs"))
    shared = add_text(ours)
    add_text(theirs)
    only_theirs = add_text(theirs, "Another article, only on the laptop.")
    mark(theirs, shared, ARTICLE, "Alice Smith", "person", "bob")
    mark(theirs, only_theirs, "Another article, only on the laptop.", "laptop", "claim", "bob")
    set_position(theirs, shared, "bob", 12)
    theirs.close()

    report = merge_databases(ours, [places("theirs")])

    assert (report.tables["documents"].added, report.tables["documents"].skipped) == (1, 1)
    assert report.tables["annotations"].added == 2
    assert report.tables["reading_state"].added == 1
    assert get_position(ours, shared, "bob") == 12
    assert len(annotation_rows(ours)) == 2
    # the full-text index follows inserted documents
    from margin.store.documents import search_documents

    assert search_documents(ours, "laptop") == [only_theirs]


def test_newest_edit_wins_and_a_deletion_survives(places):
    ours = open_database(places("ours"))
    doc_id = add_text(ours)
    kept = mark(ours, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    doomed = mark(ours, doc_id, ARTICLE, "40%", "statistic", "ana")
    ours.close()
    places.copy(places("ours"), "theirs")
    ours = open_database(places("ours"))
    theirs = open_database(places("theirs"))
    update_annotation(ours, kept.id, note="older note")
    update_annotation(theirs, kept.id, note="newer note")
    update_annotation(ours, doomed.id, note="edited before the deletion")
    delete_annotation(theirs, doomed.id)
    theirs.close()

    report = merge_databases(ours, [places("theirs")])

    assert report.tables["annotations"].updated == 2
    assert get_annotation(ours, kept.id).note == "newer note"
    assert get_annotation(ours, doomed.id).deleted


def test_an_older_version_does_not_overwrite(places):
    ours = open_database(places("ours"))
    doc_id = add_text(ours)
    annotation = mark(ours, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    ours.close()
    places.copy(places("ours"), "theirs")
    ours = open_database(places("ours"))
    update_annotation(ours, annotation.id, label="claim")

    report = merge_databases(ours, [places("theirs")])

    assert report.tables["annotations"].skipped == 1 and not report.changed
    assert get_annotation(ours, annotation.id).label == "claim"


def test_label_conflicts_are_reported_and_ours_kept(places):
    ours = open_database(places("ours"))
    theirs = open_database(places("theirs"))
    update_label(theirs, "claim", color="#123456")
    update_label(theirs, "person", key="p")
    add_label(theirs, "place", key="2", color="#654321")  # "2" is person's key here
    add_label(ours, "source", key="s")
    theirs.close()

    report = merge_databases(ours, [places("theirs")])

    conflicts = {(c.label, c.column): c for c in report.label_conflicts}
    assert set(conflicts) == {("claim", "color"), ("person", "key"), ("place", "key")}
    assert conflicts[("claim", "color")].kept == "#e5a50a"
    assert conflicts[("claim", "color")].theirs == "#123456"
    assert "taken by 'person'" in conflicts[("place", "key")].message
    assert get_label(ours, "claim").color == "#e5a50a"
    assert get_label(ours, "person").key == "2"
    place = get_label(ours, "place")
    assert (place.key, place.color) == (None, "#654321")
    assert report.tables["labels"].added == 1


def test_merging_twice_changes_nothing(places):
    ours = open_database(places("ours"))
    theirs = open_database(places("theirs"))
    doc_id = add_text(theirs)
    mark(theirs, doc_id, ARTICLE, "Alice Smith", "person", "bob")
    add_label(theirs, "place")
    theirs.close()
    first = merge_databases(ours, [places("theirs")])
    before = places.rows(places("ours"))
    second = merge_databases(ours, [places("theirs")])
    assert first.changed and not second.changed
    assert places.rows(places("ours")) == before


def test_a_source_that_is_not_margins_is_refused_and_nothing_merged(tmp_path):
    ours = open_database(tmp_path / "ours.db")
    add_text(ours)
    good = open_database(tmp_path / "good.db")
    add_text(good, "A good article.")
    good.close()
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table annotations (id text)")
    conn.commit()
    conn.close()
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all")
    newer = copy_file(tmp_path / "good.db", tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute("pragma user_version = 99")
    conn.commit()
    conn.close()
    before = file_rows(tmp_path / "ours.db")
    untouched = {path: path.read_bytes() for path in (foreign, text_file, newer)}
    for bad, reason in ((foreign, "not margin's"), (text_file, "not a SQLite database"), (newer, "newer margin")):
        try:
            merge_databases(ours, [tmp_path / "good.db", bad])
        except DatabaseRefused as error:
            assert reason in str(error) and str(bad) in str(error)
        else:
            raise AssertionError(f"{bad} was merged")
        assert file_rows(tmp_path / "ours.db") == before
    assert {path: path.read_bytes() for path in untouched} == untouched


def test_cli_merge_refuses_a_bad_source_with_one_line(places, tmp_path):
    ours = places("ours")
    open_database(ours).close()
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    result = CliRunner().invoke(cli, ["--db", ours, "merge", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {bad}: not a SQLite database; left untouched"


def test_cli_merge_output_copy_leaves_the_current_database_untouched(tmp_path):
    ours, theirs, merged = tmp_path / "ours.db", tmp_path / "theirs.db", tmp_path / "out" / "merged.db"
    db = open_database(ours)
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    db = open_database(theirs)
    mark(db, add_text(db, "Bob's article."), "Bob's article.", "Bob", "person", "bob")
    db.close()
    before = file_rows(ours)

    result = CliRunner().invoke(cli, ["--db", str(ours), "merge", str(theirs), "-o", str(merged), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["target"] == str(merged)
    assert report["tables"]["documents"]["added"] == 1
    assert file_rows(ours) == before
    merged_rows = file_rows(merged)
    assert len(merged_rows["documents"]) == 2 and len(merged_rows["annotations"]) == 2
    again = CliRunner().invoke(cli, ["--db", str(ours), "merge", str(theirs), "-o", str(merged)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_cli_merge_output_is_removed_when_a_source_is_refused(tmp_path):
    ours, merged = tmp_path / "ours.db", tmp_path / "merged.db"
    open_database(ours).close()
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    result = CliRunner().invoke(cli, ["--db", str(ours), "merge", str(bad), "-o", str(merged)])
    assert result.exit_code == 1
    assert not merged.exists()


def test_cli_merge_prints_plain_counts_and_conflicts(places):
    ours, theirs = places("ours"), places("theirs")
    open_database(ours).close()
    db = open_database(theirs)
    update_label(db, "claim", color="#000000")
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "bob")
    db.close()
    result = CliRunner().invoke(cli, ["--db", ours, "merge", theirs])
    assert result.exit_code == 0, result.output
    assert "annotations: 1 added, 0 updated, 0 skipped" in result.output
    assert "conflict: label 'claim': color is '#e5a50a' here and '#000000'" in result.output


def test_merge_command_does_not_load_textual(places):
    ours, theirs = places("ours"), places("theirs")
    open_database(ours).close()
    open_database(theirs).close()
    code = (
        "import sys\n"
        "from margin.tui.cli import cli\n"
        f"cli(['--db', {ours!r}, 'merge', {theirs!r}], standalone_mode=False)\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "annotations: 0 added" in result.stdout


# --- any order of merges gives the same rows -------------------------------------

operation = st.tuples(
    st.integers(0, 2),  # which copy
    st.sampled_from(["add", "relabel", "note", "delete", "restore"]),
    st.integers(0, 50),  # which annotation (modulo how many the copy has)
    st.sampled_from(LABELS),
    st.integers(0, 6),  # the tick: copies share ticks, so equal timestamps happen
)


def _apply(db, doc_id: str, op: tuple, clock) -> None:
    _, kind, pick, label, tick = op
    ids = [row[0] for row in db.execute("select id from annotations order by id")]
    with mock.patch.object(store_annotations, "now_iso", lambda: clock(tick)):
        if kind == "add" or not ids:
            start = pick % (len(ARTICLE) - 6)
            add_annotation(db, doc_id, start, start + 5, label, annotator=f"a{pick % 3}")
            return
        target = ids[pick % len(ids)]
        if kind == "relabel":
            update_annotation(db, target, label=label)
        elif kind == "note":
            update_annotation(db, target, note=f"note {pick}")
        elif kind == "delete":
            delete_annotation(db, target)
        else:
            restore_annotation(db, target)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(operation, min_size=1, max_size=25),
    order=st.permutations([0, 1, 2]),
)
def test_any_merge_order_gives_the_same_rows(places, history, order):
    ticks = count()

    def clock(tick: int) -> str:
        # increasing along the history, with the drawn tick making ties across copies
        step = next(ticks) // 4
        return f"2030-01-01T00:{step:02d}:{tick:02d}.000000Z"

    try:
        base = open_database(places("base"))
        doc_id = add_text(base)
        for quote, label in (("Alice Smith", "person"), ("40%", "statistic")):
            mark(base, doc_id, ARTICLE, quote, label, "ana")
        base.close()
        copies = [places.copy(places("base"), f"copy{n}") for n in range(3)]
        dbs = [open_database(where) for where in copies]
        for op in history:
            _apply(dbs[op[0]], doc_id, op, clock)
        versions = {}
        for db in dbs:
            for row in db.table("annotations").rows:
                versions.setdefault(row["id"], []).append(row)
            db.close()

        results = []
        for sequence in ([0, 1, 2], order):
            target = open_database(places.copy(places("base"), f"merged{len(results)}"))
            for index in sequence:
                merge_databases(target, [copies[index]])
            results.append(annotation_rows(target))
            again = merge_databases(target, copies)
            assert not again.changed
            assert annotation_rows(target) == results[-1]
            target.close()
        # merging one copy straight into another, both ways
        for first, second in ((0, 1), (1, 0)):
            pairwise = open_database(places.copy(copies[first], f"pair{first}"))
            merge_databases(pairwise, [copies[second], copies[2]])
            results.append(annotation_rows(pairwise))
            pairwise.close()

        assert all(rows == results[0] for rows in results)
        final = {row[0]: row for row in results[0]}
        assert set(final) == set(versions)
        updated_at = store_annotations.COLUMNS.index("updated_at")
        for annotation_id, rows in versions.items():
            assert final[annotation_id][updated_at] == max(row["updated_at"] for row in rows)
    finally:
        places.close()


def test_a_source_from_an_older_margin_merges_and_is_left_untouched(tmp_path):
    old_path = tmp_path / "old.db"
    old = open_database(old_path)
    doc_id = add_text(old)
    mark(old, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    old.execute("drop table reviews")
    old.execute("delete from _sqlite_migrations where name = '0002_review'")
    old.execute("pragma user_version = 1")
    old.conn.commit()
    old.execute("pragma wal_checkpoint(truncate)")
    old.close()
    before = old_path.read_bytes()
    target = open_database(tmp_path / "new.db")
    report = merge_databases(target, [old_path])
    assert report.tables["annotations"].added == 1
    assert [(a.quote, a.annotator) for a in store_annotations.query_annotations(target)] == [("Alice Smith", "ana")]
    assert old_path.read_bytes() == before
    target.close()
