"""doccano export and import keep annotators, notes and metadata.

The layout checked is the one doccano's own JSONL export writes (backend
data_export: an example's ``id`` and metadata spread at the top level beside
``text``, spans as ``[start, end, label]`` under ``label``, ``Comments`` as a list
of strings, or of ``{"id", "comment"}`` objects for relation projects)."""

from __future__ import annotations

import json

from transfer_support import export_text

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels


def rows(db) -> set[tuple]:
    return set(db.execute(
        'select d.text, a.start, a."end", a.label, a.annotator, a.note from annotations a '
        "join documents d on d.id = a.doc_id where a.deleted_at is null"
    ).fetchall())


def metas(db) -> dict[str, str]:
    return dict(db.execute("select text, meta from documents").fetchall())


def filled(db):
    ensure_labels(db, ["person", "claim"])
    doc, _ = add_document(db, "Ana said no.", meta={"wikiPageID": 7, "text": "a clash", "meta": {"deep": 1}})
    add_document(db, "Nobody annotated this.", meta={"wikiPageID": 8})
    add_annotation(db, doc.id, 0, 3, "person", annotator="ana", note="the speaker")
    add_annotation(db, doc.id, 0, 3, "person", annotator="ben", note="sure?\nsecond line")
    add_annotation(db, doc.id, 0, 12, "claim", annotator="ben")
    return db


def test_one_line_per_document_and_annotator_with_notes_as_comments(fresh_db):
    lines = [json.loads(line) for line in export_text(filled(fresh_db), "doccano").splitlines()]
    assert lines == [
        {"text": "Ana said no.", "wikiPageID": 7, "meta": {"text": "a clash", "meta": {"deep": 1}},
         "label": [[0, 3, "person"]], "Comments": ['[0, 3, "person"] the speaker'], "annotator": "ana"},
        {"text": "Ana said no.", "wikiPageID": 7, "meta": {"text": "a clash", "meta": {"deep": 1}},
         "label": [[0, 12, "claim"], [0, 3, "person"]], "Comments": ['[0, 3, "person"] sure?\nsecond line'],
         "annotator": "ben"},
        {"text": "Nobody annotated this.", "wikiPageID": 8, "label": []},
    ]


def test_annotators_notes_and_meta_come_back(fresh_db, tmp_path):
    db = filled(fresh_db)
    path = tmp_path / "d.jsonl"
    path.write_text(export_text(db, "doccano"), encoding="utf-8")
    again = open_database(tmp_path / "again.db")
    report = import_paths(again, [path], annotator="someone-else")
    assert report.ok, report.failed
    assert rows(again) == rows(db)
    assert len(rows(again)) == 3
    assert metas(again) == metas(db)


def test_doccano_export_with_comments_imports(fresh_db, tmp_path):
    path = tmp_path / "all.jsonl"
    lines = [
        {"id": 12, "text": "EU rejects German call.", "wikiPageID": 3, "label": [[0, 2, "ORG"], [11, 17, "MISC"]],
         "Comments": ['[11, 17, "MISC"] nationality, not a language', "check the whole example"]},
        {"id": 13, "text": "Google was founded.", "entities": [{"id": 1, "label": "ORG", "start_offset": 0,
         "end_offset": 6}], "relations": [], "Comments": [{"id": 4, "comment": '[0, 6, "ORG"] the company'}]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = import_paths(fresh_db, [path], annotator="ana")
    assert report.ok, report.failed
    assert rows(fresh_db) == {
        ("EU rejects German call.", 0, 2, "ORG", "ana", ""),
        ("EU rejects German call.", 11, 17, "MISC", "ana", "nationality, not a language"),
        ("Google was founded.", 0, 6, "ORG", "ana", "the company"),
    }
    assert {text: json.loads(meta) for text, meta in metas(fresh_db).items()} == {
        "EU rejects German call.": {"id": 12, "wikiPageID": 3, "Comments": ["check the whole example"]},
        "Google was founded.": {"id": 13},
    }
    # The comment that names no span goes back out as a comment, not as metadata.
    [first, second] = [json.loads(line) for line in export_text(fresh_db, "doccano").splitlines()]
    assert first["Comments"] == ['[11, 17, "MISC"] nationality, not a language', "check the whole example"]
    assert "meta" not in first and first["id"] == 12 and first["wikiPageID"] == 3
    assert second["Comments"] == ['[0, 6, "ORG"] the company']


def test_legacy_meta_object_is_not_nested(fresh_db, corpus):
    report = import_paths(fresh_db, [corpus / "doccano" / "v0_2019_tests_labeling_labels_key.jsonl"], annotator="a")
    assert report.ok, report.failed
    line = json.loads(export_text(fresh_db, "doccano").splitlines()[0])
    assert line["wikiPageID"] == 1 and "meta" not in line


CLAIMED_META = {
    "answer": "Paris", "_input_hash": 1, "_task_hash": 2, "spans": [{"start": 0}],  # Prodigy's keys
    "data": {"text": "another text"},  # Label Studio's
    "id": 5, "title": "T", "source": "s",  # margin's, with "spans" and "meta"
    "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",  # W3C's
    "entities": "not spans", "plain": True,
}


def test_meta_keys_that_detection_reads_stay_nested_and_come_back(fresh_db, tmp_path):
    ensure_labels(fresh_db, ["person"])
    doc, _ = add_document(fresh_db, "Ana said no.", meta=CLAIMED_META)
    add_annotation(fresh_db, doc.id, 0, 3, "person", annotator="ana", note="the speaker")
    exported = export_text(fresh_db, "doccano")
    [line] = [json.loads(text) for text in exported.splitlines()]
    assert line["meta"] == {key: value for key, value in CLAIMED_META.items() if key not in ("id", "title", "source",
                                                                                              "plain")}
    assert (line["id"], line["title"], line["source"], line["plain"]) == (5, "T", "s", True)
    path = tmp_path / "d.jsonl"
    path.write_text(exported, encoding="utf-8")
    again = open_database(tmp_path / "again.db")
    report = import_paths(again, [path], annotator="someone-else")
    assert report.ok, report.failed
    assert rows(again) == {("Ana said no.", 0, 3, "person", "ana", "the speaker")}
    assert json.loads(metas(again)["Ana said no."]) == CLAIMED_META
    again.close()
