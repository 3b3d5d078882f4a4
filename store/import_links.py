"""The relations and attributes of an import: checked against the spans of their
record and the schemes of the database, then tied to the annotation ids the spans
ended up with.

A span the database already holds (the same file imported again) keeps its own id,
so its relations and values are matched against what the database has, and a
re-import adds nothing: relations with an id (margin's JSON lines) by id, the others
by their two ends, type and annotator (either way round for an undirected type). A
value a stored span lacks is added; one it has is kept, unless the file holds a
newer version of the span itself.

Types and attributes the database lacks are created when the file is published, as
labels are: relation types without constraints, an attribute as a flag when its
only value is the flag's, a choice of the values seen when they are words, else
free text; a choice attribute the database has gains the new values a file brings,
as the label scheme gains its new labels. The rest of what the database defines is a
rule the file must keep: a type's label constraints, an attribute's kind and the
labels it applies to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .database import Database
from .errors import FormatError, MarginError
from .import_checks import span_timestamps
from .import_dedupe import same_lineage
from .model import FLAG_VALUE, AttributeDef, DocumentRecord, RelationRecord, RelationType
from .names import check_label_name, label_name_problem, quoted
from .relations import relation_row
from .schemes import (
    add_attribute_def,
    add_relation_type,
    check_choice,
    check_value,
    ensure_attribute_defs,
    list_attribute_defs,
    list_relation_types,
)
from .timestamps import comparable


@dataclass(slots=True)
class PendingRelation:
    """A checked relation whose ends are still positions among the batch's spans."""

    head: int
    child: int
    row: dict
    has_id: bool
    place: tuple[str, int | None]
    """The file and line an error about it names."""


@dataclass(slots=True)
class PendingAttributes:
    span: int
    values: dict[str, str]


@dataclass(slots=True)
class LinkRows:
    relation_inserts: list[dict] = field(default_factory=list)
    relation_updates: list[dict] = field(default_factory=list)
    attributes: list[tuple[dict, str]] = field(default_factory=list)
    """(row, op): ``insert`` adds a value the span lacks, ``update`` replaces it."""


def _short(text: str | None) -> str:
    return quoted(text or "")


class LinkImport:
    """What one file's relations and attributes need and what they become."""

    def __init__(self, db: Database, name: str, annotator: str) -> None:
        self.db = db
        self.name = name
        self.annotator = annotator
        self.types: dict[str, RelationType] = {kind.name: kind for kind in list_relation_types(db)}
        self.attribute_defs: dict[str, AttributeDef] = {a.name: a for a in list_attribute_defs(db)}
        self.types_needed: dict[str, bool] = {}
        """New relation types → directed; a type the file also uses directed is directed."""
        self.values_seen: dict[str, set[str]] = {}

    # -- checking one record --------------------------------------------------------

    def check(
        self, record: DocumentRecord, rows: Sequence[dict], offset: int
    ) -> tuple[list[PendingRelation], list[PendingAttributes]]:
        """The record's relations and attributes, checked; span positions are moved by
        ``offset`` to index the batch's spans. ``rows`` are the record's span rows."""
        relations = [self._relation(record, rows, number, relation, offset)
                     for number, relation in enumerate(record.relations or [], 1)]
        attributes = []
        for position, span in enumerate(record.spans):
            if span.attributes:
                attributes.append(PendingAttributes(
                    offset + position,
                    self._attributes(record, rows[position], span.attributes, getattr(span, "attribute_where", {})),
                ))
        return relations, attributes

    def _fail(self, record: DocumentRecord, message: str, where: tuple[str, int] | None = None) -> FormatError:
        """The error at the record's line, or where a reader says the item was (brat's
        .ann lines: ``where``, see ``store.formats.brat_links``)."""
        return FormatError(*where, message) if where else FormatError(self.name, record.line, message)

    def _relation(
        self, record: DocumentRecord, rows: Sequence[dict], number: int, relation: RelationRecord, offset: int
    ) -> PendingRelation:
        if not isinstance(relation, RelationRecord):
            raise self._fail(record, f"relation {number} is not a relation")
        where = relation.where
        kind = relation.type
        if not isinstance(kind, str) or (problem := label_name_problem(kind)):
            shown = problem.replace("label name", "relation type") if isinstance(kind, str) and problem else (
                f"relation type {quoted(kind)} is not a word")
            raise self._fail(record, f"relation {number}: {shown}", where)
        ends = []
        for end_name, end in (("head", relation.head), ("child", relation.child)):
            if not isinstance(end, int) or isinstance(end, bool) or not 0 <= end < len(rows):
                raise self._fail(
                    record, f"relation {number} ({kind}): its {end_name} {quoted(end)} is not one of the "
                    f"record's {len(rows)} span(s)", where)
            ends.append(end)
        head, child = ends
        if head == child:
            raise self._fail(record, f"relation {number} ({kind}) links a span to itself", where)
        head_row, child_row = rows[head], rows[child]
        described = (f"{kind} from {head_row['label']} {_short(head_row['quote'])} "
                     f"to {child_row['label']} {_short(child_row['quote'])}")
        existing = self.types.get(kind)
        if existing is not None and not existing.allows(head_row["label"], child_row["label"]):
            heads = "/".join(existing.head_labels) or "any span"
            children = "/".join(existing.child_labels) or "any span"
            raise self._fail(
                record, f"relation {number} ({described}): relation type {kind!r} links a {heads} to a "
                f"{children}, not a {head_row['label']} to a {child_row['label']}", where)
        if existing is None:
            directed = relation.directed is not False
            self.types_needed[kind] = self.types_needed.get(kind, False) or directed
        created_at, updated_at = span_timestamps(self.name, relation, record.line)
        for key in ("note", "annotator", "status", "id", "origin"):
            value = getattr(relation, key)
            if value is not None and not isinstance(value, str):
                raise self._fail(record, f"relation {number} ({described}): its {key} must be a string", where)
        try:
            row = relation_row(
                doc_id=head_row["doc_id"], head=head_row["id"], child=child_row["id"], type=kind,
                annotator=relation.annotator or self.annotator, note=relation.note or "",
                status=relation.status or "accepted", origin=relation.origin or "import", id=relation.id,
                created_at=created_at, updated_at=updated_at,
            )
        except MarginError as error:
            raise self._fail(record, f"relation {number} ({described}): {error}", where) from None
        if relation.id is not None and relation.updated_at is None:
            row["_undated"] = True
        return PendingRelation(
            offset + head, offset + child, row, relation.id is not None, where or (self.name, record.line))

    def _attributes(
        self, record: DocumentRecord, row: dict, values: dict[str, str], lines: dict[str, tuple[str, int]]
    ) -> dict[str, str]:
        if not isinstance(values, dict):
            raise self._fail(record, f"{row['label']} span {_short(row['quote'])}: attributes must be an object")
        checked = {}
        for name, value in values.items():
            where = f"{row['label']} span {_short(row['quote'])}, attribute {quoted(name)}"
            if not isinstance(value, str):
                raise self._fail(
                    record, f"{where}: the value must be a string, not {type(value).__name__}", lines.get(name))
            try:
                check_label_name(name if isinstance(name, str) else "")
                attribute = self.attribute_defs.get(name)
                if attribute is None:
                    if value != FLAG_VALUE and label_name_problem(value):
                        check_value(AttributeDef(name, "text"), value)
                elif not attribute.applies_to(row["label"]):
                    raise MarginError(
                        f"{name} applies to {'/'.join(attribute.labels)} spans, not to a {row['label']}")
                elif attribute.kind == "choice":
                    check_choice(value)
                else:
                    check_value(attribute, value)
            except MarginError as error:
                raise self._fail(record, f"{where}: {error}", lines.get(name)) from None
            self.values_seen.setdefault(name, set()).add(value)
            checked[name] = value
        return checked

    # -- tying to annotation ids -----------------------------------------------------

    def _undirected(self, kind: str) -> bool:
        known = self.types.get(kind)
        return not known.directed if known is not None else not self.types_needed.get(kind, True)

    def resolve(
        self,
        relations: list[PendingRelation],
        attributes: list[PendingAttributes],
        span_rows: Sequence[dict],
        span_ids: Sequence[str],
        span_ops: Sequence[str],
        stored_before: set[str],
        counts: dict[str, int],
    ) -> LinkRows:
        """Rows to stage, with each end and value on the id its span ended up with
        (``span_ids``; ``span_ops`` says whether the span is new, an update or there
        already). ``counts`` gains what is already present."""
        out = LinkRows()
        ids = [pending.row["id"] for pending in relations if pending.has_id]
        by_id = {
            row[0]: (row[1], row[2])
            for table in ("main.relations", "temp.import_relations")
            for row in self.db.rows_in(f"select id, doc_id, updated_at from {table} where id in ({{}})", ids)
        }
        keys = {
            tuple(row)
            for table in ("main.relations", "temp.import_relations")
            for row in self.db.rows_in(
                f"select head, child, type, annotator from {table} where deleted_at is null and doc_id in ({{}})",
                sorted(stored_before),
            )
        }
        batch_ids: set[str] = set()
        for pending in relations:
            row = pending.row
            row["head"], row["child"] = span_ids[pending.head], span_ids[pending.child]
            if row["head"] == row["child"]:
                raise FormatError(
                    *pending.place,
                    f"relation {row['type']} links two spans that are one and the same "
                    f"({span_rows[pending.head]['label']} {_short(span_rows[pending.head]['quote'])})")
            key = (row["head"], row["child"], row["type"], row["annotator"])
            mirrored = (row["child"], row["head"], row["type"], row["annotator"])
            if pending.has_id and (row["id"] in by_id or row["id"] in batch_ids):
                if row["id"] in batch_ids:
                    counts["relations_present"] += 1
                    continue
                doc_id, updated_at = by_id[row["id"]]
                if doc_id != row["doc_id"] and same_lineage(self.db.rows_in, doc_id, row["doc_id"]):
                    counts["relations_present"] += 1  # moved onto a newer version since
                    batch_ids.add(row["id"])
                    continue
                if doc_id != row["doc_id"]:
                    raise FormatError(
                        *pending.place, f"relation {row['id']} belongs to another document in this database")
                if not row.get("_undated") and row["updated_at"] > comparable(updated_at):
                    out.relation_updates.append(row)
                else:
                    counts["relations_present"] += 1
                batch_ids.add(row["id"])
                keys.add(key)
                continue
            if not pending.has_id and (key in keys or (self._undirected(row["type"]) and mirrored in keys)):
                counts["relations_present"] += 1
                continue
            keys.add(key)
            batch_ids.add(row["id"])
            out.relation_inserts.append(row)
        for pending_values in attributes:
            span = span_rows[pending_values.span]
            op = "update" if span_ops[pending_values.span] == "update" else "insert"
            for name, value in pending_values.values.items():
                out.attributes.append(({
                    "annotation_id": span_ids[pending_values.span], "name": name, "value": value,
                    "doc_id": span["doc_id"], "annotator": span["annotator"],
                    "created_at": span["updated_at"], "updated_at": span["updated_at"], "deleted_at": None,
                }, op))
        return out

    # -- publishing ---------------------------------------------------------------

    def ensure_schemes(self) -> tuple[list[str], list[str]]:
        """Inside the publishing transaction: create what the file uses and the
        scheme lacks. Returns the relation types and attributes created."""
        known = {kind.name for kind in list_relation_types(self.db)}
        types_created = []
        for name in sorted(set(self.types_needed) - known):
            add_relation_type(self.db, name, directed=self.types_needed[name])
            types_created.append(name)
        defined = {attribute.name for attribute in list_attribute_defs(self.db)}
        attributes_created = []
        choices: dict[str, set[str]] = {}
        for name, values in sorted(self.values_seen.items()):
            if name not in defined and any(label_name_problem(value) for value in values):
                add_attribute_def(self.db, name, kind="text")
                attributes_created.append(name)
            else:
                choices[name] = values
        attributes_created += [a.name for a in ensure_attribute_defs(self.db, choices) if a.name not in defined]
        return types_created, sorted(attributes_created)
