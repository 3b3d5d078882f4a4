"""``margin reanchor``: versions of a document from the command line.

A revised text is a document of its own (ids are content hashes); this command makes
it the next version of the one it revises and moves the annotations onto it, settles
what older versions still carry, and lists what re-anchoring left for a person to
look at. The work is ``store.version_moves`` and ``store.reanchor_review``; this
module parses, prints, and rolls a dry run back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from rich.text import Text

from margin.store.database import Database
from margin.store.db import write
from margin.store.documents import resolve_document
from margin.store.errors import MarginError
from margin.store.model import Document
from margin.store.reanchor_review import ReviewItem, all_review_items, pending_counts
from margin.store.version_moves import SettleReport, add_version, settle
from margin.store.versions import Version, lineage_of, version_numbers, versions

from ..text.sanitise import sanitise, shorten
from . import output
from .context import Context, doc_option, pass_context
from .output import print_json

T = TypeVar("T")

QUOTE_WIDTH = 40
"""Characters of a quote shown in a report line: one line, whatever the span."""
TITLE_WIDTH = 60
REASON_WIDTH = 60


# --- versions in listings (margin documents, margin info) ---------------------------


@dataclass(frozen=True, slots=True)
class VersionTag:
    """Where a document stands in its lineage, for a listing's row."""

    version: int
    newest: int
    """The newest version's number."""
    is_newest: bool

    def __str__(self) -> str:
        if self.is_newest:
            return f"v{self.version}"
        if self.newest == self.version:  # two revisions numbered alike, e.g. after a merge
            return f"v{self.version}, superseded by another v{self.newest}"
        return f"v{self.version}, superseded by v{self.newest}"


def version_tags(db: Database) -> dict[str, VersionTag]:
    """Every versioned document's tag, in one query over the versioned documents only."""
    return {
        doc_id: VersionTag(version, newest, is_newest)
        for doc_id, (version, newest, is_newest) in version_numbers(db).items()
    }


def review_totals(db: Database) -> dict[str, int]:
    """Spans waiting for review per newest version (changed and orphans together)."""
    return {doc_id: changed + orphans for doc_id, (changed, orphans) in pending_counts(db).items()}


# --- margin reanchor ------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside a dry run's write transaction, so that everything it did rolls back."""


def rolled_back(db: Database, work: Callable[[], T]) -> T:
    """What ``work`` returns, run inside a write transaction that is then rolled back:
    a dry run takes the very code path of the real change and leaves nothing behind."""
    if db.readonly:
        raise MarginError(f"{db.path}: read-only; a dry run needs write access too (what it does is rolled back)")
    done: list[T] = []
    try:
        with write(db):
            done.append(work())
            raise _DryRun
    except _DryRun:
        pass
    return done[0]


def _title(document: Document | Version) -> str:
    return shorten(document.title or document.id[:12], TITLE_WIDTH)


def _quote(text: str) -> str:
    return f"\u201c{shorten(text, QUOTE_WIDTH)}\u201d"


def _settle_record(report: SettleReport) -> dict[str, Any]:
    return {
        "summary": report.summary(),
        "moved": len(report.moved),
        "changed": len(report.changed),
        "orphans": len(report.orphans),
        "relations_moved": report.relations_moved,
        "relations_waiting": report.relations_split,
        "attributes_moved": report.attributes_moved,
    }


def _echo_settled(report: SettleReport, dry_run: bool) -> None:
    click.echo(("dry run, nothing was changed: " if dry_run else "") + sanitise(report.summary()))
    waiting = report.to_review
    if waiting and not dry_run:
        click.echo(f"{waiting:,} span(s) to review: margin reanchor --report lists them")


def _add_version(ctx: Context, old_ref: str, new_ref: str, dry_run: bool, as_json: bool) -> None:
    db = ctx.open_db(existing=True)
    old, new = resolve_document(db, old_ref), resolve_document(db, new_ref)

    def work() -> tuple[int | None, SettleReport]:
        return add_version(db, old.id, new.id)

    number, report = rolled_back(db, work) if dry_run else work()
    if as_json:
        print_json({"old": old.id, "new": new.id, "version": number, "dry_run": dry_run, **_settle_record(report)})
        return
    if number is None:
        click.echo(f"{_title(new)} ({new.id[:12]}) already is a version of {_title(old)}")
    else:
        would = "would become" if dry_run else "is now"
        click.echo(f"{_title(new)} ({new.id[:12]}) {would} version {number} of {_title(old)}")
    _echo_settled(report, dry_run)


def _settle_all(ctx: Context, dry_run: bool, as_json: bool) -> None:
    db = ctx.open_db(existing=True)

    def work() -> SettleReport:
        return settle(db)

    report = rolled_back(db, work) if dry_run else work()
    if as_json:
        print_json({"dry_run": dry_run, "documents": len(report.lineages), **_settle_record(report)})
        return
    _echo_settled(report, dry_run)


# --- margin reanchor --report -----------------------------------------------------------


@dataclass(slots=True)
class _Lineage:
    """One document's versions and what waits for review in it."""

    newest: Version
    by_id: dict[str, Version]
    items: list[ReviewItem] = field(default_factory=list)

    def version_of(self, doc_id: str) -> int:
        found = self.by_id.get(doc_id)
        return found.version if found is not None else 0


def _grouped(db: Database, items: Iterable[ReviewItem]) -> list[_Lineage]:
    """Items per lineage, changed spans before orphans, with a query per lineage (and
    one per distinct document) rather than per item."""
    groups: dict[str, _Lineage] = {}
    lineage_by_doc: dict[str, str] = {}
    for item in items:
        if item.doc_id not in lineage_by_doc:
            lineage_by_doc[item.doc_id] = lineage_of(db, item.doc_id)
        lineage = lineage_by_doc[item.doc_id]
        if lineage not in groups:
            found = versions(db, lineage)
            groups[lineage] = _Lineage(found[-1], {version.id: version for version in found})
        groups[lineage].items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda item: item.kind == "orphan")  # stable: reading order stays
    return list(groups.values())


def _heading(group: _Lineage) -> str:
    newest = group.newest
    return f"{_title(newest)}: version {newest.version} ({newest.id[:12]}), {len(group.items):,} to review"


def _where(item: ReviewItem) -> str:
    return f"{item.start}\u2013{item.end}"


def _plain_line(group: _Lineage, item: ReviewItem) -> str:
    label = sanitise(item.label)
    if item.kind == "changed":
        return (
            f"  changed {label}: {_quote(item.old_quote)} -> {_quote(item.quote)} "
            f"({sanitise(item.method)}, confidence {item.confidence:.2f}) at {_where(item)}"
        )
    return (
        f"  orphan  {label}: {_quote(item.quote)} stays on version {group.version_of(item.doc_id)} "
        f"at {_where(item)}: {shorten(item.reason, REASON_WIDTH) or 'not placed'}"
    )


def _print_plain(groups: list[_Lineage]) -> None:
    for index, group in enumerate(groups):
        if index:
            click.echo("")
        click.echo(_heading(group))
        for item in group.items:
            click.echo(_plain_line(group, item))


def _print_tables(groups: list[_Lineage], screen: output.Terminal) -> None:
    from rich.table import Table

    out = output.console(width=screen.width)
    for group in groups:
        out.print(Text(_heading(group), style="bold"))
        table = Table(header_style="bold")
        for column in ("", "label", "was", "now", "how", "at"):
            table.add_column(column, justify="right" if column == "at" else "left", overflow="fold")
        for item in group.items:
            if item.kind == "changed":
                cells = ["changed", sanitise(item.label), _quote(item.old_quote), _quote(item.quote),
                         f"{sanitise(item.method)} {item.confidence:.2f}", _where(item)]
            else:
                cells = ["orphan", sanitise(item.label), _quote(item.quote),
                         f"not placed: {shorten(item.reason, REASON_WIDTH)}",
                         f"stays on v{group.version_of(item.doc_id)}", _where(item)]
            table.add_row(*(Text(cell) for cell in cells), style="yellow" if item.kind == "orphan" else None)
        out.print(table)


def _record(group: _Lineage, item: ReviewItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "annotation_id": item.annotation_id,
        "label": item.label,
        "document": group.newest.id,
        "title": group.newest.title,
        "newest_version": group.newest.version,
        "doc_id": item.doc_id,
        "version": group.version_of(item.doc_id),
        "start": item.start,
        "end": item.end,
        "quote": item.quote,
        "old_quote": item.old_quote,
        "method": item.method,
        "confidence": item.confidence,
        "reason": item.reason,
        "note": item.note,
    }


def _report(ctx: Context, docs: tuple[str, ...], as_json: bool) -> None:
    db = ctx.open_db(existing=True)
    doc_ids = [resolve_document(db, ref).id for ref in docs] or None
    groups = _grouped(db, all_review_items(db, doc_ids))
    if as_json:
        print_json([_record(group, item) for group in groups for item in group.items])
        return
    if not groups:
        click.echo("nothing to review")
        return
    screen = output.terminal()
    if screen is None:
        _print_plain(groups)
    else:
        _print_tables(groups, screen)
    items = [item for group in groups for item in group.items]
    changed = sum(1 for item in items if item.kind == "changed")
    click.echo(f"{changed:,} changed span(s) and {len(items) - changed:,} orphan(s) to review")


@click.command("reanchor")
@click.argument("refs", nargs=-1, metavar="[OLD NEW]")
@click.option("--report", is_flag=True, help="List what waits for review: spans whose text changed when they "
              "moved to a newer version, and orphans left on an older one.")
@doc_option
@click.option("--dry-run", is_flag=True, help="Say what would move, and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def reanchor_command(
    ctx: Context, refs: tuple[str, ...], report: bool, docs: tuple[str, ...], dry_run: bool, as_json: bool
) -> None:
    """Make NEW the next version of document OLD and move its annotations onto it.

    OLD and NEW are ids, id prefixes or titles. Each span is placed on the new
    text where it fits (its text may have changed: a corrected figure); one
    that cannot be placed stays on the old version as an orphan. With no
    arguments, moves whatever older versions still carry onto the newest
    (a span an undo brought back on an older one, say). --report lists what
    waits for review.

    \b
    Examples:
      margin reanchor 3f2a9c 7b01d4
      margin reanchor "Border report" "Border report (corrected)" --dry-run
      margin reanchor
      margin reanchor --report
      margin reanchor --report --doc 7b01d4 --json
    """
    if len(refs) not in (0, 2):
        raise click.UsageError("give OLD and NEW, or no document to settle every document with versions")
    if report and (refs or dry_run):
        raise click.UsageError("--report lists what waits for review; it takes no OLD NEW and no --dry-run")
    if docs and not report:
        raise click.UsageError("--doc applies to --report")
    if report:
        _report(ctx, docs, as_json)
    elif refs:
        _add_version(ctx, refs[0], refs[1], dry_run, as_json)
    else:
        _settle_all(ctx, dry_run, as_json)
