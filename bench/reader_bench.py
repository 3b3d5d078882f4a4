"""How fast the reader opens and answers keys on a whole book with ten thousand spans.

Run from the checkout:  python bench/reader_bench.py

It measures, in one process and on one text (War and Peace from the shared corpus when
present, else a generated 3 MB text):

* time to first painted screen, from app start until the widget has drawn every line of
  its first screen, for margin's Reader and for Textual's own
  ``TextArea(read_only=True, soft_wrap=True)`` holding the same text (the baseline);
* the app-side cost of a key press (the action the key runs plus the ``render_line`` calls
  for every visible line afterwards), median and 99th percentile over many presses;
* peak resident memory of the reader part (measured before the baseline runs).

Each figure is printed beside its target.
"""

from __future__ import annotations

import asyncio
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402
from textual.strip import Strip  # noqa: E402
from textual.widgets import TextArea  # noqa: E402

from margin.store.model import Annotation, Document, Label  # noqa: E402
from margin.tui.widgets.reader import Reader  # noqa: E402

BOOK = ROOT.parent / "shared" / "corpus" / "gutenberg" / "pg2600_war_and_peace.utf8.txt"
SIZE = (120, 40)
SPANS = 10_000
PRESSES = 300
LABELS = [Label("claim", "1", "#e5a50a"), Label("person", "2", "#3584e4"), Label("statistic", "3", "#2ec27e")]

TARGET_FIRST_PAINT = 0.3
TARGET_SPEEDUP = 10.0
TARGET_MEDIAN_MS = 5.0
TARGET_P99_MS = 16.0
TARGET_RSS_MB = 150.0


def book_text() -> tuple[str, str]:
    if BOOK.exists():
        return BOOK.read_text(encoding="utf-8"), BOOK.name
    rng = random.Random(3)
    words = "the of and a to in was he that his had with it for as at by not on".split()
    paragraphs = []
    size = 0
    while size < 3_000_000:
        paragraph = " ".join(rng.choice(words) for _ in range(rng.randrange(20, 200))) + "."
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs), "generated text"


def make_spans(text: str) -> list[Annotation]:
    rng = random.Random(11)
    spans = []
    for number in range(SPANS):
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randrange(1, 300)
        spans.append(
            Annotation(
                id=f"bench-{number}",
                doc_id="book",
                start=start,
                end=end,
                label=rng.choice(["claim", "person", "statistic"]),
                quote=text[start:end],
                annotator=rng.choice(["me", "me", "other"]),
                status=rng.choice(["accepted", "accepted", "accepted", "suggested"]),
            )
        )
    return spans


class FirstPaint:
    """Records when a widget first drew the last line of its first screen."""

    def __init__(self) -> None:
        self.at: float | None = None

    def saw(self, widget, y: int) -> None:
        if self.at is None and y >= widget.scrollable_content_region.height - 1:
            self.at = time.perf_counter()


class TimedReader(Reader):
    def __init__(self, clock: FirstPaint) -> None:
        super().__init__()
        self.clock = clock

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self.clock.saw(self, y)
        return strip


class TimedTextArea(TextArea):
    def __init__(self, text: str, clock: FirstPaint) -> None:
        super().__init__(text, read_only=True, soft_wrap=True)
        self.clock = clock

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self.clock.saw(self, y)
        return strip


class ReaderApp(App):
    def __init__(self, document: Document, spans: list[Annotation], clock: FirstPaint) -> None:
        super().__init__()
        self.document, self.spans, self.clock = document, spans, clock

    def compose(self) -> ComposeResult:
        yield TimedReader(self.clock)

    def on_mount(self) -> None:
        reader = self.query_one(Reader)
        reader.load(self.document, self.spans, LABELS)
        reader.set_viewer("me", None)
        reader.focus()


class TextAreaApp(App):
    def __init__(self, text: str, clock: FirstPaint) -> None:
        super().__init__()
        self.text, self.clock = text, clock

    def compose(self) -> ComposeResult:
        yield TimedTextArea(self.text, self.clock)


def paint_screen(reader: Reader) -> None:
    for y in range(reader.scrollable_content_region.height):
        reader.render_line(y)


def time_key(reader: Reader, press: Callable[[], None], between: Callable[[], None] | None = None) -> list[float]:
    """Milliseconds per press: the action, then every visible line rendered."""
    timings = []
    for _ in range(PRESSES):
        if between is not None:
            between()
            paint_screen(reader)
        started = time.perf_counter()
        press()
        paint_screen(reader)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def bench_reader(document: Document, spans: list[Annotation]) -> tuple[float, dict[str, list[float]]]:
    clock = FirstPaint()
    app = ReaderApp(document, spans, clock)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        while clock.at is None:
            await pilot.pause()
        first_paint = clock.at - started
        reader = app.query_one(Reader)
        text = document.text
        rng = random.Random(5)
        keys: dict[str, list[float]] = {}

        reader.move_to(len(text) // 3)
        keys["cursor down (j)"] = time_key(reader, reader.action_cursor_down)
        await pilot.pause()
        reader.move_to(len(text) // 5)
        keys["page down"] = time_key(reader, reader.action_page_down)
        await pilot.pause()

        def next_word() -> None:
            reader.clear_selection()
            reader.action_word_next()

        reader.move_to(len(text) // 2)
        keys["select word (W)"] = time_key(reader, reader.action_select_word, next_word)
        await pilot.pause()

        counter = iter(range(10**6))

        def label() -> None:
            span = reader.target_span()
            assert span is not None
            reader.upsert_annotation(
                Annotation(
                    id=f"new-{next(counter)}",
                    doc_id=document.id,
                    start=span[0],
                    end=span[1],
                    label=rng.choice(["claim", "person", "statistic"]),
                    quote=text[span[0] : span[1]],
                    annotator="me",
                )
            )
            reader.clear_selection()

        reader.move_to(len(text) // 2 + 5000)
        keys["label key (1)"] = time_key(reader, label, next_word)
        await pilot.pause()
        reader.move_to(len(text) // 4)
        keys["next annotation (tab)"] = time_key(reader, reader.action_annotation_next)
        await pilot.pause()
        reader.search("Natásha")
        keys["next match (n)"] = time_key(reader, reader.action_search_next)
        await pilot.pause()
    return first_paint, keys


async def bench_text_area(text: str) -> float:
    clock = FirstPaint()
    app = TextAreaApp(text, clock)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        while clock.at is None:
            await pilot.pause()
        return clock.at - started


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


async def main() -> None:
    text, name = book_text()
    spans = make_spans(text)
    document = Document(id="book", text=text, title="War and Peace", source=name)
    print(f"text: {name}, {len(text):,} characters, {len(spans):,} annotations, terminal {SIZE[0]}x{SIZE[1]}")

    reader_paint, keys = await bench_reader(document, spans)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text_area_paint = await bench_text_area(text)
    speedup = text_area_paint / reader_paint

    print()
    print("first painted screen (app start to last line of the first screen)")
    print(f"  Reader              {reader_paint:8.3f} s   target <= {TARGET_FIRST_PAINT} s   {verdict(reader_paint <= TARGET_FIRST_PAINT)}")
    print(f"  TextArea baseline   {text_area_paint:8.3f} s")
    print(f"  speed-up            {speedup:8.1f} x   target >= {TARGET_SPEEDUP:.0f} x   {verdict(speedup >= TARGET_SPEEDUP)}")
    print()
    print(f"per key, app side: action + render_line for every visible line ({PRESSES} presses each)")
    print(f"  {'key':24} {'median ms':>10} {'p99 ms':>10}   targets: median <= {TARGET_MEDIAN_MS}, p99 <= {TARGET_P99_MS}")
    for key, timings in keys.items():
        median = statistics.median(timings)
        p99 = percentile(timings, 0.99)
        ok = median <= TARGET_MEDIAN_MS and p99 <= TARGET_P99_MS
        print(f"  {key:24} {median:10.3f} {p99:10.3f}   {verdict(ok)}")
    print()
    print(f"peak RSS after the reader runs: {rss_mb:.1f} MB   target <= {TARGET_RSS_MB:.0f} MB   {verdict(rss_mb <= TARGET_RSS_MB)}")


if __name__ == "__main__":
    asyncio.run(main())
