"""The statistics suggester on MeasEval's ``Quantity`` spans (eval split: 135
paragraphs of CC-BY scientific articles, 499 quantities), against a bare number regex.

Rows, all measured in this run on the same texts:

- ``bare number regex`` (the baseline): every run of digits, ``[−-]?\\d+([.,]\\d+)*``;
- ``statistics`` as margin ships it: quantulum3's unit table (when installed), counted
  nouns in the span ("21 partners");
- ``statistics, MeasEval spans``: the same without the counted noun (``count_nouns``
  off), MeasEval's own convention, which only the exact figures can tell apart;
- ``statistics, --min-score 0.5``: without the bare numbers (score 0.4);
- ``statistics, built-in units``: without quantulum3, the suggester's short table;
- ``quantulum3 parser``: quantulum3's own ``parser.parse`` (classifier off: its
  pickled model is tied to one scikit-learn version), to show what a library-only
  suggester finds and what it costs.

Precision, recall, F1 exact and by overlap (:mod:`margin.store.suggest.scoring`), and
the time to run over all 135 paragraphs (best of 3; 1 with --quick).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from suggest_bench_table import figure, print_table

from margin.store.suggest import Options
from margin.store.suggest import statistics as stats
from margin.store.suggest.scoring import score

MEASEVAL = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "measeval" / "eval"
BARE = re.compile(r"[−-]?\d+(?:[.,]\d+)*")
Finder = Callable[[str], Iterable[tuple[int, int]]]


def load(folder: Path = MEASEVAL) -> tuple[dict[str, str], set[tuple[str, int, int, str]]]:
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted((folder / "text").glob("*.txt"))}
    gold: set[tuple[str, int, int, str]] = set()
    for path in sorted((folder / "tsv").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["annotType"] == "Quantity":
                    gold.add((row["docId"], int(row["startOffset"]), int(row["endOffset"]), "statistic"))
    return texts, gold


def suggester_finder(min_score: float = 0.0, **extra: object) -> Finder:
    suggester = stats.build(None, Options(extra=dict(extra)))
    return lambda text: ((s.start, s.end) for s in suggester.suggest(text) if s.score >= min_score)


def bare_finder(text: str) -> Iterable[tuple[int, int]]:
    return (match.span() for match in BARE.finditer(text))


def quantulum_finder() -> Finder | None:
    try:
        from quantulum3 import classifier, parser
    except ImportError:
        return None
    classifier.USE_CLF = False
    return lambda text: (q.span for q in parser.parse(text))


def measure(finder: Finder, texts: dict[str, str], repeats: int) -> tuple[set[tuple[str, int, int, str]], float]:
    best = float("inf")
    predicted: set[tuple[str, int, int, str]] = set()
    for _ in range(repeats):
        started = time.perf_counter()
        predicted = {(doc, start, end, "statistic") for doc, text in texts.items() for start, end in finder(text)}
        best = min(best, time.perf_counter() - started)
    return predicted, best


def run(quick: bool) -> None:
    if not MEASEVAL.is_dir():
        print(f"\n[statistics] not available: no MeasEval at {MEASEVAL}")
        return
    texts, gold = load()
    words = sum(len(text.split()) for text in texts.values())
    repeats = 1 if quick else 3
    variants: list[tuple[str, Finder | None]] = [
        ("bare number regex (baseline)", bare_finder),
        ("statistics", suggester_finder()),
        ("statistics, MeasEval spans (no counted noun)", suggester_finder(count_nouns=False)),
        ("statistics, --min-score 0.5 (no bare numbers)", suggester_finder(0.5)),
        ("statistics, built-in units (no quantulum3)", suggester_finder(statistics_units="builtin")),
        ("statistics, built-in units, MeasEval spans", suggester_finder(statistics_units="builtin", count_nouns=False)),
        ("quantulum3 parser alone", quantulum_finder()),
    ]
    rows = []
    shipped: set[tuple[str, int, int, str]] = set()
    for name, finder in variants:
        if finder is None:
            rows.append([name, "not installed", *[""] * 8])
            continue
        predicted, seconds = measure(finder, texts, repeats)
        if name == "statistics":
            shipped = predicted
        row = score(gold, predicted)["statistic"]
        rows.append([name, len(predicted),
                     figure(row.exact.precision), figure(row.exact.recall), figure(row.exact.f1),
                     figure(row.overlap.precision), figure(row.overlap.recall), figure(row.overlap.f1),
                     f"{seconds * 1000:.1f}", f"{seconds * 1e6 / words:.2f}"])
    units = stats.build(None).units
    print_table(
        f"statistics on MeasEval eval Quantity ({len(gold)} gold spans, {len(texts)} paragraphs, {words:,} words;"
        f" unit table: {units.source}, {len(units.symbols)} symbols, {len(units.surfaces)} names)",
        ["", "predicted", "P exact", "R exact", "F1 exact", "P overlap", "R overlap", "F1 overlap", "ms", "ms/1k words"],
        rows,
        note="target: overlap F1 >= 0.85 (statistics row)",
    )
    _examples(texts, gold, shipped)


def _examples(texts: dict[str, str], gold: set[tuple[str, int, int, str]],
              predicted: set[tuple[str, int, int, str]], count: int = 8) -> None:
    """A few misses and false alarms by overlap, so the figures can be read."""
    def overlaps(span: tuple[str, int, int, str], others: set[tuple[str, int, int, str]]) -> bool:
        return any(o[0] == span[0] and o[1] < span[2] and span[1] < o[2] for o in others)

    missed = sorted(g for g in gold if not overlaps(g, predicted))
    extra = sorted(p for p in predicted if not overlaps(p, gold))
    rows = [["missed", texts[d][s:e]] for d, s, e, _ in missed[:count]]
    rows += [["not in gold", texts[d][s:e]] for d, s, e, _ in extra[:count]]
    print_table(f"statistics: {len(missed)} gold spans missed, {len(extra)} suggestions not in gold (first {count})",
                ["", "text"], rows)
