"""The patterns suggester: Prodigy/spaCy patterns files (phrase and token patterns,
in the shapes of Prodigy's own example files), errors naming the file and line, and
parity with spaCy's tokenizer and Matcher for the keys margin reads itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from margin.store.documents import add_document
from margin.store.errors import FormatError
from margin.store.suggest import Options, build
from margin.store.suggest import patterns as patterns_module
from margin.store.suggest.patterns import PatternsSuggester, _outermost, parse_patterns
from margin.store.suggest.patterns_match import compile_tokens, match_tokens
from margin.store.suggest.patterns_tokens import like_num, token_spans, tokenise, word_shape
from margin.store.suggest.run import suggest_documents

# The shapes of Prodigy's example patterns files (prodigy-recipes/example-patterns):
# lower-case token patterns over punctuation tokens, and phrase patterns.
PRODIGY_STYLE = [
    {"label": "GPE", "pattern": [{"lower": "people"}, {"lower": "'s"}, {"lower": "republic"}, {"lower": "of"},
                                 {"lower": "china"}]},
    {"label": "GPE", "pattern": [{"lower": "bosnia"}, {"lower": "-"}, {"lower": "herzegovina"}]},
    {"label": "GPE", "pattern": [{"lower": "u.s."}, {"lower": "virgin"}, {"lower": "islands"}]},
    {"label": "TRICK", "pattern": "drop-in"},
    {"label": "TRICK", "pattern": "180 ollie"},
    {"label": "person", "pattern": "Adrienne Watson"},
    {"label": "person", "pattern": [{"lower": "alejandro"}, {"text": "Mayorkas"}]},
]


def write(tmp_path: Path, lines: list[object], name: str = "patterns.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
                    encoding="utf-8")
    return path


def found(suggester: PatternsSuggester, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in suggester.suggest(text)]


def test_phrase_and_token_patterns(tmp_path: Path) -> None:
    path = write(tmp_path, PRODIGY_STYLE)
    suggester = PatternsSuggester(parse_patterns(path), path)
    text = ("The People's Republic of China and Bosnia-Herzegovina; the U.S. Virgin Islands. "
            "A drop-in, a 180 ollie, a drop-inn. Adrienne Watson met Alejandro Mayorkas, not alejandro mayorkas "
            "nor adrienne watson.")
    assert found(suggester, text) == [
        ("People's Republic of China", "GPE"), ("Bosnia-Herzegovina", "GPE"), ("U.S. Virgin Islands", "GPE"),
        ("drop-in", "TRICK"), ("180 ollie", "TRICK"), ("Adrienne Watson", "person"), ("Alejandro Mayorkas", "person"),
    ]
    assert suggester.labels == ("GPE", "TRICK", "person")


def test_operators_and_flags(tmp_path: Path) -> None:
    path = write(tmp_path, [
        {"label": "statistic", "pattern": [{"like_num": True}, {"lower": "migrants"}]},
        {"label": "statistic", "pattern": [{"is_digit": True}, {"text": "%", "OP": "?"}, {"lower": "rise"}]},
        {"label": "person", "pattern": [{"is_title": True, "OP": "+"}, {"lower": "said"}]},
        {"label": "code", "pattern": [{"shape": "dd-dd"}]},
        {"label": "shout", "pattern": [{"is_upper": True, "is_punct": False}, {"is_punct": True, "OP": "*"},
                                       {"lower": {"IN": ["now", "today"]}}]},
        {"label": "not", "pattern": [{"lower": "not"}, {"lower": "very", "OP": "!"}, {"lower": "good"}]},
    ])
    suggester = PatternsSuggester(parse_patterns(path), path)
    text = "Over 520,000 migrants. A 40 % rise, a 7 rise. Mayorkas said. Code 12-34. STOP!! now. not so good, not very good."
    assert found(suggester, text) == [
        ("520,000 migrants", "statistic"), ("40 % rise", "statistic"), ("7 rise", "statistic"),
        ("Mayorkas said", "person"), ("STOP!! now", "shout"), ("not so good", "not"),
    ]  # "12-34" is three tokens, as in spaCy, so the shape never matches


def test_through_suggest_documents(fresh_db, tmp_path: Path) -> None:
    path = write(tmp_path, [{"label": "person", "pattern": "Adrienne Watson"}])
    document, _ = add_document(fresh_db, "Adrienne Watson said it. Adrienne Watsons did not.", title="t")
    suggesters = build(fresh_db, ["patterns"], Options(patterns=path))
    report = suggest_documents(fresh_db, suggesters, annotator="tester")
    assert report.by_suggester == {"patterns": 1}
    row = fresh_db.execute("select start, \"end\", origin from annotations where doc_id = ?", [document.id]).fetchall()
    assert row == [(0, 15, "suggest:patterns")]
    assert patterns_module.build(fresh_db, Options()) is None  # no file, nothing to offer


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not JSON"),
    ('["label", "pattern"]', "JSON object"),
    ('{"pattern": "Watson"}', '"label"'),
    ('{"label": "", "pattern": "Watson"}', '"label"'),
    ('{"label": "person"}', '"pattern" must be a string or a list'),
    ('{"label": "person", "pattern": 12}', '"pattern" must be a string or a list'),
    ('{"label": "person", "pattern": ["Watson"]}', "list of objects"),
    ('{"label": "person", "pattern": []}', "list of objects"),
    ('{"label": "person", "pattern": ""}', "empty phrase"),
    # shapes that crashed with a traceback (TypeError, regex.error, RecursionError)
    ('{"label": "person", "pattern": [{"OP": []}]}', "OP takes a string"),
    ('{"label": "person", "pattern": [{"OP": {"*": 1}}]}', "OP takes a string"),
    ('{"label": "person", "pattern": [{"lower": {"IN": [["x"]]}}]}', "IN takes a list of strings"),
    ('{"label": "person", "pattern": [{"lower": {"NOT_IN": [{"a": 1}]}}]}', "NOT_IN takes a list"),
    ('{"label": "person", "pattern": [{"lower": {"IN": "x"}}]}', "IN takes a list"),
    ('{"label": "person", "pattern": [{"text": {"REGEX": "("}}]}', "bad REGEX"),
    ('{"label": "person", "pattern": [{"text": {"REGEX": ["a"]}}]}', "REGEX takes a string"),
    ('{"label": "person", "pattern": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
    # a run of any token matches every run of the document: quadratic, refused
    ('{"label": "person", "pattern": [{"OP": "*"}]}', "square of its length"),
    ('{"label": "person", "pattern": [{"lower": "the"}, {"OP": "+"}, {"lower": "end"}]}', "token 2"),
    ('{"label": "person", "pattern": [{"lower": {"NOT_IN": ["a"]}, "op": "+"}, {"pos": "X"}]}', "any token"),
])
def test_bad_lines_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, [{"label": "person", "pattern": "Watson"}, "", line])
    with pytest.raises(FormatError) as caught:
        parse_patterns(path)
    assert caught.value.line == 3 and caught.value.path == str(path)
    assert message in caught.value.reason
    assert str(caught.value).startswith(f"{path}:3: ")


@pytest.mark.parametrize("content", [b'{"label":"person","pattern":"Jos\xe9"}\n', b"\x89PNG\r\n\x1a\n\x00\xff\xfe"])
def test_a_file_not_utf8_is_a_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "patterns.jsonl"
    path.write_bytes(content)
    with pytest.raises(FormatError) as caught:
        parse_patterns(path)
    assert caught.value.path == str(path) and "cannot read" in caught.value.reason


def test_the_cli_says_one_line_for_a_malformed_file(fresh_db, db_location: str, tmp_path: Path) -> None:
    import subprocess

    path = write(tmp_path, ['{"label": "person", "pattern": [{"OP": []}]}'])
    done = subprocess.run([sys.executable, "-m", "margin", "--db", str(db_location), "suggest", "--suggester", "patterns",
                           "--patterns", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"{path}:1: " in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_wildcards_with_a_test_still_compile() -> None:
    compile_tokens([{"lower": "the"}, {"is_punct": False, "OP": "*"}, {"lower": {"NOT_IN": ["a"]}, "OP": "?"}])


def test_outermost_keeps_the_longest_on_a_whole_book(corpus: Path) -> None:
    """Every "the" of War and Peace (the speed is the bench's to measure; this pins
    what is kept: whole words, none overlapping)."""
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    suggester = PatternsSuggester(parse_patterns(Path("the.jsonl"), iter(['{"label": "x", "pattern": "the"}'])))
    out = list(suggester.suggest(text))
    assert len(out) > 30_000 and all(text[s.start:s.end] == "the" for s in out)
    assert all(a.end <= b.start for a, b in zip(out, out[1:]))
    spans = [(0, 10, "a"), (2, 4, "a"), (8, 12, "a"), (10, 12, "a"), (3, 9, "b"), (0, 3, "a"), (12, 20, "a"),
             (11, 13, "a"), (20, 21, "a"), (19, 21, "a")]
    assert _outermost(spans) == [(0, 10, "a"), (3, 9, "b"), (10, 12, "a"), (12, 20, "a"), (20, 21, "a")]


def test_other_keys_without_spacy_are_refused_with_the_key(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, [{"label": "person", "pattern": "Watson"},
                            {"label": "person", "pattern": [{"pos": "PROPN"}, {"lower": "said"}]}])
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(FormatError) as caught:
        parse_patterns(path)
    assert caught.value.line == 2
    assert "'pos'" in caught.value.reason and "pip install" in caught.value.reason


def test_other_keys_go_to_spacys_matcher_when_it_is_installed(tmp_path: Path) -> None:
    import spacy  # noqa: F401  # the test extra installs it
    path = write(tmp_path, [{"label": "long", "pattern": [{"length": {">=": 9}}, {"lower": "said"}]}])
    suggester = PatternsSuggester(parse_patterns(path), path)
    assert suggester.matcher is not None
    text = "Blinken said, Mayorkas said."
    assert found(suggester, text) == []
    assert found(suggester, "Schwarzenegger said.") == [("Schwarzenegger said", "long")]
    pos = write(tmp_path, [{"label": "x", "pattern": [{"pos": "PROPN"}]}], "pos.jsonl")
    with pytest.raises(FormatError) as caught:  # a blank pipeline has no tagger: said at build, with the line
        PatternsSuggester(parse_patterns(pos), pos)
    assert caught.value.line == 1 and "spacy_model" in caught.value.reason


def test_shape_and_like_num_as_spacy_computes_them() -> None:
    import spacy  # the test extra installs it
    nlp = spacy.blank("en")
    words = ["Watson", "520,000", "40", "ten", "3rd", "tenth", "1/2", "COVID-19", "iPhone", "aaaaaa", "x", "-5", "£1.2bn"]
    checked = 0
    for word in words:
        doc = nlp.make_doc(word)
        if len(doc) != 1:
            continue  # "£1.2bn" is three tokens
        token, checked = doc[0], checked + 1
        assert word_shape(word) == token.shape_, word
        assert like_num(word) == token.like_num, word
    assert checked >= 10


def _corpus_texts(corpus: Path) -> list[str]:
    texts = [(corpus / "seed" / "darien-gap-article.txt").read_text(encoding="utf-8")]
    for category in ("business", "entertainment", "politics", "sport", "tech"):
        for number in ("001", "002", "003", "004", "005"):
            texts.append((corpus / "bbc-news" / category / f"{number}.txt").read_text(encoding="utf-8"))
    return texts


def test_tokens_agree_with_spacy_on_ordinary_text(corpus: Path) -> None:
    import spacy  # the test extra installs it
    nlp = spacy.blank("en")
    samples = _corpus_texts(corpus) + [
        "U.S. Mr. J. Blinken, L.A. and St. Louis: $86m (£46m). 60-mile, 19-20 March, 40%, 520,000.",
        "I'm sure they'll say we can't and won't; she's O'Sullivan's rival... Really?! \"Yes.\"",
        "Hello\nworld  twice, e-mail at 8am, 1.2m. and x.com or samantha.kamman@christianpost.com.",
    ]
    for text in samples:
        assert token_spans(text) == [(t.idx, t.idx + len(t.text)) for t in nlp.tokenizer(text)], text[:60]


PARITY_PATTERNS = [
    [{"lower": "the"}, {"is_title": True, "OP": "+"}],
    [{"is_title": True}, {"is_title": True, "OP": "?"}, {"lower": {"IN": ["said", "says", "stated"]}}],
    [{"like_num": True}, {"is_punct": True, "OP": "*"}, {"is_lower": True}],
    [{"is_digit": True, "OP": "+"}],
    [{"shape": "Xxxxx"}, {"is_punct": False, "OP": "*"}, {"lower": "department"}],
    [{"text": "State"}, {"lower": "department", "OP": "!"}],
    [{"is_upper": True}, {"ORTH": "'s", "OP": "?"}],
    [{"LOWER": "of"}, {"IS_PUNCT": False, "OP": "*"}, {"IS_PUNCT": True}],
    [{"lower": {"NOT_IN": ["the", "a"]}, "is_lower": True}, {"lower": "migrants"}],
    [{"lower": {"REGEX": "^mig"}}],
]


@pytest.mark.parametrize("pattern", PARITY_PATTERNS, ids=[str(i) for i in range(len(PARITY_PATTERNS))])
def test_token_patterns_match_as_spacys_matcher_does(corpus: Path, pattern: list[dict]) -> None:
    import spacy  # the test extra installs it
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("P", [pattern])
    steps = compile_tokens(pattern)
    total = 0
    for text in _corpus_texts(corpus)[:8]:
        doc = nlp.make_doc(text)
        theirs = sorted((doc[s:e].start_char, doc[s:e].end_char) for _, s, e in matcher(doc))
        tokens = tokenise(text)
        ours = sorted((tokens[s].start, tokens[e - 1].end) for s, e in match_tokens(tokens, steps))
        assert ours == theirs, text[:60]
        total += len(ours)
    assert total > 0  # each pattern is exercised
