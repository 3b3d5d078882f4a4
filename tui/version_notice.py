"""What the reader says about the versions of the document it shows.

Read from the store whenever the shown document or its lineage changes: the
versions of one lineage (a handful of rows, no text) and, for a document that has
versions, what re-anchoring left to review in that lineage. A document that was
never versioned costs two indexed lookups and says nothing.
Nothing here imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from margin.store.database import Database
from margin.store.reanchor import reanchor
from margin.store.reanchor_review import ReviewItem, review_items
from margin.store.versions import Version, versions

from .text.sanitise import sanitise


@dataclass(frozen=True, slots=True)
class VersionState:
    """Where a document stands among its versions, and what waits for review."""

    doc_id: str
    number: int
    """Its version number (1 for the first)."""
    count: int
    """How many versions its lineage has."""
    newest: Version
    """The newest version: the document itself when nothing replaced it."""
    items: tuple[ReviewItem, ...]

    @property
    def newer(self) -> Version | None:
        """The version to read instead, or None when this is the newest."""
        return None if self.newest.id == self.doc_id else self.newest

    @property
    def changed(self) -> int:
        return sum(item.kind == "changed" for item in self.items)

    @property
    def orphans(self) -> int:
        return sum(item.kind == "orphan" for item in self.items)

    @property
    def annotation_ids(self) -> frozenset[str]:
        return frozenset(item.annotation_id for item in self.items)


def version_state(db: Database, doc_id: str) -> VersionState | None:
    """``doc_id``'s place among its versions; None when it has no other version."""
    lineage = versions(db, doc_id)
    if len(lineage) < 2:
        return None
    number = next(version.version for version in lineage if version.id == doc_id)
    return VersionState(doc_id, number, len(lineage), lineage[-1], tuple(review_items(db, doc_id)))


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def counted(changed: int, orphans: int) -> str:
    """"2 changed spans and 1 orphan", or "" when nothing waits."""
    counts = ((changed, "changed span"), (orphans, "orphan"))
    return " and ".join(_count(number, what) for number, what in counts if number)


def waiting(state: VersionState) -> str:
    return counted(state.changed, state.orphans)


def notice_text(state: VersionState | None, open_key: str, list_key: str) -> Text | None:
    """The reader's one line about versions, or None when there is nothing to say.
    Titles and dates come from the data: the line is plain Text, never markup."""
    if state is None:
        return None
    line = Text(no_wrap=True, overflow="ellipsis")
    review = waiting(state)
    newer = state.newer
    if newer is not None:
        line.append(f" version {state.number} of {state.count}", style="bold")
        line.append(f" — a newer version exists (v{newer.version}, {sanitise(newer.versioned_at[:10])}): ")
        line.append(open_key, style="bold reverse")
        line.append(" opens it")
        if state.items:
            line.append(f"  ·  {_count(len(state.items), 'span')} to review: ")
            line.append(list_key, style="bold reverse")
            line.append(" lists them")
        return line
    if not review:
        return None
    line.append(f" v{state.number}", style="bold")
    line.append(f": {review} to review — ")
    line.append(list_key, style="bold reverse")
    line.append(" lists them")
    return line


_LINE_REACH = 200
"""How far on an orphan that began a line looks for the next line's start."""


def expected_place(old_text: str, new_text: str, offset: int) -> int:
    """Where ``offset`` of ``old_text`` is in ``new_text`` by the diff of the two: for
    an orphan, the place its old neighbours are now, where it most likely belongs.
    A diff of both texts: run it off the UI thread for a long one. A span that began a line
    is put at the start of the nearest line there (the diff may leave the last characters
    before a deleted paragraph at its place), and any span past white space, on a word."""
    place = reanchor(old_text, new_text, [], offsets=[offset]).offsets[0]
    if (offset == 0 or old_text[offset - 1] == "\n") and place > 0 and new_text[place - 1] != "\n":
        line_break = new_text.find("\n", place, place + _LINE_REACH)
        if line_break >= 0:
            place = line_break + 1
    if offset < len(old_text) and not old_text[offset].isspace():
        while place < len(new_text) - 1 and new_text[place].isspace():
            place += 1
    return place
