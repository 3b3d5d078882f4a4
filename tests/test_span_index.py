"""The span index answers exactly what a scan of every annotation would, through any
sequence of additions, replacements and removals."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from margin.store.model import Annotation
from margin.tui.text.span_index import BLOCK_SIZE, LONG_SPAN, SpanIndex


def span(number: int, start: int, end: int, label: str = "claim") -> Annotation:
    return Annotation(id=f"a{number}", doc_id="d", start=start, end=end, label=label, quote="")


def brute_at(spans, offset):
    found = [a for a in spans if a.start <= offset < a.end]
    return sorted(found, key=lambda a: (a.end - a.start, -a.start, a.id))


def brute_overlapping(spans, start, end):
    return {a.id for a in spans if a.start < end and a.end > start}


lengths = st.integers(1, 80) | st.integers(LONG_SPAN - 2, LONG_SPAN + 300)
intervals = st.tuples(st.integers(0, 300), lengths).map(lambda t: (t[0], t[0] + t[1]))
operations = st.lists(
    st.tuples(st.sampled_from(["add", "add", "add", "remove"]), st.integers(0, 400), intervals),
    max_size=4 * BLOCK_SIZE,
)


@settings(max_examples=150, deadline=None)
@given(operations, st.lists(st.integers(-5, 400) | st.integers(LONG_SPAN - 10, LONG_SPAN + 700), min_size=1, max_size=20))
def test_queries_match_brute_force_after_any_changes(ops, probes):
    index = SpanIndex()
    live: dict[str, Annotation] = {}
    for kind, number, (start, end) in ops:
        if kind == "add":
            annotation = span(number, start, end)
            index.add(annotation)
            live[annotation.id] = annotation
        else:
            removed = index.remove(f"a{number}")
            assert (removed is not None) == (f"a{number}" in live)
            live.pop(f"a{number}", None)
    spans = list(live.values())
    assert len(index) == len(spans)
    assert [(a.start, a.end, a.id) for a in index] == sorted((a.start, a.end, a.id) for a in spans)
    for probe in probes:
        assert [a.id for a in index.at(probe)] == [a.id for a in brute_at(spans, probe)]
        assert {a.id for a in index.overlapping(probe, probe + 17)} == brute_overlapping(spans, probe, probe + 17)
        after = [a.start for a in spans if a.start > probe]
        following = index.next_after(probe)
        assert (following.start if following else None) == (min(after) if after else None)
        before = [a.start for a in spans if a.start < probe]
        preceding = index.previous_before(probe)
        assert (preceding.start if preceding else None) == (max(before) if before else None)


def test_ten_thousand_spans_built_at_once_answer_like_a_scan():
    rng = random.Random(7)
    spans = []
    for number in range(10_000):
        start = rng.randrange(0, 3_000_000)
        spans.append(span(number, start, start + rng.randrange(1, 400)))
    spans.append(span(99_999, 10, 2_900_000))  # one span covering nearly everything
    index = SpanIndex(spans)
    for probe in [0, 11, 1_500_000, 2_899_999, 2_999_999] + [rng.randrange(0, 3_000_000) for _ in range(50)]:
        assert [a.id for a in index.at(probe)] == [a.id for a in brute_at(spans, probe)]
        assert {a.id for a in index.overlapping(probe, probe + 88)} == brute_overlapping(spans, probe, probe + 88)


def test_innermost_span_comes_first():
    outer, inner, middle = span(1, 0, 100), span(2, 10, 20), span(3, 5, 50)
    index = SpanIndex([outer, inner, middle])
    assert [a.id for a in index.at(15)] == ["a2", "a3", "a1"]
    assert [a.id for a in index.at(30)] == ["a3", "a1"]
    assert index.at(100) == []


def test_end_is_exclusive_and_empty_ranges_overlap_nothing():
    index = SpanIndex([span(1, 5, 10)])
    assert index.at(9) and not index.at(10)
    assert index.overlapping(10, 20) == []
    assert index.overlapping(0, 5) == []
    assert index.overlapping(7, 7) == []


def test_replacing_by_id_moves_the_span():
    index = SpanIndex([span(1, 5, 10)])
    previous = index.add(span(1, 50, 60, "person"))
    assert previous is not None and previous.start == 5
    assert index.at(7) == []
    assert index.at(55)[0].label == "person"
    assert len(index) == 1 and "a1" in index


def test_equal_starts_across_blocks_can_all_be_removed():
    spans = [span(number, 100, 100 + number + 1) for number in range(5 * BLOCK_SIZE)]
    index = SpanIndex(spans)
    for annotation in reversed(spans):
        assert index.remove(annotation.id) is annotation
    assert len(index) == 0 and index.at(100) == [] and index.next_after(0) is None
    assert index.remove("a0") is None
