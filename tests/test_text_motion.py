"""Word, sentence and paragraph motions agree with a whole-text scan, on articles with
one paragraph per line and on books with blank lines between hard-wrapped paragraphs."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from margin.tui.text.motion import WORD, TextMotion, has_blank_lines

texts = st.lists(
    st.sampled_from(list("ab9 é,.-'’\n\n\t") + ["  ", "\n \n", "U.S. ", "Mr. ", "? ", "! "]),
    max_size=80,
).map("".join)


def word_starts(text):
    return [match.start() for match in WORD.finditer(text)]


def paragraphs(text, blank_lines):
    """(start, end) of every paragraph, by splitting the whole text."""
    separator = re.compile(r"\n(?:[^\S\n]*\n)+" if blank_lines else r"\n+")
    found = []
    position = 0
    for match in list(separator.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        if chunk.strip():
            leading = len(chunk) - len(chunk.lstrip())
            found.append((position + leading, position + len(chunk.rstrip())))
        if match:
            position = match.end()
    return found


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_word_motions_match_a_whole_text_scan(text, data):
    motion = TextMotion(text)
    starts = word_starts(text)
    for offset in data.draw(st.lists(st.integers(0, max(len(text), 1)), max_size=10)):
        after = [start for start in starts if start > offset]
        before = [start for start in starts if start < offset]
        assert motion.next_word(offset) == (after[0] if after else None)
        assert motion.previous_word(offset) == (before[-1] if before else None)
        around = [m.span() for m in WORD.finditer(text) if m.start() <= offset < m.end()]
        assert motion.word_at(offset) == (around[0] if around else None)


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_paragraph_motions_match_a_whole_text_split(text, data):
    motion = TextMotion(text)
    found = paragraphs(text, motion.blank_lines)
    starts = [start for start, _ in found]
    for offset in data.draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=10)):
        after = [start for start in starts if start > offset]
        before = [start for start in starts if start < offset]
        assert motion.next_paragraph(offset) == (after[0] if after else None)
        assert motion.previous_paragraph(offset) == (before[-1] if before else None)
        if not found:
            assert motion.paragraph_at(offset) is None
            continue
        holding = [p for p in found if p[0] <= offset]
        expected = holding[-1] if holding else found[0]
        assert motion.paragraph_at(offset) == expected


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_sentence_motions_move_the_right_way_and_contain_the_offset(text, data):
    motion = TextMotion(text)
    for offset in data.draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=10)):
        following = motion.next_sentence(offset)
        assert following is None or following > offset
        preceding = motion.previous_sentence(offset)
        assert preceding is None or preceding < offset
        sentence = motion.sentence_at(offset)
        if sentence is not None and not text[offset].isspace():
            assert sentence[0] <= offset < sentence[1]
            paragraph = motion.paragraph_at(offset)
            assert paragraph[0] <= sentence[0] and sentence[1] <= paragraph[1]


def test_words_keep_internal_punctuation_and_percentages():
    text = "It's a 60-mile stretch; 520,000 people, 40% of them, at 10:30 in the U.S. today"
    motion = TextMotion(text)
    def word(at):
        span = motion.word_at(text.index(at))
        return text[span[0] : span[1]]
    assert word("It's") == "It's"
    assert word("60-") == "60-mile"
    assert word("520") == "520,000"
    assert word("40%") == "40%"
    assert word("10:30") == "10:30"
    assert word("U.S") == "U.S"
    assert motion.word_at(text.index(";")) is None
    assert motion.word_at(text.index(" 60")) is None


def test_word_motion_steps_through_the_seed_article(seed_text):
    motion = TextMotion(seed_text)
    offset, visited = 0, []
    for _ in range(6):
        offset = motion.next_word(offset)
        visited.append(seed_text[offset : motion.word_at(offset)[1]])
    assert visited == ["agrees", "to", "pay", "for", "flights", "help"]
    assert motion.previous_word(offset) == seed_text.index("flights")
    assert motion.previous_word(offset + 2) == offset


def test_sentences_skip_abbreviations_and_initials():
    text = "Mr. Smith went to Washington. He saw the U.S. Capitol, e.g. the dome. Then he left! Why? J. R. Ewing knew."
    motion = TextMotion(text)
    offset, sentences = 0, []
    while offset is not None:
        start, end = motion.sentence_at(offset)
        sentences.append(text[start:end])
        offset = motion.next_sentence(offset)
    assert sentences == [
        "Mr. Smith went to Washington.",
        "He saw the U.S. Capitol, e.g. the dome.",
        "Then he left!",
        "Why?",
        "J. R. Ewing knew.",
    ]


def test_sentence_ends_after_closing_quotes(seed_text):
    motion = TextMotion(seed_text)
    inside = seed_text.index("halt the enrichment")
    start, end = motion.sentence_at(inside)
    assert seed_text[start:end].startswith('"By returning such individuals')
    assert seed_text[start:end].endswith('Watson said.')
    assert motion.previous_sentence(start) == seed_text.index("The deal is")


def test_between_sentences_the_sentence_before_is_chosen():
    text = "One two.   Three four."
    motion = TextMotion(text)
    assert motion.sentence_at(9) == (0, 8)
    assert motion.next_sentence(9) == 11
    assert motion.previous_sentence(11) == 0


def test_seed_article_has_one_paragraph_per_line(seed_text):
    motion = TextMotion(seed_text)
    assert not motion.blank_lines
    second_line = seed_text.index("\n") + 1
    assert motion.next_paragraph(0) == second_line
    assert motion.paragraph_at(3) == (0, second_line - 1)
    assert motion.previous_paragraph(second_line) == 0
    count, offset = 1, 0
    while (offset := motion.next_paragraph(offset)) is not None:
        count += 1
    assert count == len([line for line in seed_text.split("\n") if line.strip()])


def test_books_use_blank_lines_and_keep_hard_wrapped_lines_together(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    motion = TextMotion(text)
    assert motion.blank_lines
    start, end = motion.paragraph_at(5)
    assert start == 0
    assert "\n" in text[start:end] and "\n\n" not in text[start:end]
    assert text[end : end + 2] == "\n\n"
    following = motion.next_paragraph(5)
    assert text[following:].startswith("“Heavens!") or text[following - 2 : following] == "\n\n"
    assert motion.previous_paragraph(following) == 0
    late = len(text) - 100
    assert motion.paragraph_at(late)[1] <= len(text)
    assert motion.previous_sentence(late) < late


def test_sentences_and_words_run_across_the_single_newlines_of_a_book(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    motion = TextMotion(text)
    start, end = motion.sentence_at(text.index("Buonapartes"))
    assert text[start:end] == "“Well, Prince, so Genoa and Lucca are now just family estates of the\nBuonapartes."
    anna = text.index("Anna\nPávlovna had had")
    start, end = motion.sentence_at(anna + 8)
    assert (start, text[start:end]) == (anna, "Anna\nPávlovna had had a cough for some days.")
    following = text.index("She was, as she said")
    assert motion.next_sentence(anna) == following
    assert motion.previous_sentence(following) == anna
    assert motion.next_sentence(text.index("la grippe;")) == text.index("All her invitations")
    # The newline between two words is a space to word motions.
    assert motion.word_at(anna + 4) is None
    assert motion.next_word(anna) == anna + 5
    assert motion.previous_word(anna + 5) == anna


def test_bbc_article_paragraphs(corpus):
    text = (corpus / "bbc-news" / "business" / "001.txt").read_text(encoding="utf-8")
    motion = TextMotion(text)
    assert has_blank_lines(text)
    first_break = text.index("\n\n")
    assert motion.paragraph_at(0) == (0, first_break)
    assert motion.next_paragraph(0) == first_break + 2


def test_empty_and_blank_texts_have_nowhere_to_go():
    for text in ("", "   \n\n  "):
        motion = TextMotion(text)
        assert motion.paragraph_at(0) is None
        assert motion.sentence_at(0) is None
        assert motion.next_word(0) is None
        assert motion.next_paragraph(0) is None
        assert motion.previous_sentence(0) is None
