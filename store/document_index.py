"""The document list's data, a window at a time: the ordered rowids of every document
(or of those matching a filter), the rows a screen shows fetched on demand, never a
document's text.

Documents are never deleted, so their rowids are almost always 1 to N without a gap:
then every document is a ``range``, known from three aggregate queries whatever the
size of the database, and the first screen costs one page of summaries. Only a file
with gaps (rows deleted by hand) reads its rowids, through an index rather than the
table: 40 ms for a hundred thousand documents.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from .database import Database
from .documents import DocumentSummary, contains_pattern, label_counts, search_documents
from .versions import version_numbers


class DocumentIndex:
    """Documents in rowid order, narrowed by a filter, with summaries cached by rowid.

    Every order is ascending rowid, filtered or not, so finding a document's place is
    a bisect.
    """

    def __init__(
        self,
        db: Database,
        *,
        annotator: str | None = None,
        page_size: int = 64,
        cache_size: int = 4096,
    ) -> None:
        self.db = db
        self.annotator = annotator
        """Whose reading position the summaries carry; None for no position."""
        self.page_size = page_size
        self.cache_size = max(cache_size, page_size)
        self.query = ""
        """The filter in force, as given to `filter`."""
        self.all_rowids: Sequence[int] = range(0)
        self.rowids: Sequence[int] = self.all_rowids
        """The shown order: every rowid, or the filter's matches."""
        self._summaries: OrderedDict[int, DocumentSummary] = OrderedDict()
        self._rowid_of: dict[str, int] = {}
        self._lengths: dict[int, int] = {}
        """Text lengths by rowid, kept across invalidations: a text never changes, and the
        ``length`` column is stored after the text, so reading it walks the whole text
        (half a millisecond for a book, on every label key, before this cache)."""
        self._versions: dict[str, tuple[int, int, bool]] = {}
        """Versioned documents only (``store.versions.version_numbers``), read again on
        reload, which a new document (a new version among them) brings about."""
        self.reload()

    def __len__(self) -> int:
        return len(self.rowids)

    @property
    def total(self) -> int:
        """Every document, whatever the filter."""
        return len(self.all_rowids)

    def reload(self) -> None:
        """Read the rowids again (documents were added or removed) and re-apply the filter."""
        self.all_rowids = every_rowid(self.db)
        self._summaries.clear()
        self._lengths.clear()
        self._versions = version_numbers(self.db)
        self._rowid_of.clear()
        self.filter(self.query)

    def filter(self, query: str) -> None:
        """Narrow to documents whose title holds ``query`` or whose text matches it
        as a full-text search; an empty query shows them all."""
        self.query = query
        query = query.strip()
        if not query:
            self.rowids = self.all_rowids
            return
        found = search_documents(self.db, query)
        sql = "select rowid from documents where title like ? escape '\\'"
        if found:
            sql += f" or id in ({', '.join('?' for _ in found)})"
        self.rowids = array(
            "q", (row[0] for row in self.db.execute(f"{sql} order by rowid", [contains_pattern(query), *found]))
        )

    def index_of(self, doc_id: str) -> int | None:
        """Where ``doc_id`` stands in the shown order, or None if it is not shown."""
        rowid = self.rowid_of(doc_id)
        if rowid is None:
            return None
        index = bisect_left(self.rowids, rowid)
        return index if index < len(self.rowids) and self.rowids[index] == rowid else None

    def rowid_of(self, doc_id: str) -> int | None:
        rowid = self._rowid_of.get(doc_id)
        if rowid is None:
            row = self.db.execute("select rowid from documents where id = ?", [doc_id]).fetchone()
            rowid = row[0] if row else None
        return rowid

    def doc_id(self, index: int) -> str | None:
        """The id at ``index`` in the shown order, without fetching its summary."""
        if not 0 <= index < len(self.rowids):
            return None
        rowid = self.rowids[index]
        summary = self._summaries.get(rowid)
        if summary is not None:
            return summary.id
        row = self.db.execute("select id from documents where rowid = ?", [rowid]).fetchone()
        return row[0] if row else None

    def ids(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The ids of a slice of the shown order, a query per thousand."""
        rowids = self.rowids[start:stop]
        ids: list[str] = []
        for chunk in range(0, len(rowids), 1000):
            part = rowids[chunk : chunk + 1000]
            ids.extend(
                row[0]
                for row in self.db.execute(
                    f"select id from documents where rowid in ({', '.join('?' for _ in part)}) order by rowid",
                    list(part),
                )
            )
        return ids

    def summary(self, index: int) -> DocumentSummary | None:
        """The summary at ``index``, fetching the page around it if it is not cached."""
        if not 0 <= index < len(self.rowids):
            return None
        rowid = self.rowids[index]
        summary = self._summaries.get(rowid)
        if summary is None:
            start = index - index % self.page_size
            self._fetch(self.rowids[start : start + self.page_size])
            summary = self._summaries.get(rowid)
        else:
            self._summaries.move_to_end(rowid)
        return summary

    def invalidate(self, doc_id: str) -> None:
        """Forget one document's summary; the next `summary` call reads it again."""
        rowid = self._rowid_of.pop(doc_id, None)
        if rowid is not None:
            self._summaries.pop(rowid, None)

    def _fetch(self, rowids: Iterable[int]) -> None:
        wanted = [rowid for rowid in rowids if rowid not in self._summaries]
        if not wanted:
            return
        marks = ", ".join("?" for _ in wanted)
        fetched: dict[str, DocumentSummary] = {}
        rowid_of: dict[str, int] = {}
        # The length only for rows whose length is not known yet (a page seen for the
        # first time); a row read again (its counts changed) takes it from the cache.
        known = all(rowid in self._lengths for rowid in wanted)
        length = "null" if known else "coalesce(length, length(text))"
        for rowid, doc_id, title, source, read in self.db.execute(
            f"select rowid, id, title, source, {length} from documents where rowid in ({marks})", wanted,
        ):
            if read is not None:
                self._lengths[rowid] = read
            fetched[doc_id] = DocumentSummary(
                id=doc_id, title=title or "", source=source or "", length=self._lengths.get(rowid) or 0
            )
            if doc_id in self._versions:
                version, _newest, is_newest = self._versions[doc_id]
                fetched[doc_id].version = version
                fetched[doc_id].superseded = not is_newest
            rowid_of[doc_id] = rowid
        ids = list(fetched)
        for doc_id, counts in label_counts(self.db, ids).items():
            fetched[doc_id].counts = counts
        if self.annotator is not None and ids:
            for doc_id, offset in self.db.execute(
                f"select doc_id, \"offset\" from reading_state where annotator = ? and doc_id in ({', '.join('?' for _ in ids)})",
                [self.annotator, *ids],
            ):
                fetched[doc_id].position = offset or 0
        for doc_id, summary in fetched.items():
            self._summaries[rowid_of[doc_id]] = summary
            self._rowid_of[doc_id] = rowid_of[doc_id]
        while len(self._summaries) > self.cache_size:
            _rowid, evicted = self._summaries.popitem(last=False)
            self._rowid_of.pop(evicted.id, None)


def every_rowid(db: Database) -> Sequence[int]:
    """The rowids of every document in ascending order: a ``range`` when they have no
    gap, which ``count``, ``min`` and ``max`` tell without reading a row."""
    # Three subqueries: alone, min and max each look at one end of the table's b-tree
    # and count reads an index's pages without decoding a row; as one select's three
    # aggregates they would scan the table.
    count, low, high = db.execute(
        "select (select count(*) from documents), (select min(rowid) from documents), "
        "(select max(rowid) from documents)"
    ).fetchone()
    if not count:
        return range(0)
    if high - low + 1 == count:
        return range(low, high + 1)
    return array(
        "q",
        (row[0] for row in db.execute("select rowid from documents indexed by documents_source order by rowid")),
    )
