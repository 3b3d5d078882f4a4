"""The review's edit: choose the span to keep (when the annotators' extents differ),
then its label, in the shared picker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from rich.text import Text
from textual.app import App

from margin.store.model import Label
from margin.store.review import Cluster

from ..text.sanitise import sanitise, shorten
from .label_picker import LabelPicker


def pick_span_and_label(
    app: App,
    cluster: Cluster,
    text: str,
    labels: Sequence[Label],
    save: Callable[[int, int, str], Awaitable[None]],
) -> None:
    """Ask for an extent among the annotators' (and the cluster's own), then a label
    (the one they used most is highlighted), and hand both to ``save``."""
    spans = [a for annotations in cluster.versions.values() for a in annotations]
    extents = sorted({(a.start, a.end) for a in spans} | {(cluster.start, cluster.end)})
    used = [a.label for a in spans]
    names = [label.name for label in labels]
    usual = max(names, key=used.count) if names else None

    async def chosen(start: int, end: int, label: str | None) -> None:
        if label is not None:
            await save(start, end, label)

    def choose_label(extent: tuple[int, int] | None) -> None:
        if extent is None:
            return
        start, end = extent
        choices = [
            (Text(sanitise(label.name), style=label.color) + Text(f"  {label.key or ''}", style="dim"), label.name)
            for label in labels
        ]
        app.push_screen(
            LabelPicker(
                f"Label for “{shorten(text[start:end], 40)}”",
                choices,
                highlighted=names.index(usual) if usual in names else 0,
            ),
            lambda label: chosen(start, end, label),
        )

    if len(extents) == 1:
        choose_label(extents[0])
        return
    app.push_screen(
        LabelPicker(
            "Span to keep",
            [
                (Text(f"{start}–{end}  ", style="dim") + Text(shorten(text[start:end], 60)), (start, end))
                for start, end in extents
            ],
        ),
        choose_label,
    )
