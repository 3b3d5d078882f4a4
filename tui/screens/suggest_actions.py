"""Assisted annotation in the reader: run the suggesters (`ctrl+g`), go from one
suggestion to the next (`.` `,`), accept or reject it and move on (`a` `R`, or every
suggestion in a selection), hide one label's suggestions (`H`), and label every
occurrence of a span's text (`+`, again: in every document).

A layer of the main screen over the attribute keys (``attribute_picker.py``). The
suggesters and the search for occurrences run in a worker thread
(``tui/suggest_worker.py``); what they find comes back as one message and is stored
through ``Editing.suggest``: one transaction, one undo step, and one row per new span
handed to the panes. "Next suggestion" is a bisection of the reader's index of
suggested spans, whatever the document's length.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text

from margin.store.model import Annotation

from ..editing import Change, Pending
from ..keymap import WHY_NOT
from ..suggest_worker import Batches, Found, SuggestionsFound, find_occurrences, run_suggesters
from ..text.sanitise import sanitise, shorten
from ..text.search import parse_term, whole_word
from ..widgets.reader import Reader
from ..widgets.reader_suggestions import shown_for
from .attribute_picker import AttributeActions
from .dismiss import if_chosen
from .label_picker import LabelPicker

SUGGESTING = "suggesting…"
ALL = "\x00all"
"""The hide picker's entry for every label at once: no label can be called this."""


class SuggestActions(AttributeActions):
    """The suggestion keys of the main screen."""

    _hidden_suggestions: frozenset[str] = frozenset()
    _suggesting = False
    _notices_shown: frozenset[str] = frozenset()
    """What the suggesters said about themselves, already shown in this session."""
    _occurrences_of: str | None = None
    """The span `+` last labelled every occurrence of: `+` on it again takes in every document."""

    if TYPE_CHECKING:
        def _edit(self, edit: Callable[[], Change | Pending | None]) -> Change | Pending | None: ...
        def _choose_annotation(
            self, title: str, then: Callable[[Annotation], None], *, suggested_only: bool = False,
            changing: bool = True,
        ) -> None: ...

    # -- what is shown ------------------------------------------------------------------

    def _visible(self, annotation: Annotation) -> bool:
        """The panel shows what the readers draw: one rule, the readers'."""
        return shown_for(annotation, self._visible_annotators(), self._hidden_suggestions)

    def _prepare_reader(self, reader: Reader) -> None:
        super()._prepare_reader(reader)
        reader.set_hidden_suggestions(self._hidden_suggestions)

    def action_hide_suggestions(self) -> None:
        hidden = self._hidden_suggestions
        choices: list[tuple[Text | str, str]] = []
        for label in self.labels:
            prompt = Text()
            prompt.append("■ ", style=label.color)
            prompt.append(f"{sanitise(label.name):<12}", style="bold")
            prompt.append("hidden: show them" if label.name in hidden else "shown: hide them", style="dim")
            choices.append((prompt, label.name))
        choices.append((Text("every label: show all" if hidden else "every label: hide all", style="italic"), ALL))
        under = self._under_cursor(suggested_only=True)
        names = [label.name for label in self.labels]
        highlighted = names.index(under[0].label) if under and under[0].label in names else 0
        self.app.push_screen(LabelPicker("Suggestions of which label?", choices, highlighted=highlighted),
                             if_chosen(self._toggle_hidden))

    def _toggle_hidden(self, name: str) -> None:
        hidden = set(self._hidden_suggestions)
        if name == ALL:
            hidden = set() if hidden else {label.name for label in self.labels}
            said = "Suggestions hidden (H shows them)" if hidden else "Every label's suggestions shown"
        elif name in hidden:
            hidden.discard(name)
            said = f"{sanitise(name)} suggestions shown"
        else:
            hidden.add(name)
            said = f"{sanitise(name)} suggestions hidden (H shows them)"
        self.set_hidden_suggestions(hidden)
        self.notify(said, markup=False)

    def set_hidden_suggestions(self, labels: set[str] | frozenset[str]) -> None:
        """Hide the suggestions of ``labels`` in every reader and in the panel."""
        self._hidden_suggestions = frozenset(labels)
        for reader in self.readers:
            reader.set_hidden_suggestions(self._hidden_suggestions)
        self._refresh_panel()
        self._refresh_binding_state()

    # -- going through them ---------------------------------------------------------------

    def action_next_suggestion(self) -> None:
        self._go_to_suggestion(self.reader.cursor, forward=True)

    def action_previous_suggestion(self) -> None:
        self._go_to_suggestion(self.reader.cursor, forward=False)

    def _go_to_suggestion(self, offset: int, *, forward: bool) -> bool:
        """Move to the next (or previous) shown suggestion, wrapping round at the end
        with a notice, as search does; False when there is none left."""
        reader = self.reader
        found = reader.suggestion_after(offset) if forward else reader.suggestion_before(offset)
        wrapped = found is None
        if found is None:
            end = len(reader.document.text) + 1 if reader.document is not None else 0
            found = reader.suggestion_after(-1) if forward else reader.suggestion_before(end)
        if found is None:
            self.notify("No suggestions left in this document", markup=False)
            return False
        if wrapped:
            self.notify("Suggestions hit BOTTOM, continuing at TOP" if forward
                        else "Suggestions hit TOP, continuing at BOTTOM", markup=False)
        reader.move_to(found.start)
        return True

    def action_accept(self) -> None:
        self._decide("accepted")

    def action_reject(self) -> None:
        self._decide("rejected")

    def _decide(self, status: str) -> None:
        """`a` / `R`: the suggestions in the selection, else the one under the cursor
        (asking which when several overlap), then on to the next."""
        if not self._writable():
            return
        reader = self.reader
        selection = reader.selection
        if selection is None:
            verb = "Accept" if status == "accepted" else "Reject"
            self._choose_annotation(f"{verb} which suggestion?", partial(self._set_status, status),
                                    suggested_only=True)
            return
        chosen = reader.suggestions_within(*selection)
        if not chosen:
            self.notify(WHY_NOT["suggestion"], severity="warning")
            return
        change = self._edit(partial(self.editing.set_statuses, chosen, status))
        if change is None:
            return
        reader.clear_selection()
        if isinstance(change, Change):
            self.notify(f"{status.capitalize()} {len(chosen)} suggestion{'' if len(chosen) == 1 else 's'} "
                        "(u undoes them all)", markup=False)
        following = reader.suggestion_after(selection[1] - 1)
        if following is not None:
            reader.move_to(following.start)

    def _set_status(self, status: str, annotation: Annotation) -> None:
        if self._edit(partial(self.editing.set_status, annotation, status)) is not None:
            self._go_to_suggestion(annotation.start, forward=True)

    # -- finding them ---------------------------------------------------------------------

    def action_suggest(self) -> None:
        """`ctrl+g`: the suggesters over the open document, in a worker thread."""
        document = self.reader.document
        if document is None or not self._writable():
            return
        if self._suggesting:
            self.notify("Still suggesting: the spans show as soon as the suggesters finish", markup=False)
            return
        self._start(partial(run_suggesters, self.db.path, document, self.annotator, self.settings.spacy_model))

    def action_label_occurrences(self) -> None:
        if self._writable():
            self._choose_annotation("Label every occurrence of which span?", self._label_occurrences, changing=False)

    def _label_occurrences(self, annotation: Annotation) -> None:
        """`+`: the span's text wherever else it occurs in the document as whole
        words, suggested with its label; `+` again on the same span: in every document."""
        document = self.reader.document
        term = parse_term(whole_word(annotation.quote.strip()))
        if document is None or term is None:
            self.notify("Nothing to look for: the span is only spaces", severity="warning", markup=False)
            return
        if self._suggesting:
            self.notify("Still looking: the spans show as soon as the search finishes", markup=False)
            return
        corpus = self._occurrences_of == annotation.id
        self._occurrences_of = annotation.id
        self._start(partial(
            find_occurrences, document, term.pattern, annotation.label, (annotation.start, annotation.end),
            corpus=self.db.path if corpus else None,
        ))

    def _start(self, work: Callable[[], Found]) -> None:
        self._suggesting = True
        self.status.busy = SUGGESTING

        def run() -> None:
            try:
                found = work()
            except Exception as error:  # said in the app, never a crash
                found = Found("suggest", error=f"{type(error).__name__}: {error}")
            self.post_message(SuggestionsFound(found))

        self.run_worker(run, thread=True, name="suggest", group="suggest", exit_on_error=False)

    def on_suggestions_found(self, message: SuggestionsFound) -> None:
        """Store what a worker found, as one edit, and show its rows."""
        self._suggesting = False
        self.status.busy = ""
        found = message.found
        if found.missing:
            self.notify(f"Some suggesters are not available: {sanitise('; '.join(found.missing))}",
                        title="Suggesters missing", severity="warning", markup=False, timeout=15)
        if fresh := [notice for notice in dict.fromkeys(found.notices) if notice not in self._notices_shown]:
            # Said once: the same pipeline is missing on every ctrl+g, and once is enough.
            self._notices_shown = self._notices_shown | set(fresh)
            self.notify(sanitise("\n".join(fresh)), title="Suggesters", markup=False, timeout=15)
        if found.error is not None:
            self.notify(sanitise(found.error), title="Suggesting failed", severity="error", markup=False)
            return
        if found.label and not found.count:
            self.notify("The text occurs nowhere else in any document as whole words" if found.corpus else
                        "The text occurs nowhere else in this document as whole words (+ again: in every document)",
                        markup=False)
            return
        batches = self._unmarked(found)
        count = sum(len(each) for _document, each in batches)
        if not count or not self._writable():
            self.notify("Nothing new to suggest: every place is already marked, or was rejected", markup=False)
            return
        change = self._edit(partial(self.editing.suggest, batches, found.what))
        if change is None:
            self.notify("Nothing new to suggest: every place is already marked, or was rejected", markup=False)
        elif isinstance(change, Change):
            added = 1 + len(change.more)
            here = sum(1 for row in (change.annotation, *change.more)
                       if self.reader.document is not None and row.doc_id == self.reader.document.id)
            where = f" ({here} here, {added - here} in other documents)" if added > here else ""
            places = f"{added} place{'' if added == 1 else 's'}"
            what = (f"{sanitise(found.label)} “{shorten(change.annotation.quote, 24)}” suggested at {places}"
                    if found.label else f"{added} suggestion{'' if added == 1 else 's'}")
            self.notify(f"{what}{where} — . goes to the next, a accepts, R rejects, u takes them all back",
                        markup=False)

    def _unmarked(self, found: Found) -> Batches:
        """Label every occurrence skips places the open document already marks with
        the label (the other documents' were skipped in the worker)."""
        if not found.label:
            return [batch for batch in found.batches if batch[1]]
        kept: Batches = []
        reader = self.reader
        for document, suggestions in found.batches:
            if reader.document is not None and document.id == reader.document.id:
                suggestions = [s for s in suggestions if not reader.marked(s.start, s.end, s.label)]
            if suggestions:
                kept.append((document, suggestions))
        return kept
