"""What every command shares: the click context object and the common options.

Commands import from here and never from ``tui.cli``; ``tui.cli`` imports the
commands lazily, so there is no cycle and ``margin export`` loads only what it uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from margin.store.database import Location, Server
from margin.store.errors import MarginError

from ..config import Settings
from ..text.sanitise import sanitise

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """What every command receives: where the database is and who is annotating."""

    db_path: Location
    annotator: str
    settings: Settings
    annotator_given: bool = False
    """The name came from --annotator, MARGIN_ANNOTATOR or the config file, not the login."""
    _db: Any = field(default=None, repr=False)

    def open_db(self, readonly: bool | None = None, *, existing: bool = False, create_on_server: bool = False):
        """The database, opened once per command; refusals become one-line errors.

        ``existing``: commands that only read refuse a path with no database, so a
        mistyped ``--db`` is named instead of silently becoming an empty database. On a
        server only ``create_on_server`` (``margin server init``) makes margin's schema
        in an empty database: a mistyped database name is never filled with tables.

        On a team server the annotator is the database role: another name given is
        said to be ignored, on stderr, and nothing is written under it."""
        if self._db is None:
            from margin.store.db import open_database

            if existing and not self.db_path.exists():
                raise MarginError(f"{self.db_path}: no such database")

            on_server = isinstance(self.db_path, Server)
            db = open_database(self.db_path, readonly=readonly, create=create_on_server or not on_server)
            if db.role is not None and db.role != self.annotator:
                if self.annotator_given:
                    click.echo(sanitise(
                        f"warning: {self.db_path}: on this server you annotate as your database role "
                        f"{db.role!r}; {self.annotator!r} is ignored"
                    ), err=True)
                self.annotator = db.role
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


pass_context = click.make_pass_decorator(Context)


@dataclass(frozen=True, slots=True)
class ListingOptions:
    """How a listing command was asked to print: the format and which rows.

    ``fmt`` is None for "a table on a terminal, TSV when piped"; ``limit`` None with
    ``show_all`` False means "what fits" on a terminal and every row when piped."""

    fmt: str | None = None
    limit: int | None = None
    offset: int = 0
    show_all: bool = False


def format_options(func: F) -> F:
    """``--json``, ``--jsonl`` and ``--tsv``, passed on as ``fmt`` (None: the default)."""
    for flag, value, help_text in reversed(
        (
            ("--json", "json", "Print JSON instead of a table."),
            ("--jsonl", "jsonl", "Print JSON Lines: one object per line, as rows are read."),
            ("--tsv", "tsv", "Print tab-separated values with a header (the default when piped)."),
        )
    ):
        func = click.option(flag, "fmt", flag_value=value, default=None, help=help_text)(func)
    return func


def listing_options(func: F) -> F:
    """The format options plus ``--limit``, ``--offset`` and ``--all``, passed on as one
    ``listing: ListingOptions`` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, fmt: str | None, limit: int | None, offset: int, show_all: bool, **kwargs: Any) -> Any:
        if show_all and limit is not None:
            raise click.UsageError("--all and --limit cannot be combined")
        return func(*args, listing=ListingOptions(fmt, limit, offset, show_all), **kwargs)

    decorated: Any = format_options(wrapper)
    decorated = click.option(
        "--all", "show_all", is_flag=True, help="On a terminal, list every row, not only what fits the screen."
    )(decorated)
    decorated = click.option(
        "--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many rows first."
    )(decorated)
    decorated = click.option(
        "--limit", type=click.IntRange(min=0), help="List at most this many rows (default: all when piped, a screenful on a terminal)."
    )(decorated)
    return decorated


def doc_option(func: F) -> F:
    return click.option(
        "--doc", "docs", multiple=True, help="Only this document: id, id prefix or title (repeatable)."
    )(func)


def label_option(func: F) -> F:
    return click.option("--label", "labels", multiple=True, help="Only this label (repeatable).")(func)
