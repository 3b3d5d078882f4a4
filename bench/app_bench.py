"""The whole margin app, end to end: keys, other processes' commits, first screen,
memory and commands, each figure beside a baseline measured in the same run.

Run from the checkout (under ``timeout``; nothing here fails on a timing, exit 0):

    python bench/app_bench.py                 # everything (~10 min once data is cached)
    python bench/app_bench.py --quick         # smaller sizes and fewer repeats: a smoke test
    python bench/app_bench.py --only 1,3      # some sections (1 keys on the book, 2 keys on
                                              # the article, 3 another process's commit,
                                              # 4 first screen in tmux, 5 peak RSS, 6 commands)
    python bench/app_bench.py --json FILE     # where the JSON goes (default bench/out/app_bench.json)

It runs whatever ``margin`` the interpreter imports (the editable install of this
checkout, or another worktree's in another venv), and prints which. Databases are
generated once by ``app_bench_data.py`` and cached in bench/out/ (git-ignored); each
run works on a scratch copy. The machine is shared and noisy, so every figure is
printed beside a baseline from the same run, and as a ratio to it.

How each figure is measured
---------------------------
1, 2. **Keys.** The real app (``margin.tui.app.make_app`` on the generated database,
   default settings) under ``App.run_test(size=(140, 45))``. One key's time runs from
   posting the key event, built exactly as ``Pilot.press`` builds it, to the moment
   the screen is up to date: after each turn of the event loop the probe looks at
   every message pump of every screen (queue empty, nothing held back, no callback
   pending, no dispatch under way), at the workers and short timers the key started,
   and at what the current screen has left to lay out or repaint (or callbacks
   waiting for the refresh), doing the compositor refresh itself when something is
   left (``Screen._on_timer_update``, as ``Pilot.pause`` does); two quiet turns in a
   row end the key. Looking sends nothing, so the probe costs tens of microseconds
   where a pass of ``Pilot._wait_for_screen`` (a callback through every queue) costs
   about 1 ms in margin's tree. Every key is then checked, untimed, by that full
   pass: if it finds work left (a worker's message posted from its thread, say), the
   key is timed to the end of a full settle instead, and the table says how many
   keys that was. So a figure holds the key's handler, every message it caused, the
   layout and the ``render_line`` calls of the refresh (``unbound key`` shows the
   floor of a key in margin's widget tree) -- but not the wait for Textual's next
   60 fps frame tick, which is idle time and would add 0-17 ms of noise, nor
   ``Pilot.press``'s own sleeps (``wait_for_idle`` sleeps at least 20 ms twice per
   key; its round trip is shown once, for ``j``, beside the baseline's).
   Baseline: the same probe on a trivial Textual app (a ``Static`` with the first
   screen of the same text) pressing a key bound to a no-op. Each key is pressed
   many times in a cycle that leaves the document as it was: ``j`` x2, ``pagedown``,
   (``w`` until the cursor is on unannotated text), ``v``, ``w``, ``1`` (label),
   ``r`` (picker opens), ``2`` (relabel chosen), ``e`` (note editor opens), ``o`` ``k``,
   ``ctrl+s`` (note saved), ``x`` (delete), ``u`` (undo), ``ctrl+r`` (redo), ``tab``;
   ``]`` / ``[`` (to the other document and back) in fewer cycles. Median and p99
   (nearest rank) in ms. Section 2 runs the same cycle on the seed article and gives
   book/article per key. Section 1c times, with the same probe, Textual's stock
   widgets doing the same kind of thing in a trivial app (a ``ModalScreen`` holding a
   ``TextArea`` or an ``OptionList`` opening and closing; a read-only ``TextArea``
   holding the book taking ``down``, ``pagedown``, ``shift+right``), beside margin's key.
3. **Another process's commit.** The app runs on the book database under Pilot; a
   separate Python process, with its own connection, adds an annotation under the
   reader's cursor through ``margin.store.annotations.add_annotation`` and reports
   ``time.monotonic()`` right after the commit. "Visible" is when the reader holds
   the new annotation (``Reader.annotations_at``, polled every 2 ms) and the screen
   has been refreshed after that. UI cost: a ticker coroutine in the app's event
   loop sleeps 1 ms at a time and records how late it wakes; the largest lateness
   between the commit and 0.3 s after it is shown is the stall. Baseline: the same
   ticker over windows of the same length in the idle app (polling, no commits).
   Where the app has a ``_poll_changes`` method, its own run time is shown too.
4. **First screen in tmux.** ``tmux new-session -d -x 120 -y 40`` on a private tmux
   server, timed from just before the command to the first ``capture-pane`` (polled
   every ~5 ms) holding a known line of the first screen. Each variant runs 3 times
   (1 with --quick) after one warm-up round, interleaved, median. Variants: margin
   (``python -m margin --db COPY open FILE``) on War and Peace, margin on a fresh
   database (the bundled sample), margin on the large database (100,000 documents,
   1,000,000 annotations); the floor (``app_bench_floor.py``: one ``Static`` with
   the first 4,000 characters of the same text) on each; SLATE (``slate -r``, from
   its own venv in bench/out/, installed with pip if absent) on War and Peace and on
   the sample.
5. **Peak RSS.** VmHWM from /proc/PID/status of the process in the tmux pane (the
   command is ``exec``-ed, so the pane's pid is margin's) once the first screen shows
   on the large database, and again after ``ctrl+b`` (document list focused) once
   the screen has stopped changing; baseline: the floor app's VmHWM.
6. **Commands** on 20,000 documents / 200,000 annotations (two annotators on every
   document): ``margin documents``, ``margin stats``, ``margin agreement``, stdout to
   a file; wall time and peak RSS from ``os.wait4``. Baseline: a Python process
   running the raw SQL behind each with sqlite3 and writing its rows to a file
   (counts per document and label; counts per label, annotator, status and
   document; the spans of every annotator per document). 3 runs each (1 with
   --quick), interleaved, median.

Before sections 4 to 6, margin's own modules are compiled to bytecode, as pip does
when it installs a package: from an editable install with PYTHONDONTWRITEBYTECODE
set, each start would otherwise compile about a hundred modules from source (0.1 s
or more), which no installed copy does and the baselines (installed with pip) never do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import app_bench_data as data
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, TextArea
from textual.worker import WorkerState

try:  # where Pilot.press takes these from
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
except ImportError:  # pragma: no cover
    from textual.app import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

import margin

OUT = data.OUT
SIZE = (140, 45)
ANNOTATOR = "bench"
TARGET_MEDIAN_MS = 5.0
TARGET_P99_MS = 16.0
TARGET_BOOK_ARTICLE = 1.5
TARGET_VISIBLE_S = 1.0
TARGET_STALL_MS = 16.0
TARGET_FLOOR_RATIO = 1.5
TARGET_RSS_MB = 200.0
TARGET_COMMAND_RATIO = 2.0
TARGET_AGREEMENT_MB = 150.0
MARKER_BOOK = "Well, Prince, so Genoa"
MARKER_SAMPLE = "The Biden administration"
MARKER_MANY = re.compile(r"Report \d{6}\.")
TMUX_SIZE = ("120", "40")


# -- reporting ---------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    value: float | None
    baseline: float | None
    unit: str
    target: str
    ok: bool | None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


RESULTS: dict[str, list[Row]] = {}


def mark(ok: bool | None) -> str:
    return "-" if ok is None else ("✓" if ok else "✗")


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit == "MB" or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def print_rows(title: str, rows: list[Row], baseline_name: str) -> None:
    RESULTS[title] = rows
    width = max([len(row.figure) for row in rows] + [6])
    print(f"\n{title}")
    print(f"  {'figure':<{width}} {'value':>10} {baseline_name:>12} {'ratio':>7}  {'target':<22} ok")
    for row in rows:
        ratio = row.ratio
        print(f"  {row.figure:<{width}} {fmt(row.value, row.unit):>10} {fmt(row.baseline, row.unit):>12} "
              f"{(f'{ratio:.2f}x' if ratio is not None else ''):>7}  {row.target:<22} {mark(row.ok)}"
              f"{'  ' + row.note if row.note else ''}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms_stats(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.99)


# -- driving keys ---------------------------------------------------------------------


def key_event(app: App, key: str) -> events.Key:
    """The event ``Pilot.press(key)`` would send."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


def _pending(screen) -> bool:
    return bool(
        getattr(screen, "_layout_required", False)
        or getattr(screen, "_scroll_required", False)
        or getattr(screen, "_repaint_required", False)
        or getattr(screen, "_recompose_required", False)
        or getattr(screen, "_dirty_widgets", None)
        or getattr(screen, "_callbacks", None)
    )


DISPATCHED = [0]
"""Messages dispatched by every message pump so far (Idle is invoked, not dispatched)."""
_original_dispatch = MessagePump._dispatch_message


CHANGE_HANDLERS: list[tuple[float, float]] = []
"""(monotonic start, seconds) of each handler run of a message named like a change
batch (the app that polls in a worker thread posts one to the UI thread)."""


ACTIVE = [0]
"""Dispatches begun and not yet finished, on any message pump."""


SEEN: list[str] | None = None
"""While a list: the name of each message dispatched, with its pump's."""


async def _counted_dispatch(self, message):
    DISPATCHED[0] += 1
    ACTIVE[0] += 1
    if SEEN is not None:
        SEEN.append(f"{type(self).__name__}:{type(message).__name__}")
    try:
        if type(message).__name__ != "ChangesArrived":
            return await _original_dispatch(self, message)
        started = time.monotonic()
        try:
            return await _original_dispatch(self, message)
        finally:
            CHANGE_HANDLERS.append((started, time.monotonic() - started))
    finally:
        ACTIVE[0] -= 1


MessagePump._dispatch_message = _counted_dispatch
SHORT_TIMER = 0.25  # a one-shot timer this short, started by the key, is waited for


def _nodes(app) -> list:
    nodes = [app]
    for screen in app.screen_stack:
        nodes.extend(screen.walk_children(with_self=True))
    return nodes


def snapshot(app) -> tuple[set[int], set[int]]:
    """Timers and workers that exist before a key, which settle() does not wait for."""
    timers = {id(timer) for node in _nodes(app) for timer in getattr(node, "_timers", ())}
    return timers, {id(worker) for worker in app.workers}


def _busy_since(app, before: tuple[set[int], set[int]]) -> bool:
    """A worker, or a short one-shot timer, that the key started and that has not finished."""
    timers, workers = before
    for worker in app.workers:
        if id(worker) not in workers and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return True
    for node in _nodes(app):
        for timer in list(getattr(node, "_timers", ())):
            task = getattr(timer, "_task", None)
            if (id(timer) not in timers and getattr(timer, "_repeat", None) == 0
                    and getattr(timer, "_interval", 1) <= SHORT_TIMER and task is not None and not task.done()):
                return True
    return False


async def drain(app) -> int:
    """``Pilot._wait_for_screen``: a callback through every queue of the app and the
    current screen's widgets; returns how many callbacks it sent."""
    children = [app, *app.screen.walk_children(with_self=True)]
    count = 0
    done = asyncio.Event()

    def decrement() -> None:
        nonlocal count
        count -= 1
        if count == 0:
            done.set()

    for child in children:
        if child.call_later(decrement):
            count += 1
    sent = count
    if count:
        await asyncio.wait_for(done.wait(), 30)
    return sent


async def settle(pilot, before: tuple[set[int], set[int]] | None = None) -> None:
    """Until a pass through every queue dispatched nothing but its own callbacks, no
    worker or short timer the key started is still running, and the current screen
    has nothing left to lay out or draw."""
    app = pilot.app
    before = before or snapshot(app)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        screen = app.screen
        dispatched = DISPATCHED[0]
        sent = await drain(app)
        busy = DISPATCHED[0] - dispatched > sent
        if app.screen is not screen:
            continue
        if getattr(app.animator, "_animations", None):
            await app.animator.wait_for_idle()
            continue
        if _busy_since(app, before):
            await asyncio.sleep(0.0005)
            continue
        if _pending(screen):
            screen._on_timer_update()
            continue
        if not busy:
            return


def _quiet(app) -> bool:
    """Nothing waiting or running on any message pump of any screen: every queue empty,
    no message held back, no callback for after the current message, no dispatch under
    way."""
    if ACTIVE[0]:
        return False
    for node in _nodes(app):
        if not node._message_queue.empty() or node._pending_message is not None or node._next_callbacks:
            return False
    return True


async def settle_quick(pilot, before: tuple[set[int], set[int]]) -> None:
    """`settle` without sending anything: look at the queues after each turn of the
    event loop, and stop once two turns in a row found every pump quiet, no worker or
    short timer the key started still running, and nothing left to lay out or draw.
    A pass of `settle` costs a callback through some twenty queues (about 1 ms in
    margin's widget tree, where the trivial app has two); looking costs a few tens of
    microseconds. `timed` checks each result with a full `settle` afterwards."""
    app = pilot.app
    deadline = time.perf_counter() + 30
    quiet_turns = 0
    while time.perf_counter() < deadline:
        await asyncio.sleep(0)
        if getattr(app.animator, "_animations", None):
            await app.animator.wait_for_idle()
            quiet_turns = 0
            continue
        if _busy_since(app, before):
            await asyncio.sleep(0.0005)
            quiet_turns = 0
            continue
        if not _quiet(app):
            quiet_turns = 0
            continue
        if _pending(app.screen):
            app.screen._on_timer_update()
            quiet_turns = 0
            continue
        quiet_turns += 1
        if quiet_turns >= 2:
            return


MISSED: list[str] = []
"""Keys after which the full `settle` still found work that `settle_quick` had taken
for done: their time would be too short. Printed with the tables; expected empty."""
TIMED = [0]


def missed_note() -> str:
    """How many timed keys the full check found unfinished, since the last note."""
    note = (f"quick probe checked by a full settle after each key: work left after {len(MISSED)} of "
            f"{TIMED[0]}, timed to the end of that settle")
    if MISSED:
        note += " (" + "; ".join(sorted({entry.split(" [")[0] for entry in MISSED})) + ")"
    MISSED.clear()
    TIMED[0] = 0
    return note


async def timed(pilot, key: str) -> float:
    """Milliseconds from posting ``key`` to the screen being up to date (`settle_quick`),
    then checked by a full `settle`, untimed, which must find nothing left to do."""
    app = pilot.app
    before = snapshot(app)
    started = time.perf_counter()
    app.post_message(key_event(app, key))
    await settle_quick(pilot, before)
    elapsed = (time.perf_counter() - started) * 1000
    TIMED[0] += 1
    global SEEN
    dispatched = DISPATCHED[0]
    screen = app.screen
    SEEN = []
    sent = await drain(app)
    seen, SEEN = SEEN, None
    if DISPATCHED[0] - dispatched > sent or app.screen is not screen or _pending(app.screen):
        # Work the look missed (a worker's message posted from its thread, a timer's
        # tick): the key's time runs to the end of the full settle instead, an upper
        # bound that includes the probe's cost.
        MISSED.append(f"{key} [{', '.join(name for name in seen if not name.endswith(':Callback'))}]")
        await settle(pilot, before)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await timed(pilot, key)


async def pilot_round_trip(pilot, key: str, times: int) -> list[float]:
    result = []
    for _ in range(times):
        started = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        result.append((time.perf_counter() - started) * 1000)
    return result


class Trivial(App[None]):
    """The baseline: one Static and a key bound to nothing."""

    BINDINGS = [Binding("j", "noop", "no-op")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=False)

    def action_noop(self) -> None:
        pass


async def baseline_keys(text: str, presses: int) -> dict[str, list[float]]:
    app = Trivial(text[: SIZE[0] * SIZE[1]])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(5):
            await timed(pilot, "j")
        probe = [await timed(pilot, "j") for _ in range(presses)]
        rounds = await pilot_round_trip(pilot, "j", max(5, presses // 3))
    return {"no-op key": probe, "pilot round trip": rounds}


class FloorDialog(ModalScreen[None]):
    """Textual's smallest dialog: a modal screen holding one stock widget."""

    BINDINGS = [Binding("escape", "dismiss", "close")]

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


class FloorWidgets(App[None]):
    """Textual's stock widgets on the kinds of key margin has: a dialog opening and
    closing over a ``Static`` (the note editor is a ``TextArea``, the picker an
    ``OptionList``), and the cursor keys of a read-only ``TextArea`` holding the book."""

    BINDINGS = [Binding("e", "note", "note"), Binding("r", "pick", "pick")]

    def __init__(self, text: str, editor: bool) -> None:
        super().__init__()
        self.text, self.editor = text, editor

    def compose(self) -> ComposeResult:
        if self.editor:
            yield TextArea(self.text, read_only=True)
        else:
            yield Static(self.text[: SIZE[0] * SIZE[1]], markup=False)

    def action_note(self) -> None:
        self.push_screen(FloorDialog(TextArea("a note")))

    def action_pick(self) -> None:
        self.push_screen(FloorDialog(OptionList("claim", "person", "statistic")))


# Textual's stock widget and key beside margin's key of the same kind:
# name -> (in the read-only TextArea?, key pressed, margin's key in KEY_ORDER).
FLOOR_KEYS = {
    "dialog with a TextArea: open (e)": (False, "e", "note: e (editor)"),
    "dialog: close (escape)": (False, "escape", "note: ctrl+s (saved)"),
    "dialog with an OptionList: open (r)": (False, "r", "relabel: r (picker)"),
    "TextArea on the book: down": (True, "down", "j"),
    "TextArea on the book: pagedown": (True, "pagedown", "pagedown"),
    "TextArea on the book: shift+right": (True, "shift+right", "w (extend)"),
}


async def floor_widgets(text: str, presses: int) -> dict[str, list[float]]:
    """Per key, the same probe on Textual's stock widgets: what the framework itself
    costs for a dialog and for a cursor key on this text, beside margin's keys."""
    times: dict[str, list[float]] = {name: [] for name in FLOOR_KEYS}
    for editor, cycle in ((False, ["e", "escape", "r", "escape"]), (True, ["down", "pagedown", "shift+right"])):
        names = {key: name for name, (uses_editor, key, _) in FLOOR_KEYS.items() if uses_editor is editor}
        async with FloorWidgets(text, editor).run_test(size=SIZE) as pilot:
            await pilot.pause()
            for round_ in range(presses + 2):
                for key in cycle:
                    elapsed = await timed(pilot, key)
                    if round_ >= 2:
                        times[names[key]].append(elapsed)
    return times


def print_floor_widgets(times: dict[str, list[float]], book: dict) -> None:
    rows = []
    for name, values in times.items():
        ours = FLOOR_KEYS[name][2]
        mine = book["times"].get(ours) or []
        floor = statistics.median(values)
        rows.append(Row(f"{ours} / Textual {name}", statistics.median(mine) if mine else None, floor, "ms",
                        "", None, f"Textual p99 {percentile(values, 0.99):.1f}, n={len(values)}"))
    print_rows("1c. margin's keys on the book against Textual's stock widgets doing the same kind of thing "
               "(value: margin, baseline: Textual)", rows, "Textual")
    print(f"  {missed_note()}")


def reader_of(app):
    """The app's main reader, whichever screen of the stack holds it."""
    from margin.tui.widgets.reader import Reader

    for screen in reversed(app.screen_stack):
        found = screen.query(Reader)
        if found:
            return found.first()
    return app.query_one(Reader)


def settings():
    from margin.tui.config import load_settings

    return load_settings(OUT / "no-such-config.toml")


def make(db_path: Path, open_doc_id: str | None):
    from margin.tui.app import make_app

    app = make_app(db_path, ANNOTATOR, settings(), open_doc_id)
    if hasattr(app, "cursor_blink"):
        app.cursor_blink = False
    return app


def doc_ids(db_path: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    ids = [row[0] for row in conn.execute("select id from documents order by rowid")]
    conn.close()
    return ids


def covered(reader, start: int, length: int = 60) -> bool:
    return any(reader.annotations_at(offset) for offset in range(start, start + length))


def mine_at(reader) -> list:
    return [a for a in reader.annotations_at() if a.annotator == ANNOTATOR]


async def wait_ready(pilot) -> None:
    for _ in range(600):
        await pilot.pause()
        try:
            reader = reader_of(pilot.app)
        except Exception:  # the screen holding it is not up yet
            continue
        if reader.document is not None and not _pending(pilot.app.screen):
            break
    await settle(pilot)


KEY_ORDER = [
    "pagedown", "j", "v", "w (extend)", "label (1)", "relabel: r (picker)", "relabel: 2 (chosen)",
    "note: e (editor)", "note: ctrl+s (saved)", "delete (x)", "undo (u)", "redo (ctrl+r)", "tab",
    "] next document", "[ previous document", "unbound key (f12)",
]


async def key_cycle(db_path: Path, open_doc_id: str, cycles: int, switches: int, *, article: bool,
                    budget: float, start_at: float | None = None) -> tuple[dict[str, list[float]], list[str], dict]:
    """Press the cycle ``cycles`` times; returns timings per key and what went wrong."""
    if start_at is not None:
        from margin.store.db import open_database
        from margin.store.reading import set_position

        db = open_database(db_path)
        length = db.execute("select length(text) from documents where id = ?", [open_doc_id]).fetchone()[0]
        set_position(db, open_doc_id, ANNOTATOR, int(length * start_at))
        db.close()
    app = make(db_path, open_doc_id)
    times: dict[str, list[float]] = {name: [] for name in KEY_ORDER}
    problems: list[str] = []
    extra: dict = {}
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        await wait_ready(pilot)
        extra["open_s"] = time.perf_counter() - started
        reader = reader_of(app)

        async def key(name: str, k: str) -> None:
            times[name].append(await timed(pilot, k))

        async def back_to_reader(why: str) -> None:
            problems.append(why)
            for _ in range(3):
                if isinstance(app.screen, ModalScreen):
                    await press(pilot, "escape")

        budget_end = time.perf_counter() + budget
        for cycle in range(cycles):
            if cycle >= 3 and time.perf_counter() > budget_end:
                problems.append(f"time budget ({budget:.0f} s) spent after {cycle} cycles")
                break
            if article:
                await press(pilot, "g", *(["j"] * (cycle % 12)))
            # j before page down: on the article a page down reaches the last row, where
            # j would move nothing and time a key that does no work.
            await key("j", "j")
            await key("j", "j")
            await key("pagedown", "pagedown")
            await key("unbound key (f12)", "f12")
            for _ in range(300):
                if not covered(reader, reader.cursor):
                    break
                await press(pilot, "w")
            else:
                await back_to_reader(f"cycle {cycle}: no unannotated text found")
                continue
            await key("v", "v")
            await key("w (extend)", "w")
            await key("label (1)", "1")
            if not mine_at(reader):
                await back_to_reader(f"cycle {cycle}: label did not appear")
                continue
            await key("relabel: r (picker)", "r")
            if not isinstance(app.screen, ModalScreen):
                await back_to_reader(f"cycle {cycle}: r opened no picker")
                continue
            await key("relabel: 2 (chosen)", "2")
            if isinstance(app.screen, ModalScreen) or [a.label for a in mine_at(reader)] != ["person"]:
                await back_to_reader(f"cycle {cycle}: relabel not shown")
            await key("note: e (editor)", "e")
            if not isinstance(app.screen, ModalScreen):
                await back_to_reader(f"cycle {cycle}: e opened no editor")
                continue
            await press(pilot, "o", "k")
            await key("note: ctrl+s (saved)", "ctrl+s")
            if isinstance(app.screen, ModalScreen) or not any(a.note.endswith("ok") for a in mine_at(reader)):
                await back_to_reader(f"cycle {cycle}: note not shown")
            await key("delete (x)", "x")
            if mine_at(reader):
                await back_to_reader(f"cycle {cycle}: delete not shown")
            await key("undo (u)", "u")
            if not mine_at(reader):
                problems.append(f"cycle {cycle}: undo not shown")
            await key("redo (ctrl+r)", "ctrl+r")
            if mine_at(reader):
                problems.append(f"cycle {cycle}: redo not shown")
            await key("tab", "tab")
            if cycle < switches:
                here = reader.document.id
                await key("] next document", "right_square_bracket")
                if reader_of(app).document.id == here:
                    problems.append(f"cycle {cycle}: ] stayed")
                await key("[ previous document", "left_square_bracket")
                if reader_of(app).document.id != here:
                    problems.append(f"cycle {cycle}: [ did not come back")
                reader = reader_of(app)
        extra["pilot round trip (j)"] = await pilot_round_trip(pilot, "j", max(5, cycles // 3))
    return times, problems, extra


def key_rows(times: dict[str, list[float]], base: list[float]) -> list[Row]:
    base_median, base_p99 = ms_stats(base)
    rows = []
    for name in KEY_ORDER:
        values = times.get(name) or []
        if not values:
            rows.append(Row(name, None, base_median, "ms", "", None, "not measured"))
            continue
        median, p99 = ms_stats(values)
        ok = median <= TARGET_MEDIAN_MS and p99 <= TARGET_P99_MS
        rows.append(Row(name, median, base_median, "ms", f"med<={TARGET_MEDIAN_MS:g} p99<={TARGET_P99_MS:g}", ok,
                        f"p99 {p99:.1f} (base {base_p99:.2f}), n={len(values)}",
                        {"median_ms": median, "p99_ms": p99, "n": len(values), "samples_ms": values}))
    return rows


def print_key_table(title: str, rows: list[Row], base: list[float], problems: list[str], extra: dict,
                    base_rounds: list[float]) -> None:
    RESULTS[title] = rows
    base_median, base_p99 = ms_stats(base)
    print(f"\n{title}")
    print(f"  {'key':<22} {'median':>8} {'p99':>8} {'base med':>9} {'base p99':>9} {'ratio':>7}  "
          f"{'target (ms)':<18} ok")
    for row in rows:
        if row.value is None:
            print(f"  {row.figure:<22} {'n/a':>8}")
            continue
        print(f"  {row.figure:<22} {row.extra['median_ms']:8.2f} {row.extra['p99_ms']:8.2f} {base_median:9.2f} "
              f"{base_p99:9.2f} {row.ratio:6.1f}x  {row.target:<18} {mark(row.ok)}")
    rounds = extra.get("pilot round trip (j)") or []
    if rounds:
        median = statistics.median(rounds)
        base_round = statistics.median(base_rounds)
        print(f"  {'pilot.press+pause (j)':<22} {median:8.1f} {percentile(rounds, 0.99):8.1f} {base_round:9.1f} "
              f"{percentile(base_rounds, 0.99):9.1f} {median / base_round:6.2f}x  (Pilot's own sleeps; no target)")
        rows.append(Row("pilot.press+pause (j)", median, base_round, "ms", "", None, "",
                        {"samples_ms": rounds, "baseline_samples_ms": base_rounds}))
    print(f"  document opened and first screen drawn under Pilot in {extra.get('open_s', 0):.2f} s")
    print(f"  {missed_note()}")
    if problems:
        print(f"  {len(problems)} problem(s): " + "; ".join(problems[:5]))
    rows.append(Row("problems", float(len(problems)), None, "", "0", not problems, "; ".join(problems[:20])))


# -- sections 1 and 2 ------------------------------------------------------------------


async def more_baseline(baseline: dict, text: str, presses: int) -> None:
    """Pool baseline samples taken between sections: the machine's load changes."""
    again = await baseline_keys(text, presses)
    for name, values in again.items():
        baseline[name].extend(values)


async def section_keys(args, baseline: dict) -> dict:
    book_db = data.fresh_copy(data.book_db(), "book")
    ids = doc_ids(book_db)
    print(f"  book database: {len(ids)} documents, War and Peace + the seed article; "
          f"{args.cycles} cycles, {args.switches} document switches", flush=True)
    times, problems, extra = await key_cycle(book_db, ids[0], args.cycles, args.switches, article=False,
                                             budget=args.budget, start_at=0.5)
    rows = key_rows(times, baseline["no-op key"])
    if "1" in args.only:
        print_key_table("1. Keys on a book (War and Peace, 10,000 annotations), ms from key to screen updated",
                        rows, baseline["no-op key"], problems, extra, baseline["pilot round trip"])
    return {"rows": rows, "times": times}


async def section_article(args, baseline: dict, book: dict | None) -> None:
    article_db = data.fresh_copy(data.article_db(), "article")
    ids = doc_ids(article_db)
    times, problems, extra = await key_cycle(article_db, ids[0], args.cycles, args.switches, article=True,
                                             budget=args.budget)
    rows = key_rows(times, baseline["no-op key"])
    print_key_table("2. Same keys on the seed article (623 words), ms", rows, baseline["no-op key"], problems,
                    extra, baseline["pilot round trip"])
    if book is None:
        return
    ratio_rows = []
    for name in KEY_ORDER:
        ours, theirs = book["times"].get(name), times.get(name)
        if not ours or not theirs:
            continue
        b, a = statistics.median(ours), statistics.median(theirs)
        ratio_rows.append(Row(f"{name} book/article", b, a, "ms", f"ratio<={TARGET_BOOK_ARTICLE:g}",
                              b / a <= TARGET_BOOK_ARTICLE))
    print_rows("2b. Book against article, median ms per key (value: book, baseline: article)", ratio_rows,
               "article")


# -- section 3 ---------------------------------------------------------------------------

WRITER = """
import sys, time
from margin.store.db import open_database
from margin.store.annotations import add_annotation
db = open_database(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    doc_id, start, end = line.split()
    annotation = add_annotation(db, doc_id, int(start), int(end), "statistic", annotator="other-process")
    print(annotation.id, time.monotonic(), flush=True)
"""


async def section_commit(args) -> None:
    db_path = data.fresh_copy(data.book_db(), "commit")
    ids = doc_ids(db_path)
    app = make(db_path, ids[0])
    poll_runs: list[tuple[float, float]] = CHANGE_HANDLERS
    original = getattr(app, "_poll_changes", None)
    if original is not None:
        def poll() -> None:
            started = time.monotonic()
            original()
            poll_runs.append((started, time.monotonic() - started))

        app._poll_changes = poll
    lateness: list[tuple[float, float]] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        period = 0.001
        while not stop.is_set():
            started = time.monotonic()
            await asyncio.sleep(period)
            lateness.append((started, time.monotonic() - started - period))

    def max_late(start: float, end: float) -> float:
        return max((late for at, late in lateness if start <= at <= end), default=0.0)

    rng = random.Random(3)
    delays, stalls, idle_stalls, handler = [], [], [], []
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        reader = reader_of(app)
        await press(pilot, *(["pagedown"] * 3))
        writer = await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, str(db_path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert (await writer.stdout.readline()).strip() == b"ready"
        tick = asyncio.get_running_loop().create_task(ticker())
        # Idle first: windows of the app polling with nothing to find.
        idle_started = time.monotonic()
        await asyncio.sleep(args.commits * 0.6)
        for n in range(args.commits):
            window = idle_started + n * 0.6
            idle_stalls.append(max_late(window, window + 0.6))
        for _ in range(args.commits):
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            start = reader.cursor
            writer.stdin.write(f"{reader.document.id} {start} {start + 4}\n".encode())
            await writer.stdin.drain()
            new_id, committed = (await writer.stdout.readline()).decode().split()
            committed = float(committed)
            seen = None
            while time.monotonic() - committed < 10:
                if any(a.id == new_id for a in reader.annotations_at(start)):
                    await settle(pilot)
                    seen = time.monotonic()
                    break
                await asyncio.sleep(0.002)
            if seen is None:
                delays.append(float("inf"))
                continue
            delays.append(seen - committed)
            await asyncio.sleep(0.3)
            stalls.append(max_late(committed, seen + 0.3))
            runs = [duration for at, duration in poll_runs if committed <= at <= seen]
            if runs:
                handler.append(max(runs))
        stop.set()
        await tick
        writer.stdin.close()
        await writer.wait()
    rows = [
        Row("commit to visible (median s)", statistics.median(delays), None, "s", f"<={TARGET_VISIBLE_S:g} s",
            statistics.median(delays) <= TARGET_VISIBLE_S, f"n={len(delays)}", {"samples_s": delays}),
        Row("commit to visible (max s)", max(delays), None, "s", f"<={TARGET_VISIBLE_S:g} s",
            max(delays) <= TARGET_VISIBLE_S),
        Row("UI stall per commit (median ms)", statistics.median(stalls) * 1000,
            statistics.median(idle_stalls) * 1000, "ms", f"<={TARGET_STALL_MS:g} ms",
            statistics.median(stalls) * 1000 <= TARGET_STALL_MS, "baseline: idle app, same windows",
            {"samples_ms": [s * 1000 for s in stalls], "idle_samples_ms": [s * 1000 for s in idle_stalls]}),
        Row("UI stall per commit (max ms)", max(stalls) * 1000, max(idle_stalls) * 1000, "ms",
            f"<={TARGET_STALL_MS:g} ms", max(stalls) * 1000 <= TARGET_STALL_MS),
    ]
    if handler:
        idle_runs = [duration for at, duration in poll_runs if idle_started <= at <= idle_started + args.commits * 0.6]
        rows.append(Row("change handler on the UI thread (median ms)", statistics.median(handler) * 1000,
                        statistics.median(idle_runs) * 1000 if idle_runs else None, "ms",
                        f"<={TARGET_STALL_MS:g} ms", statistics.median(handler) * 1000 <= TARGET_STALL_MS,
                        "baseline: the handler finding no change"))
    else:
        rows.append(Row("poll handler", None, None, "ms", "", None, "neither _poll_changes nor a ChangesArrived message seen; see the stall rows"))
    print_rows(f"3. Another process's commit (book database, {args.commits} commits)", rows, "idle")


# -- sections 4 and 5: tmux ----------------------------------------------------------------


class Tmux:
    """A private tmux server, so nothing here touches anyone else's sessions."""

    def __init__(self) -> None:
        self.socket = f"margin-bench-{os.getpid()}"
        self.run("new-session", "-d", "-s", "keepalive", "sleep 3600")
        self.run("set-option", "-g", "remain-on-exit", "on")  # a dead pane keeps its last words

    def run(self, *args: str, capture: bool = False) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        return result.stdout if capture else ""

    def close(self) -> None:
        self.run("kill-server")

    def alive(self, name: str) -> bool:
        return self.run("list-panes", "-t", name, "-F", "#{pane_dead}", capture=True).strip() == "0"

    def first_screen(self, name: str, command: str, marker, *, cwd: Path, timeout: float = 60,
                     then=None) -> tuple[float | None, dict]:
        self.run("kill-session", "-t", name)
        started = time.perf_counter()
        self.run("new-session", "-d", "-s", name, "-x", TMUX_SIZE[0], "-y", TMUX_SIZE[1], "-c", str(cwd), command)
        seconds, info = None, {}
        while time.perf_counter() - started < timeout:
            screen = self.run("capture-pane", "-p", "-t", name, capture=True)
            if (marker.search(screen) if isinstance(marker, re.Pattern) else marker in screen):
                seconds = time.perf_counter() - started
                break
            if not self.alive(name):
                break
            time.sleep(0.005)
        if seconds is None:
            info["screen"] = self.run("capture-pane", "-p", "-t", name, capture=True)[-2000:]
        if seconds is not None and then is not None:
            pid = int(self.run("list-panes", "-t", name, "-F", "#{pane_pid}", capture=True).split()[0])
            info.update(then(self, name, pid))
        self.run("kill-session", "-t", name)
        return seconds, info


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wait_still(tmux: Tmux, name: str, quiet: float = 0.5, timeout: float = 15) -> None:
    started = time.perf_counter()
    last, since = None, time.perf_counter()
    while time.perf_counter() - started < timeout:
        screen = tmux.run("capture-pane", "-p", "-t", name, capture=True)
        if screen != last:
            last, since = screen, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return
        time.sleep(0.05)


def rss_probe(tmux: Tmux, name: str, pid: int) -> dict:
    first = vm_hwm_mb(pid)
    tmux.run("send-keys", "-t", name, "C-b")
    wait_still(tmux, name)
    return {"rss_first_mb": first, "rss_list_mb": vm_hwm_mb(pid)}


def floor_probe(tmux: Tmux, name: str, pid: int) -> dict:
    return {"rss_first_mb": vm_hwm_mb(pid)}


def slate_command() -> str | None:
    venv = OUT / "slate-venv"
    slate = venv / "bin" / "slate"
    if not slate.exists():
        print("  installing slate-nlp into bench/out/slate-venv ...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "slate-nlp"], check=True,
                           capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as error:
            print(f"  SLATE could not be installed ({error}); its rows are left out")
            return None
    return str(slate)


def compile_margin() -> None:
    """Bytecode for margin's own modules, where an installed copy has it (see the top)."""
    import compileall

    import margin
    import margin.store
    import margin.tui

    for package in (margin, margin.store, margin.tui):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=1)


def section_tmux(args) -> None:
    many = data.many_db(args.many_docs)
    book_db = data.book_db()
    config = OUT / "no-such-config.toml"
    run_dir = OUT / "tmux-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    shutil.copyfile(data.BOOK, run_dir / "war-and-peace.txt")
    shutil.copyfile(data.SEED, run_dir / "article.txt")
    python = sys.executable
    floor = Path(__file__).resolve().parent / "app_bench_floor.py"
    env = f"exec env MARGIN_CONFIG={config} MARGIN_ANNOTATOR=bench-tmux"
    slate = slate_command()

    def margin_book() -> str:
        target = run_dir / "book.db"
        shutil.copyfile(book_db, target)
        return f"{env} {python} -m margin --db {target} open {run_dir / 'war-and-peace.txt'}"

    def margin_sample() -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{run_dir / 'fresh.db'}{suffix}").unlink(missing_ok=True)
        return f"{env} {python} -m margin --db {run_dir / 'fresh.db'}"

    def margin_many() -> str:
        return f"{env} {python} -m margin --db {many}"

    variants = [
        ("margin, War and Peace", margin_book, MARKER_BOOK, None),
        ("floor, War and Peace", lambda: f"exec {python} {floor} {run_dir / 'war-and-peace.txt'}", MARKER_BOOK, None),
        ("margin, sample (fresh db)", margin_sample, MARKER_SAMPLE, None),
        ("floor, sample", lambda: f"exec {python} {floor} {run_dir / 'article.txt'}", MARKER_SAMPLE, None),
        (f"margin, {args.many_docs:,} documents", margin_many, MARKER_MANY, rss_probe),
        (f"floor, {args.many_docs:,} documents", lambda: f"exec {python} {floor} --db {many}", MARKER_MANY,
         floor_probe),
    ]
    if slate:
        slate_cmd = f"exec {slate} -r -l {run_dir / 'slate-log'} -t categorical -s token"
        variants += [
            ("SLATE, War and Peace", lambda: f"{slate_cmd} {run_dir / 'war-and-peace.txt'}", MARKER_BOOK, None),
            ("SLATE, sample", lambda: f"{slate_cmd} {run_dir / 'article.txt'}", MARKER_SAMPLE, None),
        ]
    # Run the many-document variant once untimed first: its scratch-free open may migrate or warm.
    tmux = Tmux()
    seconds: dict[str, list[float]] = {name: [] for name, *_ in variants}
    infos: dict[str, list[dict]] = {name: [] for name, *_ in variants}
    failures: list[str] = []
    try:
        for round_ in range(args.runs + 1):
            for index, (name, command, marker, then) in enumerate(variants):
                took, info = tmux.first_screen(f"v{index}", command(), marker, cwd=run_dir, then=then)
                print(f"  round {round_}: {name}: {'failed' if took is None else f'{took:.2f} s'}",
                      file=sys.stderr, flush=True)
                if took is None:
                    failures.append(f"{name}: no first screen; the screen ends: {info.get('screen', '').strip()[-600:]!r}")
                    continue
                if round_:  # round 0 warms the page cache and the tmux server
                    seconds[name].append(took)
                    infos[name].append(info)
    finally:
        tmux.close()

    def median(name: str) -> float | None:
        values = seconds.get(name) or []
        return statistics.median(values) if values else None

    rows = []
    for what in ("War and Peace", "sample", f"{args.many_docs:,} documents"):
        ours = median(f"margin, {what}" if what != "sample" else "margin, sample (fresh db)")
        floor_s = median(f"floor, {what}")
        ok = None if ours is None or floor_s is None else ours <= TARGET_FLOOR_RATIO * floor_s
        rows.append(Row(f"margin first screen, {what} (s)", ours, floor_s, "s", f"<={TARGET_FLOOR_RATIO:g}x floor",
                        ok, "", {"samples_s": seconds.get(f"margin, {what}") or seconds.get("margin, sample (fresh db)"),
                                 "floor_samples_s": seconds.get(f"floor, {what}")}))
        slate_s = median(f"SLATE, {what}")
        if slate_s is not None:
            rows.append(Row(f"margin vs SLATE, {what} (s)", ours, slate_s, "s",
                            "faster than SLATE" if what == "War and Peace" else "(no target)",
                            (ours is not None and ours < slate_s) if what == "War and Peace" else None,
                            "baseline: SLATE"))
    for name in seconds:
        if name.startswith(("floor", "SLATE")) and median(name) is not None:
            rows.append(Row(f"{name} (s)", median(name), None, "s", "", None, f"n={len(seconds[name])}",
                            {"samples_s": seconds[name]}))
    print_rows(f"4. First screen end to end in tmux ({TMUX_SIZE[0]}x{TMUX_SIZE[1]}, median of {args.runs})",
               rows, "floor")
    for failure in failures:
        print(f"  ! {failure}")
    if "5" in args.only:
        ours = infos.get(f"margin, {args.many_docs:,} documents") or []
        floors = infos.get(f"floor, {args.many_docs:,} documents") or []
        floor_rss = statistics.median([i["rss_first_mb"] for i in floors if i.get("rss_first_mb")] or [0]) or None
        first = [i["rss_first_mb"] for i in ours if i.get("rss_first_mb")]
        listed = [i["rss_list_mb"] for i in ours if i.get("rss_list_mb")]
        rows5 = []
        for label, values in (("after the first screen", first), ("after ctrl+b (document list)", listed)):
            value = max(values) if values else None
            rows5.append(Row(f"margin VmHWM {label} (MB)", value, floor_rss, "MB", f"<={TARGET_RSS_MB:g} MB",
                             None if value is None else value <= TARGET_RSS_MB, f"max of {len(values)}",
                             {"samples_mb": values}))
        print_rows(f"5. Peak RSS on {args.many_docs:,} documents / {args.many_docs * 10:,} annotations", rows5,
                   "floor")


# -- section 6: commands -------------------------------------------------------------------

RAW = {
    "documents": """
select d.id, d.title, a.label, count(a.id) from documents d
left join annotations a on a.doc_id = d.id and a.deleted_at is null
group by d.id, a.label order by d.rowid
""",
    "stats": """
select 'label', label, count(*) from annotations where deleted_at is null group by label;
select 'annotator', annotator, count(*) from annotations where deleted_at is null group by annotator;
select 'status', status, count(*) from annotations where deleted_at is null group by status;
select d.id, d.title, count(a.id) from documents d left join annotations a
  on a.doc_id = d.id and a.deleted_at is null group by d.id order by d.rowid
""",
    "agreement": """
select doc_id, annotator, start, "end", label from annotations
where deleted_at is null and status = 'accepted' order by doc_id, annotator, start
""",
}
RAW_RUNNER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
out = sys.stdout
for query in sys.argv[2].split(";"):
    if query.strip():
        for row in conn.execute(query):
            out.write("\\t".join(map(str, row)) + "\\n")
"""


MEASURE = """
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(out, 1)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str], out_path: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit status) of one child process. A small
    ``python -S`` forks it, so its peak is not the forked copy of this big process."""
    result = subprocess.run([sys.executable, "-S", "-c", MEASURE, str(out_path), *command],
                            capture_output=True, text=True, check=True)
    seconds, peak_kb, status = result.stdout.split()
    return float(seconds), int(peak_kb) / 1024, int(status)


def section_commands(args) -> None:
    db_path = data.many_db(args.command_docs, pairs=True)
    work = OUT / "commands"
    work.mkdir(parents=True, exist_ok=True)
    env_cmd = [sys.executable, "-m", "margin", "--db", str(db_path)]
    os.environ["MARGIN_CONFIG"] = str(OUT / "no-such-config.toml")
    results: dict[str, dict[str, list]] = {}
    for _ in range(args.runs):
        for name, query in RAW.items():
            for who, command in (("margin", env_cmd + [name]),
                                 ("raw", [sys.executable, "-c", RAW_RUNNER, str(db_path), query])):
                out = work / f"{name}-{who}.txt"
                seconds, peak, status = run_measured(command, out)
                entry = results.setdefault(f"{name}/{who}", {"s": [], "mb": [], "status": [], "bytes": []})
                entry["s"].append(seconds)
                entry["mb"].append(peak)
                entry["status"].append(status)
                entry["bytes"].append(out.stat().st_size)
    rows = []
    for name in RAW:
        ours, raw = results[f"{name}/margin"], results[f"{name}/raw"]
        s, raw_s = statistics.median(ours["s"]), statistics.median(raw["s"])
        mb, raw_mb = max(ours["mb"]), max(raw["mb"])
        bad = [code for code in ours["status"] if code]
        note = f"exit {bad[0]}" if bad else f"{ours['bytes'][-1] / 1e6:.1f} MB out (raw {raw['bytes'][-1] / 1e6:.1f})"
        rows.append(Row(f"margin {name} wall (s)", s, raw_s, "s", f"<={TARGET_COMMAND_RATIO:g}x raw",
                        s <= TARGET_COMMAND_RATIO * raw_s and not bad, note, {"samples_s": ours["s"],
                                                                              "raw_samples_s": raw["s"]}))
        target = f"<={TARGET_AGREEMENT_MB:g} MB" if name == "agreement" else f"<={TARGET_COMMAND_RATIO:g}x raw"
        ok = mb <= TARGET_AGREEMENT_MB if name == "agreement" else mb <= TARGET_COMMAND_RATIO * raw_mb
        rows.append(Row(f"margin {name} peak RSS (MB)", mb, raw_mb, "MB", target, ok))
    print_rows(f"6. Commands on {args.command_docs:,} documents / {args.command_docs * 10:,} annotations "
               f"(median of {args.runs})", rows, "raw SQL")


# -- main ------------------------------------------------------------------------------------


def describe_margin() -> str:
    where = Path(margin.__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--short", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        head, dirty = "?", ""
    return f"{where} at {head}{' with uncommitted changes' if dirty else ''}"


async def async_sections(args) -> None:
    text = data.book_text()
    baseline = await baseline_keys(text, args.cycles * 2)
    base_median, base_p99 = ms_stats(baseline["no-op key"])
    print(f"  baseline (trivial Textual app, no-op key): median {base_median:.2f} ms, p99 {base_p99:.2f} ms; "
          f"pilot.press+pause round trip median {statistics.median(baseline['pilot round trip']):.1f} ms; "
          f"{missed_note()}", flush=True)
    RESULTS["baseline"] = [Row("no-op key", base_median, None, "ms", "", None, f"p99 {base_p99:.2f}",
                               {"samples_ms": baseline["no-op key"],
                                "pilot_round_trip_ms": baseline["pilot round trip"]})]
    book = None
    if "1" in args.only or "2" in args.only:
        book = await section_keys(args, baseline)
        await more_baseline(baseline, text, args.cycles)
        if "1" in args.only:
            print_floor_widgets(await floor_widgets(text, max(5, args.cycles // 2)), book)
    if "2" in args.only:
        await section_article(args, baseline, book)
    if "3" in args.only:
        await section_commit(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a smoke test)")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="sections to run, e.g. 1 or 4,5")
    parser.add_argument("--json", type=Path, default=OUT / "app_bench.json", help="where to write the figures")
    args = parser.parse_args()
    args.only = set(args.only.replace(" ", "").split(","))
    if args.quick:
        args.cycles, args.switches, args.commits, args.runs, args.budget = 12, 3, 4, 1, 45.0
        args.many_docs, args.command_docs = 10_000, 2_000
    else:
        args.cycles, args.switches, args.commits, args.runs, args.budget = 40, 8, 10, 3, 150.0
        args.many_docs, args.command_docs = 100_000, 20_000
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"margin: {describe_margin()}")
    print(f"python {sys.version.split()[0]}, textual {__import__('textual').__version__}, "
          f"{os.cpu_count()} cores, sections {','.join(sorted(args.only))}{' (quick)' if args.quick else ''}",
          flush=True)
    if args.only & {"1", "2", "3"}:
        asyncio.run(async_sections(args))
    if args.only & {"4", "5", "6"}:
        compile_margin()
    if args.only & {"4", "5"}:
        section_tmux(args)
    if "6" in args.only:
        section_commands(args)
    elapsed = time.perf_counter() - started
    print(f"\ntotal {elapsed:.0f} s")
    payload = {
        "margin": describe_margin(),
        "quick": args.quick,
        "seconds": elapsed,
        "sections": {title: [dict(asdict(row), ratio=row.ratio) for row in rows] for title, rows in RESULTS.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=1, default=str))
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
