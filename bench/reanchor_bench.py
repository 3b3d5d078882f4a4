"""Re-anchoring bench: margin.store.reanchor against a baseline
"exact quote search, first occurrence", on real texts with realistic edits.

Texts: the seed article, 20 BBC articles and War and Peace (10,000 spans). Edits: a corrected
figure, an inserted paragraph, a deleted sentence, moved paragraphs, a changed quote, and
typography/whitespace (straight <-> curly quotes, double spaces after full stops); each kind on
its own and all together. Spans are random word-aligned runs of 1-5 words. The edits track where
every old character went, so each span is known to survive (its characters copied contiguously)
or not.

Figures per method:
- exact: placed, unchanged, at the place its text went (or, for a span whose text did not
  survive, never: that is wrong);
- changed: placed with changed=True (near: within a few characters of where its neighbours went);
- orphan (ok: its text did not survive; missed: it did);
- wrong: placed with changed=False where the new text differs from the quote, or on a span whose
  text did not survive, or elsewhere than where the text went.

Run: ``python bench/reanchor_bench.py`` (``--seed N`` for other random edits).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from margin.store.annotations import context
from margin.store.reanchor import Anchor, Placed, reanchor

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
Segment = tuple[int, int] | str


class Doc:
    """A text being edited, with the original offset of each character (-1 for new ones)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.origin = list(range(len(text)))

    def apply(self, segments: list[Segment]) -> None:
        parts: list[str] = []
        origin: list[int] = []
        for seg in segments:
            if isinstance(seg, str):
                parts.append(seg)
                origin.extend([-1] * len(seg))
            else:
                a, b = seg
                parts.append(self.text[a:b])
                origin.extend(self.origin[a:b])
        self.text = "".join(parts)
        self.origin = origin

    def replace(self, a: int, b: int, new: str) -> None:
        self.apply([(0, a), new, (b, len(self.text))])

    def where(self, n: int) -> list[int]:
        inv = [-1] * n
        for j, o in enumerate(self.origin):
            if o >= 0:
                inv[o] = j
        return inv


def paragraph_sep(text: str) -> str:
    return "\n\n" if text.count("\n\n") > 3 else "\n"


def paragraphs(text: str) -> list[tuple[int, int]]:
    sep = paragraph_sep(text)
    out, pos = [], 0
    for m in re.finditer(re.escape(sep) + "+", text):
        if m.start() > pos:
            out.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def corrected_figure(doc: Doc, rng: random.Random) -> None:
    nums = list(re.finditer(r"\d[\d,.]*\d|\d", doc.text))
    if not nums:
        return
    m = rng.choice(nums)
    digits = [i for i in range(m.start(), m.end()) if doc.text[i].isdigit()]
    i = rng.choice(digits)
    doc.replace(i, i + 1, str((int(doc.text[i]) + rng.randint(1, 9)) % 10))


def inserted_paragraph(doc: Doc, rng: random.Random) -> None:
    words = re.findall(r"\w+", doc.text)
    para = " ".join(rng.choice(words) for _ in range(rng.randint(15, 60))).capitalize() + "."
    at = rng.choice(paragraphs(doc.text))[0]
    doc.replace(at, at, para + paragraph_sep(doc.text))


def deleted_sentence(doc: Doc, rng: random.Random) -> None:
    sentences = [m for m in re.finditer(r"[A-Z][^.!?\n]{20,}[.!?]\s?", doc.text)]
    if sentences:
        m = rng.choice(sentences)
        doc.replace(m.start(), m.end(), "")


def moved_paragraphs(doc: Doc, rng: random.Random) -> None:
    paras = paragraphs(doc.text)
    if len(paras) < 3:
        return
    i = rng.randrange(len(paras) - 1)
    a, b = paras[i][0], paras[i + 1][1]  # two paragraphs move together
    rest = [p for p in paras if p[1] <= a or p[0] >= b]
    c = rng.choice(rest)[0] if rest else 0
    if c < a:
        doc.apply([(0, c), (a, b), (c, a), (b, len(doc.text))])
    else:
        doc.apply([(0, a), (b, c), (a, b), (c, len(doc.text))])


def changed_quote(doc: Doc, rng: random.Random) -> None:
    quotes = list(re.finditer(r'["\u201c][^"\u201c\u201d\n]{10,300}["\u201d]', doc.text))
    if not quotes:
        return
    m = rng.choice(quotes)
    words = list(re.finditer(r"\w{3,}", doc.text[m.start() : m.end()]))
    if words:
        w = rng.choice(words)
        doc.replace(m.start() + w.start(), m.start() + w.end(), w.group()[::-1].lower())


def typography(doc: Doc, rng: random.Random) -> None:
    text = doc.text
    segments: list[Segment] = []
    pos = 0
    straight = text.count('"') >= text.count("\u201c")
    opening = True
    for m in re.finditer(r'"|\u201c|\u201d|\. (?=[A-Z])', text):
        segments.append((pos, m.start()))
        g = m.group()
        if g == ". " and rng.random() < 0.5:
            segments += [(m.start(), m.start() + 1), "  "]  # the full stop is still the old one
        elif straight and g == '"':
            segments.append("\u201c" if opening else "\u201d")
            opening = not opening
        elif not straight and g in "\u201c\u201d":
            segments.append('"')
        else:  # left as it was: the characters are the old ones
            segments.append((m.start(), m.end()))
        pos = m.end()
    segments.append((pos, len(text)))
    doc.apply(segments)


KINDS: dict[str, Callable[[Doc, random.Random], None]] = {
    "corrected figure": corrected_figure,
    "inserted paragraph": inserted_paragraph,
    "deleted sentence": deleted_sentence,
    "moved paragraphs": moved_paragraphs,
    "changed quote": changed_quote,
    "typography": typography,
}


def random_spans(text: str, count: int, rng: random.Random) -> list[Anchor]:
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+(?:['\u2019.,-]\w+)*", text)]
    spans = []
    for k in range(count):
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.randint(0, 4))
        s, e = words[i][0], words[j][1]
        quote, prefix, suffix = context(text, s, e)
        spans.append(Anchor(f"s{k}", s, e, quote, prefix, suffix))
    return spans


def baseline(new: str, spans: list[Anchor]) -> dict[str, Placed | None]:
    out: dict[str, Placed | None] = {}
    for s in spans:
        i = new.find(s.quote)
        out[s.id] = Placed(s.id, i, i + len(s.quote), "quote", 1.0, False) if i >= 0 else None
    return out


def score(old: str, new: str, where: list[int], spans: list[Anchor], got: dict, tally: Counter) -> None:
    for s in spans:
        target = where[s.start]
        survived = target >= 0 and all(where[i] == target + i - s.start for i in range(s.start, s.end))
        tally["spans"] += 1
        tally["survived"] += survived
        p = got.get(s.id)
        if not isinstance(p, Placed):
            tally["orphan missed" if survived else "orphan ok"] += 1
        elif p.changed:
            before = next((where[i] for i in range(s.start - 1, max(-1, s.start - 200), -1) if where[i] >= 0), -1)
            near = before >= 0 and abs(p.start - (before + 1)) <= 8
            tally["changed near" if near else "changed elsewhere"] += 1
        elif new[p.start : p.end] == s.quote and survived and p.start == target:
            tally["exact"] += 1
        else:
            tally["wrong"] += 1


def load_texts() -> list[tuple[str, list[str], int]]:
    seed = (CORPUS / "seed" / "darien-gap-article.txt").read_text(encoding="utf-8")
    bbc_dir = CORPUS / "bbc-news"
    bbc = []
    for cat in sorted(p for p in bbc_dir.iterdir() if p.is_dir()):
        bbc += [f.read_text(encoding="utf-8", errors="replace") for f in sorted(cat.glob("*.txt"))[:4]]
    wp = (CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    return [("seed article", [seed], 300), ("BBC (20 articles)", bbc[:20], 100), ("War and Peace", [wp], 10_000)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = load_texts()
    wrong_total = 0
    print(f"{'corpus':18} {'edit':20} {'method':9} {'spans':>6} {'surv%':>6} {'exact%':>7} {'chg%':>6} {'chg-far':>7} {'orph%':>6} {'missed':>6} {'wrong':>6} {'time s':>7}")
    for name, docs, per_doc in texts:
        for kind in [*KINDS, "all together"]:
            tallies: dict[str, Counter] = {"reanchor": Counter(), "baseline": Counter()}
            times = {"reanchor": 0.0, "baseline": 0.0}
            for text in docs:
                doc = Doc(text)
                repeats = 10 if len(text) > 100_000 else 1
                for fn in KINDS.values() if kind == "all together" else [KINDS[kind]]:
                    for _ in range(1 if fn is typography else repeats):
                        fn(doc, rng)
                where = doc.where(len(text))
                spans = random_spans(text, per_doc, rng)
                t0 = time.perf_counter()
                result = reanchor(text, doc.text, spans)
                times["reanchor"] += time.perf_counter() - t0
                t0 = time.perf_counter()
                base = baseline(doc.text, spans)
                times["baseline"] += time.perf_counter() - t0
                score(text, doc.text, where, spans, result.by_id(), tallies["reanchor"])
                score(text, doc.text, where, spans, base, tallies["baseline"])
            for method, t in tallies.items():
                n = t["spans"]
                pct = lambda k, t=t, n=n: 100.0 * t[k] / n  # noqa: E731
                changed = t["changed near"] + t["changed elsewhere"]
                orphans = t["orphan ok"] + t["orphan missed"]
                print(
                    f"{name:18} {kind:20} {method:9} {n:6d} {pct('survived'):6.1f} {pct('exact'):7.2f} {100.0 * changed / n:6.2f} "
                    f"{t['changed elsewhere']:7d} {100.0 * orphans / n:6.2f} {t['orphan missed']:6d} {t['wrong']:6d} {times[method]:7.3f}"
                )
                if method == "reanchor":
                    wrong_total += t["wrong"]
    print(f"\nreanchor placed wrongly: {wrong_total} span(s)")
    return 1 if wrong_total else 0


if __name__ == "__main__":
    sys.exit(main())
