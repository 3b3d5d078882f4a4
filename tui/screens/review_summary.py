"""Where a review stands, for the screen's summary panel and the terminal."""

from __future__ import annotations

from dataclasses import dataclass

from ..text.sanitise import sanitise


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """Where the review stands, shown once every disagreement is settled and printed
    when the review is quit, so the reviewer leaves knowing what is left."""

    reviewer: str
    adopted: int
    edited: int
    rejected: int
    open: int
    documents: int
    documents_done: int
    this_session: int
    kept: int = 0
    dropped: int = 0
    chosen: int = 0
    """Relations kept and dropped, attribute values chosen (none included)."""
    links: int = 0
    """Relation and attribute items seen, settled or not."""

    @property
    def settled(self) -> int:
        return self.adopted + self.edited + self.rejected + self.kept + self.dropped + self.chosen

    def lines(self) -> list[str]:
        head = "Review finished" if self.open == 0 else "Review so far"
        links = (
            f", {self.kept} relation(s) kept, {self.dropped} dropped, {self.chosen} value(s) chosen"
            if self.links else ""
        )
        return [
            f"{head} ({sanitise(self.reviewer)}): {self.settled} of {self.settled + self.open} "
            f"disagreement(s) settled: {self.adopted} adopted, {self.edited} edited, "
            f"{self.rejected} rejected{links} ({self.this_session} decision(s) this session).",
            f"{self.open} left; {self.documents_done} of {self.documents} document(s) done.",
        ]
