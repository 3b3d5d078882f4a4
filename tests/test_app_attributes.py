"""Attributes of spans by keyboard, on the seed article: `V` picks the attribute and
its value, an attribute's own key (verdict: `C`) cycles the values; undo and redo;
the panel's line; flags and text values; attribute keys bound like label keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import app_for, messages, pilot_test, running
from test_app_links import mark_claim_and_person, panel_lines

from margin.store.attributes import document_attributes
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.model import AttributeDef
from margin.store.schemes import add_attribute_def
from margin.tui.screens.attribute_picker import next_value
from margin.tui.screens.label_picker import LabelPicker


@pytest.fixture
def seed(db_location: str, seed_text: str) -> str:
    path = db_location
    db = open_database(path)
    try:
        add_document(db, seed_text, title="US agrees to pay for flights")
    finally:
        db.close()
    return path


def values(path: Path) -> list[dict[str, str]]:
    db = open_database(path)
    try:
        doc_id = db.execute("select id from documents").fetchone()[0]
        return list(document_attributes(db, doc_id).values())
    finally:
        db.close()


@pilot_test
async def test_V_verdict_unverifiable_then_C_cycles_and_undo_redo(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("V")  # one attribute applies to a claim: straight to its values
        await pilot.pause()
        assert isinstance(app.screen, LabelPicker) and app.screen.title_text.startswith("verdict of")
        assert [value for _prompt, value in app.screen.choices][:-1] == [
            "true", "false", "misleading", "unverifiable", "unchecked"]
        await pilot.press("4")  # unverifiable
        await pilot.pause()
        assert values(seed) == [{"verdict": "unverifiable"}]
        assert panel_lines(app) == ["verdict: unverifiable"]
        await pilot.press("C")
        await pilot.pause()
        assert values(seed) == [{"verdict": "unchecked"}] and panel_lines(app) == ["verdict: unchecked"]
        await pilot.press("C")  # past the last choice: cleared
        await pilot.pause()
        assert values(seed) == [] and panel_lines(app) == []
        await pilot.press("C")
        await pilot.pause()
        assert values(seed) == [{"verdict": "true"}]
        await pilot.press("u", "u")
        await pilot.pause()
        assert values(seed) == [{"verdict": "unchecked"}]
        await pilot.press("u", "u")
        await pilot.pause()
        assert values(seed) == [] and panel_lines(app) == []
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert values(seed) == [{"verdict": "unverifiable"}] and panel_lines(app) == ["verdict: unverifiable"]


@pilot_test
async def test_clear_in_the_picker_and_attributes_that_do_not_apply(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await mark_claim_and_person(pilot)
        await pilot.press("C", "V")
        await pilot.pause()
        await pilot.press("6")  # "clear"
        await pilot.pause()
        assert values(seed) == []
        await pilot.press("tab", "V")  # the person: verdict is for claims
        await pilot.pause()
        assert messages(app)[-1] == "No attribute applies to a person span"
        await pilot.press("C")
        await pilot.pause()
        assert "verdict applies to claim spans; none is under the cursor" in messages(app)[-1]


@pilot_test
async def test_flag_and_text_attributes(seed: Path) -> None:
    db = open_database(seed)
    try:
        add_attribute_def(db, "negated", kind="flag", labels=["claim"], key="N")
        add_attribute_def(db, "unit", kind="text", labels=["claim"])
    finally:
        db.close()
    app = app_for(seed)
    async with running(app) as pilot:
        # N is the reader's previous match: an attribute key never takes it.
        assert "Attribute negated's key N is already one of margin's keys" in " ".join(messages(app))
        assert "N" not in {binding.key for _k, (_n, binding, _e, _t) in app.main.active_bindings.items()
                           if (binding.id or "").startswith("app.attribute.")}
        await mark_claim_and_person(pilot)
        await pilot.press("V")
        await pilot.pause()
        names = [value.name for _prompt, value in app.screen.choices]
        assert names == ["verdict", "negated", "unit"]
        await pilot.press(str(names.index("negated") + 1), "enter")  # "set"
        await pilot.pause()
        assert values(seed) == [{"negated": "true"}]
        await pilot.press("V", str(names.index("unit") + 1))
        await pilot.pause()
        await pilot.press(*"km", "enter")
        await pilot.pause()
        assert values(seed) == [{"negated": "true", "unit": "km"}]
        assert panel_lines(app) == ["negated: true", "unit: km"]
        await pilot.press("u")
        await pilot.pause()
        assert values(seed) == [{"negated": "true"}]


def test_next_value_cycles_the_choices_then_clears() -> None:
    verdict = AttributeDef("verdict", "choice", ("true", "false"))
    assert [next_value(verdict, v) for v in (None, "true", "false", "stale")] == ["true", "false", None, "true"]
    flag = AttributeDef("negated", "flag")
    assert next_value(flag, None) == "true" and next_value(flag, "true") is None


@pilot_test
async def test_the_attribute_key_is_bound_from_the_scheme(seed: Path) -> None:
    app = app_for(seed)
    async with running(app) as pilot:
        await pilot.pause()
        keys = {binding.key: binding.id for _key, (_node, binding, _enabled, _tip) in app.main.active_bindings.items()}
        assert keys.get("C") == "app.attribute.verdict"
        assert keys.get("L") == "app.link" and keys.get("V") == "app.attribute"


@pilot_test
async def test_another_process_value_and_scheme_show_as_they_land(seed: Path, seed_text: str) -> None:
    import asyncio

    from margin.store.annotations import add_annotation
    from margin.store.attributes import set_attribute

    app = app_for(seed)
    async with running(app) as pilot:
        other = open_database(seed)
        try:
            doc_id = other.execute("select id from documents").fetchone()[0]
            claim = add_annotation(other, doc_id, 799, 932, "claim", annotator="ben", text=seed_text)
            set_attribute(other, claim.id, "verdict", "misleading", annotator="ben")
            add_attribute_def(other, "checked_by", kind="text", labels=["claim"], key="K")
        finally:
            other.close()
        for _ in range(40):
            await asyncio.sleep(0.1)
            await pilot.pause()
            if panel_lines(app) and any(a.name == "checked_by" for a in app.main.attribute_defs):
                break
        assert panel_lines(app) == ["verdict: misleading"]
        keys = {binding.key: binding.id for _key, (_node, binding, _enabled, _tip) in app.main.active_bindings.items()}
        assert keys.get("K") == "app.attribute.checked_by"
