"""Team commands: ``margin merge``, ``margin agreement`` and ``margin review``.

``merge`` and ``agreement`` print and exit; only ``review`` loads Textual, and only
once it knows there is something to review.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from margin.store.agreement import AgreementReport, compute_agreement
from margin.store.documents import resolve_document
from margin.store.labels import require_label
from margin.store.merge import MergeReport, merge_databases, merge_into_copy
from margin.store.review import accept_agreed as accept_agreed_spans
from margin.store.review import disagreements

from ..text.sanitise import sanitise
from .context import Context, doc_option, label_option, pass_context
from .output import json_text


def _resolve_docs(db, refs: tuple[str, ...]) -> list[str] | None:
    return [resolve_document(db, ref).id for ref in refs] or None


def _check_labels(db, names: tuple[str, ...]) -> list[str] | None:
    for name in names:
        require_label(db, name)
    return list(names) or None


def _print_merge(report: MergeReport, target: Path) -> None:
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
        for conflict in report.label_conflicts:
            console.print(Text.assemble(("conflict: ", "yellow"), sanitise(conflict.message)))
        return
    click.echo(sanitise(f"merged {sources} into {target}"))
    for name, counts in report.tables.items():
        click.echo(f"{name}: {counts.added} added, {counts.updated} updated, {counts.skipped} skipped")
    for conflict in report.label_conflicts:
        click.echo(f"conflict: {sanitise(conflict.message)}")


@click.command("merge")
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Copy this database to a new file OUTPUT and merge into the copy; this one is left as it is. "
    "OUTPUT appears only once the merge is complete.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was merged as JSON.")
@pass_context
def merge_command(ctx: Context, sources: tuple[Path, ...], output: Path | None, as_json: bool) -> None:
    """Merge other margin databases into this one.

    Documents merge by their content id (of two titles, one given by a person
    wins over one taken from the text, then the alphabetically first), labels by
    name (a differing key or colour is reported, and this database's is kept),
    annotations by id with the newest edit winning (deletions included). Merging is idempotent and the order of
    merges does not matter. A file that is not a margin database, or was written
    by a newer margin, is refused and nothing is merged.

    \b
    Examples:
      margin merge ~/laptop.db
      margin merge ana.db bob.db -o team.db
      margin --db team.db merge ana.db --json
    """
    db = ctx.open_db()
    if output is not None:
        report = merge_into_copy(db, sources, output)
        target = output
    else:
        report = merge_databases(db, sources)
        target = ctx.db_path
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
    console.print(
        f"{report.documents} document(s) annotated by two or more of "
        f"{', '.join(map(sanitise, report.annotators))}; — means undefined (nothing to compare).",
        markup=False,
    )


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
    alpha covers all annotators at once. Only accepted, live annotations count, and
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


@click.command("review")
@doc_option
@click.option(
    "--accept-agreed",
    is_flag=True,
    help="Copy the spans all annotators agree on into your reviewed version, without opening the review.",
)
@pass_context
def review_command(ctx: Context, docs: tuple[str, ...], accept_agreed: bool) -> None:
    """Walk the disagreements between annotators and settle them.

    Shows each disagreement in its context with every annotator's version side by
    side. Keys: 1–9 adopt that annotator's version, e edit (choose the span and
    label), x reject (keep no span), n/p next/previous disagreement, ]/[ next/previous
    document, q quit. Every decision is saved at once as your annotations (origin
    review:...), which `margin export --reviewed` exports.

    \b
    Examples:
      margin --annotator carol review
      margin review --doc 3f2a
      margin review --accept-agreed
    """
    db = ctx.open_db(existing=True)
    doc_ids = _resolve_docs(db, docs)
    if accept_agreed:
        added = accept_agreed_spans(db, ctx.annotator, doc_ids)
        click.echo(sanitise(f"copied {added} agreed span(s) into {ctx.annotator}'s reviewed version"))
        return
    found = disagreements(db, doc_ids=doc_ids)
    if not found:
        click.echo("No disagreements to review: no document has two annotators who differ.")
        return
    from ..review_app import ReviewApp

    ReviewApp(db, ctx.annotator, doc_ids=doc_ids, theme=ctx.settings.theme).run()
