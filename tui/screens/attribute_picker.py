"""Attributes of spans by keyboard: `V` picks an attribute that applies to the span's
label and then its value; an attribute's own key (verdict: `C`) cycles the span's
value through the choices, then clears it.

A layer of the main screen over link mode (``link_mode.py``). Each value set or
cleared is an edit (``Editing.set_value``): committed, undoable, queued behind
another process's lock. The span's current values come from the reader's
``LinkIndex``, read once when the document opened.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from margin.store.model import FLAG_VALUE, Annotation, AttributeDef
from margin.store.schemes import MAX_VALUE_LENGTH

from ..text.sanitise import sanitise, shorten
from .dismiss import if_chosen
from .label_picker import LabelPicker
from .link_mode import LinkActions
from .type_ahead import TypeAhead

CLEAR = "\x00clear"
"""The value picker's "clear" entry: no attribute value can be this."""


class ValuePrompt(TypeAhead[str | None]):
    """Ask for a text attribute's value, one line at the bottom like the search prompt."""

    DEFAULT_CSS = """
    ValuePrompt { align: left bottom; background: transparent; }
    #value-input { dock: bottom; margin-bottom: 2; border: tall $accent; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="value.cancel")]

    def __init__(self, name: str, value: str) -> None:
        super().__init__()
        self.attribute_name = name
        self.value = value

    def compose(self) -> ComposeResult:
        yield Input(self.value, placeholder=f"{sanitise(self.attribute_name)}: type a value (empty clears), enter",
                    max_length=MAX_VALUE_LENGTH, id="value-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or CLEAR)

    def action_cancel(self) -> None:
        self.dismiss(None)


def next_value(attribute: AttributeDef, current: str | None) -> str | None:
    """What the attribute's key sets next: the choices in order, then no value."""
    cycle: list[str | None] = [FLAG_VALUE] if attribute.kind == "flag" else list(attribute.choices)
    if current not in cycle:
        return cycle[0] if cycle else None
    index = cycle.index(current) + 1
    return cycle[index] if index < len(cycle) else None


class AttributeActions(LinkActions):
    """The keys `V` and each attribute's own key."""

    def _applying(self, annotation: Annotation) -> list[AttributeDef]:
        return [attribute for attribute in self.attribute_defs if attribute.applies_to(annotation.label)]

    def _value_of(self, annotation: Annotation, name: str) -> str | None:
        return self.reader.links.values(annotation.id).get(name)

    def action_attribute(self) -> None:
        if self._writable():
            self._choose_annotation("Set an attribute of which span?", self._ask_attribute)

    def _ask_attribute(self, annotation: Annotation) -> None:
        applying = self._applying(annotation)
        if not applying:
            self.notify(f"No attribute applies to a {sanitise(annotation.label)} span", severity="warning",
                        markup=False)
            return
        if len(applying) == 1:  # nothing to choose between: straight to its values
            self._ask_value(annotation, applying[0])
            return
        choices = []
        for attribute in applying:
            prompt = Text()
            prompt.append(sanitise(attribute.name), style="bold")
            current = self._value_of(annotation, attribute.name)
            prompt.append(f"  {shorten(current, 24)}" if current is not None else "  (none)", style="dim")
            if attribute.key:
                prompt.append(f"  key {attribute.key}", style="dim")
            choices.append((prompt, attribute))
        title = f"Attribute of {sanitise(annotation.label)} “{shorten(annotation.quote, 32)}”"
        self.app.push_screen(LabelPicker(title, choices), if_chosen(partial(self._ask_value, annotation)))

    def _ask_value(self, annotation: Annotation, attribute: AttributeDef) -> None:
        current = self._value_of(annotation, attribute.name)
        then = if_chosen(partial(self._picked, annotation, attribute))
        if attribute.kind == "text":
            self.app.push_screen(ValuePrompt(attribute.name, current or ""), then)
            return
        values = ["set"] if attribute.kind == "flag" else list(attribute.choices)
        choices: list[tuple[Text | str, str]] = [
            (Text(value + ("  ✓" if current == stored else "")), stored)
            for value, stored in zip(values, [FLAG_VALUE] if attribute.kind == "flag" else values, strict=True)
        ]
        choices.append((Text("clear", style="italic"), CLEAR))
        stored_values = [stored for _prompt, stored in choices]
        highlighted = stored_values.index(current) if current in stored_values else 0
        title = f"{sanitise(attribute.name)} of “{shorten(annotation.quote, 32)}”"
        self.app.push_screen(LabelPicker(title, choices, highlighted=highlighted), then)

    def _picked(self, annotation: Annotation, attribute: AttributeDef, value: str) -> None:
        self._set_value(annotation, attribute, None if value == CLEAR else value)

    def _set_value(self, annotation: Annotation, attribute: AttributeDef, value: str | None) -> None:
        before = self._value_of(annotation, attribute.name)
        if self._edit(partial(self.editing.set_value, annotation, attribute.name, before, value)) is not None:
            shown = f"{sanitise(attribute.name)}: {shorten(value, 40)}" if value is not None else (
                f"{sanitise(attribute.name)} cleared")
            self.notify(f"{shown} (u undoes)", markup=False)

    def action_cycle_attribute(self, name: str) -> None:
        attribute = next((each for each in self.attribute_defs if each.name == name), None)
        if attribute is None or not self._writable():
            return
        applying = [a for a in self._under_cursor() if attribute.applies_to(a.label)]
        if not applying:
            self.notify(f"{sanitise(name)} applies to {'/'.join(map(sanitise, attribute.labels))} spans; "
                        "none is under the cursor", severity="warning", markup=False)
            return
        annotation = applying[0]
        if attribute.kind == "text":
            self._ask_value(annotation, attribute)
            return
        self._set_value(annotation, attribute, next_value(attribute, self._value_of(annotation, name)))
