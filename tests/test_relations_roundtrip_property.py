"""Property: random spans with random relations and attributes survive export and
re-import in every format that carries them (attributes where the format has a place
for them), whatever the text holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_roundtrip_property import texts_strategy
from transfer_support import export_to

from margin.store.annotations import add_annotation
from margin.store.attributes import set_attribute
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.store.model import normalise_newlines
from margin.store.relations import add_relation
from margin.store.schemes import add_attribute_def, add_relation_type

LABELS = ("claim", "person", "statistic")
TYPES = ("links", "quotes")
CHOICES = ("low", "high")
CARRY_ATTRIBUTES = ("margin", "prodigy", "label-studio", "brat")
CARRY_RELATIONS = (*CARRY_ATTRIBUTES, "doccano")


@st.composite
def linked_documents(draw):
    text = normalise_newlines(draw(texts_strategy))
    bounds = st.integers(0, len(text))
    spans: dict[tuple[int, int, str], None] = {}
    for _ in range(draw(st.integers(2, 7))):
        start, end = sorted(draw(st.tuples(bounds, bounds)))
        if start < end:
            spans[(start, end, draw(st.sampled_from(LABELS)))] = None
    spans_list = list(spans) or [(0, len(text), "claim")]
    if len(spans_list) < 2 and len(text) > 1:
        spans_list.append((0, 1, "person") if spans_list[0] != (0, 1, "person") else (0, 1, "claim"))
    positions = st.integers(0, len(spans_list) - 1)
    relations = set()
    for _ in range(draw(st.integers(0, 6))):
        head, child = draw(positions), draw(positions)
        if head != child:
            relations.add((head, child, draw(st.sampled_from(TYPES))))
    values = {}
    for index in range(len(spans_list)):
        choice = draw(st.sampled_from((None, *CHOICES)))
        if choice is not None:
            values[(index, "level")] = choice
        if draw(st.booleans()):
            values[(index, "checked")] = "true"
    return text, spans_list, sorted(relations), values


def _linked(db) -> tuple[set, set]:
    """(relations, attributes) as span places and names, comparable across databases."""
    spans = {
        row[0]: tuple(row[1:])
        for row in db.execute('select id, start, "end", label from annotations where deleted_at is null')
    }
    relations = {
        (spans[head], spans[child], kind)
        for head, child, kind in db.execute("select head, child, type from relations where deleted_at is null")
    }
    attributes = {
        (spans[annotation], name, value)
        for annotation, name, value in db.execute(
            "select annotation_id, name, value from attributes where deleted_at is null"
        )
    }
    return relations, attributes


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(linked_documents())
def test_relations_and_attributes_survive_every_format_that_carries_them(places, document):
    text, spans, links, values = document
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        try:
            db = open_database(places("source"))
            ensure_labels(db, LABELS)
            for kind in TYPES:
                add_relation_type(db, kind)
            add_attribute_def(db, "level", choices=CHOICES)
            add_attribute_def(db, "checked", kind="flag")
            stored, _ = add_document(db, text)
            ids = [add_annotation(db, stored.id, start, end, label, annotator="tester").id
                   for start, end, label in spans]
            for head, child, kind in links:
                add_relation(db, ids[head], ids[child], kind, annotator="tester")
            for (index, name), value in values.items():
                set_attribute(db, ids[index], name, value, annotator="tester")
            relations, attributes = _linked(db)
            assert len(relations) == len(links) and len(attributes) == len(values)
            for format in CARRY_RELATIONS:
                path = export_to(db, tmp, format)
                again = open_database(places(format))
                report = import_paths(again, [path], format=format, annotator="tester")
                assert report.ok, (format, report.failed)
                got_relations, got_attributes = _linked(again)
                assert got_relations == relations, format
                if format in CARRY_ATTRIBUTES:
                    assert got_attributes == attributes, format
                again.close()
            db.close()
        finally:
            places.close()
