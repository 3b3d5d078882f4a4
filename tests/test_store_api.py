"""The store's Python API: documents, annotations, labels and reading state."""

from __future__ import annotations

import pytest

from margin.store import annotations, documents, labels, reading
from margin.store.errors import MarginError, SpanError
from margin.store.model import document_id

TEXT = "José Raúl Mulino said 520,000 migrants crossed.\nSecond paragraph 😀 here."


@pytest.fixture
def doc(fresh_db):
    document, created = documents.add_document(fresh_db, TEXT, source="test")
    assert created
    return document


def test_document_ids_are_content_derived_and_text_normalised(fresh_db) -> None:
    crlf, _ = documents.add_document(fresh_db, "a\r\nb\rc")
    assert crlf.text == "a\nb\nc"
    assert crlf.id == document_id("a\nb\nc")
    again, created = documents.add_document(fresh_db, "a\nb\nc", title="other")
    assert not created and again.id == crlf.id
    assert documents.count_documents(fresh_db) == 1


def test_annotations_carry_quote_context_and_identity(fresh_db, doc) -> None:
    start = TEXT.index("520,000")
    added = annotations.add_annotation(fresh_db, doc.id, start, start + 16, "statistic", annotator="ana")
    assert added.quote == "520,000 migrants"
    assert added.prefix == TEXT[:start][-32:]
    assert added.suffix == TEXT[start + 16 :][:32]
    assert added.annotator == "ana" and added.status == "accepted" and added.origin == "manual"
    assert len(added.id) == 36 and added.created_at == added.updated_at
    assert annotations.get_annotation(fresh_db, added.id) == added


@pytest.mark.parametrize("start,end", [(-1, 3), (5, 5), (10, 4), (0, len(TEXT) + 1)])
def test_out_of_range_spans_are_refused(fresh_db, doc, start: int, end: int) -> None:
    with pytest.raises(SpanError):
        annotations.add_annotation(fresh_db, doc.id, start, end, "claim", annotator="a")
    assert annotations.query_annotations(fresh_db, include_deleted=True) == []


def test_unknown_label_is_refused(fresh_db, doc) -> None:
    with pytest.raises(MarginError, match="no label"):
        annotations.add_annotation(fresh_db, doc.id, 0, 4, "nonsense", annotator="a")


def test_update_delete_restore_keep_the_same_row(fresh_db, doc) -> None:
    added = annotations.add_annotation(fresh_db, doc.id, 0, 4, "person", annotator="a")
    relabelled = annotations.update_annotation(fresh_db, added.id, label="claim", note="check")
    assert (relabelled.label, relabelled.note) == ("claim", "check")
    assert relabelled.updated_at > added.updated_at
    deleted = annotations.delete_annotation(fresh_db, added.id)
    assert deleted.deleted and annotations.query_annotations(fresh_db) == []
    restored = annotations.restore_annotation(fresh_db, added.id)
    assert not restored.deleted and restored.id == added.id
    assert annotations.query_annotations(fresh_db) == [restored]


def test_queries_filter_and_order(fresh_db, doc) -> None:
    second = annotations.add_annotation(fresh_db, doc.id, 22, 38, "statistic", annotator="bo")
    first = annotations.add_annotation(fresh_db, doc.id, 0, 16, "person", annotator="ana")
    outer = annotations.add_annotation(fresh_db, doc.id, 0, 47, "claim", annotator="ana")
    assert [a.id for a in annotations.query_annotations(fresh_db, doc_id=doc.id)] == [
        outer.id,
        first.id,
        second.id,
    ]
    assert annotations.query_annotations(fresh_db, label="statistic") == [second]
    assert {a.id for a in annotations.query_annotations(fresh_db, annotator="ana")} == {first.id, outer.id}
    assert annotations.query_annotations(fresh_db, status="suggested") == []
    assert annotations.annotators(fresh_db) == ["ana", "bo"]


def test_labels_add_rename_remove(fresh_db, doc) -> None:
    quote = labels.add_label(fresh_db, "quote", color="#112233")
    assert quote.key == "4"
    with pytest.raises(MarginError, match="already used"):
        labels.add_label(fresh_db, "other", key="1")
    added = annotations.add_annotation(fresh_db, doc.id, 0, 4, "quote", annotator="a")
    assert labels.rename_label(fresh_db, "quote", "citation") == 1
    assert annotations.get_annotation(fresh_db, added.id).label == "citation"
    with pytest.raises(MarginError, match="--force"):
        labels.remove_label(fresh_db, "citation")
    assert labels.get_label(fresh_db, "citation") is not None
    assert labels.remove_label(fresh_db, "citation", force=True) == 1
    assert labels.get_label(fresh_db, "citation") is None


def test_label_key_and_colour_are_validated(fresh_db) -> None:
    with pytest.raises(MarginError):
        labels.update_label(fresh_db, "claim", color="red")
    with pytest.raises(MarginError):
        labels.update_label(fresh_db, "claim", key="two words")
    assert labels.update_label(fresh_db, "claim", key="c").key == "c"
    assert labels.update_label(fresh_db, "claim", clear_key=True).key is None


def test_reading_position_per_document_and_annotator(fresh_db, doc) -> None:
    assert reading.get_position(fresh_db, doc.id, "ana") == 0
    reading.set_position(fresh_db, doc.id, "ana", 42)
    reading.set_position(fresh_db, doc.id, "bo", 7)
    assert reading.get_position(fresh_db, doc.id, "ana") == 42
    summary = documents.list_documents(fresh_db, annotator="ana")[0]
    assert summary.position == 42 and 0 < summary.progress < 100


def test_document_list_counts_and_full_text_search(fresh_db, doc) -> None:
    annotations.add_annotation(fresh_db, doc.id, 0, 4, "person", annotator="a")
    gone = annotations.add_annotation(fresh_db, doc.id, 5, 9, "person", annotator="a")
    annotations.delete_annotation(fresh_db, gone.id)
    other, _ = documents.add_document(fresh_db, "Nothing about borders.")
    summaries = {s.id: s for s in documents.list_documents(fresh_db)}
    assert summaries[doc.id].counts == {"person": 1}
    assert summaries[other.id].counts == {}
    assert documents.search_documents(fresh_db, "migra") == [doc.id]
    assert documents.search_documents(fresh_db, 'borders "AND') == []
    assert documents.resolve_document(fresh_db, doc.id[:8]).id == doc.id
