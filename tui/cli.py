"""The ``margin`` command. Thin: options are parsed here, the work is done in store/.

Subcommands live in ``tui/commands/`` and are imported only when invoked, so
``margin --help`` and ``margin export`` never load Textual or the HTML extractor.
They share ``tui/commands/context.py`` (the context object and common options) and
never import this module.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
from typing import Any

import click

from margin.store.database import location
from margin.store.errors import MarginError

from .commands.context import Context, pass_context
from .config import default_db_path, load_settings, resolve_annotator
from .text.sanitise import sanitise

__all__ = ["COMMANDS", "Context", "cli", "main", "pass_context"]

# command name -> "module:attribute"; the order is the order of `margin --help`.
COMMANDS = {
    "open": "margin.tui.commands.app:open_command",
    "import": "margin.tui.commands.transfer:import_command",
    "export": "margin.tui.commands.transfer:export_command",
    "documents": "margin.tui.commands.inspect:documents_command",
    "stats": "margin.tui.commands.inspect:stats_command",
    "labels": "margin.tui.commands.inspect:labels_command",
    "relations": "margin.tui.commands.schemes:relations_command",
    "attributes": "margin.tui.commands.schemes:attributes_command",
    "reanchor": "margin.tui.commands.versions:reanchor_command",
    "info": "margin.tui.commands.inspect:info_command",
    "merge": "margin.tui.commands.team:merge_command",
    "agreement": "margin.tui.commands.team:agreement_command",
    "review": "margin.tui.commands.team:review_command",
    "suggest": "margin.tui.commands.suggest:suggest_command",
    "server": "margin.tui.commands.server:server_command",
}
# One-line summaries, so `margin --help` lists commands without importing them.
SUMMARIES = {
    "open": "Import files if needed and open them in the reader.",
    "import": "Import articles and annotations from files or directories.",
    "export": "Export annotations as margin JSONL or another tool's format.",
    "documents": "List documents with their annotation counts per label.",
    "stats": "Count annotations per label, annotator and document.",
    "labels": "List and manage the label scheme.",
    "relations": "List and manage the relation types that link spans.",
    "attributes": "List and manage the attributes spans can carry.",
    "reanchor": "Make a revised text a new version and move the annotations onto it.",
    "info": "Show the database path, schema version and counts.",
    "merge": "Merge other margin databases into this one.",
    "agreement": "Measure agreement between annotators.",
    "review": "Walk the disagreements between annotators and settle them.",
    "suggest": "Suggest statistics, people and claims to accept or reject.",
    "server": "Set up a PostgreSQL team server and its annotators.",
}


APP_COMMANDS = (None, "open")
"""What opens the reader, which shows the config file's warnings itself."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES[name]) for name in COMMANDS])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MarginError as error:
            # Messages quote names, titles and file contents: made inert like any data.
            raise click.ClickException(sanitise(str(error))) from None
        except sqlite3.Error as error:
            # What no refusal foresaw (the lock still held after the busy timeout, a
            # full disk): still one line naming the database, never a traceback.
            where = getattr(ctx.obj, "db_path", None) or "the database"
            raise click.ClickException(sanitise(f"{where}: {error}")) from None


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    metavar="FILE|URL",
    envvar="MARGIN_DB",
    help="The database: a file, or a postgresql:// URL for a team server (env MARGIN_DB; "
    "default in your user data directory).",
)
@click.option(
    "--annotator",
    help="Who is annotating (env MARGIN_ANNOTATOR, the config file, else your login name).",
)
@click.version_option(package_name="margin")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, annotator: str | None) -> None:
    """margin: read articles in the terminal and annotate them from the keyboard.

    With no command, opens the reader on the database (a sample article is added
    on first run).

    \b
    Examples:
      margin                          open the reader
      margin open article.html        import a file and read it
      margin import corpus/ --annotator ana
      margin export --format prodigy -o spans.jsonl
    """
    try:
        settings = load_settings()
    except MarginError as error:
        raise click.ClickException(sanitise(str(error))) from None
    if ctx.invoked_subcommand not in APP_COMMANDS:
        for warning in settings.warnings:
            click.echo(f"warning: {sanitise(warning)}", err=True)
    ctx.obj = Context(
        db_path=location(db_path or settings.database or default_db_path()),
        annotator=resolve_annotator(annotator, settings),
        annotator_given=bool(annotator or os.environ.get("MARGIN_ANNOTATOR") or settings.annotator),
        settings=settings,
    )
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from .commands.app import run_app

        try:
            run_app(ctx.obj, [])
        except MarginError as error:
            raise click.ClickException(sanitise(str(error))) from None


def main() -> None:
    cli(prog_name="margin")


if __name__ == "__main__":
    main()
