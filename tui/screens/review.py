"""The review screen: one disagreement at a time, every annotator's version side by side.

Each decision goes through :mod:`store.review`, which commits it before the screen
moves on. Article text, labels, notes and names are shown as plain text (Rich ``Text``
objects, control characters made visible), never as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from margin.store import review
from margin.store.database import Database
from margin.store.documents import get_document
from margin.store.errors import MarginError
from margin.store.labels import list_labels
from margin.store.model import Annotation

from ..text.sanitise import sanitise, shorten
from .label_picker import LabelPicker

CONTEXT_CHARS = 280


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

    @property
    def settled(self) -> int:
        return self.adopted + self.edited + self.rejected

    def lines(self) -> list[str]:
        head = "Review finished" if self.open == 0 else "Review so far"
        return [
            f"{head} ({sanitise(self.reviewer)}): {self.settled} of {self.settled + self.open} "
            f"disagreement(s) settled: {self.adopted} adopted, {self.edited} edited, "
            f"{self.rejected} rejected ({self.this_session} decision(s) this session).",
            f"{self.open} left; {self.documents_done} of {self.documents} document(s) done.",
        ]


class ReviewScreen(Screen[None]):
    """Walks the disagreements document by document.

    | key | action |
    |---|---|
    | `1`–`9` | adopt that annotator's version (columns are numbered) |
    | `e` | edit: choose the span and label to keep |
    | `x` | reject: keep no span |
    | `n` / `p` | next / previous disagreement |
    | `]` / `[` | next / previous document |
    | `q` | quit |
    """

    BINDINGS = [
        Binding("1", "adopt(1)", "Adopt", key_display="1-9", id="review.adopt"),
        *(Binding(str(number), f"adopt({number})", show=False) for number in range(2, 10)),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("x", "reject", "Reject", id="review.reject"),
        Binding("n", "next", "Next", id="review.next"),
        Binding("p", "previous", "Previous", id="review.previous"),
        Binding("]", "next_document", "Next doc", id="review.next_document"),
        Binding("[", "previous_document", "Prev doc", id="review.previous_document"),
        Binding("q", "quit_review", "Quit", id="review.quit"),
    ]
    DEFAULT_CSS = """
    ReviewScreen #review-position { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    ReviewScreen #review-context { height: auto; max-height: 12; border: round $primary; padding: 0 1; }
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
        self.decisions: list[review.Review] = []
        self.places: list[tuple[int, int]] = []
        self.settled: dict[int, review.Review] = {}
        """Place index -> the decision that settles it as it stands now."""
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
        yield Horizontal(id="review-versions")
        yield Static(id="review-decision")
        yield Static(id="review-summary")
        yield Footer()

    async def on_mount(self) -> None:
        self._load()
        self.index = next((index for index in range(len(self.places)) if index not in self.settled), 0)
        await self._show()

    def _load(self) -> None:
        self.documents = review.disagreements(self.db, doc_ids=self.doc_ids)
        self.decisions = review.reviews(self.db, reviewer=self.reviewer)
        self.places = [
            (doc, cluster)
            for doc, document in enumerate(self.documents)
            for cluster in range(len(document.clusters))
        ]
        # Looked up once per load by what each decision weighed, not per key.
        latest = {
            (decided.doc_id, tuple(map(tuple, decided.source_ids))): decided for decided in self.decisions
        }
        self.settled = {}
        self.kinds = Counter()
        self.open_in_document = Counter()
        for index, (doc, cluster) in enumerate(self.places):
            found = self.documents[doc].clusters[cluster]
            decided = latest.get((found.doc_id, tuple(map(tuple, found.source_ids))))
            if decided is None:
                self.open_in_document[doc] += 1
            else:
                self.settled[index] = decided
                self.kinds[decided.decision] += 1
        self.index = min(self.index, max(len(self.places) - 1, 0))

    @property
    def finished(self) -> bool:
        return bool(self.places) and len(self.settled) == len(self.places)

    def summary(self) -> ReviewSummary:
        return ReviewSummary(
            reviewer=self.reviewer,
            adopted=self.kinds["adopted"],
            edited=self.kinds["edited"],
            rejected=self.kinds["rejected"],
            open=len(self.places) - len(self.settled),
            documents=len(self.documents),
            documents_done=len(self.documents) - len(self.open_in_document),
            this_session=self.made,
        )

    def _settle(self, decided: review.Review) -> None:
        earlier = self.settled.get(self.index)
        if earlier is not None:
            self.kinds[earlier.decision] -= 1
        else:
            doc = self.places[self.index][0]
            self.open_in_document[doc] -= 1
            if not self.open_in_document[doc]:
                del self.open_in_document[doc]
        self.kinds[decided.decision] += 1
        self.settled[self.index] = decided

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
        if not self.places:
            return None
        doc, cluster = self.places[self.index]
        return self.documents[doc].clusters[cluster]

    def _document_text(self, doc_id: str) -> str:
        if self._text[0] != doc_id:
            document = get_document(self.db, doc_id)
            self._text = (doc_id, document.text if document else "")
        return self._text[1]

    async def _show(self) -> None:
        position = self.query_one("#review-position", Static)
        versions = self.query_one("#review-versions", Horizontal)
        decision_line = self.query_one("#review-decision", Static)
        await versions.remove_children()
        cluster, document = self.current_cluster, self.current_document
        if cluster is None or document is None:
            position.update(Text("Nothing to review: no document has two annotators who differ."))
            self.query_one("#review-text", Static).update("")
            decision_line.update("")
            self._show_summary()
            return
        doc_number = self.places[self.index][0] + 1
        in_document = self.places[self.index][1] + 1
        position.update(
            Text.assemble(
                f"Document {doc_number}/{len(self.documents)}: ",
                (shorten(document.title, 50), "italic"),
                f"   disagreement {in_document}/{len(document.clusters)}",
                f"   ({self.index + 1}/{len(self.places)} in all)   reviewer: ",
                sanitise(self.reviewer),
            )
        )
        text = self._document_text(cluster.doc_id)
        self.query_one("#review-text", Static).update(self._in_context(text, cluster))
        colours = {label.name: label.color for label in list_labels(self.db)}
        await versions.mount_all(
            self._version_column(number, name, spans, colours)
            for number, (name, spans) in enumerate(cluster.versions.items(), start=1)
        )
        decided = self.settled.get(self.index)
        decision_line.set_class(decided is not None, "settled")
        decision_line.update(Text(self._describe(decided, len(cluster.versions))))
        self._show_summary()

    @staticmethod
    def _in_context(text: str, cluster: review.Cluster) -> Text:
        before = max(0, cluster.start - CONTEXT_CHARS)
        after = min(len(text), cluster.end + CONTEXT_CHARS)
        return Text.assemble(
            ("…" if before else "", "dim"),
            (sanitise(text[before : cluster.start]), "dim"),
            (sanitise(text[cluster.start : cluster.end]), "bold reverse"),
            (sanitise(text[cluster.end : after]), "dim"),
            ("…" if after < len(text) else "", "dim"),
        )

    @staticmethod
    def _version_column(
        number: int, name: str, spans: list[Annotation], colours: dict[str, str]
    ) -> VerticalScroll:
        body = Text()
        for annotation in spans:
            body.append(sanitise(annotation.label), style=f"bold {colours.get(annotation.label, '')}".strip())
            body.append(f"  {annotation.start}–{annotation.end}\n", style="dim")
            body.append(f"“{sanitise(annotation.quote)}”\n", style="italic")
            if annotation.note:
                body.append(f"note: {sanitise(annotation.note)}\n", style="dim")
            body.append("\n")
        if not spans:
            body.append("(no span here)", style="dim italic")
        column = VerticalScroll(Static(body), classes="version")
        column.border_title = Text(f"{number} · {sanitise(name)}")
        return column

    @staticmethod
    def _describe(decided: review.Review | None, count: int) -> str:
        if decided is None:
            return f"Open: 1–{count} adopt a version, e edit, x reject."
        if decided.decision == "adopted":
            what = f"adopted {sanitise(decided.adopted_from or '')}'s version"
        else:
            what = decided.decision
        return f"Settled by {sanitise(decided.reviewer)}: {what} ({len(decided.result_ids)} span(s) kept)."

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
        cluster = self.current_cluster
        if cluster is None:
            return
        names = cluster.annotators
        if not 1 <= number <= len(names):
            self.notify(f"There is no column {number} here.", severity="warning")
            return
        name = names[number - 1]
        await self._decide(
            lambda: review.adopt(self.db, self.reviewer, cluster, name), f"Adopted {name}'s version."
        )

    async def action_reject(self) -> None:
        cluster = self.current_cluster
        if cluster is not None:
            await self._decide(
                lambda: review.reject(self.db, self.reviewer, cluster), "Rejected: no span kept."
            )

    def action_edit(self) -> None:
        """Choose the span (when the annotators' extents differ), then its label."""
        cluster = self.current_cluster
        if cluster is None:
            return
        text = self._document_text(cluster.doc_id)
        spans = [a for annotations in cluster.versions.values() for a in annotations]
        extents = sorted({(a.start, a.end) for a in spans} | {(cluster.start, cluster.end)})
        labels = list_labels(self.db)
        used = [a.label for a in spans]
        names = [label.name for label in labels]
        usual = max(names, key=used.count) if names else None

        async def save(start: int, end: int, label: str | None) -> None:
            if label is not None:
                await self._decide(
                    lambda: review.edit(self.db, self.reviewer, cluster, [(start, end, label)]),
                    f"Kept {label} at {start}–{end}.",
                )

        def choose_label(extent: tuple[int, int] | None) -> None:
            if extent is None:
                return
            start, end = extent
            choices = [
                (Text(sanitise(label.name), style=label.color) + Text(f"  {label.key or ''}", style="dim"), label.name)
                for label in labels
            ]
            self.app.push_screen(
                LabelPicker(
                    f"Label for “{shorten(text[start:end], 40)}”",
                    choices,
                    highlighted=names.index(usual) if usual in names else 0,
                ),
                lambda label: save(start, end, label),
            )

        if len(extents) == 1:
            choose_label(extents[0])
            return
        self.app.push_screen(
            LabelPicker(
                "Span to keep",
                [
                    (Text(f"{start}–{end}  ", style="dim") + Text(shorten(text[start:end], 60)), (start, end))
                    for start, end in extents
                ],
            ),
            choose_label,
        )

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
