"""Real files from other tools and real articles: they import, and what they hold
comes back out, in their format and in margin's, without an offset moving."""

from __future__ import annotations

import json
from pathlib import Path

from transfer_support import export_to, reimport, span_set, texts

from margin.store.db import open_database
from margin.store.documents import document_row
from margin.store.importing import import_paths

Span = tuple[str, int, int, str, str]  # (text, start, end, label, quote)


def quoted(text: str, start: int, end: int, label: str) -> Span:
    return (text, start, end, label, text[start:end])


def prodigy_spans(path: Path) -> set[Span]:
    """What a Prodigy file says, read without margin's code: ignored answers hold nothing."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        if task.get("answer") == "ignore":
            continue
        for span in task.get("spans") or []:
            found.add(quoted(task["text"], span["start"], span["end"], span["label"]))
    return found


def doccano_spans(path: Path, text_key: str = "text", label_key: str | None = None) -> set[Span]:
    content = path.read_text(encoding="utf-8")
    try:
        records = [json.loads(line) for line in content.splitlines() if line.strip()]
    except json.JSONDecodeError:
        records = [json.loads(content)]
    found = set()
    for record in records:
        for key in [label_key] if label_key else ["label", "labels", "entities", "annotations"]:
            for item in record.get(key) or []:
                if isinstance(item, list):
                    start, end, label = item
                else:
                    start, end, label = item["start_offset"], item["end_offset"], item["label"]
                found.add(quoted(record[text_key], start, end, str(label)))
    return found


def label_studio_spans(path: Path) -> set[Span]:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    found = set()
    for task in tasks if isinstance(tasks, list) else [tasks]:
        for key in ("annotations", "completions", "predictions"):
            for annotation in task.get(key) or []:
                if not isinstance(annotation, dict):
                    continue  # a server's export lists predictions by id
                for result in annotation["result"]:
                    if result["type"] == "labels":
                        value = result["value"]
                        for label in value["labels"]:
                            found.add(quoted(task["data"]["text"], value["start"], value["end"], label))
    return found


def brat_spans(folder: Path) -> set[Span]:
    found = set()
    for ann in sorted(folder.rglob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").split("\n"):
            if line.startswith("T"):
                _, head, quote = line.split("\t")
                label, start, end = head.split(" ")
                span = quoted(text, int(start), int(end), label)
                assert span[4] == quote
                found.add(span)
    return found


def margin_spans(path: Path) -> set[Span]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for span in record["spans"]:
            found.add(quoted(record["text"], span["start"], span["end"], span["label"]))
            assert span["text"] == record["text"][span["start"] : span["end"]]
    return found


def round_trip(tmp_path: Path, sources: list[Path], format: str, read_theirs, expected: set[Span], **options) -> None:
    """Import the sources, then check their format's export, margin's export and a
    fresh database loaded from margin's export all hold exactly ``expected``."""
    db = open_database(tmp_path / "theirs.db")
    report = import_paths(db, sources, format=format, annotator="tester", **options)
    assert report.ok, report.failed
    assert len(expected) > 0
    theirs = export_to(db, tmp_path, format)
    assert read_theirs(theirs) == expected
    ours = export_to(db, tmp_path, "margin", status="accepted" if format in ("doccano", "brat") else None)
    assert margin_spans(ours) == expected
    again = reimport(export_to(db, tmp_path, "margin"), tmp_path, "margin")
    assert texts(again) == texts(db)
    assert span_set(again) == span_set(db)
    assert [row for row in again.execute("select id, annotator, status, note, created_at, updated_at from annotations order by id")] == [
        row for row in db.execute("select id, annotator, status, note, created_at, updated_at from annotations order by id")
    ]


def test_prodigy_recipes_round_trip(tmp_path, corpus):
    folder = corpus / "prodigy-recipes"
    files = sorted(folder.glob("*.jsonl"))
    expected = set().union(*(prodigy_spans(path) for path in files))
    round_trip(tmp_path, files, "prodigy", prodigy_spans, expected)


def test_doccano_round_trip(tmp_path, corpus):
    folder = corpus / "doccano"
    files = [folder / name for name in (
        "export_sequence_labeling_example.jsonl", "import_relation_extraction_example.jsonl",
        "export_relation_extraction_example_prettyprinted.json", "tests_sequence_labeling_overlapping.jsonl",
        "v0_2019_download_sequence_labeling_annotations.jsonl", "v0_2019_tests_labeling_labels_key.jsonl",
        "tutorial_books_multilingual.jsonl",
    )]
    expected = set().union(*(doccano_spans(path) for path in files))
    round_trip(tmp_path, files, "doccano", doccano_spans, expected)


def test_doccano_custom_columns_round_trip(tmp_path, corpus):
    path = corpus / "doccano" / "import_sequence_labeling_example_custom_columns.jsonl"
    expected = doccano_spans(path, "column_data", "column_label")
    round_trip(tmp_path, [path], "doccano", doccano_spans, expected,
               reader_options={"text_key": "column_data", "label_key": "column_label"})


def test_label_studio_round_trip(tmp_path, corpus):
    files = sorted((corpus / "label-studio").glob("*.json"))
    expected = set().union(*(label_studio_spans(path) for path in files))
    server = label_studio_spans(corpus / "label-studio" / "label-studio-1.23.2-export.json")
    # the two named_entity files hold the same span; a real server's export adds its own
    assert len(server) == 54 and len(expected) == 1 + 1 + 38 - 1 + 54 - 1
    round_trip(tmp_path, files, "label-studio", label_studio_spans, expected)


def test_brat_round_trip(tmp_path, corpus):
    folder = corpus / "brat"
    expected = brat_spans(folder)
    round_trip(tmp_path, [folder], "brat", brat_spans, expected)


def test_bbc_news_imports_every_article(fresh_db, corpus):
    folder = corpus / "bbc-news"
    articles = sorted(folder.rglob("*.txt"))
    assert len(articles) == 2225
    report = import_paths(fresh_db, articles, annotator="tester")
    assert report.ok, report.failed[:3]
    assert len(report.files) == 2225
    assert report.documents_added + report.documents_present == 2225
    assert report.documents_added == len({document_row(p.read_bytes().decode("utf-8", "replace"))["id"] for p in articles})
    latin = folder / "sport" / "199.txt"
    assert report.warnings == [f"{latin}: not UTF-8 (byte 0xa3 at byte offset 257); read as cp1252"]
    stored = fresh_db.execute("select text from documents where source = ?", [str(latin)]).fetchone()[0]
    assert stored == latin.read_bytes().decode("cp1252") and "£" in stored


def test_gutenberg_books(fresh_db, corpus):
    folder = corpus / "gutenberg"
    utf8 = folder / "pg2600_war_and_peace.utf8.txt"
    cp1252 = folder / "pg2600_war_and_peace.cp1252.txt"
    swann = folder / "pg7178_swanns_way.utf8.txt"
    report = import_paths(fresh_db, [utf8, cp1252, swann], annotator="tester")
    assert report.ok
    assert (report.documents_added, report.documents_present) == (2, 1)
    assert report.warnings == [f"{cp1252}: not UTF-8 (byte 0x93 at byte offset 0); read as cp1252"]
    lengths = dict(fresh_db.execute("select source, length(text) from documents").fetchall())
    assert lengths == {str(utf8): 3_201_582, str(swann): len(swann.read_text(encoding="utf-8"))}
