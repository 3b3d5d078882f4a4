"""The review screen: one disagreement at a time, every annotator's version side by side.

Each decision goes through :mod:`store.review`, which commits it before the screen
moves on. Article text, labels, notes and names are shown as plain text (Rich ``Text``
objects, control characters made visible), never as markup.
"""

from __future__ import annotations

from collections.abc import Callable

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
        Binding("q", "app.quit", "Quit", id="review.quit"),
    ]
    DEFAULT_CSS = """
    ReviewScreen #review-position { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    ReviewScreen #review-context { height: auto; max-height: 12; border: round $primary; padding: 0 1; }
    ReviewScreen #review-versions { height: 1fr; }
    ReviewScreen .version { width: 1fr; border: round $secondary; padding: 0 1; }
    ReviewScreen #review-decision { height: auto; padding: 0 1; }
    ReviewScreen #review-decision.settled { color: $success; }
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
        self.index = 0
        self._text: tuple[str, str] = ("", "")

    def compose(self) -> ComposeResult:
        yield Static(id="review-position")
        with VerticalScroll(id="review-context"):
            yield Static(id="review-text")
        yield Horizontal(id="review-versions")
        yield Static(id="review-decision")
        yield Footer()

    async def on_mount(self) -> None:
        self._load()
        self.index = next(
            (
                index
                for index, (doc, cluster) in enumerate(self.places)
                if review.decision_for(self.documents[doc].clusters[cluster], self.decisions) is None
            ),
            0,
        )
        await self._show()

    def _load(self) -> None:
        self.documents = review.disagreements(self.db, doc_ids=self.doc_ids)
        self.decisions = review.reviews(self.db, reviewer=self.reviewer)
        self.places = [
            (doc, cluster)
            for doc, document in enumerate(self.documents)
            for cluster in range(len(document.clusters))
        ]
        self.index = min(self.index, max(len(self.places) - 1, 0))

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
        decided = review.decision_for(cluster, self.decisions)
        decision_line.set_class(decided is not None, "settled")
        decision_line.update(Text(self._describe(decided, len(cluster.versions))))

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
        try:
            store_decision()
        except MarginError as error:
            self.notify(str(error), severity="error", markup=False)
            self._load()
            await self._show()
            return
        self.decisions = review.reviews(self.db, reviewer=self.reviewer)
        self.notify(message, markup=False)
        if self.index < len(self.places) - 1:
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
