"""Agreement figures: hand-computed examples, sklearn's kappa as an independent check,
and Krippendorff's own published example for alpha."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest
from sklearn.metrics import cohen_kappa_score
from team_data import ARTICLE, add_text, mark, two_annotators

from margin.store.agreement import (
    compute_agreement,
    krippendorff_alpha,
    overlap_matches,
)
from margin.store.annotations import (
    add_annotation,
    delete_annotation,
    query_annotations,
)
from margin.store.db import open_database
from margin.store.labels import add_label


def approx(value: float):
    return pytest.approx(value, abs=1e-12)


def _rows(report):
    (pair,) = report.pairs
    return pair, {row.label: row for row in pair.labels}


def test_hand_computed_span_scores(fresh_db):
    two_annotators(fresh_db)
    report = compute_agreement(fresh_db)
    pair, rows = _rows(report)
    assert (pair.reference, pair.predicted, pair.documents, pair.tokens) == ("ana", "bob", 1, 13)
    # exact: only the claim is identical
    assert (rows["person"].exact.matched, rows["person"].exact.reference, rows["person"].exact.predicted) == (0, 1, 2)
    assert rows["person"].exact.f1 == 0
    assert rows["statistic"].exact.f1 == 0
    assert rows["claim"].exact.f1 == 1
    assert pair.overall.exact.precision == approx(1 / 4)
    assert pair.overall.exact.recall == approx(1 / 3)
    assert pair.overall.exact.f1 == approx(2 / 7)
    # overlap: "Alice" meets "Alice Smith", "40% of people" meets "40%"; "Paris" meets nothing
    assert rows["person"].overlap.precision == approx(1 / 2)
    assert rows["person"].overlap.recall == 1
    assert rows["person"].overlap.f1 == approx(2 / 3)
    assert rows["statistic"].overlap.f1 == 1
    assert pair.overall.overlap.f1 == approx(6 / 7)


def test_hand_computed_kappa_and_alpha(fresh_db):
    two_annotators(fresh_db)
    report = compute_agreement(fresh_db)
    pair, rows = _rows(report)
    # 13 tokens. person: ana {Alice, Smith}, bob {Alice, Paris}: po = 11/13, pe = 125/169
    assert rows["person"].kappa == approx(18 / 44)
    # statistic: ana {40, %}, bob {40, %, of, people}: po = 11/13, pe = 107/169
    assert rows["statistic"].kappa == approx(36 / 62)
    assert rows["claim"].kappa == 1
    # innermost categories agree on 9 of 13 tokens, pe = 42/169
    assert pair.overall.kappa == approx(75 / 127)
    alpha = {row.label: row.alpha for row in report.alpha}
    # person in/out over 26 values: 4 in, 22 out, two disagreeing units
    assert alpha["person"] == approx(1 - 25 * 4 / (2 * 4 * 22))
    # categories person 4, O 7, statistic 6, claim 9; four disagreeing units
    assert report.alpha_overall.alpha == approx(294 / 494)
    assert report.alpha_overall.units == 13


TOKEN = re.compile(r"\w+|[^\w\s]")


def reference_sequences(text, spans_a, spans_b, label=None):
    """Token categories written out plainly, for sklearn: innermost covering span
    (shortest, then earliest, then label name), or in/out of one label."""
    def category(span_set, start, end):
        covering = [(e - s, s, name) for s, e, name in span_set if s < end and start < e]
        if label is not None:
            return any(name == label for *_, name in covering)
        return min(covering)[2] if covering else "O"

    tokens = [match.span() for match in TOKEN.finditer(text)]
    return (
        [category(spans_a, s, e) for s, e in tokens],
        [category(spans_b, s, e) for s, e in tokens],
    )


def test_kappa_matches_sklearn_on_the_worked_example(fresh_db):
    two_annotators(fresh_db)
    pair, rows = _rows(compute_agreement(fresh_db))
    spans = {
        who: {(a.start, a.end, a.label) for a in query_annotations(fresh_db, annotator=who)}
        for who in ("ana", "bob")
    }
    a, b = reference_sequences(ARTICLE, spans["ana"], spans["bob"])
    assert pair.overall.kappa == pytest.approx(cohen_kappa_score(a, b))
    for label in ("person", "statistic"):
        a, b = reference_sequences(ARTICLE, spans["ana"], spans["bob"], label)
        assert rows[label].kappa == pytest.approx(cohen_kappa_score(a, b))


@pytest.mark.parametrize("seed", range(6))
def test_kappa_matches_sklearn_on_random_overlapping_spans(fresh_db, seed):
    rng = random.Random(seed)
    words = ["alpha", "beta", "7", "%", "gamma", ",", "delta", "epsilon", "."]
    text = " ".join(rng.choice(words) for _ in range(120))
    doc_id = add_text(fresh_db, text)
    spans = {"ana": set(), "bob": set()}
    for who in spans:
        for _ in range(rng.randint(5, 25)):
            start = rng.randrange(0, len(text) - 1)
            end = min(len(text), start + rng.randint(1, 60))
            label = rng.choice(["claim", "person", "statistic"])
            add_annotation(fresh_db, doc_id, start, end, label, annotator=who)
            spans[who].add((start, end, label))
    pair, rows = _rows(compute_agreement(fresh_db))
    a, b = reference_sequences(text, spans["ana"], spans["bob"])
    assert pair.overall.kappa == pytest.approx(cohen_kappa_score(a, b))
    for label, row in rows.items():
        a, b = reference_sequences(text, spans["ana"], spans["bob"], label)
        expected = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else None
        assert row.kappa == (expected if expected is None else pytest.approx(expected))


def test_krippendorff_nominal_example_with_missing_values():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    four observers, twelve units, nominal data with missing values: alpha = 0.743."""
    missing = None
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, missing, missing, missing],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, missing, 3],
        [missing, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, missing],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, missing],
    ]
    assert krippendorff_alpha(zip(*observers)) == pytest.approx(0.743, abs=5e-4)


def test_alpha_over_three_annotators_matches_the_plain_unit_form(fresh_db):
    text = "One two three four five six seven eight nine ten."
    doc_id = add_text(fresh_db, text)
    marks = {
        "ana": [("One two", "claim"), ("five", "person")],
        "bob": [("two three", "claim"), ("five six", "person")],
        "cyd": [("One two three", "claim")],
    }
    for who, spans in marks.items():
        for quote, label in spans:
            mark(fresh_db, doc_id, text, quote, label, who)
    report = compute_agreement(fresh_db)
    tokens = [match.span() for match in TOKEN.finditer(text)]

    def value(who, start, end, label):
        covering = [
            (len(q), text.index(q), name)
            for q, name in marks[who]
            if text.index(q) < end and start < text.index(q) + len(q)
        ]
        if label is not None:
            return any(name == label for *_, name in covering)
        return min(covering)[2] if covering else "O"

    for row in report.alpha:
        units = [[value(who, s, e, row.label) for who in marks] for s, e in tokens]
        assert row.alpha == pytest.approx(krippendorff_alpha(units))
    units = [[value(who, s, e, None) for who in marks] for s, e in tokens]
    assert report.alpha_overall.alpha == pytest.approx(krippendorff_alpha(units))
    assert [(p.reference, p.predicted) for p in report.pairs] == [("ana", "bob"), ("ana", "cyd"), ("bob", "cyd")]


def test_overlap_matching_is_one_to_one_and_maximal():
    # one long span over two short ones matches once, from either side
    assert overlap_matches([(0, 10)], [(0, 2), (5, 7)]) == 1
    assert overlap_matches([(0, 2), (5, 7)], [(0, 10)]) == 1
    # taking the first overlapping prediction for (0, 10) would leave (8, 9) unmatched
    assert overlap_matches([(0, 10), (8, 9)], [(0, 9), (9, 12)]) == 2
    assert overlap_matches([(0, 5)], [(5, 8)]) == 0


def test_only_live_accepted_own_annotations_count(fresh_db):
    doc_id = add_text(fresh_db)
    mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", "bob")
    gone = mark(fresh_db, doc_id, ARTICLE, "Paris", "person", "bob")
    delete_annotation(fresh_db, gone.id)
    mark(fresh_db, doc_id, ARTICLE, "40%", "statistic", "bob", status="suggested")
    add_annotation(fresh_db, doc_id, 0, 5, "claim", annotator="carol", origin="review:ana")
    report = compute_agreement(fresh_db)
    assert report.annotators == ["ana", "bob"]
    assert report.pairs[0].overall.exact.f1 == 1
    assert report.pairs[0].overall.kappa == 1


def test_label_and_document_filters(fresh_db):
    doc_id = two_annotators(fresh_db)
    other = add_text(fresh_db, "Bob Jones counted 12 boats.")
    mark(fresh_db, other, "Bob Jones counted 12 boats.", "Bob Jones", "person", "ana")
    add_label(fresh_db, "place")
    report = compute_agreement(fresh_db, labels=["person"], doc_ids=[doc_id])
    pair, rows = _rows(report)
    assert list(rows) == ["person"]
    assert pair.documents == 1
    assert pair.overall.exact.reference == 1 and pair.overall.exact.predicted == 2
    # the other document has only ana, so it is shared with nobody
    assert compute_agreement(fresh_db).documents == 1


def test_a_document_is_shared_even_without_spans_of_the_filtered_label(fresh_db):
    doc_id = add_text(fresh_db)
    mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    mark(fresh_db, doc_id, ARTICLE, "40%", "statistic", "bob")
    pair, rows = _rows(compute_agreement(fresh_db, labels=["statistic"]))
    assert pair.documents == 1
    assert rows["statistic"].exact.recall is None
    assert rows["statistic"].exact.precision == 0


def test_fewer_than_two_annotators_gives_no_pairs(fresh_db):
    doc_id = add_text(fresh_db)
    mark(fresh_db, doc_id, ARTICLE, "Alice Smith", "person", "ana")
    report = compute_agreement(fresh_db)
    assert report.pairs == [] and report.alpha_overall.alpha is None


def test_agreement_command_prints_tables_without_loading_textual(tmp_path):

    path = tmp_path / "team.db"
    db = open_database(path)
    two_annotators(db)
    db.close()
    code = (
        "import sys\n"
        "from margin.tui.cli import cli\n"
        f"cli(['--db', {str(path)!r}, 'agreement'], standalone_mode=False)\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ana → bob" in result.stdout
    assert "0.286" in result.stdout  # the overall exact F1, 2/7
    assert "Krippendorff" in result.stdout


def test_agreement_command_refuses_an_unknown_label(tmp_path):
    from click.testing import CliRunner

    from margin.tui.cli import cli

    open_database(tmp_path / "x.db").close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "agreement", "--label", "nope"])
    assert result.exit_code == 1
    assert "no label named 'nope'" in result.output
