"""Versions where they are easy to get wrong: an export imported again, a merge of two
copies that numbered versions differently, links made on an old version in another
copy, the same span arriving twice, rejected suggestions, an ambiguous source."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from margin.store.annotations import add_annotation, update_annotation
from margin.store.attributes import set_attribute
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.merge import merge_databases
from margin.store.reanchor_review import review_items
from margin.store.relations import LIVE, add_relation
from margin.store.version_moves import add_version
from margin.store.versions import latest_id, lineage_of, superseded
from margin.tui.cli import cli

OLD = "The minister said 12,000 people crossed in May. Officials disagreed.\n\nJane Smith counted them.\n"
NEW = OLD.replace("12,000", "12,500")
NEWER = NEW.replace("Officials disagreed.", "Officials agreed.")


def run(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def mark(db, doc_id: str, text: str, quote: str, label: str) -> str:
    start = text.index(quote)
    return add_annotation(db, doc_id, start, start + len(quote), label, annotator="ana").id


def live(db) -> list[tuple]:
    return sorted(db.execute(
        'select doc_id, start, "end", label, annotator from annotations where deleted_at is null'
    ).fetchall())


def test_an_export_imported_again_with_update_links_nothing(tmp_path: Path, db_location: str) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        json.dumps({"text": "First article. Jane Smith said the count was wrong.\n",
                    "spans": [{"start": 15, "end": 25, "label": "person"}]}) + "\n"
        + json.dumps({"text": "Second article. Jane Smith said it would rain.\n",
                      "spans": [{"start": 16, "end": 26, "label": "person"}]}) + "\n",
        encoding="utf-8",
    )
    db_path = db_location
    assert run(db_path, "import", "--format", "margin", str(corpus)).exit_code == 0
    exported = tmp_path / "export.jsonl"
    assert run(db_path, "export", "-o", str(exported)).exit_code == 0
    result = run(db_path, "import", "--update", str(exported))
    assert result.exit_code == 0 and "version" not in result.stdout
    db = open_database(db_path)
    assert db.execute("select count(*) from document_versions").fetchone()[0] == 0
    assert [doc_id for doc_id, *_ in live(db)] != [live(db)[0][0]] * 2  # one span on each article


def test_a_merge_keeps_the_revision_one_copy_knows_as_the_newest(places) -> None:
    a_path = places("a")
    a = open_database(a_path)
    x, _ = add_document(a, OLD, source="s")
    mark(a, x.id, OLD, "Jane Smith", "person")
    a.close()
    b_path = places.copy(a_path, "b")
    b = open_database(b_path)
    z, _ = add_document(b, NEWER, source="s")
    add_version(b, x.id, z.id)  # B knows Z as version 2
    b.close()
    a = open_database(a_path)
    y, _ = add_document(a, NEW, source="s")
    add_version(a, x.id, y.id)
    z_in_a, _ = add_document(a, NEWER, source="s")
    add_version(a, y.id, z_in_a.id)  # A knows Z as version 3, after Y
    merge_databases(a, [b_path])
    assert latest_id(a, lineage_of(a, x.id)) == z.id
    assert {doc_id for doc_id, *_ in live(a)} == {z.id}
    a.close()


def test_a_link_and_a_value_made_on_the_old_version_elsewhere_follow_their_spans(places) -> None:
    a_path = places("a")
    a = open_database(a_path)
    v1, _ = add_document(a, OLD, source="s")
    claim = mark(a, v1.id, OLD, "Officials disagreed", "claim")
    person = mark(a, v1.id, OLD, "Jane Smith", "person")
    a.close()
    b_path = places.copy(a_path, "b")
    a = open_database(a_path)
    v2, _ = add_document(a, NEW, source="s")
    add_version(a, v1.id, v2.id)
    a.close()
    b = open_database(b_path)
    add_relation(b, claim, person, "said_by", annotator="ana")
    set_attribute(b, claim, "verdict", "false", annotator="ana")
    b.close()
    a = open_database(a_path)
    merge_databases(a, [b_path])
    assert a.execute(f"select doc_id from relations where {LIVE}").fetchall() == [(v2.id,)]
    assert a.execute("select doc_id from attributes where annotation_id = ?", [claim]).fetchall() == [(v2.id,)]
    a.close()


def test_a_file_of_the_old_version_imported_again_adds_no_second_copy(tmp_path: Path, db_location: str) -> None:
    db_path = db_location
    v1_file, v2_file = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    span = {"start": OLD.index("Jane"), "end": OLD.index("Jane") + 10, "label": "person"}
    v1_file.write_text(json.dumps({"text": OLD, "source": "https://news/a", "spans": [span]}) + "\n", encoding="utf-8")
    v2_file.write_text(json.dumps({"text": NEW, "source": "https://news/a", "spans": []}) + "\n", encoding="utf-8")
    assert run(db_path, "import", "--format", "margin", str(v1_file)).exit_code == 0
    assert "version 2" in run(db_path, "import", "--format", "margin", "--update", str(v2_file)).stdout
    again = run(db_path, "import", "--format", "margin", str(v1_file))
    assert "0 span(s) added, 1 already present" in again.stdout
    assert run(db_path, "reanchor").exit_code == 0
    db = open_database(db_path)
    assert len(live(db)) == 1
    db.close()


def test_a_span_moved_onto_a_version_that_already_has_it_is_not_doubled(fresh_db) -> None:
    db = fresh_db
    v1, _ = add_document(db, OLD)
    v2, _ = add_document(db, NEW)
    mark(db, v1.id, OLD, "Jane Smith", "person")
    mark(db, v2.id, NEW, "Jane Smith", "person")
    noted = mark(db, v1.id, OLD, "minister", "person")
    update_annotation(db, noted, note="check the title")
    mark(db, v2.id, NEW, "minister", "person")
    _, report = add_version(db, v1.id, v2.id)
    assert report.duplicates == 1
    assert [row[3] for row in live(db)].count("person") == 3  # the noted copy is kept beside the other
    db.close()


def test_an_export_of_the_old_version_imports_again_as_present(tmp_path: Path, db_location: str) -> None:
    db_path = db_location
    article = tmp_path / "a.txt"
    article.write_text(OLD, encoding="utf-8")
    assert run(db_path, "import", str(article)).exit_code == 0
    db = open_database(db_path)
    (doc_id,) = db.execute("select id from documents").fetchone()
    mark(db, doc_id, OLD, "Jane Smith", "person")
    db.close()
    old_export = tmp_path / "old.jsonl"
    assert run(db_path, "export", "-o", str(old_export)).exit_code == 0
    article.write_text(NEW, encoding="utf-8")
    assert run(db_path, "import", "--update", str(article)).exit_code == 0
    again = run(db_path, "import", str(old_export))
    assert again.exit_code == 0, again.output
    assert "0 span(s) added, 1 already present" in again.stdout


def test_rejected_suggestions_are_neither_counted_nor_listed(fresh_db) -> None:
    db = fresh_db
    v1, _ = add_document(db, OLD)
    figure = mark(db, v1.id, OLD, "12,000", "statistic")
    update_annotation(db, figure, status="rejected")
    v2, _ = add_document(db, NEW.replace("Jane Smith counted them.", "Nobody counted."))
    gone = mark(db, v1.id, OLD, "Jane Smith", "person")
    update_annotation(db, gone, status="rejected")
    _, report = add_version(db, v1.id, v2.id)
    assert report.to_review == 0 and review_items(db, v2.id) == []
    db.close()


def test_an_ambiguous_source_adds_the_text_apart_and_says_how_to_link_it(tmp_path: Path, db_location: str) -> None:
    db_path = db_location
    for text in (OLD, "Another article entirely.\n"):
        record = tmp_path / "one.jsonl"
        record.write_text(json.dumps({"text": text, "source": "https://news/a"}) + "\n", encoding="utf-8")
        assert run(db_path, "import", "--format", "margin", str(record)).exit_code == 0
    record.write_text(json.dumps({"text": NEW, "source": "https://news/a"}) + "\n", encoding="utf-8")
    result = run(db_path, "import", "--format", "margin", "--update", str(record))
    assert result.exit_code == 0
    assert "several documents came from https://news/a" in result.stderr
    new_id = next(word for word in result.stderr.split() if len(word) == 12 and word != "https://news")
    linked = run(db_path, "reanchor", "--dry-run", next(iter(_ids(db_path))), new_id)
    assert linked.exit_code == 0, linked.output


def _ids(db_path: Path | str) -> list[str]:
    db = open_database(db_path)
    try:
        return [row[0] for row in db.execute("select id from documents order by rowid")]
    finally:
        db.close()


def test_superseded_for_some_documents_reads_only_their_lineages(fresh_db) -> None:
    db = fresh_db
    v1, _ = add_document(db, OLD)
    v2, _ = add_document(db, NEW)
    add_version(db, v1.id, v2.id)
    w1, _ = add_document(db, "Other text, first.\n")
    w2, _ = add_document(db, "Other text, second.\n")
    add_version(db, w1.id, w2.id)
    assert superseded(db, [v1.id, v2.id]) == {v1.id}
    assert superseded(db, [w2.id]) == set()
    assert superseded(db) == {v1.id, w1.id}
    db.close()
