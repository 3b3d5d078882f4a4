"""Re-anchoring spans onto a revised text: realistic edits of the seed
article with exact expectations, and a hypothesis property over random edits."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.store.annotations import context
from margin.store.reanchor import Anchor, Orphan, Placed, reanchor

Segment = tuple[int, int] | str


def anchor(text: str, start: int, end: int, id: str | None = None) -> Anchor:
    quote, prefix, suffix = context(text, start, end)
    return Anchor(id or f"{start}-{end}", start, end, quote, prefix, suffix)


def phrase(text: str, words: str, id: str | None = None, nth: int = 0) -> Anchor:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return anchor(text, start, start + len(words), id or words)


def build(old: str, segments: list[Segment]) -> tuple[str, dict[int, int]]:
    """The new text from pieces of the old one and new strings, and where each old character went."""
    out: list[str] = []
    where: dict[int, int] = {}
    pos = 0
    for seg in segments:
        if isinstance(seg, str):
            out.append(seg)
            pos += len(seg)
        else:
            a, b = seg
            for i in range(a, b):
                where[i] = pos + i - a
            out.append(old[a:b])
            pos += b - a
    return "".join(out), where


def survives(where: dict[int, int], start: int, end: int) -> int | None:
    """The new start of a span whose characters were all copied, contiguously; else None."""
    if start not in where:
        return None
    s = where[start]
    if all(where.get(i) == s + i - start for i in range(start, end)):
        return s
    return None


def word_spans(text: str, every: int = 3) -> list[Anchor]:
    words = list(re.finditer(r"\w[\w'.,-]*\w|\w", text))
    return [anchor(text, m.start(), m.end()) for m in words[::every]]


def placed(result, id: str) -> Placed:
    got = result.by_id()[id]
    assert isinstance(got, Placed), got
    return got


def check_exact(old: str, new: str, where: dict[int, int], spans: list[Anchor], result) -> None:
    """Every span whose text survives is placed where it went, reading its quote."""
    got = result.by_id()
    for span in spans:
        target = survives(where, span.start, span.end)
        if target is None:
            continue
        p = got[span.id]
        assert isinstance(p, Placed), (span, p)
        assert (p.start, p.end, p.changed) == (target, target + len(span.quote), False), (span, p)
        assert new[p.start : p.end] == span.quote


def lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, pos + len(line)))
        pos += len(line)
    return out


def test_unchanged_text_places_every_span_by_diff(seed_text: str) -> None:
    spans = word_spans(seed_text, 1)
    result = reanchor(seed_text, seed_text, spans)
    assert not result.orphans
    assert all(p.method == "diff" and p.confidence == 1.0 for p in result.placed)
    assert [(p.start, p.end) for p in result.placed] == [(s.start, s.end) for s in spans]


def test_inserted_paragraph(seed_text: str) -> None:
    para = lines(seed_text)
    cut = para[3][0]
    insert = "Officials said the first flights would leave within weeks, according to a spokesperson.\n"
    new, where = build(seed_text, [(0, cut), insert, (cut, len(seed_text))])
    spans = word_spans(seed_text)
    result = reanchor(seed_text, new, spans)
    assert not result.orphans
    check_exact(seed_text, new, where, spans, result)
    assert {p.method for p in result.placed} == {"diff"}


def test_deleted_sentence_orphans_its_spans_only(seed_text: str) -> None:
    sentence = ' "As the United States continues to secure our borders and remove individuals without a legal basis to remain, we are grateful for our partnership with Panama to manage the historic levels of migration across the Western Hemisphere."'
    a = seed_text.index(sentence)
    new, where = build(seed_text, [(0, a), (a + len(sentence), len(seed_text))])
    inside = [
        phrase(seed_text, "remove individuals without a legal basis"),
        phrase(seed_text, "partnership with Panama"),
        phrase(seed_text, "migration across", "migration"),
    ]
    inside = [Anchor("migration", s.start, s.start + 9, "migration", s.prefix, seed_text[s.start + 9 : s.start + 41]) if s.id == "migration" else s for s in inside]
    others = word_spans(seed_text)
    others = [s for s in others if survives(where, s.start, s.end) is not None]
    result = reanchor(seed_text, new, inside + others)
    assert sorted(o.id for o in result.orphans) == sorted(s.id for s in inside)
    check_exact(seed_text, new, where, others, result)
    assert len(result.placed) == len(others)


def test_moved_paragraphs(seed_text: str) -> None:
    para = lines(seed_text)
    # paragraphs 2 and 3 (0-based) go after paragraph 12, and paragraph 16 goes first
    segments: list[Segment] = [para[16], para[0], para[1], *para[4:13], para[2], para[3], *para[13:16], *para[17:]]
    new, where = build(seed_text, segments)
    assert sorted(new) == sorted(seed_text)
    spans = word_spans(seed_text)
    result = reanchor(seed_text, new, spans)
    check_exact(seed_text, new, where, spans, result)
    moved = {s.id for s in spans if para[2][0] <= s.start < para[3][1]}
    assert {placed(result, i).method for i in moved} <= {"diff", "quote"}
    # the words at the seams of the moved paragraphs are placed too
    assert not result.orphans, result.orphans


def test_corrected_figure_is_placed_as_changed(seed_text: str) -> None:
    figure = phrase(seed_text, "520,000")
    a = figure.start
    new, where = build(seed_text, [(0, a), "530,000", (a + 7, len(seed_text))])
    spans = [figure, *word_spans(seed_text)]
    result = reanchor(seed_text, new, spans)
    p = placed(result, "520,000")
    assert (p.start, p.end, p.method, p.changed) == (a, a + 7, "fuzzy", True)
    assert new[p.start : p.end] == "530,000"
    assert 0.75 <= p.confidence < 1
    check_exact(seed_text, new, where, [s for s in spans if s.id != "520,000"], result)
    for q in result.placed:
        assert q.changed or new[q.start : q.end] == next(s.quote for s in spans if s.id == q.id)


def test_curly_quotes_and_whitespace(seed_text: str) -> None:
    # straight quotes become curly, and sentences get a double space after the full stop
    segments: list[Segment] = []
    pos, opening = 0, True
    for m in re.finditer(r'"|\. (?=[A-Z])', seed_text):
        segments.append((pos, m.start()))
        if m.group() == '"':
            segments.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            segments.append(".  ")
        pos = m.end()
    segments.append((pos, len(seed_text)))
    new, where = build(seed_text, segments)
    quoted = phrase(seed_text, '"unprecedented irregular migration through the Darien region,"', "quoted")
    two_sentences = phrase(seed_text, "in a statement. \"As the United States", "two")
    spaced = phrase(seed_text, "the U.S. State Department announced", "spaced")
    spans = [quoted, two_sentences, spaced, *word_spans(seed_text)]
    result = reanchor(seed_text, new, spans)
    check_exact(seed_text, new, where, spans, result)
    q = placed(result, "quoted")
    assert q.changed and q.method == "fuzzy"
    assert new[q.start : q.end] == "\u201cunprecedented irregular migration through the Darien region,\u201d"
    t = placed(result, "two")
    assert t.changed and new[t.start : t.end] == "in a statement. \u201cAs the United States"
    w = placed(result, "spaced")
    assert w.changed and new[w.start : w.end] == "the U.S.  State Department announced"
    assert not result.orphans
    for p in result.placed:
        assert p.changed or new[p.start : p.end] == next(s.quote for s in spans if s.id == p.id)


def test_repeated_quote_made_ambiguous_is_an_orphan(seed_text: str) -> None:
    para = lines(seed_text)
    copy = (para[6][0], para[6][1])
    segments: list[Segment] = [(0, para[6][0]), (para[6][1], len(seed_text)), "\n", copy, copy]
    new, _ = build(seed_text, segments)
    span = phrase(seed_text, "Doctors Without Borders")
    assert new.count(span.prefix + span.quote + span.suffix) == 2
    result = reanchor(seed_text, new, [span])
    assert not result.placed
    (orphan,) = result.orphans
    assert isinstance(orphan, Orphan) and "ambiguous" in orphan.reason


def test_quote_without_context_is_not_guessed(seed_text: str) -> None:
    # the sentence with "migrants" is rewritten; the word occurs elsewhere with other context
    line = lines(seed_text)[6]
    span = phrase(seed_text, "migrants attempting")
    span = Anchor("m", span.start, span.start + 8, "migrants", span.prefix, seed_text[span.start + 8 : span.start + 40])
    new, _ = build(seed_text, [(0, line[0]), "A different sentence about something else entirely.\n", (line[1], len(seed_text))])
    result = reanchor(seed_text, new, [span])
    assert not result.placed and len(result.orphans) == 1


EDIT_TEXT = st.text(alphabet="qxzjk QXZ\n", min_size=1, max_size=40)


@st.composite
def edits(draw, length: int) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, replacement) edits: inserts (start == end), deletes, replaces."""
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=2, max_size=12)))
    out = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert":
            out.append((a, a, draw(EDIT_TEXT)))
        elif kind == "delete":
            out.append((a, min(b, a + 300), ""))
        else:
            out.append((a, min(b, a + 300), draw(EDIT_TEXT)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_never_misplace_and_keep_surviving_spans(seed_text: str, data) -> None:
    n = len(seed_text)
    changes = data.draw(edits(n))
    segments: list[Segment] = []
    pos = 0
    for a, b, rep in changes:
        a = max(a, pos)
        b = max(a, b)
        segments.append((pos, a))
        if rep:
            segments.append(rep)
        pos = b
    segments.append((pos, n))
    new, where = build(seed_text, segments)
    raw = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 60)), min_size=1, max_size=25))
    spans = [anchor(seed_text, s, min(n, s + k), f"s{i}") for i, (s, k) in enumerate(raw)]
    result = reanchor(seed_text, new, spans)
    got = result.by_id()
    assert len(got) == len(spans)
    for span in spans:
        p = got[span.id]
        if isinstance(p, Placed) and not p.changed:
            assert new[p.start : p.end] == span.quote
        lo, hi = max(0, span.start - 32), min(n, span.end + 32)
        if survives(where, lo, hi) is not None:  # the span and 32 characters either side are untouched
            assert isinstance(p, Placed), (span, p)
            assert not p.changed and new[p.start : p.end] == span.quote
            assert p.start == where[span.start]


@st.composite
def word_edits(draw, text: str) -> list[Segment]:
    """Words of ``text`` deleted (with the space after), replaced, or inserted before another
    word, taken from the text's own vocabulary so that the edits make repeats, as revisions do;
    an insertion and a deletion elsewhere keep the number of tokens."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    vocabulary = sorted({text[a:b] for a, b in words})
    picks = sorted(draw(st.lists(st.integers(0, len(words) - 1), min_size=1, max_size=10, unique=True)))
    segments: list[Segment] = []
    pos = 0
    for i in picks:
        a, b = words[i]
        if a < pos:
            continue
        kind = draw(st.sampled_from(["delete", "insert", "replace"]))
        word = draw(st.sampled_from(vocabulary))
        segments.append((pos, a))
        if kind == "delete":
            pos = b + (text[b : b + 1] == " ")
        elif kind == "insert":
            segments.append(word + " ")
            pos = a
        else:
            segments.append(word)
            pos = b
    segments.append((pos, len(text)))
    return segments


def where_or_doubled(new: str, placed: Placed, target: int) -> bool:
    """Placed where the text went or on its twin beside it: with a word inserted before its
    own copy ("the the"), either of the two is the old one, and nothing tells which."""
    first, second = sorted((placed.start, target))
    length = placed.end - placed.start
    return first == second or (second >= first + length and not new[first + length : second].strip())


def keeps_some_context(where: dict[int, int], text: str, span: Anchor) -> bool:
    """The span's text survives with eight characters of its context on at least one side
    (the start or end of the text is not a character of context)."""
    return (span.start >= 8 and survives(where, span.start - 8, span.end) is not None) or (
        span.end + 8 <= len(text) and survives(where, span.start, span.end + 8) is not None
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_word_edits_find_every_surviving_span_where_its_text_went(seed_text: str, data) -> None:
    segments = data.draw(word_edits(seed_text))
    new, where = build(seed_text, segments)
    words = list(re.finditer(r"\w+", seed_text))
    raw = data.draw(st.lists(st.tuples(st.integers(0, len(words) - 1), st.integers(0, 4)), min_size=1, max_size=30))
    spans = [
        anchor(seed_text, words[i].start(), words[min(len(words) - 1, i + k)].end(), f"s{n}")
        for n, (i, k) in enumerate(raw)
    ]
    got = reanchor(seed_text, new, spans).by_id()
    for span in spans:
        p = got[span.id]
        if isinstance(p, Placed) and not p.changed:
            assert new[p.start : p.end] == span.quote, (span, p)
        target = survives(where, span.start, span.end)
        if target is not None and keeps_some_context(where, seed_text, span):
            assert isinstance(p, Placed) and not p.changed, (span, p, new[target - 20 : target + len(span.quote) + 20])
            assert where_or_doubled(new, p, target), (span, p, target)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_spans_at_any_offsets_are_never_placed_elsewhere_unmarked(seed_text: str, data) -> None:
    """Spans that start and end anywhere, even inside words, under word edits: a placed span
    either reads its old quote or is marked changed, and one that reads it, when its text
    survived, is where that text went, not on a copy of it."""
    n = len(seed_text)
    new, where = build(seed_text, data.draw(word_edits(seed_text)))
    raw = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 80)), min_size=1, max_size=30))
    spans = [anchor(seed_text, s, min(n, s + k), f"s{i}") for i, (s, k) in enumerate(raw)]
    got = reanchor(seed_text, new, spans).by_id()
    for span in spans:
        p = got[span.id]
        if isinstance(p, Placed) and not p.changed:
            assert new[p.start : p.end] == span.quote
            target = survives(where, span.start, span.end)
            if target is not None:
                assert where_or_doubled(new, p, target), (span, p, target)


def test_a_word_deleted_here_and_one_inserted_there_keeps_the_words_between(seed_text: str) -> None:
    """The two edits leave the number of tokens as it was, as a corrected figure does; the
    words between them have shifted, and every one of them is still placed where it went."""
    gone = seed_text.index("regional challenge")
    added = seed_text.index("The State Department is working")
    new, where = build(seed_text, [(0, gone), (gone + len("regional "), added), "Meanwhile ", (added, len(seed_text))])
    spans = [s for s in word_spans(seed_text, 1) if gone - 200 <= s.start < added + 100]
    spans = [s for s in spans if survives(where, s.start, s.end) is not None]
    result = reanchor(seed_text, new, spans)
    assert not result.orphans
    check_exact(seed_text, new, where, spans, result)


def test_a_word_inserted_before_its_own_copy_keeps_the_span_unchanged(seed_text: str) -> None:
    at = seed_text.index("Through the deal") + len("Through the ")
    new, where = build(seed_text, [(0, at), "the ", (at, len(seed_text))])
    span = phrase(seed_text, "José Raúl Mulino.\nThrough the")
    p = placed(reanchor(seed_text, new, [span]), span.id)
    assert (p.start, p.changed, new[p.start : p.end]) == (where[span.start], False, span.quote)


def test_a_short_corrected_figure_is_placed_on_its_correction_and_marked() -> None:
    old = "Through the deal, a 60-mile stretch of wilderness in Colombia and Panama is covered.\n"
    new = old.replace("60-mile", "66-mile")
    start = old.index("60")
    result = reanchor(old, new, [anchor(old, start, start + 2, "fig")])
    (placed,) = result.placed
    assert (new[placed.start : placed.end], placed.changed) == ("66", True)
    assert placed.confidence < 1


def test_a_short_word_replaced_by_an_unlike_one_is_an_orphan() -> None:
    old = "Asked whether the plan would pass, the minister said yes and left the room at once.\n"
    new = old.replace("said yes", "said no")
    start = old.index("yes")
    result = reanchor(old, new, [anchor(old, start, start + 3, "word")])
    assert not result.placed and [orphan.id for orphan in result.orphans] == ["word"]


def test_curly_quotes_throughout_place_a_quoted_sentence_as_changed() -> None:
    old = 'Intro line.\nThe deal is "designed to reduce crossings," she said.\nLast line here.\n'
    new = old.replace('"designed', "\u201cdesigned").replace('crossings,"', "crossings,\u201d")
    start, end = old.index('"designed'), old.index('she said')
    (placed,) = reanchor(old, new, [anchor(old, start, end, "q")]).placed
    assert new[placed.start : placed.end] == new[new.index("\u201cdesigned") : new.index("she said")]
    assert placed.changed and placed.confidence <= 0.9


def test_a_paragraph_inserted_inside_a_span_that_crosses_paragraphs_is_not_mistaken_for_it() -> None:
    old = "He praised the success of this year's winner.\n\nThe TV couple's interest in the book world grew.\n"
    new = old.replace("\n\nThe TV", "\n\nThe new list was long and lovely to read.\n\nThe TV")
    start, end = old.index("this year's"), old.index(" TV")
    result = reanchor(old, new, [anchor(old, start, end, "cross")])
    for p in result.placed:
        assert p.changed or new[p.end : p.end + 3] == " TV"  # never on the inserted paragraph's "The"
