"""Soft wrapping by cell width: offsets map to (row, column) and back, rows cover the text
exactly, and what Rich measures when drawing a row is what the layout planned; with
reflow, hard-wrapped paragraphs fill the measure while deliberately broken lines keep
their breaks, and texts without soft newlines lay out as they always did."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from margin.tui.text.cells import COMPLEX, PLACEHOLDER, TAB_SIZE
from margin.tui.text.layout import Layout
from margin.tui.text.reflow import MAX_BLOCK_LINES, hard_lines, soft_newlines
from margin.tui.text.rows import simple_rows, wrap_complex
from margin.tui.text.sanitise import sanitise

TRICKY = [
    *"ab cd  \n\t.",
    "é", "\u0301", "中", "文", "😀", "\u200d", "\ufe0f", "\x1b", "\x07", "\x08", "\x7f",
    "\x85", "\u3000", "\xa0", "🇺", "🇸", "❤", "\u200b", "\xad", "\u2028", "\u202e", "\r",
]
texts = st.lists(st.sampled_from(TRICKY) | st.characters(), max_size=80).map("".join)
plain = st.lists(st.sampled_from(list("abcdefgh     \n")), max_size=200).map("".join)


def hard_wrap(words: list[str], width: int) -> str:
    """Words joined by spaces and broken into lines of at most `width`, as books are."""
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


# Hard-wrapped paragraphs between blank lines, with lines that keep their breaks mixed in.
VOCABULARY = (
    "a I of to the news Prince Genoa Lucca estates Buonapartes warn don’t Antichrist—I faithful slave, "
    "frightened you—sit Pávlovna Schérer, incomprehensibility"
).split()
prose_word = st.sampled_from(VOCABULARY)
tricky_word = st.builds(str.__add__, prose_word, st.sampled_from(TRICKY))
set_lines = st.sampled_from(["CHAPTER I", "    indented verse", "- a list item", "| a | b |", "> quoted"])
paragraph = st.one_of(
    st.builds(hard_wrap, st.lists(prose_word | tricky_word, min_size=12, max_size=50), st.integers(56, 90)),
    st.lists(set_lines | st.builds(hard_wrap, st.lists(prose_word, max_size=14), st.integers(60, 80)), max_size=4)
    .map("\n".join),
)
hard_wrapped = st.lists(paragraph, min_size=1, max_size=4).map("\n\n".join)


def rows(layout: Layout) -> list:
    return list(layout.iter_rows())


def shown(layout: Layout) -> list[str]:
    return [row.display(layout.text, row.start, row.end) for row in rows(layout) if not row.gap]


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(1, 30), st.booleans())
@example("a\U00016fe0", 2, False)  # a wide character outside the WIDE estimate's ranges
def test_offsets_round_trip_through_rows_and_columns(text, width, gap):
    layout = Layout(text, width, paragraph_gap=gap)
    for offset in range(len(text)):
        row, column = layout.offset_to_rowcol(offset)
        assert layout.rowcol_to_offset(row, column) == layout.cluster_start(offset)
        if layout.cluster_start(offset) == offset:
            assert layout.rowcol_to_offset(row, column) == offset


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(1, 30), st.booleans())
def test_rows_own_every_offset_once_in_order(text, width, gap):
    layout = Layout(text, width, paragraph_gap=gap)
    owned = [offset for row in rows(layout) if not row.gap for offset in range(row.start, row.stop)]
    assert owned == list(range(len(text)))


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(1, 30))
def test_rich_measures_every_cluster_as_the_layout_placed_it(text, width):
    layout = Layout(text, width)
    for row in rows(layout):
        assert cell_len(row.display(text, row.start, row.stop)) == row.cells + row.newline
        bounds = sorted({row.cluster_start(offset) for offset in range(row.start, row.end)} | {row.end})
        for low, high in zip(bounds, bounds[1:]):
            assert cell_len(row.display(text, low, high)) == row.column(high) - row.column(low)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(2, 30))
def test_rows_never_start_inside_a_grapheme_cluster(text, width):
    layout = Layout(text, width)
    for row in rows(layout):
        assert layout.cluster_start(row.start) == row.start


@settings(max_examples=300, deadline=None)
@given(plain, st.integers(1, 40))
def test_plain_text_fast_path_wraps_like_the_cluster_path(text, width):
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        fast = simple_rows(text, start, end, width)
        slow = [(row.start, row.end) for row in wrap_complex(text, start, end, width, False)]
        assert fast == slow
        start = end + 1


@settings(max_examples=300, deadline=None)
@given(plain, st.integers(1, 40))
def test_words_break_only_when_longer_than_the_measure(text, width):
    layout = Layout(text, width)
    for row in rows(layout):
        assert len(text[row.start : row.end].rstrip(" ")) <= width
        cut_inside_word = (
            not row.newline
            and row.end < len(text)
            and text[row.end] not in " \n"
            and text[row.end - 1] != " "
        )
        if cut_inside_word:
            # Only a word that alone fills the row may be cut.
            assert " " not in text[row.start + 1 : row.end]


@settings(max_examples=150, deadline=None)
@given(hard_wrapped, st.integers(1, 60))
def test_reflowed_offsets_round_trip_and_each_belongs_to_one_row(text, width):
    layout = Layout(text, width, reflow=True)
    owned = [offset for row in rows(layout) for offset in range(row.start, row.stop)]
    assert owned == list(range(len(text)))
    for offset in range(len(text)):
        row, column = layout.offset_to_rowcol(offset)
        assert layout.rowcol_to_offset(row, column) == layout.cluster_start(offset)


@settings(max_examples=150, deadline=None)
@given(hard_wrapped, st.integers(1, 60))
def test_rich_measures_reflowed_rows_as_the_layout_placed_them(text, width):
    layout = Layout(text, width, reflow=True)
    for row in rows(layout):
        assert layout.cluster_start(row.start) == row.start
        drawn = row.display(text, row.start, row.stop)
        assert "\n" not in drawn
        assert cell_len(drawn) == row.cells + row.newline
        bounds = sorted({row.cluster_start(offset) for offset in range(row.start, row.end)} | {row.end})
        for low, high in zip(bounds, bounds[1:]):
            assert cell_len(row.display(text, low, high)) == row.column(high) - row.column(low)


@settings(max_examples=100, deadline=None)
@given(hard_wrapped, st.integers(1, 60), st.randoms(use_true_random=False))
def test_reflowed_rows_by_index_match_iter_rows_whatever_order_they_are_wrapped(text, width, random):
    layout = Layout(text, width, reflow=True)
    offsets = list(range(len(text)))
    random.shuffle(offsets)
    for offset in offsets:
        layout.row_of(offset)
    assert layout.exact
    every = [(row.start, row.end, row.newline) for row in rows(layout)]
    assert layout.row_count == len(every)
    assert [(r.start, r.end, r.newline) for r in map(layout.row, range(layout.row_count))] == every


@settings(max_examples=200, deadline=None)
@given(st.lists(prose_word, min_size=1, max_size=80), st.integers(72, 90), st.integers(1, 60))
def test_a_reflowed_paragraph_fills_every_row_but_its_last(words, wrap, width):
    text = hard_wrap(words, wrap)
    assert all(soft_newlines(text.split("\n")))
    layout = Layout(text, width, reflow=True)
    paragraph_rows = rows(layout)
    assert "".join(row.display(text, row.start, row.stop) for row in paragraph_rows).rstrip() == " ".join(words)
    for row, following in zip(paragraph_rows, paragraph_rows[1:]):
        shown = row.display(text, row.start, row.end)
        if shown.endswith(" "):
            next_word = text[following.start : following.end].replace("\n", " ").split(" ")[0]
            assert len(shown.rstrip(" ")) + 1 + len(next_word) > width
        else:  # a word longer than the measure, cut
            assert cell_len(shown) == width


@settings(max_examples=150, deadline=None)
@given(hard_wrapped, st.integers(1, 40))
def test_reflow_fast_path_wraps_like_the_cluster_path(text, width):
    plain_text = "".join(character if character in " \nabcdefghij" else "x" for character in text)
    layout = Layout(plain_text, width, reflow=True)
    for block in range(layout.block_count):
        start = layout._starts[block]
        for first, last in hard_lines(plain_text, start, start + layout._lengths[block]):
            fast = simple_rows(plain_text, first, last, width, soft=True)
            slow = [(row.start, row.end) for row in wrap_complex(plain_text, first, last, width, False)]
            assert fast == slow


def test_simple_characters_are_each_one_cell_and_never_join():
    singles = [
        chr(code)
        for code in range(0x20, 0x3000)
        if chr(code) != "\n" and COMPLEX.match(chr(code)) is None
    ]
    assert len(singles) > 2500
    for character in singles:
        assert get_character_cell_size(character) == 1, hex(ord(character))
        assert unicodedata.combining(character) == 0, hex(ord(character))
        assert unicodedata.category(character) not in ("Mn", "Me", "Cf", "Cc"), hex(ord(character))


def test_wide_characters_take_two_cells_and_keep_columns_aligned():
    text = "中文 abc 😀 end"
    layout = Layout(text, 40)
    assert layout.offset_to_rowcol(0) == (0, 0)
    assert layout.offset_to_rowcol(1) == (0, 2)
    assert layout.offset_to_rowcol(3) == (0, 5)
    assert layout.offset_to_rowcol(text.index("😀")) == (0, 9)
    assert layout.offset_to_rowcol(text.index("end")) == (0, 12)
    # The second cell of a wide character maps back to the character.
    assert layout.rowcol_to_offset(0, 3) == 1


def test_cjk_wraps_between_characters():
    layout = Layout("一二三四五六七八九十", 6)
    assert shown(layout) == ["一二三", "四五六", "七八九", "十"]


def test_combining_marks_take_no_cell_and_stay_with_their_base():
    text = "cafe\u0301 ok"
    layout = Layout(text, 40)
    assert layout.offset_to_rowcol(4) == (0, 3)
    assert layout.offset_to_rowcol(5) == (0, 4)
    assert layout.cluster_start(4) == 3
    assert layout.cluster_end(3) == 5
    narrow = Layout("abe\u0301cd", 3)
    assert shown(narrow) == ["abe\u0301", "cd"]


def test_zwj_emoji_sequence_is_one_cluster():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    layout = Layout(f"a{family}b", 40)
    assert layout.cluster_end(1) == 1 + len(family)
    assert layout.offset_to_rowcol(1 + len(family)) == (0, 3)


def test_control_characters_are_shown_inert_without_moving_offsets():
    text = "red \x1b[31mtext\x07 back\x08 del\x7f c1\x9b end"
    layout = Layout(text, 80)
    (line,) = shown(layout)
    assert "\x1b" not in line and "\x07" not in line and "\x08" not in line
    assert "\x7f" not in line and "\x9b" not in line
    assert "␛[31m" in line and "␇" in line and "␈" in line and "␡" in line
    assert cell_len(line) == len(text)
    assert layout.offset_to_rowcol(text.index("end")) == (0, text.index("end"))
    assert sanitise(text) != text and len(sanitise(text)) == len(text)


def test_bidirectional_overrides_are_shown_inert():
    layout = Layout("abc\u202edef", 20)
    assert "\u202e" not in shown(layout)[0]


def test_tabs_expand_to_the_next_tab_stop():
    layout = Layout("a\tbc\td", 40)
    assert shown(layout) == ["a" + " " * (TAB_SIZE - 1) + "bc" + "  " + "d"]
    assert layout.offset_to_rowcol(2) == (0, TAB_SIZE)


def test_lone_combining_mark_gets_a_visible_cell():
    layout = Layout("\u0301x", 10)
    assert shown(layout)[0].startswith(PLACEHOLDER)
    assert layout.offset_to_rowcol(1) == (0, 1)


def test_newline_is_drawn_after_the_text_of_its_line():
    text = "one two\nthree"
    layout = Layout(text, 40)
    assert layout.offset_to_rowcol(7) == (0, 7)
    assert layout.row(0).newline and layout.row(0).stop == 8
    assert layout.rowcol_to_offset(0, 30) == 7
    assert layout.rowcol_to_offset(1, 30) == len(text) - 1


def test_trailing_newline_does_not_add_an_empty_line():
    layout = Layout("abc\n", 10)
    assert layout.block_count == 1 and layout.row_count == 1
    assert layout.offset_to_rowcol(3) == (0, 3)
    blank = Layout("abc\n\n", 10)
    assert blank.block_count == 2
    assert blank.offset_to_rowcol(4) == (1, 0)


def test_empty_text_has_one_empty_row():
    layout = Layout("", 10)
    assert layout.row_count == 1
    assert layout.offset_to_rowcol(0) == (0, 0)


def test_paragraph_gap_adds_a_blank_row_between_lines():
    layout = Layout("first paragraph\nsecond one", 40, paragraph_gap=True)
    assert layout.row_count == 3
    assert layout.row(1).gap
    assert layout.row_of(16) == 2
    assert layout.rowcol_to_offset(1, 0) == 15


def test_hanging_spaces_stay_on_the_row_they_end():
    layout = Layout("aaaa    bbbb", 5)
    assert shown(layout) == ["aaaa    ", "bbbb"]


def test_long_words_are_cut_at_the_measure():
    layout = Layout("abcdefghij kl", 4)
    assert shown(layout) == ["abcd", "efgh", "ij ", "kl"]


def test_plain_accented_text_needs_no_cluster_splitting():
    assert Layout("Darién, José Raúl Mulino “quoted” — ’tis", 80).row(0).cols is None
    for text in ("中", "e\u0301", "a\tb", "\x1b"):
        assert Layout(text, 80).row(0).cols is not None


def test_iter_rows_matches_rows_by_index():
    layout = Layout("one two three\nfour five six seven\neight", 6, paragraph_gap=True)
    assert [(row.start, row.end, row.gap) for row in layout.iter_rows()] == [
        (row.start, row.end, row.gap) for row in (layout.row(index) for index in range(layout.row_count))
    ]


def assert_estimated_then_exact(layout: Layout, text: str, tolerance: float) -> None:
    """An estimated layout settles around a screen without moving it, wraps the last
    line on demand, and ends exact within ``tolerance`` rows of its estimate."""
    assert not layout.exact
    estimated = layout.row_count
    middle = len(text) // 2
    layout.settle(middle, 40)
    row = layout.row_of(middle)
    for above in range(row - 40, row + 40):  # drawing a screen around it moves nothing
        layout.row(above)
    assert layout.row_of(middle) == row
    last = len(text) - 1
    row, column = layout.offset_to_rowcol(last)  # wrapping the last line makes it exact
    assert layout.rowcol_to_offset(row, column) == last
    while layout.refine(1.0):
        pass
    assert layout.exact
    exact = layout.row_count
    assert exact == sum(1 for _ in layout.iter_rows())
    assert abs(exact - estimated) <= tolerance
    assert layout.offset_to_rowcol(last)[0] == exact - 1


def test_long_complex_lines_start_estimated_and_become_exact():
    text = "一二三四五 " * 40 + "\n" + "plain line\n" + "中文 " * 50
    assert_estimated_then_exact(Layout(text, 20), text, tolerance=4)


def test_set_width_remeasures_rows(seed_text):
    layout = Layout(seed_text, 88, paragraph_gap=True)
    wide = layout.row_count
    layout.set_width(40)
    assert layout.row_count > wide
    assert all(row.cells <= 41 for row in rows(layout))
    assert all(cell_len(text.rstrip()) <= 40 for text in shown(layout))


def test_seed_article_rows_fit_the_measure(seed_text):
    layout = Layout(seed_text, 60, paragraph_gap=True)
    for text in shown(layout):
        assert cell_len(text.rstrip()) <= 60
    joined = "".join(
        seed_text[row.start : row.stop] for row in rows(layout) if not row.gap
    )
    assert joined == seed_text


def test_war_and_peace_lays_out_every_line(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    layout = Layout(text, 88)
    assert layout.block_count == text.count("\n") + (0 if text.endswith("\n") else 1)
    last = len(text) - 1
    row, column = layout.offset_to_rowcol(last)
    assert layout.rowcol_to_offset(row, column) == last
    middle = len(text) // 2
    assert layout.rowcol_to_offset(*layout.offset_to_rowcol(middle)) == layout.cluster_start(middle)


# -- reflow of hard-wrapped paragraphs -----------------------------------------------------


def opening_paragraph_rows(text: str, layout: Layout) -> list:
    end = text.index("\n\n")
    found = []
    for row in layout.iter_rows():
        found.append(row)
        if row.stop > end:
            return found
    raise AssertionError("the paragraph never ended")


def test_war_and_peace_opening_paragraph_reflows_to_the_measure(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    paragraph = text[: text.index("\n\n")]
    assert paragraph.count("\n") == 6
    for width in (40, 58, 88):
        layout = Layout(text, width, reflow=True)
        found = opening_paragraph_rows(text, layout)
        drawn = [row.display(text, row.start, row.stop) for row in found]
        assert "".join(drawn) == paragraph.replace("\n", " ") + " "
        for row, following in zip(found, found[1:]):
            # No row is shorter than it must be: the next row's first word would not fit.
            next_word = following.display(text, following.start, following.end).split(" ")[0]
            assert cell_len(row.display(text, row.start, row.end).rstrip(" ")) + 1 + cell_len(next_word) > width
            assert not row.newline
        assert found[-1].newline
        if width == 88:
            assert len(found) == 6  # fewer rows than the seven lines it was typed on
    layout = Layout(text, 58, reflow=True)
    assert shown(layout)[:2] == [
        "“Well, Prince, so Genoa and Lucca are now just family ",
        "estates of the Buonapartes. But I warn you, if you don’t ",
    ]
    # The soft newline after "estates of the" is a space in the middle of row 1.
    soft = text.index("\nBuonapartes")
    assert layout.offset_to_rowcol(soft) == (1, len("estates of the"))
    assert layout.rowcol_to_offset(1, len("estates of the")) == soft
    assert layout.row(1).display(text, soft, soft + 1) == " "


def test_a_soft_newline_at_a_row_end_hangs_like_a_space():
    text = "a" * 50 + " bbbb\n" + "c" * 50 + "\n\nnext"
    layout = Layout(text, 55, reflow=True)
    assert shown(layout) == ["a" * 50 + " bbbb ", "c" * 50, "", "next"]
    newline = text.index("\n")
    assert layout.row_of(newline) == 0 and not layout.row(0).newline
    assert layout.offset_to_rowcol(newline) == (0, 55)
    assert layout.rowcol_to_offset(0, 55) == newline


def test_short_indented_quoted_and_listed_lines_keep_their_breaks():
    text = (
        "CHAPTER I\n"
        "It was in July, 1805, and the speaker was the well-known Anna Pávlovna\n"
        "Schérer, maid of honor and favorite of the Empress Márya Fëdorovna.\n"
        "    An indented line keeps its own row\n"
        "and the line after it starts a row of its own, long as it is, and it\n"
        "is joined to this one.\n"
        "- a list item opens a row\n"
        "> and so does a quotation"
    )
    layout = Layout(text, 200, reflow=True)
    assert shown(layout) == [
        "CHAPTER I",
        "It was in July, 1805, and the speaker was the well-known Anna Pávlovna Schérer, maid of honor and "
        "favorite of the Empress Márya Fëdorovna.",
        "    An indented line keeps its own row",
        "and the line after it starts a row of its own, long as it is, and it is joined to this one.",
        "- a list item opens a row",
        "> and so does a quotation",
    ]
    assert [row.newline for row in rows(layout)] == [True] * 5 + [False]


def test_which_newlines_of_a_paragraph_are_soft():
    long = "a line of prose that runs on to about the usual width of a hard-wrapped"
    assert soft_newlines([long, long, "end."]) == [True, True]
    assert soft_newlines(["CHAPTER I", long]) == [False]
    assert soft_newlines(["Release Date: March 21, 2009 [EBook #7178]", "Last Updated: November 4, 2014"]) == [False]
    assert soft_newlines([long, "    indented", long]) == [False, False]
    items = [long, "- " + long, long, "12. " + long, "3) " + long, "\u2022 " + long]
    assert soft_newlines(items) == [False, True, False, False, False]
    assert soft_newlines([long, "1805. A year opens this line"]) == [True]
    assert soft_newlines([long, "> quoted", long, "# heading", long, "| a | b |"]) == [False] * 5
    assert soft_newlines(["1F600      ; fully-qualified     # grinning face with big eyes, a row", long]) == [False]
    # Short compared with the paragraph's longest line, even past the usual width.
    assert soft_newlines([long + long, long, long]) == [True, False]


def test_texts_without_soft_newlines_lay_out_as_before(seed_text, corpus):
    article = (
        "Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant TimeWarner jumped 76% to "
        "$1.13bn for the three months to December.\n\n- call centre operations are part of their business\n"
        " - they are worried about the risk of going abroad\n"
    )
    layout = Layout(article, 30, reflow=True)
    assert [(row.start, row.end, row.newline) for row in rows(layout)] == [
        (0, 27, False), (27, 33, True), (34, 34, True), (35, 65, False), (65, 96, False), (96, 125, False),
        (125, 137, True), (138, 138, True), (139, 168, False), (168, 190, True), (191, 221, False), (221, 241, True),
    ]
    one_per_line = "First paragraph line.\nSecond one, a little longer than the first.\n"
    layout = Layout(one_per_line, 20, paragraph_gap=True)
    assert [(row.start, row.end, row.newline, row.gap) for row in rows(layout)] == [
        (0, 16, False, False), (16, 21, True, False), (21, 21, False, True),
        (22, 43, False, False), (43, 59, False, False), (59, 65, True, False),
    ]
    bbc = (corpus / "bbc-news" / "business" / "001.txt").read_text(encoding="utf-8")
    for width in (30, 58, 88):
        line_by_line = [(row.start, row.end, row.newline) for row in rows(Layout(bbc, width))]
        assert [(row.start, row.end, row.newline) for row in rows(Layout(bbc, width, reflow=True))] == line_by_line
        assert len(line_by_line) > bbc.count("\n")
    assert Layout(seed_text, 58, paragraph_gap=True).block_count == len(seed_text.split("\n"))


def test_a_very_long_paragraph_is_laid_out_in_blocks():
    line = "a line of prose that runs on to about the usual width of a hard-wrapped"
    text = "\n".join([line] * (MAX_BLOCK_LINES + 100))
    layout = Layout(text, 200, reflow=True)
    assert layout.block_count == 2
    ends = [row for row in rows(layout) if row.newline]
    assert len(ends) == 1 and ends[0].end == MAX_BLOCK_LINES * (len(line) + 1) - 1


def test_reflowed_books_are_estimated_then_made_exact(corpus):
    text = (corpus / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    layout = Layout(text, 58, reflow=True)
    assert_estimated_then_exact(layout, text, tolerance=layout.row_count / 50)
