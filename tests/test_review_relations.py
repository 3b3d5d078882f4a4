"""Review of relations and attributes: once a document's spans are settled, the
relations and values the annotators differ on are listed, settled one at a time, and
reopened by a later change; the reviewer's version (and ``export --reviewed``)
carries the outcome."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner
from team_data import add_text, mark

from margin.store import review, review_link_decisions, review_links, review_status
from margin.store.annotations import query_annotations
from margin.store.attributes import document_attributes, set_attribute
from margin.store.db import open_database
from margin.store.relations import add_relation, document_relations, update_relation
from margin.tui.cli import cli
from margin.tui.review_app import ReviewApp

TEXT = "Adrienne Watson said the tariff cut prices by 40% last year."
CLAIM = "the tariff cut prices by 40%"
PERSON = "Adrienne Watson"
SPANS = ((PERSON, "person"), (CLAIM, "claim"), ("40%", "statistic"))


def claims(db, ben: str = "ben") -> tuple[str, dict[str, dict]]:
    """ana and ben mark the same three spans; both say the claim cites 40%, only ana
    that it was said_by Adrienne Watson; ana's verdict is true, ben's false."""
    doc_id = add_text(db, TEXT)
    spans = {who: {quote: mark(db, doc_id, TEXT, quote, label, who) for quote, label in SPANS} for who in ("ana", ben)}
    add_relation(db, spans["ana"][CLAIM].id, spans["ana"][PERSON].id, "said_by", annotator="ana")
    for who in ("ana", ben):
        add_relation(db, spans[who][CLAIM].id, spans[who]["40%"].id, "cites", annotator=who)
    set_attribute(db, spans["ana"][CLAIM].id, "verdict", "true", annotator="ana")
    set_attribute(db, spans[ben][CLAIM].id, "verdict", "false", annotator=ben)
    return doc_id, spans


def items_of(db, reviewer: str = "carol") -> list[review_links.LinkItem]:
    documents, states = review_links.review_documents(db, reviewer)
    return [item for document in documents for item in states[document.doc_id].items]


def reviewer_links(db, doc_id: str, reviewer: str = "carol") -> tuple[set, dict]:
    """The reviewer's relations as (head quote, type, child quote, origin), and their
    values by quote."""
    spans = {a.id: a for a in query_annotations(db, annotator=reviewer)}
    relations = {
        (spans[r.head].quote, r.type, spans[r.child].quote, r.origin)
        for r in document_relations(db, doc_id)
        if r.annotator == reviewer
    }
    values = {spans[a].quote: found for a, found in document_attributes(db, doc_id).items() if a in spans}
    return relations, values


def settle_both(db) -> None:
    said_by, verdict = items_of(db)
    review_link_decisions.adopt(db, "carol", said_by, "ana")  # ana's: keep the relation
    review_link_decisions.adopt(db, "carol", verdict, "ben")  # ben's value


def test_review_lists_exactly_the_differing_relation_and_verdict(fresh_db):
    claims(fresh_db)
    assert review.disagreements(fresh_db) == []  # the spans all agree
    said_by, verdict = items_of(fresh_db)
    assert isinstance(said_by, review_links.RelationItem)
    assert (said_by.head, said_by.type, said_by.child) == ((21, 49, "claim"), "said_by", (0, 15, "person"))
    assert {name: relation is not None for name, relation in said_by.made.items()} == {"ana": True, "ben": False}
    assert isinstance(verdict, review_links.AttributeItem)
    assert (verdict.span, verdict.name, verdict.values) == ((21, 49, "claim"), "verdict", {"ana": "true", "ben": "false"})
    [found] = review_status.open_reviews(fresh_db, "carol", [said_by.doc_id])
    assert (found.open, found.total) == (2, 2)
    # nothing is copied while they are open: the document would look reviewed
    report = review_status.copy_agreed(fresh_db, "carol")
    assert (report.added, [(s.open, s.total) for s in report.skipped]) == (0, [(2, 2)])


def test_settling_gives_the_reviewers_relations_and_values(fresh_db):
    doc_id, _ = claims(fresh_db)
    settle_both(fresh_db)
    relations, values = reviewer_links(fresh_db, doc_id)
    assert relations == {
        (CLAIM, "said_by", PERSON, "review:ana"),
        (CLAIM, "cites", "40%", "review:agreed"),
    }
    assert values == {CLAIM: {"verdict": "false"}}
    assert {a.origin for a in query_annotations(fresh_db, annotator="carol")} == {"review:agreed"}
    decisions = review.reviews(fresh_db, reviewer="carol")
    assert [(d.decision, d.adopted_from) for d in decisions] == [("kept", "ana"), ("chosen", "ben")]
    assert review_status.open_reviews(fresh_db, "carol", [doc_id]) == []
    assert items_of(fresh_db) and all(
        index in state.decided for state in review_links.review_documents(fresh_db, "carol")[1].values()
        for index in range(len(state.items))
    )


def test_dropping_and_keeping_no_value(fresh_db):
    doc_id, _ = claims(fresh_db)
    said_by, verdict = items_of(fresh_db)
    review_link_decisions.drop(fresh_db, "carol", said_by)
    review_link_decisions.drop(fresh_db, "carol", verdict)
    relations, values = reviewer_links(fresh_db, doc_id)
    assert relations == {(CLAIM, "cites", "40%", "review:agreed")}
    assert values == {}
    # deciding again replaces the earlier decision
    said_by, verdict = items_of(fresh_db)
    review_link_decisions.keep_relation(fresh_db, "carol", said_by)
    review_link_decisions.adopt(fresh_db, "carol", verdict, "ana")
    relations, values = reviewer_links(fresh_db, doc_id)
    assert (CLAIM, "said_by", PERSON, "review:ana") in relations
    assert values == {CLAIM: {"verdict": "true"}}


def test_an_annotators_later_change_reopens_the_item(fresh_db):
    doc_id, spans = claims(fresh_db)
    settle_both(fresh_db)
    set_attribute(fresh_db, spans["ben"][CLAIM].id, "verdict", "misleading", annotator="ben")
    [found] = review_status.open_reviews(fresh_db, "carol", [doc_id])
    assert (found.open, found.total) == (1, 2)
    [state] = review_links.review_documents(fresh_db, "carol")[1].values()
    assert [type(state.items[i]).__name__ for i in range(2) if i not in state.decided] == ["AttributeItem"]
    assert state.items[1].values == {"ana": "true", "ben": "misleading"}
    # the reviewer's value stands until the item is settled again
    assert reviewer_links(fresh_db, doc_id)[1] == {CLAIM: {"verdict": "false"}}
    review_link_decisions.adopt(fresh_db, "carol", state.items[1], "ben")
    assert reviewer_links(fresh_db, doc_id)[1] == {CLAIM: {"verdict": "misleading"}}

    said_by = document_relations(fresh_db, doc_id)[0]
    assert (said_by.annotator, said_by.type) == ("ana", "said_by")
    update_relation(fresh_db, said_by.id, note="on the radio")
    [found] = review_status.open_reviews(fresh_db, "carol", [doc_id])
    assert (found.open, found.total) == (1, 2)
    # once ben makes the relation too, it is agreed and copied as such
    add_relation(fresh_db, spans["ben"][CLAIM].id, spans["ben"][PERSON].id, "said_by", annotator="ben")
    review_status.copy_agreed(fresh_db, "carol")
    assert review_status.open_reviews(fresh_db, "carol", [doc_id]) == []
    relations, _ = reviewer_links(fresh_db, doc_id)
    assert (CLAIM, "said_by", PERSON, "review:agreed") in relations
    assert not any(origin == "review:ana" for *_, origin in relations)


def test_relations_wait_for_the_spans_and_follow_the_reviewers_choice(fresh_db):
    """With the person's extent in dispute, nothing about relations is asked; each
    annotator's relation ends on their own person, so whichever the reviewer adopts
    brings its relation along, and a change of mind moves it."""
    doc_id = add_text(fresh_db, TEXT)
    for who, person in (("ana", PERSON), ("ben", "Watson")):
        claim = mark(fresh_db, doc_id, TEXT, CLAIM, "claim", who)
        speaker = mark(fresh_db, doc_id, TEXT, person, "person", who)
        add_relation(fresh_db, claim.id, speaker.id, "said_by", annotator=who)
    documents, states = review_links.review_documents(fresh_db, "carol")
    assert len(documents[0].clusters) == 1 and states == {}
    cluster = documents[0].clusters[0]
    review.adopt(fresh_db, "carol", cluster, "ben")
    assert reviewer_links(fresh_db, doc_id)[0] == {(CLAIM, "said_by", "Watson", "review:agreed")}
    review.adopt(fresh_db, "carol", cluster, "ana")
    assert reviewer_links(fresh_db, doc_id)[0] == {(CLAIM, "said_by", PERSON, "review:agreed")}
    assert items_of(fresh_db) == []


def test_review_screen_settles_relations_and_values_by_key(fresh_db):
    doc_id, _ = claims(fresh_db, ben="[red]ben")

    async def scenario() -> None:
        app = ReviewApp(fresh_db, "carol")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert screen.current_cluster is None
            assert isinstance(screen.current_item, review_links.RelationItem)
            shown = str(screen.query_one("#review-item").render())
            assert shown == (
                "claim “the tariff cut prices by 40%” — said_by → person “Adrienne Watson”: "
                "[red]ben no, ana yes"
            )  # names stay plain text, in column order
            assert "k keep the relation" in str(screen.query_one("#review-decision").render())
            await pilot.press("k")  # keep the relation
            assert isinstance(screen.current_item, review_links.AttributeItem)
            assert str(screen.query_one("#review-item").render()) == (
                "claim “the tariff cut prices by 40%” — verdict: [red]ben false, ana true"
            )
            await pilot.press("1")  # ben's value
            await pilot.pause()
            assert screen.finished
            summary = str(screen.query_one("#review-summary").render())
            assert "2 of 2 disagreement(s) settled" in summary
            assert "1 relation(s) kept, 0 dropped, 1 value(s) chosen" in summary
            await pilot.press("p")
            assert "kept (as ana made it)" in str(screen.query_one("#review-decision").render())
            await pilot.press("x")  # change of mind: drop it
            await pilot.press("q")

    asyncio.run(scenario())
    relations, values = reviewer_links(fresh_db, doc_id)
    assert relations == {(CLAIM, "cites", "40%", "review:agreed")}
    assert values == {CLAIM: {"verdict": "false"}}


def test_review_command_opens_for_relations_alone(tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    claims(db)
    db.close()

    def run_with_keys(app: ReviewApp, *args, **kwargs) -> None:
        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("1", "q")

        asyncio.run(drive())

    monkeypatch.setattr(ReviewApp, "run", run_with_keys)
    result = CliRunner().invoke(cli, ["--db", str(path), "--annotator", "carol", "review"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "1 left; 0 of 1 document(s) done."


def test_export_reviewed_carries_the_reviewers_relations_and_values(tmp_path):
    path = tmp_path / "team.db"
    db = open_database(path)
    claims(db)
    said_by, _verdict = items_of(db)
    review_link_decisions.adopt(db, "carol", said_by, "ana")
    db.close()
    run = CliRunner().invoke
    unfinished = run(cli, ["--db", str(path), "export", "--reviewed"], catch_exceptions=False)
    assert unfinished.exit_code == 1 and "1 of 2 disagreements still open" in unfinished.stderr
    db = open_database(path)
    settle_both(db)
    db.close()
    result = run(cli, ["--db", str(path), "export", "--reviewed"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    spans = record["spans"]
    assert {s["annotator"] for s in spans} == {"carol"}
    assert [s.get("attributes", {}) for s in spans if s["label"] == "claim"] == [{"verdict": "false"}]
    text = {s["id"]: s["text"] for s in spans}  # margin's JSON lines name the ends by span id
    quoted = {(text[r["head"]], r["type"], text[r["child"]], r["origin"]) for r in record["relations"]}
    assert quoted == {(CLAIM, "said_by", PERSON, "review:ana"), (CLAIM, "cites", "40%", "review:agreed")}


def test_an_agreed_relation_added_after_the_review_is_named_until_copied(fresh_db):
    doc_id, spans = claims(fresh_db)
    settle_both(fresh_db)
    for who in ("ana", "ben"):
        add_relation(fresh_db, spans[who][CLAIM].id, spans[who][PERSON].id, "about", annotator=who)
    [found] = review_status.open_reviews(fresh_db, "carol", [doc_id])
    assert (found.open, found.agreed_missing) == (0, True)
    review_status.copy_agreed(fresh_db, "carol")
    assert review_status.open_reviews(fresh_db, "carol", [doc_id]) == []
    assert (CLAIM, "about", PERSON, "review:agreed") in reviewer_links(fresh_db, doc_id)[0]


def test_relation_and_value_decisions_travel_with_a_merge(tmp_path):
    from margin.store.merge import merge_databases

    ours = open_database(tmp_path / "ours.db")
    doc_id, _ = claims(ours)
    settle_both(ours)
    expected = reviewer_links(ours, doc_id)
    ours.close()
    theirs = open_database(tmp_path / "theirs.db")
    merge_databases(theirs, [tmp_path / "ours.db"])
    assert [r.decision for r in review.reviews(theirs)] == ["kept", "chosen"]
    assert review_status.open_reviews(theirs, "carol", [doc_id]) == []
    assert reviewer_links(theirs, doc_id) == expected
    theirs.close()
