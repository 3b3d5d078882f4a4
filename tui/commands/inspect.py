"""Commands that show what a database holds: documents, stats, labels, info."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from itertools import chain, islice

import click
from rich.text import Text

from margin.store import labels as labels_store
from margin.store.documents import DocumentSummary, count_documents
from margin.store.model import Label
from margin.store.stats import (
    annotation_stats,
    database_info,
    iter_document_summaries,
    iter_document_totals,
    label_totals,
)

from ..keys import reserved_key_error
from ..text.sanitise import sanitise
from . import output
from .context import Context, ListingOptions, listing_options, pass_context
from .output import Column, Listing, Terminal, console, emit, json_array, json_text, print_json, table
from .versions import review_totals, version_tags

# Columns the document table needs besides one per label (name + 3 for borders):
# id, a title of 16 characters, read and total, with their borders.
MIN_DOCUMENT_COLUMNS = 15 + 19 + 7 + 8 + 1
VERSION_WIDTH = 20
"""Enough for "v1, superseded by v2"; a longer tag ends in an ellipsis."""


def _number_width(name: str) -> int:
    return max(len(name), 5)


@click.command("documents")
@listing_options
@pass_context
def documents_command(ctx: Context, listing: ListingOptions) -> None:
    """List documents with their annotation counts per label and reading progress.

    On a terminal, a table of what fits the screen (--limit N, --offset N or --all
    for more); piped, tab-separated values with one column per label; --json and
    --jsonl for scripts. Rows stream, so a corpus of any size lists at once.
    Once a document has versions, a version column says which each row is (v2;
    v1, superseded by v2) and a review column how many spans on the newest
    version wait for review (margin reanchor --report lists them).

    \b
    Examples:
      margin documents
      margin documents --limit 50 --offset 100
      margin documents > documents.tsv
      margin documents --json | jq '.[].title'
      margin documents --jsonl | head -3
    """
    db = ctx.open_db(existing=True)
    label_names = [label.name for label in labels_store.list_labels(db)]
    # Both read only versioned documents and re-anchored spans, so a database without
    # versions lists as it always did, with the same columns.
    tags = version_tags(db)
    waiting = review_totals(db) if tags else {}

    def fetch(limit: int | None, offset: int) -> Iterator[DocumentSummary]:
        return iter_document_summaries(db, annotator=ctx.annotator, limit=limit, offset=offset)

    def version_cells(summary: DocumentSummary) -> list[object]:
        if not tags:
            return []
        tag = tags.get(summary.id)
        return [str(tag) if tag else "", waiting.get(summary.id, 0) if tag and tag.is_newest else ""]

    collapsed = False

    def table_columns(screen: Terminal) -> list[Column]:
        nonlocal collapsed
        versions = [Column("version", width=VERSION_WIDTH), Column("review", True, 6)] if tags else []
        needed = MIN_DOCUMENT_COLUMNS + sum(column.width or 0 for column in versions) + 3 * len(versions)
        collapsed = sum(len(name) + 3 for name in label_names) + needed > screen.width
        if not collapsed:
            per_label = [Column(name, numeric=True, width=_number_width(name)) for name in label_names]
        else:
            # A column per label does not fit (an imported scheme can have dozens), so
            # each row lists the labels it uses.
            per_label = [Column("labels")]
        return [Column("id", width=12), Column("title"), *versions, Column("read", True, 4), *per_label,
                Column("total", True, 5)]

    def table_cells(summary: DocumentSummary, columns: Sequence[Column]) -> list[object]:
        if collapsed:
            used = ", ".join(f"{name} {summary.counts[name]}" for name in label_names if summary.counts.get(name))
            per_label: list[object] = [used]
        else:
            per_label = [summary.counts.get(name, 0) for name in label_names]
        return [summary.id[:12], summary.title, *version_cells(summary), f"{summary.progress:.0f}%", *per_label,
                summary.total]

    def record(summary: DocumentSummary) -> dict:
        found = {
            "id": summary.id,
            "title": summary.title,
            "source": summary.source,
            "characters": summary.length,
            "progress": round(summary.progress, 1),
            "counts": summary.counts,
        }
        tag = tags.get(summary.id)
        if tag is not None:
            found |= {"version": tag.version, "newest_version": tag.newest, "superseded": not tag.is_newest}
            if tag.is_newest:
                found["to_review"] = waiting.get(summary.id, 0)
        return found

    emit(
        Listing(
            noun="documents",
            fetch=fetch,
            count=lambda: count_documents(db),
            columns=["id", "title", "characters", "read", *label_names, "total", *(["version", "review"] if tags else [])],
            cells=lambda summary: [
                summary.id,
                summary.title,
                summary.length,
                round(summary.progress, 1),
                *(summary.counts.get(name, 0) for name in label_names),
                summary.total,
                *version_cells(summary),
            ],
            record=record,
            table_columns=table_columns,
            table_cells=table_cells,
        ),
        listing,
    )


GROUPS = ("label", "annotator", "status", "document")


def _document_totals_listing(db, noun: str = "documents") -> Listing:
    return Listing(
        noun=noun,
        fetch=lambda limit, offset: iter_document_totals(db, limit=limit, offset=offset),
        count=lambda: count_documents(db),
        columns=["id", "title", "annotations"],
        cells=lambda row: list(row),
        record=lambda row: {"id": row[0], "title": row[1], "annotations": row[2]},
        table_columns=lambda _screen: [Column("id", width=12), Column("title"), Column("annotations", True, 11)],
        table_cells=lambda row, _columns: [row[0][:12], row[1], row[2]],
    )


def _counts_listing(noun: str, group: str, counts: dict[str, int]) -> Listing:
    def fetch(limit: int | None, offset: int) -> Iterable[tuple[str, int]]:
        return islice(counts.items(), offset, None if limit is None else offset + limit)

    return Listing(
        noun=noun,
        fetch=fetch,
        count=lambda: len(counts),
        columns=[group, "annotations"],
        cells=lambda row: list(row),
        record=lambda row: {group: row[0], "annotations": row[1]},
        table_columns=lambda _screen: [Column(group, width=max(map(len, [group, *counts]))), Column("annotations", True, 11)],
    )


@click.command("stats")
@click.option(
    "--by",
    type=click.Choice(GROUPS),
    help="Only the counts per label, annotator, status or document (with --limit and --offset).",
)
@listing_options
@pass_context
def stats_command(ctx: Context, by: str | None, listing: ListingOptions) -> None:
    """Count live annotations per label, annotator, status and document.

    On a terminal, a table per grouping, the documents cut to what fits the screen;
    piped, tab-separated rows of group, name and count (a document's name is its id).
    --limit and --offset page through the documents; --by document lists them with
    their titles.

    \b
    Examples:
      margin stats
      margin stats --by annotator
      margin stats --by document --limit 20
      margin --db team.db stats --json
    """
    db = ctx.open_db(existing=True)
    if by == "document":
        emit(_document_totals_listing(db), listing)
        return
    stats = annotation_stats(db)
    groups = {"label": stats.by_label, "annotator": stats.by_annotator, "status": stats.by_status}
    if by is not None:
        emit(_counts_listing(f"{by}s" if by != "status" else "statuses", by, groups[by]), listing)
        return
    screen = output.terminal()
    fmt = listing.fmt or ("table" if screen else "tsv")
    if fmt == "table" and screen is not None:
        out = console(width=screen.width)
        used = 0
        for group, title in (("label", "Labels"), ("annotator", "Annotators"), ("status", "Statuses")):
            counts = groups[group]
            grouped = table(group, "annotations", title=title, numeric=("annotations",))
            for name, count in counts.items():
                grouped.add_row(Text(sanitise(name)), str(count))
            out.print(grouped)
            used += len(counts) + 5
        out.print(Text("Documents", style="italic"))
        emit(_document_totals_listing(db), listing, Terminal(screen.width, max(TABLE_ROWS_AT_LEAST, screen.height - used - 2)))
        out.print(f"{stats.total} annotation(s)", markup=False)
        return
    totals = _document_totals_listing(db)
    if fmt == "json":

        def whole(documents: Iterable[str]) -> Iterator[str]:
            head = json_text(
                {"total": stats.total, "labels": stats.by_label, "annotators": stats.by_annotator, "statuses": stats.by_status},
                indent=2,
            )
            yield head[: -len("\n}")] + ',\n  "documents": '
            yield from json_array(documents, indent="    ", outer="  ")
            yield "\n}"

        totals.json_wrap = whole
        emit(totals, listing)
        return
    summary_rows = [(group, name, count) for group, counts in groups.items() for name, count in counts.items()]
    document_rows = totals.fetch
    emit(
        Listing(
            noun="rows",
            fetch=lambda limit, offset: chain(
                summary_rows, (("document", doc_id, count) for doc_id, _title, count in document_rows(limit, offset))
            ),
            count=lambda: len(summary_rows) + count_documents(db),
            columns=["group", "name", "annotations"],
            cells=lambda row: list(row),
            record=lambda row: {"group": row[0], "name": row[1], "annotations": row[2]},
        ),
        listing,
    )


TABLE_ROWS_AT_LEAST = 10
"""Lines given to the documents table of ``margin stats`` however many labels came first."""


def _print_labels(ctx: Context, listing: ListingOptions) -> None:
    db = ctx.open_db(existing=True)
    labels = labels_store.list_labels(db)
    used = label_totals(db)

    def fetch(limit: int | None, offset: int) -> Iterable[Label]:
        return islice(labels, offset, None if limit is None else offset + limit)

    emit(
        Listing(
            noun="labels",
            fetch=fetch,
            count=lambda: len(labels),
            columns=["name", "key", "colour", "annotations", "description"],
            cells=lambda label: [label.name, label.key or "", label.color, used.get(label.name, 0), label.description],
            record=lambda label: {
                "name": label.name,
                "key": label.key,
                "color": label.color,
                "description": label.description,
                "annotations": used.get(label.name, 0),
            },
            table_columns=lambda _screen: [
                Column("name", width=max([4, *(len(label.name) for label in labels)])),
                Column("key", width=6),
                Column("colour", width=7),
                Column("annotations", True, 11),
                Column("description"),
            ],
            table_cells=lambda label, _columns: [
                Text(sanitise(label.name), style=f"bold {label.color}"),
                label.key or "",
                label.color,
                used.get(label.name, 0),
                label.description,
            ],
        ),
        listing,
    )


@click.group("labels", invoke_without_command=True)
@listing_options
@click.pass_context
def labels_command(click_ctx: click.Context, listing: ListingOptions) -> None:
    """List and manage the label scheme, which everyone sharing the database shares.

    \b
    Examples:
      margin labels
      margin labels --tsv
      margin labels add quote --key 4 --color "#c061cb"
      margin labels rename statistic number
      margin labels set person --key p
      margin labels remove quote --force
    """
    if click_ctx.invoked_subcommand is None:
        ctx = click_ctx.find_object(Context)
        assert ctx is not None, "margin's group sets the context"
        _print_labels(ctx, listing)


def _refuse_reserved(key: str | None) -> None:
    problem = reserved_key_error(key)
    if problem:
        raise click.BadParameter(problem, param_hint="--key")


@labels_command.command("add")
@click.argument("name")
@click.option(
    "--key",
    help="Keyboard key that applies the label: a letter, a digit, f1–f12 or ctrl+letter, "
    "not one of margin's own keys (default: the first free digit).",
)
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
    click.echo(sanitise(f"added label {label.name} (key {label.key or 'none'}, colour {label.color})"))


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
    click.echo(sanitise(f"renamed {old} to {new} ({moved} annotation(s))"))


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
    click.echo(sanitise(f"removed label {name}" + (f" and {removed} annotation(s)" if removed else "")))


@labels_command.command("set")
@click.argument("name")
@click.option("--key", help="New keyboard key: a letter, a digit, f1–f12 or ctrl+letter, not one of margin's own.")
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
    click.echo(sanitise(f"{label.name}: key {label.key or 'none'}, colour {label.color}"))


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
            click.echo(sanitise(f"database {ctx.db_path} (not created yet: `margin` creates it)\nyou {ctx.annotator}"))
        return
    db = ctx.open_db()
    info = database_info(db)
    tags = version_tags(db)
    versioned = sum(1 for tag in tags.values() if tag.is_newest)
    to_review = sum(review_totals(db).values()) if tags else 0
    if as_json:
        print_json(asdict(info) | {"documents_with_versions": versioned, "to_review": to_review})
        return
    result = table("", "", numeric=())
    result.show_header = False
    for name, value in (
        ("database", info.path + (" (read-only)" if info.readonly else "")),
        ("schema version", str(info.schema_version)),
        ("size", f"{info.size_bytes / 1024:.0f} KiB"),
        ("documents", str(info.documents)),
        ("documents with versions", str(versioned)),
        ("spans to review (re-anchored)", str(to_review)),
        ("annotations", str(info.annotations)),
        ("deleted (tombstones)", str(info.deleted_annotations)),
        ("labels", str(info.labels)),
        ("relations", str(info.relations)),
        ("attribute values", str(info.attribute_values)),
        ("annotators", str(info.annotators)),
        ("you", ctx.annotator),
    ):
        result.add_row(name, Text(sanitise(value)))
    console().print(result)
