"""Faster labelling: the end-of-word key, ``v`` then it selecting
exactly one word, auto-advance after a label, the annotation panel following the
cursor with a line of context per span, the note mark in the reader's gutter, the
notice when a label goes under another annotator's view, and the verb-task planner
(``bench/verb_task.py``) labelling the seed article's verbs exactly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from app_support import SAMPLE, app_for, go, messages, pilot_test, rows, running, sample_db, spans

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.model import Annotation
from margin.tui.app import MarginApp
from margin.tui.config import load_settings
from margin.tui.text.motion import TextMotion
from margin.tui.widgets.annotation_panel import context_line
from margin.tui.widgets.reader_render import NOTE_MARK

AGREES = SAMPLE.index("agrees")  # "US agrees to pay for flights, help Panama ..."
TO = SAMPLE.index("to", AGREES)
PAY = SAMPLE.index("pay", TO)


def reader_line(app: MarginApp, offset: int) -> str:
    """The text of the reader's screen line holding ``offset``."""
    reader = app.main.reader
    assert reader.text_layout is not None
    row, _column = reader.text_layout.offset_to_rowcol(offset)
    y = row + len(reader._header) - round(reader.scroll_y)
    return "".join(segment.text for segment in reader.render_line(y))


def panel_row_text(app: MarginApp, index: int) -> list[str]:
    panel = app.main.annotation_panel
    return [line.plain for line in panel.rows.render_row(index, 44)]


# -- 11: end of word, v + E, auto-advance -------------------------------------------------


def test_word_end_goes_to_the_last_character_then_to_the_next_words() -> None:
    motion = TextMotion("US agrees to pay, a b don't.")
    assert motion.word_end(0) == 1  # inside "US": its end
    assert motion.word_end(1) == 8  # on its end: the next word's end
    assert motion.word_end(2) == 8  # in the space before "agrees"
    assert motion.word_end(16) == 18  # "," to the one-letter word "a"
    assert motion.word_end(18) == 20
    assert motion.word_end(21) == 26  # "don't" is one word
    assert motion.word_end(26) is None


@pilot_test
async def test_E_moves_to_the_end_of_the_word(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        await go(pilot, AGREES)
        await pilot.press("E")
        assert pilot.app.main.reader.cursor == AGREES + len("agrees") - 1
        await pilot.press("E")
        assert pilot.app.main.reader.cursor == TO + 1


@pilot_test
async def test_v_then_E_selects_exactly_one_word_where_v_w_takes_a_letter_more(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        reader = pilot.app.main.reader
        await go(pilot, AGREES)
        await pilot.press("v", "w")
        assert reader.selection == (AGREES, TO + 1)  # vim's visual mode: the cursor character too
        await pilot.press("escape")
        await go(pilot, AGREES)
        await pilot.press("v", "E")
        assert reader.selection == (AGREES, AGREES + len("agrees"))
        await pilot.press("1")
    assert spans(path) == [(AGREES, AGREES + len("agrees"), "claim", "tester")]


@pilot_test
async def test_auto_advance_labels_a_run_of_words_with_one_key_each(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path, auto_advance=True)) as pilot:
        reader = pilot.app.main.reader
        await go(pilot, AGREES)
        await pilot.press("1")
        assert reader.cursor == TO
        await pilot.press("1", "1")
        assert reader.cursor == SAMPLE.index("for", PAY)
    assert [(start, end) for start, end, _label, _who in spans(path)] == [
        (AGREES, AGREES + 6), (TO, TO + 2), (PAY, PAY + 3)
    ]


@pilot_test
async def test_ctrl_a_turns_auto_advance_on_and_off(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        reader = pilot.app.main.reader
        await go(pilot, AGREES)
        await pilot.press("1")
        assert reader.cursor == AGREES  # off by default: the cursor stays
        await pilot.press("ctrl+a")
        assert "Auto-advance on" in messages(pilot.app)[-1]
        await pilot.press("w", "1")
        assert reader.cursor == PAY
        await pilot.press("ctrl+a", "1")
        assert reader.cursor == PAY
    assert len(spans(path)) == 3


def test_auto_advance_is_read_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("auto_advance = true\n", encoding="utf-8")
    assert load_settings(config).auto_advance is True
    config.write_text('auto_advance = "yes"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.auto_advance is False
    assert any("auto_advance ignored: must be true or false" in warning for warning in settings.warnings)


# -- 12: the panel follows the cursor, with context ---------------------------------------


def _many_spans(path: Path, count: int, annotator: str = "tester", note: str = "") -> list[Annotation]:
    """One span on each of the first ``count`` words of the sample."""
    doc_id = sample_db(path)
    motion = TextMotion(SAMPLE)
    made = []
    db = open_database(path)
    try:
        offset: int | None = 0
        while offset is not None and len(made) < count:
            word = motion.word_at(offset)
            if word is not None:
                made.append(add_annotation(db, doc_id, *word, "claim", annotator=annotator, note=note))
            offset = motion.next_word(offset)
    finally:
        db.close()
    return made


@pilot_test
async def test_the_panel_highlights_the_span_under_or_after_the_cursor_and_scrolls_to_it(db_location: str) -> None:
    path = db_location
    made = _many_spans(path, 60)
    by_start = sorted(made, key=lambda a: a.start)
    async with running(app_for(path)) as pilot:
        panel = pilot.app.main.annotation_panel
        await go(pilot, by_start[5].start + 1)  # inside the sixth span
        assert panel.highlighted_annotation == by_start[5]
        await go(pilot, by_start[5].end)  # the space after it: the next span
        assert panel.highlighted_annotation == by_start[6]
        await pilot.press("w")  # onto it
        assert panel.highlighted_annotation == by_start[6]
        await pilot.press("w")
        assert panel.highlighted_annotation == by_start[7]
        last = by_start[-1]
        await go(pilot, last.start)
        assert panel.highlighted_annotation == last
        view = panel.rows
        top = view.scroll_offset.y
        assert top > 0
        row = panel.rows.highlighted
        assert row is not None and top <= row * view.ROW_HEIGHT < top + view.scrollable_content_region.height
        await pilot.press("g")
        assert panel.highlighted_annotation == by_start[0] and view.scroll_offset.y == 0


@pilot_test
async def test_each_panel_row_shows_its_quote_in_a_line_of_context(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        await go(pilot, PAY)
        await pilot.press("1")
        heading, context, _note = panel_row_text(pilot.app, 0)
        assert heading.startswith("■ claim")
        assert "agrees to “pay” for flights" in context
    assert len(rows(path)) == 1


def test_the_context_line_is_sanitised_and_fits_one_line() -> None:
    span = Annotation(
        id="a", doc_id="d", start=40, end=43, label="claim", quote="pay",
        prefix="rt of the \x1b[31mred\x1b[0m\nline and to ", suffix=" for\u202eflights, help Panama deport",
    )
    line = context_line(span, 30)
    assert "\x1b" not in line.plain and "\u202e" not in line.plain and "\n" not in line.plain
    assert "“pay”" in line.plain and line.cell_len <= 30
    assert line.plain.startswith("…") or line.plain.startswith("to")


# -- 13: the note mark and the notice under another annotator's view ----------------------


@pilot_test
async def test_a_span_with_a_note_is_marked_in_the_gutter_and_the_text_keeps_its_cells(db_location: str) -> None:
    path = db_location
    sample_db(path)
    async with running(app_for(path)) as pilot:
        await go(pilot, PAY)
        await pilot.press("1")
        before = reader_line(pilot.app, PAY)
        assert NOTE_MARK not in before
        await pilot.press("e")
        await pilot.press(*"who pays")
        await pilot.press("ctrl+s")
        await pilot.pause()
        after = reader_line(pilot.app, PAY)
        assert NOTE_MARK in after and len(after) == len(before)
        gutter = after.index(NOTE_MARK)
        assert after[:gutter] + " " + after[gutter + 1 :] == before  # only the gutter cell changed
        assert after[gutter + 1 :].lstrip().startswith("US agrees")
    assert rows(path)[0].note == "who pays"


@pilot_test
async def test_labelling_while_viewing_someone_else_says_where_the_span_went(db_location: str) -> None:
    path = db_location
    _many_spans(path, 2, annotator="ben")
    async with running(app_for(path)) as pilot:
        main = pilot.app.main
        await pilot.press("A", "A")  # everyone, mine, ben's
        assert main.viewing == "ben"
        await go(pilot, PAY)
        await pilot.press("1")
        assert "Labelled as claim — yours are hidden while viewing ben's; press A to show them" in messages(pilot.app)
        await pilot.press("A")  # back to everyone: no notice for the next label
        await go(pilot, SAMPLE.index("flights"))
        count = len(messages(pilot.app))
        await pilot.press("1")
        assert not any("hidden while viewing" in text for text in messages(pilot.app)[count:])
    assert {(a.start, a.annotator) for a in rows(path) if a.annotator == "tester"} == {
        (PAY, "tester"), (SAMPLE.index("flights"), "tester")
    }


# -- the verb task --------------------------------------------------------------------------


def _verb_task() -> ModuleType:
    script = Path(__file__).resolve().parents[1] / "bench" / "verb_task.py"
    spec = importlib.util.spec_from_file_location("verb_task", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["verb_task"] = module
    spec.loader.exec_module(module)
    return module


@pilot_test
async def test_the_verb_task_planner_labels_a_prefix_of_the_verbs_exactly(tmp_path: Path) -> None:
    task = _verb_task()
    text, verbs = task.load_verbs(limit=14)
    for auto_advance in (False, True):
        path = tmp_path / f"verbs-{auto_advance}.db"
        task.prepare(path, text)
        result = await task.run_task(path, text, verbs, auto_advance=auto_advance)
        assert result.surprises == []
        assert result.labelled == [(verb.start, verb.end) for verb in verbs]
        assert result.per_verb < 6
