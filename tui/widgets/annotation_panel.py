"""The annotation panel: this document's annotations in reading order, filtered by
label, each with its quote, note and annotator; choosing one jumps to it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Select
from textual.widgets.option_list import Option

from margin.store.model import Annotation, Label

from ..text.sanitise import sanitise, shorten


def annotation_prompt(annotation: Annotation, color: str) -> Text:
    """Label, annotator and status on the first line; the quote; the note, if any."""
    text = Text()
    text.append("■ ", style=color)
    text.append(annotation.label, style="bold")
    text.append(f" · {sanitise(annotation.annotator)}", style="dim")
    if annotation.status != "accepted":
        text.append(f" · {annotation.status}", style="italic")
    text.append(f"\n“{shorten(annotation.quote, 70)}”")
    if annotation.note:
        text.append(f"\n✎ {shorten(annotation.note, 70)}", style="italic")
    return text


class AnnotationPanel(Vertical):
    """Annotations of the document in the active reader.

    | key | action |
    |---|---|
    | up / down | move |
    | enter | jump to the span in the reader |
    | f | next label filter |
    | escape | back to the reader |
    """

    HELP_TITLE = "Annotation panel"

    BINDINGS = [
        Binding("f", "cycle_filter", "Filter", id="annotations.filter"),
        Binding("escape", "leave", "Back", id="annotations.leave", show=False),
    ]

    class Chosen(Message):
        """The user chose an annotation: the reader should go to it."""

        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    class Left(Message):
        """The user is done with the panel."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotations: list[Annotation] = []
        self.labels: list[Label] = []
        self.shown: list[Annotation] = []
        # Kept, not queried: a timer may update the panel while the app is closing.
        self.label_filter: Select[str] = Select([], prompt="All labels", id="label-filter", compact=True)
        self.options = OptionList(id="annotation-options")

    def compose(self) -> ComposeResult:
        yield self.label_filter
        yield self.options

    def focus(self, scroll_visible: bool = True) -> AnnotationPanel:
        self.options.focus(scroll_visible)
        return self

    def show(self, annotations: Sequence[Annotation], labels: Sequence[Label]) -> None:
        """Replace the list (annotations come in reading order), keeping the filter."""
        if [label.name for label in labels] != [label.name for label in self.labels]:
            selected = self.label_filter.value
            self.label_filter.set_options((label.name, label.name) for label in labels)
            if selected in {label.name for label in labels}:
                self.label_filter.value = selected
        self.annotations = list(annotations)
        self.labels = list(labels)
        self._rebuild()

    def _rebuild(self) -> None:
        wanted = self.label_filter.value
        colors = {label.name: label.color for label in self.labels}
        self.shown = [
            annotation
            for annotation in self.annotations
            if wanted == Select.NULL or annotation.label == wanted
        ]
        options = self.options
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(annotation_prompt(annotation, colors.get(annotation.label, "#888888")), id=annotation.id)
            for annotation in self.shown
        )
        if self.shown:
            options.highlighted = min(highlighted or 0, len(self.shown) - 1)
        total = len(self.annotations)
        self.border_title = (
            f"Annotations {total}" if len(self.shown) == total else f"Annotations {len(self.shown)}/{total}"
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._rebuild()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.shown[event.option_index]))

    def action_cycle_filter(self) -> None:
        names = [label.name for label in self.labels]
        current = self.label_filter.value
        if current == Select.NULL:
            self.label_filter.value = names[0] if names else Select.NULL
        else:
            index = names.index(current) + 1 if current in names else len(names)
            self.label_filter.value = names[index] if index < len(names) else Select.NULL

    def action_leave(self) -> None:
        self.post_message(self.Left())
