"""The claims suggester: attributed statements and statistics with a change, as whole
sentences; the traps (a bare number, a question, a heading, "U.S." and initials); and
the check-worthiness classifier trained from the database's labels, stored as JSON in
``models``, used after reopening, refused with too few labels, and absent scikit-learn."""

from __future__ import annotations

import builtins
import json

import pytest

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.suggest import build, claims_model
from margin.store.suggest.claims import ClaimsSuggester
from margin.store.suggest.claims_model import (
    INSTALL,
    MIN_POSITIVES,
    ClaimModel,
    fit,
    fit_sklearn,
    terms,
    train,
    training_examples,
)
from margin.store.suggest.claims_rules import facts
from margin.store.suggest.claims_sentences import sentences


def _claims(text: str, suggester: ClaimsSuggester | None = None) -> list[str]:
    found = (suggester or ClaimsSuggester()).suggest(text)
    return [text[s.start : s.end] for s in found if s.label == "claim"]


@pytest.mark.parametrize(
    "sentence",
    [
        '"We will cut taxes for every family in this state," Governor Ana Ruiz said.',
        '"We will cut taxes for every family," said Ruiz.',
        'Ruiz said: "We will cut taxes for every family."',
        "Ruiz told reporters that the programme would reach every village.",
        "According to the ministry, the programme reached every village.",
        "Border Patrol's 7-day encounter average decreased more than 40%.",
        "The price of bread rose to $4 a loaf.",
        "Twice as many migrants crossed the gap this year.",
        "Unemployment is at its highest level since 1990.",
    ],
)
def test_an_attributed_statement_or_a_statistic_with_a_change_is_a_whole_sentence_claim(sentence):
    text = f"The council met on Tuesday. {sentence} The meeting ended at noon."
    assert _claims(text) == [sentence]


@pytest.mark.parametrize(
    "text",
    [
        "The State Department is working with 21 partners throughout the region.",  # a number, no comparison
        "In 2023 the agency moved to new offices in the capital.",  # a year
        "Did border crossings fall by more than 40% last year?",  # a question
        '"Did border crossings really fall by 40%?" Ruiz asked.',  # a quoted question
        "Crossings fell 40% in June\nThe agency moved to new offices.",  # a heading
        "Watson said the meeting went well.",  # a speech verb without a statement
    ],
)
def test_the_traps_are_not_claims(text):
    assert _claims(text) == []


def test_the_next_quoted_sentence_of_a_speaker_is_attributed_too():
    text = '"Migration is a regional challenge," Mayorkas said. "We are grateful for our partners."\nNext line.'
    assert _claims(text) == ['"Migration is a regional challenge," Mayorkas said.', '"We are grateful for our partners."']


def test_abbreviations_and_initials_do_not_end_sentences():
    text = ("Secretary of State Antony J. Blinken met Dr. Ruiz at the U.S. southern border at 5 p.m. on Monday. "
            "The talks went on past midnight in the U.S. Some sections were closed.")
    assert [text[s:e] for s, e in sentences(text)] == [
        "Secretary of State Antony J. Blinken met Dr. Ruiz at the U.S. southern border at 5 p.m. on Monday.",
        "The talks went on past midnight in the U.S.",
        "Some sections were closed.",
    ]


def test_a_hard_wrapped_book_paragraph_is_one_run_of_sentences():
    text = "Title line\n\nIt was\nlate. \"Prices rose by 40%,\" he\nsaid.\n\nEnd."
    assert [text[s:e] for s, e in sentences(text)] == ["Title line", "It was\nlate.", '"Prices rose by 40%," he\nsaid.', "End."]


def test_the_seed_article_attributed_statements(seed_text):
    found = _claims(seed_text)
    for expected in (
        'The deal is "designed to jointly reduce',
        '"By returning such individuals to their',  # …," Watson said.
        "According to the department, the goal o",
        '"Irregular migration is a regional chall',  # …," Mayorkas said in a statement.
        '"As the United States continues to secur',  # Mayorkas's next sentence
        "Secretary of State Antony J. Blinken emp",  # emphasized in a statement that …
        '"Through the Los Angeles Declaration, we',  # …," Blinken stated.
        "According to the department, Border Pat",  # decreased more than 40%
        "Last month, NBC reported that DHS offici",
        "As the U.S. State Department announced M",
    ):
        assert any(claim.startswith(expected) for claim in found), expected
    for trap in ("US agrees to pay for flights", "The State Department is working with 21", "Samantha Kamman is"):
        assert not any(claim.startswith(trap) for claim in found)
    assert all(claim in seed_text and claim == claim.strip() for claim in found)


# -- the classifier -------------------------------------------------------------

CLAIMS = [
    "Our state lowered income taxes for {n} families and created jobs in every county.",
    "The new plant employs {n} workers and exports steel to three continents.",
    "Crime in the city has gone down every single year for {n} years.",
]
OTHERS = [
    "Thank you all for coming tonight, it is great to see you.",
    "Let me turn now to the next question from the audience.",
    "Good evening and welcome to the town hall number {n}.",
]


def _debate(fresh_db, documents: int, claims_per_document: int = 3):
    """Documents of claim and other sentences, the claims labelled and accepted."""
    texts = []
    for number in range(documents):
        lines = [template.format(n=number * 10 + i) for i, template in enumerate(CLAIMS[:claims_per_document])]
        lines += [template.format(n=number) for template in OTHERS]
        text = "\n".join(lines)
        document, _ = add_document(fresh_db, text)
        for line in lines[:claims_per_document]:
            start = text.index(line)
            add_annotation(fresh_db, document.id, start, start + len(line), "claim", annotator="ana", text=text)
        texts.append(text)
    return texts


def test_train_store_reopen_and_the_model_is_used(db_path):
    db = open_database(db_path)
    _debate(db, 5)
    report = train(db)
    assert (report.spans, report.positives, report.negatives, report.sentences) == (15, 15, 15, 30)
    kind, data, labels, trained_on, trained_at = db.execute(
        "select kind, data, labels, trained_on, trained_at from models where name = 'claims'").fetchone()
    assert kind == "tfidf-logreg-json" and json.loads(labels) == ["claim"] and trained_on == 15
    assert trained_at == report.trained_at
    assert json.loads(data)["format"] == 1  # JSON, never a pickle
    db.close()

    db = open_database(db_path)
    [suggester] = build(db, ["claims"])
    assert isinstance(suggester, ClaimsSuggester) and suggester.model is not None
    assert "classifier trained on 15 spans" in suggester.notice
    text = "Our state lowered income taxes for 99 families and created jobs in every county.\nThank you all for coming tonight."
    # no rule finds the first (a number, no comparison): only the learned model suggests it
    assert _claims(text) == []
    assert _claims(text, suggester) == [text.splitlines()[0]]
    db.close()


def test_the_json_model_scores_as_scikit_learn_does():
    sentences_and_labels = [(template.format(n=n), 1) for template in CLAIMS for n in range(4)]
    sentences_and_labels += [(template.format(n=n), 0) for template in OTHERS for n in range(4)]
    examples = [terms(text, facts(text, [(0, len(text))])[0]) for text, _ in sentences_and_labels]
    labels = [label for _, label in sentences_and_labels]
    vectorizer, classifier = fit_sklearn(examples, labels)
    model = ClaimModel.from_bytes(fit(examples, labels).to_bytes())
    probe = terms("Crime went down and taxes were cut, thank you.", facts("x.", [(0, 2)])[0])
    expected = classifier.predict_proba(vectorizer.transform([probe]))[0][1]
    assert model.probability(probe) == pytest.approx(expected, abs=1e-4)


def test_too_few_claim_labels_say_how_many_are_needed(fresh_db):
    _debate(fresh_db, 1)
    with pytest.raises(MarginError, match=rf"at least {MIN_POSITIVES} sentences labelled 'claim'.*has 3 .*label 7 more"):
        train(fresh_db)
    assert fresh_db.execute("select count(*) from models").fetchone()[0] == 0


def test_rejected_suggestions_are_negatives_and_suggested_ones_are_ignored(fresh_db):
    text = "The plant employs 400 workers.\nCrime fell by 40% last year.\nThank you all."
    document, _ = add_document(fresh_db, text)
    for quote, status in (("The plant employs 400 workers.", "rejected"), ("Crime fell by 40% last year.", "suggested")):
        start = text.index(quote)
        add_annotation(fresh_db, document.id, start, start + len(quote), "claim", annotator="ana", status=status, text=text)
    examples, labels, spans = training_examples(fresh_db)
    assert labels == [0] and spans == 0 and "employs" in examples[0]


@pytest.mark.parametrize("data", [b"\x80\x04\x95 not json", json.dumps({"format": 1, "kind": "tfidf-logreg-json",
                                  "vocabulary": {"a": 5}, "idf": [1.0], "coef": [1.0], "intercept": 0}).encode()])
def test_a_damaged_or_foreign_model_is_ignored_and_the_rules_run(fresh_db, data):
    fresh_db.execute("insert into models (name, kind, data, trained_at, updated_at) values "
                     "('claims', 'tfidf-logreg-json', ?, 'x', 'x')", [data])
    [suggester] = build(fresh_db, ["claims"])
    assert suggester.model is None and "rules only" in suggester.notice and "retrain" in suggester.notice
    assert _claims("According to the ministry, crime fell.", suggester) == ["According to the ministry, crime fell."]


@pytest.mark.parametrize("data", ['{"format": 1}', 3, 2**62, 1.5, ("[" * 100_000 + "]" * 100_000).encode()],
                         ids=["text", "integer", "huge-integer", "real", "nested-100k-deep"])
def test_a_model_row_of_the_wrong_type_or_too_deep_is_damaged_and_the_rules_run(sqlite_db, data):
    fresh_db = sqlite_db  # SQLite stores any type in a blob column; a server refuses it
    # bytes(2**62) would try to allocate 4 EiB; a TEXT value made bytes() raise TypeError
    fresh_db.execute("insert into models (name, kind, data, trained_at, updated_at) values "
                     "('claims', 'tfidf-logreg-json', ?, 'x', 'x')", [data])
    [suggester] = build(fresh_db, ["claims"])
    assert suggester.model is None and "rules only" in suggester.notice and "damaged" in suggester.notice
    assert _claims("According to the ministry, crime fell.", suggester) == ["According to the ministry, crime fell."]


def test_a_model_blob_over_the_size_cap_is_not_parsed(fresh_db, monkeypatch):
    monkeypatch.setattr(claims_model, "_MAX_BYTES", 10)
    with pytest.raises(MarginError, match="larger than"):
        ClaimModel.from_bytes(b'{"format": 1, "kind": "x"}')


def _without_sklearn(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_without_scikit_learn_the_rules_run_and_training_says_what_to_install(fresh_db, monkeypatch):
    _debate(fresh_db, 5)
    train(fresh_db)  # trained where scikit-learn is installed, then used where it is not
    _without_sklearn(monkeypatch)
    with pytest.raises(MarginError, match=r"needs scikit-learn: pip install 'margin\[learn\]'"):
        train(fresh_db)
    [suggester] = build(fresh_db, ["claims"])
    assert suggester.model is not None  # scoring a stored model needs no scikit-learn
    fresh_db.execute("delete from models")
    [suggester] = build(fresh_db, ["claims"])
    assert suggester.model is None and INSTALL in suggester.notice
    assert _claims('"Crime fell by 40%," Ruiz said.', suggester) == ['"Crime fell by 40%," Ruiz said.']


def test_sentences_and_the_readers_motions_share_one_paragraph_convention():
    from margin.store import paragraphs
    from margin.store.suggest import claims_sentences
    from margin.tui.text import motion

    assert motion._SEPARATOR_BLANK is paragraphs.SEPARATOR_BLANK and motion._SEPARATOR_LINE is paragraphs.SEPARATOR_LINE
    assert motion._BLANK_LINE is paragraphs.BLANK_LINE
    assert not hasattr(claims_sentences, "_SEPARATOR_BLANK")  # no copy left to drift apart
    text = "One line.\nA hard wrap.\n  \n\nNext paragraph."
    assert list(claims_sentences.paragraphs(text)) == [(0, 22), (27, 42)]
