"""Keys typed while a prompt is opening go into its field.

A prompt gives its field the focus once it is mounted, and Textual moves the focus
only after the keys already waiting have been routed: a fast typist's ``/Watson⏎``,
or a burst from a paste or over a slow link, would otherwise reach the prompt with
nothing focused and be lost. Such a key reaches the screen itself (a focused field
consumes printable keys, enter and backspace, so none of these ever bubbles up to it)
and is put into the field here, in the order typed.

Keys typed even earlier, right after the key that opens the prompt, were routed to the
screen below before the prompt existed; the app hands them on (``typed_below``).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import events
from textual.widgets import Input, TextArea
from textual.widgets.input import Selection

from .dialog import Dialog

T = TypeVar("T")


class TypeAhead(Dialog[T]):
    """A prompt whose field (``FIELD``, a selector) takes the keys typed before it had
    the focus."""

    FIELD: ClassVar[str] = "Input"

    @staticmethod
    def takes(event: events.Key) -> bool:
        """A key that the field would take had it the focus."""
        return event.is_printable or event.key in ("enter", "backspace")

    def typed_below(self, event: events.Key) -> None:
        """``event`` was typed for the screen below while this one opened (the key that
        opened it was still on its way through that screen): it comes here instead."""
        event.stop()
        event.prevent_default()
        self.post_message(events.Key(event.key, event.character))

    async def on_key(self, event: events.Key) -> None:
        if not self.takes(event):
            return
        field = self.query_one(self.FIELD)
        if not isinstance(field, (Input, TextArea)):
            return
        event.stop()
        event.prevent_default()
        field.focus()
        if isinstance(field, Input):
            if field.select_on_focus and not field.has_focus:
                # As the focus would: the last search selected, so that typing replaces
                # it; and the focus, arriving, does not select what was typed meanwhile.
                field.select_on_focus = False
                field.selection = Selection(0, len(field.value))
            if event.key == "enter":
                await field.action_submit()
            elif event.key == "backspace":
                field.action_delete_left()
            elif event.character:
                field.replace(event.character, *field.selection)  # as the field does with a key
        elif event.key == "backspace":
            field.action_delete_left()
        else:
            field.replace("\n" if event.key == "enter" else event.character or "", *field.selection)
