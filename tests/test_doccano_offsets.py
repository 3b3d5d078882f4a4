"""doccano offsets counted in UTF-16 code units, as its web interface counts them.

What doccano showed for a span is the JavaScript substring of its text, which is
computed here from the UTF-16 encoding itself, never by margin's own conversion.
The texts are the corpus's astral strings (emoji, astral CJK, mathematical letters)
followed by the corpus's Chinese tutorial text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from transfer_support import span_set

from margin.store.db import open_database
from margin.tui.cli import cli

AUTHOR = "刘慈欣"


def utf16(text: str, offset: int) -> int:
    """A code-point offset counted in UTF-16 code units."""
    return len(text[:offset].encode("utf-16-le")) // 2


def shown(text: str, start: int, end: int) -> str:
    """What a browser shows for UTF-16 offsets: JavaScript's ``text.substring``."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


@pytest.fixture
def documents(corpus: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, code-point spans): the astral string itself, the author's name after
    it, and the text's last character (so a UTF-16 end runs past the code points)."""
    strings = json.loads((corpus / "big-list-of-naughty-strings" / "blns.json").read_text(encoding="utf-8"))
    astral = [s for s in strings if any(ord(c) > 0xFFFF for c in s) and s.strip()]
    books = (corpus / "doccano" / "tutorial_books_multilingual.jsonl").read_text(encoding="utf-8").splitlines()
    chinese = json.loads(books[1])["text"]
    assert len(astral) >= 20 and AUTHOR in chinese
    found = []
    for string in astral:
        text = f"{string} {chinese}"
        author = text.index(AUTHOR)
        found.append((text, [
            (0, len(string), "emoji"), (author, author + len(AUTHOR), "person"), (len(text) - 1, len(text), "end"),
        ]))
    return found


def write_doccano(path: Path, documents, *, as_utf16: bool) -> Path:
    lines = []
    for text, spans in documents:
        label = [[utf16(text, s), utf16(text, e), l] if as_utf16 else [s, e, l] for s, e, l in spans]
        lines.append(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(db: str | Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "--annotator", "tester", *args])


def quotes(db_path: str | Path) -> dict[tuple[str, str], str]:
    db = open_database(db_path)
    try:
        texts = dict(db.execute("select id, text from documents").fetchall())
        return {(texts[doc_id], label): quote for doc_id, _, _, label, quote in span_set(db)}
    finally:
        db.close()


def test_utf16_offsets_store_what_doccano_showed(db_location, tmp_path, documents):
    path = write_doccano(tmp_path / "browser.jsonl", documents, as_utf16=True)
    result = run(db_location, "import", str(path), "--offsets", "utf16")
    assert result.exit_code == 0, result.output
    expected = {}
    for text, spans in documents:
        for s, e, label in spans:
            expected[(text, label)] = shown(text, utf16(text, s), utf16(text, e))
    stored = quotes(db_location)
    assert len(stored) == 3 * len(documents)
    assert stored == expected
    assert {quote for (_, label), quote in stored.items() if label == "person"} == {AUTHOR}


def test_offsets_that_only_fit_as_utf16_are_refused(db_location, tmp_path, documents):
    path = write_doccano(tmp_path / "browser.jsonl", documents, as_utf16=True)
    result = run(db_location, "import", str(path))
    assert result.exit_code == 1
    assert f"failed: {path}:1: end span" in result.stderr
    assert "fits it counted in UTF-16 code units" in result.stderr and "--offsets utf16" in result.stderr
    assert "0 file(s) imported" in result.stdout
    # The same documents with code-point offsets import as they are, by default.
    plain = write_doccano(tmp_path / "python.jsonl", documents, as_utf16=False)
    result = run(db_location, "import", str(plain))
    assert result.exit_code == 0, result.output
    assert quotes(db_location) == {
        (text, label): text[s:e] for text, spans in documents for s, e, label in spans
    }


def test_utf16_offsets_that_split_a_character_are_refused(db_location, tmp_path):
    text = "😍 Ana"
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[1, 3, "person"]]}) + "\n", encoding="utf-8")
    result = run(db_location, "import", str(path), "--offsets", "utf16")
    assert result.exit_code == 1
    assert f"{path}:1: person span 1–3: offset 1 falls inside a character outside the BMP" in result.stderr


def test_offsets_option_is_refused_for_formats_with_span_text(db_location, corpus):
    path = corpus / "prodigy-recipes" / "news_headlines.jsonl"
    result = run(db_location, "import", str(path), "--format", "prodigy", "--offsets", "utf16")
    assert result.exit_code == 2 and "--offsets applies to doccano files" in result.output
    result = run(db_location, "export", "--format", "prodigy", "--offsets", "utf16")
    assert result.exit_code == 2 and "--offsets applies to --format doccano" in result.output


def test_export_with_utf16_offsets_round_trips(places, tmp_path, documents):
    plain = write_doccano(tmp_path / "python.jsonl", documents, as_utf16=False)
    assert run(places("m"), "import", str(plain)).exit_code == 0
    out = tmp_path / "for-doccano.jsonl"
    result = run(places("m"), "export", "--format", "doccano", "--offsets", "utf16", "-o", str(out))
    assert result.exit_code == 0, result.output
    stored = quotes(places("m"))
    seen = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for start, end, label in record["label"]:
            seen[(record["text"], label)] = shown(record["text"], start, end)
    assert seen == stored
    assert len(seen) == 3 * len(documents)
    result = run(places("again"), "import", str(out), "--offsets", "utf16")
    assert result.exit_code == 0, result.output
    assert quotes(places("again")) == stored
    # Without the option the export is in code points, and reads back as they are.
    result = run(places("m"), "export", "--format", "doccano", "-o", str(tmp_path / "cp.jsonl"))
    assert result.exit_code == 0, result.output
    for line in (tmp_path / "cp.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for start, end, label in record["label"]:
            assert stored[(record["text"], label)] == record["text"][start:end]


def test_spans_that_only_look_right_as_utf16_are_warned_about(places, tmp_path, corpus):
    strings = json.loads((corpus / "big-list-of-naughty-strings" / "blns.json").read_text(encoding="utf-8"))
    books = (corpus / "doccano" / "tutorial_books_multilingual.jsonl").read_text(encoding="utf-8").splitlines()
    english = json.loads(books[0])["text"]
    text = f"{strings[strings.index('🐵 🙈 🙉 🙊')]} {english}"
    names = ("Douglas Adams", "BBC Radio 4", "HG2G")
    spans = [(text.index(name), text.index(name) + len(name), "name") for name in names]
    browser = write_doccano(tmp_path / "browser.jsonl", [(text, spans)], as_utf16=True)
    result = run(places("m"), "import", str(browser))
    assert result.exit_code == 0, result.output
    assert f"warning: {browser}:1: in 1 record(s) spans cut words" in result.stderr
    assert "--offsets utf16" in result.stderr
    result = run(places("utf16"), "import", str(browser), "--offsets", "utf16")
    assert result.exit_code == 0 and "warning" not in result.stderr
    db = open_database(places("utf16"))
    assert sorted(quote for *_, quote in span_set(db)) == sorted(
        shown(text, utf16(text, s), utf16(text, e)) for s, e, _ in spans
    ) == sorted(names)
    db.close()
    # Offsets that are code points, or said to be, are taken without a word.
    plain = write_doccano(tmp_path / "python.jsonl", [(text, spans)], as_utf16=False)
    for args in ((str(plain),), (str(browser), "--offsets", "codepoints")):
        result = run(places("quiet"), "import", *args)
        assert result.exit_code == 0 and "warning" not in result.stderr, result.output


def test_a_long_text_with_one_emoji_keeps_one_table_entry():
    """Two million characters and one emoji: the conversion remembers the emoji
    alone, and agrees with the UTF-16 encoding on both sides of it."""
    from margin.store.formats.offsets import table_for

    half = 1_000_000
    text = "a" * half + "\U0001f600" + "b" * (half - 1)
    assert len(text) == 2 * half
    table = table_for(text)
    assert table is not None
    assert len(table.astral) == 1
    assert table.length == len(text.encode("utf-16-le")) // 2
    for point in (0, 1, half - 1, half, half + 1, half + 2, len(text) - 1, len(text)):
        unit = utf16(text, point)
        assert table.to_utf16(point) == unit
        assert table.to_codepoint(unit) == point
    assert table.to_codepoint(half + 1) is None  # between the emoji's two halves
    assert table.splits_pair(half + 1)
    assert table.to_codepoint(table.length + 1) is None
    assert table_for("no astral characters here") is None
