"""``margin suggest``: run the suggesters over documents, or measure them against a
gold file. Thin: the suggesters and the storing are in store.suggest; this parses
options, shows progress on a terminal and prints one line of what happened."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from margin.store.errors import MarginError
from margin.store.formats import READABLE
from margin.store.names import name_problem

from ..text.sanitise import one_line, sanitise, shorten
from .context import Context, pass_context

if TYPE_CHECKING:
    from rich.console import Console

    from margin.store.database import Database
    from margin.store.model import Document
    from margin.store.suggest import Options, Suggester
    from margin.store.suggest.evaluate import Evaluation
    from margin.store.suggest.run import SuggestReport

PLAIN_PROGRESS_SECONDS = 2.0
TITLE_WIDTH = 40


def progress_console() -> Console | None:
    """Where the progress bar is drawn: stderr when it is a terminal, else nowhere
    (logs and pipes get an occasional plain line instead)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def _progress(total: int, verb: str) -> Iterator[Callable[[Document, int], None]]:
    """A callback told after each document (and how many spans it got)."""
    console = progress_console()
    done = [0, 0]
    if console is None:
        last = [time.monotonic()]

        def plain(document: Document, added: int) -> None:
            done[0] += 1
            done[1] += added
            if (now := time.monotonic()) - last[0] >= PLAIN_PROGRESS_SECONDS:
                last[0] = now
                click.echo(f"{verb}: {done[0]:,}/{total:,} documents, {done[1]:,} span(s)", err=True)

        yield plain
        return
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(f"[bold]{verb}[/] {{task.description}}", markup=True),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[spans]:,} span(s)"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total, spans=0)
        width = max(10, min(TITLE_WIDTH, console.width - 60))  # the bar and counts keep the rest

        def show(document: Document, added: int) -> None:
            done[1] += added
            # A title is data: made inert, then escaped, since the description is markup.
            title = escape(sanitise(shorten(one_line(document.title), width)))
            progress.update(task, advance=1, description=title, spans=done[1])

        yield show


def build_suggesters(
    db: Database, options: Options, names: tuple[str, ...] | list[str] = (),
) -> tuple[list[Suggester], list[str]]:
    """The suggesters called ``names`` (the default set when none), for the command and
    the reader alike. One the user did not ask for by name that cannot be built (a
    module not written yet, a library not installed) is left out and named, each with
    why ("people (No module named …)"), and the others still run; one asked for by name
    (``--suggester``, or patterns through ``--patterns``) that cannot be built is an error."""
    from margin.store import suggest

    try:
        return suggest.build(db, list(names) or None, options), []
    except (ImportError, MarginError):
        if names:  # every one was asked for by name
            raise
    named = set(names) | ({"patterns"} if options.patterns is not None else set())
    chosen = list(dict.fromkeys([*(names or suggest.DEFAULT), *sorted(named)]))
    built: list[Suggester] = []
    missing: list[str] = []
    for name in chosen:
        # Only "patterns" itself may see the file, or every build would add it again.
        alone = options if name == "patterns" else replace(options, patterns=None)
        try:
            built.extend(suggest.build(db, [name], alone))
        except (ImportError, MarginError) as error:
            if name in named:
                raise
            missing.append(f"{name} ({error})")
    return built, missing


def notices(built: list[Suggester]) -> list[str]:
    """What the suggesters want said about how they were built ("claims: rules only; …"),
    raw: whoever prints them sanitises them."""
    return [str(notice) for suggester in built if (notice := getattr(suggester, "notice", None))]


def _build(
    db: Database, names: tuple[str, ...], patterns: Path | None, annotator: str, spacy_model: str | None = None
) -> list[Suggester]:
    from margin.store.suggest import Options

    if patterns is not None and not patterns.is_file():
        raise MarginError(f"{patterns}: no such patterns file")
    extra: dict[str, object] = {"spacy_model": spacy_model} if spacy_model else {}
    try:
        built, missing = build_suggesters(db, Options(patterns=patterns, annotator=annotator, extra=extra), names)
    except ImportError as error:
        # A suggester asked for by name cannot be loaded (its library, spaCy say, or module).
        raise MarginError(f"a suggester cannot be loaded: {error}") from None
    if missing:
        click.echo(sanitise(f"warning: some suggesters are not available, the others ran: {'; '.join(missing)}"),
                   err=True)
    for notice in notices(built):
        click.echo(sanitise(notice), err=True)
    return built


def _train(db: Database) -> None:
    try:
        from margin.store.suggest import claims_model
    except ImportError as error:
        raise MarginError(f"--train needs the claim classifier, which cannot be loaded: {error}") from None
    report = claims_model.train(db)
    click.echo(
        f"trained the claim classifier on {report.spans:,} claim span(s): {report.sentences:,} sentence(s), "
        f"{report.positives:,} claim(s), {report.negatives:,} not", err=True,
    )


def _summary(report: SuggestReport, order: list[str]) -> str:
    """One line, labels in the scheme's order (as the reader lists them), so two runs compare
    at a glance: ``suggested 37 span(s) in 1 document(s): claim 16, person 9; 4 already there``."""
    line = f"suggested {report.added:,} span(s) in {report.documents:,} document(s)"
    labels = sorted(report.by_label, key=lambda name: (order.index(name) if name in order else len(order), name))
    if labels:
        line += ": " + ", ".join(f"{label} {report.by_label[label]:,}" for label in labels)
    if report.already_there:
        line += f"; {report.already_there:,} already there"
    return sanitise(line)


@click.command("suggest")
@click.option("--doc", "docs", multiple=True,
              help="Only this document: an id, a unique id prefix or a title (repeatable).")
@click.option("--label", "labels", multiple=True, help="Only suggest this label (repeatable).")
@click.option("--suggester", "suggesters", multiple=True,
              help="Run this suggester (repeatable): statistics, people, claims, patterns, learned "
              "(default: all but patterns).")
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Leave out suggestions scored below this.")
@click.option("--patterns", type=click.Path(path_type=Path, dir_okay=False),
              help="A Prodigy/spaCy patterns file (JSONL) for the patterns suggester, which then runs too.")
@click.option("--annotator", help="Who the suggestions belong to (default: margin's --annotator).")
@click.option("--train", is_flag=True, help="Retrain the claim classifier from the claims labelled so far first.")
@click.option("--evaluate", "gold", type=click.Path(path_type=Path, dir_okay=False),
              help="Store nothing: score the suggesters against this gold file (any format margin import "
              "reads) and print precision, recall and F1, exact and overlapping, per label.")
@click.option("--format", "gold_format", type=click.Choice(READABLE),
              help="With --evaluate: read the gold file as this format instead of telling by its name and content.")
@click.option("--json", "as_json", is_flag=True, help="With --evaluate: print the scores as JSON.")
@pass_context
def suggest_command(
    ctx: Context,
    docs: tuple[str, ...],
    labels: tuple[str, ...],
    suggesters: tuple[str, ...],
    min_score: float,
    patterns: Path | None,
    annotator: str | None,
    train: bool,
    gold: Path | None,
    gold_format: str | None,
    as_json: bool,
) -> None:
    """Suggest spans for you to accept or reject: statistics, people, claims.

    Suggestions are stored as spans with status "suggested" (italic in the reader,
    where a accepts and R rejects them), each with its suggester's score. A place is
    never suggested twice: not where the same span is already marked, in any status,
    nor where one was rejected or deleted, so running it again adds nothing.

    \b
    Examples:
      margin suggest
      margin suggest --doc "US agrees" --label statistic --min-score 0.5
      margin suggest --suggester people --suggester learned
      margin suggest --patterns people.jsonl --suggester patterns
      margin suggest --train --suggester claims
      margin suggest --evaluate gold.jsonl --json
      margin suggest --evaluate gold.json --format label-studio --suggester people
    """
    if (as_json or gold_format) and gold is None:
        raise click.UsageError("--json and --format apply to --evaluate")
    if annotator and (problem := name_problem("annotator", annotator.strip())):
        raise click.BadParameter(problem, param_hint="--annotator")
    who = (annotator or "").strip() or ctx.annotator
    db = ctx.open_db(existing=True)
    if db.readonly and (gold is None or train):
        raise MarginError(f"{db.path}: read-only; nothing was changed")
    from margin.store.documents import count_documents, resolve_document
    from margin.store.labels import list_labels, require_label

    doc_ids = list(dict.fromkeys(resolve_document(db, ref).id for ref in docs)) or None
    if gold is None:
        for label in labels:
            require_label(db, label)
    if train:
        _train(db)
    built = _build(db, suggesters, patterns, who, ctx.settings.spacy_model)
    if gold is not None:
        _evaluate(db, gold, gold_format, built, labels, doc_ids, min_score, as_json)
        return
    from margin.store.suggest.run import suggest_documents

    total = len(doc_ids) if doc_ids else count_documents(db)
    with _progress(total, "suggesting") as progress:
        report = suggest_documents(
            db, built, annotator=who, doc_ids=doc_ids, labels=labels or None, min_score=min_score,
            progress=progress,
        )
    click.echo(_summary(report, [label.name for label in list_labels(db)]))


def _evaluate(
    db: Database, gold: Path, gold_format: str | None, built: list[Suggester], labels: tuple[str, ...], doc_ids: list[str] | None,
    min_score: float, as_json: bool,
) -> None:
    if not gold.is_file():
        raise MarginError(f"{gold}: no such gold file")
    from margin.store.suggest.evaluate import evaluate

    result = evaluate(db, [gold], built, labels=labels or None, doc_ids=doc_ids, min_score=min_score,
                      format=gold_format)
    if as_json:
        click.echo(json.dumps(_evaluation_dict(result), ensure_ascii=False, indent=2))
        return
    for line in evaluation_lines(result):
        click.echo(sanitise(line))


def _evaluation_dict(result: Evaluation) -> dict[str, Any]:
    return {
        "documents": result.documents, "in_database": result.in_database,
        "gold": result.gold, "predicted": result.predicted,
        "labels": {label: scores.to_dict() for label, scores in result.scores.items()},
    }


COLUMNS = ("label", "gold", "predicted", "exact P", "R", "F1", "overlap P", "R", "F1")


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def evaluation_lines(result: Evaluation) -> list[str]:
    """A header line, then one aligned row per label and one for all of them."""
    rows = [list(COLUMNS)]
    for label, scores in result.scores.items():
        rows.append([
            label, str(scores.exact.reference), str(scores.exact.predicted),
            *(_figure(getattr(scores.exact, name)) for name in ("precision", "recall", "f1")),
            *(_figure(getattr(scores.overlap, name)) for name in ("precision", "recall", "f1")),
        ])
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines = [
        f"{result.documents:,} gold document(s), {result.in_database:,} of them in this database; "
        f"{result.gold:,} gold span(s), {result.predicted:,} suggested"
    ]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines
