"""``margin import`` and ``margin export``: thin wrappers over store.importing and
store.exporting, with progress on the terminal. Neither loads Textual, and the HTML
extractor loads only when an HTML file is imported."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from margin.store.database import Location
from margin.store.errors import MarginError
from margin.store.formats import READABLE, WRITABLE
from margin.store.formats.csv import relations_output, relations_path
from margin.store.formats.offsets import OFFSET_UNITS
from margin.store.model import STATUSES
from margin.store.names import name_problem
from margin.store.safe_output import building, refuse_database, same_file, text_file

from ..text.sanitise import sanitise
from .context import Context, pass_context

PLAIN_PROGRESS_SECONDS = 2.0
MAX_LINES_SHOWN = 20


def _plain_progress() -> Callable:
    """Progress as an occasional plain line, for logs and pipes."""
    last = [time.monotonic()]

    def show(event) -> None:
        now = time.monotonic()
        if now - last[0] >= PLAIN_PROGRESS_SECONDS:
            last[0] = now
            click.echo(
                f"importing: {event.files_done}/{event.files_total} files, "
                f"{event.documents:,} documents, {event.spans:,} spans",
                err=True,
            )

    return show


@contextmanager
def _import_progress() -> Iterator[Callable]:
    if not sys.stderr.isatty():
        yield _plain_progress()
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[bold]importing[/] {task.description}", markup=True),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[documents]:,} documents, {task.fields[spans]:,} spans"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None, documents=0, spans=0)

        def show(event) -> None:
            name = escape(sanitise(Path(event.path).name))  # the description is markup
            progress.update(
                task,
                description=f"{event.files_done}/{event.files_total} {name}",
                completed=event.bytes_done,
                total=event.bytes_total or None,
                documents=event.documents,
                spans=event.spans,
            )

        yield show


def _echo_some(kind: str, lines: list[str]) -> None:
    """The first few lines of a kind on stderr, then how many more there were."""
    for line in lines[:MAX_LINES_SHOWN]:
        click.echo(f"{kind}: {sanitise(line)}", err=True)
    if len(lines) > MAX_LINES_SHOWN:
        click.echo(f"{kind}: … and {len(lines) - MAX_LINES_SHOWN:,} more", err=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "format_name", type=click.Choice(READABLE),
    help="Read every file as this format instead of telling by extension and content.",
)
@click.option("--annotator", help="Who the imported spans belong to when a file does not say "
              "(default: margin's --annotator).")
@click.option("--encoding", help="Read text files in this encoding (default: UTF-8, "
              "falling back to cp1252 with a warning).")
@click.option("--text-key", help="doccano: the column holding the text (default \"text\").")
@click.option("--label-key", help="doccano: the column holding the spans (default: label, labels, "
              "entities).")
@click.option("--offsets", type=click.Choice(OFFSET_UNITS), help="doccano: what span offsets count; "
              "utf16 for offsets from doccano's web interface on text with emoji (default: codepoints, "
              "refusing a file whose offsets only fit as UTF-16).")
@click.option("--max-size", metavar="SIZE", help="Refuse files larger than this, e.g. 2G or 800M "
              "(default: $MARGIN_MAX_IMPORT_BYTES, else 512M).")
@click.option("--update", is_flag=True, help="A revised text from a source already imported (the same file "
              "path, or a record's own source) becomes a new version of that document, and its annotations move "
              "onto it; what cannot be placed is listed by margin reanchor --report.")
@pass_context
def import_command(
    ctx: Context,
    paths: tuple[Path, ...],
    format_name: str | None,
    annotator: str | None,
    encoding: str | None,
    text_key: str | None,
    label_key: str | None,
    offsets: str | None,
    max_size: str | None,
    update: bool,
) -> None:
    """Import articles and annotations from files or directories.

    Reads plain text and Markdown, HTML pages, margin JSONL, Prodigy and doccano
    JSONL, Label Studio JSON and brat standoff (.txt + .ann). Directories are read
    recursively. Each file goes in whole or not at all: a bad file is reported as
    file:line and the others still import; the exit status is 1 if any failed.
    Re-importing the same files adds nothing; with --update, a file whose
    text changed since becomes a new version of its document.

    \b
    Examples:
      margin import article.txt page.html
      margin import corpus/ --annotator ana
      margin import spans.jsonl --format doccano --text-key column_data
      margin import --update article.txt
    """
    if (text_key or label_key) and format_name != "doccano":
        raise click.UsageError("--text-key and --label-key apply to --format doccano")
    if offsets and format_name not in (None, "doccano"):
        raise click.UsageError("--offsets applies to doccano files")
    if annotator and (problem := name_problem("annotator", annotator.strip())):
        raise click.BadParameter(problem, param_hint="--annotator")
    from margin.store.import_limits import parse_size
    from margin.store.importing import import_paths

    try:
        max_bytes = parse_size(max_size) if max_size is not None else None
    except MarginError as error:
        raise click.BadParameter(str(error), param_hint="--max-size") from None

    db = ctx.open_db()
    with _import_progress() as progress:
        report = import_paths(
            db,
            paths,
            format=format_name,
            annotator=(annotator or "").strip() or ctx.annotator,
            encoding=encoding,
            reader_options={"text_key": text_key, "label_key": label_key, "offsets": offsets},
            progress=progress,
            max_bytes=max_bytes,
            update=update,
        )
    if offsets:
        report.warnings.extend(
            f"{result.path}: read as {result.format}; --offsets applies only to doccano files"
            for result in report.files if result.format != "doccano"
        )
    _echo_some("warning", report.warnings)
    _echo_some("skipped", [f"{path} (no format reads it)" for path in report.skipped])
    _echo_some("failed", report.failed)
    click.echo(sanitise(report.summary()))
    waiting = sum(
        added.report.to_review for result in report.files for added in result.versions
    ) + sum(result.moved.to_review for result in report.files if result.moved is not None)
    if waiting:
        click.echo(f"{waiting:,} span(s) to review: margin reanchor --report lists them")
    if not report.ok:
        raise click.exceptions.Exit(1)


@contextmanager
def _text_output(output: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written beside its final name and moved into place only
    once the export finished, so a failed or killed export never leaves half a file."""
    if output is None:
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    with text_file(output) as handle:
        yield handle


def _check_config(config: Path | None, format_name: str, output: Path | None, db_path: Location) -> None:
    if config is None:
        return
    if format_name != "label-studio":
        raise click.UsageError("--config writes a Label Studio labelling config; use it with --format label-studio")
    if output is not None and same_file(config, output):
        raise click.UsageError(f"{config}: the config and the tasks need two files")
    refuse_database(config, [db_path])


@contextmanager
def _config_output(config: Path | None) -> Iterator[IO[str] | None]:
    """The config file, moved into place after the tasks' file and only if the export
    succeeds, so no config is left beside tasks that were never written."""
    if config is None:
        yield None
        return
    with ExitStack() as stack:
        try:
            temporary = stack.enter_context(building(config))
            handle = stack.enter_context(temporary.open("w", encoding="utf-8", newline=""))
        except OSError as error:
            raise MarginError(f"{config}: {error.strerror or error}") from None
        yield handle


@contextmanager
def _export_progress() -> Iterator[Callable | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("exporting {task.fields[documents]:,} documents, {task.fields[spans]:,} spans"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None, documents=0, spans=0)
        yield lambda report: progress.update(task, documents=report.documents, spans=report.spans)


@click.command("export")
@click.option("--format", "format_name", type=click.Choice(WRITABLE), default="margin",
              show_default=True, help="The format to write.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file (a directory for brat) instead of standard output (-). "
              "For w3c, a name ending in .jsonl gives one annotation per line. For csv, relations go to a "
              "second file beside it (out.csv: out.relations.csv); on standard output they are not written.")
@click.option("--label", "labels", multiple=True, help="Only spans with this label (repeatable).")
@click.option("--annotator", "annotators", multiple=True,
              help="Only spans by this annotator (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only spans with this status (repeatable; default: what the format can express).")
@click.option("--doc", "docs", multiple=True,
              help="Only this document: an id, a unique id prefix or a title (repeatable).")
@click.option("--offsets", type=click.Choice(OFFSET_UNITS), help="doccano only: count span offsets "
              "in utf16 code units, as doccano's web interface does (default: codepoints).")
@click.option("--reviewed", is_flag=True,
              help="Only one reviewer's settled spans (see margin review): the --annotator given, else the "
              "only reviewer in the database. A document whose review is unfinished is named on stderr, "
              "and the exit status is then 1.")
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              help="label-studio only: also write the project's labelling config (XML) here.")
@click.option("--tokens/--no-tokens", "tokens", default=None,
              help="prodigy only: add spaCy's tokens and token_start/token_end "
              "(default: when spaCy is installed).")
@click.option("--orphans/--no-orphans", "orphans", default=True, show_default=True,
              help="Include the spans that could not be placed on a newer version of their document, with "
              "the older text they fit. An older version is exported only for them, unless named with --doc.")
@click.option("--safe-for-spreadsheets", is_flag=True,
              help="csv only: put a ' before each cell that starts with = + - @ (or a tab, CR or ') so "
              "a spreadsheet shows it as text instead of running it as a formula. Off by default, "
              "which keeps every cell, and the text column, exactly as stored.")
@pass_context
def export_command(
    ctx: Context,
    format_name: str,
    output: Path | None,
    labels: tuple[str, ...],
    annotators: tuple[str, ...],
    statuses: tuple[str, ...],
    docs: tuple[str, ...],
    reviewed: bool,
    offsets: str | None,
    config: Path | None,
    tokens: bool | None,
    orphans: bool,
    safe_for_spreadsheets: bool,
) -> None:
    """Export annotations as margin JSONL or another tool's format.

    Formats: margin (JSONL, every detail; the default), prodigy, doccano,
    label-studio, brat (a directory of .txt/.ann), w3c (Web Annotation JSON-LD)
    and csv. Filters combine; with a label, annotator or status filter, documents
    without a matching span are left out. The export streams, so it works on
    databases of any size. A document with a newer version is written only for
    the spans that could not move onto it (its orphans; --no-orphans leaves
    them out), unless named with --doc.

    \b
    Examples:
      margin export -o backup.jsonl
      margin export --format prodigy --label person --annotator ana > person.jsonl
      margin export --format brat -o brat-dir/
      margin export --format csv --status accepted -o spans.csv
      margin export --reviewed --format prodigy -o gold.jsonl
      margin export --format label-studio -o tasks.json --config config.xml
      margin export --format prodigy --no-orphans -o current.jsonl
    """
    from margin.store.exporting import export

    from .output import inert_export

    if output == Path("-"):
        output = None
    if offsets and format_name != "doccano":
        raise click.UsageError("--offsets applies to --format doccano")
    if safe_for_spreadsheets and format_name != "csv":
        raise click.UsageError("--safe-for-spreadsheets applies to --format csv")
    if format_name == "brat" and output is None:
        raise click.UsageError("brat writes a directory of .txt and .ann files; give -o DIR")
    if format_name != "brat" and output is not None and output.is_dir():
        raise click.UsageError(f"{output} is a directory; give a file name")
    if format_name == "brat" and output is not None and output.exists() and not output.is_dir():
        raise click.UsageError(f"{output} is a file; brat needs a directory")
    if not ctx.db_path.exists():
        raise MarginError(f"{ctx.db_path}: no such database; import something first")
    if output is not None:
        refuse_database(output, [ctx.db_path])
    _check_config(config, format_name, output, ctx.db_path)
    db = ctx.open_db()
    filters: dict[str, Any] = {
        "label": labels, "annotator": annotators, "status": statuses, "doc": docs, "reviewed": reviewed,
        "orphans": orphans,
    }
    options: dict[str, Any] = {"lines": True} if format_name == "w3c" and output and output.suffix == ".jsonl" else {}
    if tokens is not None:
        if format_name != "prodigy":
            raise click.UsageError("--tokens/--no-tokens apply to --format prodigy")
        options["tokens"] = tokens
    if offsets:
        options["offsets"] = offsets
    if safe_for_spreadsheets:
        options["safe_for_spreadsheets"] = True
    try:
        with _export_progress() as progress:
            if format_name == "brat":
                assert output is not None  # refused above without -o
                report = export(db, output, format=format_name, options=options, progress=progress, **filters)
            else:
                with (
                    _config_output(config) as config_out,
                    relations_output(output if format_name == "csv" else None, databases=[ctx.db_path]) as linked,
                    _text_output(output) as out,
                ):
                    if output is None:
                        out = inert_export(out, format_name)
                    if linked is not None:
                        options["relations"] = linked
                    if config_out is not None:
                        from margin.store.labels import list_labels

                        options.update(config=config_out, labels=list_labels(db))
                    report = export(db, out, format=format_name, options=options, progress=progress, **filters)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise click.exceptions.Exit(1) from None
    except OSError as error:
        # The folder is missing or not writable, the disk is full: say so about the
        # name the user gave, not the temporary file beside it.
        raise MarginError(f"{output or 'standard output'}: {error.strerror or error}") from None
    where = f" to {output}" if output else ""
    relations = f", {report.relations:,} relation(s)" if report.relations else ""
    click.echo(f"exported {report.documents:,} document(s), {report.spans:,} span(s){relations}{where}", err=True)
    if format_name == "csv" and report.relations:
        if "relations" in options:
            assert output is not None
            click.echo(sanitise(f"relations written to {relations_path(output)}"), err=True)
        else:
            click.echo(
                f"warning: {report.relations:,} relation(s) not written: CSV puts relations in a second file, "
                "so give -o FILE (they go to FILE.relations.csv beside it)", err=True,
            )
    if report.open_reviews:
        # The export is complete, but a disputed place nobody settled holds no span
        # and would read as "nothing here": said on stderr, and the status is 1.
        from .team import open_review_lines

        reviewer = sanitise(report.reviewer or "")
        click.echo(f"warning: {reviewer}'s review is unfinished in {len(report.open_reviews):,} document(s):", err=True)
        for line in open_review_lines(report.open_reviews):
            click.echo(f"  {line}", err=True)
        raise click.exceptions.Exit(1)
