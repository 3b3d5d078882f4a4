"""Telling a file's format by its content when its name does not say: names margin
writes itself with ``-o`` (``out.prodigy``), and another tool's JSON lines saved as
``.txt``. What each file holds is read here with plain ``json``, not margin's readers."""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from transfer_support import span_set, texts

from margin.store import formats
from margin.store.db import open_database
from margin.tui.cli import cli

Span = tuple[str, int, int, str]
PRODIGY = "prodigy-recipes/annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
DOCCANO = "doccano/export_sequence_labeling_example.jsonl"
LABEL_STUDIO_TASK = "label-studio/ls_editor_named_entity_annotation_1.json"
LABEL_STUDIO_EXPORT = "label-studio/label-studio-1.23.2-export.json"


def prodigy_spans(path: Path) -> set[Span]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        if task.get("answer") != "ignore":
            found.update((task["text"], s["start"], s["end"], s["label"]) for s in task.get("spans") or [])
    return found


def doccano_spans(path: Path) -> set[Span]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found.update((record["text"], s, e, label) for s, e, label in record["label"])
    return found


def label_studio_spans(path: Path) -> set[Span]:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    found = set()
    for task in tasks if isinstance(tasks, list) else [tasks]:
        for key in ("annotations", "completions", "predictions"):
            for annotation in task.get(key) or []:
                if isinstance(annotation, dict):
                    for result in annotation["result"]:
                        if result["type"] == "labels":
                            value = result["value"]
                            found.update(
                                (task["data"]["text"], value["start"], value["end"], label) for label in value["labels"]
                            )
    return found


def stored_spans(db_path: str | Path) -> set[Span]:
    db = open_database(db_path)
    try:
        text = texts(db)
        return {(text[doc_id], start, end, label) for doc_id, start, end, label, _ in span_set(db)}
    finally:
        db.close()


def run(db: str | Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "--annotator", "tester", *args])


@pytest.mark.parametrize(
    ("relative", "name", "expected", "read_theirs"),
    [
        (PRODIGY, "out.prodigy", "prodigy", prodigy_spans),
        (DOCCANO, "spans.doccano", "doccano", doccano_spans),
        (LABEL_STUDIO_TASK, "task.ls", "label-studio", label_studio_spans),
        (LABEL_STUDIO_EXPORT, "export.ls", "label-studio", label_studio_spans),
        (PRODIGY, "headlines", "prodigy", prodigy_spans),
    ],
)
def test_unknown_names_are_read_by_content(db_location, tmp_path, corpus, relative, name, expected, read_theirs):
    path = tmp_path / name
    shutil.copyfile(corpus / relative, path)
    assert formats.detect(path) == expected
    result = run(db_location, "import", str(path))
    assert result.exit_code == 0, result.output
    theirs = read_theirs(corpus / relative)
    assert len(theirs) > 0
    assert stored_spans(db_location) == theirs


def test_json_lines_saved_as_txt_import_as_their_format_with_a_warning(places, tmp_path, corpus):
    path = tmp_path / "headlines.txt"
    shutil.copyfile(corpus / PRODIGY, path)
    warnings: list[str] = []
    assert formats.detect(path, warn=warnings.append) == "prodigy"
    assert warnings == [
        f"{path}: holds prodigy JSON, not plain text; imported as prodigy (give --format text to import it as text)"
    ]
    result = run(places("m"), "import", str(path))
    assert result.exit_code == 0, result.output
    expected = prodigy_spans(corpus / PRODIGY)
    assert stored_spans(places("m")) == expected
    assert f"{len(expected)} span(s) added" in result.stdout
    assert "holds prodigy JSON, not plain text" in result.stderr
    # Asked for, it is still one plain-text article.
    result = run(places("text"), "import", str(path), "--format", "text")
    assert result.exit_code == 0 and "1 document(s) added" in result.stdout


def test_margin_export_under_its_own_name_imports_again(places, tmp_path, corpus):
    assert run(places("m"), "import", str(corpus / DOCCANO)).exit_code == 0
    backup = tmp_path / "backup.margin"
    assert run(places("m"), "export", "-o", str(backup)).exit_code == 0
    assert formats.detect(backup) == "margin"
    result = run(places("again"), "import", str(backup))
    assert result.exit_code == 0, result.output
    assert stored_spans(places("again")) == doccano_spans(corpus / DOCCANO)


def test_byte_order_mark_and_blank_lines_before_the_json(tmp_path, corpus):
    path = tmp_path / "out.prodigy"
    path.write_bytes(codecs.BOM_UTF8 + b"\n  \n" + (corpus / PRODIGY).read_bytes())
    assert formats.detect(path) == "prodigy"


def test_text_that_only_looks_like_json_stays_text(tmp_path, corpus):
    prose = tmp_path / "braces.txt"
    prose.write_text("{braces} open this article, which is prose.\n", encoding="utf-8")
    listing = tmp_path / "list.md"
    listing.write_text("[a link](https://example.org) starts this note.\n", encoding="utf-8")
    unknown_json = tmp_path / "settings.txt"
    unknown_json.write_text('{"colour": "blue"}\n', encoding="utf-8")
    for path in (prose, listing, unknown_json, corpus / "bbc-news" / "sport" / "199.txt"):
        warnings: list[str] = []
        assert formats.detect(path, warn=warnings.append) == "text", path
        assert warnings == []


def test_unknown_names_that_are_not_json_are_still_refused(db_location, tmp_path, corpus):
    path = tmp_path / "notes.prodigy"
    shutil.copyfile(corpus / "measeval" / "train" / "tsv" / "S0006322312001096-1136.tsv", path)
    json_lines = tmp_path / "spans.prodigy"
    shutil.copyfile(corpus / PRODIGY, json_lines)
    assert formats.detect(path) is None
    result = run(db_location, "import", str(path), str(json_lines))
    assert result.exit_code == 1
    assert f"{path}: no format reads this kind of file" in result.stderr
    assert "1 file(s) imported" in result.stdout and "1 file(s) failed" in result.stdout
