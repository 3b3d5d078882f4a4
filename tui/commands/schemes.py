"""``margin relations`` and ``margin attributes``: the relation and attribute schemes,
listed and managed as ``margin labels`` manages the labels, with the same listing
options, output rules and errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

import click
from rich.text import Text

from margin.store import schemes as schemes_store
from margin.store.labels import COLOR_PATTERN
from margin.store.model import AttributeDef, RelationType

from ..scheme_keys import attribute_key_error, relation_key_error
from ..text.sanitise import sanitise
from .context import Context, ListingOptions, listing_options, pass_context
from .output import Column, Listing, emit


def _listing(noun: str, rows: Sequence[Any], columns: Sequence[str], cells: Callable[[Any], list[object]],
             table_columns: Sequence[Column], table_cells: Callable[[Any], list[object]]) -> Listing:
    """A listing of a scheme's entries (TSV, JSON, a table) from one row of cells:
    the JSON record is those cells by column name, lists kept as lists."""

    def fetch(limit: int | None, offset: int) -> Iterable[Any]:
        return islice(rows, offset, None if limit is None else offset + limit)

    return Listing(
        noun=noun,
        fetch=fetch,
        count=lambda: len(rows),
        columns=columns,
        cells=lambda row: [_tsv_value(cell) for cell in cells(row)],
        record=lambda row: {
            name: list(cell) if isinstance(cell, tuple) else cell for name, cell in zip(columns, cells(row), strict=True)
        },
        table_columns=lambda _screen: table_columns,
        table_cells=lambda row, _columns: table_cells(row),
    )


def _tsv_value(cell: object) -> object:
    if isinstance(cell, bool):
        return str(cell).lower()
    return ", ".join(cell) if isinstance(cell, tuple) else cell


def _name_cell(name: str, color: str | None = None) -> Text:
    """The name, bold in its colour when the colour is one (a foreign database's may not be)."""
    style = f"bold {color}" if color and COLOR_PATTERN.match(color) else "bold"
    return Text(sanitise(name), style=style)


def _names_cell(names: tuple[str, ...]) -> str:
    return ", ".join(names) or "any"


def _width(names: Iterable[str], least: int) -> int:
    return max([least, *(len(name) for name in names)])


def _group_invoked(click_ctx: click.Context) -> Context | None:
    if click_ctx.invoked_subcommand is not None:
        return None
    ctx = click_ctx.find_object(Context)
    assert ctx is not None, "margin's group sets the context"
    return ctx


def _refuse(problem: str | None) -> None:
    if problem:
        raise click.BadParameter(problem, param_hint="--key")


def _echo(message: str) -> None:
    click.echo(sanitise(message))


def _key(key: str | None) -> str:
    return key or "none"


# -- relations ---------------------------------------------------------------------------


def _relation_phrase(kind: RelationType) -> str:
    arrow = "→" if kind.directed else "—"
    ends = f"{_names_cell(kind.head_labels)} {arrow} {_names_cell(kind.child_labels)}"
    return f"{ends}; key {_key(kind.key)}; colour {kind.color}"


def _print_relation_types(ctx: Context, listing: ListingOptions) -> None:
    db = ctx.open_db(existing=True)
    kinds = schemes_store.list_relation_types(db)
    used = {kind.name: schemes_store.relation_type_usage(db, kind.name) for kind in kinds}

    def cells(kind: RelationType) -> list[object]:
        return [kind.name, kind.key, kind.color, kind.directed, kind.head_labels, kind.child_labels,
                used[kind.name], kind.description]

    columns = ["name", "key", "colour", "directed", "head", "child", "relations", "description"]
    emit(
        _listing(
            "relation types", kinds, columns, cells,
            [Column("name", width=_width((k.name for k in kinds), 4)), Column("key", width=6), Column("colour", width=7),
             Column("directed", width=8), Column("head", width=12), Column("child", width=12),
             Column("relations", True, 9), Column("description")],
            lambda kind: [_name_cell(kind.name, kind.color), kind.key or "", kind.color,
                          "yes" if kind.directed else "no", _names_cell(kind.head_labels),
                          _names_cell(kind.child_labels), used[kind.name], kind.description],
        ),
        listing,
    )


@click.group("relations", invoke_without_command=True)
@listing_options
@click.pass_context
def relations_command(click_ctx: click.Context, listing: ListingOptions) -> None:
    """List and manage the relation types spans can be linked by, which everyone
    sharing the database shares. A type's key chooses it in the app's link mode
    (after L), so it cannot be a key that moves the cursor there.

    \b
    Examples:
      margin relations
      margin relations --json
      margin relations add quotes --key q --head claim --child person
      margin relations add same_as --undirected --head person --child person
      margin relations rename about concerns
      margin relations set cites --child statistic --child claim
      margin relations remove about --force
    """
    if (ctx := _group_invoked(click_ctx)) is not None:
        _print_relation_types(ctx, listing)


@relations_command.command("add")
@click.argument("name")
@click.option("--key", help="Key that chooses the type in link mode: a letter, a digit, f1–f12 or ctrl+letter, "
              "not one that moves the cursor (h j k l w b e E g G n N v …).")
@click.option("--color", help="Colour as #rrggbb (default: the next in the palette).")
@click.option("--description", default="", help="What the relation means.")
@click.option("--head", "heads", multiple=True, help="A label the head (the span linked from) may carry "
              "(repeatable; default: any).")
@click.option("--child", "children", multiple=True, help="A label the child (the span linked to) may carry "
              "(repeatable; default: any).")
@click.option("--undirected", is_flag=True, help="The link has no direction: either span may be the head.")
@pass_context
def relations_add(ctx: Context, name: str, key: str | None, color: str | None, description: str,
                  heads: tuple[str, ...], children: tuple[str, ...], undirected: bool) -> None:
    """Add a relation type.

    \b
    Example:
      margin relations add quotes --key q --head claim --child person
    """
    _refuse(relation_key_error(key))
    kind = schemes_store.add_relation_type(
        ctx.open_db(), name, key=key, color=color, description=description, directed=not undirected,
        head_labels=heads, child_labels=children,
    )
    _echo(f"added relation type {kind.name} ({_relation_phrase(kind)})")


@relations_command.command("rename")
@click.argument("old")
@click.argument("new")
@pass_context
def relations_rename(ctx: Context, old: str, new: str) -> None:
    """Rename a relation type and every relation of it.

    \b
    Example:
      margin relations rename about concerns
    """
    moved = schemes_store.rename_relation_type(ctx.open_db(), old, new)
    _echo(f"renamed {old} to {new} ({moved} relation(s))")


@relations_command.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also remove the relations of this type.")
@pass_context
def relations_remove(ctx: Context, name: str, force: bool) -> None:
    """Remove a relation type; refused while relations use it, unless --force.

    \b
    Example:
      margin relations remove about --force
    """
    removed = schemes_store.remove_relation_type(ctx.open_db(), name, force=force)
    _echo(f"removed relation type {name}" + (f" and {removed} relation(s)" if removed else ""))


@relations_command.command("set")
@click.argument("name")
@click.option("--key", help="New key for link mode: a letter, a digit, f1–f12 or ctrl+letter, not one that "
              "moves the cursor.")
@click.option("--no-key", is_flag=True, help="Remove the type's key.")
@click.option("--color", help="New colour as #rrggbb.")
@click.option("--description", help="New description.")
@click.option("--head", "heads", multiple=True, help="The labels the head may carry, replacing the list (repeatable).")
@click.option("--child", "children", multiple=True, help="The labels the child may carry, replacing the list "
              "(repeatable).")
@click.option("--any-head", is_flag=True, help="Let the head carry any label.")
@click.option("--any-child", is_flag=True, help="Let the child carry any label.")
@click.option("--directed/--undirected", default=None, help="Whether the link has a direction.")
@pass_context
def relations_set(ctx: Context, name: str, key: str | None, no_key: bool, color: str | None,
                  description: str | None, heads: tuple[str, ...], children: tuple[str, ...], any_head: bool,
                  any_child: bool, directed: bool | None) -> None:
    """Change a relation type's key, colour, description, labels or direction.

    \b
    Example:
      margin relations set cites --key i --child statistic --child claim
    """
    _exclusive(key=key is not None, no_key=no_key)
    _exclusive(head=bool(heads), any_head=any_head)
    _exclusive(child=bool(children), any_child=any_child)
    _refuse(relation_key_error(key))
    kind = schemes_store.update_relation_type(
        ctx.open_db(), name, key=key, clear_key=no_key, color=color, description=description, directed=directed,
        head_labels=() if any_head else heads or None, child_labels=() if any_child else children or None,
    )
    _echo(f"{kind.name}: {_relation_phrase(kind)}")


def _exclusive(**given: bool) -> None:
    chosen = [name for name, value in given.items() if value]
    if len(chosen) > 1:
        raise click.UsageError(" and ".join(f"--{name.replace('_', '-')}" for name in chosen) + " cannot be combined")


# -- attributes --------------------------------------------------------------------------


def _print_attribute_defs(ctx: Context, listing: ListingOptions) -> None:
    db = ctx.open_db(existing=True)
    attributes = schemes_store.list_attribute_defs(db)
    used = {attribute.name: schemes_store.attribute_usage(db, attribute.name) for attribute in attributes}

    def cells(attribute: AttributeDef) -> list[object]:
        return [attribute.name, attribute.kind, attribute.choices, attribute.labels, attribute.key,
                used[attribute.name], attribute.description]

    columns = ["name", "kind", "values", "labels", "key", "spans", "description"]
    emit(
        _listing(
            "attributes", attributes, columns, cells,
            [Column("name", width=_width((a.name for a in attributes), 4)), Column("kind", width=6),
             Column("values", width=24), Column("labels", width=12), Column("key", width=6),
             Column("spans", True, 5), Column("description")],
            lambda attribute: [_name_cell(attribute.name), attribute.kind, ", ".join(attribute.choices),
                               _names_cell(attribute.labels), attribute.key or "", used[attribute.name],
                               attribute.description],
        ),
        listing,
    )


@click.group("attributes", invoke_without_command=True)
@listing_options
@click.pass_context
def attributes_command(click_ctx: click.Context, listing: ListingOptions) -> None:
    """List and manage the attributes spans can carry, which everyone sharing the
    database shares: a choice of values, free text, or a flag. An attribute's key is
    pressed in the reader, as a label's is, so it cannot be one of margin's own keys.

    \b
    Examples:
      margin attributes
      margin attributes --tsv
      margin attributes add confidence --value low --value high --label claim --key K
      margin attributes add unit --text --label statistic
      margin attributes add sarcastic --flag
      margin attributes rename confidence certainty
      margin attributes set verdict --value true --value false --value misleading
      margin attributes remove sarcastic --force
    """
    if (ctx := _group_invoked(click_ctx)) is not None:
        _print_attribute_defs(ctx, listing)


@attributes_command.command("add")
@click.argument("name")
@click.option("--value", "values", multiple=True, help="A value it may take, in the order its key cycles them "
              "(repeatable; makes a choice attribute).")
@click.option("--text", "is_text", is_flag=True, help="It takes free text (a short phrase) instead of values.")
@click.option("--flag", "is_flag", is_flag=True, help="It is present or not (a flag), with no value.")
@click.option("--label", "labels", multiple=True, help="A label whose spans may carry it (repeatable; default: all).")
@click.option("--key", help="Key that sets it in the reader: a letter, a digit, f1–f12 or ctrl+letter, "
              "not one of margin's own keys nor a label's.")
@click.option("--description", default="", help="What the attribute records.")
@pass_context
def attributes_add(ctx: Context, name: str, values: tuple[str, ...], is_text: bool, is_flag: bool,
                   labels: tuple[str, ...], key: str | None, description: str) -> None:
    """Add an attribute: a choice (--value, repeated), free text (--text) or a flag (--flag).

    \b
    Example:
      margin attributes add confidence --value low --value high --label claim
    """
    _exclusive(value=bool(values), text=is_text, flag=is_flag)
    _refuse(attribute_key_error(key))
    kind = "text" if is_text else "flag" if is_flag else "choice"
    attribute = schemes_store.add_attribute_def(
        ctx.open_db(), name, kind=kind, choices=values, labels=labels, key=key, description=description
    )
    _echo(f"added attribute {attribute.name} ({_attribute_phrase(attribute)})")


def _attribute_phrase(attribute: AttributeDef) -> str:
    kind = f"one of {', '.join(attribute.choices)}" if attribute.kind == "choice" else attribute.kind
    return f"{kind}; on {_names_cell(attribute.labels)}; key {_key(attribute.key)}"


@attributes_command.command("rename")
@click.argument("old")
@click.argument("new")
@pass_context
def attributes_rename(ctx: Context, old: str, new: str) -> None:
    """Rename an attribute and every value of it.

    \b
    Example:
      margin attributes rename confidence certainty
    """
    moved = schemes_store.rename_attribute_def(ctx.open_db(), old, new)
    _echo(f"renamed {old} to {new} ({moved} value(s))")


@attributes_command.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also clear its values from the spans that carry it.")
@pass_context
def attributes_remove(ctx: Context, name: str, force: bool) -> None:
    """Remove an attribute; refused while spans carry it, unless --force.

    \b
    Example:
      margin attributes remove sarcastic --force
    """
    removed = schemes_store.remove_attribute_def(ctx.open_db(), name, force=force)
    _echo(f"removed attribute {name}" + (f" and its {removed} value(s)" if removed else ""))


@attributes_command.command("set")
@click.argument("name")
@click.option("--key", help="New key: a letter, a digit, f1–f12 or ctrl+letter, not one of margin's own.")
@click.option("--no-key", is_flag=True, help="Remove the attribute's key.")
@click.option("--value", "values", multiple=True, help="The values of a choice attribute, replacing the list "
              "(repeatable; must keep every value spans carry).")
@click.option("--label", "labels", multiple=True, help="The labels whose spans may carry it, replacing the list "
              "(repeatable).")
@click.option("--any-label", is_flag=True, help="Let spans of every label carry it.")
@click.option("--description", help="New description.")
@pass_context
def attributes_set(ctx: Context, name: str, key: str | None, no_key: bool, values: tuple[str, ...],
                   labels: tuple[str, ...], any_label: bool, description: str | None) -> None:
    """Change an attribute's key, values, labels or description.

    \b
    Example:
      margin attributes set verdict --value true --value false --value misleading --key V
    """
    _exclusive(key=key is not None, no_key=no_key)
    _exclusive(label=bool(labels), any_label=any_label)
    _refuse(attribute_key_error(key))
    attribute = schemes_store.update_attribute_def(
        ctx.open_db(), name, key=key, clear_key=no_key, choices=values or None, description=description,
        labels=() if any_label else labels or None,
    )
    _echo(f"{attribute.name}: {_attribute_phrase(attribute)}")
