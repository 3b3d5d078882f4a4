"""An import reads and checks its file without holding the write lock, and publishes
it whole in one short transaction at the end, re-checked against what other writers
stored in the meantime."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document, document_row
from margin.store.importing import BATCH_RECORDS, import_file


def _file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            text = f"Article {number}: the border deal was signed."
            out.write(json.dumps({"text": text, "spans": [{"start": 0, "end": 7, "label": "claim"}]}) + "\n")
    return path


def test_other_writers_are_not_locked_out_while_a_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"
    db = open_database(path)
    source = _file(tmp_path / "many.jsonl", BATCH_RECORDS * 3)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # no waiting at all
    writes: list[int] = []

    def between_batches(_position: int, _result: object) -> None:
        # Another process's write, with no busy timeout: it fails if the lock is held.
        other.execute("begin immediate")
        other.execute("insert into labels (name, position) values (?, 99)", [f"other{len(writes)}"])
        other.execute("commit")
        writes.append(1)
        # And nothing of the file is visible yet.
        assert other.execute("select count(*) from documents").fetchone()[0] == 0

    result = import_file(db, source, format=None, annotator="ana", on_batch=between_batches)
    assert len(writes) == 3
    assert result.documents_added == BATCH_RECORDS * 3 and result.spans_added == BATCH_RECORDS * 3
    assert other.execute("select count(*) from documents").fetchone()[0] == BATCH_RECORDS * 3
    assert not db.conn.in_transaction
    assert db.execute("select count(*) from temp.sqlite_master").fetchone()[0] == 0  # staging dropped
    other.close()
    db.close()


@pytest.mark.parametrize("number", [0, BATCH_RECORDS], ids=["already staged", "not yet read"])
def test_what_another_writer_stored_meanwhile_is_counted_as_present(
    db_location: str, tmp_path: Path, number: int
) -> None:
    db = open_database(db_location)
    source = _file(tmp_path / "two.jsonl", BATCH_RECORDS + 1)
    late_text = f"Article {number}: the border deal was signed."

    done: list[bool] = []

    def after_first_batch(_position: int, _result: object) -> None:
        if not done:
            done.append(True)
            colleague = open_database(db_location)
            document, _ = add_document(colleague, late_text)
            add_annotation(colleague, document.id, 0, 7, "claim", annotator="ana")
            colleague.close()

    result = import_file(db, source, format=None, annotator="ana", on_batch=after_first_batch)
    assert (result.documents_added, result.documents_present) == (BATCH_RECORDS, 1)
    assert (result.spans_added, result.spans_present) == (BATCH_RECORDS, 1)
    late_id = document_row(late_text)["id"]
    assert db.execute("select count(*) from annotations where doc_id = ?", [late_id]).fetchone()[0] == 1
    db.close()


def test_a_bad_record_late_in_the_file_leaves_nothing(db_location: str, tmp_path: Path) -> None:
    db = open_database(db_location)
    source = _file(tmp_path / "bad.jsonl", BATCH_RECORDS * 2)
    with source.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"text": "short", "spans": [{"start": 0, "end": 99, "label": "claim"}]}) + "\n")
    try:
        import_file(db, source, format=None, annotator="ana")
    except Exception as error:
        assert f"{source}:{BATCH_RECORDS * 2 + 1}" in str(error)
    else:
        raise AssertionError("the bad record was accepted")
    assert db.execute("select count(*) from documents").fetchone()[0] == 0
    assert db.execute("select count(*) from annotations").fetchone()[0] == 0
    db.close()


def test_a_record_repeated_in_a_later_batch_adds_its_spans_once(db_location: str, tmp_path: Path) -> None:
    db = open_database(db_location)
    source = _file(tmp_path / "repeat.jsonl", BATCH_RECORDS)
    first = source.read_text(encoding="utf-8").splitlines()[0]
    with source.open("a", encoding="utf-8") as out:
        out.write(first + "\n" + first + "\n")
    result = import_file(db, source, format=None, annotator="ana")
    assert result.spans_added == BATCH_RECORDS and result.spans_present == 2
    assert db.execute("select count(*) from annotations").fetchone()[0] == BATCH_RECORDS
    db.close()


def test_a_span_id_repeated_in_a_later_batch_keeps_the_newest_version(db_location: str, tmp_path: Path) -> None:
    db = open_database(db_location)
    text = "The border deal was signed."
    lines = [
        json.dumps({"text": f"Filler {number}.", "spans": []}) for number in range(BATCH_RECORDS)
    ]

    def record(note: str, when: str) -> str:
        span = {"id": "s1", "start": 0, "end": 3, "label": "claim", "annotator": "ana", "note": note,
                "updated_at": when}
        return json.dumps({"text": text, "spans": [span]})

    source = tmp_path / "versions.jsonl"
    source.write_text("\n".join([record("newer", "2024-05-02T00:00:00Z"), *lines,
                                 record("older", "2024-05-01T00:00:00Z")]) + "\n", encoding="utf-8")
    import_file(db, source, format="margin", annotator="ana")
    assert db.execute("select note from annotations where id = 's1'").fetchall() == [("newer",)]
    db.close()
