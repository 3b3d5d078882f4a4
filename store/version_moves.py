"""Moving a lineage's annotations onto its newest version (``store.versions``).

:func:`settle` takes every live annotation left on an older version and re-anchors it
from that version's text onto the newest (``store.reanchor``): a placed span moves
(its position, quote and context rewritten), with its attribute values and the
relations whose two ends both moved; one that cannot be placed stays where it is,
on the old text it still fits, recorded as an orphan. Either way a row in
``reanchored`` says what happened. Reading positions and bookmarks follow the diff.

A move is stamped one microsecond after the version it moved (``just_after``), not
now: it then beats the unmoved copy of the same edit in a merge, and loses to any
later edit made elsewhere on the old version, which the next settle moves in turn.
So merging copies that annotated different versions converges, whatever the order.

An orphan already tried against the newest version, unchanged since, is not tried
again, so settling a lineage twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .annotations import SELECT, context
from .database import Database
from .db import write
from .model import Annotation
from .reanchor import Anchor, Orphan, Placed, reanchor
from .timestamps import just_after, now_iso
from .versions import latest_id
from .versions import lineages as all_lineages


@dataclass(frozen=True, slots=True)
class Moved:
    """A span placed on the newest version."""

    annotation_id: str
    label: str
    from_doc: str
    to_doc: str
    method: str
    confidence: float
    changed: bool
    old_quote: str
    start: int
    end: int
    quote: str
    review: bool = False
    """Someone should look at it (its text changed; a rejected suggestion never)."""


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A span left on its old version: an orphan."""

    annotation_id: str
    label: str
    doc_id: str
    start: int
    end: int
    quote: str
    reason: str
    to_doc: str
    review: bool = True


@dataclass(slots=True)
class SettleReport:
    moved: list[Moved] = field(default_factory=list)
    orphans: list[Unplaced] = field(default_factory=list)
    relations_moved: int = 0
    relations_split: int = 0
    """Relations left behind because only one of their ends could move."""
    attributes_moved: int = 0
    duplicates: int = 0
    """Spans not moved because the newest version already had the very same span (the
    same place, label and annotator, and no note, link or value of their own)."""
    lineages: list[str] = field(default_factory=list)
    """The lineages whose spans moved or were orphaned."""

    @property
    def to_review(self) -> int:
        """How many of the spans it moved or left someone should look at."""
        return sum(moved.review for moved in self.moved) + sum(orphan.review for orphan in self.orphans)

    @property
    def changed(self) -> list[Moved]:
        return [moved for moved in self.moved if moved.changed]

    def extend(self, other: SettleReport) -> None:
        self.moved += other.moved
        self.orphans += other.orphans
        self.relations_moved += other.relations_moved
        self.relations_split += other.relations_split
        self.attributes_moved += other.attributes_moved
        self.duplicates += other.duplicates
        self.lineages += [lineage for lineage in other.lineages if lineage not in self.lineages]

    def summary(self) -> str:
        """One line: how many spans moved, how many changed, how many could not."""
        if not self.moved and not self.orphans:
            return f"{self.duplicates:,} span(s) already on the newest version" if self.duplicates else "no span to move"
        exact = len(self.moved) - len(self.changed)
        parts = [f"{len(self.moved):,} span{'s' if len(self.moved) != 1 else ''} moved to the newest version"]
        detail = [f"{exact:,} with the same text"]
        if self.changed:
            detail.append(f"{len(self.changed):,} whose text changed")
        unsure = sum(moved.review and not moved.changed for moved in self.moved)
        if unsure:
            detail.append(f"{unsure:,} found with only part of its context")
        parts[0] += f" ({', '.join(detail)})"
        if self.orphans:
            parts.append(
                f"{len(self.orphans):,} could not be placed and stay on the old version"
            )
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already there (the same span), so not moved twice")
        if self.relations_split:
            parts.append(f"{self.relations_split:,} relation{'s' if self.relations_split != 1 else ''} "
                         "wait for an orphan to be re-attached")
        return "; ".join(parts)


_UPSERT = (
    "insert into reanchored (annotation_id, from_doc, to_doc, method, confidence, changed, "
    "old_start, old_end, old_quote, reason, needs_review, updated_at) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (annotation_id) do update set "
    "from_doc = excluded.from_doc, to_doc = excluded.to_doc, method = excluded.method, "
    "confidence = excluded.confidence, changed = excluded.changed, old_start = excluded.old_start, "
    "old_end = excluded.old_end, old_quote = excluded.old_quote, reason = excluded.reason, "
    "needs_review = excluded.needs_review, updated_at = excluded.updated_at"
)
"""One row per annotation: what its last move did (``store.migrations`` 0008)."""

_TRIED = (
    "not exists (select 1 from reanchored r where r.annotation_id = annotations.id "
    "and r.method = 'orphan' and r.from_doc = annotations.doc_id and r.to_doc = ? "
    "and r.old_start = annotations.start and r.old_end = annotations.\"end\" "
    "and r.old_quote = annotations.quote)"
)
"""An orphan already tried against this newest version, unchanged since."""


def upsert_reanchored(db: Database, rows: Iterable[tuple]) -> None:
    """Write ``reanchored`` rows in :data:`_UPSERT`'s column order."""
    db.conn.executemany(_UPSERT, list(rows))


def settle(db: Database, lineages: Iterable[str] | None = None, *, stamp: str | None = None) -> SettleReport:
    """Move what is left on older versions onto the newest, for ``lineages`` (default:
    every lineage with more than one version), in one transaction."""
    report = SettleReport()
    stamp = stamp or now_iso()
    with write(db):
        for lineage in list(all_lineages(db) if lineages is None else lineages):
            _settle_lineage(db, lineage, stamp, report)
    return report


def _text(db: Database, doc_id: str) -> str:
    return db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]


def _settle_lineage(db: Database, lineage: str, stamp: str, report: SettleReport) -> None:
    newest = latest_id(db, lineage)
    older = [
        row[0]
        for row in db.execute(
            "select doc_id from document_versions where lineage = ? and doc_id != ? order by version",
            [lineage, newest],
        ).fetchall()
    ]
    new_text: str | None = None
    for doc_id in older:
        annotations = [
            Annotation(*row)
            for row in db.execute(
                f"{SELECT} where doc_id = ? and deleted_at is null and {_TRIED} order by start",
                [doc_id, newest],
            ).fetchall()
        ]
        bookmarks = db.execute(
            'select id, "offset", updated_at from bookmarks where doc_id = ? and deleted_at is null', [doc_id]
        ).fetchall()
        readers = db.execute(
            'select annotator, "offset", updated_at from reading_state r where doc_id = ? and not exists '
            "(select 1 from reading_state n where n.doc_id = ? and n.annotator = r.annotator)",
            [doc_id, newest],
        ).fetchall()
        if not annotations and not bookmarks and not readers:
            follow_ends(db, [doc_id], report)  # a relation or value merged in after its spans moved
            continue
        if new_text is None:
            new_text = _text(db, newest)
        offsets = [row[1] for row in bookmarks] + [row[1] for row in readers]
        result = reanchor(
            _text(db, doc_id), new_text,
            [Anchor(a.id, a.start, a.end, a.quote, a.prefix, a.suffix) for a in annotations], offsets,
        )
        mapped = iter(result.offsets)
        db.conn.executemany(
            'update bookmarks set doc_id = ?, "offset" = ?, updated_at = ? where id = ?',
            [(newest, next(mapped), just_after(updated_at), bookmark_id) for bookmark_id, _, updated_at in bookmarks],
        )
        db.conn.executemany(
            'insert into reading_state (doc_id, annotator, "offset", updated_at) values (?, ?, ?, ?)',
            [(newest, annotator, next(mapped), just_after(updated_at or stamp)) for annotator, _, updated_at in readers],
        )
        if annotations:
            _apply(db, doc_id, newest, new_text, {a.id: a for a in annotations}, result.placed, result.orphans,
                   stamp, report)
            if lineage not in report.lineages:
                report.lineages.append(lineage)


_SURE = 0.95
"""Below this confidence a span placed by its quote alone (its context only partly kept:
perhaps the same words in another sentence) waits for review, though its text is the same."""


def _duplicates(db: Database, newest: str, by_id: dict[str, Annotation], placed: list[Placed]) -> set[str]:
    """Spans whose very copy (place, label, annotator) the newest version already has,
    and that carry nothing of their own (a different note, a link, a value): a file of the
    old version imported again, or two copies that each moved the same import."""
    there = {
        (start, end, label, annotator): note
        for start, end, label, annotator, note in db.execute(
            'select start, "end", label, annotator, note from annotations where doc_id = ? and deleted_at is null',
            [newest],
        ).fetchall()
    }
    if not there:
        return set()
    candidates = []
    for p in placed:
        a = by_id[p.id]
        key = (p.start, p.end, a.label, a.annotator)
        if key in there and a.note in ("", there[key]):
            candidates.append(p.id)
    linked: set[str] = set()
    for query in (
        "select head from relations where deleted_at is null and head in ({})",
        "select child from relations where deleted_at is null and child in ({})",
        "select annotation_id from attributes where deleted_at is null and annotation_id in ({})",
    ):
        linked.update(row[0] for row in db.rows_in(query, candidates))
    return {candidate for candidate in candidates if candidate not in linked}


def _apply(
    db: Database, doc_id: str, newest: str, new_text: str, by_id: dict[str, Annotation],
    placed: list[Placed], orphans: list[Orphan], stamp: str, report: SettleReport,
) -> None:
    pending = {
        row[0]: row
        for row in db.rows_in(
            "select annotation_id, from_doc, old_start, old_end, old_quote, changed, confidence "
            "from reanchored where needs_review = 1 and method != 'orphan' and annotation_id in ({})",
            [p.id for p in placed],
        )
    }
    duplicates = _duplicates(db, newest, by_id, placed)
    moves: list[tuple] = []
    gone: list[tuple] = []
    records: list[tuple] = []
    for p in placed:
        a = by_id[p.id]
        if a.id in duplicates:
            stamp_after = just_after(a.updated_at)
            gone.append((stamp_after, stamp_after, a.id))
            continue
        quote, prefix, suffix = context(new_text, p.start, p.end)
        moves.append((newest, p.start, p.end, quote, prefix, suffix, just_after(a.updated_at), a.id))
        earlier = pending.get(a.id)
        if earlier is not None:  # still to review from an earlier move: keep what it was then
            _, from_doc, old_start, old_end, old_quote, was_changed, was_confidence = earlier
            changed = bool(was_changed) or p.changed or quote != old_quote
            confidence = min(was_confidence, p.confidence)
        else:
            from_doc, old_start, old_end, old_quote = doc_id, a.start, a.end, a.quote
            changed, confidence = p.changed or quote != a.quote, p.confidence
        review = (changed or confidence < _SURE) and a.status != "rejected"
        records.append((a.id, from_doc, newest, p.method, confidence, int(changed), old_start, old_end,
                        old_quote, "", int(review), stamp))
        report.moved.append(Moved(a.id, a.label, doc_id, newest, p.method, confidence, changed, old_quote,
                                  p.start, p.end, quote, review))
    for o in orphans:
        a = by_id[o.id]
        review = a.status != "rejected"
        records.append((a.id, doc_id, newest, "orphan", 0.0, 0, a.start, a.end, a.quote, o.reason,
                        int(review), stamp))
        report.orphans.append(Unplaced(a.id, a.label, doc_id, a.start, a.end, a.quote, o.reason, newest, review))
    db.conn.executemany(
        'update annotations set doc_id = ?, start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, '
        "updated_at = ? where id = ?",
        moves,
    )
    db.conn.executemany("update annotations set deleted_at = ?, updated_at = ? where id = ?", gone)
    report.duplicates += len(gone)
    upsert_reanchored(db, records)
    follow_ends(db, [doc_id], report)
    db.conn.executemany(
        "insert into changes (kind, row_id, doc_id) values ('document', ?, ?)", [(doc_id, doc_id), (newest, newest)]
    )


def follow_ends(db: Database, doc_ids: Iterable[str], report: SettleReport | None = None) -> None:
    """Relations and attribute values on ``doc_ids`` follow their spans: a relation whose
    two ends are now on another document moves there, and a value goes with its span."""
    for doc_id in doc_ids:
        relations = db.execute(
            "select r.id, r.updated_at, h.doc_id, c.doc_id, r.deleted_at is null from relations r "
            "join annotations h on h.id = r.head join annotations c on c.id = r.child where r.doc_id = ?",
            [doc_id],
        ).fetchall()
        moving = [(head_doc, just_after(updated_at), relation_id)
                  for relation_id, updated_at, head_doc, child_doc, _ in relations
                  if head_doc == child_doc != doc_id]
        db.conn.executemany("update relations set doc_id = ?, updated_at = ? where id = ?", moving)
        values = db.execute(
            "select v.annotation_id, v.name, v.updated_at, a.doc_id from attributes v "
            "join annotations a on a.id = v.annotation_id where v.doc_id = ? and a.doc_id != v.doc_id",
            [doc_id],
        ).fetchall()
        db.conn.executemany(
            "update attributes set doc_id = ?, updated_at = ? where annotation_id = ? and name = ?",
            [(target, just_after(updated_at), annotation_id, name) for annotation_id, name, updated_at, target in values],
        )
        if report is not None:
            report.relations_moved += len(moving)
            report.relations_split += sum(
                1 for _, _, head_doc, child_doc, live in relations if head_doc != child_doc and live
            )
            report.attributes_moved += len(values)


def add_version(db: Database, old_id: str, new_id: str, *, stamp: str | None = None) -> tuple[int | None, SettleReport]:
    """Make ``new_id`` the next version of ``old_id``'s document and move the annotations
    onto it, in one transaction; returns its version number (None when it already was
    a version of that document) and what moved."""
    from .versions import lineage_of, link_version

    with write(db):
        number = link_version(db, old_id, new_id, stamp=stamp)
        return number, settle(db, [lineage_of(db, old_id)], stamp=stamp)
