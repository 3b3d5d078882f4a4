"""The review screen: one disagreement at a time, every annotator's version side by side.

A document's span clusters come first; once they are all settled, the relations and
attributes the annotators differ on follow (``store.review_links``), shown with the
same columns and keys. Each decision goes through :mod:`store.review` or
:mod:`store.review_link_decisions`, which commit it before the screen moves on. Article text, labels, notes
and names are shown as plain text (Rich ``Text`` objects, control characters made
visible), never as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from margin.store import review, review_link_decisions, review_links
from margin.store.database import Database
from margin.store.documents import get_document
from margin.store.errors import MarginError
from margin.store.labels import list_labels

from ..text.sanitise import sanitise, shorten
from .review_edit import pick_span_and_label
from .review_items import describe_cluster, headline, in_context, item_column, open_hint, settled_line, version_column
from .review_summary import ReviewSummary

Place = tuple[int, int]
"""(document index, position there): its clusters first, then its relation and
attribute items."""


class ReviewScreen(Screen[None]):
    """Walks the disagreements document by document.

    | key | action |
    |---|---|
    | `1`–`9` | adopt that annotator's version (columns are numbered): spans, relation or value |
    | `e` | edit: choose the span and label to keep |
    | `k` | keep the relation |
    | `x` | reject: keep no span, drop the relation, or keep no value |
    | `n` / `p` | next / previous disagreement |
    | `]` / `[` | next / previous document |
    | `q` | quit |
    """

    BINDINGS = [
        Binding("1", "adopt(1)", "Adopt", key_display="1-9", id="review.adopt"),
        *(Binding(str(number), f"adopt({number})", show=False) for number in range(2, 10)),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("x", "reject", "Reject", id="review.reject"),
        Binding("k", "keep", "Keep", id="review.keep"),
        Binding("n", "next", "Next", id="review.next"),
        Binding("p", "previous", "Previous", id="review.previous"),
        Binding("]", "next_document", "Next doc", id="review.next_document"),
        Binding("[", "previous_document", "Prev doc", id="review.previous_document"),
        Binding("q", "quit_review", "Quit", id="review.quit"),
    ]
    DEFAULT_CSS = """
    ReviewScreen #review-position { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    ReviewScreen #review-context { height: auto; max-height: 12; border: round $primary; padding: 0 1; }
    ReviewScreen #review-item { height: auto; padding: 0 1; text-style: bold; }
    ReviewScreen #review-versions { height: 1fr; }
    ReviewScreen .version { width: 1fr; border: round $secondary; padding: 0 1; }
    ReviewScreen #review-decision { height: auto; padding: 0 1; }
    ReviewScreen #review-decision.settled { color: $success; }
    ReviewScreen #review-summary { display: none; height: auto; padding: 0 1; border: round $success; }
    ReviewScreen #review-summary.shown { display: block; }
    """

    def __init__(
        self, *, db: Database, reviewer: str, doc_ids: list[str] | None = None
    ) -> None:
        super().__init__()
        self.db = db
        self.reviewer = reviewer
        self.doc_ids = doc_ids
        self.documents: list[review.DocumentDisagreement] = []
        self.links: dict[int, review_links.LinkState] = {}
        """Document index -> its relation and attribute items (once its clusters are settled)."""
        self.decisions: list[review.Review] = []
        self.places: list[Place] = []
        self.settled: dict[Place, review.Review] = {}
        """Cluster place -> the decision that settles it as it stands now."""
        self.kinds: Counter[str] = Counter()
        self.open_in_document: Counter[int] = Counter()
        """Kept up to date decision by decision, so the summary costs nothing per key."""
        self.made = 0
        self.index = 0
        self._text: tuple[str, str] = ("", "")

    def compose(self) -> ComposeResult:
        yield Static(id="review-position")
        with VerticalScroll(id="review-context"):
            yield Static(id="review-text")
        yield Static(id="review-item")
        yield Horizontal(id="review-versions")
        yield Static(id="review-decision")
        yield Static(id="review-summary")
        yield Footer()

    async def on_mount(self) -> None:
        self._load()
        self.index = next((index for index, place in enumerate(self.places) if not self._is_settled(place)), 0)
        await self._show()

    def _load(self) -> None:
        self.documents, states = review_links.review_documents(self.db, self.reviewer, self.doc_ids)
        self.links = {doc: states[d.doc_id] for doc, d in enumerate(self.documents) if d.doc_id in states}
        self.decisions = review.reviews(self.db, reviewer=self.reviewer)
        # Looked up once per load by what each decision weighed, not per key.
        latest = {
            (decided.doc_id, tuple(map(tuple, decided.source_ids))): decided for decided in self.decisions
        }
        self.settled = {}
        self.kinds = Counter()
        self.open_in_document = Counter()
        for doc, document in enumerate(self.documents):
            for position, found in enumerate(document.clusters):
                decided = latest.get((found.doc_id, tuple(map(tuple, found.source_ids))))
                if decided is None:
                    self.open_in_document[doc] += 1
                else:
                    self.settled[(doc, position)] = decided
                    self.kinds[decided.decision] += 1
        self._place_all(None)
        self.index = min(self.index, max(len(self.places) - 1, 0))

    def _place_all(self, keep: Place | None) -> None:
        """List every place, keeping the cursor on ``keep`` (a document's items come
        and go as its clusters are settled)."""
        self.places = [
            (doc, position)
            for doc, document in enumerate(self.documents)
            for position in range(len(document.clusters) + len(self._items(doc)))
        ]
        if keep in self.places:
            self.index = self.places.index(keep)

    def _items(self, doc: int) -> list[review_links.LinkItem]:
        state = self.links.get(doc)
        return state.items if state is not None else []

    def _is_settled(self, place: Place) -> bool:
        doc, position = place
        clusters = len(self.documents[doc].clusters)
        if position < clusters:
            return place in self.settled
        return position - clusters in self.links[doc].decided

    @property
    def finished(self) -> bool:
        return bool(self.places) and self._open() == 0

    def _open(self) -> int:
        clusters = sum(len(document.clusters) for document in self.documents)
        return clusters - len(self.settled) + sum(state.open for state in self.links.values())

    def summary(self) -> ReviewSummary:
        links: Counter[str] = Counter(
            decided.decision for state in self.links.values() for decided in state.decided.values()
        )
        unfinished = set(self.open_in_document) | {doc for doc, state in self.links.items() if state.open}
        return ReviewSummary(
            reviewer=self.reviewer,
            adopted=self.kinds["adopted"],
            edited=self.kinds["edited"],
            rejected=self.kinds["rejected"],
            open=self._open(),
            documents=len(self.documents),
            documents_done=len(self.documents) - len(unfinished),
            this_session=self.made,
            kept=links["kept"],
            dropped=links["dropped"],
            chosen=links["chosen"] + links["cleared"],
            links=sum(len(state.items) for state in self.links.values()),
        )

    def _settle(self, decided: review.Review) -> None:
        place = self.places[self.index]
        doc = place[0]
        if decided.decision not in review.SPAN_DECISIONS:
            self._refresh_links(doc)
            return
        earlier = self.settled.get(place)
        if earlier is not None:
            self.kinds[earlier.decision] -= 1
        else:
            self.open_in_document[doc] -= 1
            if not self.open_in_document[doc]:
                del self.open_in_document[doc]
        self.kinds[decided.decision] += 1
        self.settled[place] = decided
        if doc not in self.open_in_document:
            self._refresh_links(doc)

    def _refresh_links(self, doc: int) -> None:
        """Re-read one document's relation and attribute items: its clusters were just
        all settled (or re-decided, which changes the spans they hang on), or one of
        them was."""
        state = review_links.document_link_state(self.db, self.reviewer, self.documents[doc].doc_id)
        if state is not None:
            self.links[doc] = state
        else:
            self.links.pop(doc, None)
        self._place_all(self.places[self.index])

    def _show_summary(self) -> None:
        panel = self.query_one("#review-summary", Static)
        panel.set_class(self.finished, "shown")
        if self.finished:
            lines = self.summary().lines()
            panel.update(Text("\n".join([*lines, "q quits; n / p and ] / [ go back to change a decision."])))

    def action_quit_review(self) -> None:
        """Quit; ``margin review`` then prints :meth:`summary` where the screen was."""
        self.app.exit()

    @property
    def current_document(self) -> review.DocumentDisagreement | None:
        return self.documents[self.places[self.index][0]] if self.places else None

    @property
    def current_cluster(self) -> review.Cluster | None:
        """The span cluster under review; None on a relation or attribute item."""
        if not self.places:
            return None
        doc, position = self.places[self.index]
        clusters = self.documents[doc].clusters
        return clusters[position] if position < len(clusters) else None

    @property
    def current_item(self) -> review_links.LinkItem | None:
        """The relation or attribute item under review; None on a span cluster."""
        if not self.places:
            return None
        doc, position = self.places[self.index]
        clusters = len(self.documents[doc].clusters)
        return self._items(doc)[position - clusters] if position >= clusters else None

    def _decision_here(self) -> review.Review | None:
        doc, position = self.places[self.index]
        clusters = len(self.documents[doc].clusters)
        if position < clusters:
            return self.settled.get((doc, position))
        return self.links[doc].decided.get(position - clusters)

    def _document_text(self, doc_id: str) -> str:
        if self._text[0] != doc_id:
            document = get_document(self.db, doc_id)
            self._text = (doc_id, document.text if document else "")
        return self._text[1]

    async def _show(self) -> None:
        position = self.query_one("#review-position", Static)
        versions = self.query_one("#review-versions", Horizontal)
        decision_line = self.query_one("#review-decision", Static)
        item_line = self.query_one("#review-item", Static)
        await versions.remove_children()
        document = self.current_document
        place = self.current_cluster or self.current_item
        if place is None or document is None:
            position.update(Text("Nothing to review: no document has two annotators who differ."))
            self.query_one("#review-text", Static).update("")
            item_line.update("")
            decision_line.update("")
            self._show_summary()
            return
        doc_number = self.places[self.index][0] + 1
        in_document = self.places[self.index][1] + 1
        position.update(
            Text.assemble(
                f"Document {doc_number}/{len(self.documents)}: ",
                (shorten(document.title, 50), "italic"),
                f"   disagreement {in_document}/{len(document.clusters) + len(self._items(doc_number - 1))}",
                f"   ({self.index + 1}/{len(self.places)} in all)   reviewer: ",
                sanitise(self.reviewer),
            )
        )
        text = self._document_text(place.doc_id)
        self.query_one("#review-text", Static).update(in_context(text, place.start, place.end))
        decided = self._decision_here()
        decision_line.set_class(decided is not None, "settled")
        if isinstance(place, review.Cluster):
            item_line.update("")
            colours = {label.name: label.color for label in list_labels(self.db)}
            await versions.mount_all(
                version_column(number, name, spans, colours)
                for number, (name, spans) in enumerate(place.versions.items(), start=1)
            )
            decision_line.update(Text(describe_cluster(decided, len(place.versions))))
        else:
            item_line.update(Text(headline(place, text)))
            await versions.mount_all(
                item_column(number, name, place, text) for number, name in enumerate(place.annotators, start=1)
            )
            decision_line.update(Text(settled_line(decided, place) if decided else open_hint(place)))
        self._show_summary()

    async def _decide(self, store_decision: Callable[[], review.Review], message: str) -> None:
        was_finished = self.finished
        try:
            decided = store_decision()
        except MarginError as error:
            self.notify(str(error), severity="error", markup=False)
            self._load()
            await self._show()
            return
        self.decisions.append(decided)
        self._settle(decided)
        self.made += 1
        self.notify(message, markup=False)
        if self.finished and not was_finished:
            self.notify("Every disagreement is settled: see the summary; q quits.", markup=False)
        elif self.index < len(self.places) - 1:
            self.index += 1
        await self._show()

    async def action_adopt(self, number: int) -> None:
        cluster, item = self.current_cluster, self.current_item
        place = cluster or item
        if place is None:
            return
        names = place.annotators
        if not 1 <= number <= len(names):
            self.notify(f"There is no column {number} here.", severity="warning")
            return
        name = names[number - 1]
        if item is not None:
            await self._decide(
                lambda: review_link_decisions.adopt(self.db, self.reviewer, item, name),
                sanitise(f"Took {name}'s version."),
            )
            return
        assert cluster is not None
        await self._decide(
            lambda: review.adopt(self.db, self.reviewer, cluster, name), sanitise(f"Adopted {name}'s version.")
        )

    async def action_reject(self) -> None:
        cluster, item = self.current_cluster, self.current_item
        if cluster is not None:
            await self._decide(
                lambda: review.reject(self.db, self.reviewer, cluster), "Rejected: no span kept."
            )
        elif item is not None:
            dropped = "Dropped the relation." if isinstance(item, review_links.RelationItem) else "No value kept."
            await self._decide(lambda: review_link_decisions.drop(self.db, self.reviewer, item), dropped)

    async def action_keep(self) -> None:
        """Keep the relation, as the first annotator who made it made it."""
        item = self.current_item
        if not isinstance(item, review_links.RelationItem):
            self.notify("k keeps a relation; here choose a version with 1–9.", severity="warning")
            return
        await self._decide(lambda: review_link_decisions.keep_relation(self.db, self.reviewer, item), "Kept the relation.")

    def action_edit(self) -> None:
        """Choose the span (when the annotators' extents differ), then its label."""
        cluster = self.current_cluster
        if cluster is None:
            if self.current_item is not None:
                self.notify("e edits spans; here choose a version with 1–9, or x.", severity="warning")
            return

        async def save(start: int, end: int, label: str) -> None:
            await self._decide(
                lambda: review.edit(self.db, self.reviewer, cluster, [(start, end, label)]),
                sanitise(f"Kept {label} at {start}–{end}."),
            )

        pick_span_and_label(self.app, cluster, self._document_text(cluster.doc_id), list_labels(self.db), save)

    async def _move_to(self, index: int) -> None:
        if self.places and 0 <= index < len(self.places):
            self.index = index
            await self._show()

    async def action_next(self) -> None:
        await self._move_to(self.index + 1)

    async def action_previous(self) -> None:
        await self._move_to(self.index - 1)

    async def action_next_document(self) -> None:
        if self.places:
            doc = self.places[self.index][0]
            await self._move_to(next((i for i, (d, _) in enumerate(self.places) if d > doc), self.index))

    async def action_previous_document(self) -> None:
        if self.places:
            doc = self.places[self.index][0]
            await self._move_to(next((i for i, (d, _) in enumerate(self.places) if d == doc - 1), self.index))
