"""import_paths and `margin import`: walking directories, content ids, span
dedupe, annotators, CRLF offsets, margin's upsert by id, and per-file atomicity."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from transfer_support import counts, export_to, span_set

from margin.store.annotations import query_annotations, update_annotation
from margin.store.db import open_database
from margin.store.documents import document_row
from margin.store.errors import MarginError
from margin.store.importing import import_paths
from margin.store.labels import list_labels
from margin.tui.cli import cli


def jsonl(path, *records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def test_directory_walk_skips_hidden_and_unclaimed_files(fresh_db, tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b.txt").write_text("Second article")
    (root / "sub" / "a.md").write_text("# First\n\nBody")
    (root / ".hidden.txt").write_text("hidden")
    (root / ".git" / "c.txt").write_text("in a hidden folder")
    (root / "notes.tsv").write_text("a\tb")
    (root / "pair.txt").write_text("Ana")
    (root / "pair.ann").write_text("T1\tperson 0 3\tAna\n")
    (root / "annotation.conf").write_text("[entities]\nperson\n")
    report = import_paths(fresh_db, [root], annotator="ana")
    assert report.ok
    assert [result.path for result in report.files] == [str(root / "b.txt"), str(root / "pair.txt"), str(root / "sub" / "a.md")]
    assert [result.format for result in report.files] == ["text", "brat", "text"]
    assert report.skipped == [str(root / "notes.tsv")]
    titles = {row[0] for row in fresh_db.execute("select title from documents")}
    assert titles == {"Second article", "Ana", "First"}
    assert span_set(fresh_db) == {(document_row("Ana")["id"], 0, 3, "person", "Ana")}


def test_reimport_adds_nothing(fresh_db, corpus):
    paths = [corpus / "brat" / "tutorials" / "news", corpus / "prodigy-recipes" / "bio_events.jsonl"]
    first = import_paths(fresh_db, paths, annotator="ana")
    assert first.ok and first.documents_added > 100 and first.spans_added > 500
    before = counts(fresh_db)
    again = import_paths(fresh_db, paths, annotator="ana")
    assert again.ok
    assert again.documents_added == 0 and again.spans_added == 0
    assert again.documents_present == first.documents_added + first.documents_present
    assert again.spans_present == first.spans_added + first.spans_present
    assert counts(fresh_db) == before


def test_same_spans_by_another_annotator_are_kept(fresh_db, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", {"text": "Ana", "label": [[0, 3, "person"]]})
    import_paths(fresh_db, [path], annotator="ana")
    report = import_paths(fresh_db, [path], annotator="ben")
    assert report.spans_added == 1
    assert sorted(a.annotator for a in query_annotations(fresh_db)) == ["ana", "ben"]


def test_duplicate_spans_in_one_file_are_stored_once(fresh_db, corpus):
    report = import_paths(fresh_db, [corpus / "doccano" / "tests_sequence_labeling_overlapping.jsonl"], annotator="a")
    assert (report.spans_added, report.spans_present) == (1, 1)


def test_annotators_named_by_the_file_win(fresh_db, tmp_path):
    prodigy = jsonl(tmp_path / "p.jsonl", {"text": "Ana", "_annotator_id": "pro", "spans": [{"start": 0, "end": 3, "label": "person"}]})
    studio = tmp_path / "s.json"
    studio.write_text(json.dumps({"data": {"text": "Ben"}, "annotations": [{"completed_by": 4, "result": [
        {"type": "labels", "value": {"start": 0, "end": 3, "labels": ["person"]}}]}]}))
    plain = jsonl(tmp_path / "d.jsonl", {"text": "Cy", "label": [[0, 2, "person"]]})
    assert import_paths(fresh_db, [prodigy, studio, plain], annotator="default").ok
    assert sorted((a.quote, a.annotator) for a in query_annotations(fresh_db)) == [
        ("Ana", "pro"), ("Ben", "4"), ("Cy", "default"),
    ]
    assert {a.origin for a in query_annotations(fresh_db)} == {"import"}


def test_unknown_labels_are_created(fresh_db, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", {"text": "Ana in Oslo", "label": [[0, 3, "PER"], [7, 11, "LOC"]]})
    report = import_paths(fresh_db, [path], annotator="a")
    assert report.labels_created == ["LOC", "PER"]
    assert [label.name for label in list_labels(fresh_db)][-2:] == ["LOC", "PER"]


def test_label_with_spaces_is_refused(fresh_db, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", {"text": "Ana", "label": [[0, 3, "Named Person"]]})
    report = import_paths(fresh_db, [path], annotator="a")
    assert report.failed == [f"{path}:1: label name 'Named Person' must be one word without spaces"]


def test_crlf_text_is_stored_with_lf_and_offsets_follow(fresh_db, tmp_path):
    text = "Title\r\n\r\nAna met Ben.\r\nThen 40% left."
    start = text.index("Ben")
    stat = text.index("40%")
    crossing = (text.index("met"), text.index("Then") + 4)
    path = jsonl(tmp_path / "a.jsonl", {"text": text, "label": [
        [start, start + 3, "person"], [stat, stat + 3, "statistic"], [*crossing, "claim"]]})
    (tmp_path / "b.txt").write_bytes(b"Plain\r\nfile\rold mac\r\n")
    assert import_paths(fresh_db, [path, tmp_path / "b.txt"], annotator="a").ok
    stored = document_row(text)["text"]
    assert "\r" not in stored
    assert {(a.quote, a.label) for a in query_annotations(fresh_db)} == {
        ("Ben", "person"), ("40%", "statistic"), ("met Ben.\nThen", "claim"),
    }
    for annotation in query_annotations(fresh_db):
        assert stored[annotation.start : annotation.end] == annotation.quote
    assert fresh_db.execute("select text from documents where title = 'Plain'").fetchone()[0] == "Plain\nfile\nold mac\n"


def test_brat_offsets_into_a_crlf_text(fresh_db, tmp_path):
    (tmp_path / "d.txt").write_bytes(b"One\r\nAna Smith\r\n")
    (tmp_path / "d.ann").write_bytes(b"T1\tperson 5 14\tAna Smith\r\n")
    assert import_paths(fresh_db, [tmp_path / "d.txt"], annotator="a").ok
    [annotation] = query_annotations(fresh_db)
    assert (annotation.start, annotation.end, annotation.quote) == (4, 13, "Ana Smith")


def test_margin_export_reimports_unchanged_and_newer_edits_win(fresh_db, tmp_path, seed_text):
    from margin.store.annotations import add_annotation
    from margin.store.documents import add_document

    document, _ = add_document(fresh_db, seed_text, title="Seed")
    first = add_annotation(fresh_db, document.id, 0, 10, "claim", annotator="ana", note="n")
    add_annotation(fresh_db, document.id, 5, 15, "person", annotator="ben")
    exported = export_to(fresh_db, tmp_path, "margin")
    report = import_paths(fresh_db, [exported], annotator="x")
    assert (report.spans_added, report.spans_present, report.spans_updated) == (0, 2, 0)

    other = open_database(tmp_path / "other.db")
    import_paths(other, [exported], annotator="x")
    assert [(a.id, a.note, a.annotator, a.created_at, a.updated_at) for a in query_annotations(other)] == [
        (a.id, a.note, a.annotator, a.created_at, a.updated_at) for a in query_annotations(fresh_db)
    ]
    update_annotation(other, first.id, note="edited later")
    (tmp_path / "newer").mkdir()
    newer = export_to(other, tmp_path / "newer", "margin")
    report = import_paths(fresh_db, [newer], annotator="x")
    assert (report.spans_added, report.spans_updated) == (0, 1)
    assert {a.id: a.note for a in query_annotations(fresh_db)}[first.id] == "edited later"
    report = import_paths(fresh_db, [exported], annotator="x")
    assert report.spans_updated == 0
    assert {a.id: a.note for a in query_annotations(fresh_db)}[first.id] == "edited later"


def test_a_bad_file_rolls_back_alone(fresh_db, tmp_path):
    good = jsonl(tmp_path / "1-good.jsonl", {"text": "Good one", "label": [[0, 4, "claim"]]})
    records = [{"text": f"Article {n}", "label": [[0, 7, "claim"]]} for n in range(1200)]
    records.append({"text": "short", "label": [[0, 99, "claim"]]})
    bad = jsonl(tmp_path / "2-bad.jsonl", *records)
    also_good = tmp_path / "3-good.txt"
    also_good.write_text("Another")
    report = import_paths(fresh_db, [tmp_path], annotator="a")
    assert report.failed == [f"{bad}:1201: claim span: span 0–99 is out of range for a text of 5 characters"]
    assert [r.path for r in report.files] == [str(good), str(also_good)]
    assert counts(fresh_db)[:2] == (2, 1)


def test_progress_reports_every_file(fresh_db, tmp_path):
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(f"Article number {n}")
    events = []
    import_paths(fresh_db, [tmp_path], annotator="a", progress=events.append)
    final = events[-1]
    assert (final.files_done, final.files_total, final.documents) == (3, 3, 3)
    assert final.bytes_done == final.bytes_total == sum(p.stat().st_size for p in tmp_path.glob("*.txt"))


def test_missing_path_is_a_failure(fresh_db, tmp_path):
    report = import_paths(fresh_db, [tmp_path / "nope.txt"], annotator="a")
    assert report.failed == [f"{tmp_path / 'nope.txt'}: no such file or directory"]


def test_forced_format_applies_to_a_file_of_any_name(fresh_db, tmp_path):
    path = tmp_path / "data.txt"
    path.write_text(json.dumps({"text": "Ana", "label": [[0, 3, "person"]]}))
    report = import_paths(fresh_db, [path], format="doccano", annotator="a")
    assert report.ok and report.spans_added == 1


def test_read_only_database_refuses_imports(db_path, tmp_path):
    open_database(db_path).close()
    db = open_database(db_path, readonly=True)
    with pytest.raises(MarginError, match="read-only; importing needs write access"):
        import_paths(db, [tmp_path], annotator="a")


def test_cli_import_summary_and_annotator(tmp_path, corpus):
    runner = CliRunner()
    db = tmp_path / "cli.db"
    result = runner.invoke(cli, ["--db", str(db), "--annotator", "global", "import",
                                 str(corpus / "doccano" / "export_sequence_labeling_example.jsonl")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "1 file(s) imported; 3 document(s) added, 0 already present; 4 span(s) added, 0 already present; "
        "new labels: MISC, ORG, PERSON"
    )
    result = runner.invoke(cli, ["--db", str(db), "--annotator", "global", "import", "--annotator", "own",
                                 str(corpus / "doccano" / "export_sequence_labeling_example.jsonl")])
    assert result.stdout.strip() == (
        "1 file(s) imported; 0 document(s) added, 3 already present; 4 span(s) added, 0 already present"
    )
    annotators = {a.annotator for a in query_annotations(open_database(db))}
    assert annotators == {"global", "own"}


def test_cli_import_failure_exits_non_zero(tmp_path, corpus):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "cli.db"), "import",
                                      str(corpus / "doccano" / "tests_sequence_labeling_example.jsonl"),
                                      str(corpus / "doccano" / "export_sequence_labeling_example.jsonl")])
    assert result.exit_code == 1
    assert "failed: " in result.stderr and "tests_sequence_labeling_example.jsonl:3: record has no" in result.stderr
    assert "1 file(s) imported; 3 document(s) added" in result.stdout
    assert "1 file(s) failed" in result.stdout


def test_cli_doccano_column_options(tmp_path, corpus):
    path = corpus / "doccano" / "import_sequence_labeling_example_custom_columns.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "import", str(path), "--text-key", "column_data"])
    assert result.exit_code == 2 and "--text-key and --label-key apply to --format doccano" in result.output
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "import", str(path), "--format", "doccano",
                                 "--text-key", "column_data", "--label-key", "column_label"])
    assert result.exit_code == 0, result.output
    assert "3 document(s) added, 0 already present; 3 span(s) added" in result.stdout


def test_cli_help_has_examples():
    runner = CliRunner()
    for command in ("import", "export"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output and f"margin {command}" in result.output


def test_imported_documents_are_searchable_and_listed_in_order(fresh_db, tmp_path):
    from margin.store.documents import search_documents

    path = jsonl(tmp_path / "a.jsonl", {"text": "Zebras crossed the river"}, {"text": "Ana"},
                 {"text": "Zebras crossed the river"})
    report = import_paths(fresh_db, [path], annotator="a")
    [result] = report.files
    zebra, ana = document_row("Zebras crossed the river")["id"], document_row("Ana")["id"]
    assert result.document_ids == [zebra, ana]
    assert (result.documents_added, result.documents_present) == (2, 1)
    assert search_documents(fresh_db, "zebras") == [zebra]


def test_html_import(fresh_db, tmp_path):
    from test_formats_html import PAGE

    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    report = import_paths(fresh_db, [tmp_path], annotator="a")
    assert report.ok and report.files[0].format == "html"
    title, text = fresh_db.execute("select title, text from documents").fetchone()
    assert title == "Migrants cross the Darien Gap" and "500,000 people" in text


def test_cli_encoding_option(tmp_path):
    path = tmp_path / "greek.txt"
    path.write_bytes("Καλημέρα κόσμε".encode("iso-8859-7"))
    db = tmp_path / "g.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(path), "--encoding", "iso-8859-7"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert open_database(db).execute("select text from documents").fetchone()[0] == "Καλημέρα κόσμε"


def test_records_with_empty_text_are_left_out_with_a_warning(fresh_db, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", {"text": "One"}, {"text": ""}, {"text": "Two"})
    report = import_paths(fresh_db, [path], annotator="a")
    assert report.ok and report.documents_added == 2
    assert report.warnings == [f"{path}:2: empty text; this record was left out"]


def test_a_pipe_imports_with_progress_shown(fresh_db, tmp_path):
    """`cat spans.jsonl | margin import /dev/stdin --format prodigy`: a pipe has no
    position to report progress from, which must not fail the import."""
    import os
    import threading

    fifo = tmp_path / "stdin"
    os.mkfifo(fifo)
    line = json.dumps({"text": "Ana said yes.", "spans": [{"start": 0, "end": 3, "label": "person"}]})
    writer = threading.Thread(target=lambda: fifo.write_text(line + "\n", encoding="utf-8"))
    writer.start()
    events = []
    report = import_paths(fresh_db, [fifo], format="prodigy", annotator="ana", progress=events.append)
    writer.join()
    assert report.ok, report.failed
    assert [(a.quote, a.label) for a in query_annotations(fresh_db)] == [("Ana", "person")]
    assert events[-1].documents == 1
