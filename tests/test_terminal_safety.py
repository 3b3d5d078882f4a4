"""No escape sequence from data reaches the terminal, from any command or screen, and
names that could carry one are refused where they come in.

The data is the big list of naughty strings plus hand-made escape sequences (OSC 2
retitles the window, OSC 52 writes the clipboard, CSI in its ESC and C1 forms) and
bidirectional overrides, as titles, texts, notes, sources, label and annotator names.
Names the rules refuse are put in with SQL, as a database from an older margin or a
hand-edited one would hold them, so showing them is tested as well as refusing them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import app_for, go, messages, pilot_test, running
from click.testing import CliRunner, Result
from conftest import CORPUS
from pg_cluster import BACKENDS

import margin.store.import_checks
from margin.store.annotations import add_annotation, annotation_row
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.labels import add_label, list_labels
from margin.store.names import MAX_NAME_LENGTH, label_name_problem, name_problem
from margin.tui.cli import cli
from margin.tui.commands import output

BLNS = json.loads((CORPUS / "big-list-of-naughty-strings" / "blns.json").read_text(encoding="utf-8"))
OSC_TITLE = "\x1b]2;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
HOSTILE = [
    OSC_TITLE,
    OSC_CLIPBOARD,
    "\x1b[2J\x1b[31mred\x1b[0m",
    "c1\x9b31mcsi",
    "c1\x9d0;osc\x9c",
    "flip\u202eesrever\u202c",
    "iso\u2066late\u2069",
    "bell\x07del\x7f",
]
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What must never be written: C0 controls but tab and newline (ESC, BEL), DEL, C1,
line separators and bidirectional embeddings, overrides and isolates."""
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def unsafe_in(text: str) -> list[str]:
    return sorted(set(UNSAFE.findall(text)))


def usable_names(kind: str) -> list[str]:
    """The naughty strings the name rules accept, once each."""
    check = label_name_problem if kind == "label" else lambda name: name_problem(kind, name)
    return list(dict.fromkeys(name for name in BLNS if check(name) is None and name == name.strip()))


def raw_label(db, name: str, position: int) -> None:
    db.execute(
        "insert into labels (name, key, color, description, position) values (?, null, '#888888', ?, ?)",
        [name, f"about {name}", position],
    )


def raw_annotation(db, doc_id: str, text: str, start: int, end: int, label: str, annotator: str, note: str) -> None:
    row = annotation_row(doc_id=doc_id, text=text, start=start, end=end, label="claim", annotator="x", note=note)
    db.table("annotations").insert(row | {"label": label, "annotator": annotator})


@pytest.fixture(scope="module", params=BACKENDS)
def hostile_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """Every hostile name and text, made once per module on each backend; tests that
    change it work on a copy (``hostile_copy``)."""
    if request.param == "sqlite":
        yield _fill_hostile(tmp_path_factory.mktemp("hostile") / "hostile.db")
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.fresh()
    yield _fill_hostile(url)
    cluster.drop(url)


@pytest.fixture
def hostile_copy(request: pytest.FixtureRequest, hostile_db: Path | str, tmp_path: Path) -> Iterator[Path | str]:
    """A copy of ``hostile_db``, on the same backend, for a test that changes it."""
    if isinstance(hostile_db, Path):
        path = tmp_path / "copy.db"
        shutil.copyfile(hostile_db, path)
        yield path
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.fresh(template=hostile_db)
    yield url
    cluster.drop(url)


def _fill_hostile(path: Path | str) -> Path | str:
    db = open_database(path)
    labels = usable_names("label")
    annotators = usable_names("annotator")
    assert len(labels) > 100 and len(annotators) > 100
    for name in labels:
        add_label(db, name, description=name)
    with db.conn:
        for position, name in enumerate(HOSTILE, len(list_labels(db))):
            raw_label(db, name, position)
        # A key of its own puts it in the footer and the help screen.
        db.execute("update labels set key = 'ctrl+g' where name = ?", [OSC_TITLE])
    # Every name is in the scheme; a few of each annotate, so agreement stays small.
    used_labels, used_annotators = labels[::len(labels) // 6][:6], annotators[::len(annotators) // 4][:4]
    strings = [*HOSTILE, *(string for string in BLNS if string.strip())]
    for index, string in enumerate(strings):
        text = f"Start {string} end. Second sentence here.\n"
        document, _new = add_document(db, text, title=string, source=string)
        start, end = 6, 6 + len(string)
        add_annotation(db, document.id, start, end, used_labels[index % len(used_labels)],
                       annotator=used_annotators[index % len(used_annotators)], note=string)
        with db.conn:
            raw_annotation(db, document.id, text, 0, 5, HOSTILE[index % 3], HOSTILE[3 + index % 3], string)
            raw_annotation(db, document.id, text, 0, 5, used_labels[0], HOSTILE[index % 3], string)
    db.close()
    return path


def invoke(db: Path | str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result


LISTINGS = [
    ["documents"], ["documents", "--tsv"], ["documents", "--json"], ["documents", "--jsonl"], ["documents", "--all"],
    ["labels"], ["labels", "--tsv"], ["labels", "--json"], ["labels", "--jsonl"],
    ["stats"], ["stats", "--json"], ["stats", "--jsonl"], ["stats", "--tsv"],
    ["stats", "--by", "label"], ["stats", "--by", "annotator"], ["stats", "--by", "document"],
    ["agreement"], ["agreement", "--json"],
    ["info"], ["info", "--json"],
    *(["export", "--format", name] for name in output.JSON_EXPORTS),
]


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_no_listing_writes_an_unsafe_character(
    hostile_db: Path | str, args: list[str], terminal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if terminal:
        monkeypatch.setattr(output, "terminal", lambda: output.Terminal(160, 60))
    result = invoke(hostile_db, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    assert unsafe_in(result.stdout) == [] and unsafe_in(result.stderr) == []


def test_the_data_is_really_there_and_comes_back_from_json(hostile_db: Path | str) -> None:
    """Without this, the test above could pass on a database that lost the strings."""
    titles = [record["title"] for record in json.loads(invoke(hostile_db, "documents", "--json").stdout)]
    assert set(HOSTILE) <= set(titles)
    names = {record["name"] for record in json.loads(invoke(hostile_db, "labels", "--json").stdout)}
    assert set(HOSTILE) <= names
    exported = [json.loads(line) for line in invoke(hostile_db, "export").stdout.splitlines()]
    assert OSC_CLIPBOARD in {record["title"] for record in exported}
    tsv = invoke(hostile_db, "documents", "--tsv").stdout
    assert "\\x1b]2;pwned\\x07" in tsv and "flip\\u202eesrever\\u202c" in tsv


def test_csv_export_keeps_the_data_piped_and_is_inert_on_a_terminal(
    hostile_db: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = invoke(hostile_db, "export", "--format", "csv")
    assert piped.exit_code == 0 and OSC_TITLE in piped.stdout  # a CSV file is data, kept exactly
    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(160, 60))
    shown = invoke(hostile_db, "export", "--format", "csv")
    assert shown.exit_code == 0 and "␛]2;pwned␇" in shown.stdout
    assert unsafe_in(shown.stdout.replace("\r\n", "\n")) == []


def test_a_real_terminal_shows_only_the_tables_own_styles(hostile_db: Path | str) -> None:
    import fcntl
    import os
    import struct
    import subprocess
    import sys
    import termios

    for args in (["documents"], ["labels", "--all"], ["stats"], ["agreement"]):
        leader, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
        process = subprocess.Popen(
            [sys.executable, "-m", "margin", "--db", str(hostile_db), *args],
            stdout=follower, stderr=follower, stdin=follower, env={**env, "TERM": "xterm-256color"},
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert process.wait(timeout=60) == 0, args
        shown = b"".join(chunks).decode()
        assert "␛" in shown, args  # the data was drawn, made visible
        assert unsafe_in(RICH_STYLE.sub("", shown).replace("\r\n", "\n")) == [], args


def test_import_refuses_a_label_with_a_control_character(tmp_path: Path, db_location: str) -> None:
    bad = tmp_path / f"spans{OSC_TITLE}.jsonl"
    bad.write_text(
        json.dumps({"text": "Ana met Bob.", "label": [[0, 3, "ok"]]}) + "\n"
        + json.dumps({"text": "Bob met Ana.", "label": [[0, 3, f"x{OSC_TITLE}"]]}) + "\n",
        encoding="utf-8",
    )
    db = db_location
    result = invoke(db, "import", "--format", "doccano", str(bad))
    assert result.exit_code == 1
    shown = sanitised_path(bad)
    assert f"{shown}:2: label name 'x\\x1b]2;pwned\\x07' contains the control character U+001B" in result.stderr
    assert unsafe_in(result.stdout) == [] and unsafe_in(result.stderr) == []
    assert invoke(db, "documents", "--json").stdout.strip() == "[]"  # nothing of the file went in


def sanitised_path(path: Path) -> str:
    return str(path).replace("\x1b", "␛").replace("\x07", "␇")


def test_import_refuses_a_ten_thousand_character_label_and_a_hostile_annotator(
    tmp_path: Path, db_location: str
) -> None:
    path = tmp_path / "long.jsonl"
    long_label = "L" * 10_000
    path.write_text(
        json.dumps({"text": "Ana met Bob.", "label": [[0, 3, long_label]]}) + "\n"
        + json.dumps({"text": "Bob met Ana.", "label": [[0, 3, "person"]]}) + "\n",
        encoding="utf-8",
    )
    result = invoke(db_location, "import", "--format", "doccano", str(path))
    assert result.exit_code == 1
    message = next(line for line in result.stderr.splitlines() if line.startswith("failed:"))
    assert f"{path}:1: label name 'LLLL" in message and f"is 10,000 characters long; at most {MAX_NAME_LENGTH}" in message
    assert len(message) < 200 + len(str(path))
    margin_file = tmp_path / "who.jsonl"
    record = {"id": "d", "text": "Ana met Bob.", "spans": [{"start": 0, "end": 3, "label": "person",
                                                            "annotator": f"eve{OSC_CLIPBOARD}"}]}
    margin_file.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = invoke(db_location, "import", "--format", "margin", str(margin_file))
    assert result.exit_code == 1
    assert f"{margin_file}:1: person annotation: annotator name 'eve\\x1b]52;c;ZXZpbA" in result.stderr
    assert unsafe_in(result.stderr) == []


def test_the_import_summary_and_warnings_are_inert_even_for_names_already_let_in(
    tmp_path: Path, db_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A margin that let such names in (an older one) must still print them inert."""
    monkeypatch.setattr(margin.store.import_checks, "label_name_problem", lambda name: None)
    monkeypatch.setattr(margin.store.labels, "check_label_name", lambda name: name)
    path = tmp_path / f"ok{OSC_TITLE}.jsonl"
    path.write_text(
        json.dumps({"text": "Ana met Bob.", "label": [[0, 3, f"who{OSC_TITLE}"], [8, 11, "flip\u202e"]]}) + "\n",
        encoding="utf-8",
    )
    result = invoke(db_location, "import", "--format", "doccano", str(path))
    assert result.exit_code == 0, result.stderr
    assert "new labels: flip\ufffd, who␛]2;pwned␇" in result.stdout
    assert unsafe_in(result.stdout) == [] and unsafe_in(result.stderr) == []


@pytest.mark.parametrize("name", [OSC_TITLE, "a\u202eb", "tab\there", "x" * (MAX_NAME_LENGTH + 1), "c1\x9b"])
def test_labels_add_and_rename_refuse_unsafe_names(db_location: str, name: str) -> None:
    db = db_location
    assert invoke(db, "labels", "add", "quote").exit_code == 0
    for args in (["labels", "add", name], ["labels", "rename", "quote", name]):
        result = invoke(db, *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: label name ") and result.stderr.count("\n") == 1
        assert unsafe_in(result.stderr) == []
    assert [record["name"] for record in json.loads(invoke(db, "labels", "--json").stdout)] == [
        "claim", "person", "statistic", "quote"
    ]


def test_an_unsafe_annotator_name_is_refused_from_the_option_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "m.db"
    result = invoke(db, "--annotator", f"eve{OSC_TITLE}", "info")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --annotator: annotator name 'eve\\x1b]2;pwned\\x07' contains")
    monkeypatch.setenv("MARGIN_ANNOTATOR", "x" * 100)
    result = invoke(db, "info")
    assert result.exit_code == 1 and "MARGIN_ANNOTATOR: annotator name 'xxx" in result.stderr
    assert not db.exists()
    monkeypatch.setenv("MARGIN_ANNOTATOR", "tester")
    article = tmp_path / "article.txt"
    article.write_text("Some text.\n", encoding="utf-8")
    result = invoke(db, "import", "--annotator", "a\u202eb", str(article))
    assert result.exit_code == 2 and "annotator name 'a\\u202eb' contains the control character U+202E" in result.stderr
    assert not db.exists()


def test_blns_names_the_rules_accept_work_as_labels_and_annotators(tmp_path: Path) -> None:
    """The rules refuse what is unsafe, not what is merely unusual: emoji, RTL, CJK,
    combining marks and injection strings are all usable names."""
    accepted = usable_names("label")
    for sample in ("😍", "田中さんにあげて下さい", "<script>alert(123)</script>", "'"):
        assert sample in accepted or any(sample in name for name in accepted)
    refused = [string for string in BLNS if UNSAFE.search(string)]
    assert refused and all(name_problem("annotator", string) for string in refused)


def screen_text(app) -> str:
    """Every character the app would draw now, on the active screen."""
    update = app.screen._compositor.render_update(full=True)
    return "".join(segment.text for line in update.strips for strip in line for segment in strip)


async def answer_any_question(pilot, app, drawn: dict[str, str], step: str) -> None:
    """Choose the first of several spans, and say yes to deleting someone else's."""
    from margin.tui.screens.confirm import Confirm
    from margin.tui.screens.label_picker import LabelPicker

    await pilot.pause()
    if isinstance(app.screen, LabelPicker):
        drawn[f"{step}: which"] = screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    if isinstance(app.screen, Confirm):
        drawn[f"{step}: sure?"] = screen_text(app)
        await pilot.press("y")
        await pilot.pause()


@pilot_test
async def test_no_screen_of_the_app_draws_an_unsafe_character(hostile_copy: Path | str) -> None:
    from margin.tui.screens.label_picker import LabelPicker

    path = hostile_copy
    db = open_database(path, readonly=True)
    doc_id = db.execute("select id from documents where title = ?", [OSC_TITLE]).fetchone()[0]
    db.close()
    app = app_for(path, open_doc_id=doc_id)
    drawn: dict[str, str] = {}
    async with running(app, size=(160, 50)) as pilot:
        drawn["reader"] = screen_text(app)
        await pilot.press("ctrl+b")
        drawn["document list"] = screen_text(app)
        await pilot.press("ctrl+o")
        drawn["annotation panel"] = screen_text(app)
        for turn in range(9):
            await pilot.press("A")
            drawn[f"whose {turn}"] = screen_text(app)
        app.main.show_annotations_of(None)
        app.main.reader.focus()
        await go(pilot, 1)
        await pilot.press("r")
        await pilot.pause()
        if isinstance(app.screen, LabelPicker) and "Relabel which" in screen_text(app):
            drawn["relabel which"] = screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("end")  # the labels an older margin let in are the last
        await pilot.pause()
        drawn["relabel picker"] = screen_text(app)
        await pilot.press("escape", "e")
        await answer_any_question(pilot, app, drawn, "note")
        drawn["note editor"] = screen_text(app)
        await pilot.press("ctrl+s")  # saved unedited: the note keeps its own characters
        await pilot.pause()
        notes = {row[0] for row in app.db.execute("select note from annotations where doc_id = ?", [doc_id])}
        assert notes == {OSC_TITLE}
        for turn in range(2):  # both spans under the cursor, the one with the escape label among them
            await pilot.press("x")
            await answer_any_question(pilot, app, drawn, f"delete {turn}")
        drawn["notifications"] = screen_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        drawn["help"] = screen_text(app)
        await pilot.press("escape", "ctrl+p", *"Open c1")
        await pilot.pause(0.5)
        drawn["palette"] = screen_text(app)
    assert "␛]2;pwned␇" in drawn["reader"] and "␛]2;pwned␇" in drawn["annotation panel"]
    assert "␛]2;pwned␇" in drawn["relabel picker"] and "flip�esrever�" in drawn["relabel picker"]
    assert "␛]2;pwned␇" in drawn["note editor"]
    assert "Deleted ␛]2;pwned␇ (u undoes)" in messages(app)
    assert "␛]2;pwned␇" in drawn["help"]  # the label with a key of its own
    for step, text in drawn.items():
        assert unsafe_in(text) == [], step
    assert not [message for message in messages(app) if unsafe_in(message)]


@pilot_test
async def test_the_review_screen_draws_no_unsafe_character(hostile_copy: Path | str) -> None:
    from margin.tui.review_app import ReviewApp

    path = hostile_copy
    db = open_database(path)
    app = ReviewApp(db, "carol")
    drawn = []
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            for _disagreement in range(12):
                await pilot.pause()
                drawn.append(screen_text(app))
                await pilot.press("n")
            await pilot.press("e")
            await pilot.pause()
            drawn.append(screen_text(app))
            await pilot.press("end")
            await pilot.pause()
            drawn.append(screen_text(app))
    finally:
        db.close()
    assert any("␛]2;pwned␇" in text for text in drawn)  # names and text were drawn, made visible
    assert [unsafe_in(text) for text in drawn] == [[] for _text in drawn]
