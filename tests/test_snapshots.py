"""Screenshots of the main screens, compared with the stored SVGs in __snapshots__.

Stable by construction: a fixed annotator and database contents, no blinking cursor,
and the database path (which differs per run) replaced by a fixed name on screen.
Update them with ``pytest tests/test_snapshots.py --snapshot-update`` after a deliberate
change to the look, and read the SVGs before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import SAMPLE, app_for, pilot_test, sample_db
from textual.pilot import Pilot

from margin.store.annotations import add_annotation, query_annotations
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.reading import set_position
from margin.tui.app import MarginApp

PERSON = SAMPLE.index("José Raúl Mulino")


def annotated_at(path: str | Path) -> MarginApp:
    """The sample with overlapping spans by two annotators, plus a second document."""
    doc_id = sample_db(path)
    db = open_database(path)
    sentence = SAMPLE.index("On Monday")
    statistic = SAMPLE.index("520,000 migrants")
    claim = SAMPLE.index("According to the department")
    for start, end, label, annotator, note in (
        (sentence, SAMPLE.index("Mulino.") + 7, "claim", "tester", "Check the date of the visit"),
        (PERSON, PERSON + 16, "person", "tester", ""),
        (SAMPLE.index("Alejandro Mayorkas"), SAMPLE.index("Alejandro Mayorkas") + 18, "person", "ana", ""),
        (claim, SAMPLE.index("in 2023.") + 8, "claim", "tester", ""),
        (statistic, statistic + 16, "statistic", "tester", "DHS figure"),
    ):
        add_annotation(db, doc_id, start, end, label, annotator=annotator, note=note)
    set_position(db, doc_id, "tester", PERSON)  # opens there: nothing left for the save timer
    add_document(db, "Harbour news\nThe harbour reopened on Tuesday after the storm.\n", source="harbour.txt")
    db.close()
    return app_for(path, open_doc_id=doc_id)


@pytest.fixture
def annotated(tmp_path: Path) -> MarginApp:
    return annotated_at(tmp_path / "margin.db")


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    pilot.app.main.status.database = "margin.db"
    await pilot.pause()


def test_main_screen_with_overlapping_spans(snap_compare, annotated: MarginApp) -> None:
    assert snap_compare(annotated, terminal_size=(120, 40), run_before=settle)


def test_help_screen(snap_compare, annotated: MarginApp) -> None:
    assert snap_compare(annotated, press=["question_mark"], terminal_size=(120, 40), run_before=settle)


def test_note_editor(snap_compare, annotated: MarginApp) -> None:
    async def open_editor(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("e", "down", "enter")

    assert snap_compare(annotated, terminal_size=(120, 40), run_before=open_editor)


def test_split_view(snap_compare, annotated: MarginApp) -> None:
    async def split(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()

    assert snap_compare(annotated, terminal_size=(120, 40), run_before=split)


def test_small_terminal(snap_compare, annotated: MarginApp) -> None:
    assert snap_compare(annotated, terminal_size=(60, 20), run_before=settle)


def test_links_in_the_reader_the_panel_and_link_mode(snap_compare, annotated: MarginApp) -> None:
    """The claim said_by Mulino with a verdict: the gutter's link marks, the claim drawn
    as the partner of the person under the cursor, the panel's lines under both, and
    the key bar's link-mode prompt."""
    from margin.store.attributes import set_attribute
    from margin.store.relations import add_relation

    db = open_database(annotated.db.path)
    try:
        spans = {a.label + str(a.start): a for a in query_annotations(db)}
        claim, person = spans[f"claim{SAMPLE.index('On Monday')}"], spans[f"person{PERSON}"]
        add_relation(db, claim.id, person.id, "said_by", annotator="tester")
        set_attribute(db, claim.id, "verdict", "unverifiable", annotator="tester")
    finally:
        db.close()

    async def link(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("L", "enter")  # from the person (the claim overlaps it)
        await pilot.pause()

    assert snap_compare(annotated, terminal_size=(120, 40), run_before=link)


SCREENS = {"main": [], "help": ["question_mark"], "note": ["e", "down", "enter"], "split": ["ctrl+s", "enter"]}


@pytest.mark.parametrize("keys", SCREENS.values(), ids=list(SCREENS))
@pilot_test
async def test_a_database_on_a_server_looks_as_one_in_a_file(keys: list[str], tmp_path: Path, postgres) -> None:
    """The stored screenshots are of a file; the same contents on a server draw the
    very same screens, so they hold for both."""
    server = postgres.fresh()
    shots = []
    try:
        for where in (tmp_path / "margin.db", server):
            app = annotated_at(where)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press(*keys)
                await pilot.pause()
                shots.append(app.export_screenshot())
    finally:
        postgres.drop(server)
    assert "Mulino" in shots[0] and shots[0] == shots[1]
