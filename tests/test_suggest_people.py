"""The people suggester: names by title, role and speech verb, surnames, the names
already labelled in the database, and the traps (sentence starts, organisations,
places)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from margin.store.annotations import add_annotation, delete_annotation
from margin.store.documents import add_document
from margin.store.suggest import Options, build
from margin.store.suggest import people as people_module
from margin.store.suggest.people_find import PeopleFinder
from margin.store.suggest.run import suggest_documents


def names(text: str, finder: PeopleFinder | None = None) -> list[str]:
    return [text[found.start : found.end] for found in (finder or PeopleFinder()).find(text)]


SEED_PEOPLE = [
    "Biden", "Alejandro Mayorkas", "José Raúl Mulino", "Adrienne Watson", "Watson", "Mayorkas",
    "Antony J. Blinken", "Blinken", "Joe Biden", "Biden", "Samantha Kamman",
]


def test_the_seed_articles_people_without_titles(seed_text: str) -> None:
    found = names(seed_text)
    assert found == SEED_PEOPLE
    # the titles and roles stay outside the spans
    for title in ("Secretary", "President", "spokesperson", "Homeland", "State"):
        assert not any(title in name for name in found)


@pytest.mark.parametrize(("text", "expected"), [
    ("Secretary of State Antony J. Blinken emphasized it.", ["Antony J. Blinken"]),
    ("National Security Council spokesperson Adrienne Watson said so.", ["Adrienne Watson"]),
    ("the country's new President José Raúl Mulino.", ["José Raúl Mulino"]),
    ("Homeland Security Secretary Alejandro Mayorkas' visit", ["Alejandro Mayorkas"]),
    ('"It works," Mayorkas said in a statement.', ["Mayorkas"]),
    ("The plan, Watson said, works.", ["Watson"]),
    ("Mr Fox responded. Mrs Howard agreed.", ["Fox", "Howard"]),
    ("said economy minister Heizo Takenaka.", ["Heizo Takenaka"]),
    ("Stephen Toulouse, a security manager at Microsoft, said so.", ["Stephen Toulouse"]),
    ("According to John Smith, the plan works.", ["John Smith"]),
])
def test_titles_roles_and_speech_verbs(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "Last year, the medical charity Doctors Without Borders reported a surge.",
    "As the U.S. State Department announced Monday, the Department of Homeland Security will act.",
    "One of the officials said it was fine. Officials said more.",
    "Last month, NBC reported that DHS officials said so.",
    "On Monday, the U.S. and Panama signed a memorandum in Panama City.",
    "The Los Angeles Declaration on Migration and Protection and the Western Hemisphere.",
    "In London, Paris said nothing. Border Patrol's figures fell.",
    "Follow her on Twitter: @Samantha_Kamman or write to samantha.kamman@christianpost.com",
])
def test_traps_are_not_people(text: str) -> None:
    assert names(text) == []


def test_surname_only_mentions_follow_a_found_name() -> None:
    text = ("Spokesperson Adrienne Watson spoke first. Later, Watson left early. "
            "Watson Street is elsewhere.")
    assert names(text) == ["Adrienne Watson", "Watson"]  # not the street named after someone
    # without the full name found first, a surname alone is no evidence
    assert names("Later, Watson left early.") == []


def test_a_guessed_name_whose_surname_recurs_is_a_person() -> None:
    text = "Sonia O'Sullivan has indicated that she would run. O'Sullivan is preparing."
    found = {text[f.start : f.end]: f.score for f in PeopleFinder().find(text)}
    assert set(found) == {"Sonia O'Sullivan", "O'Sullivan"}
    assert names(text, PeopleFinder(guess=False)) == []


def test_possessives_and_acronyms_end_a_name() -> None:
    assert names("President Joe Biden's executive action and Biden's plan.") == ["Joe Biden", "Biden"]


def test_nameparser_titles_widen_what_counts_as_a_title() -> None:
    from margin.store.suggest import people_words

    text = "The Ambassador Maria Lopez arrived."
    assert names(text) == ["Maria Lopez"]
    own = people_words.own_titles()
    assert "ambassador" in people_words.titles() and "ambassador" not in own
    assert names(text, PeopleFinder(titles=own, evidence=own, guess=False)) == []


def _seeded(db, text: str) -> str:
    document, _ = add_document(db, text, title="t")
    return document.id


def test_names_labelled_anywhere_are_suggested_with_their_surnames(fresh_db) -> None:
    first = _seeded(fresh_db, "Our guest was Kamala Harris, in a red coat.")
    add_annotation(fresh_db, first, 14, 27, "person", annotator="ann")
    gone = _seeded(fresh_db, "We met Quux once.")
    deleted = add_annotation(fresh_db, gone, 7, 11, "person", annotator="ann")
    delete_annotation(fresh_db, deleted.id)
    second = _seeded(fresh_db, "It was Kamala Harris again; later Harris left. Quux stayed.")
    [suggester] = build(fresh_db, ["people"])
    assert names("Quux stayed.", suggester.finder) == []  # a deleted label teaches nothing
    report = suggest_documents(fresh_db, [suggester], annotator="tester", doc_ids=[second])
    rows = fresh_db.execute(
        "select quote, status, origin from annotations where doc_id = ? order by start", [second]).fetchall()
    assert rows == [("Kamala Harris", "suggested", "suggest:people"), ("Harris", "suggested", "suggest:people")]
    assert report.added == 2
    # idempotent: the places are taken now
    again = suggest_documents(fresh_db, [suggester], annotator="tester", doc_ids=[second])
    assert again.added == 0 and again.already_there == 2


def test_spacy_model_named_but_missing_is_told_once_and_rules_still_run(fresh_db, monkeypatch) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        suggester = people_module.build(fresh_db, Options(extra={"spacy_model": "no_such_pipeline_xx"}))
    assert suggester.nlp is None
    assert "no_such_pipeline_xx" in suggester.notice and "not installed" in suggester.notice
    # the notice alone: a Python warning as well made the command print it twice
    assert not [w for w in caught if "no_such_pipeline_xx" in str(w.message)]
    assert [s.label for s in suggester.suggest("Mr Fox said so.")] == ["person"]
    monkeypatch.setitem(sys.modules, "spacy", None)  # spaCy itself missing
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        without = people_module.build(fresh_db, Options(extra={"spacy_model": "en_core_web_sm"}))
    assert "pip install" in without.notice


def test_a_named_pipeline_adds_its_person_entities(fresh_db) -> None:
    import spacy  # the test extra installs it
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Zorba"}])
    suggester = people_module.PeopleSuggester(PeopleFinder(), nlp)
    text = "Zorba danced."
    assert [(text[s.start:s.end], s.score) for s in suggester.suggest(text)] == [("Zorba", people_module.SPACY_SCORE)]


def test_a_whole_book_is_read(corpus: Path, seed_text: str) -> None:
    """The speed is the bench's to measure (tests never fail on a timing); this pins
    that a whole book goes through and finds its people."""
    finder = PeopleFinder()
    assert finder.find(seed_text) == finder.find(seed_text)
    book = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    found = finder.find(book)
    assert any(book[f.start:f.end] == "Pierre" for f in found)
