"""brat export read back the way brat reads it: an .ann is split into lines by
``str.splitlines()`` (brat iterates a codecs reader, which splits there), so a line
break other than ``\\n`` inside a text column or a note would cut a line in two and
brat would lose the span. Checked on the naughty-strings file, which holds every
such character, and on notes and annotators, which must come back through margin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store.annotations import add_annotation, iter_annotations
from margin.store.db import open_database
from margin.store.documents import iter_documents
from margin.store.exporting import export
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.tui.cli import cli

BRAT_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
ODD_BREAKS = BRAT_LINE_BREAKS[2:]
assert all(len(("a" + c + "b").splitlines()) == 2 for c in BRAT_LINE_BREAKS)


class BratRefused(AssertionError):
    """brat would reject the line (it keeps it as unparsed and offers a rewrite)."""


Fragments = list[tuple[int, int]]


def brat_read(txt: Path) -> tuple[dict[str, tuple[str, Fragments]], list[tuple[str, str, str]]]:
    """A strict reading of a .txt/.ann pair after brat's server (annotation.py):
    the text-bound lines by id, and the ``#`` comments as (type, target, text)."""
    text = txt.read_bytes().decode("utf-8")
    ann_name = txt.with_suffix(".ann").name
    ann = txt.with_suffix(".ann").read_bytes().decode("utf-8")
    textbounds: dict[str, tuple[str, Fragments]] = {}
    comments: dict[str, tuple[str, str, str]] = {}
    for number, line in enumerate(ann.splitlines(), 1):
        where = f"{ann_name}:{number}: {line!r}"
        if "\t" not in line:
            raise BratRefused(f"{where}: no tab after an id")
        ident, tail = line.split("\t", 1)
        if not ident or ident[0] not in "T#" or not ident[1:].isdigit():
            raise BratRefused(f"{where}: not an id brat writes")
        if ident in textbounds or ident in comments:
            raise BratRefused(f"{where}: duplicate id")
        data, _, rest = tail.partition("\t")
        if ident.startswith("#"):
            kind, target = data.split()
            comments[ident] = (kind, target, rest)
            continue
        data_tail = "\t" + rest
        label, offsets = data.split(" ", 1)
        fragments = []
        for fragment in offsets.split(";"):
            start, end = (int(value) for value in fragment.split(" "))
            if not 0 <= start <= end <= len(text):
                raise BratRefused(f"{where}: offsets out of range")
            if any(end >= seen_start and start < seen_end for seen_start, seen_end in fragments):
                raise BratRefused(f"{where}: fragments overlap")
            fragments.append((start, end))
        length = sum(end - start for start, end in fragments) + len(fragments) - 1
        if length > len(data_tail) - 1:
            raise BratRefused(f"{where}: text shorter than the marked span")
        reference = " ".join(text[start:end] for start, end in fragments)
        if data_tail[1 : length + 1] != reference:
            raise BratRefused(f"{where}: text does not match the document ({reference!r})")
        if data_tail[length + 1 :] and not data_tail[length + 1].isspace():
            raise BratRefused(f"{where}: text not separated from the rest of the line")
        textbounds[ident] = (label, fragments)
    for ident, (_kind, target, _value) in comments.items():
        if target not in textbounds:
            raise BratRefused(f"{ann_name}: {ident} is a comment on {target}, which brat does not have")
    return textbounds, list(comments.values())


@pytest.fixture
def naughty(corpus, places):
    """The naughty-strings file imported as one document, with spans on every line,
    across every pair of lines, and starting, ending and lying on each odd break."""
    db = open_database(places("n"))
    report = import_paths(db, [corpus / "big-list-of-naughty-strings" / "blns.txt"], annotator="ana")
    assert report.ok, report.failed
    [document] = iter_documents(db)
    text = document.text
    assert set(ODD_BREAKS) <= set(text)
    ensure_labels(db, ["line", "pair", "edge"])
    spans: set[tuple[int, int, str]] = set()
    position = 0
    lines = text.split("\n")
    for line, following in zip(lines, [*lines[1:], ""]):
        if line.strip():
            spans.add((position, position + len(line), "line"))
            if following.strip():
                spans.add((position, position + len(line) + 1 + len(following), "pair"))
        position += len(line) + 1
    for index, character in enumerate(text):
        if character in ODD_BREAKS:
            for start, end in ((index - 3, index + 3), (index, index + 2), (index - 2, index + 1),
                               (index, index + 1), (index + 1, index + 3)):
                if 0 <= start < end <= len(text):
                    spans.add((start, end, "edge"))
    for start, end, label in sorted(spans):
        add_annotation(db, document.id, start, end, label, annotator="ana", text=text)
    yield db, document, spans
    db.close()


def test_every_span_with_an_odd_line_break_survives_brat(naughty, tmp_path):
    db, document, spans = naughty
    crossing = {span for span in spans if set(document.text[span[0] : span[1]]) & set(ODD_BREAKS)}
    assert len(crossing) >= 40
    export(db, tmp_path / "brat", format="brat")
    textbounds, _ = brat_read(tmp_path / "brat" / f"{document.id}.txt")
    survived = {(fragments[0][0], fragments[-1][1], label) for label, fragments in textbounds.values()}
    assert survived == spans
    assert len(textbounds) == len(spans)
    for _label, fragments in textbounds.values():
        for start, end in fragments:
            assert not set(document.text[start:end]) & set(BRAT_LINE_BREAKS)


def test_the_brat_export_reads_back_into_margin_unchanged(naughty, places, tmp_path):
    db, _document, spans = naughty
    export(db, tmp_path / "brat", format="brat")
    again = open_database(places("again"))
    report = import_paths(again, [tmp_path / "brat"], annotator="nobody")
    assert report.ok, report.failed
    back = {(a.start, a.end, a.label, a.annotator) for a in iter_annotations(again)}
    assert back == {(start, end, label, "ana") for start, end, label in spans}
    again.close()


NOTES = [
    "line one\nline two",
    "a literal \\n, not a break",
    "C:\\new\\dir\\",
    "para\u2029graph\u2028line\x85next\x0bvt\x0cff\x1cfs\x1dgs\x1ers\rcr",
    "\ttabbed and trailing \\",
    "\\\\n",
]


def test_notes_and_annotators_go_through_brat_and_back(seed_text, places, tmp_path):
    db = open_database(places("a"))
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    assert import_paths(db, [tmp_path / "seed.txt"], annotator="ana").ok
    [document] = iter_documents(db)
    ensure_labels(db, ["claim"])
    expected = set()
    for number, note in enumerate(NOTES):
        start = 10 * number
        add_annotation(db, document.id, start, start + 5, "claim", annotator="ana", note=note)
        expected.add((start, start + 5, "ana", note))
    for annotator in ("ben", "cy dee"):  # agree with ana on the first span and its note
        add_annotation(db, document.id, 0, 5, "claim", annotator=annotator, note=NOTES[0])
        expected.add((0, 5, annotator, NOTES[0]))
    add_annotation(db, document.id, 10, 15, "claim", annotator="ben", note="ben's own")
    expected.add((10, 15, "ben", "ben's own"))
    export(db, tmp_path / "brat", format="brat")

    textbounds, comments = brat_read(tmp_path / "brat" / f"{document.id}.txt")
    assert len(textbounds) == len(NOTES) + 1  # the agreed span is written once
    assert sorted(kind for kind, _, _ in comments).count("AnnotatorNotes") == len(NOTES) + 1
    shown = {(textbounds[target][1][0][0], value) for kind, target, value in comments if kind == "Annotator"}
    assert {(0, "ana"), (0, "ben"), (0, "cy dee"), (10, "ana"), (10, "ben")} <= shown

    again = open_database(places("again"))
    report = import_paths(again, [tmp_path / "brat"], annotator="nobody")
    assert report.ok, report.failed
    assert {(a.start, a.end, a.annotator, a.note) for a in iter_annotations(again)} == expected
    again.close()
    db.close()


BRAT_WRITTEN_NOTES = ["C:\\new\\table", "\\\\server\\share", "a literal \\n and \\u2028", "ends in \\"]


@pytest.mark.parametrize("conf", [None, "[entities]\nclaim\n\n[relations]\n\n[events]\n\n[attributes]\n"])
def test_notes_brat_wrote_keep_their_backslashes(db_location, tmp_path, conf):
    """brat writes a note as it was typed, so a backslash in it is a backslash,
    whether or not the project has an annotation.conf of its own."""
    folder = tmp_path / "brat"
    folder.mkdir()
    text = "Ana said no. Ben agreed. Cy left. Di came."
    (folder / "doc.txt").write_text(text, encoding="utf-8")
    lines = []
    for number, note in enumerate(BRAT_WRITTEN_NOTES, 1):
        start = 9 * (number - 1)
        lines.append(f"T{number}\tclaim {start} {start + 3}\t{text[start:start + 3]}\n")
        lines.append(f"#{number}\tAnnotatorNotes T{number}\t{note}\n")
    (folder / "doc.ann").write_text("".join(lines), encoding="utf-8")
    if conf is not None:
        (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    _, comments = brat_read(folder / "doc.txt")
    assert [value for _, _, value in comments] == BRAT_WRITTEN_NOTES
    db = open_database(db_location)
    report = import_paths(db, [folder], annotator="ana")
    assert report.ok, report.failed
    assert sorted((a.start, a.note) for a in iter_annotations(db)) == [
        (9 * number, note) for number, note in enumerate(BRAT_WRITTEN_NOTES)
    ]
    db.close()


def test_the_escape_marker_is_a_comment_to_brat_and_stays_with_its_folder(seed_text, places, tmp_path):
    """The marker is a line brat's configuration reader skips (``^\\s*#``); margin's
    own export read back as a folder or as one pair unescapes multi-line notes, and
    the same pair copied away from its annotation.conf keeps the escapes as text."""
    db = open_database(places("a"))
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    assert import_paths(db, [tmp_path / "seed.txt"], annotator="ana").ok
    [document] = iter_documents(db)
    ensure_labels(db, ["claim"])
    note = "line one\nline two \\ C:\\new"
    add_annotation(db, document.id, 0, 5, "claim", annotator="ana", note=note)
    db.close()
    result = CliRunner().invoke(cli, ["--db", places("a"), "export", "--format", "brat",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    sections = {"[entities]", "[relations]", "[events]", "[attributes]"}
    assert [line for line in conf.splitlines() if line.strip() and line not in sections and
            not re.match(r"^\s*#", line)] == ["claim", "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"]
    _, comments = brat_read(tmp_path / "out" / f"{document.id}.txt")
    [(_, _, written)] = [comment for comment in comments if comment[0] == "AnnotatorNotes"]
    assert written == "line one\\nline two \\\\ C:\\\\new"
    copied = tmp_path / "copied"
    copied.mkdir()
    for suffix in (".txt", ".ann"):
        name = f"{document.id}{suffix}"
        (copied / name).write_bytes((tmp_path / "out" / name).read_bytes())
    for number, (source, expected) in enumerate((
        (tmp_path / "out", note), (tmp_path / "out" / f"{document.id}.ann", note),
        (copied / f"{document.id}.ann", written),
    )):
        again = open_database(places(f"again{number}"))
        report = import_paths(again, [source], annotator="nobody")
        assert report.ok, report.failed
        assert [a.note for a in iter_annotations(again)] == [expected], source
        again.close()
