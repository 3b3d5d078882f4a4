"""Review: disagreement clusters, stored decisions, the keyboard-driven review screen,
and the team commands' command-line faces."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner
from team_data import ARTICLE, add_text, mark, two_annotators
from textual.content import Content

from margin.store import review, review_status
from margin.store.annotations import (
    iter_annotations,
    query_annotations,
    update_annotation,
)
from margin.store.db import SCHEMA_VERSION, open_database, schema_version
from margin.store.errors import MarginError
from margin.store.merge import merge_databases
from margin.store.model import REVIEW_PREFIX
from margin.tui.cli import COMMANDS, cli
from margin.tui.review_app import ReviewApp

BOATS = "Bob Jones counted 12 boats."


def spans_of(db, who: str) -> set[tuple[int, int, str, str]]:
    return {(a.start, a.end, a.label, a.origin) for a in query_annotations(db, annotator=who)}


def test_clusters_group_overlapping_spans_and_leave_out_agreement(fresh_db):
    two_annotators(fresh_db)
    (document,) = review.disagreements(fresh_db)
    assert document.annotators == ["ana", "bob"]
    assert document.agreed == [(22, 54, "claim")]
    shapes = [
        (c.start, c.end, {who: [(a.start, a.end, a.label) for a in spans] for who, spans in c.versions.items()})
        for c in document.clusters
    ]
    assert shapes == [
        (0, 11, {"ana": [(0, 11, "person")], "bob": [(0, 5, "person")]}),
        (22, 35, {"ana": [(22, 25, "statistic")], "bob": [(22, 35, "statistic")]}),
        (41, 46, {"ana": [], "bob": [(41, 46, "person")]}),
    ]


def test_documents_in_full_agreement_or_with_one_annotator_are_not_listed(fresh_db):
    doc_id = add_text(fresh_db)
    for who in ("ana", "bob"):
        mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", who)
    solo = add_text(fresh_db, BOATS)
    mark(fresh_db, solo, BOATS, "Bob Jones", "person", "ana")
    assert review.disagreements(fresh_db) == []


def test_adopt_edit_reject_store_spans_and_records(fresh_db):
    two_annotators(fresh_db)
    first, second, third = review.disagreements(fresh_db)[0].clusters

    adopted = review.adopt(fresh_db, "carol", first, "ana")
    review.edit(fresh_db, "carol", second, [(22, 35, "statistic")])
    rejected = review.reject(fresh_db, "carol", third)

    assert spans_of(fresh_db, "carol") == {
        (0, 11, "person", "review:ana"),
        (22, 35, "statistic", "review:edit"),
        (22, 54, "claim", "review:agreed"),
    }
    assert all(a.status == "accepted" for a in query_annotations(fresh_db, annotator="carol"))
    records = review.reviews(fresh_db, reviewer="carol")
    assert [r.decision for r in records] == ["adopted", "edited", "rejected"]
    assert adopted.adopted_from == "ana"
    assert adopted.adopted_ids == [a.id for a in first.versions["ana"]]
    assert rejected.result_ids == []
    copied = query_annotations(fresh_db, annotator="carol", label="person")[0]
    assert copied.note == "ana on person"  # an adopted span keeps its note
    assert review.decision_for(first, records).decision == "adopted"
    # the reviewer's spans never count as a version in the comparison
    assert [c.start for c in review.disagreements(fresh_db)[0].clusters] == [0, 22, 41]


def test_deciding_again_supersedes_the_earlier_decision(fresh_db):
    two_annotators(fresh_db)
    first = review.disagreements(fresh_db)[0].clusters[0]
    review.adopt(fresh_db, "carol", first, "ana")
    review.adopt(fresh_db, "carol", first, "bob")
    assert {s for s in spans_of(fresh_db, "carol") if s[2] == "person"} == {(0, 5, "person", "review:bob")}
    deleted = query_annotations(fresh_db, annotator="carol", include_deleted=True, label="person")
    assert len(deleted) == 2
    records = review.reviews(fresh_db, reviewer="carol")
    assert review.decision_for(first, records).adopted_from == "bob"


def test_a_cluster_changed_since_it_was_shown_is_refused(fresh_db):
    two_annotators(fresh_db)
    first = review.disagreements(fresh_db)[0].clusters[0]
    update_annotation(fresh_db, first.versions["bob"][0].id, note="changed meanwhile")
    with pytest.raises(MarginError, match="changed these spans"):
        review.adopt(fresh_db, "carol", first, "bob")
    assert spans_of(fresh_db, "carol") == set()
    assert review.reviews(fresh_db) == []


def test_accept_agreed_covers_documents_without_disagreement(fresh_db):
    doc_id = add_text(fresh_db)
    for who in ("ana", "bob"):
        mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", who)
    assert review_status.accept_agreed(fresh_db, "carol") == 1
    assert review_status.accept_agreed(fresh_db, "carol") == 0
    assert spans_of(fresh_db, "carol") == {(0, 11, "person", "review:agreed")}
    assert [a.origin for a in iter_annotations(fresh_db, origin_prefix=REVIEW_PREFIX)] == ["review:agreed"]


def test_reviews_travel_with_a_merge(tmp_path):
    ours = open_database(tmp_path / "ours.db")
    two_annotators(ours)
    review.reject(ours, "carol", review.disagreements(ours)[0].clusters[2])
    ours.close()
    theirs = open_database(tmp_path / "theirs.db")
    report = merge_databases(theirs, [tmp_path / "ours.db"])
    assert report.tables["reviews"].added == 1
    assert [r.decision for r in review.reviews(theirs)] == ["rejected"]


def test_a_schema_1_database_gains_the_reviews_table_on_open(db_path):
    db = open_database(db_path)
    two_annotators(db)
    db.execute("drop table reviews")
    db.execute("delete from _sqlite_migrations where name = '0002_review'")
    db.execute("pragma user_version = 1")
    db.conn.commit()
    db.close()
    db = open_database(db_path)
    assert schema_version(db) == SCHEMA_VERSION >= 7
    assert db.table("reviews").exists()
    assert len(query_annotations(db)) == 7
    db.close()


def _two_documents(db) -> None:
    two_annotators(db)
    boats = add_text(db, BOATS)
    mark(db, boats, BOATS, "Bob Jones", "person", "ana")
    mark(db, boats, BOATS, "Bob", "person", "bob")


def test_review_screen_driven_by_keys(fresh_db):
    _two_documents(fresh_db)
    asyncio.run(_walk_the_review(fresh_db))
    records = review.reviews(fresh_db, reviewer="carol")
    assert [(r.decision, r.adopted_from) for r in records] == [
        ("adopted", "ana"),
        ("edited", None),
        ("rejected", None),
        ("adopted", "bob"),
    ]
    assert spans_of(fresh_db, "carol") == {
        (0, 11, "person", "review:ana"),
        (22, 35, "statistic", "review:edit"),
        (22, 54, "claim", "review:agreed"),
        (0, 3, "person", "review:bob"),
    }


async def _walk_the_review(db) -> None:
    app = ReviewApp(db, "carol")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert screen.current_cluster.start == 0
        await pilot.press("1")  # adopt ana's "Alice Smith"
        assert (0, 11, "person", "review:ana") in spans_of(db, "carol")
        assert screen.current_cluster.start == 22  # moved on to the next disagreement
        await pilot.press("e", "2", "3")  # span 22–35, label statistic
        await pilot.pause()
        assert (22, 35, "statistic", "review:edit") in spans_of(db, "carol")
        assert screen.current_cluster.start == 41
        await pilot.press("x")
        await pilot.press("right_square_bracket")
        assert screen.current_document.title == BOATS
        await pilot.press("2")  # adopt bob's "Bob"
        await pilot.press("left_square_bracket")
        assert screen.current_document.title == ARTICLE
        await pilot.press("n", "p")
        assert screen.current_cluster.start == 0
        assert "adopted ana's version" in str(screen.query_one("#review-decision").render())
        await pilot.press("q")
    assert app.return_code == 0


def test_review_screen_resumes_at_the_first_open_disagreement(fresh_db):
    two_annotators(fresh_db)
    review.adopt(fresh_db, "carol", review.disagreements(fresh_db)[0].clusters[0], "bob")

    async def scenario() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.screen.current_cluster.start == 22
            await pilot.press("9")  # there is no ninth annotator: nothing is stored
            assert len(review.reviews(fresh_db)) == 1

    asyncio.run(scenario())


def test_review_screen_shows_article_text_as_plain_text(fresh_db):
    text = "[bold]Not markup[/bold] and \x1b[31mno escapes\x1b[0m here."
    doc_id = add_text(fresh_db, text)
    mark(fresh_db, doc_id, text, "[bold]Not markup[/bold]", "claim", "ana")
    mark(fresh_db, doc_id, text, "Not markup", "claim", "[red]bob")

    async def scenario() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)):
            shown = str(app.screen.query_one("#review-text").render())
            assert "[bold]Not markup[/bold]" in shown
            assert "\x1b" not in shown and "␛[31m" in shown
            columns = list(app.screen.query(".version"))
            titles = [Content.from_markup(column.border_title).plain for column in columns]
            assert titles == ["1 · [red]bob", "2 · ana"]

    asyncio.run(scenario())


def test_agreement_json_through_the_command_line(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "agreement", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["annotators"] == ["ana", "bob"]
    (pair,) = report["pairs"]
    assert (pair["reference"], pair["predicted"], pair["documents"]) == ("ana", "bob", 1)
    assert pair["overall"]["exact"]["f1"] == pytest.approx(2 / 7)
    assert pair["overall"]["overlap"]["f1"] == pytest.approx(6 / 7)
    assert pair["overall"]["kappa"] == pytest.approx(75 / 127)
    assert report["alpha_overall"]["alpha"] == pytest.approx(294 / 494)
    filtered = CliRunner().invoke(cli, ["--db", str(path), "agreement", "--json", "--label", "claim"])
    assert [row["label"] for row in json.loads(filtered.output)["pairs"][0]["labels"]] == ["claim"]


def test_review_command_without_disagreements_says_so(tmp_path):
    open_database(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "empty.db"), "review"])
    assert result.exit_code == 0
    assert "No disagreements to review" in result.output


def test_review_command_accept_agreed(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "--annotator", "carol", "review", "--accept-agreed"])
    assert result.exit_code == 0, result.output
    # its one document still has open disagreements: left for the review
    assert "copied 0 agreed span(s)" in result.output
    assert "skipped 1 document(s) with open disagreements" in result.output


@pytest.mark.parametrize("name", ["merge", "agreement", "review"])
def test_team_commands_document_themselves_with_examples(name):
    assert COMMANDS[name].startswith("margin.tui.commands.team:")
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"margin {name} " in result.output
    command = cli.get_command(None, name)  # type: ignore[arg-type]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts} has no help"


def test_export_reviewed_gives_only_the_settled_spans(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    first, _second, third = review.disagreements(db)[0].clusters
    review.adopt(db, "carol", first, "ana")
    review.reject(db, "carol", third)
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "export", "--reviewed"], catch_exceptions=False)
    # the second disagreement is still open: the export is written, and says so
    assert result.exit_code == 1, result.output
    assert "1 of 3 disagreements still open" in result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("{")]
    spans = json.loads(line)["spans"]
    assert {(s["start"], s["end"], s["label"], s["annotator"]) for s in spans} == {
        (0, 11, "person", "carol"),
        (22, 54, "claim", "carol"),
    }
    assert all(s["origin"].startswith("review:") for s in spans)
