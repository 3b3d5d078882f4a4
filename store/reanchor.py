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
   Else, when the diff kept the characters either side of the span and replaced those between
   with something like the quote (half its characters, or both figures: ``60`` → ``66``), on
   the replacement, likewise ``changed``.
4. **plain typography** - what is still unplaced is tried again on both texts with curly quotes,
   dashes and no-break spaces made plain (one character for one, so offsets hold); a span
   placed so reads different characters and is marked ``changed``.
5. otherwise an :class:`Orphan` with the reason.

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
    offsets: list[int] = field(default_factory=list)
    """The ``offsets`` asked for (reading positions, bookmarks), mapped through the diff."""

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


def _one_to_one(ot: list[tuple[int, str]], nt: list[tuple[int, str]]) -> bool:
    """Whether two token lists of one length differ only by substitutions (typography, a
    corrected figure), so that token k of one is token k of the other. A word deleted here
    and another inserted there also keep the length, but shift every token in between: two
    neighbouring words that differ say so, and the tokens are then diffed."""
    if 5 * sum(x == y for (_, x), (_, y) in zip(ot, nt)) < 4 * len(ot):
        return False
    run = 0
    for (_, x), (_, y) in zip(ot, nt):
        if x.isspace() and y.isspace():
            continue
        run = run + 1 if x != y else 0
        if run == 2:
            return False
    return True


def _token_blocks(old: str, new: str, old_off: int, new_off: int, out: list[tuple[int, int, int]]) -> None:
    ot = [(m.start(), m.group()) for m in _TOKEN.finditer(old)]
    nt = [(m.start(), m.group()) for m in _TOKEN.finditer(new)]
    if not ot or not nt:
        return
    if len(ot) == len(nt) and _one_to_one(ot, nt):
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


_PARAGRAPH_MOVED = 0.97
"""The confidence of an exact quote whose context is kept on each side up to a line break:
a paragraph that moved, not the same words in another sentence."""


def _whole_side(context: str, kept: int, edge: bool) -> bool:
    """One side of the context (read outwards) is kept whole, or up to and across a line
    break, or up to where the new text ends."""
    return kept == len(context) or 0 <= context.find("\n") < kept or edge


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
        if pm + sm < min(_QUOTE_EVIDENCE, lp + ls):
            continue  # too little context kept: not worth the similarity of each side
        before, after = new[max(0, h - lp) : h], new[h + len(q) : h + len(q) + ls]
        if _side_ok(span.prefix[::-1], pm, h - pm == 0, before[::-1]) and _side_ok(
            span.suffix, sm, h + len(q) + sm == len(new), after
        ):
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
    if score < full and _whole_side(span.prefix[::-1], pm, h - pm == 0) and _whole_side(
        span.suffix, sm, h + len(q) + sm == len(new)
    ):
        confidence = _PARAGRAPH_MOVED  # each side kept whole, or up to its line break
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


def _by_diff(new: str, span: Anchor, ns: int | None, ne: int | None) -> int | None:
    """Where the diff puts the span: both ends mapped and the text between them reading the
    quote; or, when a word repeated next to it (``the the``) took one end elsewhere, the
    quote read from the end that was kept. Either way with its context."""
    q = span.quote
    both = ns is not None and ne is not None and ne + 1 - ns == len(q)
    for at, other_side in ((ns, "suffix"), (None if ne is None else ne + 1 - len(q), "prefix")):
        if at is None or at < 0 or new[at : at + len(q)] != q or not _keeps_context(new, span, at):
            continue
        # Read from one end only, the other end's side must be kept too: else the diff
        # may have put the quote's last words on text inserted right after its first ones.
        if both or _kept_beside(new, span, at, other_side):
            return at
    return None


_NEAR = 16
"""How far from a quote read from one end its other side's context may resume: a word
doubled next to it (``the the``), not a paragraph inserted after its first words."""


def _kept_beside(new: str, span: Anchor, at: int, side: str) -> bool:
    """The other side's context is there, or resumes within a few characters."""
    if side == "suffix":
        head = span.suffix[:_SIDE_EVIDENCE]
        end = at + len(span.quote)
        return not head or new.find(head, end, end + _NEAR + len(head)) >= 0
    tail = span.prefix[-_SIDE_EVIDENCE:]
    return not tail or new.rfind(tail, max(0, at - _NEAR - len(tail)), at) >= 0


_REPLACED_RATIO = 0.5
_SHORT_QUOTE = 16
# Context the diff must keep exactly on each side of a replaced span (or all of it, if shorter).
_REPLACED_CONTEXT = 8


def _by_replacement(new: str, span: Anchor, cmap: _CharMap) -> Placed | None:
    """The diff kept the characters on both sides of the span and replaced what was between:
    a corrected figure too short for the fuzzy step (``60`` → ``66``). Placed on the
    replacement, marked changed, only when it is like the old quote (half its characters in
    common, or both figures) and the diff keeps the context on both sides."""
    q = span.quote
    if span.start == 0 or not span.prefix or not span.suffix:
        return None
    before, after = cmap.exact(span.start - 1), cmap.exact(span.end)
    if before is None or after is None or after <= before + 1:
        return None
    start, end = before + 1, after
    now = new[start:end]
    if now == q or ("\n" in now and "\n" not in q) or not 0.5 * len(q) <= len(now) <= 2 * len(q) + 2:
        return None
    tail, head = span.prefix[-_REPLACED_CONTEXT:], span.suffix[:_REPLACED_CONTEXT]
    if new[start - len(tail) : start] != tail or new[end : end + len(head)] != head:
        return None
    ratio = _ratio(q, now)
    figures = any(c.isdigit() for c in q) and any(c.isdigit() for c in now)
    # A short quote (a figure, a name) may change by half; a longer one only as little as the
    # fuzzy step allows, or a rewritten sentence would pass for the old one.
    if ratio < (_REPLACED_RATIO if len(q) <= _SHORT_QUOTE else _FUZZY_RATIO) and not (figures and len(q) <= _SHORT_QUOTE):
        return None
    return Placed(span.id, start, end, "diff", round(0.6 + 0.3 * ratio, 3), True)


_TYPOGRAPHY_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ",
}
"""Typography an editor changes without changing what a text says (curly quotes, dashes,
no-break spaces), one character for one, so that offsets in the plain spelling are
offsets in the original."""
_TYPOGRAPHY_CHARS = re.compile("[" + "".join(_TYPOGRAPHY_MAP) + "]")


def _plain(text: str) -> str:
    """``text`` with its typography made plain (a regular expression finds the few
    characters to replace: ``str.translate`` visits every character of a book)."""
    return _TYPOGRAPHY_CHARS.sub(lambda match: _TYPOGRAPHY_MAP[match.group()], text)


_TYPOGRAPHY_CONFIDENCE = 0.9


def reanchor(old_text: str, new_text: str, spans: Sequence[Anchor], offsets: Sequence[int] = ()) -> Result:
    """Place each span of ``old_text`` on ``new_text``, or list it as an orphan; map each of
    ``offsets`` to the nearest place the diff keeps.

    What cannot be placed is tried once more with both texts' typography made plain
    (straight quotes for curly ones, hyphens for dashes): a sentence whose quotation marks
    an editor curled is then placed, marked ``changed`` since its characters differ."""
    result = Result()
    if not spans and not offsets:
        return result
    # One diff, of the plain spellings (one character for one, so its offsets are the texts'):
    # with quotes curled throughout, the raw texts would differ on nearly every line.
    plain_old, plain_new = _plain(old_text), _plain(new_text)
    cmap = _diff_map(plain_old, plain_new)
    result.offsets = [min(max(0, cmap.approx(offset)), max(0, len(new_text) - 1)) for offset in offsets]
    _place(new_text, spans, cmap, result)
    if result.orphans and (plain_old != old_text or plain_new != new_text):
        _place_plainly(plain_new, new_text, spans, cmap, result)
    return result


def _place_plainly(plain_new: str, new_text: str, spans: Sequence[Anchor], cmap: _CharMap, result: Result) -> None:
    orphaned = {orphan.id for orphan in result.orphans}
    retry = [
        Anchor(span.id, span.start, span.end, _plain(span.quote),
               _plain(span.prefix), _plain(span.suffix))
        for span in spans if span.id in orphaned and span.quote
    ]
    second = Result()
    _place(plain_new, retry, cmap, second)
    quotes = {span.id: span.quote for span in spans}
    placed = {}
    for p in second.placed:
        changed = p.changed or new_text[p.start : p.end] != quotes[p.id]
        confidence = min(p.confidence, _TYPOGRAPHY_CONFIDENCE) if changed else p.confidence
        placed[p.id] = Placed(p.id, p.start, p.end, p.method, confidence, changed)
    result.placed.extend(placed.values())
    result.orphans = [orphan for orphan in result.orphans if orphan.id not in placed]


def _place(new_text: str, spans: Sequence[Anchor], cmap: _CharMap, result: Result) -> None:
    chars = frozenset(new_text)
    for span in spans:
        if not span.quote or span.end <= span.start:
            result.orphans.append(Orphan(span.id, "empty span"))
            continue
        ns = cmap.exact(span.start)
        ne = cmap.exact(span.end - 1)
        at = _by_diff(new_text, span, ns, ne)
        if at is not None:
            result.placed.append(Placed(span.id, at, at + len(span.quote), "diff", 1.0, False))
            continue
        expected = ns if ns is not None else cmap.approx(span.start)
        avoid = (ns, ne + 1) if ns is not None and ne is not None and ns <= ne else None
        found = _by_quote(new_text, span, expected, chars, avoid)
        if isinstance(found, Placed):
            result.placed.append(found)
            continue
        fuzzy = _fuzzy(new_text, span, expected) or _by_replacement(new_text, span, cmap)
        if fuzzy is not None:
            result.placed.append(fuzzy)
            continue
        if found is not None:
            result.orphans.append(found)
        else:
            result.orphans.append(Orphan(span.id, "quote not found and no close match with its context"))
