"""How long the suggesters take: every suggester ``margin.store.suggest.build``
registers by default, built for a fresh database, on the seed article and on the
whole of War and Peace; each one's own time, and all of them together through
``suggestions_for`` (what ``margin suggest`` and the reader's key run), in ms and ms
per 1,000 words. Baseline, in the same run on the same text: one bare regex pass
(``\\d+``) over it, the least any suggester that reads the text must pay.

Targets: War and Peace under 10 s and the seed article under 50 ms, all suggesters
together. Best of 3 runs (1 with --quick); building the suggesters is timed apart.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from suggest_bench_table import print_table

from margin.store.db import open_database
from margin.store.suggest import build
from margin.store.suggest.run import suggestions_for

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TEXTS = {
    "seed article": CORPUS / "seed" / "darien-gap-article.txt",
    "War and Peace": CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt",
}
TARGETS = {"seed article": 0.050, "War and Peace": 10.0}
BARE = re.compile(r"\d+")


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(quick: bool) -> None:
    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "speed.db")
        started = time.perf_counter()
        suggesters = build(db)
        built = time.perf_counter() - started
        rows = []
        for name, path in TEXTS.items():
            if not path.is_file():
                rows.append([name, "not available", "", "", ""])
                continue
            text = path.read_text(encoding="utf-8")
            per_k = 1000 / max(1, len(text.split()))
            seconds, found = best_of(repeats, lambda text=text: sum(1 for _ in BARE.finditer(text)))
            rows.append([f"{name}: bare regex pass (baseline)", f"{seconds * 1000:.1f}", f"{seconds * 1000 * per_k:.3f}",
                         found, ""])
            for suggester in suggesters:
                seconds, found = best_of(repeats, lambda s=suggester, text=text: len(list(s.suggest(text))))
                rows.append([f"{name}: {suggester.name}", f"{seconds * 1000:.1f}", f"{seconds * 1000 * per_k:.3f}",
                             found, ""])
            seconds, found = best_of(repeats, lambda text=text: len(suggestions_for(text, suggesters)))
            verdict = "met" if seconds < TARGETS[name] else "MISSED"
            rows.append([f"{name}: all together", f"{seconds * 1000:.1f}", f"{seconds * 1000 * per_k:.3f}",
                         found, f"< {TARGETS[name] * 1000:.0f} ms: {verdict}"])
        db.close()
    print_table(
        f"suggestion time ({', '.join(s.name for s in suggesters)}; built in {built * 1000:.0f} ms)",
        ["", "ms", "ms/1k words", "spans", "target"],
        rows,
    )
