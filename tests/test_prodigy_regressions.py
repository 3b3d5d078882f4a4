"""Prodigy exports that must not crash, blow up or split a decision: malformed kept
meta, odd ``lang`` values, many rejected spans on a long text, long files read in
flat memory, and an annotator's accepted spans kept in one task. Checked with
spaCy (its tokeniser, ``Doc.char_span`` and ``offsets_to_biluo_tags``)."""

from __future__ import annotations

import io
import json

import spacy
from spacy.training import offsets_to_biluo_tags
from test_prodigy_spacy import check_with_spacy, export_cli, tasks_of

from margin.store.annotations import add_annotation
from margin.store.db import open_database
from margin.store.documents import add_document
from margin.store.formats import labelstudio, prodigy
from margin.store.formats import tokens as tokenising
from margin.store.formats.common import stable_int
from margin.store.importing import import_paths
from margin.store.labels import ensure_labels
from margin.store.model import DocumentRecord, SpanRecord

VALID = {"answer": "accept", "spans": [[0, 3, "person"]], "_task_hash": 5}
MALFORMED = [
    {"answer": "accept", "spans": [[0, 3, ["x"]]], "_task_hash": 1},  # a list as label
    {"answer": ["accept"], "spans": [[0, 3, "person"]], "_task_hash": 2},  # a list as answer
    {"answer": "maybe", "spans": [[0, 3, "person"]], "_task_hash": 3},
    {"answer": "accept", "spans": [[0, 3, "person"]], "_task_hash": 4, "_view_id": ["ner"]},
    {"answer": "accept", "spans": [[0, 3, "person"]], "_task_hash": "6"},
    {"answer": "accept", "spans": [["0", 3, "person"]], "_task_hash": 7},
    {"answer": "accept", "spans": [[0, 3, "person"]], "_task_hash": True},
]


def test_malformed_kept_tasks_are_dropped_not_a_crash(db_location):
    path = db_location
    db = open_database(path)
    ensure_labels(db, ["person"])
    for number, task in enumerate(MALFORMED):  # each alone: every one must be survived
        document, _ = add_document(db, f"Ana met Ben {number}", meta={"_prodigy": {"tasks": {"": [task]}}})
        add_annotation(db, document.id, 0, 3, "person", annotator="ana")
    document, _ = add_document(db, "Ana met Ben again", meta={
        "_prodigy": {"_input_hash": True, "tasks": {"": [*MALFORMED, VALID]}}})
    add_annotation(db, document.id, 0, 3, "person", annotator="ana")
    add_document(db, "Nothing here", meta={"_prodigy": {"_input_hash": [1], "tasks": {"ana": [
        {"answer": {"a": 1}, "spans": [], "_task_hash": 8}, {"answer": "accept", "spans": [], "_task_hash": [9]}]}}})
    db.close()
    for tokens in ("--tokens", "--no-tokens"):
        result = export_cli(path, "--format", "prodigy", tokens)
        assert result.exit_code == 0 and result.exception is None, result.output
        assert "Traceback" not in result.output
        tasks = tasks_of(result.stdout)
        assert len(tasks) == len(MALFORMED) + 2
        for task in tasks:
            assert type(task["_task_hash"]) is int and type(task["_input_hash"]) is int
            assert isinstance(task["_view_id"], str) and task["answer"] in ("accept", "ignore")
        hashes = {task["text"]: task["_task_hash"] for task in tasks}
        assert hashes["Ana met Ben again"] == 5  # the one well-formed kept task is still replayed
        assert not {1, 2, 3, 4, 7} & set(hashes.values())
        assert [t["answer"] for t in tasks if t["text"] == "Nothing here"] == ["ignore"]
        if tokens == "--tokens":
            assert check_with_spacy(tasks) == (len(MALFORMED) + 1, len(MALFORMED) + 1)


def _tokens(text: str, lang: str) -> list[str]:
    [task] = tasks_of(_write([DocumentRecord(text=text, id="d", meta={"lang": lang},
                                             spans=[SpanRecord(0, 3, "X")])], tokens=True))
    return [token["text"] for token in task["tokens"]]


def test_lang_meta_is_a_language_code_or_english():
    text = "Das ist z.B. gut"
    english = [token.text for token in spacy.blank("en").tokenizer(text)]
    german = [token.text for token in spacy.blank("de").tokenizer(text)]
    assert english != german  # spaCy's German rules keep "z.B." whole
    for lang in ("lex_attrs", "punctuation", "en.stop_words", "../en", "EN", "zz"):
        assert _tokens(text, lang) == english, lang
    for lang in ("de", "de-DE", "DE-at", "de_DE"):
        assert _tokens(text, lang) == german, lang


def test_a_language_spacy_fails_to_load_falls_back_to_english(monkeypatch):
    def broken(lang, *args, **kwargs):
        if lang == "de":
            raise AttributeError("module 'spacy.lang.de' has no attribute '__all__'")
        return blank(lang, *args, **kwargs)

    blank = spacy.blank
    monkeypatch.setattr(spacy, "blank", broken)
    tokenising._pipeline.cache_clear()
    try:
        assert _tokens("Das ist z.B. gut", "de") == ["Das", "ist", "z.", "B.", "gut"]
    finally:
        tokenising._pipeline.cache_clear()


def _write(records: list[DocumentRecord], **options) -> str:
    out = io.StringIO()
    prodigy.write(records, out, **options)
    return out.getvalue()


def test_many_rejected_spans_on_a_long_text_stay_bounded():
    sentence = "Ana Lopez met Ben Watson in Panama City on Monday. "
    text = sentence * 400  # 20 KB, about 4,000 tokens
    spans = [SpanRecord(i * len(sentence), i * len(sentence) + 9, "person", annotator="ana", status="rejected")
             for i in range(300)]
    spans += [SpanRecord(i * len(sentence) + 14, i * len(sentence) + 24, "person", annotator=name)
              for i in range(20) for name in ("ana", "ben")]
    spans += [SpanRecord(i * len(sentence) + 28, i * len(sentence) + 39, "place", annotator="model",
                         status="suggested") for i in range(100)]
    written = _write([DocumentRecord(text=text, id="d", spans=spans)], tokens=True)
    tasks = tasks_of(written)
    manual = [task for task in tasks if task["_view_id"] != "ner"]
    assert len(manual) == 2 and len(tasks) == 2 + 300 + 100
    tokens_size = len(json.dumps([{"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i,
                                   "ws": bool(t.whitespace_)} for t in spacy.blank("en").tokenizer(text)],
                                 ensure_ascii=False))
    assert tokens_size > 5 * len(text)  # why tokens on every task made the file huge
    # Every task carries the text (Prodigy needs it); only the two manual ones the tokens.
    bound = len(tasks) * (len(text) + 500) + len(manual) * (tokens_size + 40 * 20)
    assert len(written.encode("utf-8")) < bound < 2 * len(tasks) * len(text) < len(tasks) * tokens_size
    assert check_with_spacy(tasks) == (300 + 40 + 100, 300 + 40 + 100)


def test_reader_flushes_once_the_text_held_passes_the_cap(monkeypatch):
    tasks = [{"text": f"text number {n}", "spans": []} for n in range(6)]  # 13 characters each
    read_lines: list[int] = []

    def lines(source, *, encoding=None):
        for line, task in enumerate(tasks, start=1):
            read_lines.append(line)
            yield line, task

    monkeypatch.setattr(prodigy, "iter_json_lines", lines)
    monkeypatch.setattr(prodigy, "MERGE_CHARS", 30)
    records = prodigy.read(io.StringIO(""))
    first = next(records)
    assert first.line == 1 and read_lines == [1, 2, 3]  # 39 characters held: the first goes
    assert [record.line for record in records] == [2, 3, 4, 5, 6]


def test_a_long_texts_questions_gather_under_the_cap(monkeypatch):
    """ner.teach asks many questions about one text: held once, they all reach its
    first record, while other texts still flush by the cap."""
    long = "Ana met Ben in Paris. " * 10
    questions = [{"text": long, "spans": [{"start": 8 * n, "end": 8 * n + 3, "label": "X"}], "answer": "reject",
                  "_input_hash": 1, "_task_hash": 100 + n} for n in range(5)]
    monkeypatch.setattr(prodigy, "MERGE_CHARS", len(long) + 30)
    source = [*questions, *({"text": f"other text {n:>20}", "spans": []} for n in range(4))]
    records = list(prodigy.read(io.StringIO("\n".join(json.dumps(task) for task in source))))
    assert [task["_task_hash"] for task in records[0].meta["_prodigy"]["tasks"][""]] == [100, 101, 102, 103, 104]
    assert len({id(record.text) for record in records[:5]}) == 1


def test_an_added_span_joins_the_annotators_accept_task(db_location, tmp_path):
    text = "Ana met Ben in Paris"
    source = tmp_path / "ana.jsonl"
    source.write_text(json.dumps({"text": text, "_input_hash": 222, "_task_hash": 111, "answer": "accept",
                                  "_annotator_id": "ana", "spans": [{"start": 0, "end": 3, "label": "person"}]})
                      + "\n", encoding="utf-8")
    path = db_location
    db = open_database(path)
    assert import_paths(db, [source], format="prodigy", annotator="tester").ok
    [before] = tasks_of(export_cli(path, "--format", "prodigy").stdout)
    assert (before["_input_hash"], before["_task_hash"]) == (222, 111)
    [doc_id] = [row[0] for row in db.execute("select id from documents")]
    ensure_labels(db, ["place"])
    add_annotation(db, doc_id, 15, 20, "place", annotator="ana", text=text)
    db.close()
    tasks = tasks_of(export_cli(path, "--format", "prodigy").stdout)
    [task] = [t for t in tasks if t["answer"] == "accept" and t.get("_annotator_id") == "ana"]
    assert len(tasks) == 1 and task["_input_hash"] == 222 and task["_task_hash"] != 111
    assert task["_view_id"] == "ner_manual"
    doc = spacy.blank("en").make_doc(text)
    entities = [(span["start"], span["end"], span["label"]) for span in task["spans"]]
    assert offsets_to_biluo_tags(doc, entities) == ["U-person", "O", "O", "O", "U-place"]
    check_with_spacy(tasks)


def test_one_content_hash_for_label_studio_ids_and_prodigy_hashes():
    # Label Studio ids as earlier exports wrote them (tests/test_labelstudio_consumer.py
    # checks whole exports); Prodigy's derived hashes likewise.
    assert labelstudio.stable_id("a") == 7128065739670391 == stable_int("a", bits=53)
    assert labelstudio.stable_id("doc", "accepted", "ana") == 3390683034008913
    assert labelstudio.stable_id("x\ud800y") == 4965111671868328
    assert prodigy._hash("Ana met Ben") == -1339007345 == stable_int('["Ana met Ben"]', bits=32, signed=True)
    assert prodigy._hash(5, [[0, 3, "person"]]) == 12937253
