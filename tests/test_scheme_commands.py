"""``margin relations`` and ``margin attributes``: listing with usage counts, add,
rename, set and remove (tombstones), the keys they refuse, one-line errors, and
names and descriptions from data made inert on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from margin.store import annotations as annotations_store
from margin.store import documents
from margin.store.attributes import get_attribute, set_attribute
from margin.store.db import open_database
from margin.store.relations import add_relation, get_relation
from margin.tui.cli import cli

HOSTILE = "evil\x1b]2;pwned\x07\x1b[31m\u202e"
TEXT = "Ana said 40% of voters agree. Ben denied it."


def run(*args: str, db: Path | str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from margin.tui.commands import output

    monkeypatch.setattr(output, "terminal", lambda: output.Terminal(120, 24))


def _link(where: Path | str) -> None:
    db = open_database(where)
    doc, _ = documents.add_document(db, TEXT, source="seed")
    person = annotations_store.add_annotation(db, doc.id, 0, 3, "person", annotator="ana")
    claim = annotations_store.add_annotation(db, doc.id, 4, 28, "claim", annotator="ana")
    statistic = annotations_store.add_annotation(db, doc.id, 9, 12, "statistic", annotator="ana")
    add_relation(db, claim.id, person.id, "said_by", annotator="ana")
    add_relation(db, claim.id, statistic.id, "cites", annotator="ana")
    set_attribute(db, claim.id, "verdict", "misleading", annotator="ana")
    db.close()


@pytest.fixture
def linked_db(db_location: str) -> str:
    """A claim said by a person and citing a statistic, with a verdict, on each backend."""
    _link(db_location)
    return db_location


@pytest.fixture
def linked_file(db_path: Path) -> Path:
    """The same, in a file, for what only a file has (its mode)."""
    _link(db_path)
    return db_path


def listed(command: str, db: Path | str) -> dict[str, dict]:
    result = run(command, "--json", db=db)
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.output)}


def test_relations_lists_each_type_with_its_usage(linked_db: str) -> None:
    rows = listed("relations", linked_db)
    assert list(rows) == ["said_by", "cites", "about"]
    assert rows["said_by"] == {
        "name": "said_by", "key": "s", "colour": "#c061cb", "directed": True, "head": ["claim"],
        "child": ["person"], "relations": 1, "description": "Who made the claim",
    }
    assert rows["about"]["relations"] == 0
    header, *lines = run("relations", db=linked_db).output.splitlines()  # piped: TSV
    assert header.split("\t") == ["name", "key", "colour", "directed", "head", "child", "relations", "description"]
    assert lines[1].split("\t") == ["cites", "c", "#2ec24d", "true", "claim", "statistic", "1",
                                    "The statistic the claim rests on"]
    assert run("relations", "--limit", "1", "--offset", "1", "--tsv", db=linked_db).output.splitlines()[1:] == [lines[1]]


def test_attributes_lists_each_with_its_usage(linked_db: str, terminal: None) -> None:
    rows = listed("attributes", linked_db)
    assert rows == {"verdict": {
        "name": "verdict", "kind": "choice", "values": ["true", "false", "misleading", "unverifiable", "unchecked"],
        "labels": ["claim"], "key": "C", "spans": 1, "description": "What checking the claim found",
    }}
    table = run("attributes", db=linked_db).output
    assert "verdict" in table and "misleading" in table and "\t" not in table


def test_relation_types_are_added_changed_renamed_and_removed(linked_db: str) -> None:
    added = run("relations", "add", "same_as", "--key", "m", "--head", "person", "--child", "person",
                "--undirected", "--description", "One person", db=linked_db)
    assert added.exit_code == 0
    assert added.output == "added relation type same_as (person — person; key m; colour " \
        f"{listed('relations', linked_db)['same_as']['colour']})\n"
    changed = run("relations", "set", "same_as", "--no-key", "--color", "#123456", "--any-head", "--directed",
                  db=linked_db)
    assert changed.output == "same_as: any → person; key none; colour #123456\n"
    assert run("relations", "set", "cites", "--child", "statistic", "--child", "person", db=linked_db).exit_code == 0
    renamed = run("relations", "rename", "said_by", "quoted", db=linked_db)
    assert renamed.output == "renamed said_by to quoted (1 relation(s))\n"
    rows = listed("relations", linked_db)
    assert rows["same_as"] | {"colour": "x"} == {
        "name": "same_as", "key": None, "colour": "x", "directed": True, "head": [], "child": ["person"],
        "relations": 0, "description": "One person",
    }
    assert rows["cites"]["child"] == ["statistic", "person"]
    assert "said_by" not in rows and rows["quoted"]["relations"] == 1 and rows["quoted"]["key"] == "s"
    assert run("relations", "remove", "same_as", db=linked_db).output == "removed relation type same_as\n"
    assert "same_as" not in listed("relations", linked_db)


def test_removing_a_used_type_needs_force_and_leaves_tombstones(linked_db: str) -> None:
    refused = run("relations", "remove", "cites", db=linked_db)
    assert refused.exit_code == 1
    assert refused.output == "Error: relation type 'cites' is used by 1 relation(s); use --force to remove them too\n"
    assert "cites" in listed("relations", linked_db)
    removed = run("relations", "remove", "cites", "--force", db=linked_db)
    assert removed.output == "removed relation type cites and 1 relation(s)\n"
    db = open_database(linked_db)
    (relation_id,) = [row[0] for row in db.execute("select id from relations where type = 'cites'")]
    assert get_relation(db, relation_id).deleted_at is not None
    assert db.execute("select retired_at from relation_types where name = 'cites'").fetchone()[0] is not None
    db.close()
    assert "cites" not in listed("relations", linked_db)


def test_attributes_are_added_changed_renamed_and_removed(linked_db: str) -> None:
    added = run("attributes", "add", "confidence", "--value", "low", "--value", "high", "--label", "claim",
                "--key", "K", db=linked_db)
    assert added.output == "added attribute confidence (one of low, high; on claim; key K)\n"
    assert run("attributes", "add", "unit", "--text", "--label", "statistic", db=linked_db).output == \
        "added attribute unit (text; on statistic; key none)\n"
    assert run("attributes", "add", "sarcastic", "--flag", db=linked_db).output == \
        "added attribute sarcastic (flag; on any; key none)\n"
    changed = run("attributes", "set", "confidence", "--value", "low", "--value", "mid", "--value", "high",
                  "--any-label", "--no-key", "--description", "How sure", db=linked_db)
    assert changed.output == "confidence: one of low, mid, high; on any; key none\n"
    assert run("attributes", "rename", "verdict", "rating", db=linked_db).output == \
        "renamed verdict to rating (1 value(s))\n"
    rows = listed("attributes", linked_db)
    assert list(rows) == ["rating", "confidence", "unit", "sarcastic"]
    assert rows["confidence"]["description"] == "How sure" and rows["confidence"]["labels"] == []
    assert rows["rating"]["spans"] == 1 and rows["sarcastic"]["kind"] == "flag" and rows["unit"]["values"] == []


def test_removing_a_used_attribute_needs_force_and_clears_its_values(linked_db: str) -> None:
    refused = run("attributes", "remove", "verdict", db=linked_db)
    assert refused.exit_code == 1
    assert refused.output == "Error: attribute 'verdict' is set on 1 span(s); use --force to clear them too\n"
    assert run("attributes", "remove", "verdict", "--force", db=linked_db).output == \
        "removed attribute verdict and its 1 value(s)\n"
    db = open_database(linked_db)
    claim = db.execute("select id from annotations where label = 'claim'").fetchone()[0]
    assert get_attribute(db, claim, "verdict").deleted_at is not None
    db.close()
    assert listed("attributes", linked_db) == {}


def test_a_value_spans_carry_cannot_be_dropped(linked_db: str) -> None:
    result = run("attributes", "set", "verdict", "--value", "true", "--value", "false", db=linked_db)
    assert result.exit_code == 1
    assert result.output == "Error: spans carry 'misleading' for 'verdict'; keep those values or clear them first\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("relations", "rename", "nope", "x"), "no relation type named 'nope'"),
        (("relations", "remove", "nope"), "no relation type named 'nope'"),
        (("relations", "set", "nope", "--key", "y"), "no relation type named 'nope'"),
        (("relations", "add", "said_by"), "relation type 'said_by' already exists"),
        (("relations", "add", "quotes", "--head", "nope"), "no label named 'nope'"),
        (("relations", "add", "quotes", "--key", "s"), "key 's' is already used by relation type 'said_by'"),
        (("relations", "set", "about", "--key", "c"), "key 'c' is already used by relation type 'cites'"),
        (("relations", "add", "quotes", "--color", "red"), "'red' is not a colour of the form #rrggbb"),
        (("attributes", "rename", "nope", "x"), "no attribute named 'nope'"),
        (("attributes", "remove", "nope", "--force"), "no attribute named 'nope'"),
        (("attributes", "set", "nope", "--no-key"), "no attribute named 'nope'"),
        (("attributes", "add", "confidence"), "a choice attribute needs at least one value (--value)"),
        (("attributes", "add", "confidence", "--value", "a", "--key", "C"),
         "key 'C' is already used by attribute 'verdict'"),
        (("attributes", "set", "verdict", "--key", "2"), "key '2' is already used by label 'person'"),
        (("attributes", "set", "verdict", "--value", "x"), "spans carry 'misleading' for 'verdict'"),
        (("attributes", "add", "unit", "--text", "--label", "nope"), "no label named 'nope'"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_refusals_are_one_line_with_status_1(linked_db: str, args: tuple[str, ...], message: str) -> None:
    before = run("relations", "--json", db=linked_db).output + run("attributes", "--json", db=linked_db).output
    result = run(*args, db=linked_db)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}") and result.output.count("\n") == 1, result.output
    assert run("relations", "--json", db=linked_db).output + run("attributes", "--json", db=linked_db).output == before


@pytest.mark.parametrize("key", ["h", "j", "k", "l", "w", "b", "e", "E", "g", "G", "n", "N", "v", "L", "ctrl+p"])
def test_a_relation_key_that_link_mode_needs_is_refused(linked_db: str, key: str) -> None:
    for args in (("relations", "add", "quotes", "--key", key), ("relations", "set", "said_by", "--key", key)):
        result = run(*args, db=linked_db)
        assert result.exit_code == 2
        assert f"Invalid value for --key: key {key!r}" in result.output
    rows = listed("relations", linked_db)
    assert "quotes" not in rows and rows["said_by"]["key"] == "s"


@pytest.mark.parametrize("key", ["q", "x", "j", "W", "u", "ctrl+p"])
def test_an_attribute_key_margin_already_uses_is_refused(linked_db: str, key: str) -> None:
    for args in (("attributes", "add", "conf", "--flag", "--key", key), ("attributes", "set", "verdict", "--key", key)):
        result = run(*args, db=linked_db)
        assert result.exit_code == 2 and "one of margin's own keys" in result.output
    assert listed("attributes", linked_db)["verdict"]["key"] == "C"


@pytest.mark.parametrize("command", ["relations", "attributes"])
def test_keys_no_terminal_delivers_are_refused(linked_db: str, command: str) -> None:
    kind = ("--flag",) if command == "attributes" else ()
    result = run(command, "add", "thing", *kind, "--key", "ctrl+i", db=linked_db)
    assert result.exit_code == 2 and "ctrl+i arrives as tab in a terminal" in result.output


@pytest.mark.parametrize(
    "args",
    [("attributes", "add", "a", "--value", "x", "--flag"), ("attributes", "add", "a", "--text", "--flag"),
     ("attributes", "set", "verdict", "--key", "V", "--no-key"), ("relations", "set", "cites", "--head", "claim",
                                                                  "--any-head")],
    ids=" ".join,
)
def test_contradictory_options_are_usage_errors(linked_db: str, args: tuple[str, ...]) -> None:
    result = run(*args, db=linked_db)
    assert result.exit_code == 2 and "cannot be combined" in result.output


def test_a_hostile_name_never_reaches_the_terminal(linked_db: str, terminal: None) -> None:
    refused = run("relations", "add", HOSTILE, db=linked_db)
    assert refused.exit_code == 1 and "\x1b" not in refused.output and "\x07" not in refused.output
    assert "contains the control character U+001B" in refused.output
    assert run("attributes", "add", HOSTILE, "--flag", db=linked_db).exit_code == 1
    # A description is free text; a copied database may hold any name at all.
    assert run("relations", "add", "quotes", "--description", HOSTILE, db=linked_db).exit_code == 0
    assert run("attributes", "set", "verdict", "--description", HOSTILE, db=linked_db).exit_code == 0
    db = open_database(linked_db)
    db.execute("update relation_types set name = ? where name = 'about'", [HOSTILE])
    db.execute("update attribute_defs set name = ?, choices = ? where name = 'verdict'",
               [HOSTILE, json.dumps([HOSTILE])])
    db.conn.commit()
    db.close()
    for command in ("relations", "attributes"):
        for fmt in ((), ("--tsv",), ("--json",), ("--jsonl",)):
            result = run(command, *fmt, db=linked_db)
            assert result.exit_code == 0, result.output
            assert "evil" in result.output
            assert not {"\x1b", "\x07", "\u202e"} & set(result.output), (command, fmt, result.output)
    removed = run("relations", "remove", HOSTILE, db=linked_db)
    assert removed.exit_code == 0 and "\x1b" not in removed.output and "evil" in removed.output


@pytest.mark.parametrize(
    "args",
    [("relations", "add", "quotes"), ("relations", "remove", "about"), ("attributes", "add", "sure", "--flag"),
     ("attributes", "rename", "verdict", "rating")],
    ids=" ".join,
)
def test_changes_to_a_read_only_database_are_refused_in_one_line(linked_file: Path, args: tuple[str, ...]) -> None:
    linked_db = linked_file
    linked_db.chmod(0o444)
    before = linked_db.read_bytes()
    result = run(*args, db=linked_db)
    assert result.exit_code == 1
    assert result.output == f"Error: {linked_db}: read-only; nothing was changed\n"
    assert linked_db.read_bytes() == before


@pytest.mark.parametrize("command", ["relations", "attributes"])
def test_listing_names_a_missing_database_instead_of_creating_one(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "typo.db"
    result = run(command, db=missing)
    assert result.exit_code == 1 and f"{missing}: no such database" in result.output
    assert not missing.exists()
