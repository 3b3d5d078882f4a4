"""A source database whose labels, relation types, attributes or annotators hold what
no other way in accepts (escape sequences, unusable keys, bad choices or kinds) is
refused whole by a merge: one line naming the database and the name, nothing written.
A file can be written behind margin's back, and so can a server's tables by anyone
who may reach them, so both are sources to check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from team_data import ARTICLE, add_text, file_rows, mark

from margin.store.db import open_database
from margin.store.errors import MarginError
from margin.store.merge import merge_databases, merge_into_copy
from margin.tui.cli import cli

TITLE = "x\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
STAMP = "2026-01-02T00:00:00.000000Z"
TABLES = (
    "documents", "labels", "annotations", "relation_types", "attribute_defs", "scheme_renames",
    "label_renames", "relations", "attributes", "reading_state", "reviews", "bookmarks",
)

# (id, SQL run on the source, a part of the message expected)
CASES = [
    (
        "label name",
        f"insert into labels (name, color, position, updated_at) values ('{TITLE}', '#888888', 9, '{STAMP}')",
        "label name 'x\\x1b]0;owned\\x07' contains the control character U+001B",
    ),
    (
        "relation type name",
        f"insert into relation_types (name, updated_at) values ('{TITLE}', '{STAMP}')",
        "relation type name 'x\\x1b]0;owned\\x07' contains the control character U+001B",
    ),
    (
        "attribute name",
        f"insert into attribute_defs (name, kind, choices, updated_at) values ('{TITLE}', 'flag', '[]', '{STAMP}')",
        "attribute name 'x\\x1b]0;owned\\x07' contains the control character U+001B",
    ),
    (
        "label key",
        f"update labels set key = '{CLEAR}' where name = 'claim'",
        "label 'claim' has the key '\\x1b[2J', which is not a usable key",
    ),
    (
        "relation type key",
        "update relation_types set key = 'ctrl+h' where name = 'cites'",
        "relation type 'cites': ctrl+h arrives as backspace",
    ),
    (
        "attribute choice",
        """update attribute_defs set choices = '["true", "no\\u001b[2J"]' where name = 'verdict'""",
        "attribute 'verdict' has the choice 'no\\x1b[2J'",
    ),
    (
        "attribute choice with a space",
        """update attribute_defs set choices = '["two words"]' where name = 'verdict'""",
        "attribute 'verdict' has the choice 'two words'",
    ),
    (
        "choices not JSON",
        f"""update attribute_defs set choices = '["no{CLEAR}"]' where name = 'verdict'""",
        "attribute 'verdict' has choices '[\"no\\x1b[2J\"]', which is not a JSON list",
    ),
    (
        "attribute kind",
        "update attribute_defs set kind = 'evil' where name = 'verdict'",
        "attribute 'verdict' has the kind 'evil'",
    ),
    (
        "label colour",
        f"update labels set color = '{CLEAR}' where name = 'person'",
        "label 'person' has the colour '\\x1b[2J'",
    ),
    (
        "relation type head label",
        """update relation_types set head_labels = '["c\\u001b[2J"]' where name = 'cites'""",
        "relation type 'cites': head_labels: label name 'c\\x1b[2J'",
    ),
    (
        "span label",
        f"update annotations set label = '{TITLE}'",
        "annotations: label name 'x\\x1b]0;owned\\x07' contains",
    ),
    (
        "relation type of a relation",
        "insert into relations (id, doc_id, head, child, type, annotator, updated_at) "
        f"select 'r1', doc_id, id, id, '{TITLE}', 'ana', '{STAMP}' from annotations",
        "relations: relation type name 'x\\x1b]0;owned\\x07' contains",
    ),
    (
        "attribute name of a value",
        "insert into attributes (annotation_id, name, value, doc_id, annotator, updated_at) "
        f"select id, '{TITLE}', 'true', doc_id, 'ana', '{STAMP}' from annotations",
        "attributes: attribute name 'x\\x1b]0;owned\\x07' contains",
    ),
    (
        "label rename",
        f"insert into label_renames (old, new, renamed_at) values ('claim', '{TITLE}', '{STAMP}')",
        "label_renames: label name 'x\\x1b]0;owned\\x07' contains",
    ),
    (
        "scheme rename",
        f"insert into scheme_renames (scheme, old, new, renamed_at) values ('relation', 'cites', '{TITLE}', '{STAMP}')",
        "scheme_renames: relation type or attribute name 'x\\x1b]0;owned\\x07' contains",
    ),
    (
        "annotator",
        f"update annotations set annotator = 'eve{CLEAR}'",
        "annotations: annotator name 'eve\\x1b[2J' contains the control character U+001B",
    ),
]


def build(tmp_path: Path, sql: str) -> tuple[Path, Path]:
    """Ours (one span) and theirs (another span, then ``sql`` written behind margin's back)."""
    ours, theirs = tmp_path / "ours.db", tmp_path / "other.db"
    _fill(ours, theirs)
    conn = sqlite3.connect(theirs)
    with conn:
        conn.execute(sql)
    conn.close()
    return ours, theirs


def _fill(ours: str | Path, theirs: str | Path) -> None:
    db = open_database(ours)
    mark(db, add_text(db), ARTICLE, "Alice Smith", "person", "ana")
    db.close()
    db = open_database(theirs)
    mark(db, add_text(db, "Bob's article."), "Bob's article.", "Bob", "person", "bob")
    db.close()


ONLY_IN_A_FILE = {sql for name, sql, _ in CASES if name == "span label"}
"""A span whose label no label row has: a server's foreign key refuses it, a file's
unenforced one lets it in."""


def build_at(places, sql: str) -> tuple[str, str]:
    """``build`` on the backend of ``places``; on a server, ``sql`` goes in through a
    connection of its own, as any client of the server could send it. What only a
    file can hold comes from a file, merged into a server's database."""
    on_server = places.server and sql not in ONLY_IN_A_FILE
    ours, theirs = places("ours"), places("other") if on_server else str(places.folder / "other.db")
    _fill(ours, theirs)
    if on_server:
        import psycopg

        with psycopg.connect(theirs, autocommit=True) as conn:
            conn.execute(sql)
    else:
        conn = sqlite3.connect(theirs)
        with conn:
            conn.execute(sql)
        conn.close()
    return ours, theirs


@pytest.mark.parametrize(("sql", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_merge_refuses_a_source_with_a_bad_name(places, sql, expected):
    ours, theirs = build_at(places, sql)
    before = places.rows(ours, TABLES)
    db = open_database(ours)
    try:
        with pytest.raises(MarginError) as raised:
            merge_databases(db, [theirs])
    finally:
        db.close()
    message = str(raised.value)
    assert message.startswith(f"{theirs}: ") and message.endswith("; nothing was merged")
    assert expected in message
    assert "\x1b" not in message and "\x07" not in message
    assert places.rows(ours, TABLES) == before


@pytest.mark.parametrize(("sql", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_cli_merge_refuses_a_bad_source_and_prints_no_escape(places, sql, expected):
    ours, theirs = build_at(places, sql)
    before = places.rows(ours, TABLES)
    result = CliRunner().invoke(cli, ["--db", ours, "merge", theirs])
    assert result.exit_code == 1
    assert expected in result.output and "nothing was merged" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert places.rows(ours, TABLES) == before


def test_merge_into_a_copy_leaves_no_file_when_refused(tmp_path):
    ours, theirs = build(tmp_path, CASES[1][1])
    merged = tmp_path / "merged.db"
    before = file_rows(ours, TABLES)
    db = open_database(ours)
    try:
        with pytest.raises(MarginError, match="relation type name"):
            merge_into_copy(db, [theirs], merged)
    finally:
        db.close()
    assert not merged.exists()
    assert {path.name for path in tmp_path.iterdir()} <= {
        "ours.db", "other.db", "ours.db-wal", "ours.db-shm", "other.db-wal", "other.db-shm",
    }
    result = CliRunner().invoke(cli, ["--db", str(ours), "merge", str(theirs), "-o", str(merged)])
    assert result.exit_code == 1 and "relation type name" in result.output
    assert not merged.exists()
    assert file_rows(ours, TABLES) == before
    # Only the bad row was refused: without it (and with a retired label) it merges.
    conn = sqlite3.connect(theirs)
    with conn:
        conn.execute(f"delete from relation_types where name = '{TITLE}'")
        conn.execute("update labels set retired_at = updated_at where name = 'statistic'")
    conn.close()
    result = CliRunner().invoke(cli, ["--db", str(ours), "merge", str(theirs), "-o", str(merged)])
    assert result.exit_code == 0, result.output
    assert len(file_rows(merged, TABLES)["annotations"]) == 2

