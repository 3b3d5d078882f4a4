"""The people suggester on news labelled by hand, against "every capitalised bigram".

Gold: tests/data/people/gold.tsv, every mention of a named person (names without
titles) in the seed article and 14 BBC News articles (see its README). Rows, all
measured in this run on the same texts, with no names known in advance (an empty
database: what a new user gets):

- ``every capitalised bigram`` (the baseline): two capitalised words in a row;
- ``people`` as margin ships it: titles from nameparser, roles, speech verbs,
  surnames, and the low-scored guess for two or three capitalised words;
- ``people, no guess``: without that guess (evidence only);
- ``people, own titles (no nameparser)``: the short title list alone, to show what
  nameparser's list adds.

Also reported, with no target: the ``PERSON`` spans of the prodigy-recipes NYT
headlines (``ner_manual``, accepted records) and the CoNLL-2002 ``PER`` spans in
brat (Spanish and Dutch news: rules for English titles and verbs reach less there),
and the time over War and Peace and the seed article.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from suggest_bench_table import figure, print_table

from margin.store.suggest import people_words
from margin.store.suggest.people_find import PeopleFinder
from margin.store.suggest.scoring import score

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
GOLD = ROOT / "tests" / "data" / "people" / "gold.tsv"
HEADLINES = CORPUS / "prodigy-recipes" / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
CONLL = CORPUS / "brat" / "corpora" / "CoNLL-ST_2002"
WAR_AND_PEACE = CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt"
SEED = CORPUS / "seed" / "darien-gap-article.txt"
BIGRAM = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")
Span = tuple[str, int, int, str]
Finder = Callable[[str], Iterable[tuple[int, int]]]


def load_gold(path: Path = GOLD) -> tuple[dict[str, str], set[Span]]:
    """The texts the gold file names (paths under the corpus) and its spans."""
    texts: dict[str, str] = {}
    gold: set[Span] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc, start, end, quote = line.split("\t")
        if doc not in texts:
            texts[doc] = (CORPUS / doc).read_text(encoding="utf-8")
        if texts[doc][int(start):int(end)] != quote:
            raise ValueError(f"{path}: {doc} {start}-{end} reads {texts[doc][int(start):int(end)]!r}, not {quote!r}")
        gold.add((doc, int(start), int(end), "person"))
    for doc in _documents_without_people(path):
        texts.setdefault(doc, (CORPUS / doc).read_text(encoding="utf-8"))
    return texts, gold


def _documents_without_people(path: Path) -> list[str]:
    """Documents labelled and found to name no one, listed in the README's table."""
    readme = path.with_name("README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([^`]+)` \| 0 \|", readme, flags=re.M)


def load_headlines() -> tuple[dict[str, str], set[Span]]:
    texts: dict[str, str] = {}
    gold: set[Span] = set()
    for number, line in enumerate(HEADLINES.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        if record.get("answer") != "accept":
            continue
        key = f"headline-{number}"
        texts[key] = record["text"]
        for span in record.get("spans") or []:
            if span["label"] == "PERSON":
                gold.add((key, span["start"], span["end"], "person"))
    return texts, gold


def load_conll() -> tuple[dict[str, str], set[Span]]:
    texts: dict[str, str] = {}
    gold: set[Span] = set()
    for ann in sorted(CONLL.glob("*/*.ann")):
        key = f"{ann.parent.name}/{ann.stem}"
        texts[key] = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0].startswith("T"):
                kind, start, end = parts[1].split()[:3]
                if kind == "PER":
                    gold.add((key, int(start), int(end), "person"))
    return texts, gold


def people_finder(**options: object) -> Finder:
    finder = PeopleFinder(**options)  # type: ignore[arg-type]
    return lambda text: ((found.start, found.end) for found in finder.find(text))


def bigram_finder(text: str) -> Iterable[tuple[int, int]]:
    return (match.span() for match in BIGRAM.finditer(text))


def variants() -> list[tuple[str, Finder]]:
    own = people_words.own_titles()
    return [
        ("every capitalised bigram (baseline)", bigram_finder),
        ("people", people_finder()),
        ("people, no guess (evidence only)", people_finder(guess=False)),
        ("people, own titles (no nameparser)", people_finder(titles=own, evidence=own - people_words.NOT_TITLES)),
    ]


def measure(finder: Finder, texts: dict[str, str], gold: set[Span]) -> tuple[list[object], set[Span]]:
    started = time.perf_counter()
    predicted = {(doc, start, end, "person") for doc, text in texts.items() for start, end in finder(text)}
    seconds = time.perf_counter() - started
    row = score(gold, predicted).get("person")
    if row is None:
        return [len(predicted), *["–"] * 6, f"{seconds * 1000:.1f}"], predicted
    return [len(predicted), figure(row.exact.precision), figure(row.exact.recall), figure(row.exact.f1),
            figure(row.overlap.precision), figure(row.overlap.recall), figure(row.overlap.f1),
            f"{seconds * 1000:.1f}"], predicted


COLUMNS = ["", "predicted", "P exact", "R exact", "F1 exact", "P overlap", "R overlap", "F1 overlap", "ms"]


def _table(title: str, texts: dict[str, str], gold: set[Span], note: str = "") -> set[Span]:
    rows = []
    shipped: set[Span] = set()
    for name, finder in variants():
        row, predicted = measure(finder, texts, gold)
        if name == "people":
            shipped = predicted
        rows.append([name, *row])
    print_table(title, COLUMNS, rows, note=note)
    return shipped


def run(quick: bool) -> None:
    texts, gold = load_gold()
    shipped = _table(f"people on hand-labelled news ({len(gold)} gold spans, {len(texts)} articles: seed + BBC)",
                     texts, gold, note="target: overlap F1 >= 0.75 (people row)")
    _examples(texts, gold, shipped)
    if HEADLINES.is_file():
        h_texts, h_gold = load_headlines()
        _table(f"people on prodigy-recipes NYT headlines, PERSON ({len(h_gold)} spans, {len(h_texts)} accepted records)",
               h_texts, h_gold, note="no target: headlines are short and capitalised throughout")
    if CONLL.is_dir():
        c_texts, c_gold = load_conll()
        _table(f"people on CoNLL-2002 PER in brat ({len(c_gold)} spans, {len(c_texts)} Spanish and Dutch documents)",
               c_texts, c_gold, note="no target: English titles and speech verbs, other languages")
    _speed(quick)


def _speed(quick: bool) -> None:
    rows = []
    finder = PeopleFinder()
    for name, path, repeats in (("seed article", SEED, 20), ("War and Peace", WAR_AND_PEACE, 1 if quick else 3)):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            found = finder.find(text)
            timings.append(time.perf_counter() - started)
        best = min(timings)
        base_started = time.perf_counter()
        sum(1 for _ in BIGRAM.finditer(text))
        base = time.perf_counter() - base_started
        words = len(text.split())
        rows.append([name, f"{words:,}", len(found), f"{best * 1000:.1f}", f"{best * 1e6 / words:.2f}",
                     f"{base * 1000:.1f}"])
    print_table("people: time (best of repeats)", ["", "words", "found", "ms", "ms/1k words", "bigram regex ms"], rows,
                note="targets: War and Peace well under 3 s, the seed article under 15 ms")


def _examples(texts: dict[str, str], gold: set[Span], predicted: set[Span], count: int = 10) -> None:
    def overlaps(span: Span, others: set[Span]) -> bool:
        return any(o[0] == span[0] and o[1] < span[2] and span[1] < o[2] for o in others)

    missed = sorted(g for g in gold if not overlaps(g, predicted))
    extra = sorted(p for p in predicted if not overlaps(p, gold))
    rows = [["missed", d, texts[d][s:e]] for d, s, e, _ in missed[:count]]
    rows += [["not in gold", d, texts[d][s:e]] for d, s, e, _ in extra[:count]]
    print_table(f"people: {len(missed)} gold spans missed, {len(extra)} suggestions not in gold (first {count} each)",
                ["", "document", "text"], rows)
