"""The counts and the change feed that the schema's triggers keep in step with every
write, whoever makes it."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pg_cluster import BACKENDS
from team_data import next_batch

from margin.store.annotations import add_annotation, delete_annotation, restore_annotation, update_annotation
from margin.store.changes import BATCH, ChangeBatch, ChangeFeed
from margin.store.db import open_database, write
from margin.store.documents import add_document, label_counts, list_documents
from margin.store.labels import add_label

TEXT = "Officials said 520,000 migrants crossed the gap last year, Watson said."


def counted_by_scan(db) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for doc_id, label, n in db.execute(
        "select doc_id, label, count(*) from annotations where deleted_at is null and status != 'rejected' "
        "group by doc_id, label"
    ):
        counts.setdefault(doc_id, {})[label] = n
    return counts


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "relabel", "status", "delete", "restore"]),
        st.integers(0, 30),
        st.sampled_from(["claim", "person", "statistic"]),
        st.sampled_from(["accepted", "suggested", "rejected"]),
    ),
    max_size=40,
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_counts_stay_equal_to_a_full_count(request, tmp_path_factory, backend, operations) -> None:
    """The triggers of each backend keep the stored counts equal to counting."""
    where = (
        tmp_path_factory.mktemp("counts") / "c.db" if backend == "sqlite"
        else request.getfixturevalue("postgres").fresh()
    )
    db = open_database(where)
    document, _ = add_document(db, TEXT)
    made: list[str] = []
    for operation, n, label, status in operations:
        if operation == "add" or not made:
            made.append(add_annotation(db, document.id, n, n + 5, label, annotator="ana").id)
            continue
        target = made[n % len(made)]
        if operation == "relabel":
            update_annotation(db, target, label=label)
        elif operation == "status":
            update_annotation(db, target, status=status)
        elif operation == "delete":
            delete_annotation(db, target)
        else:
            restore_annotation(db, target)
    assert label_counts(db) == counted_by_scan(db)
    assert all(n > 0 for (n,) in db.execute("select n from annotation_counts"))
    db.close()
    if backend != "sqlite":
        request.getfixturevalue("postgres").drop(where)


def test_document_list_reads_stored_counts_and_length(fresh_db) -> None:
    document, _ = add_document(fresh_db, TEXT)
    add_annotation(fresh_db, document.id, 0, 9, "claim", annotator="ana")
    add_annotation(fresh_db, document.id, 15, 22, "statistic", annotator="ana", status="rejected")
    queries: list[str] = []
    fresh_db.conn.set_trace_callback(queries.append)
    [summary] = list_documents(fresh_db)
    fresh_db.conn.set_trace_callback(None)
    assert summary.length == len(TEXT)
    assert fresh_db.execute("select length from documents").fetchone()[0] == len(TEXT)
    assert summary.counts == {"claim": 1}  # a rejected suggestion is not counted
    assert not any("from annotations" in sql for sql in queries), queries


def test_feed_sees_another_connections_commits_and_only_those_rows(db_location: str) -> None:
    db_path = db_location
    app_db = open_database(db_path)
    document, _ = add_document(app_db, TEXT)
    feed = ChangeFeed(app_db)
    assert feed.poll() is None
    other = open_database(db_path)
    added = add_annotation(other, document.id, 0, 9, "claim", annotator="bob")
    batch = next_batch(feed)
    assert batch is not None and [a.id for a in batch.annotations] == [added.id]
    assert feed.poll() is None  # nothing new: nothing read
    delete_annotation(other, added.id)
    add_label(other, "verb", key="4")
    batch = next_batch(feed)
    assert batch is not None and batch.labels
    assert [a.deleted_at is not None for a in batch.annotations] == [True]
    feed.close()
    other.close()
    app_db.close()


def test_a_burst_longer_than_a_batch_becomes_a_reload(db_location: str) -> None:
    db_path = db_location
    db = open_database(db_path)
    document, _ = add_document(db, TEXT)
    feed = ChangeFeed(db)
    other = open_database(db_path)
    with write(other):
        for n in range(BATCH + 10):
            add_annotation(other, document.id, n % 60, n % 60 + 3, "claim", annotator="bob")
    batch = next_batch(feed)
    assert batch is not None and batch.overflow == {document.id} and not batch.annotations
    assert feed.poll() is None
    add_annotation(other, document.id, 1, 4, "person", annotator="bob")
    batch = next_batch(feed)
    assert batch is not None and len(batch.annotations) == 1
    feed.close()
    other.close()
    db.close()


def test_closing_the_feed_waits_for_a_poll_running_in_another_thread(db_location: str) -> None:
    db_path = db_location
    """The app closes its feed on the way out while a worker may be polling: closing a
    connection under a running poll crashes the interpreter, so close waits for it."""
    db = open_database(db_path)
    document, _ = add_document(db, TEXT)
    feed = ChangeFeed(db)
    other = open_database(db_path)
    added = add_annotation(other, document.id, 0, 9, "claim", annotator="bob")
    other.close()
    reading, release = threading.Event(), threading.Event()
    read = feed._read

    def held_read() -> ChangeBatch:
        reading.set()
        release.wait(10)
        return read()

    feed._read = held_read  # type: ignore[method-assign]
    batches: list[ChangeBatch | None] = []
    poller = threading.Thread(target=lambda: batches.append(feed.poll()))
    closer = threading.Thread(target=feed.close)
    poller.start()
    assert reading.wait(10)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive(), "the feed's connection was closed under a running poll"
    release.set()
    poller.join(10)
    closer.join(10)
    assert not poller.is_alive() and not closer.is_alive()
    assert [[a.id for a in batch.annotations] if batch else None for batch in batches] == [[added.id]]
    assert feed.poll() is None
    db.close()
