"""What the doccano, Prodigy and Label Studio relation tests share: a database
with linked, attributed spans, the command line, and what a database holds read
back in a form that compares across databases (ids and timestamps left out)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from margin.store.annotations import add_annotation
from margin.store.attributes import set_attribute
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.labels import add_label
from margin.store.relations import add_relation
from margin.store.schemes import add_attribute_def, add_relation_type
from margin.tui.cli import cli

TEXT = "Ana said 40% of voters agreed, and Ben denied it."
OTHER = "Nobody is linked here: Cleo alone."


def run(db: Path, *args: object):
    return CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])


def place(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def linked_db(path: Path) -> Path:
    """Two documents: one whose claim is said by Ana, cites a statistic and is
    disputed by Ben (an undirected type), with a choice, a flag and a text
    attribute; one with a lone span, which precedes it in the export."""
    db = open_database(path)
    add_relation_type(db, "disputes", directed=False)
    add_attribute_def(db, "hedged", kind="flag", labels=["claim"])
    add_attribute_def(db, "unit", kind="text", labels=["statistic"])
    add_label(db, "org")
    other, _ = add_document(db, OTHER, title="Other")
    add_annotation(db, other.id, *place(OTHER, "Cleo"), "person", annotator="ana")
    doc, _ = add_document(db, TEXT, title="Linked")
    claim = add_annotation(db, doc.id, *place(TEXT, "40% of voters agreed"), "claim", annotator="ana")
    speaker = add_annotation(db, doc.id, *place(TEXT, "Ana"), "person", annotator="ana")
    figure = add_annotation(db, doc.id, *place(TEXT, "40%"), "statistic", annotator="ana")
    critic = add_annotation(db, doc.id, *place(TEXT, "Ben"), "person", annotator="ana")
    add_relation(db, claim.id, speaker.id, "said_by", annotator="ana")
    add_relation(db, claim.id, figure.id, "cites", annotator="ana")
    add_relation(db, critic.id, claim.id, "disputes", annotator="ana")
    set_attribute(db, claim.id, "verdict", "misleading", annotator="ana")
    set_attribute(db, claim.id, "hedged", "true", annotator="ana")
    set_attribute(db, figure.id, "unit", "per cent", annotator="ana")
    db.close()
    return path


EXPECTED_RELATIONS = {
    (("claim", "40% of voters agreed"), ("person", "Ana"), "said_by"),
    (("claim", "40% of voters agreed"), ("statistic", "40%"), "cites"),
    (("person", "Ben"), ("claim", "40% of voters agreed"), "disputes"),
}
EXPECTED_ATTRIBUTES = {
    ("claim", "40% of voters agreed", "verdict", "misleading"),
    ("claim", "40% of voters agreed", "hedged", "true"),
    ("statistic", "40%", "unit", "per cent"),
}


def relations_in(path: Path) -> set[tuple]:
    """Every shown relation as ((head label, quote), (child label, quote), type)."""
    db = open_database(path)
    rows = db.execute(
        "select h.label, h.quote, c.label, c.quote, r.type from relations r "
        "join annotations h on h.id = r.head join annotations c on c.id = r.child "
        "where r.deleted_at is null and h.deleted_at is null and c.deleted_at is null"
    ).fetchall()
    db.close()
    return {((head, head_quote), (child, child_quote), kind) for head, head_quote, child, child_quote, kind in rows}


def attributes_in(path: Path) -> set[tuple[str, str, str, str]]:
    db = open_database(path)
    rows = db.execute(
        "select a.label, a.quote, t.name, t.value from attributes t join annotations a on a.id = t.annotation_id "
        "where t.deleted_at is null and a.deleted_at is null"
    ).fetchall()
    db.close()
    return set(rows)


def counts(path: Path) -> tuple[int, int, int, int]:
    """(documents, annotations, relations, attributes): what a refused import must
    leave as it was."""
    db = open_database(path)
    found = tuple(
        db.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("documents", "annotations", "relations", "attributes")
    )
    db.close()
    return found  # type: ignore[return-value]


def export_file(db: Path, tmp_path: Path, fmt: str, name: str, *extra: object) -> Path:
    target = tmp_path / name
    result = run(db, "export", "--format", fmt, "-o", target, *extra)
    assert result.exit_code == 0, result.output
    return target


def import_file(db: Path, path: Path, *extra: object):
    return run(db, "import", path, *extra)
