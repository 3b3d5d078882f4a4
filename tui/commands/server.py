"""``margin server``: a PostgreSQL database made a team server, and its annotators.

Run by the database's owner (or an administrator): ``init`` creates margin's schema,
the three roles and the policies that hold each annotator to their own rows;
``add-annotator`` gives one person a login role.
"""

from __future__ import annotations

import click

from margin.store.database import Server, location
from margin.store.errors import MarginError

from ..text.sanitise import sanitise
from .context import Context, pass_context

ROLE_CHOICES = {"annotator": "margin_annotator", "reviewer": "margin_reviewer", "admin": "margin_admin"}


def _server_db(ctx: Context, url: str | None):
    if url is not None:
        ctx.db_path = location(url)
    if not isinstance(ctx.db_path, Server):
        raise MarginError(f"{ctx.db_path}: not a server; give a postgresql:// URL (or set --db / MARGIN_DB to one)")
    return ctx.open_db(create_on_server=True)


@click.group("server")
def server_command() -> None:
    """Set up a PostgreSQL team server and its annotators.

    \b
    Examples:
      margin server init postgresql://owner@db.example/margin
      margin --db postgresql://owner@db.example/margin server add-annotator ana
    """


@server_command.command("init")
@click.argument("url", required=False)
@pass_context
def init_command(ctx: Context, url: str | None) -> None:
    """Create margin's schema on URL (default: --db), with the roles margin_annotator,
    margin_reviewer and margin_admin and the row-level policies that let an annotator
    change only their own annotations. Safe to run again.

    \b
    Example:
      margin server init postgresql://owner@db.example/margin
    """
    from margin.store.postgres.roles import init_roles

    db = _server_db(ctx, url)
    init_roles(db)
    click.echo(sanitise(f"{ctx.db_path}: margin's schema, roles and policies are in place; add annotators "
                        f"with 'margin --db {ctx.db_path} server add-annotator NAME'"))


@server_command.command("add-annotator")
@click.argument("name")
@click.option("--role", "role", type=click.Choice(list(ROLE_CHOICES)), default="annotator", show_default=True,
              help="reviewer: may also adopt and settle others' spans; admin: may also manage labels and schemes.")
@click.option("--password/--no-password", default=True, show_default=True,
              help="Ask for a password (sent to the server only as its verifier); --no-password for "
                   "certificate or peer authentication.")
@pass_context
def add_annotator_command(ctx: Context, name: str, role: str, password: bool) -> None:
    """Create (or update) the login role NAME on the server named by --db.

    \b
    Examples:
      margin --db postgresql://owner@db.example/margin server add-annotator ana
      margin --db postgresql://owner@db.example/margin server add-annotator carol --role reviewer
    """
    from margin.store.postgres.roles import add_annotator

    db = _server_db(ctx, None)
    secret = click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True) if password else None
    existed = add_annotator(db, name, role=ROLE_CHOICES[role], password=secret)
    kind = f"{'an' if role[0] in 'aeiou' else 'a'} {role}"
    how = "an existing role of this server, now" if existed else "a new login,"
    assert isinstance(ctx.db_path, Server)
    click.echo(sanitise(f"{name}: {how} {kind} of every margin database on it (as {ctx.db_path.as_user(name)})"))
