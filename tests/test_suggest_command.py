"""``margin suggest``: stores suggestions once (status, origin, score), filters by
document, label and score, leaves a rejected place alone, measures against a gold
file without storing anything, and fails in one line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED
from suggest_support import expected, register

from margin.store import annotations as store_annotations
from margin.store import suggest as suggest_package
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.suggest.run import scores
from margin.tui.cli import cli

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_TITLE = "US agrees to pay for flights, help Panama deport migrants to stop illegal border crossings"
OTHER = "In 2023, 40% of 21 partners agreed, Watson said."


def run(db: Path | str, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "--annotator", "ana", *args], catch_exceptions=False)


def _seed(where: Path | str) -> None:
    db = open_database(where)
    add_document(db, SEED_TEXT, title=SEED_TITLE)
    add_document(db, OTHER, title="Other")
    db.close()


@pytest.fixture
def seeded(db_location: str) -> str:
    """The seed article and a short document, on each backend."""
    _seed(db_location)
    return db_location


@pytest.fixture
def seeded_file(db_path: Path) -> Path:
    """The same, in a file, for what only a file has (its mode)."""
    _seed(db_path)
    return db_path


def stored(db_path: Path | str, **filters: object) -> list:
    db = open_database(db_path)
    try:
        found = store_annotations.query_annotations(db, **filters)
        return [(a, scores(db, [a.id]).get(a.id)) for a in found]
    finally:
        db.close()


def seed_id(db_path: Path | str) -> str:
    db = open_database(db_path)
    try:
        return db.execute("select id from documents where title = ?", [SEED_TITLE]).fetchone()[0]
    finally:
        db.close()


def test_a_run_stores_each_suggestion_once_with_status_origin_and_score(seeded: str, monkeypatch) -> None:
    register(monkeypatch)
    result = run(seeded, "suggest", "--doc", "US agrees")
    want = expected(SEED_TEXT)
    statistics = sum(1 for _, label, _ in want if label == "statistic")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"suggested {len(want)} span(s) in 1 document(s): person {len(want) - statistics}, statistic {statistics}\n"
    )
    spans = stored(seeded, doc_id=seed_id(seeded))
    assert [(a.quote, a.label, score) for a, score in spans] == want
    assert {(a.status, a.origin, a.annotator) for a, _ in spans} == {("suggested", "suggest:numbers", "ana")}
    again = run(seeded, "suggest", "--doc", "US agrees")
    assert again.stdout == f"suggested 0 span(s) in 1 document(s); {len(want)} already there\n"
    assert len(stored(seeded)) == len(want)


def test_every_document_by_default_and_the_filters(seeded: str, monkeypatch) -> None:
    register(monkeypatch)
    assert run(seeded, "suggest", "--label", "person", "--doc", "Other").stdout == (
        "suggested 1 span(s) in 1 document(s): person 1\n"
    )
    assert run(seeded, "suggest", "--min-score", "0.8", "--doc", "Other").stdout == (
        "suggested 1 span(s) in 1 document(s): statistic 1\n"  # 40%, not 2023 or 21
    )
    assert sorted((a.quote, score) for a, score in stored(seeded)) == [("40%", 0.9), ("Watson", 0.7)]
    everything = run(seeded, "suggest")
    assert everything.stdout.startswith("suggested ") and " in 2 document(s): " in everything.stdout
    assert everything.stdout.endswith("; 2 already there\n")
    assert len(stored(seeded)) == len(expected(SEED_TEXT)) + len(expected(OTHER))


def test_a_rejected_suggestion_stays_rejected(seeded: str, monkeypatch) -> None:
    register(monkeypatch)
    run(seeded, "suggest", "--doc", "Other")
    db = open_database(seeded)
    first = store_annotations.query_annotations(db, label="statistic")[0]
    store_annotations.update_annotation(db, first.id, status="rejected")
    db.close()
    assert run(seeded, "suggest", "--doc", "Other").stdout == "suggested 0 span(s) in 1 document(s); 4 already there\n"
    assert [a.status for a, _ in stored(seeded) if a.id == first.id] == ["rejected"]


def test_the_annotator_option_names_whose_suggestions_they_are(seeded: str, monkeypatch) -> None:
    register(monkeypatch)
    run(seeded, "suggest", "--doc", "Other", "--annotator", "bot")
    assert {a.annotator for a, _ in stored(seeded)} == {"bot"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--suggester", "nope"), "Error: no suggester named 'nope'; choose from statistics, people"),
        (("--patterns", "missing.jsonl"), "Error: missing.jsonl: no such patterns file"),
        (("--label", "nope"), "Error: no label named 'nope'"),
        (("--doc", "no such title"), "Error: "),
        (("--evaluate", "missing.jsonl"), "Error: missing.jsonl: no such gold file"),
    ],
)
def test_bad_options_are_one_line_errors(
    seeded: str, tmp_path: Path, monkeypatch, args: tuple[str, ...], message: str
) -> None:
    register(monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = run(seeded, "suggest", *args)
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1, result.output
    assert stored(seeded) == []


def test_a_missing_database_is_named_not_created(tmp_path: Path, monkeypatch) -> None:
    register(monkeypatch)
    missing = tmp_path / "typo.db"
    result = run(missing, "suggest")
    assert (result.exit_code, result.output) == (1, f"Error: {missing}: no such database\n")
    assert not missing.exists()


def test_a_read_only_database_is_refused(seeded_file: Path, monkeypatch) -> None:
    seeded = seeded_file
    register(monkeypatch)
    seeded.chmod(0o444)
    before = seeded.read_bytes()
    result = run(seeded, "suggest")
    assert (result.exit_code, result.output) == (1, f"Error: {seeded}: read-only; nothing was changed\n")
    assert seeded.read_bytes() == before


def test_a_hostile_title_reaches_the_progress_bar_inert(db_location: str, monkeypatch) -> None:
    """The title is drawn in the progress bar on a terminal: its escape sequences
    (OSC title change, BEL, the 8-bit CSI) must arrive as visible glyphs."""
    from rich.console import Console

    from margin.tui.commands import suggest

    register(monkeypatch)
    db = open_database(db_location)
    add_document(db, OTHER, title="\x1b]0;pwned\x07Evil\x9b31m [bold]x[/bold]")
    db.close()
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system="truecolor")
    monkeypatch.setattr(suggest, "progress_console", lambda: console)
    monkeypatch.setattr(suggest, "shorten", lambda text, width: text)
    result = run(db_location, "suggest")
    assert result.exit_code == 0, result.output
    drawn = screen.getvalue()
    assert "suggesting" in drawn and "␛]0;pwned␇Evil" in drawn and "[bold]x[/bold]" in drawn
    assert "\x1b]" not in drawn and "\x07" not in drawn and "\x9b" not in drawn
    assert "\x1b" not in result.output


def test_help_lists_the_command_and_its_examples() -> None:
    result = CliRunner().invoke(cli, ["suggest", "--help"])
    assert result.exit_code == 0
    assert "margin suggest --evaluate gold.jsonl" in result.output
    assert "suggest" in CliRunner().invoke(cli, ["--help"]).output


ELSEWHERE = "Mayorkas met 3 envoys."


def prodigy(text: str, *quotes: tuple[str, str]) -> str:
    spans = [{"start": text.index(q), "end": text.index(q) + len(q), "label": label} for q, label in quotes]
    return json.dumps({"text": text, "spans": spans, "answer": "accept"})


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        prodigy(OTHER, ("40%", "statistic"), ("21 partners", "statistic"), ("Watson", "person")) + "\n"
        + prodigy(ELSEWHERE, ("Mayorkas", "person"), ("3 envoys", "statistic")) + "\n",
        encoding="utf-8",
    )
    return path


def test_evaluate_scores_against_a_gold_file_and_stores_nothing(seeded: str, gold: Path, monkeypatch) -> None:
    """statistic: gold 40%, 21 partners, 3 envoys; suggested 2023, 40%, 21, 3 — one
    exact hit, three overlapping; both people exact."""
    register(monkeypatch)
    result = run(seeded, "suggest", "--evaluate", str(gold))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2 gold document(s), 1 of them in this database; 5 gold span(s), 6 suggested",
        "label      gold  predicted  exact P      R     F1  overlap P      R     F1",
        "person        2          2    1.000  1.000  1.000      1.000  1.000  1.000",
        "statistic     3          4    0.250  0.333  0.286      0.750  1.000  0.857",
        "all           5          6    0.500  0.600  0.545      0.833  1.000  0.909",
    ]
    assert stored(seeded) == []
    as_json = json.loads(run(seeded, "suggest", "--evaluate", str(gold), "--json").stdout)
    assert (as_json["documents"], as_json["in_database"], as_json["gold"], as_json["predicted"]) == (2, 1, 5, 6)
    assert as_json["labels"]["statistic"]["overlap"] == {
        "matched": 3, "reference": 3, "predicted": 4, "precision": 0.75, "recall": 1.0, "f1": 6 / 7,
    }


def test_evaluate_takes_the_document_and_label_filters(seeded: str, gold: Path, monkeypatch) -> None:
    register(monkeypatch)
    lines = run(seeded, "suggest", "--evaluate", str(gold), "--doc", "Other", "--label", "statistic").stdout.splitlines()
    assert lines[0] == "1 gold document(s), 1 of them in this database; 2 gold span(s), 3 suggested"
    assert [line.split()[0] for line in lines[2:]] == ["statistic", "all"]
    assert lines[2].split()[1:] == ["2", "3", "0.333", "0.500", "0.400", "0.667", "1.000", "0.800"]


def test_evaluate_works_on_a_read_only_database_and_refuses_a_bad_gold_file(
    seeded_file: Path, gold: Path, tmp_path: Path, monkeypatch
) -> None:
    seeded = seeded_file
    register(monkeypatch)
    seeded.chmod(0o444)
    assert run(seeded, "suggest", "--evaluate", str(gold)).exit_code == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "x"}]}\n', encoding="utf-8")
    result = run(seeded, "suggest", "--evaluate", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}") and result.output.endswith("; nothing was evaluated\n")
    assert result.output.count("\n") == 1
    assert run(seeded, "suggest", "--json").exit_code == 2  # --json goes with --evaluate


def test_train_retrains_the_claim_classifier_first(seeded: str) -> None:
    import sklearn  # noqa: F401  # the test extra installs it

    from margin.store.suggest.claims_sentences import sentences

    too_few = run(seeded, "suggest", "--train", "--suggester", "claims")
    assert too_few.exit_code == 1 and too_few.output.count("\n") == 1
    assert too_few.output.startswith("Error: the claim classifier needs at least 10 sentences labelled 'claim'")
    db = open_database(seeded)
    found = sentences(SEED_TEXT)
    for start, end in found[:10]:
        store_annotations.add_annotation(db, seed_id(seeded), start, end, "claim", annotator="ana", text=SEED_TEXT)
    db.close()
    result = run(seeded, "suggest", "--train", "--suggester", "claims", "--doc", "Other")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"trained the claim classifier on 10 claim span(s): {len(found)} sentence(s), 10 claim(s), {len(found) - 10} not"
    )
    assert result.stdout.startswith("suggested ")
    db = open_database(seeded)
    assert db.execute("select name, trained_on from models").fetchall() == [("claims", 10)]
    db.close()


def test_the_real_suggesters_on_the_seed_article(seeded: str) -> None:
    """The default set, as a new user runs it: statistics, people and claims, each
    stored as a suggestion of its suggester with a score; a second run adds nothing."""
    first = run(seeded, "suggest", "--doc", "US agrees")
    assert first.exit_code == 0, first.output
    spans = stored(seeded)
    assert {a.label for a, _ in spans} == {"claim", "person", "statistic"}
    assert {a.origin for a, _ in spans} <= {f"suggest:{name}" for name in ("statistics", "people", "claims", "learned")}
    assert {a.status for a, _ in spans} == {"suggested"}
    assert all(score is not None and 0 < score <= 1 for _, score in spans)
    assert ("Adrienne Watson", "person") in {(a.quote, a.label) for a, _ in spans}
    assert first.stdout == f"suggested {len(spans)} span(s) in 1 document(s): " + ", ".join(
        f"{label} {sum(a.label == label for a, _ in spans)}" for label in ("claim", "person", "statistic")
    ) + "\n"
    again = run(seeded, "suggest", "--doc", "US agrees")
    assert again.stdout == f"suggested 0 span(s) in 1 document(s); {len(spans)} already there\n"


def test_a_patterns_file_runs_the_patterns_suggester(seeded: str, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text('{"label": "person", "pattern": "Alejandro Mayorkas"}\n'
                        '{"label": "statistic", "pattern": [{"like_num": true}, {"lower": "partners"}]}\n')
    result = run(seeded, "suggest", "--patterns", str(patterns), "--suggester", "patterns")
    assert result.stdout == "suggested 3 span(s) in 2 document(s): person 1, statistic 2\n"  # 21 partners in both
    assert sorted((a.quote, a.origin) for a, _ in stored(seeded)) == [
        ("21 partners", "suggest:patterns"), ("21 partners", "suggest:patterns"), ("Alejandro Mayorkas", "suggest:patterns")
    ]
    patterns.write_text("not json\n")
    broken = run(seeded, "suggest", "--patterns", str(patterns))
    assert (broken.exit_code, broken.output) == (1, f"Error: {patterns}:1: not JSON: Expecting value\n")


def test_suggest_does_not_load_textual(seeded: str) -> None:
    import subprocess
    import sys

    code = (
        f"import sys; from margin.tui.cli import main; sys.argv = ['margin', '--db', {str(seeded)!r}, 'suggest']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("suggested ")


def test_what_a_suggester_says_about_itself_goes_to_stderr_inert(seeded: str, monkeypatch) -> None:
    register(monkeypatch, notice="numbers: digits only \x1b[2J")
    result = run(seeded, "suggest", "--doc", "Other")
    assert result.stderr == "numbers: digits only ␛[2J\n"
    assert result.stdout.startswith("suggested 4 span(s)")


def test_a_default_suggester_that_cannot_be_loaded_is_a_warning_and_the_others_run(seeded: str, monkeypatch) -> None:
    """As in the reader: a missing module (or library) leaves that one out, named on stderr."""
    register(monkeypatch)
    monkeypatch.setitem(suggest_package.SUGGESTERS, "missing", "no_such_suggester_for_tests")
    monkeypatch.setattr(suggest_package, "DEFAULT", ("missing", "numbers"))
    result = run(seeded, "suggest", "--doc", "Other")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("suggested 4 span(s)")
    assert result.stderr.startswith("warning: some suggesters are not available, the others ran: missing (No module named")


def test_a_suggester_named_with_suggester_that_cannot_be_loaded_is_an_error(seeded: str, monkeypatch) -> None:
    register(monkeypatch)
    monkeypatch.setitem(suggest_package.SUGGESTERS, "missing", "no_such_suggester_for_tests")
    result = run(seeded, "suggest", "--suggester", "numbers", "--suggester", "missing")
    assert result.exit_code == 1
    assert "a suggester cannot be loaded" in result.output
    assert stored(seeded) == []
