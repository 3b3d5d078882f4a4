"""Commands that show what a database holds: documents, stats, labels, info."""

from __future__ import annotations

import click
from rich.text import Text

from margin.store import documents as documents_store
from margin.store import labels as labels_store
from margin.store.stats import annotation_stats, database_info

from ..cli import Context, pass_context
from ..keys import reserved_key_error
from .output import console, print_json, table

# Columns the document table needs besides one per label (name + 3 for borders):
# id, a title of 16 characters, read and total, with their borders.
MIN_DOCUMENT_COLUMNS = 15 + 19 + 7 + 8 + 1


@click.command("documents")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def documents_command(ctx: Context, as_json: bool) -> None:
    """List documents with their annotation counts per label.

    \b
    Example:
      margin documents --json | jq '.[].title'
    """
    db = ctx.open_db(existing=True)
    summaries = documents_store.list_documents(db, annotator=ctx.annotator)
    if as_json:
        print_json(
            [
                {
                    "id": summary.id,
                    "title": summary.title,
                    "source": summary.source,
                    "characters": summary.length,
                    "progress": round(summary.progress, 1),
                    "counts": summary.counts,
                }
                for summary in summaries
            ]
        )
        return
    label_names = [label.name for label in labels_store.list_labels(db)]
    out = console()
    if sum(len(name) + 3 for name in label_names) + MIN_DOCUMENT_COLUMNS <= out.width:
        result = table("id", "title", "read", *label_names, "total", numeric=("read", *label_names, "total"))
        for summary in summaries:
            result.add_row(
                summary.id[:12],
                Text(summary.title),
                f"{summary.progress:.0f}%",
                *(str(summary.counts.get(name, 0)) for name in label_names),
                str(summary.total),
            )
    else:
        # A column per label does not fit (an imported scheme can have dozens), so
        # each row lists the labels it uses.
        result = table("id", "title", "read", "labels", "total", numeric=("read", "total"))
        for summary in summaries:
            used = ", ".join(f"{name} {summary.counts[name]}" for name in label_names if summary.counts.get(name))
            result.add_row(
                summary.id[:12], Text(summary.title), f"{summary.progress:.0f}%", Text(used), str(summary.total)
            )
    out.print(result)
    out.print(f"{len(summaries)} document(s)")


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@pass_context
def stats_command(ctx: Context, as_json: bool) -> None:
    """Count live annotations per label, annotator, status and document.

    \b
    Example:
      margin stats
      margin --db team.db stats --json
    """
    stats = annotation_stats(ctx.open_db(existing=True))
    if as_json:
        print_json(
            {
                "total": stats.total,
                "labels": stats.by_label,
                "annotators": stats.by_annotator,
                "statuses": stats.by_status,
                "documents": [
                    {"id": doc_id, "title": title, "annotations": count}
                    for doc_id, title, count in stats.by_document
                ],
            }
        )
        return
    out = console()
    for title, counts in (
        ("Labels", stats.by_label),
        ("Annotators", stats.by_annotator),
        ("Statuses", stats.by_status),
    ):
        grouped = table(title.lower().rstrip("s"), "annotations", title=title, numeric=("annotations",))
        for name, count in counts.items():
            grouped.add_row(Text(name), str(count))
        out.print(grouped)
    per_document = table("id", "title", "annotations", title="Documents", numeric=("annotations",))
    for doc_id, doc_title, count in stats.by_document:
        per_document.add_row(doc_id[:12], Text(doc_title), str(count))
    out.print(per_document)
    out.print(f"{stats.total} annotation(s)")


def _print_labels(ctx: Context, as_json: bool) -> None:
    db = ctx.open_db(existing=True)
    labels = labels_store.list_labels(db)
    if as_json:
        print_json(
            [
                {
                    "name": label.name,
                    "key": label.key,
                    "color": label.color,
                    "description": label.description,
                    "annotations": labels_store.label_usage(db, label.name),
                }
                for label in labels
            ]
        )
        return
    result = table("name", "key", "colour", "annotations", "description", numeric=("annotations",))
    for label in labels:
        result.add_row(
            Text(label.name, style=f"bold {label.color}"),
            label.key or "",
            label.color,
            str(labels_store.label_usage(db, label.name)),
            Text(label.description),
        )
    console().print(result)


@click.group("labels", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def labels_command(click_ctx: click.Context, as_json: bool) -> None:
    """List and manage the label scheme, which everyone sharing the database shares.

    \b
    Examples:
      margin labels
      margin labels add quote --key 4 --color "#c061cb"
      margin labels rename statistic number
      margin labels set person --key p
      margin labels remove quote --force
    """
    if click_ctx.invoked_subcommand is None:
        _print_labels(click_ctx.find_object(Context), as_json)


def _refuse_reserved(key: str | None) -> None:
    problem = reserved_key_error(key)
    if problem:
        raise click.BadParameter(problem, param_hint="--key")


@labels_command.command("add")
@click.argument("name")
@click.option("--key", help="Keyboard key that applies the label (a letter or digit).")
@click.option("--color", help="Colour as #rrggbb (default: the next in the palette).")
@click.option("--description", default="", help="What the label is for.")
@pass_context
def labels_add(ctx: Context, name: str, key: str | None, color: str | None, description: str) -> None:
    """Add a label.

    \b
    Example:
      margin labels add quote --key 4 --color "#c061cb"
    """
    _refuse_reserved(key)
    label = labels_store.add_label(ctx.open_db(), name, key=key, color=color, description=description)
    click.echo(f"added label {label.name} (key {label.key or 'none'}, colour {label.color})")


@labels_command.command("rename")
@click.argument("old")
@click.argument("new")
@pass_context
def labels_rename(ctx: Context, old: str, new: str) -> None:
    """Rename a label and every annotation that carries it.

    \b
    Example:
      margin labels rename statistic number
    """
    moved = labels_store.rename_label(ctx.open_db(), old, new)
    click.echo(f"renamed {old} to {new} ({moved} annotation(s))")


@labels_command.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also remove the annotations that use it.")
@pass_context
def labels_remove(ctx: Context, name: str, force: bool) -> None:
    """Remove a label; refused while annotations use it, unless --force.

    \b
    Example:
      margin labels remove quote --force
    """
    removed = labels_store.remove_label(ctx.open_db(), name, force=force)
    click.echo(f"removed label {name}" + (f" and {removed} annotation(s)" if removed else ""))


@labels_command.command("set")
@click.argument("name")
@click.option("--key", help="New keyboard key.")
@click.option("--no-key", is_flag=True, help="Remove the label's key.")
@click.option("--color", help="New colour as #rrggbb.")
@click.option("--description", help="New description.")
@pass_context
def labels_set(
    ctx: Context, name: str, key: str | None, no_key: bool, color: str | None, description: str | None
) -> None:
    """Change a label's key, colour or description.

    \b
    Example:
      margin labels set person --key p --color "#3584e4"
    """
    _refuse_reserved(key)
    label = labels_store.update_label(
        ctx.open_db(), name, key=key, color=color, description=description, clear_key=no_key
    )
    click.echo(f"{label.name}: key {label.key or 'none'}, colour {label.color}")


@click.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def info_command(ctx: Context, as_json: bool) -> None:
    """Show the database path, schema version and counts.

    \b
    Example:
      margin --db team.db info
    """
    if not ctx.db_path.exists():
        # Where the database will be is the first thing a new user asks; no need to create it.
        if as_json:
            print_json({"path": str(ctx.db_path), "exists": False, "annotator": ctx.annotator})
        else:
            click.echo(f"database {ctx.db_path} (not created yet: `margin` creates it)\nyou {ctx.annotator}")
        return
    info = database_info(ctx.open_db())
    if as_json:
        print_json(info)
        return
    result = table("", "", numeric=())
    result.show_header = False
    for name, value in (
        ("database", info.path + (" (read-only)" if info.readonly else "")),
        ("schema version", str(info.schema_version)),
        ("size", f"{info.size_bytes / 1024:.0f} KiB"),
        ("documents", str(info.documents)),
        ("annotations", str(info.annotations)),
        ("deleted (tombstones)", str(info.deleted_annotations)),
        ("labels", str(info.labels)),
        ("annotators", str(info.annotators)),
        ("you", ctx.annotator),
    ):
        result.add_row(name, Text(value))
    console().print(result)
