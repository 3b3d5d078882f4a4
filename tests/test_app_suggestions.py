"""Suggestions in the reader, driven by the real keys on the seed article: `ctrl+g`
runs the suggesters in a worker, `.` `,` go from one suggestion to the next, `a` `R`
decide and move on (every suggestion in a selection at once), `H` hides a label's
suggestions, `+` labels every occurrence of a span's text. Each checked in the
database, with its undo and redo."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import app_for, go, messages, pilot_test, rows, running
from conftest import SEED
from textual.pilot import Pilot

from margin.store import suggest
from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.suggest import Suggestion
from margin.store.suggest.run import scores
from margin.tui.app import MarginApp
from margin.tui.screens.label_picker import LabelPicker

TEXT = SEED.read_text(encoding="utf-8")
NUMBER = TEXT.index("520,000 migrants")
WATSON = TEXT.index("Adrienne Watson")
FORTY = TEXT.index("40%")
MIGRANTS = [index for index in range(len(TEXT)) if TEXT.startswith("migrants", index)]
OTHER = "Immigrants and emigrants are not migrants. Migrants said so; migrants-only routes; the migrants."
OTHER_WHOLE = [(33, 41), (43, 51), (61, 69), (87, 95)]
"""Whole-word "migrants" in OTHER, either case: not inside "Immigrants" or "emigrants"."""


@pytest.fixture
def seeded(db_location: str) -> tuple[str, str]:
    path = db_location
    db = open_database(path)
    try:
        document, _new = add_document(db, TEXT, title="US agrees to pay for flights", added_by="tester")
    finally:
        db.close()
    return path, document.id


def add(path: Path, doc_id: str, *spans: tuple[int, int, str], status: str = "suggested") -> list[str]:
    db = open_database(path)
    try:
        return [add_annotation(db, doc_id, s, e, label, annotator="tester", status=status,
                               origin="suggest:test" if status == "suggested" else "manual").id
                for s, e, label in spans]
    finally:
        db.close()


class Fake:
    """A suggester that waits for ``go`` before it answers, so the test sees the UI
    carry on while it runs."""

    name = "fake"
    labels = ("statistic", "person")

    def __init__(self) -> None:
        self.go = threading.Event()
        self.thread: str | None = None

    def suggest(self, text: str) -> Iterator[Suggestion]:
        self.thread = threading.current_thread().name
        assert self.go.wait(10)
        yield Suggestion(NUMBER, NUMBER + 16, "statistic", 0.9, self.name)
        yield Suggestion(WATSON, WATSON + 15, "person", 0.8, self.name)
        yield Suggestion(FORTY, FORTY + 3, "statistic", 0.7, self.name)


async def settle(pilot: Pilot, app: MarginApp) -> None:
    """Until the worker's suggestions are stored and shown."""
    for _ in range(200):
        if not app.main.status.busy:
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


def statuses(path: Path) -> dict[tuple[int, int, str], str]:
    return {(a.start, a.end, a.label): a.status for a in rows(path)}


@pilot_test
async def test_ctrl_g_runs_the_suggesters_in_a_worker_and_u_takes_the_whole_batch_back(
    seeded: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _doc_id = seeded
    fake = Fake()
    monkeypatch.setattr(suggest, "build", lambda db, names=None, options=None: [fake])
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+g")
        assert app.main.status.busy == "suggesting…"
        await pilot.press("w")  # the UI goes on while the suggester runs
        assert app.main.reader.cursor > 0 and rows(path) == []
        fake.go.set()
        await settle(pilot, app)
        assert fake.thread != threading.main_thread().name
        expected = {(NUMBER, NUMBER + 16, "statistic"), (WATSON, WATSON + 15, "person"), (FORTY, FORTY + 3, "statistic")}
        stored = rows(path)
        assert {(a.start, a.end, a.label) for a in stored} == expected
        assert {(a.status, a.origin, a.annotator) for a in stored} == {("suggested", "suggest:fake", "tester")}
        db = open_database(path)
        try:
            assert sorted(scores(db, [a.id for a in stored]).values()) == [0.7, 0.8, 0.9]
        finally:
            db.close()
        assert {(a.start, a.label) for a in app.main.reader.annotations} == {(s, label) for s, _e, label in expected}
        assert len(app.main.annotation_panel.shown) == 3
        assert any(message.startswith("3 suggestions — ") for message in messages(app))
        await pilot.press("u")  # one step for the batch
        assert rows(path) == [] and app.main.reader.annotations == []
        assert not app.main.history.can_undo
        await pilot.press("ctrl+r")
        assert {a.id for a in rows(path)} == {a.id for a in stored}
        assert len(app.main.annotation_panel.shown) == 3
        await pilot.press("ctrl+g")  # again: nothing new, nothing doubled
        await settle(pilot, app)
        assert len(rows(path)) == 3 and "Nothing new" in messages(app)[-1]


@pilot_test
async def test_a_suggester_that_cannot_be_built_is_named_and_the_others_still_run(
    seeded: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _doc_id = seeded
    fake = Fake()
    fake.go.set()
    module = types.ModuleType("margin.store.suggest.fake_for_tests")
    module.build = lambda db, options: fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(suggest.SUGGESTERS, "fake", "fake_for_tests")
    monkeypatch.setitem(suggest.SUGGESTERS, "missing", "no_such_suggester")
    monkeypatch.setattr(suggest, "DEFAULT", ("missing", "fake"))
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert any("missing (No module named" in message for message in messages(app))
        assert len(rows(path)) == 3


@pilot_test
async def test_full_stop_and_comma_go_from_suggestion_to_suggestion_skipping_other_spans(seeded: tuple[Path, str]) -> None:
    path, doc_id = seeded
    add(path, doc_id, (NUMBER, NUMBER + 7, "statistic"), (FORTY, FORTY + 3, "statistic"))
    add(path, doc_id, (WATSON, WATSON + 15, "person"), status="accepted")
    app = app_for(path)
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, 0)
        await pilot.press("full_stop")
        assert reader.cursor == NUMBER
        await pilot.press("full_stop")
        assert reader.cursor == FORTY  # the accepted person in between is not a suggestion
        await pilot.press("full_stop")
        assert reader.cursor == NUMBER and "Suggestions hit BOTTOM, continuing at TOP" in messages(app)
        await pilot.press("comma")
        assert reader.cursor == FORTY


@pilot_test
async def test_a_and_R_decide_and_move_on_to_the_next_suggestion(seeded: tuple[Path, str]) -> None:
    path, doc_id = seeded
    first, second, third = spans = sorted(
        [(NUMBER, NUMBER + 7, "statistic"), (WATSON, WATSON + 15, "person"), (FORTY, FORTY + 3, "statistic")])
    add(path, doc_id, *spans)
    app = app_for(path)
    async with running(app) as pilot:
        reader = app.main.reader
        await go(pilot, first[0] + 1)
        await pilot.press("a")
        assert reader.cursor == second[0]
        await pilot.press("R")
        assert reader.cursor == third[0]
        decided = {first: "accepted", second: "rejected", third: "suggested"}
        assert statuses(path) == decided
        await pilot.press("u")
        assert statuses(path)[second] == "suggested"
        await pilot.press("u")
        assert set(statuses(path).values()) == {"suggested"}
        await pilot.press("ctrl+r", "ctrl+r")
        assert statuses(path) == decided


@pilot_test
async def test_a_in_a_selection_accepts_every_suggestion_inside_it_in_one_step(seeded: tuple[Path, str]) -> None:
    path, doc_id = seeded
    spans = sorted([(NUMBER, NUMBER + 7, "statistic"), (WATSON, WATSON + 15, "person"), (FORTY, FORTY + 3, "statistic")])
    add(path, doc_id, *spans)
    app = app_for(path)
    async with running(app) as pilot:
        inside = spans[:2]
        await go(pilot, inside[0][0] - 1)
        await pilot.press("v")
        app.main.reader.move_to(inside[1][1] - 1, select=True)
        await pilot.press("a")
        assert statuses(path) == {inside[0]: "accepted", inside[1]: "accepted", spans[2]: "suggested"}
        assert app.main.reader.selection is None and app.main.reader.cursor == spans[2][0]
        await pilot.press("u")  # both at once
        assert set(statuses(path).values()) == {"suggested"}
        await pilot.press("ctrl+r")
        assert list(statuses(path).values()).count("accepted") == 2
        await pilot.press("g", "v", "G", "R")  # select all, reject the rest
        assert statuses(path)[spans[2]] == "rejected"


@pilot_test
async def test_H_hides_one_labels_suggestions_which_are_neither_drawn_nor_visited(seeded: tuple[Path, str]) -> None:
    path, doc_id = seeded
    add(path, doc_id, (NUMBER, NUMBER + 7, "statistic"), (WATSON, WATSON + 15, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        reader = app.main.reader
        await pilot.press("H")
        assert isinstance(app.screen, LabelPicker)
        names = [value for _prompt, value in app.screen.choices]
        await pilot.press(str(names.index("person") + 1))
        assert reader.hidden_suggestions == {"person"}
        assert reader.annotations_at(WATSON) == [] and [a.label for a in app.main.annotation_panel.shown] == ["statistic"]
        await go(pilot, 0)
        await pilot.press("full_stop", "full_stop")
        assert reader.cursor == NUMBER  # the person suggestion is skipped: only one left
        await pilot.press("H", str(names.index("person") + 1))
        assert [a.label for a in reader.annotations_at(WATSON)] == ["person"]
        assert len(app.main.annotation_panel.shown) == 2


@pilot_test
async def test_plus_labels_every_whole_word_occurrence_then_again_in_every_document(seeded: tuple[Path, str]) -> None:
    path, doc_id = seeded
    db = open_database(path)
    try:
        other, _new = add_document(db, OTHER, title="other", added_by="tester")
        add_annotation(db, other.id, 87, 95, "statistic", annotator="ben")  # marked already: skipped
    finally:
        db.close()
    app = app_for(path, open_doc_id=doc_id)
    async with running(app) as pilot:
        await go(pilot, MIGRANTS[0])
        await pilot.press("3")  # statistic, say
        labelled = [(a.start, a.end) for a in rows(path, doc_id=doc_id)]
        assert labelled == [(MIGRANTS[0], MIGRANTS[0] + 8)]
        await go(pilot, MIGRANTS[0] + 2)
        await pilot.press("plus")
        await settle(pilot, app)
        found = rows(path, doc_id=doc_id)
        assert sorted((a.start, a.status, a.origin) for a in found if a.status == "suggested") == [
            (start, "suggested", "suggest:same-text") for start in MIGRANTS[1:]
        ]
        assert {a.label for a in found} == {"statistic"} and rows(path, doc_id=other.id)[0].annotator == "ben"
        await pilot.press("plus")  # again on the same span: every document
        await settle(pilot, app)
        elsewhere = [(a.start, a.end) for a in rows(path, doc_id=other.id) if a.status == "suggested"]
        assert elsewhere == OTHER_WHOLE[:3]
        await pilot.press("u")  # the corpus batch goes, the document's stays
        assert [a for a in rows(path, doc_id=other.id) if a.status == "suggested"] == []
        assert len(rows(path, doc_id=doc_id)) == len(MIGRANTS)
        await pilot.press("u")
        assert [(a.start, a.end) for a in rows(path, doc_id=doc_id)] == labelled
        await pilot.press("ctrl+r")
        assert len(rows(path, doc_id=doc_id)) == len(MIGRANTS)
        await go(pilot, 0)
        await pilot.press("full_stop", "a")  # confirm one by one, moving on
        assert app.main.reader.cursor == MIGRANTS[2]
        await pilot.press("g", "v", "G", "a")  # or all at once
        assert {a.status for a in rows(path, doc_id=doc_id)} == {"accepted"}


@pilot_test
async def test_the_suggestion_keys_say_why_they_do_nothing(seeded: tuple[Path, str]) -> None:
    path, _doc_id = seeded
    app = app_for(path)
    async with running(app) as pilot:
        assert app.main.check_action("next_suggestion", ()) is None
        await pilot.press("full_stop")
        assert "No suggestions shown in this document" in messages(app)[-1]
        await pilot.press("plus")
        assert messages(app)[-1] == "No annotation under the cursor"


def test_a_batch_is_one_undo_step_on_a_bare_database(seeded: tuple[Path, str]) -> None:
    from margin.store.annotations import get_annotations
    from margin.store.documents import get_document
    from margin.tui.editing import Change, Editing

    path, doc_id = seeded
    db = open_database(path)
    try:
        editing = Editing(db, "tester")
        document = get_document(db, doc_id)
        assert document is not None
        found = [Suggestion(NUMBER, NUMBER + 7, "statistic", 0.9, "fake"), Suggestion(FORTY, FORTY + 3, "statistic", 0.5, "fake")]
        change = editing.suggest([(document, found)])
        assert isinstance(change, Change) and change.description == "suggest 2 spans"
        ids = [change.annotation.id, *(a.id for a in change.more)]
        assert editing.suggest([(document, found)]) is None  # nothing new: no undo step
        accepted = editing.set_statuses([change.annotation, *change.more], "accepted")
        assert isinstance(accepted, Change) and {a.status for a in get_annotations(db, ids)} == {"accepted"}
        assert editing.undo() is not None and {a.status for a in get_annotations(db, ids)} == {"suggested"}
        undone = editing.undo()
        assert undone is not None and len(undone.more) == 1 and all(a.deleted for a in get_annotations(db, ids))
        assert not editing.history.can_undo
        editing.redo()
        assert not any(a.deleted for a in get_annotations(db, ids))
    finally:
        db.close()


def test_unmarked_drops_only_the_places_a_span_of_the_label_overlaps() -> None:
    from margin.store.suggest.occurrences import occurrences, unmarked
    from margin.tui.text.search import parse_term, whole_word

    term = parse_term(whole_word("migrants"))
    assert term is not None
    found = occurrences(OTHER, term.pattern, "statistic", skip=OTHER_WHOLE[0])
    assert [(s.start, s.end) for s in found] == OTHER_WHOLE[1:]
    long_span = (0, OTHER_WHOLE[1][0] + 2)  # reaches into the second from far before it
    assert [(s.start, s.end) for s in unmarked(found, [long_span, (OTHER_WHOLE[3][1], OTHER_WHOLE[3][1] + 1)])] == OTHER_WHOLE[2:]


def test_undoing_a_batch_keeps_the_spans_changed_since_and_redo_re_adds_only_what_it_took(
    seeded: tuple[Path, str],
) -> None:
    """Another connection accepts one suggestion and writes a note on another after
    ctrl+g: undoing the batch must not tombstone that work."""
    from margin.store.annotations import get_annotations, update_annotation
    from margin.store.documents import get_document
    from margin.tui.editing import Change, Editing

    path, doc_id = seeded
    db = open_database(path)
    try:
        editing = Editing(db, "tester")
        document = get_document(db, doc_id)
        assert document is not None
        found = [Suggestion(NUMBER, NUMBER + 7, "statistic", 0.9, "fake"), Suggestion(WATSON, WATSON + 15, "person", 0.8, "fake"),
                 Suggestion(FORTY, FORTY + 3, "statistic", 0.5, "fake")]
        change = editing.suggest([(document, found)])
        assert isinstance(change, Change)
        accepted, noted, untouched = (a.id for a in (change.annotation, *change.more))
        other = open_database(path)
        try:
            update_annotation(other, accepted, status="accepted")
            update_annotation(other, noted, note="checked: keep")
        finally:
            other.close()
        undone = editing.undo()
        assert undone is not None and undone.description == "Undid suggest 3 spans; 2 kept: changed since"
        by_id = {a.id: a for a in get_annotations(db, [accepted, noted, untouched])}
        assert (by_id[accepted].status, by_id[accepted].deleted) == ("accepted", False)
        assert (by_id[noted].note, by_id[noted].deleted) == ("checked: keep", False)
        assert by_id[untouched].deleted
        assert {a.id: a.deleted for a in (undone.annotation, *undone.more)} == {accepted: False, noted: False, untouched: True}
        redone = editing.redo()
        assert redone is not None and [a.id for a in (redone.annotation, *redone.more)] == [untouched]
        assert not any(a.deleted for a in get_annotations(db, [accepted, noted, untouched]))
        assert get_annotations(db, [accepted])[0].status == "accepted"
        again = editing.undo()  # the same two are still someone's work
        assert again is not None and again.description.endswith("2 kept: changed since")
        assert [a.deleted for a in get_annotations(db, [accepted, noted, untouched])] == [False, False, True]
    finally:
        db.close()


@pilot_test
async def test_what_a_suggester_says_about_itself_is_shown_once_and_inert(
    seeded: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _doc_id = seeded
    fake = Fake()
    fake.go.set()
    fake.notice = "claims: rules only; train the classifier with `margin suggest --train` \x1b[2J"  # type: ignore[attr-defined]
    monkeypatch.setattr(suggest, "build", lambda db, names=None, options=None: [fake])
    app = app_for(path)
    async with running(app) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        said = [message for message in messages(app) if "rules only" in message]
        assert said == ["claims: rules only; train the classifier with `margin suggest --train` ␛[2J"]
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert sum("rules only" in message for message in messages(app)) == 1


@pilot_test
async def test_the_panel_leaves_out_what_the_reader_does_not_draw(seeded: tuple[Path, str]) -> None:
    """One rule for both: a hidden label's suggestions and tombstoned spans are in neither."""
    path, doc_id = seeded
    add(path, doc_id, (NUMBER, NUMBER + 7, "statistic"), (WATSON, WATSON + 15, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        main = app.main
        gone = main.reader.annotations[0]
        assert not main._visible(dataclasses.replace(gone, deleted_at="2026-01-01T00:00:00.000000Z"))
        main.set_hidden_suggestions({"person"})
        await pilot.pause()
        assert [a.label for a in main.reader.annotations if main._visible(a)] == ["statistic"]
        assert len(main.annotation_panel.shown) == 1
