"""Removing and renaming a label are history a merge carries: removed spans stay
removed, and an older copy's spans take the new name instead of reviving the old one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from team_data import ARTICLE

from margin.store import annotations, documents
from margin.store.db import open_database
from margin.store.labels import add_label, get_label, list_labels, remove_label, rename_label
from margin.store.merge import merge_databases
from margin.tui.cli import cli


def _base(places) -> tuple[str, str]:
    path = places("ours")
    db = open_database(path)
    doc, _ = documents.add_document(db, ARTICLE)
    add_label(db, "quote", key="q")
    for start in (0, 10, 20):
        annotations.add_annotation(db, doc.id, start, start + 5, "quote", annotator="ana")
    annotations.add_annotation(db, doc.id, 30, 35, "claim", annotator="ana")
    db.close()
    return path, doc.id


def _live(path: Path | str) -> list[tuple[str, int]]:
    conn = open_database(path, readonly=True)
    try:
        return conn.execute(
            "select label, count(*) from annotations where deleted_at is null group by label order by label"
        ).fetchall()
    finally:
        conn.close()


def _label_names(path: Path | str) -> list[str]:
    db = open_database(path)
    try:
        return [label.name for label in list_labels(db)]
    finally:
        db.close()


def test_remove_force_leaves_tombstones_and_a_retired_label(places) -> None:
    path, _ = _base(places)
    result = CliRunner().invoke(cli, ["--db", str(path), "labels", "remove", "quote", "--force"])
    assert result.exit_code == 0, result.output
    assert "3 annotation(s)" in result.output
    conn = open_database(path, readonly=True)
    # Nothing hard-deleted: the spans are tombstones, the label row is retired.
    assert conn.execute("select count(*) from annotations where label = 'quote'").fetchone()[0] == 3
    assert conn.execute(
        "select count(*) from annotations where label = 'quote' and deleted_at is null"
    ).fetchone()[0] == 0
    assert conn.execute("select retired_at is not null, key from labels where name = 'quote'").fetchone() == (1, None)
    conn.close()
    assert "quote" not in _label_names(path)
    listing = CliRunner().invoke(cli, ["--db", str(path), "labels"])
    assert "quote" not in listing.output


def test_a_removed_label_stays_removed_after_merging_an_older_copy(places) -> None:
    ours, _ = _base(places)
    older = places.copy(ours, "older")
    db = open_database(ours)
    remove_label(db, "quote", force=True)
    merge_databases(db, [older])
    db.close()
    assert _live(ours) == [("claim", 1)]
    assert "quote" not in _label_names(ours)

    # And the other way round: the older copy learns of the removal.
    db = open_database(older)
    merge_databases(db, [ours])
    db.close()
    assert _live(older) == [("claim", 1)]
    assert "quote" not in _label_names(older)


def test_a_rename_maps_an_older_copys_spans_in_both_directions(places) -> None:
    ours, doc_id = _base(places)
    older = places.copy(ours, "older")
    # The older copy goes on labelling with the old name.
    theirs = open_database(older)
    annotations.add_annotation(theirs, doc_id, 40, 45, "quote", annotator="ben")
    theirs.close()

    db = open_database(ours)
    assert rename_label(db, "quote", "citation") == 3
    merge_databases(db, [older])
    db.close()
    assert _live(ours) == [("citation", 4), ("claim", 1)]
    assert "quote" not in _label_names(ours)

    db = open_database(older)
    merge_databases(db, [ours])
    db.close()
    assert _live(older) == [("citation", 4), ("claim", 1)]
    assert "quote" not in _label_names(older)
    assert "citation" in _label_names(older)


def test_chained_renames_resolve_to_the_last_name(places) -> None:
    ours, _ = _base(places)
    older = places.copy(ours, "older")
    db = open_database(ours)
    rename_label(db, "quote", "citation")
    rename_label(db, "citation", "source")
    merge_databases(db, [older])
    assert [name for name in _label_names(ours) if name in ("quote", "citation", "source")] == ["source"]
    assert _live(ours) == [("claim", 1), ("source", 3)]
    db.close()


def test_adding_a_removed_label_again_makes_a_fresh_one(places) -> None:
    path, _ = _base(places)
    db = open_database(path)
    remove_label(db, "quote", force=True)
    again = add_label(db, "quote")
    assert get_label(db, "quote") == again
    assert db.execute("select count(*) from labels where name = 'quote'").fetchone()[0] == 1
    db.close()


def _state(path: Path | str) -> tuple[list, list, list]:
    """Labels (with whether retired), live spans by label, and the rename history."""
    conn = open_database(path, readonly=True)
    try:
        return (
            conn.execute("select name, retired_at is not null from labels order by name").fetchall(),
            conn.execute(
                "select label, count(*) from annotations where deleted_at is null group by label order by label"
            ).fetchall(),
            conn.execute("select old, new from label_renames order by old, new").fetchall(),
        )
    finally:
        conn.close()


def _label(path: Path | str, doc_id: str, start: int, name: str) -> None:
    db = open_database(path)
    annotations.add_annotation(db, doc_id, start, start + 4, name, annotator="ana")
    db.close()


def _on(path: Path | str, change) -> None:
    db = open_database(path)
    change(db)
    db.close()


# Each scenario: what happens on A, then on B (a copy of A taken after `base`).
SCENARIOS = {
    "chained renames on both": (
        lambda a, d: _on(a, lambda db: rename_label(db, "quote", "citation")),
        lambda b, d: (_on(b, lambda db: rename_label(db, "quote", "citation")),
                      _on(b, lambda db: rename_label(db, "citation", "source"))),
    ),
    "a name renamed away comes back with new spans": (
        lambda a, d: (_on(a, lambda db: rename_label(db, "quote", "citation")),
                      _on(a, lambda db: add_label(db, "quote")), _label(a, d, 40, "quote")),
        lambda b, d: _label(b, d, 45, "quote"),
    ),
    "independent renames": (
        lambda a, d: _on(a, lambda db: rename_label(db, "quote", "citation")),
        lambda b, d: _on(b, lambda db: rename_label(db, "quote", "source")),
    ),
    "a rename, then a removal elsewhere": (
        lambda a, d: _on(a, lambda db: rename_label(db, "quote", "citation")),
        lambda b, d: _on(b, lambda db: remove_label(db, "quote", force=True)),
    ),
    "a removal, then a rename elsewhere": (
        lambda a, d: _on(a, lambda db: remove_label(db, "quote", force=True)),
        lambda b, d: _on(b, lambda db: rename_label(db, "quote", "citation")),
    ),
    "a rename and a rename back": (
        lambda a, d: _on(a, lambda db: rename_label(db, "quote", "citation")),
        lambda b, d: (_on(b, lambda db: rename_label(db, "quote", "source")),
                      _on(b, lambda db: rename_label(db, "source", "quote"))),
    ),
    "a span added here, the label removed there": (
        lambda a, d: _label(a, d, 48, "quote"),
        lambda b, d: _on(b, lambda db: remove_label(db, "quote", force=True)),
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_label_history_merges_the_same_either_way(places, scenario: str) -> None:
    on_a, on_b = SCENARIOS[scenario]
    a, doc_id = _base(places)
    b = places.copy(a, "b")
    on_a(a, doc_id)
    on_b(b, doc_id)
    a_into_b, b_into_a = places.copy(b, "ab"), places.copy(a, "ba")
    for target, source in ((a_into_b, a), (b_into_a, b)):
        db = open_database(target)
        merge_databases(db, [source])
        db.close()
    assert _state(a_into_b) == _state(b_into_a)
    labels, live, _ = _state(a_into_b)
    retired = {name for name, is_retired in labels if is_retired}
    assert not retired & {label for label, _ in live}, "a retired label kept live spans"
    # And merging again changes nothing.
    db = open_database(a_into_b)
    merge_databases(db, [b_into_a])
    db.close()
    assert _state(a_into_b) == _state(b_into_a)
