"""margin's own keys as one table: the screen's bindings, the keys a label may not
take, and what each action needs before it can apply are all read from here.

Plain data, no Textual import, so the command line can refuse a label key without
loading the app. Users rebind any entry by its id in the config file's ``[keymap]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Need = Literal["document", "annotation", "suggestion", "suggestions", "undo", "redo"]

WHY_NOT: dict[Need, str] = {
    "document": "No document open",
    "annotation": "No annotation under the cursor",
    "suggestion": "No suggested span under the cursor",
    "suggestions": "No suggestions shown in this document: ctrl+g runs the suggesters, H shows hidden ones",
    "undo": "Nothing to undo",
    "redo": "Nothing to redo",
}
"""Said when a greyed-out key is pressed anyway, rather than ignoring it silently."""


@dataclass(frozen=True, slots=True)
class KeyAction:
    id: str
    """The id a ``[keymap]`` entry names, e.g. ``app.delete``."""
    keys: str
    """Comma-separated Textual key names."""
    action: str
    description: str
    """The footer's word for it."""
    tooltip: str
    """The help screen's and the command palette's sentence for it."""
    show: bool = True
    """Shown in the footer."""
    needs: Need | None = None
    """What must be true where the cursor is for the key to apply."""


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("app.delete", "x", "delete", "Delete", "Delete the annotation under the cursor", needs="annotation"),
    KeyAction("app.relabel", "r", "relabel", "Relabel", "Change the label of the annotation under the cursor",
              needs="annotation"),
    KeyAction("app.edit_note", "enter,e", "edit_note", "Note", "Edit the note of the annotation under the cursor",
              needs="annotation"),
    KeyAction("app.link", "L", "link", "Link",
              "Link the span under the cursor to another: move to it, then a relation's key (enter: pick)",
              show=False, needs="annotation"),
    KeyAction("app.attribute", "V", "attribute", "Attribute",
              "Set an attribute of the span under the cursor (its key cycles the values)", show=False,
              needs="annotation"),
    KeyAction("app.word_end", "E", "word_end", "Word end",
              "Go to the end of the word (v then E selects exactly that word)", show=False, needs="document"),
    KeyAction("app.toggle_auto_advance", "ctrl+a", "toggle_auto_advance", "Auto-advance",
              "Turn auto-advance on or off: after a label the cursor moves to the next word", show=False),
    KeyAction("app.undo", "u", "undo", "Undo", "Undo the last edit", needs="undo"),
    KeyAction("app.redo", "ctrl+r", "redo", "Redo", "Redo the last undone edit", show=False, needs="redo"),
    KeyAction("app.accept", "a", "accept", "Accept",
              "Accept the suggested span under the cursor and go to the next (a selection: every one in it)",
              show=False, needs="suggestion"),
    KeyAction("app.reject", "R", "reject", "Reject",
              "Reject the suggested span under the cursor and go to the next (a selection: every one in it)",
              show=False, needs="suggestion"),
    KeyAction("app.suggest", "ctrl+g", "suggest", "Suggest",
              "Run the suggesters on this document (statistics, people, claims, learned from your labels)",
              show=False, needs="document"),
    KeyAction("app.next_suggestion", "full_stop", "next_suggestion", "Next suggestion",
              "Go to the next suggested span", show=False, needs="suggestions"),
    KeyAction("app.previous_suggestion", "comma", "previous_suggestion", "Previous suggestion",
              "Go to the previous suggested span", show=False, needs="suggestions"),
    KeyAction("app.hide_suggestions", "H", "hide_suggestions", "Hide suggestions",
              "Hide or show the suggestions of one label, or of all", show=False, needs="document"),
    KeyAction("app.occurrences", "plus", "label_occurrences", "Label every",
              "Suggest the span's label wherever its text occurs again as whole words (again: in every document)",
              show=False, needs="annotation"),
    KeyAction("app.copy", "y", "copy", "Copy",
              "Copy the selection, or the quote of the annotation under the cursor", show=False, needs="document"),
    KeyAction("app.copy_citation", "Y", "copy_citation", "Cite", "Copy a citation: “quote” — author, title, site, date, source",
              show=False, needs="document"),
    KeyAction("app.search", "slash", "search", "Search", "Search in the document (then n / N)", needs="document"),
    KeyAction("app.table_of_contents", "t", "table_of_contents", "Contents",
              "Table of contents: the document's headings (type to filter, enter goes there)", show=False,
              needs="document"),
    KeyAction("app.jump_percent", "percent_sign", "jump_percent", "Go to %",
              "Go to a percentage of the document: % then a number, enter", show=False, needs="document"),
    KeyAction("app.toggle_bookmark", "m", "toggle_bookmark", "Bookmark",
              "Bookmark the cursor's place (on a bookmark: remove it)", show=False, needs="document"),
    KeyAction("app.bookmarks", "apostrophe", "bookmarks", "Bookmarks",
              "List this document's bookmarks: enter goes there, x or d removes one", show=False,
              needs="document"),
    KeyAction("app.open_newest", "O", "open_newest", "Newest version",
              "Open the newest version of this document (the line above the status line says when there is one)",
              show=False, needs="document"),
    KeyAction("app.review_versions", "ctrl+n", "review_versions", "Review re-anchored",
              "List the spans a newer version changed or could not place: enter goes there, a re-attaches "
              "an orphan to the selection, r marks reviewed, x deletes", show=False, needs="document"),
    KeyAction("app.previous_document", "left_square_bracket", "previous_document", "Prev doc",
              "Open the previous document", show=False),
    KeyAction("app.next_document", "right_square_bracket", "next_document", "Next doc",
              "Open the next document", show=False),
    KeyAction("app.split", "ctrl+s,vertical_line", "split", "Split",
              "Open another document side by side (again: close it)", show=False),
    KeyAction("app.other_reader", "f6,ctrl+w", "other_reader", "Other reader",
              "Move to the other reader in split view (again: back); from a side pane, back to the reader",
              show=False),
    KeyAction("app.toggle_documents", "ctrl+b", "toggle_documents", "Documents",
              "Go to the document list (again: hide it)", show=False),
    KeyAction("app.toggle_annotations", "ctrl+o,f2", "toggle_annotations", "Annotations",
              "Go to the annotation panel (again: hide it)", show=False),
    KeyAction("app.zen", "z", "zen", "Zen", "Hide both side panes to read at full width (again: show them)",
              show=False),
    KeyAction("app.cycle_viewer", "A", "cycle_viewer", "Whose",
              "Cycle whose annotations are shown: everyone, mine, one person", show=False),
    KeyAction("app.toggle_theme", "ctrl+t", "toggle_theme", "Theme", "Switch between the dark and the light theme",
              show=False),
    KeyAction("app.export", "ctrl+x", "export", "Export",
              "Export this document or the whole database to a file, as margin export does", show=False),
    KeyAction("app.help", "question_mark", "help", "Help", "Show every key"),
    KeyAction("app.quit", "q", "quit", "Quit", "Save the reading position and quit"),
)

LABEL_ID = "app.label"
"""Label keys are made from the label scheme: ``app.label_1`` … for digits,
``app.label.NAME`` for a label's own key."""

ATTRIBUTE_ID = "app.attribute."
"""An attribute's own key cycles its values: ``app.attribute.NAME``."""
LINK_ID = "link."
"""Bound only while a link is being made: ``link.TYPE`` for each relation type's key,
``link.pick`` and ``link.cancel``; they shadow the screen's keys, never the reader's."""
LINK_PICK = "enter"
LINK_CANCEL = "escape"

NEEDS: dict[str, Need] = {entry.action: entry.needs for entry in ACTIONS if entry.needs is not None}
NEEDS["label"] = "document"
NEEDS["cycle_attribute"] = "annotation"

