"""Who may write what on a team server: the annotator is the database role.

On a file anyone may type any ``--annotator``; on a server set up by ``margin server
init`` the name is the role one connects as (``current_user``), and the server itself
holds everyone to it, through row-level security:

- ``margin_annotator``: reads everything; adds documents, versions and suggestions;
  adds and changes only spans, bookmarks and reading positions under its own name,
  and links and values only on its own spans;
- ``margin_reviewer`` (an annotator too): may also change anyone's spans, links and
  values, which adopting and settling disagreements does, and records reviews;
- ``margin_admin`` (a reviewer too): may also add rows under anyone's name (merging
  or importing a colleague's work), manages labels, relation types and attributes,
  deletes shared rows, and adds annotators.

A refusal is the server's, whatever client made the change, and margin reports it as
one line (``connection.PermissionRefused``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import MarginError
from ..names import name_problem

if TYPE_CHECKING:
    from .database import PgDatabase

ANNOTATOR, REVIEWER, ADMIN = "margin_annotator", "margin_reviewer", "margin_admin"

OWNED = {
    "annotations": "annotator", "relations": "annotator", "attributes": "annotator",
    "bookmarks": "annotator", "reading_state": "annotator", "reviews": "reviewer",
}
"""Tables whose rows belong to someone, and the column that names them."""
SCHEMES = ("labels", "label_renames", "relation_types", "attribute_defs", "scheme_renames")
"""Only an admin changes these."""
SHARED = ("document_versions", "reanchored", "suggestion_scores", "models")
"""The team's together (a new version, a suggester's scores and model): anyone adds
and updates them; only an admin deletes."""
DOCUMENT_COLUMNS_ANYONE_UPDATES = ("title", "length", "tokens")
"""A document's text never changes (its id is its hash); what a merge or agreement
fills in may be written by anyone."""

IS_REVIEWER = f"pg_has_role('{REVIEWER}', 'member')"
IS_ADMIN = f"pg_has_role('{ADMIN}', 'member')"
OWNS = "margin_owns_span"
"""Whether the span with this id is the current role's: a link or a value goes only
on one's own spans."""


def _own(table: str, row: str = "") -> str:
    """The row is under the current role's name (and, for links and values, on its
    spans); ``row`` qualifies the columns (``old.`` in a trigger)."""
    mine = f"{row}{OWNED[table]} = current_user"
    if table == "attributes":
        return f"({mine} and {OWNS}({row}annotation_id))"
    if table == "relations":
        return f"({mine} and {OWNS}({row}head) and {OWNS}({row}child))"
    return mine


def _checks(table: str, row: str = "") -> tuple[str, str]:
    """(who may add a row, who may change or remove one). Adding under someone else's
    name is an admin's (a merge or an import of a colleague's work); changing what
    someone else made is a reviewer's, for spans, links and values."""
    add = f"({_own(table, row)} or {IS_ADMIN})"
    change = f"({_own(table, row)} or {IS_REVIEWER})" if table in ("annotations", "relations", "attributes") else add
    return add, change


def _refuse_removal(table: str) -> str:
    """A trigger function refusing to remove a row the role may not change. A delete
    policy would only hide such rows from the delete, which then matches nothing and
    says nothing; the trigger makes the server refuse it, as it refuses an update."""
    _, change = _checks(table, "old.")
    return (
        f"create or replace function margin_may_remove_{table}() returns trigger language plpgsql as $$ begin "
        f"if not {change} then raise exception using errcode = 'insufficient_privilege', "
        "message = format('%s: your role may remove only its own rows', tg_table_name); "
        "end if; return old; end $$"
    )


def statements(schema: str) -> list[str]:
    """The roles, grants and policies, each safe to run again; ``schema`` is quoted."""
    out = [
        "do $$ begin "
        + " ".join(
            f"if not exists (select from pg_roles where rolname = '{role}') then create role {role} nologin; end if;"
            for role in (ANNOTATOR, REVIEWER, ADMIN)
        )
        + " end $$",
        f"grant {ANNOTATOR} to {REVIEWER}",
        f"grant {REVIEWER} to {ADMIN}",
        f"grant usage on schema {schema} to {ANNOTATOR}",
        f"grant select on all tables in schema {schema} to {ANNOTATOR}",
        f"grant usage on all sequences in schema {schema} to {ANNOTATOR}",
        f"grant insert, update, delete on {', '.join(t for t in OWNED if t != 'reviews')} to {ANNOTATOR}",
        f"grant insert, update on {', '.join(SHARED)} to {ANNOTATOR}",
        f"grant insert, update ({', '.join(DOCUMENT_COLUMNS_ANYONE_UPDATES)}) on documents to {ANNOTATOR}",
        f"grant insert on reviews to {REVIEWER}",
        f"grant insert, update, delete on {', '.join((*SCHEMES, *SHARED, 'reviews'))} to {ADMIN}",
        f"grant delete on documents to {ADMIN}",
        f"create or replace function {OWNS}(span text) returns boolean language sql stable as $$ "
        "select exists (select 1 from annotations where id = span and annotator = current_user) $$",
        "create or replace function margin_keep_owner() returns trigger language plpgsql as $$ begin "
        "if to_jsonb(old) ->> tg_argv[0] is distinct from to_jsonb(new) ->> tg_argv[0] "
        f"and not {IS_REVIEWER} then "
        "raise exception using errcode = 'insufficient_privilege', "
        "message = format('%s: only a reviewer may change whose a row is', tg_table_name); "
        "end if; return new; end $$",
    ]
    for function in ("margin_annotation_counts", "margin_changes_keep_recent", "margin_changes_notify", *(
        f"margin_changes_{table}" for table in (
            "annotations", "labels", "documents", "relations", "attributes", "relation_types",
            "attribute_defs", "document_versions", "reanchored",
        )
    )):
        out.append(f"alter function {function}() security definer set search_path = {schema}, pg_temp")
    for table in OWNED:
        add, change = _checks(table)
        out += [
            f"alter table {table} enable row level security",
            f"drop policy if exists margin_read on {table}",
            f"create policy margin_read on {table} for select using (true)",
            f"drop policy if exists margin_insert on {table}",
            f"create policy margin_insert on {table} for insert with check ({add})",
            f"drop policy if exists margin_update on {table}",
            f"create policy margin_update on {table} for update using (true) with check ({change})",
            f"drop policy if exists margin_delete on {table}",
            f"create policy margin_delete on {table} for delete using (true)",
            _refuse_removal(table),
            f"drop trigger if exists margin_may_remove on {table}",
            f"create trigger margin_may_remove before delete on {table} "
            f"for each row execute function margin_may_remove_{table}()",
            f"drop trigger if exists margin_keep_owner on {table}",
            f"create trigger margin_keep_owner before update on {table} "
            f"for each row execute function margin_keep_owner('{OWNED[table]}')",
        ]
    out.append("insert into margin_meta values ('roles', 'enforced') on conflict (key) do update set value = 'enforced'")
    return out


def init_roles(db: PgDatabase) -> None:
    """Set up the roles and policies on a margin database (its owner runs this)."""
    from ..db import write

    schema = db.execute("select quote_ident(current_schema())").fetchone()[0]
    with write(db):
        for statement in statements(schema):
            db.conn.execute(statement)


def add_annotator(db: PgDatabase, name: str, *, role: str = ANNOTATOR, password: str | None = None) -> bool:
    """A login role for one person, member of ``role`` and of no higher margin role
    (so it also demotes); whether the role existed. Roles belong to the whole server,
    not to one database. The password travels to the server only as the verifier libpq
    computes from it, never as itself; without one, an existing password is kept."""
    from psycopg import sql

    problem = name_problem("annotator", name)
    if problem:
        raise MarginError(problem)
    if name.lower().startswith(("margin_", "pg_")):
        raise MarginError(f"{name}: a name of the server's or margin's own roles; choose a person's name")
    raw = db.server.raw
    exists = db.execute("select rolsuper or rolcreaterole from pg_roles where rolname = ?", [name]).fetchone()
    if exists and exists[0]:
        raise MarginError(f"{name}: an existing role with administrator rights; margin leaves it as it is")
    verb = sql.SQL("alter role {} login") if exists else sql.SQL("create role {} login")
    statement = verb.format(sql.Identifier(name))
    if password is not None:
        verifier = raw.pgconn.encrypt_password(password.encode(), name.encode()).decode()
        statement = sql.SQL("{} password {}").format(statement, sql.Literal(verifier))
    from .connection import _as_sqlite_errors

    higher = (REVIEWER, ADMIN)[(ANNOTATOR, REVIEWER, ADMIN).index(role):]
    with _as_sqlite_errors():
        raw.execute(statement)
        raw.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(name)))
        for above in higher:
            raw.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(above), sql.Identifier(name)))
    return bool(exists)


def enforced_role(db: PgDatabase) -> str | None:
    """The role margin writes as, when the server holds annotators to their role."""
    row = db.execute("select value from margin_meta where key = 'roles'").fetchone()
    return db.execute("select current_user").fetchone()[0] if row and row[0] == "enforced" else None
