"""The learned suggester (INCEpTION's string matcher): a labelled span's text found
again, whole words and same case, in any document, through suggest_documents on a
real database; rejected and deleted places stay as they were."""

from __future__ import annotations

from margin.store.annotations import add_annotation, delete_annotation
from margin.store.documents import add_document
from margin.store.suggest import Options, build
from margin.store.suggest import learned as learned_module
from margin.store.suggest.run import scores, suggest_documents


def _doc(db, text: str) -> str:
    return add_document(db, text, title=text[:10])[0].id


def _suggested(db, doc_id: str) -> list[tuple[int, int, str, str]]:
    return db.execute(
        "select start, \"end\", quote, label from annotations where doc_id = ? and status = 'suggested' "
        "and deleted_at is null order by start", [doc_id]).fetchall()


def test_the_same_text_elsewhere_whole_words_and_case(fresh_db) -> None:
    first = _doc(fresh_db, "Watson said so.")
    add_annotation(fresh_db, first, 0, 6, "person", annotator="ann")
    text = "Watson agreed. Watsonville is far; Ms Watson's plan; watson; DeWatson; Watson."
    other = _doc(fresh_db, text)
    [learned] = build(fresh_db, ["learned"])
    report = suggest_documents(fresh_db, [learned], annotator="tester")
    found = _suggested(fresh_db, other)
    assert [(start, quote, label) for start, _, quote, label in found] == [
        (0, "Watson", "person"), (text.index("Watson's"), "Watson", "person"), (text.rindex("Watson"), "Watson", "person"),
    ]
    assert _suggested(fresh_db, first) == []  # the labelled place itself is taken
    assert report.by_suggester == {"learned": 3}


def test_rejected_and_deleted_places_are_not_suggested_again(fresh_db) -> None:
    first = _doc(fresh_db, "Watson said so.")
    add_annotation(fresh_db, first, 0, 6, "person", annotator="ann")
    text = "Watson one, Watson two, Watson three."
    other = _doc(fresh_db, text)
    add_annotation(fresh_db, other, 12, 18, "person", annotator="tester", status="rejected")
    deleted = add_annotation(fresh_db, other, 24, 30, "person", annotator="tester", status="suggested")
    delete_annotation(fresh_db, deleted.id)
    [learned] = build(fresh_db, ["learned"])
    suggest_documents(fresh_db, [learned], annotator="tester")
    assert [start for start, *_ in _suggested(fresh_db, other)] == [0]
    again = suggest_documents(fresh_db, [learned], annotator="tester")
    assert again.added == 0
    rejected = fresh_db.execute("select status from annotations where doc_id = ? and start = 12", [other]).fetchall()
    assert rejected == [("rejected",)]


def test_score_is_how_consistently_the_text_got_the_label(fresh_db) -> None:
    source = _doc(fresh_db, "Apple one. Apple two. Apple three. Apple four. Apple five.")
    for start in (0, 11, 22):
        add_annotation(fresh_db, source, start, start + 5, "claim", annotator="ann")
    add_annotation(fresh_db, source, 35, 40, "person", annotator="ann")
    add_annotation(fresh_db, source, 47, 52, "claim", annotator="ann", status="rejected")
    target = _doc(fresh_db, "An Apple fell.")
    [learned] = build(fresh_db, ["learned"])
    report = suggest_documents(fresh_db, [learned], annotator="tester", doc_ids=[target])
    by_label = {label: score for (label, score) in (
        (fresh_db.execute("select label from annotations where id = ?", [i]).fetchone()[0], s)
        for i, s in scores(fresh_db, report.added_ids).items())}
    assert by_label == {"claim": round(3 / 5, 4), "person": round(1 / 4, 4)}


def test_only_the_annotators_own_labels_when_one_is_named(fresh_db) -> None:
    source = _doc(fresh_db, "Kamala Harris and Joe Biden.")
    add_annotation(fresh_db, source, 0, 13, "person", annotator="ann")
    add_annotation(fresh_db, source, 18, 27, "person", annotator="ben")
    suggester = learned_module.build(fresh_db, Options(annotator="ann"))
    assert suggester is not None
    text = "Joe Biden met Kamala Harris."
    assert [text[s.start:s.end] for s in suggester.suggest(text)] == ["Kamala Harris"]
    everyone = learned_module.build(fresh_db, Options())
    assert everyone is not None
    assert [text[s.start:s.end] for s in everyone.suggest(text)] == ["Joe Biden", "Kamala Harris"]


def test_nothing_learned_builds_nothing(fresh_db) -> None:
    assert learned_module.build(fresh_db, Options()) is None


def test_a_text_inside_a_longer_one_with_the_same_label_is_not_suggested_twice() -> None:
    from collections import Counter

    suggester = learned_module.LearnedSuggester(Counter({("Adrienne Watson", "person"): 1, ("Watson", "person"): 1}))
    text = "Adrienne Watson, then Watson."
    assert [text[s.start:s.end] for s in suggester.suggest(text)] == ["Adrienne Watson", "Watson"]
