"""Team commands: ``margin merge``, ``margin agreement`` and ``margin review``.

``merge`` and ``agreement`` print and exit; only ``review`` loads Textual, and only
once it knows there is something to review.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from margin.store.agreement import AgreementReport, compute_agreement
from margin.store.database import location
from margin.store.documents import resolve_document
from margin.store.errors import MarginError
from margin.store.labels import require_label
from margin.store.merge import MergeReport, merge_databases, merge_into_copy
from margin.store.review_links import review_documents
from margin.store.review_status import OpenReview, copy_agreed, reviewers

from ..text.sanitise import sanitise, shorten
from .context import Context, doc_option, label_option, pass_context
from .output import json_text


def _resolve_docs(db, refs: tuple[str, ...]) -> list[str] | None:
    return [resolve_document(db, ref).id for ref in refs] or None


def _check_labels(db, names: tuple[str, ...]) -> list[str] | None:
    for name in names:
        require_label(db, name)
    return list(names) or None


def _conflicts(report: MergeReport) -> list[str]:
    return [conflict.message for conflict in report.label_conflicts] + [
        conflict.message for conflict in report.scheme_conflicts
    ]


def _print_merge(report: MergeReport, target: Path | str) -> None:
    sources = ", ".join(report.sources)
    if sys.stdout.isatty():
        console = Console(highlight=False)
        console.print(Text(sanitise(f"Merged {sources} into {target}"), style="bold"))
        table = Table()
        table.add_column("table")
        for column in ("added", "updated", "skipped"):
            table.add_column(column, justify="right")
        for name, counts in report.tables.items():
            table.add_row(name, str(counts.added), str(counts.updated), str(counts.skipped))
        console.print(table)
        for message in _conflicts(report):
            console.print(Text.assemble(("conflict: ", "yellow"), sanitise(message)))
        if moved := _reanchor_line(report):
            console.print(Text.assemble(("versions: ", "bold"), moved))
        return
    click.echo(sanitise(f"merged {sources} into {target}"))
    for name, counts in report.tables.items():
        click.echo(f"{name}: {counts.added} added, {counts.updated} updated, {counts.skipped} skipped")
    for message in _conflicts(report):
        click.echo(f"conflict: {sanitise(message)}")
    if moved := _reanchor_line(report):
        click.echo(f"versions: {moved}")


def _reanchor_line(report: MergeReport) -> str:
    """What moved onto newer versions once merged, or "" when nothing did."""
    moved = report.reanchor
    if not moved.moved and not moved.orphans:
        return ""
    waiting = len(moved.changed) + len(moved.orphans)
    hint = f" ({waiting:,} to review: margin reanchor --report)" if waiting else ""
    return sanitise(moved.summary() + hint)


@click.command("merge")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCES (FILE|URL)...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Copy this database to a new file OUTPUT and merge into the copy; this one is left as it is. "
    "OUTPUT appears only once the merge is complete.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was merged as JSON.")
@pass_context
def merge_command(ctx: Context, sources: tuple[str, ...], output: Path | None, as_json: bool) -> None:
    """Merge other margin databases into this one.

    Documents merge by their content id (of two titles, one given by a person
    wins over one taken from the text, then the alphabetically first), labels,
    relation types and attributes by name (a differing key or colour is reported,
    and this database's is kept; removals and renames carry over), annotations and
    relations by id and attribute values by span and name, with the newest edit
    winning (deletions included). Merging is idempotent and the order of
    merges does not matter. A file that is not a margin database, or was written
    by a newer margin, is refused and nothing is merged.

    \b
    Examples:
      margin merge ~/laptop.db
      margin merge ana.db bob.db -o team.db
      margin --db team.db merge ana.db --json
      margin --db postgresql://ana@db.example/margin merge laptop.db
    """
    db = ctx.open_db()
    places = [location(source) for source in sources]
    if output is not None:
        report = merge_into_copy(db, places, output)
        target: Path | str = output
    else:
        report = merge_databases(db, places)
        target = str(ctx.db_path)
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"target": str(target)}, indent=2))
    else:
        _print_merge(report, target)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _print_agreement(report: AgreementReport) -> None:
    console = Console(highlight=False)
    if len(report.annotators) < 2:
        found = ", ".join(map(sanitise, report.annotators)) or "none"
        console.print(f"Agreement needs at least two annotators; found {found}.", markup=False)
        return
    console.print(Text("Agreement between annotators (reference → prediction)", style="bold"))
    table = Table()
    table.add_column("pair", no_wrap=True)
    table.add_column("label", no_wrap=True)
    for heading in ("exact P", "exact R", "exact F1", "overlap F1", "kappa"):
        table.add_column(heading, justify="right")
    for pair in report.pairs:
        names = [Text(sanitise(f"{pair.reference} → {pair.predicted}")), Text(f"{pair.documents} doc(s)")]
        for index, row in enumerate([*pair.labels, pair.overall]):
            table.add_row(
                names[index] if index < len(names) else "",
                Text(sanitise(row.label)),
                _figure(row.exact.precision),
                _figure(row.exact.recall),
                _figure(row.exact.f1),
                _figure(row.overlap.f1),
                _figure(row.kappa),
                style="bold" if row is pair.overall else None,
                end_section=row is pair.overall,
            )
    console.print(table)
    console.print(Text("Krippendorff's alpha across all annotators (token units)", style="bold"))
    alpha = Table()
    alpha.add_column("label", no_wrap=True)
    alpha.add_column("alpha", justify="right")
    alpha.add_column("units", justify="right")
    for alpha_row in [*report.alpha, report.alpha_overall]:
        alpha.add_row(
            Text(sanitise(alpha_row.label)),
            _figure(alpha_row.alpha),
            str(alpha_row.units),
            style="bold" if alpha_row is report.alpha_overall else None,
        )
    console.print(alpha)
    _print_links(console, report)
    console.print(
        f"{report.documents} document(s) annotated by two or more of "
        f"{', '.join(map(sanitise, report.annotators))}; — means undefined (nothing to compare).",
        markup=False,
    )


def _print_links(console: Console, report: AgreementReport) -> None:
    """Relation and attribute agreement, each only when there is something to compare."""
    if report.relation_types:
        console.print(Text("Relations (matched by both ends' text positions and the type)", style="bold"))
        table = Table()
        table.add_column("pair", no_wrap=True)
        table.add_column("type", no_wrap=True)
        for heading in ("P", "R", "F1", "ref", "pred"):
            table.add_column(heading, justify="right")
        for pair in report.pairs:
            if pair.relations_overall is None:
                continue
            for index, row in enumerate([*pair.relations, pair.relations_overall]):
                scores = row.scores
                table.add_row(
                    Text(sanitise(f"{pair.reference} → {pair.predicted}")) if index == 0 else "",
                    Text(sanitise(row.type)),
                    _figure(scores.precision), _figure(scores.recall), _figure(scores.f1),
                    str(scores.reference), str(scores.predicted),
                    style="bold" if row is pair.relations_overall else None,
                    end_section=row is pair.relations_overall,
                )
        console.print(table)
    if report.attributes:
        console.print(Text("Attributes on spans both marked identically (no value is a category)", style="bold"))
        table = Table()
        table.add_column("pair", no_wrap=True)
        table.add_column("attribute", no_wrap=True)
        for heading in ("kappa", "same", "spans"):
            table.add_column(heading, justify="right")
        for pair in report.pairs:
            for index, attribute in enumerate(pair.attributes):
                table.add_row(
                    Text(sanitise(f"{pair.reference} → {pair.predicted}")) if index == 0 else "",
                    Text(sanitise(attribute.name)),
                    _figure(attribute.kappa), _figure(attribute.observed), str(attribute.spans),
                    end_section=index == len(pair.attributes) - 1,
                )
        console.print(table)


@click.command("agreement")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@label_option
@doc_option
@pass_context
def agreement_command(ctx: Context, as_json: bool, labels: tuple[str, ...], docs: tuple[str, ...]) -> None:
    """Measure agreement between annotators.

    For every pair of annotators, on the documents both annotated: exact-span and
    overlapping-span precision, recall and F1 (the first name is the reference),
    per label and micro-averaged, and Cohen's kappa on word tokens. Krippendorff's
    alpha covers all annotators at once. Relations are scored the same way, matched
    by both ends' positions and the type (either way round for an undirected type),
    and each attribute by Cohen's kappa over the spans both marked identically (no
    value counting as a value). Only accepted, live annotations count, and
    a reviewer's settled spans are left out. Documents are read one at a time, so
    memory stays flat however large the database.

    \b
    Examples:
      margin agreement
      margin agreement --label claim --label statistic
      margin agreement --doc 3f2a --json
    """
    db = ctx.open_db(existing=True)
    report = compute_agreement(db, labels=_check_labels(db, labels), doc_ids=_resolve_docs(db, docs))
    if as_json:
        click.echo(json_text(report.to_dict(), indent=2))
    else:
        _print_agreement(report)


OPEN_LISTED = 10
"""Documents named one per line in a list of unfinished reviews; the rest are counted."""


def open_review_lines(found: list[OpenReview]) -> list[str]:
    """One line per unfinished document (sanitised, the title shortened), at most
    OPEN_LISTED of them, so a database of thousands prints a screenful."""
    lines = [
        f"{shorten(item.title or item.doc_id, 60)}: "
        + ("agreed spans, relations or values not copied yet (margin review --accept-agreed copies them)" if item.agreed_missing
           else f"{item.open} of {item.total} disagreements still open")
        for item in found[:OPEN_LISTED]
    ]
    if len(found) > OPEN_LISTED:
        lines.append(f"… and {len(found) - OPEN_LISTED} more document(s) with open disagreements")
    return lines


def _reviewer(ctx: Context, db) -> str:
    """Who reviews. A name given with --annotator or MARGIN_ANNOTATOR is used as it
    is. Otherwise the name would come from the config file or the login name, which
    differ between machines and people, and each new one would start a second
    reviewer's version beside the first (``export --reviewed`` takes one): so the
    reviewer already in the database is reused, and with several of them (none
    being that name) the command refuses, naming them."""
    given = click.get_current_context().find_root().params.get("annotator")
    if given or os.environ.get("MARGIN_ANNOTATOR", "").strip() or db.role is not None:
        return ctx.annotator  # on a team server, always your own role
    found = reviewers(db)
    if not found or ctx.annotator in found:
        return ctx.annotator
    if len(found) == 1:
        click.echo(
            sanitise(
                f"reviewing as {found[0]}, the reviewer already in this database "
                f"(give --annotator {ctx.annotator} to start a second reviewer's version)"
            ),
            err=True,
        )
        return found[0]
    raise MarginError(
        f"this database has {len(found)} reviewers ({', '.join(found)}); "
        "choose one with margin --annotator NAME review"
    )


@click.command("review")
@doc_option
@click.option(
    "--accept-agreed",
    is_flag=True,
    help="Copy the spans all annotators agree on into your reviewed version, for documents with no "
    "open disagreement, without opening the review.",
)
@pass_context
def review_command(ctx: Context, docs: tuple[str, ...], accept_agreed: bool) -> None:
    """Walk the disagreements between annotators and settle them.

    Shows each disagreement in its context with every annotator's version side by
    side: the spans first, then, once a document's spans are settled, the relations
    and attribute values the annotators differ on. Keys: 1–9 adopt that annotator's
    version (spans, relation or value), e edit (choose the span and label), k keep
    the relation, x reject (keep no span, drop the relation, keep no value), n/p
    next/previous disagreement, ]/[ next/previous document, q quit (and print where
    the review stands). Every decision is saved at
    once as your annotations (origin review:...), which `margin export --reviewed`
    exports. Without --annotator, the reviewer already in the database carries on.

    \b
    Examples:
      margin --annotator carol review
      margin review --doc 3f2a
      margin review --accept-agreed
    """
    db = ctx.open_db(existing=True)
    doc_ids = _resolve_docs(db, docs)
    reviewer = _reviewer(ctx, db)
    if accept_agreed:
        report = copy_agreed(db, reviewer, doc_ids)
        click.echo(
            sanitise(
                f"copied {report.added} agreed span(s) into {reviewer}'s reviewed version "
                f"({report.documents} document(s) with no open disagreement)"
            )
        )
        if report.skipped:
            click.echo(
                f"skipped {len(report.skipped)} document(s) with open disagreements "
                "(settle them with margin review; their agreed spans are copied then):"
            )
            for line in open_review_lines(report.skipped):
                click.echo(f"  {line}")
        return
    found, _ = review_documents(db, reviewer, doc_ids)
    if not found:
        click.echo("No disagreements to review: no document has two annotators who differ.")
        return
    from ..review_app import ReviewApp

    app = ReviewApp(db, reviewer, doc_ids=doc_ids, theme=ctx.settings.theme)
    app.run()
    if app.summary is not None:
        for line in app.summary.lines():
            click.echo(line)
