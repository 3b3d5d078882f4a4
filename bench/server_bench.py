"""margin on a local PostgreSQL server against margin on a SQLite file, same run.

Run from the checkout (nothing here fails on a timing; exit 0):

    python bench/server_bench.py            # ~2 min
    python bench/server_bench.py --quick    # smaller sizes: a smoke test

The server is a throwaway cluster started as the tests start theirs
(``tests/pg_cluster.py``), but with the server's own durability defaults (fsync and
synchronous commit on), on 127.0.0.1 over TCP; ``MARGIN_TEST_POSTGRES`` names another
server instead. SQLite runs as margin opens it (WAL, ``synchronous = normal``): a
commit there is not flushed to disk, one on the server is, which the writer figures
show. Every figure is printed beside its SQLite counterpart, as a ratio.

- **import**: ``margin.store.importing.import_paths`` of one doccano JSONL file of
  generated documents with spans, into an empty database.
- **export**: ``margin.store.exporting.export`` of that database as margin JSONL.
- **label key**: the real app (``bench/app_bench.py``'s ``make`` and key probe) on the
  seed article, ``v w`` then the label key ``1`` timed, then ``u``; median and p99.
- **the book**: War and Peace with 10,000 annotations by several annotators
  (``bench/app_bench_data.py``'s ``book_db``), carried to the server by
  ``margin merge`` as a team would; then the real app opened on it (Pilot: from
  start to the book's first screen drawn, app-side) and its label key timed at
  places across the book, as above.
- **writers**: 1, 4 and 16 processes at once, each adding annotations one
  transaction at a time (as the app does); annotations committed per second.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import pg_cluster  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from margin.store.db import open_database  # noqa: E402

SEED = ROOT.parent / "shared" / "corpus" / "seed" / "darien-gap-article.txt"
WORDS = ("the", "harbour", "reopened", "minister", "said", "percent", "of", "voters", "agreed", "on", "Monday")
WRITER = """
import sys, time
from pathlib import Path
from margin.store.annotations import add_annotation
from margin.store.db import open_database

where, doc_id, who, count, go = sys.argv[1:6]
db = open_database(where)
Path(go + "." + who).touch()
while not Path(go).exists():
    time.sleep(0.002)
for number in range(int(count)):
    add_annotation(db, doc_id, number % 40, number % 40 + 5, "claim", annotator=who)
db.close()
"""


def corpus_file(folder: Path, documents: int, spans: int) -> Path:
    """A doccano JSONL file: ``documents`` texts of ~120 words, ``spans`` spans each."""
    rng = random.Random(7)
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            text = f"Report {number:06d}. " + " ".join(rng.choice(WORDS) for _ in range(120)) + "."
            labels = []
            for _ in range(spans):
                start = rng.randrange(0, len(text) - 12)
                labels.append([start, start + rng.randrange(3, 12), rng.choice(["claim", "person", "statistic"])])
            out.write(json.dumps({"text": text, "label": labels}) + "\n")
    return path


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def import_and_export(where: str, corpus: Path) -> tuple[float, float, int, int]:
    from margin.store.exporting import export
    from margin.store.importing import import_paths

    db = open_database(where)
    report = None

    def load() -> None:
        nonlocal report
        report = import_paths(db, [corpus], annotator="bench")

    seconds_in = timed(load)
    assert report is not None and report.ok, report
    seconds_out = timed(lambda: export(db, io.StringIO(), format="margin"))
    db.close()
    return seconds_in, seconds_out, report.documents_added, report.spans_added


async def label_key(where: str, presses: int) -> list[float]:
    from margin.store.documents import add_document

    db = open_database(where)
    text = SEED.read_text(encoding="utf-8")
    document, _ = add_document(db, text, title="Darién Gap")
    db.close()
    _, times = await open_and_label(where, document.id, text, presses)
    return times


async def open_and_label(where: str, doc_id: str, text: str, presses: int) -> tuple[float, list[float]]:
    """Seconds from the app's start to the document's first screen, then the label
    key's milliseconds at ``presses`` words spread over the whole text."""
    import app_bench

    app = app_bench.make(where, doc_id)
    times: list[float] = []
    started = time.perf_counter()
    async with app.run_test(size=app_bench.SIZE) as pilot:
        await app_bench.wait_ready(pilot)
        opened = time.perf_counter() - started
        reader = app_bench.reader_of(app)
        words = [index for index in range(1, len(text) - 20) if text[index - 1] == " " and text[index].isalpha()]
        for index in words[:: max(1, len(words) // presses)][:presses]:
            reader.move_to(index)
            await app_bench.settle(pilot)
            await app_bench.press(pilot, "v", "w")
            times.append(await app_bench.timed(pilot, "1"))
            await app_bench.press(pilot, "u")
    return opened, times


def book(where: str, presses: int) -> dict[str, float]:
    """War and Peace with 10,000 annotations, merged into an empty database at ``where``."""
    import app_bench_data

    from margin.store.merge import merge_databases

    source = app_bench_data.book_db()
    db = open_database(where)
    seconds = timed(lambda: merge_databases(db, [source]))
    doc_id, text = db.execute(
        "select id, text from documents where title = 'War and Peace'"
    ).fetchone()
    spans = db.execute("select count(*) from annotations").fetchone()[0]
    db.close()
    opened, keys = asyncio.run(open_and_label(where, doc_id, text, presses))
    return {
        f"book: merge in {spans:,} spans (s)": seconds,
        "book: app start to first screen (s)": opened,
        "book: label key, median (ms)": statistics.median(keys),
        "book: label key, p99 (ms)": ms(keys, 0.99),
    }


def writers(where: str, count: int, each: int, folder: Path) -> float:
    """Annotations committed per second by ``count`` processes writing at once."""
    from margin.store.documents import add_document

    db = open_database(where)
    document, _ = add_document(db, f"Shared text {count} " + "word " * 40)
    db.close()
    go = folder / f"go-{count}-{time.monotonic_ns()}"
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, where, document.id, f"w{n}", str(each), str(go)],
                         stderr=subprocess.PIPE, text=True)
        for n in range(count)
    ]
    while len(list(folder.glob(f"{go.name}.*"))) < count:
        time.sleep(0.005)
    started = time.perf_counter()
    go.touch()
    for process in processes:
        _, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr
    return count * each / (time.perf_counter() - started)


def ms(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke test")
    args = parser.parse_args()
    documents, spans, presses, each = (200, 5, 10, 50) if args.quick else (2_000, 10, 40, 200)
    console = Console(highlight=False)
    cluster = pg_cluster.start(durable=True)
    folder = Path(tempfile.mkdtemp(prefix="margin-server-bench-"))
    try:
        corpus = corpus_file(folder, documents, spans)
        places = {"SQLite": lambda name: str(folder / f"{name}.db"), "PostgreSQL": lambda name: cluster.fresh()}
        results: dict[str, dict[str, float]] = {}
        for backend, place in places.items():
            seconds_in, seconds_out, docs, added = import_and_export(place("import"), corpus)
            keys = asyncio.run(label_key(place("keys"), presses))
            found = {
                "import (documents/s)": docs / seconds_in,
                "import (spans/s)": added / seconds_in,
                "export (documents/s)": docs / seconds_out,
                "label key, median (ms)": statistics.median(keys),
                "label key, p99 (ms)": ms(keys, 0.99),
                **book(place("book"), presses),
            }
            for count in (1, 4, 16):
                found[f"{count} writer(s) (annotations/s)"] = writers(place(f"writers{count}"), count, each, folder)
            results[backend] = found
        table = Table(title=f"margin on PostgreSQL against SQLite ({documents:,} documents, {documents * spans:,} spans)")
        for column in ("", "SQLite", "PostgreSQL", "PostgreSQL / SQLite"):
            table.add_column(column, justify="left" if not column else "right")
        for name in results["SQLite"]:
            lite, server = results["SQLite"][name], results["PostgreSQL"][name]
            table.add_row(name, f"{lite:,.1f}", f"{server:,.1f}", f"{server / lite:.2f}×")
        console.print(table)
        console.print(f"server: {cluster.url} (a throwaway cluster, fsync on); python {sys.version.split()[0]}, "
                      f"{os.cpu_count()} cores")
        (ROOT / "bench" / "out").mkdir(exist_ok=True)
        (ROOT / "bench" / "out" / "server_bench.json").write_text(json.dumps(results, indent=2))
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
