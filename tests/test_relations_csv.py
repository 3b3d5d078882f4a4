"""Attributes and relations in the CSV export: one ``attribute:<name>`` column per
attribute the exported spans carry, and relations in a second file beside the
first, written whole or not at all, with the spreadsheet guard on every cell."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store import annotations as annotations_store
from margin.store import documents
from margin.store.attributes import set_attribute
from margin.store.database import is_server
from margin.store.db import open_database
from margin.store.errors import MarginError
from margin.store.formats import csv as csv_format
from margin.store.model import DocumentRecord, RelationRecord, SpanRecord
from margin.store.relations import add_relation
from margin.tui.cli import cli

TEXT = "-Ana said 40% of voters agree."
HEADER = ",".join(csv_format.COLUMNS)


def record() -> DocumentRecord:
    return DocumentRecord(
        text=TEXT, title="t", id="d1",
        spans=[
            SpanRecord(0, 4, "person", annotator="ana", id="p1", created_at="c1", updated_at="u1"),
            SpanRecord(5, 29, "claim", note="a, b", annotator="ana", id="c1", created_at="c2", updated_at="u2",
                       attributes={"verdict": "false", "unit": "=SUM(A1)"}),
            SpanRecord(10, 13, "statistic", annotator="ben", status="suggested", id="s1",
                       attributes={"checked": "true"}),
        ],
        relations=[
            RelationRecord(1, 0, "said_by", note="@ana\nsaid it", annotator="ben", id="r1",
                           created_at="c3", updated_at="u3"),
            RelationRecord(1, 2, "cites", annotator="ana", status="rejected", id="r2"),
        ],
    )


def export(*records: DocumentRecord, **options) -> tuple[str, str]:
    spans, relations = io.StringIO(), io.StringIO()
    csv_format.write(records, spans, relations=relations, **options)
    return spans.getvalue(), relations.getvalue()


def test_each_attribute_used_is_a_column_after_the_fixed_ones():
    spans, _ = export(record())
    assert spans == (
        f"{HEADER},attribute:checked,attribute:unit,attribute:verdict\r\n"
        "d1,t,p1,0,4,person,-Ana,,ana,accepted,c1,u1,,,\r\n"
        'd1,t,c1,5,29,claim,said 40% of voters agree,"a, b",ana,accepted,c2,u2,,=SUM(A1),false\r\n'
        "d1,t,s1,10,13,statistic,40%,,ben,suggested,,,true,,\r\n"
    )


def test_relations_file_names_both_spans_of_each_relation():
    _, relations = export(record())
    assert relations == (
        ",".join(csv_format.RELATION_COLUMNS) + "\r\n"
        'r1,d1,said_by,c1,5,29,said 40% of voters agree,p1,0,4,-Ana,ben,"@ana\nsaid it",accepted,c3,u3\r\n'
        "r2,d1,cites,c1,5,29,said 40% of voters agree,s1,10,13,40%,ana,,rejected,,\r\n"
    )


def test_the_spreadsheet_guard_covers_attribute_and_relation_cells():
    spans, relations = export(record(), safe_for_spreadsheets=True)
    assert spans.splitlines()[1:3] == [
        "d1,t,p1,0,4,person,'-Ana,,ana,accepted,c1,u1,,,",
        "d1,t,c1,5,29,claim,said 40% of voters agree,\"a, b\",ana,accepted,c2,u2,,'=SUM(A1),false",
    ]
    assert "'-Ana,ben,\"'@ana\nsaid it\",accepted" in relations


def test_without_attributes_the_header_is_unchanged_and_no_relations_file_is_asked_for():
    plain = DocumentRecord(text=TEXT, id="d1", spans=[SpanRecord(0, 4, "person", id="p1")],
                           relations=[RelationRecord(0, 0, "same")])
    out = io.StringIO()
    csv_format.write([plain], out)
    assert out.getvalue() == f"{HEADER}\r\nd1,,p1,0,4,person,-Ana,,,accepted,,\r\n"


def test_rows_spooled_to_disk_come_back_in_order(monkeypatch):
    monkeypatch.setattr(csv_format, "SPOOL_BYTES", 64)
    records = [record() for _ in range(50)]
    spans, relations = export(*records)
    single, single_relations = export(record())
    assert spans.splitlines() == [single.splitlines()[0], *single.splitlines()[1:] * 50]
    assert relations.count("\r\nr1,") == 50 and len(single_relations.splitlines()) == 4


@pytest.mark.parametrize(
    ("name", "beside"),
    [("out.csv", "out.relations.csv"), ("spans.CSV", "spans.relations.csv"), ("spans", "spans.relations.csv"),
     ("a.b.csv", "a.b.relations.csv")],
)
def test_the_relations_file_is_named_after_the_spans_file(tmp_path, name, beside):
    assert csv_format.relations_path(tmp_path / name) == tmp_path / beside


def test_relations_output_appears_whole_only_when_the_export_succeeds(tmp_path):
    output = tmp_path / "out.csv"
    beside = tmp_path / "out.relations.csv"
    beside.write_text("earlier export\n")
    with pytest.raises(RuntimeError), csv_format.relations_output(output) as handle:
        assert handle is not None
        handle.write("half")
        raise RuntimeError("the export failed")
    assert beside.read_text() == "earlier export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.relations.csv"]
    with csv_format.relations_output(output) as handle:
        assert handle is not None
        handle.write("whole\r\n")
    assert beside.read_bytes() == b"whole\r\n"


def test_relations_output_refuses_a_database_and_in_the_app_an_existing_file(tmp_path):
    database = tmp_path / "out.relations.csv"
    database.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(MarginError, match="would overwrite the database"), csv_format.relations_output(
        tmp_path / "out.csv", databases=[database]
    ):
        pass
    with pytest.raises(MarginError, match="already exists"), csv_format.relations_output(
        tmp_path / "out.csv", overwrite=False
    ):
        pass
    assert database.read_bytes() == b"SQLite format 3\x00"


def test_standard_output_and_devices_get_no_relations_file():
    with csv_format.relations_output(None) as handle:
        assert handle is None
    with csv_format.relations_output(Path(os.devnull)) as handle:
        assert handle is None


def test_margin_export_writes_the_attribute_columns(db_location):
    db = open_database(db_location)
    doc, _ = documents.add_document(db, TEXT, source="seed")
    person = annotations_store.add_annotation(db, doc.id, 0, 4, "person", annotator="ana")
    claim = annotations_store.add_annotation(db, doc.id, 5, 29, "claim", annotator="ana")
    add_relation(db, claim.id, person.id, "said_by", annotator="ana")
    set_attribute(db, claim.id, "verdict", "false", annotator="ana")
    db.close()
    result = CliRunner().invoke(cli, ["--db", db_location, "export", "--format", "csv", "--safe-for-spreadsheets"])
    assert result.exit_code == 0, result.output
    header, first, second = result.stdout_bytes.decode().split("\r\n")[:3]
    assert header == f"{HEADER},attribute:verdict"
    assert first.startswith(f"{doc.id},'-Ana said") and first.endswith(",")
    assert second.split(",")[2:7] == [claim.id, "5", "29", "claim", "said 40% of voters agree"]
    assert second.endswith(",false")


# -- to append to tests/test_relations_csv.py once tui/commands/transfer.py opens the relations file --


def _file_of(where: str) -> list[str]:
    """The database's own file, when it is one: what an export leaves beside it."""
    return [] if is_server(where) else [Path(where).name]


def _linked(where):
    db = open_database(where)
    doc, _ = documents.add_document(db, TEXT, source="seed")
    person = annotations_store.add_annotation(db, doc.id, 0, 4, "person", annotator="ana")
    claim = annotations_store.add_annotation(db, doc.id, 5, 29, "claim", annotator="ana")
    relation = add_relation(db, claim.id, person.id, "said_by", annotator="ana", note="=cmd")
    db.close()
    return doc, person, claim, relation


def test_margin_export_to_a_file_writes_the_relations_beside_it(db_location, tmp_path):
    doc, person, claim, relation = _linked(db_location)
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["--db", db_location, "export", "--format", "csv", "-o", str(output),
                                      "--safe-for-spreadsheets"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"relations written to {tmp_path / 'out.relations.csv'}"
    assert (tmp_path / "out.relations.csv").read_bytes().decode() == (
        ",".join(csv_format.RELATION_COLUMNS) + "\r\n"
        f"{relation.id},{doc.id},said_by,{claim.id},5,29,said 40% of voters agree,{person.id},0,4,'-Ana,ana,'=cmd,"
        f"accepted,{relation.created_at},{relation.updated_at}\r\n"
    )
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(["out.csv", "out.relations.csv", *_file_of(db_location)])


def test_margin_export_to_standard_output_says_the_relations_need_a_file(db_location):
    _linked(db_location)
    result = CliRunner().invoke(cli, ["--db", db_location, "export", "--format", "csv"])
    assert result.exit_code == 0
    assert "warning: 1 relation(s) not written: CSV puts relations in a second file, so give -o FILE" in result.stderr
    assert "relation_id" not in result.stdout


def test_margin_export_never_writes_the_relations_over_the_database(tmp_path):
    db_path = tmp_path / "out.relations.csv"
    _linked(db_path)
    before = db_path.read_bytes()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", "--format", "csv", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1 and "would overwrite the database" in result.output
    assert db_path.read_bytes() == before and not (tmp_path / "out.csv").exists()


def test_a_csv_export_without_relations_leaves_no_relations_file(db_location, tmp_path):
    db = open_database(db_location)
    doc, _ = documents.add_document(db, TEXT, source="seed")
    annotations_store.add_annotation(db, doc.id, 0, 4, "person", annotator="ana")
    db.close()
    output = tmp_path / "plain.csv"
    result = CliRunner().invoke(cli, ["--db", db_location, "export", "--format", "csv", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*_file_of(db_location), "plain.csv"])


def test_a_csv_export_without_relations_removes_an_earlier_relations_file(db_location, tmp_path):
    _linked(db_location)
    output = tmp_path / "out.csv"
    args = ["--db", db_location, "export", "--format", "csv", "-o", str(output)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (tmp_path / "out.relations.csv").exists()
    db = open_database(db_location)
    db.execute("update relations set deleted_at = updated_at")
    db.conn.commit()
    db.close()
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert not (tmp_path / "out.relations.csv").exists()
