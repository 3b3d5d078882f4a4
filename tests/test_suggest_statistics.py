"""The statistics suggester: exact spans on hand-written examples and their traps,
the seed article's statistics, MeasEval's quantities, and the shared scorer."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from pytest import approx

from margin.store.suggest import Options, build, statistics_units
from margin.store.suggest import statistics as stats
from margin.store.suggest.run import suggestions_for
from margin.store.suggest.scoring import score


def spans(text: str, **extra: object) -> list[str]:
    suggester = stats.build(None, Options(extra=dict(extra)))
    return [text[s.start:s.end] for s in suggester.suggest(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("through which over 520,000 migrants transited in 2023.", ["over 520,000 migrants"]),
        ("the average decreased more than 40%, and", ["more than 40%"]),
        ("a 60-mile stretch of wilderness", ["60-mile"]),
        ("is working with 21 partners throughout the region", ["21 partners"]),
        ("The scheme cost £1.2bn last year.", ["£1.2bn"]),
        ("Nearly two-thirds of voters said no.", ["Nearly two-thirds of voters"]),
        ("Border Patrol's 7-day encounter average", ["7-day"]),
        ("The camp is between 5 and 10 km away.", ["between 5 and 10 km"]),
        ("Each sack weighs 3–4 kg.", ["3–4 kg"]),
        ("more than 120 international repatriation flights to more than 20 countries.",
         ["more than 120 international repatriation flights", "more than 20 countries"]),
        ("It raised $5 million and 3.4 billion dollars.", ["$5 million", "3.4 billion dollars"]),
        ("wind speeds of 7.83 m s−1 at 25 ng/ml and −57 °C", ["7.83 m s−1", "25 ng/ml", "−57 °C"]),
        ("lattice constant 10.0322(6) Å, grains up to approximately 3 μm", ["10.0322(6) Å", "up to approximately 3 μm"]),
        ("doses of 2, 5 and 10 μg", ["2, 5 and 10 μg"]),
        ("an army of 100,000 men in 1812", ["100,000 men"]),
        ("Five minutes later two hussars arrived.", ["Five minutes", "two hussars"]),
        ("The ratio was 0.125.", ["0.125"]),
    ],
)
def test_statistics_are_found_with_their_qualifier_unit_or_noun(text: str, expected: list[str]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The law was passed in 2023.",                      # a bare year
        "Since 1996 nothing has changed.",
        "On June 4, 2024 they met, and again on 2024-06-12 and 12/06/2024.",  # dates
        "They met on 4 June and in March 2020.",
        "in the 21st century, for the first time, the 1990s",  # ordinals, decades
        "on the twenty-sixth the battle began",
        "We met at 10:30, then at 3 p.m. and at 9pm.",       # times
        "Call (202) 555-0100 or +44 20 7946 0958.",          # phone numbers
        "It is one of the largest. One or two came, one by one.",  # "one of the"
        "1. First item\n2. Second item\n(3) third",          # list markers
        "See Section 3.2, chapter 4, Figs. 5 and 6 and § 12, as in [15,16].",  # section numbers, citations
        "version 3.2.1 of COVID-19 and G7 with 12C enrichment",
    ],
)
def test_traps_are_not_statistics(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("twelve\r\nhundred rubles were spent", ["twelve\r\nhundred rubles"]),
        ("between eight and\r\nnine men left", ["between eight and\r\nnine men"]),
        ("it rose 5\r\nper cent, to 3 parts\r\nper million", ["5\r\nper cent", "3 parts\r\nper million"]),
        ("a march of 60\r\nmiles, then 3\r\n× 10−9 m", ["60\r\nmiles", "3\r\n× 10−9 m"]),
    ],
)
def test_a_crlf_line_break_joins_words_as_a_space_does(text: str, expected: list[str]) -> None:
    assert spans(text) == expected
    assert spans(text.replace("\r\n", "\n")) == [span.replace("\r\n", "\n") for span in expected]


def test_war_and_peace_with_crlf_line_ends_gives_the_same_spans(corpus: Path) -> None:
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    lf = spans(text)
    crlf = [span.replace("\r\n", "\n") for span in spans(text.replace("\n", "\r\n"))]
    assert len(lf) > 1000 and crlf == lf


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("and 3\u202f000 soldiers.", ["3\u202f000 soldiers"]),
        ("an army of 10\u00a0000 men", ["10\u00a0000 men"]),
        ("it cost €1\u2009250\u2009000 in all", ["€1\u2009250\u2009000"]),
        ("more than\u00a0500 people", ["more than\u00a0500 people"]),
    ],
)
def test_thin_and_no_break_spaces_group_digits(text: str, expected: list[str]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a grade of 5\u0301% here",        # a combining accent on the digit
        "press 1\ufe0f\u20e3 to vote",     # a keycap emoji
        "\x1b[0m plain \x1b[1;31m red \x9b2K",  # terminal escape sequences
    ],
)
def test_a_digit_inside_a_grapheme_or_an_escape_sequence_is_not_a_statistic(text: str) -> None:
    assert spans(text) == []
    assert spans("It rose 5% and " + text) == ["5%"]


def test_seed_article_statistics_exactly(seed_text: str) -> None:
    assert spans(seed_text) == [
        "60-mile",
        "over 520,000 migrants",
        "21 partners",
        "22 countries",
        "7-day",
        "more than 40%",
        "more than 120 international repatriation flights",
        "more than 20 countries",
    ]


def test_a_number_with_a_unit_or_qualifier_scores_above_a_bare_number() -> None:
    text = "It was 40 then. It was more than 40 then. It was 40% then. It was 40 km then. 40 people came."
    suggester = stats.build(None)
    found = {text[s.start:s.end]: s.score for s in suggester.suggest(text)}
    assert found["40"] < found["more than 40"] < found["40%"]
    assert found["40"] < found["40 people"] < found["40 km"]
    assert all(s.label == "statistic" and s.suggester == "statistics" for s in suggester.suggest(text))


def test_measeval_convention_leaves_the_counted_noun_out() -> None:
    assert spans("working with 21 partners and over 520,000 migrants", count_nouns=False) == ["21", "over 520,000"]


def test_built_in_unit_table_without_quantulum3(monkeypatch: pytest.MonkeyPatch, seed_text: str) -> None:
    assert spans("grew 40 furlongs", statistics_units="builtin") == ["40 furlongs"]  # a count, as a plural noun
    assert spans("a pressure of 30 psi", statistics_units="builtin") == ["30"]
    statistics_units.quantulum_units.cache_clear()
    monkeypatch.setitem(sys.modules, "quantulum3.load", None)  # as if quantulum3 were not installed
    try:
        assert statistics_units.unit_table("auto").source == "built-in"
        with pytest.raises(ImportError, match="pip install quantulum3"):
            statistics_units.unit_table("quantulum3")
        assert spans(seed_text) == spans(seed_text, statistics_units="builtin")
    finally:
        statistics_units.quantulum_units.cache_clear()


def test_quantulum3_table_adds_units() -> None:
    import quantulum3  # noqa: F401  # the test extra installs it
    table = statistics_units.unit_table("quantulum3")
    assert table.source == "quantulum3" and len(table.symbols) > 2 * len(statistics_units.builtin_units().symbols)
    assert spans("a pressure of 30 psi", statistics_units="quantulum3") == ["30 psi"]


def test_registry_builds_it_for_a_database(fresh_db, seed_text: str) -> None:
    (suggester,) = build(fresh_db, ["statistics"])
    assert (suggester.name, suggester.labels) == ("statistics", ("statistic",))
    found = suggestions_for(seed_text, [suggester], min_score=0.5)
    assert [seed_text[s.start:s.end] for s in found][:2] == ["60-mile", "over 520,000 migrants"]


def _measeval(folder: Path) -> tuple[dict[str, str], set[tuple[str, int, int, str]]]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (folder / "text").glob("*.txt")}
    gold = set()
    for path in (folder / "tsv").glob("*.tsv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["annotType"] == "Quantity":
                    gold.add((row["docId"], int(row["startOffset"]), int(row["endOffset"]), "statistic"))
    return texts, gold


def test_measeval_quantities_overlap_f1_meets_the_target(corpus: Path) -> None:
    texts, gold = _measeval(corpus / "measeval" / "eval")
    assert len(gold) == 499
    suggester = stats.build(None)
    predicted = {(doc, s.start, s.end, s.label) for doc, text in texts.items() for s in suggester.suggest(text)}
    row = score(gold, predicted)["statistic"]
    assert row.overlap.f1 >= 0.85
    assert row.overlap.recall >= 0.9
    assert row.exact.f1 > 0.6


def test_scoring_exact_and_overlap_per_label_by_hand() -> None:
    gold = {("d", 0, 5, "a"), ("d", 10, 20, "a"), ("d", 30, 40, "b")}
    predicted = {("d", 0, 5, "a"), ("d", 12, 15, "a"), ("d", 14, 18, "a"), ("d", 50, 60, "b"), ("e", 0, 5, "a")}
    result = score(gold, predicted)
    a, b, overall = result["a"], result["b"], result["all"]
    # exact: only (d, 0, 5, a); (e, 0, 5, a) is another document
    assert (a.exact.matched, a.exact.reference, a.exact.predicted) == (1, 2, 4)
    assert (a.exact.precision, a.exact.recall, a.exact.f1) == (approx(1 / 4), approx(1 / 2), approx(1 / 3))
    # overlap: (10, 20) is matched once although two predictions overlap it
    assert (a.overlap.matched, a.overlap.precision, a.overlap.recall, a.overlap.f1) == (2, approx(1 / 2), 1, approx(2 / 3))
    assert (b.exact.matched, b.overlap.matched, b.overlap.f1) == (0, 0, 0)
    assert (overall.exact.matched, overall.exact.reference, overall.exact.predicted) == (1, 3, 5)
    assert overall.overlap.f1 == approx(4 / 8)
    assert list(result) == ["a", "b", "all"]
    assert score(set(), set())["all"].exact.f1 is None
