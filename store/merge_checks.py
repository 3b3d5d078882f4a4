"""What another database must hold before a merge takes anything from it.

A merge copies names (labels, relation types, attributes, their keys, colours and
choices, annotators) that are then shown on every screen and written to every
export. Every other way in refuses a name that carries a control character or
cannot be typed (``store.names``), but a database file can be written by anything,
so the merge checks the source's rows with the same rules and refuses the whole
merge, before anything is written, on the first one that fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .database import Database
from .errors import MarginError
from .labels import COLOR_PATTERN, KEY_FORMS, KEY_PATTERN, terminal_key_problem
from .model import ATTRIBUTE_KINDS
from .names import character_problem, label_name_problem, quoted
from .schemes import check_choice

_SCHEMES = (("label", "labels"), ("relation type", "relation_types"), ("attribute", "attribute_defs"))
_LISTS = {"relation_types": ("head_labels", "child_labels"), "attribute_defs": ("labels",)}
"""Each scheme's JSON-list columns of label names."""
_USED_NAMES = (
    ("label", "annotations", "label"), ("relation type", "relations", "type"), ("attribute", "attributes", "name"),
    ("label", "label_renames", "old"), ("label", "label_renames", "new"),
    ("relation type or attribute", "scheme_renames", "old"), ("relation type or attribute", "scheme_renames", "new"),
)
"""Where items and rename histories name an entry: they are copied under that name."""
_ANNOTATORS = (
    ("annotations", "annotator"), ("relations", "annotator"), ("attributes", "annotator"),
    ("reading_state", "annotator"), ("bookmarks", "annotator"), ("reviews", "reviewer"),
)


def _name_problem(kind: str, name: object) -> str | None:
    if not isinstance(name, str):
        return f"{kind} name {quoted(name)} is not text"
    problem = label_name_problem(name)
    # The rule is a label's; the message names what the source holds.
    return None if problem is None else problem.replace("label name", f"{kind} name", 1)


def _key_problem(kind: str, name: str, key: object) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        return f"{kind} {quoted(name)} has the key {quoted(key)}, which is not a usable key ({KEY_FORMS})"
    problem = terminal_key_problem(key)
    return None if problem is None else f"{kind} {quoted(name)}: {problem}"


def _listed(kind: str, name: str, column: str, text: object) -> tuple[list, str | None]:
    try:
        values = [] if text is None else json.loads(text) if isinstance(text, (str, bytes)) else None
    except ValueError:
        values = None
    if not isinstance(values, list):
        return [], f"{kind} {quoted(name)} has {column} {quoted(text)}, which is not a JSON list"
    return values, None


def _row_problems(kind: str, table: str, row: dict) -> Iterator[str | None]:
    name = row["name"]
    yield _name_problem(kind, name)
    yield _key_problem(kind, name, row["key"])
    color = row.get("color")
    if color and not (isinstance(color, str) and COLOR_PATTERN.match(color)):
        yield f"{kind} {quoted(name)} has the colour {quoted(color)}, which is not of the form #rrggbb"
    for column in _LISTS.get(table, ()):
        labels, problem = _listed(kind, name, column, row[column])
        yield problem
        for label in labels:
            if problem := _name_problem("label", label):
                yield f"{kind} {quoted(name)}: {column}: {problem}"
    if table == "attribute_defs":
        if row["kind"] not in ATTRIBUTE_KINDS:
            yield (
                f"attribute {quoted(name)} has the kind {quoted(row['kind'])}; "
                f"a kind is one of {', '.join(ATTRIBUTE_KINDS)}"
            )
        choices, problem = _listed(kind, name, "choices", row["choices"])
        yield problem
        for choice in choices:
            try:
                if not isinstance(choice, str):
                    raise MarginError("a choice is text")
                check_choice(choice)
            except MarginError as error:
                yield f"attribute {quoted(name)} has the choice {quoted(choice)}: {error}"


def _model_problems(row: dict) -> Iterator[str | None]:
    """A model is read by the suggester of its kind, which ignores kinds it does not
    know (a newer margin's); its name and kind are still shown and must be inert."""
    name, kind = row["name"], row["kind"]
    for what, value in (("model name", name), ("model kind", kind)):
        if not isinstance(value, str) or not value.strip():
            yield f"models: {what} {quoted(value)} is not text"
        else:
            yield character_problem(what, value)
    if not isinstance(row["data"], bytes):
        yield f"model {quoted(name)} holds {quoted(row['data'])} where its bytes should be"
    trained_on = row["trained_on"]
    if not isinstance(trained_on, int) or trained_on < 0:
        yield f"model {quoted(name)} was trained on {quoted(trained_on)} spans, which is not a count"
    labels, problem = _listed("model", name, "labels", row["labels"])
    yield problem
    for label in labels:
        if problem := _name_problem("label", label):
            yield f"model {quoted(name)}: labels: {problem}"


def _problems(db: Database) -> Iterator[str | None]:
    for kind, table in _SCHEMES:
        cursor = db.execute(f"select * from {table}")
        columns = [column[0] for column in cursor.description]
        for values in cursor:
            yield from _row_problems(kind, table, dict(zip(columns, values)))
    for kind, table, column in _USED_NAMES:
        for (name,) in db.execute(f'select distinct "{column}" from {table}'):
            problem = _name_problem(kind, name)
            yield None if problem is None else f"{table}: {problem}"
    for table, column in _ANNOTATORS:
        for (name,) in db.execute(f'select distinct "{column}" from {table} where "{column}" is not null'):
            # Only what would act on a terminal: older imports may have kept empty names.
            problem = character_problem("annotator name", name) if isinstance(name, str) else None
            yield None if problem is None else f"{table}: {problem}"
    cursor = db.execute("select name, kind, data, labels, trained_on from models")
    for values in cursor:
        yield from _model_problems(dict(zip(("name", "kind", "data", "labels", "trained_on"), values)))


def check_source(name: str, db: Database) -> None:
    """Refuse ``db`` as a merge source, naming ``name`` and the first row that fails."""
    problem = next((problem for problem in _problems(db) if problem), None)
    if problem is not None:
        raise MarginError(f"{name}: {problem}; nothing was merged")
