"""Property: any text, with any overlapping spans, survives export and re-import in
every format margin can read back, without a single offset moving.

The text mixes what breaks naive offset handling: emoji with skin tones and ZWJ
sequences, flags, CJK, combining marks, right-to-left scripts, tabs, CRLF and lone
CR (which the store turns into LF), Unicode line separators, markup and escape
sequences.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transfer_support import export_to, span_set, texts

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.store.model import normalise_newlines

FORMATS = ("margin", "prodigy", "doccano", "label-studio", "brat")
PIECES = (
    "a", "Ana", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "é", "e\u0301", "\u0915\u094d\u0937",
    "👍🏽", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "🇵🇦", "中文", "日本語", "שלום", "مرحبا", "\u200f", "\u202e",
    "\u2028", "\x85", "\x0b", "[bold]", "\x1b[31m", '"', "\\", "=1+1", "T1\t", "#", ";", "\ufeff",
)
LABELS = ("claim", "person", "statistic", "ORG")

texts_strategy = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)


@st.composite
def documents(draw):
    text = normalise_newlines(draw(texts_strategy))
    bounds = st.integers(0, len(text))
    spans = []
    for _ in range(draw(st.integers(1, 8))):
        start, end = sorted(draw(st.tuples(bounds, bounds)))
        if start < end:
            spans.append((start, end, draw(st.sampled_from(LABELS))))
    return text, spans or [(0, len(text), "claim")]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents())
def test_every_format_round_trips_offsets(places, document):
    text, spans = document
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        try:
            db = open_database(places("source"))
            ensure_labels(db, LABELS)
            stored, _ = add_document(db, text)
            for start, end, label in spans:
                add_annotation(db, stored.id, start, end, label, annotator="tester")
            expected = span_set(db)
            assert {(quote, start, end) for _, start, end, _, quote in expected} == {
                (text[start:end], start, end) for start, end, _ in spans
            }
            for format in FORMATS:
                path = export_to(db, tmp, format)
                again = open_database(places(format))
                report = import_paths(again, [path], format=format, annotator="tester")
                assert report.ok, (format, report.failed)
                assert texts(again) == {stored.id: text}, format
                assert span_set(again) == expected, format
                again.close()
            db.close()
        finally:
            places.close()


@st.composite
def crlf_documents(draw):
    """Raw text as another tool would hold it (CRLF kept) with offsets into it; no
    span starts or ends between a CR and its LF."""
    raw = draw(texts_strategy)
    cuts = [i for i in range(len(raw) + 1) if not (0 < i < len(raw) and raw[i - 1] == "\r" and raw[i] == "\n")]
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        start, end = sorted(draw(st.tuples(st.sampled_from(cuts), st.sampled_from(cuts))))
        if start < end:
            spans.append((start, end, draw(st.sampled_from(LABELS))))
    return raw, spans or [(0, len(raw), "claim")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crlf_documents())
def test_offsets_into_crlf_text_are_mapped_not_shifted(places, document):
    raw, spans = document
    stored = normalise_newlines(raw)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        doccano = tmp / "d.jsonl"
        doccano.write_text(json.dumps({"text": raw, "label": [list(span) for span in spans]}) + "\n")
        prodigy = tmp / "p.jsonl"
        prodigy.write_text(json.dumps({"text": raw, "spans": [
            {"start": s, "end": e, "label": label, "text": raw[s:e]} for s, e, label in spans]}) + "\n")
        (tmp / "b.txt").write_bytes(raw.encode("utf-8"))
        (tmp / "b.ann").write_text("".join(
            f"T{n}\t{label} {s} {e}\t{raw[s:e]}\n" for n, (s, e, label) in enumerate(spans, 1)
            if "\n" not in raw[s:e] and "\r" not in raw[s:e]
        ), encoding="utf-8", newline="")
        try:
            for path, format in ((doccano, "doccano"), (prodigy, "prodigy"), (tmp / "b.txt", "brat")):
                db = open_database(places(format))
                report = import_paths(db, [path], format=format, annotator="tester")
                assert report.ok, (format, report.failed)
                assert list(texts(db).values()) == [stored]
                for _, start, end, _, quote in span_set(db):
                    assert stored[start:end] == quote
                assert {(quote, label) for _, _, _, label, quote in span_set(db)} == {
                    (normalise_newlines(raw[s:e]), label) for s, e, label in spans
                    if format != "brat" or ("\n" not in raw[s:e] and "\r" not in raw[s:e])
                }
                db.close()
        finally:
            places.close()
