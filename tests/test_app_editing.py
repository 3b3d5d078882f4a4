"""Relabel, delete, notes, suggestions and undo/redo: each checked in the database."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from app_support import (
    SAMPLE,
    app_for,
    go,
    messages,
    pilot_test,
    rows,
    running,
    sample_db,
)

from margin.store.annotations import add_annotation, get_annotation, query_annotations
from margin.store.db import open_database
from margin.tui.screens.confirm import Confirm
from margin.tui.screens.label_picker import LabelPicker
from margin.tui.screens.note_editor import NoteEditor

PERSON = SAMPLE.index("José Raúl Mulino")
SENTENCE = SAMPLE.index("On Monday")


@pytest.fixture
def sample(db_location: str) -> tuple[str, str]:
    """The sample article's database, on each backend."""
    return db_location, sample_db(db_location)


def seed(path: Path, doc_id: str, *spans: tuple[int, int, str], **extra: str) -> list[str]:
    db = open_database(path)
    try:
        return [add_annotation(db, doc_id, s, e, label, annotator="tester", **extra).id for s, e, label in spans]
    finally:
        db.close()


@pilot_test
async def test_relabel_through_the_label_picker(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    [annotation_id] = seed(path, doc_id, (PERSON, PERSON + 16, "claim"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON + 2)
        await pilot.press("r")
        assert isinstance(app.screen, LabelPicker)
        await pilot.press("2")
    [annotation] = rows(path)
    assert (annotation.id, annotation.label, annotation.start, annotation.end) == (annotation_id, "person", PERSON, PERSON + 16)


@pilot_test
async def test_delete_asks_which_when_spans_overlap_and_deletes_that_one(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    claim, person = seed(path, doc_id, (SENTENCE, PERSON + 16, "claim"), (PERSON, PERSON + 16, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON + 1)
        await pilot.press("x")
        assert isinstance(app.screen, LabelPicker)
        assert [a.label for _prompt, a in app.screen.choices] == ["person", "claim"]
        await pilot.press("down", "enter")
        assert [a.id for a in app.main.reader.annotations_at()] == [person]
    assert [a.id for a in rows(path)] == [person]
    db = open_database(path)
    assert get_annotation(db, claim).deleted_at is not None
    db.close()


@pilot_test
async def test_escape_in_the_picker_deletes_nothing(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    seed(path, doc_id, (SENTENCE, PERSON + 16, "claim"), (PERSON, PERSON + 16, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON + 1)
        await pilot.press("x", "escape")
    assert len(rows(path)) == 2


@pilot_test
async def test_delete_with_nothing_under_the_cursor_is_greyed_out(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    seed(path, doc_id, (PERSON, PERSON + 16, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, 0)
        assert app.main.check_action("delete", ()) is None
        await pilot.press("x")
        await go(pilot, PERSON)
        assert app.main.check_action("delete", ()) is True
    assert len(rows(path)) == 1



@pilot_test
async def test_greyed_out_keys_say_why_they_do_nothing(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    seed(path, doc_id, (PERSON, PERSON + 16, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, 0)
        for key, reason in (
            ("x", "No annotation under the cursor"),
            ("r", "No annotation under the cursor"),
            ("e", "No annotation under the cursor"),
            ("a", "No suggested span under the cursor"),
            ("R", "No suggested span under the cursor"),
            ("u", "Nothing to undo"),
            ("ctrl+r", "Nothing to redo"),
        ):
            await pilot.press(key)
            assert messages(app)[-1] == reason, key
        assert app.main.check_action("delete", ()) is None  # still greyed out in the footer
    assert len(rows(path)) == 1

@pilot_test
async def test_undo_and_redo_label_relabel_delete_and_note(sample: tuple[str, str]) -> None:
    path, _doc_id = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        await pilot.press("2")
        [labelled] = rows(path)
        await pilot.press("r", "1")
        await pilot.press("e", *"check", "ctrl+s")
        assert (rows(path)[0].label, rows(path)[0].note) == ("claim", "check")
        await pilot.press("x")
        assert rows(path) == []

        await pilot.press("u")
        [restored] = rows(path)
        assert restored.id == labelled.id and restored.note == "check"
        await pilot.press("u")
        assert rows(path)[0].note == ""
        await pilot.press("u")
        assert rows(path)[0].label == "person"
        await pilot.press("u")
        assert rows(path) == []
        assert app.main.check_action("undo", ()) is None

        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        [again] = rows(path)
        assert (again.id, again.label, again.note) == (labelled.id, "claim", "check")
        await pilot.press("ctrl+r")
        assert rows(path) == []
        assert "Redid delete claim" in messages(app)
    db = open_database(path)
    assert [a.id for a in query_annotations(db, include_deleted=True)] == [labelled.id]
    db.close()


@pilot_test
async def test_a_new_edit_after_undo_clears_redo(sample: tuple[str, str]) -> None:
    path, _doc_id = sample
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        await pilot.press("2", "u")
        assert app.main.history.can_redo
        await pilot.press("3")
        assert not app.main.history.can_redo
    assert [a.label for a in rows(path)] == ["statistic"]


@pilot_test
async def test_note_editor_saves_with_ctrl_s_and_cancels_with_escape(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    seed(path, doc_id, (PERSON, PERSON + 16, "person"))
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        await pilot.press("enter")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"sworn in", "enter", *"July 1", "ctrl+s")
        assert rows(path)[0].note == "sworn in\nJuly 1"
        await pilot.press("e", "x", "escape")
        assert not isinstance(app.screen, NoteEditor)
        assert "sworn in" in "\n".join(t.plain for t in app.main.annotation_panel.rows.render_row(0, 60))
    assert rows(path)[0].note == "sworn in\nJuly 1"


@pilot_test
async def test_accept_and_reject_suggested_spans(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    number = SAMPLE.index("520,000")
    first, second = seed(path, doc_id, (PERSON, PERSON + 16, "person"), (number, number + 7, "statistic"),
                         status="suggested", origin="suggest:test")
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        await pilot.press("a")
        await go(pilot, number)
        await pilot.press("R")
        assert app.main.reader.annotations_at() == []
        await pilot.press("u")
        assert [a.id for a in app.main.reader.annotations_at()] == [second]
        await go(pilot, PERSON)
        assert app.main.check_action("accept", ()) is None
    statuses = {a.id: a.status for a in rows(path)}
    assert statuses == {first: "accepted", second: "suggested"}


@pilot_test
async def test_a_read_only_database_refuses_edits_with_a_notification(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"  # a file its owner made read-only
    doc_id = sample_db(path)
    seed(path, doc_id, (PERSON, PERSON + 16, "person"))
    os.chmod(path, stat.S_IRUSR)
    try:
        app = app_for(path)
        assert app.db.readonly
        async with running(app) as pilot:
            await go(pilot, PERSON)
            await pilot.press("x", "1", "r", "e")
            assert messages(app).count("read-only database: nothing was changed") == 4
            assert app.main.status.readonly
            assert not isinstance(app.screen, (LabelPicker, NoteEditor))
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    [annotation] = rows(path)
    assert annotation.label == "person"


@pilot_test
async def test_deleting_another_annotators_span_asks_first(sample: tuple[str, str]) -> None:
    path, doc_id = sample
    db = open_database(path)
    theirs = add_annotation(db, doc_id, PERSON, PERSON + 16, "person", annotator="ana").id
    db.close()
    app = app_for(path)
    async with running(app) as pilot:
        await go(pilot, PERSON)
        await pilot.press("x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert [a.id for a in rows(path)] == [theirs]
        await pilot.press("x", "y")
        assert rows(path) == []
        await pilot.press("u")
    assert [a.id for a in rows(path)] == [theirs]
