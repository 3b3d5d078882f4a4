"""Link mode: `L` on a span starts a link from it, the reader's motions go on moving,
and on another span a relation type's key (or `enter`, to pick one) links the two.

The relation types live in the database like the labels, and their keys are bound
only while a link is being made: there they shadow the screen's own keys (`c`,
`enter`), never the reader's motions, which the focused reader answers first. The
key bar says what the keys do meanwhile. The link itself is an edit like a label
(``Editing.link``): committed, undoable, queued behind another process's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from margin.store.errors import MarginError
from margin.store.model import Annotation, AttributeDef, RelationType
from margin.store.relations import check_ends
from margin.store.schemes import list_attribute_defs, list_relation_types

from ..editing import Change, Pending
from ..keymap import ATTRIBUTE_ID, LINK_CANCEL, LINK_ID, LINK_PICK
from ..keys import RESERVED_KEYS
from ..sync import ChangesArrived
from ..text.sanitise import sanitise, shorten
from ..widgets.annotation_panel import AnnotationPanel
from ..widgets.key_bar import KeyBar
from ..widgets.panel_links import type_words
from .dismiss import if_chosen
from .jumps import JumpActions
from .label_picker import LabelPicker

if TYPE_CHECKING:
    from ..editing import Change as _Change


class LinkActions(JumpActions):
    """The keys `L` and, in link mode, the relation types' keys; unlinking from the
    panel; the schemes kept in step with the database."""

    relation_types: list[RelationType]
    attribute_defs: list[AttributeDef]
    _link_from: Annotation | None = None

    if TYPE_CHECKING:
        def _edit(self, edit: Callable[[], _Change | Pending | None]) -> _Change | Pending | None: ...
        def _choose_annotation(
            self, title: str, then: Callable[[Annotation], None], *, suggested_only: bool = False,
            changing: bool = True,
        ) -> None: ...

    # -- the schemes ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.relation_types, self.attribute_defs = [], []
        self._load_schemes()

    def _load_schemes(self) -> None:
        """The relation types and attributes (a handful of rows each): on mount and
        whenever the change feed says a scheme changed."""
        kinds = self._store(list_relation_types, self.db)
        attributes = self._store(list_attribute_defs, self.db)
        if kinds is None or attributes is None:
            return
        if (kinds, attributes) != (self.relation_types, self.attribute_defs):
            self.relation_types, self.attribute_defs = kinds, attributes
            self._bind_labels()
            if self._link_from is not None:
                self._show_link_prompt()

    def _scheme_bindings(self, taken: set[str]) -> list[Binding]:
        """Attribute keys on keys nothing else takes (like label keys); in link mode,
        the relation types' keys, `enter` and `escape` before anything else."""
        bindings = []
        for attribute in getattr(self, "attribute_defs", []):
            if attribute.key and (attribute.key in taken or attribute.key in RESERVED_KEYS):
                self._tell_key_taken(attribute)
            elif attribute.key:
                taken.add(attribute.key)
                bindings.append(Binding(
                    attribute.key, f"cycle_attribute({attribute.name!r})", sanitise(attribute.name),
                    tooltip=f"Cycle the {sanitise(attribute.name)} of the span under the cursor",
                    id=f"{ATTRIBUTE_ID}{attribute.name}", show=False,
                ))
        if self._link_from is None:
            return bindings
        for kind in self.relation_types:
            if kind.key:
                bindings.append(Binding(kind.key, f"link_as({kind.name!r})", type_words(kind.name),
                                        tooltip=f"Link as {sanitise(kind.name)}", id=f"{LINK_ID}{kind.name}"))
        bindings.append(Binding(LINK_PICK, "link_pick", "Pick", tooltip="Pick the relation type",
                                id=f"{LINK_ID}pick"))
        bindings.append(Binding(LINK_CANCEL, "link_cancel", "Cancel", tooltip="Stop linking",
                                id=f"{LINK_ID}cancel"))
        return bindings

    def _tell_key_taken(self, attribute: AttributeDef) -> None:
        """An attribute key that a reader motion, the app or a label already answers
        to would never fire: said once, like a label's."""
        if (attribute.name, attribute.key or "") in self._told_clashes:
            return
        self._told_clashes.add((attribute.name, attribute.key or ""))
        self.notify(
            f"Attribute {sanitise(attribute.name)}'s key {sanitise(attribute.key or '')} is already one of margin's keys "
            "or a label's: V still sets it; give it another key",
            title="Attribute key taken", severity="warning", markup=False, timeout=15,
        )

    def on_changes_arrived(self, message: ChangesArrived) -> None:
        """Another process's links and values, one row each (the annotations of the
        batch are the live screen's: Textual runs its handler too)."""
        batch = message.batch
        if batch.schemes:
            self._load_schemes()
        if batch.lost_track or batch.overflow:
            for reader in self.readers:
                document = reader.document
                if document is not None and (batch.lost_track or document.id in batch.overflow):
                    reader.set_links(self._read_links(document.id))
        by_document: dict[str, tuple[list, list]] = {}
        for relation in batch.relations:
            if relation.updated_at >= self._shown_edits.get(relation.id, ""):
                by_document.setdefault(relation.doc_id, ([], []))[0].append(relation)
        for attribute in batch.attributes:
            if attribute.updated_at >= self._shown_edits.get(f"{attribute.annotation_id}\x1f{attribute.name}", ""):
                by_document.setdefault(attribute.doc_id, ([], []))[1].append(attribute)
        for doc_id, (relations, attributes) in by_document.items():
            self._apply_links(doc_id, relations, attributes)

    # -- link mode --------------------------------------------------------------------

    @property
    def linking(self) -> Annotation | None:
        """The span a link is being made from, in link mode."""
        return self._link_from

    def action_link(self) -> None:
        """`L` starts a link from the span under the cursor; in link mode, cancels it."""
        if self._link_from is not None:
            self.action_link_cancel()
        elif self._writable():
            self._choose_annotation("Link from which span?", self._start_link)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link" and self._link_from is not None:
            return True  # L cancels wherever the cursor is
        return super().check_action(action, parameters)

    def why_not(self, action: str) -> str | None:
        return None if action == "link" and self._link_from is not None else super().why_not(action)

    def _start_link(self, annotation: Annotation) -> None:
        if not self.relation_types:
            self.notify("No relation types: add one with margin relations add", severity="warning", markup=False)
            return
        self._link_from = annotation
        self._bind_labels()
        self._show_link_prompt()
        self._update_status()

    def _show_link_prompt(self) -> None:
        start = self._link_from
        if start is None:
            return
        prompt = Text()
        prompt.append(f"Link from {sanitise(start.label)} “{shorten(start.quote, 20)}”: ", style="bold")
        prompt.append("move, then ")
        keys = [(kind.key, type_words(kind.name)) for kind in self.relation_types if kind.key]
        for key, words in [*keys, (LINK_PICK, "pick"), (LINK_CANCEL, "cancel")]:  # L cancels too
            prompt.append(sanitise(key), style="bold reverse")
            prompt.append(f" {words} · " if key != LINK_CANCEL else f" {words}")
        self.query_one(KeyBar).prompt = prompt

    def _end_link(self) -> None:
        if self._link_from is None:
            return
        self._link_from = None
        self.query_one(KeyBar).prompt = None
        self._bind_labels()
        self._update_status()

    def action_link_cancel(self) -> None:
        self._end_link()
        self.notify("Link cancelled", markup=False)

    def _link_target(self) -> tuple[Annotation, Annotation] | None:
        """(head, child): the start and the span under the cursor, or None, said why."""
        start = self._link_from
        if start is None:
            return None
        document = self.reader.document
        if document is None or document.id != start.doc_id:
            self._end_link()
            self.notify("Link cancelled: the span it started from is in another document", markup=False)
            return None
        target = next((a for a in self._under_cursor() if a.id != start.id), None)
        if target is None:
            self.notify("Move the cursor onto the other span first", severity="warning", markup=False)
            return None
        return start, target

    def action_link_as(self, type_name: str) -> None:
        ends = self._link_target()
        if ends is None:
            return
        head, child = ends
        try:
            check_ends(type_name, head, child, db=self.db)
        except MarginError as error:
            self.notify(str(error), severity="warning", markup=False)  # and link mode goes on
            return
        self._link(head, child, type_name)

    def _link(self, head: Annotation, child: Annotation, type_name: str) -> None:
        change = self._edit(partial(self.editing.link, head, child, type_name))
        if change is not None:
            self._end_link()
            if isinstance(change, Change):
                self.notify(f"Linked {sanitise(head.label)} → {sanitise(child.label)}: {type_words(type_name)} "
                            "(u undoes)", markup=False)

    def action_link_pick(self) -> None:
        ends = self._link_target()
        if ends is None:
            return
        head, child = ends
        allowed = [kind for kind in self.relation_types if kind.allows(head.label, child.label)]
        if not allowed:
            self.notify(f"No relation type links a {sanitise(head.label)} to a {sanitise(child.label)}",
                        severity="warning", markup=False)
            return
        choices = []
        for kind in allowed:
            prompt = Text()
            prompt.append("■ ", style=kind.color)
            prompt.append(type_words(kind.name), style="bold")
            if kind.key:
                prompt.append(f" ({kind.key})", style="dim")
            if kind.description:
                prompt.append(f"  {sanitise(kind.description)}", style="dim")
            choices.append((prompt, kind.name))
        title = f"Link “{shorten(head.quote, 24)}” to “{shorten(child.quote, 24)}” as"
        self.app.push_screen(LabelPicker(title, choices), if_chosen(partial(self._link, head, child)))

    def _reader_changed(self) -> None:
        super()._reader_changed()
        start = self._link_from
        document = self.reader.document
        if start is not None and (document is None or document.id != start.doc_id):
            self._end_link()

    def _update_status(self) -> None:
        super()._update_status()
        if self._link_from is not None and self.status.mode != "SEARCH":
            self.status.mode = "LINK"

    # -- unlinking from the panel -----------------------------------------------------

    def on_annotation_panel_link_removed(self, message: AnnotationPanel.LinkRemoved) -> None:
        row, owner = message.row, message.owner
        if not self._writable():
            return
        if row.relation is not None:
            if isinstance(self._edit(partial(self.editing.unlink, row.relation, owner)), Change):
                self.notify(f"Unlinked {type_words(row.relation.type)} (u undoes)", markup=False)
        elif row.attribute is not None:
            name, value = row.attribute
            self._edit(partial(self.editing.set_value, owner, name, value, None))
