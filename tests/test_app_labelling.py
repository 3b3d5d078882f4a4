"""Labelling from the keyboard: what is selected is what is stored, offsets exact."""

from __future__ import annotations

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
    spans,
)

from margin.store.db import open_database
from margin.store.labels import add_label


@pytest.fixture
def sample(db_location: str) -> str:
    """The sample article's database, on each backend."""
    sample_db(db_location)
    return db_location


@pilot_test
async def test_v_then_l_selects_characters_including_the_cursor(sample: str) -> None:
    start = SAMPLE.index("Darién Gap")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, start)
        await pilot.press("v", "l", "l", "l")
        assert app.main.status.mode == "VISUAL" and app.main.status.selection_length == 4
        await pilot.press("1")
        assert app.main.reader.selection is None
    assert spans(sample) == [(start, start + 4, "claim", "tester")]
    assert rows(sample)[0].quote == "Dari"


@pilot_test
async def test_label_key_without_selection_labels_the_word_under_the_cursor(sample: str) -> None:
    start = SAMPLE.index("Mayorkas'")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, start + 3)
        await pilot.press("2")
    assert spans(sample) == [(start, start + len("Mayorkas"), "person", "tester")]


@pilot_test
async def test_W_S_P_select_word_sentence_paragraph(sample: str) -> None:
    number = SAMPLE.index("520,000")
    sentence = SAMPLE.index("According to the department")
    paragraph = SAMPLE.index("As the U.S. State Department announced")
    paragraph_end = SAMPLE.index("\n", paragraph)
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, number + 2)
        await pilot.press("W", "3")
        await go(pilot, number)
        await pilot.press("S", "1")
        await go(pilot, paragraph + 5)
        await pilot.press("P", "1")
    assert spans(sample) == [
        (paragraph, paragraph_end, "claim", "tester"),
        (sentence, SAMPLE.index("2023.") + 5, "claim", "tester"),
        (number, number + 7, "statistic", "tester"),
    ]


@pilot_test
async def test_overlapping_and_nested_spans_are_all_kept(sample: str) -> None:
    person = SAMPLE.index("José Raúl Mulino")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, person)
        await pilot.press("S", "1")
        await go(pilot, person)
        await pilot.press("v", *["l"] * 15, "2")
        await go(pilot, person + 5)
        await pilot.press("W", "3")
        await go(pilot, person + 6)
        assert [a.label for a in app.main.reader.annotations_at()] == ["statistic", "person", "claim"]
    sentence = SAMPLE.index("On Monday")
    assert spans(sample) == [
        (sentence, SAMPLE.index("Mulino.") + 7, "claim", "tester"),
        (person, person + 16, "person", "tester"),
        (person + 5, person + 9, "statistic", "tester"),
    ]


@pilot_test
async def test_labelling_the_same_span_twice_stores_it_once(sample: str) -> None:
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Panama"))
        await pilot.press("2", "2")
        assert "Already labelled person" in messages(app)
    assert len(rows(sample)) == 1


@pilot_test
async def test_a_label_with_its_own_letter_key_labels_with_that_key(sample: str) -> None:
    db = open_database(sample)
    add_label(db, "place", key="p")
    db.close()
    start = SAMPLE.index("Colombia")
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, start)
        await pilot.press("p")
        await go(pilot, SAMPLE.index("Honduras"))
        await pilot.press("4")
    assert [(a.quote, a.label) for a in rows(sample)] == [("Colombia", "place"), ("Honduras", "place")]


@pilot_test
async def test_the_keymap_from_settings_rebinds_by_binding_id(sample: str) -> None:
    app = app_for(sample, keymap={"app.label_1": "f5", "app.delete": "D"})
    start = SAMPLE.index("Panama")
    async with running(app) as pilot:
        await go(pilot, start)
        await pilot.press("1")
        assert rows(sample) == []
        await pilot.press("f5")
        assert [a.label for a in rows(sample)] == ["claim"]
        await pilot.press("x")
        assert len(rows(sample)) == 1
        await pilot.press("D")
    assert rows(sample) == []


@pilot_test
async def test_a_keymap_entry_naming_no_binding_is_reported(sample: str) -> None:
    app = app_for(sample, keymap={"app.delete": "D", "app.dlete": "X", "app.label.place": "p"})
    async with running(app) as pilot:
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
    assert any("names no binding 'app.dlete'" in message for message in messages)
    assert not any("app.label.place" in message or "'app.delete'" in message for message in messages)


@pilot_test
async def test_new_annotations_appear_in_the_panel_and_the_document_counts(sample: str) -> None:
    app = app_for(sample)
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Watson"))
        await pilot.press("2")
        assert [a.quote for a in app.main.annotation_panel.shown] == ["Watson"]
        assert app.main.documents.summary(app.main.documents.first()).counts == {"person": 1}


def test_the_readme_names_every_binding_id_a_keymap_can_use() -> None:
    from margin.tui.app import MarginApp
    from margin.tui.widgets.reader import Reader

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    ids = [binding.id for widget in (MarginApp, Reader) for binding in widget.BINDINGS if binding.id]
    assert ids and [binding_id for binding_id in ids if f"`{binding_id}`" not in readme] == []
