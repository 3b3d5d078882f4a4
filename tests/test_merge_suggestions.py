"""Merging what assisted annotation adds: scores land beside their suggestions, the
newest model wins whichever way round, a model row that would act on a terminal is
refused, and a suggestion rejected in one copy stays rejected after a merge and
after the suggesters run again."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from suggest_support import Numbers, expected, register
from team_data import copy_file

from margin.store import annotations as store_annotations
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.merge import merge_databases
from margin.store.suggest.run import suggest_documents
from margin.tui.cli import cli

TEXT = "In 2023, 40% of 21 partners agreed, Watson said. Mayorkas said 520,000 crossed."


def with_suggestions(where: str | Path) -> str | Path:
    db = open_database(where)
    add_document(db, TEXT, title="Talks")
    suggest_documents(db, [Numbers()], annotator="ana")
    db.close()
    return where


def scores_of(where: str | Path) -> dict[str, float]:
    db = open_database(where)
    try:
        return dict(db.execute("select annotation_id, score from suggestion_scores").fetchall())
    finally:
        db.close()


def test_scores_follow_their_suggestions_and_a_second_merge_adds_nothing(places) -> None:
    ours = open_database(places("ours"))
    theirs = with_suggestions(places("theirs"))
    report = merge_databases(ours, [theirs])
    found = len(expected(TEXT))
    assert (report.tables["annotations"].added, report.tables["suggestion_scores"].added) == (found, found)
    ours.close()
    assert scores_of(places("ours")) == scores_of(theirs)
    assert sorted(scores_of(theirs).values()) == sorted(score for _, _, score in expected(TEXT))
    ours = open_database(places("ours"))
    again = merge_databases(ours, [theirs]).tables["suggestion_scores"]
    ours.close()
    assert (again.added, again.updated, again.skipped) == (0, 0, found)


def test_a_rejected_suggestion_stays_rejected_after_a_merge_and_another_run(places, monkeypatch) -> None:
    a = with_suggestions(places("a"))
    b = places.copy(a, "b")
    db = open_database(a)
    rejected = store_annotations.query_annotations(db, label="statistic")[0]
    store_annotations.update_annotation(db, rejected.id, status="rejected")
    db.close()
    for target, source in ((b, a), (a, b)):  # either way round
        db = open_database(target)
        merge_databases(db, [source])
        assert store_annotations.get_annotation(db, rejected.id).status == "rejected"  # type: ignore[union-attr]
        db.close()
    register(monkeypatch)
    result = CliRunner().invoke(cli, ["--db", b, "--annotator", "ben", "suggest"], catch_exceptions=False)
    assert result.stdout == f"suggested 0 span(s) in 1 document(s); {len(expected(TEXT))} already there\n"
    db = open_database(b)
    at_place = db.execute(
        'select status from annotations where doc_id = ? and start = ? and "end" = ? and label = ?',
        [rejected.doc_id, rejected.start, rejected.end, rejected.label],
    ).fetchall()
    db.close()
    assert at_place == [("rejected",)]


def add_model(where: str | Path, name: str, data: bytes, updated_at: str, kind: str = "claims",
              labels: str = '["claim"]', trained_on: object = 12) -> None:
    db = open_database(where)
    with db.conn:
        db.execute(
            "insert or replace into models (name, kind, data, labels, trained_on, trained_at, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?)", [name, kind, data, labels, trained_on, updated_at, updated_at],
        )
    db.close()


def models_of(where: str) -> list[tuple]:
    db = open_database(where)
    try:
        return db.execute("select name, data, updated_at from models order by name").fetchall()
    finally:
        db.close()


def test_the_newest_model_wins_whichever_way_round(places) -> None:
    old, new = "2026-01-01T10:00:00.000Z", "2026-02-01T10:00:00.000Z"
    a, b = places("a"), places("b")
    add_model(a, "claims", b"older", old)
    add_model(a, "only-a", b"\x00\xff", old)
    add_model(b, "claims", b"newer", new)
    a_into_b, b_into_a = places.copy(b, "b2"), places.copy(a, "a2")
    for target, source in ((a_into_b, a), (b_into_a, b)):
        db = open_database(target)
        counts = merge_databases(db, [source]).tables["models"]
        db.close()
        if target == a_into_b:
            assert (counts.added, counts.updated, counts.skipped) == (1, 0, 1)
        else:
            assert (counts.added, counts.updated, counts.skipped) == (0, 1, 0)
    assert models_of(a_into_b) == models_of(b_into_a) == [("claims", b"newer", new), ("only-a", b"\x00\xff", old)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"name": "claims\x1b[2J"}, "contains the control character U+001B"),
        ({"kind": "claims\x07"}, "model kind 'claims\\x07' contains the control character U+0007"),
        ({"data": "not bytes"}, "where its bytes should be"),
        ({"labels": "claim"}, "which is not a JSON list"),
        ({"labels": '["cl\\u202eaim"]'}, "labels: label name"),
        ({"trained_on": -1}, "which is not a count"),
    ],
)
def test_a_model_row_that_is_not_what_margin_writes_is_refused(places, tmp_path: Path, row: dict,
                                                               message: str) -> None:
    # A server's bytea column takes a word as its bytes: a word there is a file's loose typing.
    bad = tmp_path / "bad.db" if isinstance(row.get("data"), str) else places("bad")
    add_model(bad, **{"name": "claims", "data": b"x", "updated_at": "2026-01-01T10:00:00.000Z", **row})
    ours = open_database(places("ours"))
    with pytest.raises(MarginError, match="nothing was merged") as error:
        merge_databases(ours, [bad])
    assert message in str(error.value)
    assert ours.execute("select count(*) from models").fetchone() == (0,)
    ours.close()


def test_the_merge_command_reports_the_new_tables(places) -> None:
    theirs = with_suggestions(places("theirs"))
    add_model(theirs, "claims", b"model", "2026-01-01T10:00:00.000Z")
    ours = places("ours")
    result = CliRunner().invoke(cli, ["--db", ours, "merge", theirs], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"suggestion_scores: {len(expected(TEXT))} added, 0 updated, 0 skipped\n" in result.output
    assert "models: 1 added, 0 updated, 0 skipped\n" in result.output


def test_two_copies_that_ran_the_suggesters_merge_onto_one_row_a_place(places) -> None:
    """Both copies suggest the same places apart (the document copied before any run);
    one rejects them all; merging the other in leaves only the rejections."""
    a = open_database(places("a"))
    add_document(a, TEXT, title="Talks")
    a.close()
    b = open_database(places.copy(places("a"), "b"))
    a = open_database(places("a"))
    suggest_documents(a, [Numbers()], annotator="ana")
    suggest_documents(b, [Numbers()], annotator="bob")
    b.close()
    for annotation in store_annotations.query_annotations(a):
        store_annotations.update_annotation(a, annotation.id, status="rejected")
    merge_databases(a, [places("b")])
    rows = a.execute('select start, "end", label, status from annotations order by start').fetchall()
    a.close()
    assert rows == sorted((s.start, s.end, s.label, "rejected") for s in Numbers().suggest(TEXT))


def _annotation(db, id: str, status: str, origin: str, start: int = 9, end: int = 12) -> dict:
    return store_annotations.annotation_row(
        doc_id=db.execute("select id from documents").fetchone()[0], text=TEXT, start=start, end=end,
        label="statistic", annotator="ana", status=status, origin=origin, id=id,
    )


def test_scores_that_are_not_numbers_in_0_1_are_skipped(places, tmp_path: Path) -> None:
    """A word or bytes where a score should be is what a file's loose typing lets in;
    the target is on either backend."""
    source = with_suggestions(tmp_path / "s.db")
    ids = sorted(scores_of(source))
    db = open_database(source)
    with db.conn:
        for annotation_id, bad in zip(ids, (5.0, "evil", -3, b"\x00")):
            db.execute("update suggestion_scores set score = ? where annotation_id = ?", [bad, annotation_id])
    db.close()
    empty = open_database(places("empty"))
    counts = merge_databases(empty, [source]).tables["suggestion_scores"]
    empty.close()
    assert (counts.added, counts.skipped) == (len(ids) - 4, 4)
    assert all(0 <= score <= 1 for score in scores_of(places("empty")).values())


def test_a_held_score_that_is_not_a_number_is_replaced(tmp_path: Path) -> None:
    """Only a file's loose typing lets a word into a score column."""
    source = with_suggestions(tmp_path / "s.db")
    target = copy_file(source, tmp_path / "t.db")
    ids = sorted(scores_of(source))
    db = open_database(target)  # the target holds a word where a score should be
    with db.conn:
        db.execute("update suggestion_scores set score = 'evil'")
    db.close()
    db = open_database(source)
    with db.conn:
        db.execute("update suggestion_scores set score = 0.99")
    db.close()
    db = open_database(target)
    counts = merge_databases(db, [source]).tables["suggestion_scores"]
    db.close()
    assert counts.updated == len(ids) and set(scores_of(target).values()) == {0.99}
