"""Re-anchor spans from an old text onto a revised one (a corrected or updated article).

A pure function: no database, no UI. Each span is an :class:`Anchor` as margin stores it
(position, ``quote`` and up to 32 characters of ``prefix``/``suffix``). The attempts, in order:

1. **diff** - the span is mapped through a diff of the two texts: identical lines are matched
   first (fast path for long texts), then words/punctuation/whitespace tokens inside the
   changed regions (``difflib.SequenceMatcher``, autojunk off). Placed only when the mapped
   text equals the quote.
2. **quote** - every exact occurrence of the quote in the new text, ranked by how much of the
   old prefix and suffix it keeps, then by nearness to the diff-mapped position. A tie with
   nothing to tell the candidates apart is an orphan, never a guess; so is an occurrence
   without context evidence.
3. **fuzzy** - the quote itself changed (a corrected figure): near the mapped position, a window
   bounded by the old prefix and suffix (both matching strongly) whose text is similar to the
   quote (ratio >= 0.75, length 0.5x-1.5x). Placed with ``changed=True`` and confidence < 1.
4. otherwise an :class:`Orphan` with the reason.

A placed span either reads exactly the old quote, or is marked ``changed``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

Method = Literal["diff", "quote", "fuzzy"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# Below this many characters the two texts are diffed by tokens directly.
_LINE_FAST_PATH = 20_000
# The fuzzy search looks this far either side of the mapped position.
_FUZZY_RADIUS = 4_000
# The exact-quote search looks this far either side of the mapped position before the whole text.
_QUOTE_RADIUS = 20_000
_FUZZY_RATIO = 0.75
_CONTEXT_STRONG = 0.8
# Context characters an exact occurrence must keep (or all of the context, if shorter).
_MIN_EVIDENCE = 8
# ... and on each side, unless the quote meets a line break there.
_SIDE_EVIDENCE = 8
# An exact occurrence elsewhere keeps this many characters of context in all (half of 32 + 32).
_QUOTE_EVIDENCE = 32


@dataclass(frozen=True)
class Anchor:
    id: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Placed:
    id: str
    start: int
    end: int
    method: Method
    confidence: float
    changed: bool


@dataclass(frozen=True)
class Orphan:
    id: str
    reason: str


@dataclass
class Result:
    placed: list[Placed] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)

    def by_id(self) -> dict[str, Placed | Orphan]:
        out: dict[str, Placed | Orphan] = {p.id: p for p in self.placed}
        out.update({o.id: o for o in self.orphans})
        return out


class _CharMap:
    """Matched character blocks (old start, new start, length), sorted by old start."""

    def __init__(self, blocks: list[tuple[int, int, int]]) -> None:
        blocks.sort()
        self.blocks = blocks
        self.starts = [b[0] for b in blocks]

    def exact(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0:
            a, b, n = self.blocks[i]
            if pos < a + n:
                return b + pos - a
        return None

    def approx(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i < 0:
            return 0
        a, b, n = self.blocks[i]
        return b + min(pos - a, n)


def _token_blocks(old: str, new: str, old_off: int, new_off: int, out: list[tuple[int, int, int]]) -> None:
    ot = [(m.start(), m.group()) for m in _TOKEN.finditer(old)]
    nt = [(m.start(), m.group()) for m in _TOKEN.finditer(new)]
    if not ot or not nt:
        return
    if len(ot) == len(nt) and 5 * sum(x == y for (_, x), (_, y) in zip(ot, nt)) >= 4 * len(ot):
        # Same number of tokens (typography, a corrected figure): align them one to one.
        run = -1
        for k, ((a, x), (b, y)) in enumerate(zip(ot, nt)):
            if x == y and a - ot[run if run >= 0 else k][0] == b - nt[run if run >= 0 else k][0]:
                if run < 0:
                    run = k
                continue
            if run >= 0:
                out.append((old_off + ot[run][0], new_off + nt[run][0], a - ot[run][0]))
            run = k if x == y else -1
        if run >= 0:
            out.append((old_off + ot[run][0], new_off + nt[run][0], len(old) - ot[run][0]))
        return
    sm = SequenceMatcher(None, [t for _, t in ot], [t for _, t in nt], autojunk=False)
    for i, j, n in sm.get_matching_blocks():
        if n == 0:
            continue
        a = ot[i][0]
        b = nt[j][0]
        last_old = ot[i + n - 1]
        out.append((old_off + a, new_off + b, last_old[0] + len(last_old[1]) - a))


def _diff_map(old: str, new: str) -> _CharMap:
    blocks: list[tuple[int, int, int]] = []
    if len(old) + len(new) <= 2 * _LINE_FAST_PATH:
        _token_blocks(old, new, 0, 0, blocks)
        return _CharMap(blocks)
    ol = old.splitlines(keepends=True)
    nl = new.splitlines(keepends=True)
    opos = [0]
    for line in ol:
        opos.append(opos[-1] + len(line))
    npos = [0]
    for line in nl:
        npos.append(npos[-1] + len(line))
    sm = SequenceMatcher(None, ol, nl, autojunk=True)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            blocks.append((opos[i1], npos[j1], opos[i2] - opos[i1]))
        elif tag == "replace":
            _token_blocks(old[opos[i1] : opos[i2]], new[npos[j1] : npos[j2]], opos[i1], npos[j1], blocks)
    return _CharMap(blocks)


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _evidence(new: str, span: Anchor, at: int) -> int:
    """How many characters of the old prefix and suffix an occurrence at ``at`` keeps."""
    lp, ls = len(span.prefix), len(span.suffix)
    end = at + len(span.quote)
    return _common_suffix(span.prefix, new[max(0, at - lp) : at]) + _common_prefix(span.suffix, new[end : end + ls])


def _keeps_context(new: str, span: Anchor, at: int) -> bool:
    """A diff match of a few tokens can fall on the same word in unrelated text: ask for context,
    kept exactly next to the quote or, with typography changed around it, similar."""
    lp, ls = len(span.prefix), len(span.suffix)
    if _evidence(new, span, at) >= min(_MIN_EVIDENCE, lp + ls):
        return True
    end = at + len(span.quote)
    around = new[max(0, at - lp) : at] + new[end : end + ls]
    return _ratio(span.prefix + span.suffix, around) >= _CONTEXT_STRONG


def _occurrences(new: str, span: Anchor, lo: int, hi: int, avoid: tuple[int, int] | None) -> list[int]:
    """Starts of the quote in new[lo:hi] that can keep enough context to count.

    An occurrence keeps enough context only if it keeps the last characters of the prefix or
    the first of the suffix (up to 4): look only for those, not for every occurrence."""
    q = span.quote
    lp, ls = len(span.prefix), len(span.suffix)
    kp, ks = min(lp, 4), min(ls, 4)
    found: set[int] = set()
    needles = [(span.prefix[lp - kp :] + q, kp), (q + span.suffix[:ks], 0)] if kp and ks else [(q, 0)]
    for needle, shift in needles:
        i = new.find(needle, lo, hi)
        while i >= 0:
            found.add(i + shift)
            i = new.find(needle, i + 1, hi)
    if avoid is not None:
        a, b = avoid
        found = {h for h in found if h >= b or h + len(q) <= a}
    return sorted(found)


def _side_ok(context: str, kept: int, edge: bool, now: str) -> bool:
    """Enough of one side of the context (read outwards from the quote) is kept: 8 characters,
    or all of it, or up to and across a line break (a paragraph that moved), or up to a line break
    where the new text ends (``edge``: a paragraph moved to the start or the end), or the side as
    it reads ``now`` is close to the old one (typography changed next to the quote)."""
    if kept >= min(len(context), _SIDE_EVIDENCE):
        return True
    if 0 <= context.find("\n") < kept or (edge and context[kept : kept + 1] == "\n"):
        return True
    return _ratio(context, now) >= _CONTEXT_STRONG


def _by_quote(
    new: str, span: Anchor, expected: int, chars: frozenset[str], avoid: tuple[int, int] | None
) -> Placed | Orphan | None:
    """Exact occurrences of the quote; None when there is none at all.

    ``avoid`` is where the diff put the span when its text there changed (an edit inside it): an
    occurrence overlapping that range is made of the edit, not of the old text."""
    q = span.quote
    if not chars.issuperset(q):  # a character of the quote is gone from the text (typography)
        return None
    lp, ls = len(span.prefix), len(span.suffix)
    if len(new) > 2 * _QUOTE_RADIUS:
        # Near the mapped position first: one occurrence there with all of its context wins,
        # as it would over any farther one; otherwise the whole text is searched.
        lo, hi = max(0, expected - _QUOTE_RADIUS), expected + _QUOTE_RADIUS
        near = [h for h in _occurrences(new, span, lo, hi, avoid) if _evidence(new, span, h) == lp + ls]
        if len(near) == 1:
            return Placed(span.id, near[0], near[0] + len(q), "quote", 0.99, False)
    if q not in new:
        return None
    hits = _occurrences(new, span, 0, len(new), avoid)
    if not hits:
        return Orphan(span.id, "quote found, but nowhere with its context")
    scored = []
    for h in hits:
        pm = _common_suffix(span.prefix, new[max(0, h - lp) : h])
        sm = _common_prefix(span.suffix, new[h + len(q) : h + len(q) + ls])
        before, after = new[max(0, h - lp) : h], new[h + len(q) : h + len(q) + ls]
        ok = _side_ok(span.prefix[::-1], pm, h - pm == 0, before[::-1]) and _side_ok(span.suffix, sm, h + len(q) + sm == len(new), after)
        if ok and pm + sm >= min(_QUOTE_EVIDENCE, lp + ls):
            scored.append((pm + sm, -abs(h - expected), h, pm, sm))
    if not scored or (lp + ls == 0 and len(hits) > 1):
        return Orphan(span.id, "quote found, but nowhere with its context")
    scored.sort(reverse=True)
    score, neg_dist, h, pm, sm = scored[0]
    if len(scored) > 1 and scored[1][0] == score:
        reach = len(q) + 64
        if not (-neg_dist <= reach < -scored[1][1]):
            return Orphan(span.id, f"ambiguous: {sum(1 for s in scored if s[0] == score)} occurrences with the same context")
    full = lp + ls
    confidence = 0.99 if score == full else round(0.6 + 0.39 * score / full, 3)
    return Placed(span.id, h, h + len(q), "quote", confidence, False)


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _fuzzy(new: str, span: Anchor, expected: int) -> Placed | None:
    q, pre, suf = span.quote, span.prefix, span.suffix
    lq = len(q)
    lo = max(0, expected - _FUZZY_RADIUS)
    hi = min(len(new), expected + _FUZZY_RADIUS + lq)
    # Candidate starts: where the tail of the old prefix ends (or the text start, with no prefix).
    tail = pre[-12:]
    starts: list[int] = []
    if not tail:
        starts = [0]
    else:
        i = new.find(tail, lo, hi)
        while i >= 0:
            starts.append(i + len(tail))
            i = new.find(tail, i + 1, hi)
    head = suf[:12]
    min_len, max_len = max(1, lq // 2), (3 * lq + 1) // 2
    best: list[tuple[float, int, int]] = []
    for s in starts:
        if _ratio(pre, new[max(0, s - len(pre)) : s]) < _CONTEXT_STRONG:
            continue
        if not head:
            ends = [len(new)]
        else:
            ends = []
            j = new.find(head, s + min_len, s + max_len + len(head))
            while j >= 0:
                ends.append(j)
                j = new.find(head, j + 1, s + max_len + len(head))
        for e in ends:
            if not min_len <= e - s <= max_len:
                continue
            if _ratio(suf, new[e : e + len(suf)]) < _CONTEXT_STRONG:
                continue
            if new[s:e] == q:  # an exact occurrence: the quote step has judged it already
                continue
            r = _ratio(q, new[s:e])
            if r >= _FUZZY_RATIO:
                best.append((r, s, e))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0] and best[1][1:] != best[0][1:]:
        return None
    r, s, e = best[0]
    confidence = round(min(0.95, r * 0.95), 3)
    return Placed(span.id, s, e, "fuzzy", confidence, True)


def reanchor(old_text: str, new_text: str, spans: Sequence[Anchor]) -> Result:
    """Place each span of ``old_text`` on ``new_text``, or list it as an orphan."""
    result = Result()
    if not spans:
        return result
    cmap = _diff_map(old_text, new_text)
    chars = frozenset(new_text)
    for span in spans:
        if not span.quote or span.end <= span.start:
            result.orphans.append(Orphan(span.id, "empty span"))
            continue
        ns = cmap.exact(span.start)
        ne = cmap.exact(span.end - 1)
        if ns is not None and ne is not None and new_text[ns : ne + 1] == span.quote and _keeps_context(new_text, span, ns):
            result.placed.append(Placed(span.id, ns, ne + 1, "diff", 1.0, False))
            continue
        expected = ns if ns is not None else cmap.approx(span.start)
        avoid = (ns, ne + 1) if ns is not None and ne is not None and ns <= ne else None
        found = _by_quote(new_text, span, expected, chars, avoid)
        if isinstance(found, Placed):
            result.placed.append(found)
            continue
        fuzzy = _fuzzy(new_text, span, expected)
        if fuzzy is not None:
            result.placed.append(fuzzy)
            continue
        if found is not None:
            result.orphans.append(found)
        else:
            result.orphans.append(Orphan(span.id, "quote not found and no close match with its context"))
    return result
