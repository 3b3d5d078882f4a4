"""Where a label key's time goes on the screen: render time per widget, and what asks for
a layout, on War and Peace with 10,000 annotations, through the whole app (Pilot).

Each widget's ``render_lines`` is timed while the label key (``1``) is pressed on a
fresh word, as ``bench/app_bench.py`` presses it; the Screen's layout requests are
counted with the widget that asked. Figures are per press.

Run: ``python bench/key_render_profile.py [--presses N]`` (builds the book database as
``bench/app_bench.py`` does, under ``bench/out/``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

sys.path.insert(0, str(Path(__file__).parent))
import app_bench as ab
from app_bench_data import book_db

renders: Counter[str] = Counter()
rows: Counter[str] = Counter()
seconds: dict[str, float] = {}
layouts: Counter[str] = Counter()
recording = False


def _name(widget: Widget) -> str:
    name = f"{type(widget).__name__}#{widget.id}"
    if type(widget).__name__ == "ScrollBar" and widget.parent is not None:
        name += f" (of {type(widget.parent).__name__}#{widget.parent.id})"
    return name


def _patch() -> None:
    render_lines = Widget.render_lines
    on_layout = Screen._on_layout

    def timed_render_lines(self: Widget, crop: Region) -> list[Strip]:
        started = time.perf_counter()
        lines = render_lines(self, crop)
        if recording:
            renders[_name(self)] += 1
            rows[_name(self)] += crop.height
            seconds[_name(self)] = seconds.get(_name(self), 0.0) + time.perf_counter() - started
        return lines

    async def counted_layout(self: Screen[Any], message: Any) -> None:
        if recording:
            layouts[_name(message.widget)] += 1
        await on_layout(self, message)

    Widget.render_lines = timed_render_lines  # type: ignore[method-assign]
    Screen._on_layout = counted_layout  # type: ignore[method-assign]


async def profile(presses: int) -> None:
    global recording
    db_path = book_db()
    app = ab.make(db_path, ab.doc_ids(db_path)[0])
    async with app.run_test(size=ab.SIZE) as pilot:
        await ab.wait_ready(pilot)
        reader = ab.reader_of(app)
        for _ in range(presses):
            await ab.press(pilot, "pagedown")
            for _ in range(300):
                if not ab.covered(reader, reader.cursor):
                    break
                await ab.press(pilot, "w")
            await ab.press(pilot, "v", "w")
            recording = True
            await ab.timed(pilot, "1")
            recording = False
    total = sum(seconds.values()) * 1000 / presses
    print(f"render time per label key: {total:.2f} ms in all, by widget:")
    for name, spent in sorted(seconds.items(), key=lambda item: -item[1])[:12]:
        print(f"  {spent * 1000 / presses:7.2f} ms  {renders[name] / presses:4.1f} renders "
              f"{rows[name] / presses:5.1f} rows  {name}")
    print("layout requests per label key:", ", ".join(f"{name} {n / presses:.1f}" for name, n in layouts.items()) or "none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=10)
    args = parser.parse_args()
    _patch()
    asyncio.run(profile(args.presses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
