"""The claims suggester measured: CLEF CheckThat 2019 task 1, sentence segmentation,
and speed.

CLEF (``../shared/corpus/clef2019-checkthat-task1/``): each debate becomes one document
with a line per sentence, exactly as margin would hold it; the classifier is trained on
the 19 training debates and every sentence of the 7 test debates is ranked. Average
precision and P@10 are printed per test debate and overall (mean over debates; and
all test sentences pooled) for, in the same run:

- baseline: every sentence with a number, ranked by how many numbers it has;
- rules: the suggester without a classifier;
- classifier: its probability alone;
- rules + classifier: the suggester with the classifier, as ``margin suggest`` runs it.

Ties keep the debate's order (the same for every ranking). Segmentation is checked
on the CLEF lines (each is one sentence: joined with a space within a speaker's turn,
how many line boundaries the splitter finds, and how many it adds) and on the seed
article. Speed: the seed article and War and Peace, rules alone and with the CLEF
classifier. Run: ``python bench/suggest_eval_claims.py`` (``--quick`` skips War and
Peace), or as a section of ``bench/suggest_bench.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from margin.store.suggest.claims import ClaimsSuggester, combine  # noqa: E402
from margin.store.suggest.claims_model import ClaimModel, fit, terms  # noqa: E402
from margin.store.suggest.claims_rules import facts  # noqa: E402
from margin.store.suggest.claims_sentences import sentences  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from suggest_bench_table import print_table  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
CLEF = CORPUS / "clef2019-checkthat-task1"
SEED = CORPUS / "seed" / "darien-gap-article.txt"
WAR_AND_PEACE = CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt"
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")

Debate = tuple[str, list[tuple[str, str, int]]]
"""File stem, and its lines as (speaker, text, label)."""


def read_debates(split: str) -> list[Debate]:
    debates = []
    for path in sorted((CLEF / split).glob("*.tsv")):
        lines = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            _number, speaker, text, label = raw.split("\t")
            lines.append((speaker, text.strip() or ".", int(label)))
        debates.append((path.stem, lines))
    return debates


def line_features(debate: Debate) -> tuple[list[float], list[list[str]]]:
    """For each line: the rules' score and the classifier's terms, from the debate as
    one document with a line per sentence."""
    text = "\n".join(line for _speaker, line, _label in debate[1])
    spans = sentences(text)
    found = facts(text, spans)
    rule = [0.0] * len(debate[1])
    words: list[list[str]] = [[] for _ in debate[1]]
    starts = [0]
    for _speaker, line, _label in debate[1]:
        starts.append(starts[-1] + len(line) + 1)
    index = 0
    for (start, end), sentence in zip(spans, found):
        while starts[index + 1] <= start:
            index += 1
        rule[index] = max(rule[index], sentence.score())
        words[index] += terms(text[start:end], sentence)
    return rule, words


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits = 0
    total = 0.0
    for rank, index in enumerate(order, 1):
        if labels[index]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def precision_at(scores: Sequence[float], labels: Sequence[int], k: int = 10) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return sum(labels[i] for i in order[:k]) / k


def _pysbd_starts() -> Callable[[str], set[int]] | None:
    """pysbd's sentence starts, when it is installed (it is not a dependency: it is
    measured here, as the library the rule set was chosen over)."""
    try:
        import pysbd  # type: ignore[import-not-found]
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: {span.start for span in segmenter.segment(text)}


def segmentation_report(debates: Sequence[Debate], seed: str, quick: bool) -> None:
    ours: Callable[[str], set[int]] = lambda text: {start for start, _end in sentences(text)}  # noqa: E731
    splitters = [("rules", ours)]
    pysbd_starts = None if quick else _pysbd_starts()
    if pysbd_starts is None:
        print("  segmentation: pysbd not compared (" + ("--quick" if quick else "pip install pysbd to compare") + ")")
    else:
        splitters.append(("pysbd", pysbd_starts))
    # pysbd takes about a minute for the 7 test debates: it is compared on the 2 shortest
    small = sorted(debates[-7:], key=lambda debate: len(debate[1]))[:2]
    for name, starts_of in splitters:
        if name == "rules":
            _segmentation(name, starts_of, debates, seed)
        if pysbd_starts is not None:
            _segmentation(name, starts_of, small, seed if name == "pysbd" else None)


def _segmentation(name: str, starts_of: Callable[[str], set[int]], debates: Sequence[Debate], seed: str | None) -> None:
    found_boundaries = true_boundaries = extra = lines = split_lines = 0
    started = time.perf_counter()
    for _name, debate in debates:
        turns: list[list[str]] = []
        previous = None
        for speaker, line, _label in debate:
            if speaker != previous:
                turns.append([])
                previous = speaker
            turns[-1].append(line)
        for turn in turns:
            text = " ".join(turn)
            boundaries = set()
            position = 0
            for line in turn[:-1]:
                position += len(line) + 1
                boundaries.add(position)
            got = {start for start in starts_of(text)} - {0}
            true_boundaries += len(boundaries)
            found_boundaries += len(boundaries & got)
            extra += len(got - boundaries)
        for _speaker, line, _label in debate:
            lines += 1
            split_lines += len(starts_of(line) - {0}) > 0
    seconds = time.perf_counter() - started
    print(f"  segmentation ({name}), {len(debates)} CLEF debates, lines joined per speaker turn: "
          f"{found_boundaries}/{true_boundaries} line boundaries found ({found_boundaries / true_boundaries:.1%}), "
          f"{extra} added; {split_lines}/{lines} single lines split ({split_lines / lines:.1%}); {seconds:.2f} s")
    if seed is None:
        return
    rules_starts = {start for start, _end in sentences(seed)}
    whole = ("the U.S. southern border", "the U.S. and Panama", "the U.S. State Department", "Antony J. Blinken",
             "the U.S. will dispatch", "the U.S. to live")
    started = time.perf_counter()
    starts = starts_of(seed)
    seconds = time.perf_counter() - started
    spans = [(start, end) for start, end in zip(sorted(starts), [*sorted(starts)[1:], len(seed)])]
    kept = sum(any(phrase in seed[s:e] for s, e in spans) for phrase in whole)
    print(f"  segmentation ({name}), seed article: {len(starts)} sentences, {len(starts & rules_starts)} of them "
          f"where the rules start one; {kept}/{len(whole)} phrases with 'U.S.' or 'J.' inside one sentence; "
          f"{seconds * 1000:.1f} ms")


def _timed(call: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def speed_report(model: ClaimModel, quick: bool) -> None:
    seed = SEED.read_text(encoding="utf-8")
    rules, learned = ClaimsSuggester(), ClaimsSuggester(model=model)
    words = len(seed.split())
    for name, suggester in (("rules", rules), ("rules + classifier", learned)):
        seconds = _timed(lambda s=suggester: list(s.suggest(seed)), repeat=20)
        print(f"  speed, seed article ({words} words), {name}: {seconds * 1000:.1f} ms "
              f"({seconds * 1000 / words * 1000:.1f} ms per 1,000 words)")
    if quick:
        return
    book = WAR_AND_PEACE.read_text(encoding="utf-8")
    words = len(book.split())
    for name, suggester in (("rules", rules), ("rules + classifier", learned)):
        seconds = _timed(lambda s=suggester: list(s.suggest(book)))
        print(f"  speed, War and Peace ({words:,} words), {name}: {seconds:.2f} s "
              f"({seconds * 1000 / words * 1000:.1f} ms per 1,000 words)")


def run(quick: bool) -> None:
    print("\n[claims] CLEF CheckThat 2019 task 1: trained on training/, every sentence of test_annotated/ ranked")
    train, test = read_debates("training"), read_debates("test_annotated")
    started = time.perf_counter()
    examples: list[list[str]] = []
    labels: list[int] = []
    for debate in train:
        _rule, words = line_features(debate)
        examples += words
        labels += [label for _s, _t, label in debate[1]]
    model = fit(examples, labels)
    print(f"  classifier trained on {len(examples):,} sentences ({sum(labels)} claims) in "
          f"{time.perf_counter() - started:.1f} s; {len(model.vocabulary):,} terms")
    methods = ("baseline: has a number", "rules", "classifier", "rules + classifier")
    pooled: dict[str, list[float]] = {name: [] for name in methods}
    pooled_labels: list[int] = []
    per_debate: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    rows: list[list[object]] = []
    for name, debate in test:
        gold = [label for _s, _t, label in debate]
        rule, words = line_features((name, debate))
        probability = [model.probability(w) if w else 0.0 for w in words]
        ranked = {
            methods[0]: [float(len(_DIGITS.findall(text))) for _s, text, _l in debate],
            methods[1]: rule,
            methods[2]: probability,
            methods[3]: [combine(r, p) if w else 0.0 for r, p, w in zip(rule, probability, words)],
        }
        row: list[object] = [name, f"{sum(gold)}/{len(gold)}"]
        for method, scores in ranked.items():
            ap, p10 = average_precision(scores, gold), precision_at(scores, gold)
            per_debate[method].append((ap, p10))
            pooled[method] += scores
            row.append(f"{ap:.3f} / {p10:.1f}")
        pooled_labels += gold
        rows.append(row)
    rows.append(["mean over debates", f"{len(pooled_labels)} sentences", *(
        f"{sum(a for a, _ in per_debate[m]) / len(test):.3f} / {sum(p for _, p in per_debate[m]) / len(test):.2f}"
        for m in methods)])
    rows.append(["all test sentences pooled", f"{sum(pooled_labels)}/{len(pooled_labels)}", *(
        f"{average_precision(pooled[m], pooled_labels):.3f} / {precision_at(pooled[m], pooled_labels):.1f}"
        for m in methods)])
    print_table("claims on CLEF CheckThat 2019 test debates: average precision / P@10",
                ["debate", "claims", *methods], rows,
                note="  ties keep the debate's order; 'mean over debates' is MAP / mean P@10")
    segmentation_report(train + test, SEED.read_text(encoding="utf-8"), quick)
    speed_report(model, quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip War and Peace")
    run(parser.parse_args().quick)
