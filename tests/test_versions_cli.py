"""Versions from the command line: ``import --update`` and ``margin open`` make a
revised file the next version and move its spans, ``margin reanchor`` links two
documents, settles, and lists what waits for review, and the listings say which
version each document is."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from margin.store.annotations import add_annotation
from margin.store.database import location
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.versions import versions
from margin.tui.cli import cli
from margin.tui.commands import output, team
from margin.tui.commands.app import _documents_to_open
from margin.tui.commands.context import Context
from margin.tui.config import Settings

CHANGED = "520,000 migrants"
REVISED = "530,000 migrants"
DROPPED = "José Raúl Mulino"
KEPT = "Darien region"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


def run(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def revise(text: str) -> str:
    """The article with a corrected figure and the paragraph naming Mulino cut."""
    kept = [line for line in text.splitlines(keepends=True) if DROPPED not in line]
    return "".join(kept).replace(CHANGED, REVISED)


def mark(db_path: Path | str, doc_id: str, quote: str, label: str) -> str:
    db = open_database(db_path)
    try:
        text = db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]
        start = text.index(quote)
        return add_annotation(db, doc_id, start, start + len(quote), label, annotator="ana").id
    finally:
        db.close()


def spans(db_path: Path | str) -> dict[str, tuple[str, str]]:
    """annotation id -> (document id, quote) of every live span."""
    db = open_database(db_path)
    try:
        rows = db.execute("select id, doc_id, quote from annotations where deleted_at is null").fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}
    finally:
        db.close()


def doc_ids(db_path: Path | str) -> list[str]:
    db = open_database(db_path)
    try:
        return [row[0] for row in db.execute("select id from documents order by rowid")]
    finally:
        db.close()


@pytest.fixture
def article(tmp_path: Path, seed_text: str) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


def _annotate(db_path: Path | str, article: Path) -> tuple[Path | str, Path, dict[str, str]]:
    assert run(db_path, "import", str(article)).exit_code == 0
    (first,) = doc_ids(db_path)
    marked = {
        "statistic": mark(db_path, first, CHANGED, "statistic"),
        "person": mark(db_path, first, DROPPED, "person"),
        "claim": mark(db_path, first, "Panama's government", "claim"),
    }
    article.write_text(revise(article.read_text(encoding="utf-8")), encoding="utf-8")
    return db_path, article, marked


@pytest.fixture
def annotated(places, article: Path) -> tuple[str, Path, dict[str, str]]:
    """The article imported and marked three times, then revised on disk; on each
    backend, beside which a test may name more databases."""
    return _annotate(places("test"), article)


@pytest.fixture
def annotated_file(db_path: Path, article: Path) -> tuple[Path, Path, dict[str, str]]:
    """The same, in a file, for what only a file has (its mode)."""
    return _annotate(db_path, article)


@pytest.fixture
def versioned(annotated: tuple[str, Path, dict[str, str]]) -> tuple[str, dict[str, str]]:
    db_path, article, marked = annotated
    assert run(db_path, "import", "--update", str(article)).exit_code == 0
    return db_path, marked


def test_import_update_makes_a_version_moves_the_spans_and_says_so(
    annotated: tuple[str, Path, dict[str, str]],
) -> None:
    db_path, article, marked = annotated
    first = doc_ids(db_path)[0]
    result = run(db_path, "import", "--update", str(article))
    assert result.exit_code == 0, result.output
    assert "version 2 of 'US agrees to pay" in result.stdout
    assert "2 spans moved to the newest version (1 with the same text, 1 whose text changed)" in result.stdout
    assert "1 could not be placed and stay on the old version" in result.stdout
    assert "2 span(s) to review: margin reanchor --report lists them" in result.stdout
    second = doc_ids(db_path)[1]
    now = spans(db_path)
    assert now[marked["statistic"]] == (second, REVISED)
    assert now[marked["claim"]] == (second, "Panama's government")
    assert now[marked["person"]] == (first, DROPPED)


def test_import_without_update_warns_and_moves_nothing(annotated: tuple[str, Path, dict[str, str]]) -> None:
    db_path, article, _ = annotated
    first = doc_ids(db_path)[0]
    result = run(db_path, "import", str(article))
    assert result.exit_code == 0
    assert "a different text from this file is already here" in result.stderr
    assert "import --update" in result.stderr
    assert "version" not in result.stdout
    assert len(doc_ids(db_path)) == 2
    assert {doc for doc, _ in spans(db_path).values()} == {first}
    db = open_database(db_path)
    assert len(versions(db, first)) == 1
    db.close()


def test_report_lists_the_changed_span_and_the_orphan(versioned: tuple[str, dict[str, str]]) -> None:
    db_path, marked = versioned
    result = run(db_path, "reanchor", "--report")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.match(r"US agrees to pay .*: version 2 \([0-9a-f]{12}\), 2 to review$", lines[0])
    assert lines[1].startswith(f"  changed statistic: \u201c{CHANGED}\u201d -> \u201c{REVISED}\u201d (")
    assert re.search(r"confidence 0\.\d\d\) at \d+–\d+$", lines[1])
    assert lines[2].startswith(f"  orphan  person: \u201c{DROPPED}\u201d stays on version 1 at ")
    assert lines[-1] == "1 changed span(s) and 1 orphan(s) to review"
    records = json.loads(run(db_path, "reanchor", "--report", "--json").stdout)
    assert [(record["kind"], record["annotation_id"]) for record in records] == [
        ("changed", marked["statistic"]), ("orphan", marked["person"])
    ]
    changed, orphan = records
    assert (changed["old_quote"], changed["quote"], changed["version"]) == (CHANGED, REVISED, 2)
    assert (orphan["quote"], orphan["version"], orphan["newest_version"]) == (DROPPED, 1, 2)
    assert orphan["reason"] and orphan["doc_id"] != orphan["document"]


def test_report_on_a_terminal_is_a_table(versioned: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db_path, _ = versioned
    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(120, 30))
    shown = run(db_path, "reanchor", "--report").stdout
    assert "│ changed │ statistic │" in shown and "stays on v1" in shown
    assert f"\u201c{DROPPED}\u201d" in shown


def test_report_for_one_document_and_when_nothing_waits(versioned: tuple[str, dict[str, str]], places) -> None:
    db_path, _ = versioned
    newest = doc_ids(db_path)[1]
    assert "1 changed span(s) and 1 orphan(s)" in run(db_path, "reanchor", "--report", "--doc", newest[:8]).stdout
    other = places("other")
    db = open_database(other)
    add_document(db, "A text with no versions.")
    db.close()
    result = run(other, "reanchor", "--report")
    assert result.exit_code == 0 and result.stdout == "nothing to review\n"
    assert json.loads(run(other, "reanchor", "--report", "--json").stdout) == []


def _two_unlinked(db_path: Path | str, article: Path, tmp_path: Path) -> tuple[str, str]:
    """The revised article imported from another path, so nothing links it to the first."""
    elsewhere = tmp_path / "corrected.txt"
    shutil.move(article, elsewhere)
    assert run(db_path, "import", str(elsewhere)).exit_code == 0
    old, new = doc_ids(db_path)
    return old, new


def test_reanchor_old_new_and_its_dry_run(annotated: tuple[str, Path, dict[str, str]], tmp_path: Path) -> None:
    db_path, article, marked = annotated
    old, new = _two_unlinked(db_path, article, tmp_path)
    before = spans(db_path)
    dry = run(db_path, "reanchor", "--dry-run", old[:10], new[:10])
    assert dry.exit_code == 0, dry.output
    assert f"({new[:12]}) would become version 2 of" in dry.stdout
    assert "dry run, nothing was changed: 2 spans moved" in dry.stdout
    assert spans(db_path) == before
    db = open_database(db_path)
    assert len(versions(db, new)) == 1
    db.close()
    assert "version" not in run(db_path, "documents").stdout.splitlines()[0]

    done = run(db_path, "reanchor", old[:10], new[:10])
    assert done.exit_code == 0, done.output
    assert f"({new[:12]}) is now version 2 of" in done.stdout
    assert "1 could not be placed" in done.stdout
    assert spans(db_path)[marked["statistic"]] == (new, REVISED)
    again = run(db_path, "reanchor", old[:10], new[:10])
    assert "already is a version of" in again.stdout and "no span to move" in again.stdout


def test_reanchor_alone_settles_what_old_versions_still_carry(versioned: tuple[str, dict[str, str]]) -> None:
    db_path, _ = versioned
    first, second = doc_ids(db_path)
    late = mark(db_path, first, KEPT, "person")  # someone still annotating the old version
    result = run(db_path, "reanchor")
    assert result.exit_code == 0
    assert result.stdout.startswith("1 span moved to the newest version (1 with the same text)")
    assert spans(db_path)[late] == (second, KEPT)
    assert run(db_path, "reanchor").stdout == "no span to move\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "{new}"), "Error: no document matches 'nope'\n"),
        (("{new}", "{new}"), "Error: a document cannot be a new version of itself\n"),
    ],
)
def test_bad_documents_are_one_line_errors(
    annotated: tuple[str, Path, dict[str, str]], tmp_path: Path, args: tuple[str, str], message: str
) -> None:
    db_path, article, _ = annotated
    _, new = _two_unlinked(db_path, article, tmp_path)
    result = run(db_path, "reanchor", *(arg.format(new=new[:10]) for arg in args))
    assert result.exit_code == 1
    assert result.output == message


def test_a_read_only_database_is_refused_in_one_line(
    annotated_file: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    db_path, article, _ = annotated_file
    old, new = _two_unlinked(db_path, article, tmp_path)
    db_path.chmod(0o444)
    before = db_path.read_bytes()
    for args in ((old[:10], new[:10]), (), ("--dry-run", old[:10], new[:10])):
        result = run(db_path, "reanchor", *args)
        assert result.exit_code == 1, args
        assert result.output.startswith(f"Error: {db_path}: read-only;") and result.output.count("\n") == 1
    assert db_path.read_bytes() == before
    assert run(db_path, "reanchor", "--report").stdout == "nothing to review\n"


def test_usage_mistakes_are_refused(versioned: tuple[str, dict[str, str]]) -> None:
    db_path, _ = versioned
    for args in (("one",), ("--report", "a", "b"), ("--doc", "x")):
        assert run(db_path, "reanchor", *args).exit_code == 2, args


def test_documents_and_info_show_versions(versioned: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db_path, _ = versioned
    first, second = doc_ids(db_path)
    header, *rows = run(db_path, "documents").stdout.splitlines()
    assert header.split("\t")[-2:] == ["version", "review"]
    assert [row.split("\t")[-2:] for row in rows] == [["v1, superseded by v2", ""], ["v2", "2"]]
    records = json.loads(run(db_path, "documents", "--json").stdout)
    assert [(r["id"], r["version"], r["superseded"], r.get("to_review")) for r in records] == [
        (first, 1, True, None), (second, 2, False, 2)
    ]
    info = json.loads(run(db_path, "info", "--json").stdout)
    assert (info["documents"], info["documents_with_versions"], info["to_review"]) == (2, 1, 2)
    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(120, 24))
    table = run(db_path, "documents").stdout
    assert "v1, superseded by v2" in table and re.search(r"v2 +2 ", table)
    assert re.search(r"documents with versions +│ 1", run(db_path, "info").stdout)


def test_opening_a_changed_file_makes_a_new_version(annotated: tuple[str, Path, dict[str, str]]) -> None:
    db_path, article, marked = annotated
    first = doc_ids(db_path)[0]
    context = Context(db_path=location(db_path), annotator="ana", settings=Settings())
    db = context.open_db()
    try:
        (opened,) = _documents_to_open(context, db, [str(article)])
        assert [version.id for version in versions(db, opened)] == [first, opened]
    finally:
        context.close()
    assert spans(db_path)[marked["statistic"]] == (opened, REVISED)


def test_merge_says_what_moved_onto_newer_versions(
    annotated: tuple[str, Path, dict[str, str]], places, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_path, article, _ = annotated
    first = doc_ids(db_path)[0]
    laptop = places.copy(db_path, "laptop")
    late = mark(laptop, first, KEPT, "person")  # annotated on the old version elsewhere
    assert run(db_path, "import", "--update", str(article)).exit_code == 0
    result = run(db_path, "merge", str(laptop))
    assert result.exit_code == 0, result.output
    assert "versions: 1 span moved to the newest version (1 with the same text)" in result.stdout
    assert spans(db_path)[late][1] == KEPT and spans(db_path)[late][0] != first
    # On a terminal, the same line under the table.
    from margin.store.merge import merge_databases

    again = places.copy(laptop, "again")
    mark(again, first, "Biden administration", "person")
    db = open_database(db_path)
    report = merge_databases(db, [again])
    db.close()
    monkeypatch.setattr(team.sys.stdout, "isatty", lambda: True)
    team._print_merge(report, db_path)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert "versions: 1 span moved to the newest version (1 with the same text)" in shown


HOSTILE = "Evil \x1b[31mred\x1b[0m \u202eflipped \x9bcsi"


def test_escape_sequences_in_titles_and_quotes_stay_inert(db_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = db_location
    text = f"Opening line.\n\nThe {HOSTILE} figure was 12,000 people.\n\nThe end."
    db = open_database(db_path)
    old, _ = add_document(db, text, title=HOSTILE)
    new, _ = add_document(db, text.replace("12,000", "12,500").replace("Opening line.\n\n", ""), title=HOSTILE)
    start = text.index("Evil")
    add_annotation(db, old.id, start, text.index("12,000") + 6, "claim", annotator="ana")
    add_annotation(db, old.id, 0, len("Opening line."), "claim", annotator="ana")
    db.close()
    shown = [run(db_path, "reanchor", old.id[:10], new.id[:10]).output]
    for screen in (None, output.Terminal(120, 30)):
        monkeypatch.setattr(output, "terminal", lambda screen=screen: screen)
        shown += [run(db_path, *args).output for args in (
            ("reanchor", "--report"), ("reanchor", "--report", "--json"), ("documents",), ("documents", "--json"),
        )]
    assert "is now version 2" in shown[0] and "Evil" in shown[1] and "Evil" in shown[5]
    for text_shown in shown:
        assert not UNSAFE.search(text_shown)
    assert json.loads(shown[2])[0]["title"] == HOSTILE
