"""``review --accept-agreed`` leaves documents with open
disagreements alone, ``review`` without ``--annotator`` carries on with the reviewer
already there, ``export --reviewed`` takes one reviewer and names unfinished
documents, and the review screen ends with a summary."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from team_data import ARTICLE, add_text, mark, two_annotators

from margin.store import review, review_status
from margin.store.annotations import query_annotations
from margin.store.db import open_database
from margin.tui.cli import cli
from margin.tui.review_app import ReviewApp

BOATS = "Bob Jones counted 12 boats."
AGREED = "Ships left the harbour at dawn."


def spans_of(db, who: str) -> list[tuple[str, int, int, str, str]]:
    return sorted((a.doc_id, a.start, a.end, a.label, a.origin) for a in query_annotations(db, annotator=who))


def agreed_document(db, text: str = AGREED, title: str = "") -> str:
    doc_id = add_text(db, text, title=title)
    for who in ("ana", "bob"):
        mark(db, doc_id, text, text.split()[0], "person", who)
    return doc_id


def boats_document(db, title: str = "", text: str = BOATS) -> str:
    doc_id = add_text(db, text, title=title)
    mark(db, doc_id, text, "Bob Jones", "person", "ana")
    mark(db, doc_id, text, "Bob", "person", "bob")
    return doc_id


def run(path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(path), *args], catch_exceptions=False)


def export_spans(output: str) -> list[tuple[str, int, int, str, str]]:
    rows = []
    for line in output.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            rows += [(record["title"], s["start"], s["end"], s["label"], s["annotator"]) for s in record["spans"]]
    return sorted(rows)


def default_name(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a user who gave no --annotator: the name comes from the config file."""
    monkeypatch.delenv("MARGIN_ANNOTATOR")
    Path(os.environ["MARGIN_CONFIG"]).write_text(f'annotator = "{name}"\n', encoding="utf-8")


# --- review --accept-agreed -------------------------------------------------------


def test_accept_agreed_skips_documents_with_open_disagreements(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    disputed = two_annotators(db)
    db.execute("update documents set title = ? where id = ?", ["Art\x1b[31micle", disputed])
    db.conn.commit()
    agreed = agreed_document(db)
    db.close()

    result = run(path, "--annotator", "carol", "review", "--accept-agreed")
    assert result.exit_code == 0, result.output
    assert "copied 1 agreed span(s) into carol's reviewed version (1 document(s)" in result.output
    assert "skipped 1 document(s) with open disagreements" in result.output
    assert "Art␛[31micle: 3 of 3 disagreements still open" in result.output
    assert "\x1b" not in result.output
    db = open_database(path)
    # the agreed claim of the disputed article is not copied: that document is untouched
    assert spans_of(db, "carol") == [(agreed, 0, 5, "person", "review:agreed")]

    # once every disagreement there is settled, it is no longer skipped
    for cluster in review.disagreements(db)[0].clusters:
        review.reject(db, "carol", cluster)
    report = review_status.copy_agreed(db, "carol")
    assert report.skipped == [] and report.documents == 2
    assert (disputed, 22, 54, "claim", "review:agreed") in spans_of(db, "carol")
    db.close()


def test_accept_agreed_reports_partly_settled_documents(fresh_db):
    two_annotators(fresh_db)
    boats = boats_document(fresh_db, title="Boats")
    review.adopt(fresh_db, "carol", review.disagreements(fresh_db)[0].clusters[0], "ana")
    before = spans_of(fresh_db, "carol")
    report = review_status.copy_agreed(fresh_db, "carol")
    assert [(s.title, s.open, s.total) for s in report.skipped] == [(ARTICLE, 2, 3), ("Boats", 1, 1)]
    assert report.added == 0
    assert spans_of(fresh_db, "carol") == before
    assert not [s for s in spans_of(fresh_db, "carol") if s[0] == boats]


# --- review without --annotator ---------------------------------------------------


def test_review_without_annotator_reuses_the_single_reviewer(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    agreed_document(db)
    db.close()
    assert run(path, "--annotator", "carol", "review", "--accept-agreed").exit_code == 0

    default_name("dave", monkeypatch)
    db = open_database(path)
    later = agreed_document(db, "Rain fell on Tuesday.")
    db.close()
    result = run(path, "review", "--accept-agreed")
    assert result.exit_code == 0, result.output
    assert "reviewing as carol, the reviewer already in this database" in result.stderr
    assert "give --annotator dave" in result.stderr
    assert "into carol's reviewed version" in result.stdout
    db = open_database(path)
    assert review_status.reviewers(db) == ["carol"]
    assert (later, 0, 4, "person", "review:agreed") in spans_of(db, "carol")
    db.close()

    # the export then holds each span once
    exported = run(path, "export", "--reviewed")
    assert exported.exit_code == 0, exported.output
    spans = export_spans(exported.stdout)
    assert len(spans) == len(set(spans)) == 2


def test_review_without_annotator_starts_the_first_reviewer_under_the_default_name(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    agreed_document(db)
    db.close()
    default_name("dave", monkeypatch)
    result = run(path, "review", "--accept-agreed")
    assert result.exit_code == 0, result.output
    assert "into dave's reviewed version" in result.output
    assert "reviewing as" not in result.stderr


def test_review_without_annotator_refuses_among_several_reviewers(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    agreed_document(db)
    review_status.copy_agreed(db, "carol")
    review_status.copy_agreed(db, "erin")
    before = spans_of(db, "dave")
    db.close()
    default_name("dave", monkeypatch)
    result = run(path, "review", "--accept-agreed")
    assert result.exit_code == 1
    assert "this database has 2 reviewers (carol, erin); choose one with margin --annotator NAME review" in (
        result.output
    )
    db = open_database(path)
    assert spans_of(db, "dave") == before == []
    db.close()
    # naming one (even a new one) is always allowed
    assert run(path, "--annotator", "dave", "review", "--accept-agreed").exit_code == 0


# --- export --reviewed ------------------------------------------------------------


def test_export_reviewed_takes_one_reviewer(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    agreed_document(db)
    two_annotators(db)
    for reviewer in ("carol", "erin"):
        review_status.copy_agreed(db, reviewer)
        for cluster in review.disagreements(db)[0].clusters:
            review.adopt(db, reviewer, cluster, "ana")
    db.close()

    both = run(path, "export", "--reviewed")
    assert both.exit_code == 1
    assert "2 reviewers' versions (carol, erin); choose one with --annotator" in both.output
    assert not both.stdout.startswith("{")
    mixed = run(path, "export", "--reviewed", "--annotator", "carol", "--annotator", "erin")
    assert mixed.exit_code == 1
    assert "--reviewed exports one reviewer's version" in mixed.output

    carol = run(path, "export", "--reviewed", "--annotator", "carol")
    assert carol.exit_code == 0, carol.output
    spans = export_spans(carol.stdout)
    assert len(spans) == len(set(spans))
    assert spans == sorted([
        (AGREED, 0, 5, "person", "carol"),
        (ARTICLE, 0, 11, "person", "carol"),
        (ARTICLE, 22, 25, "statistic", "carol"),
        (ARTICLE, 22, 54, "claim", "carol"),
    ])


def test_export_reviewed_with_nothing_reviewed_is_refused(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    db.close()
    result = run(path, "export", "--reviewed")
    assert result.exit_code == 1
    assert "nothing has been reviewed yet" in result.output


def test_export_reviewed_warns_about_unfinished_documents(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    boats_document(db, title="Bo\x07ats")
    first, second, _third = review.disagreements(db)[0].clusters
    review.adopt(db, "carol", first, "ana")
    review.reject(db, "carol", second)
    db.close()

    out = tmp_path / "gold.jsonl"
    result = run(path, "export", "--reviewed", "-o", str(out))
    assert result.exit_code == 1
    assert "warning: carol's review is unfinished in 2 document(s):" in result.stderr
    assert f"  {ARTICLE}: 1 of 3 disagreements still open" in result.stderr
    assert "  Bo␇ats: 1 of 1 disagreements still open" in result.stderr
    assert "\x07" not in result.stderr
    # the export itself is complete
    assert [(s[1], s[2], s[3]) for s in export_spans(out.read_text())] == [(0, 11, "person"), (22, 54, "claim")]

    db = open_database(path)
    article = review.disagreements(db)
    review.reject(db, "carol", article[0].clusters[2])
    review.adopt(db, "carol", article[1].clusters[0], "bob")
    db.close()
    done = run(path, "export", "--reviewed", "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "warning" not in done.stderr
    assert ("Bo\x07ats", 0, 3, "person", "carol") in export_spans(out.read_text())


def test_export_reviewed_lists_at_most_ten_unfinished_documents(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    for number in range(12):
        boats_document(db, title=f"Boats {number:02}", text=f"{BOATS} Day {number}.")
    review.adopt(db, "carol", review.disagreements(db)[0].clusters[0], "ana")
    db.close()
    result = run(path, "export", "--reviewed", "--doc", "Boats 00", "--doc", "Boats 05")
    assert "unfinished in 1 document(s)" in result.stderr  # only the documents asked for
    result = run(path, "export", "--reviewed")
    assert result.exit_code == 1
    assert "unfinished in 11 document(s)" in result.stderr
    assert "Boats 10: 1 of 1" in result.stderr and "Boats 11" not in result.stderr
    assert "… and 1 more document(s) with open disagreements" in result.stderr


# --- the review screen's summary --------------------------------------------------


def two_documents(db) -> None:
    two_annotators(db)
    boats_document(db)


def summary_text(app: ReviewApp) -> str:
    panel = app.screen.query_one("#review-summary")
    return str(panel.render()) if panel.has_class("shown") and panel.display else ""


def test_review_screen_summary_when_the_last_disagreement_is_settled(fresh_db):
    two_documents(fresh_db)

    async def scenario() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("1")  # adopt ana's "Alice Smith"
            await pilot.press("e", "2", "3")  # edit: span 22–35, label statistic
            await pilot.pause()
            await pilot.press("x")  # reject bob's "Paris"
            assert summary_text(app) == ""  # one disagreement is left
            await pilot.press("2")  # adopt bob's "Bob" in the second document
            await pilot.pause()
            shown = summary_text(app)
            assert "Review finished (carol): 4 of 4 disagreement(s) settled: 2 adopted, 1 edited, 1 rejected" in shown
            assert "(4 decision(s) this session)" in shown
            assert "0 left; 2 of 2 document(s) done." in shown
            # still a review screen: going back to change a decision keeps the summary current
            await pilot.press("left_square_bracket", "x")
            await pilot.pause()
            assert "1 adopted, 1 edited, 2 rejected (5 decision(s) this session)" in summary_text(app)
            await pilot.press("q")
        assert app.summary is not None
        assert app.summary.lines()[1] == "0 left; 2 of 2 document(s) done."

    asyncio.run(scenario())

    async def resumed() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)):
            assert "4 of 4 disagreement(s) settled" in summary_text(app)
            assert "(0 decision(s) this session)" in summary_text(app)

    asyncio.run(resumed())


def test_quitting_the_review_early_leaves_a_summary(fresh_db):
    two_documents(fresh_db)

    async def scenario() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("right_square_bracket", "1")  # settle the second document
            await pilot.press("q")
        assert app.return_code == 0
        assert app.summary is not None
        assert app.summary.lines() == [
            "Review so far (carol): 1 of 4 disagreement(s) settled: 1 adopted, 0 edited, 0 rejected "
            "(1 decision(s) this session).",
            "3 left; 1 of 2 document(s) done.",
        ]

    asyncio.run(scenario())


def test_review_command_prints_the_summary_after_the_screen(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    two_documents(db)
    db.close()

    def run_with_keys(app: ReviewApp, *args, **kwargs) -> None:
        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("x", "q")

        asyncio.run(drive())

    monkeypatch.setattr(ReviewApp, "run", run_with_keys)
    result = run(path, "--annotator", "carol", "review")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Review so far (carol): 1 of 4 disagreement(s) settled: 0 adopted, 0 edited, 1 rejected "
        "(1 decision(s) this session).",
        "3 left; 0 of 2 document(s) done.",
    ]


def test_export_reviewed_names_a_document_whose_agreed_spans_were_not_copied(tmp_path: Path) -> None:
    """Fully agreed documents have nothing to settle, but until their agreed spans are
    copied the reviewer's version lacks them: the export must say so, not drop them."""
    from margin.store import review as review_store
    from margin.store.annotations import add_annotation as add
    from margin.store.documents import add_document as add_doc
    from margin.store.exporting import ExportReport, iter_records

    db = open_database(tmp_path / "m.db")
    agreed, _ = add_doc(db, "Alice met Bob in Paris.", title="agreed")
    disputed, _ = add_doc(db, "Carol saw Dan in Rome.", title="disputed")
    for who in ("ann", "ben"):
        add(db, agreed.id, 0, 5, "person", annotator=who)
        add(db, disputed.id, 0, 5, "person", annotator=who)
    add(db, disputed.id, 10, 13, "person", annotator="ann")
    [item] = review_store.disagreements(db)
    review_store.reject(db, "rev", item.clusters[0])
    report = ExportReport()
    list(iter_records(db, reviewed=True, report=report))
    # The disputed one got its agreed spans when its disagreement was settled.
    assert [(found.title, found.agreed_missing) for found in report.open_reviews] == [("agreed", True)]
    review_status.copy_agreed(db, "rev")
    report = ExportReport()
    records = list(iter_records(db, reviewed=True, report=report))
    assert report.open_reviews == []
    assert sorted((r.title, [(s.start, s.end) for s in r.spans]) for r in records) == [
        ("agreed", [(0, 5)]), ("disputed", [(0, 5)])
    ]
    db.close()
