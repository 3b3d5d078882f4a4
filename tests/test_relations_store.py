"""The store's relations and attributes: schemes, constraints, the tombstones a span's
delete leaves and its restore takes back, the change feed, and the migration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from team_data import next_batch

from margin.store import annotations, attributes, labels, relations, schemes
from margin.store.changes import ChangeFeed
from margin.store.db import SCHEMA_VERSION, open_database, schema_version
from margin.store.documents import add_document
from margin.store.errors import MarginError

TEXT = "Adrienne Watson said 40% of the migrants were children, a claim nobody checked."
WATSON = (0, 15)
STATISTIC = (21, 24)
CLAIM = (21, 54)


def _spans(db):
    document, _ = add_document(db, TEXT, title="t")
    claim = annotations.add_annotation(db, document.id, *CLAIM, "claim", annotator="ana")
    person = annotations.add_annotation(db, document.id, *WATSON, "person", annotator="ana")
    number = annotations.add_annotation(db, document.id, *STATISTIC, "statistic", annotator="ana")
    return document, claim, person, number


def test_a_new_database_holds_the_default_schemes(fresh_db):
    kinds = {kind.name: kind for kind in schemes.list_relation_types(fresh_db)}
    assert list(kinds) == ["said_by", "cites", "about"]
    assert kinds["said_by"].head_labels == ("claim",) and kinds["said_by"].child_labels == ("person",)
    assert kinds["cites"].child_labels == ("statistic",)
    assert [kind.key for kind in kinds.values()] == ["s", "c", "o"]
    (verdict,) = schemes.list_attribute_defs(fresh_db)
    assert verdict.name == "verdict" and verdict.kind == "choice" and verdict.key == "C"
    assert verdict.choices == ("true", "false", "misleading", "unverifiable", "unchecked")
    assert verdict.labels == ("claim",)


def test_a_relation_links_spans_its_type_allows(fresh_db):
    document, claim, person, number = _spans(fresh_db)
    relation = relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    assert relations.document_relations(fresh_db, document.id) == [relation]
    assert relations.relations_of(fresh_db, person.id) == [relation]
    with pytest.raises(MarginError, match="said_by links a claim to a person, not a person to a claim"):
        relations.add_relation(fresh_db, person.id, claim.id, "said_by", annotator="ana")
    with pytest.raises(MarginError, match="not a claim to a statistic"):
        relations.add_relation(fresh_db, claim.id, number.id, "said_by", annotator="ana")
    with pytest.raises(MarginError, match="already linked as said_by"):
        relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    with pytest.raises(MarginError, match="itself"):
        relations.add_relation(fresh_db, claim.id, claim.id, "cites", annotator="ana")
    with pytest.raises(MarginError, match="no relation type named 'nope'"):
        relations.add_relation(fresh_db, claim.id, person.id, "nope", annotator="ana")
    # Another annotator may make the same link: relations are per annotator.
    relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ben")


def test_an_undirected_type_allows_either_order(fresh_db):
    _document, claim, person, _number = _spans(fresh_db)
    schemes.add_relation_type(fresh_db, "contradicts", directed=False, head_labels=["claim"], child_labels=["person"])
    relations.add_relation(fresh_db, person.id, claim.id, "contradicts", annotator="ana")
    with pytest.raises(MarginError, match="no label named 'nobody'"):
        schemes.add_relation_type(fresh_db, "x", head_labels=["nobody"])


def test_deleting_a_span_tombstones_its_relations_and_restoring_brings_back_only_those(fresh_db):
    document, claim, person, number = _spans(fresh_db)
    said = relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    cites = relations.add_relation(fresh_db, claim.id, number.id, "cites", annotator="ana")
    relations.delete_relation(fresh_db, cites.id)  # unlinked on its own, before
    annotations.delete_annotation(fresh_db, claim.id)
    assert relations.document_relations(fresh_db, document.id) == []
    stored = relations.get_relation(fresh_db, said.id)
    assert stored is not None and stored.deleted_at == annotations.get_annotation(fresh_db, claim.id).deleted_at
    annotations.restore_annotation(fresh_db, claim.id)
    assert [r.id for r in relations.document_relations(fresh_db, document.id)] == [said.id]
    assert relations.get_relation(fresh_db, cites.id).deleted  # type: ignore[union-attr]


def test_attributes_follow_their_definition(fresh_db):
    document, claim, person, _number = _spans(fresh_db)
    attributes.set_attribute(fresh_db, claim.id, "verdict", "unverifiable", annotator="ana")
    assert attributes.document_attributes(fresh_db, document.id) == {claim.id: {"verdict": "unverifiable"}}
    with pytest.raises(MarginError, match="not a value of 'verdict'"):
        attributes.set_attribute(fresh_db, claim.id, "verdict", "maybe", annotator="ana")
    with pytest.raises(MarginError, match="applies to claim spans, not to a person"):
        attributes.set_attribute(fresh_db, person.id, "verdict", "true", annotator="ana")
    schemes.add_attribute_def(fresh_db, "checked", kind="flag")
    schemes.add_attribute_def(fresh_db, "source", kind="text")
    attributes.set_attribute(fresh_db, person.id, "checked", "true", annotator="ana")
    with pytest.raises(MarginError, match="is a flag"):
        attributes.set_attribute(fresh_db, person.id, "checked", "yes", annotator="ana")
    attributes.set_attribute(fresh_db, person.id, "source", "White House briefing", annotator="ana")
    with pytest.raises(MarginError, match="control character"):
        attributes.set_attribute(fresh_db, person.id, "source", "\x1b[31mred", annotator="ana")
    cleared = attributes.clear_attribute(fresh_db, claim.id, "verdict")
    assert cleared is not None and cleared.deleted
    assert attributes.clear_attribute(fresh_db, claim.id, "verdict") is None
    assert claim.id not in attributes.document_attributes(fresh_db, document.id)
    # A deleted span's values are not shown, and come back with it.
    annotations.delete_annotation(fresh_db, person.id)
    assert person.id not in attributes.document_attributes(fresh_db, document.id)
    annotations.restore_annotation(fresh_db, person.id)
    assert attributes.document_attributes(fresh_db, document.id)[person.id] == {
        "checked": "true", "source": "White House briefing",
    }


def test_renaming_and_removing_scheme_entries(fresh_db):
    document, claim, person, _number = _spans(fresh_db)
    relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    attributes.set_attribute(fresh_db, claim.id, "verdict", "false", annotator="ana")
    assert schemes.rename_relation_type(fresh_db, "said_by", "stated_by") == 1
    assert relations.document_relations(fresh_db, document.id)[0].type == "stated_by"
    assert fresh_db.execute("select scheme, old, new from scheme_renames").fetchall() == [
        ("relation", "said_by", "stated_by")
    ]
    with pytest.raises(MarginError, match="use --force"):
        schemes.remove_relation_type(fresh_db, "stated_by")
    assert schemes.remove_relation_type(fresh_db, "stated_by", force=True) == 1
    assert relations.document_relations(fresh_db, document.id) == []
    (gone,) = relations.document_relations(fresh_db, document.id, include_hidden=True)
    with pytest.raises(MarginError, match="no relation type named 'stated_by'"):
        relations.restore_relation(fresh_db, gone.id)
    assert schemes.get_relation_type(fresh_db, "stated_by") is None
    assert schemes.rename_attribute_def(fresh_db, "verdict", "rating") == 1
    assert attributes.document_attributes(fresh_db, document.id) == {claim.id: {"rating": "false"}}
    with pytest.raises(MarginError, match="keep those values"):
        schemes.update_attribute_def(fresh_db, "rating", choices=["true"])
    assert schemes.remove_attribute_def(fresh_db, "rating", force=True) == 1
    assert attributes.document_attributes(fresh_db, document.id) == {}


def test_attribute_keys_and_label_keys_share_one_space(fresh_db):
    with pytest.raises(MarginError, match="already used by label 'claim'"):
        schemes.add_attribute_def(fresh_db, "x", choices=["a"], key="1")
    with pytest.raises(MarginError, match="already used by attribute 'verdict'"):
        labels.update_label(fresh_db, "claim", key="C")
    with pytest.raises(MarginError, match="already used by relation type 'said_by'"):
        schemes.add_relation_type(fresh_db, "quotes", key="s")
    with pytest.raises(MarginError, match="arrives as backspace"):
        schemes.update_relation_type(fresh_db, "cites", key="ctrl+h")


def test_an_import_extends_the_attribute_scheme(fresh_db):
    changed = schemes.ensure_attribute_defs(fresh_db, {"IsCount": {"true"}, "verdict": {"pending"}, "Q": {"b", "a"}})
    by_name = {attribute.name: attribute for attribute in changed}
    assert by_name["IsCount"].kind == "flag"
    assert by_name["Q"].choices == ("a", "b")
    assert by_name["verdict"].choices[-1] == "pending"
    assert schemes.ensure_attribute_defs(fresh_db, {"Q": {"a"}}) == []


def test_the_change_feed_carries_relations_attributes_and_schemes(fresh_db):
    _document, claim, person, _number = _spans(fresh_db)
    feed = ChangeFeed(fresh_db)
    try:
        other = open_database(fresh_db.path)
        relation = relations.add_relation(other, claim.id, person.id, "said_by", annotator="ben")
        attributes.set_attribute(other, claim.id, "verdict", "true", annotator="ben")
        batch = next_batch(feed)
        assert batch is not None
        assert [r.id for r in batch.relations] == [relation.id]
        assert [(a.annotation_id, a.name, a.value) for a in batch.attributes] == [(claim.id, "verdict", "true")]
        assert not batch.schemes
        schemes.update_relation_type(other, "cites", color="#123456")
        batch = next_batch(feed)
        assert batch is not None and batch.schemes
        other.close()
    finally:
        feed.close()


def test_a_version_5_database_gains_the_tables_with_their_defaults(db_path):
    db = open_database(db_path)
    _spans(db)
    for table in ("relations", "attributes", "relation_types", "attribute_defs", "scheme_renames"):
        db.execute(f"drop table {table}")
    db.execute("delete from _sqlite_migrations where name = '0006_relations_and_attributes'")
    db.execute("pragma user_version = 5")
    db.conn.commit()
    db.close()
    db = open_database(db_path)
    assert schema_version(db) == SCHEMA_VERSION >= 7
    assert [kind.name for kind in schemes.list_relation_types(db)] == ["said_by", "cites", "about"]
    assert db.execute("select count(*) from annotations").fetchone()[0] == 3
    db.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["delete", "restore", "unlink", "relink"]), st.integers(0, 2)), max_size=12))
def test_a_relation_is_shown_exactly_while_it_and_both_ends_live(tmp_path_factory, steps):
    """Whatever order spans are deleted and restored and links cut and restored in,
    a relation shows exactly when it was not unlinked on its own and both ends live."""
    db = open_database(tmp_path_factory.mktemp("prop") / "p.db")
    document, claim, person, number = _spans(db)
    spans = [claim, person, number]
    said = relations.add_relation(db, claim.id, person.id, "said_by", annotator="ana")
    cites = relations.add_relation(db, claim.id, number.id, "cites", annotator="ana")
    links = [said, cites]
    live = {span.id: True for span in spans}
    linked = {link.id: True for link in links}
    for action, index in steps:
        span, link = spans[index], links[index % 2]
        if action == "delete" and live[span.id]:
            annotations.delete_annotation(db, span.id)
            live[span.id] = False
        elif action == "restore" and not live[span.id]:
            annotations.restore_annotation(db, span.id)
            live[span.id] = True
        elif action == "unlink" and linked[link.id] and live[link.head] and live[link.child]:
            relations.delete_relation(db, link.id)
            linked[link.id] = False
        elif action == "relink" and not linked[link.id]:
            relations.restore_relation(db, link.id)
            linked[link.id] = True
    expected = [link.id for link in links if linked[link.id] and live[link.head] and live[link.child]]
    assert sorted(r.id for r in relations.document_relations(db, document.id)) == sorted(expected)
    db.close()


def test_restoring_a_span_does_not_bring_back_links_of_a_type_removed_since(fresh_db):
    document, claim, person, _number = _spans(fresh_db)
    relations.add_relation(fresh_db, claim.id, person.id, "about", annotator="ana")
    annotations.delete_annotation(fresh_db, claim.id)
    # Hidden with its span, so nothing needs --force; the removal still stands.
    assert schemes.relation_type_usage(fresh_db, "about") == 0
    schemes.remove_relation_type(fresh_db, "about")
    annotations.restore_annotation(fresh_db, claim.id)
    assert relations.document_relations(fresh_db, document.id) == []


def test_renaming_an_attribute_onto_a_removed_name(fresh_db):
    _document, claim, _person, _number = _spans(fresh_db)
    schemes.add_attribute_def(fresh_db, "x", choices=["a"])
    attributes.set_attribute(fresh_db, claim.id, "x", "a", annotator="ana")
    schemes.remove_attribute_def(fresh_db, "x", force=True)
    schemes.add_attribute_def(fresh_db, "y", choices=["b"])
    attributes.set_attribute(fresh_db, claim.id, "y", "b", annotator="ana")
    assert schemes.rename_attribute_def(fresh_db, "y", "x") == 1
    assert attributes.span_values(fresh_db, claim.id) == {"x": "b"}


def test_a_relabel_or_a_narrower_scheme_that_would_break_links_and_values_is_refused(fresh_db):
    _document, claim, person, _number = _spans(fresh_db)
    relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    attributes.set_attribute(fresh_db, claim.id, "verdict", "true", annotator="ana")
    with pytest.raises(MarginError, match="linked said_by .*unlink it before making it a statistic"):
        annotations.update_annotation(fresh_db, claim.id, label="statistic")
    with pytest.raises(MarginError, match="linked said_by"):
        annotations.update_annotation(fresh_db, person.id, label="statistic")
    with pytest.raises(MarginError, match="1 relation.s. of 'said_by' link labels this would not allow"):
        schemes.update_relation_type(fresh_db, "said_by", child_labels=["statistic"])
    assert schemes.require_relation_type(fresh_db, "said_by").child_labels == ("person",)  # rolled back
    relations.delete_relation(fresh_db, relations.relations_of(fresh_db, claim.id)[0].id)
    with pytest.raises(MarginError, match="has a verdict, which a statistic cannot have"):
        annotations.update_annotation(fresh_db, claim.id, label="statistic")
    with pytest.raises(MarginError, match="1 span.s. of other labels carry 'verdict'"):
        schemes.update_attribute_def(fresh_db, "verdict", labels=["person"])
    attributes.clear_attribute(fresh_db, claim.id, "verdict")
    assert annotations.update_annotation(fresh_db, claim.id, label="statistic").label == "statistic"


def test_a_label_rename_carries_into_the_schemes(fresh_db):
    labels.rename_label(fresh_db, "claim", "assertion")
    assert schemes.require_relation_type(fresh_db, "said_by").head_labels == ("assertion",)
    assert schemes.require_attribute_def(fresh_db, "verdict").labels == ("assertion",)


def test_removing_a_label_takes_its_spans_links_with_them(fresh_db):
    _document, claim, person, _number = _spans(fresh_db)
    said = relations.add_relation(fresh_db, claim.id, person.id, "said_by", annotator="ana")
    labels.remove_label(fresh_db, "person", force=True)
    stored = relations.get_relation(fresh_db, said.id)
    assert stored is not None and stored.deleted
    assert schemes.relation_type_usage(fresh_db, "said_by") == 0


def test_a_text_value_may_be_longer_than_a_name(fresh_db):
    _document, _claim, person, _number = _spans(fresh_db)
    schemes.add_attribute_def(fresh_db, "source", kind="text")
    phrase = "a statement by the National Security Council spokesperson, 12 June 2024, on the Darién Gap"
    attributes.set_attribute(fresh_db, person.id, "source", phrase, annotator="ana")
    with pytest.raises(MarginError, match="at most 200"):
        attributes.set_attribute(fresh_db, person.id, "source", "w" * 201, annotator="ana")


def test_a_scheme_entry_may_keep_its_own_key(fresh_db):
    assert schemes.update_relation_type(fresh_db, "said_by", key="s").key == "s"
    assert schemes.update_attribute_def(fresh_db, "verdict", key="C").key == "C"
    assert labels.update_label(fresh_db, "claim", key="1").key == "1"
