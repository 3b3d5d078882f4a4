"""The undo history on its own: store operations replayed, no Textual involved."""

from __future__ import annotations

import subprocess
import sys

import pytest

from margin.store.annotations import (
    add_annotation,
    delete_annotation,
    get_annotation,
    update_annotation,
)
from margin.store.documents import add_document
from margin.store.errors import MarginError
from margin.store.labels import add_label, remove_label
from margin.tui.undo import Added, Changed, Deleted, History

TEXT = "José Raúl Mulino said 520,000 migrants crossed."


@pytest.fixture
def doc_id(fresh_db) -> str:
    return add_document(fresh_db, TEXT)[0].id


def test_undo_of_a_label_tombstones_it_and_redo_restores_the_same_row(fresh_db, doc_id: str) -> None:
    history = History()
    annotation = add_annotation(fresh_db, doc_id, 0, 16, "person", annotator="ana")
    history.record(Added(annotation.id, "person"))
    edit, undone = history.undo(fresh_db)
    assert edit.description == "label person" and undone.deleted
    _edit, redone = history.redo(fresh_db)
    assert redone.id == annotation.id and not redone.deleted
    assert (redone.start, redone.end, redone.label) == (0, 16, "person")


def test_undo_of_a_delete_restores_the_same_row(fresh_db, doc_id: str) -> None:
    history = History()
    annotation = add_annotation(fresh_db, doc_id, 22, 29, "statistic", annotator="ana", note="n")
    delete_annotation(fresh_db, annotation.id)
    history.record(Deleted(annotation.id, "statistic"))
    _edit, restored = history.undo(fresh_db)
    assert restored.id == annotation.id and restored.note == "n" and not restored.deleted
    assert history.redo(fresh_db)[1].deleted


@pytest.mark.parametrize(("field", "before", "after"), [("label", "claim", "person"), ("note", "", "x"),
                                                         ("status", "suggested", "accepted")])
def test_changes_go_back_and_forth(fresh_db, doc_id: str, field: str, before: str, after: str) -> None:
    history = History()
    extra = {"status": "suggested"} if field == "status" else {}
    annotation = add_annotation(fresh_db, doc_id, 0, 4, "claim", annotator="ana", **extra)
    update_annotation(fresh_db, annotation.id, **{field: after})
    history.record(Changed(annotation.id, field, before, after))
    assert getattr(history.undo(fresh_db)[1], field) == before
    assert getattr(history.redo(fresh_db)[1], field) == after


def test_a_failed_undo_stays_on_the_stack(fresh_db, doc_id: str) -> None:
    history = History()
    add_label(fresh_db, "place")
    annotation = add_annotation(fresh_db, doc_id, 0, 4, "claim", annotator="ana")
    update_annotation(fresh_db, annotation.id, label="place")
    history.record(Changed(annotation.id, "label", "claim", "place"))
    update_annotation(fresh_db, annotation.id, label="claim")
    remove_label(fresh_db, "place")
    history.record(Changed(annotation.id, "label", "place", "claim"))
    with pytest.raises(MarginError):
        history.undo(fresh_db)
    assert history.can_undo and not history.can_redo
    assert get_annotation(fresh_db, annotation.id).label == "claim"


def test_recording_clears_redo_and_the_history_is_bounded(fresh_db, doc_id: str) -> None:
    history = History(limit=3)
    ids = [add_annotation(fresh_db, doc_id, i, i + 1, "claim", annotator="ana").id for i in range(5)]
    for annotation_id in ids:
        history.record(Added(annotation_id, "claim"))
    undone = [history.undo(fresh_db)[1].id for _ in range(3)]
    assert undone == ids[:1:-1] and history.undo(fresh_db) is None
    history.record(Added(ids[0], "claim"))
    assert not history.can_redo


def test_undo_module_does_not_import_textual() -> None:
    code = "import sys, tui.undo; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
