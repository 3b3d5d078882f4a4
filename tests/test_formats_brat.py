"""brat standoff: text-bound spans and notes, fragments at newlines, and refusals."""

from __future__ import annotations

import pytest

from margin.store.errors import FormatError
from margin.store.formats import brat
from margin.store.model import DocumentRecord, SpanRecord


def write_pair(tmp_path, text: str, ann: str, name: str = "doc"):
    (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (tmp_path / f"{name}.ann").write_text(ann, encoding="utf-8", newline="")
    return tmp_path / f"{name}.txt"


def test_reads_text_bound_spans_notes_relations_and_flattens_events(corpus):
    warnings: list[str] = []
    [record] = brat.read(corpus / "brat" / "tutorials" / "news" / "110-note_annotation.ann", warn=warnings.append)
    assert record.source.endswith("110-note_annotation.txt")
    by_label = {}
    for span in record.spans:
        assert record.text[span.start : span.end] == span.text
        by_label.setdefault(span.label, []).append(span)
    assert by_label["GPE"][0].note == "Should fictional places be annotated?"
    assert len(record.spans) == 14
    family = [r for r in record.relations if r.type == "Family"]
    assert [(record.spans[r.head].text, record.spans[r.child].text) for r in family] == [
        ("Orville Wright", "Wilbur Wright"), ("Orville Wright", "Wilbur Wright")]
    assert family[0].note == "Should this be marked? It's not explicitly stated."
    assert sorted(r.type for r in record.relations if r.type != "Family") == ["Org-Arg"] * 6
    assert len(warnings) == 2
    assert "2 event(s) flattened into relations" in warnings[0]
    assert "skipped 1 note on an event or attribute line(s)" in warnings[1]


def test_either_file_of_a_pair_or_a_directory(tmp_path):
    write_pair(tmp_path, "Ana", "T1\tperson 0 3\tAna\n", "a")
    write_pair(tmp_path, "Ben", "T1\tperson 0 3\tBen\n", "b")
    assert [r.text for r in brat.read(tmp_path / "a.ann")] == ["Ana"]
    assert [r.text for r in brat.read(tmp_path)] == ["Ana", "Ben"]


def test_fragments_across_newlines_join_into_one_span(tmp_path):
    path = write_pair(tmp_path, "New\nYork", "T1\tGPE 0 3;4 8\tNew York\n")
    [record] = brat.read(path)
    [span] = record.spans
    assert (span.start, span.end, span.text) == (0, 8, "New\nYork")


def test_discontinuous_span_is_refused(tmp_path):
    path = write_pair(tmp_path, "New and York", "T1\tGPE 0 3;8 12\tNew York\n")
    with pytest.raises(FormatError, match=r"doc.ann:1: T1 is a discontinuous span \(0 3;8 12\)"):
        list(brat.read(path))


def test_text_field_must_match(tmp_path):
    path = write_pair(tmp_path, "Ana", "\nT1\tperson 0 3\tAnn\n")
    with pytest.raises(FormatError, match=r"doc.ann:2: T1 text 'Ann' does not match the document \('Ana'\)"):
        list(brat.read(path))


def test_unknown_line_kind_is_an_error(tmp_path):
    path = write_pair(tmp_path, "Ana", "X1\tsomething\n")
    with pytest.raises(FormatError, match=r"doc.ann:1: not a brat annotation line"):
        list(brat.read(path))


def test_missing_text_file_is_an_error(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tperson 0 3\tAna\n")
    with pytest.raises(FormatError, match="lonely.ann: no text file lonely.txt beside it"):
        list(brat.read(tmp_path / "lonely.ann"))


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 8), (3, 5), (2, 4), (3, 4), (4, 10), (0, 13)],
    ids=["inside", "newline-first", "newline-last", "newline-only", "blank-line", "everything"],
)
def test_written_fragments_read_back_to_the_same_span(tmp_path, start, end):
    text = "New\nYork\n\nCity"
    record = DocumentRecord(text=text, id="d", spans=[SpanRecord(start, end, "GPE", text[start:end])])
    brat.write([record], tmp_path)
    ann = (tmp_path / "d.ann").read_text(encoding="utf-8")
    assert ann.count("\n") == 1  # one T line, whatever the newlines inside the span
    [back] = brat.read(tmp_path / "d.txt")
    [span] = back.spans
    assert (span.start, span.end, span.text) == (start, end, text[start:end])


def test_write_notes_dedupes_and_config(tmp_path):
    record = DocumentRecord(
        text="Ana runs", id="abc",
        spans=[SpanRecord(0, 3, "person", "Ana", note="line one\nline two", annotator="a"),
               SpanRecord(0, 3, "person", "Ana", annotator="b"),
               SpanRecord(0, 3, "person", "Ana", annotator="c"),
               SpanRecord(0, 8, "claim", "Ana runs", annotator="a")],
    )
    brat.write([record], tmp_path / "out")
    assert (tmp_path / "out" / "abc.txt").read_text() == "Ana runs"
    assert (tmp_path / "out" / "abc.ann").read_text() == (
        "T1\tperson 0 3\tAna\n#1\tAnnotatorNotes T1\tline one\\nline two\n#2\tAnnotator T1\ta\n"
        "T2\tperson 0 3\tAna\n#3\tAnnotator T2\tb\n#4\tAnnotator T2\tc\n"
        "T3\tclaim 0 8\tAna runs\n#5\tAnnotator T3\ta\n"
    )
    conf = (tmp_path / "out" / "annotation.conf").read_text()
    assert conf.startswith("[entities]\nperson\nclaim\n")
