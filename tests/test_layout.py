"""Soft wrapping by cell width: offsets map to (row, column) and back, rows cover the text
exactly, and what Rich measures when drawing a row is what the layout planned."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from tui.layout import _COMPLEX, PLACEHOLDER, TAB_SIZE, Layout, sanitise

TRICKY = [
    *"ab cd  \n\t.",
    "é", "\u0301", "中", "文", "😀", "\u200d", "\ufe0f", "\x1b", "\x07", "\x08", "\x7f",
    "\x85", "\u3000", "\xa0", "🇺", "🇸", "❤", "\u200b", "\xad", "\u2028", "\u202e", "\r",
]
texts = st.lists(st.sampled_from(TRICKY) | st.characters(), max_size=80).map("".join)
plain = st.lists(st.sampled_from(list("abcdefgh     \n")), max_size=200).map("".join)


def rows(layout: Layout) -> list:
    return list(layout.iter_rows())


def shown(layout: Layout) -> list[str]:
    return [row.display(layout.text, row.start, row.end) for row in rows(layout) if not row.gap]


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(1, 30), st.booleans())
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
    layout = Layout(text, width)
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        fast = Layout._simple_rows(text, start, end, width)
        slow = [(row.start, row.end) for row in layout._wrap_complex(start, end, False)]
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


def test_simple_characters_are_each_one_cell_and_never_join():
    singles = [
        chr(code)
        for code in range(0x20, 0x3000)
        if chr(code) != "\n" and _COMPLEX.match(chr(code)) is None
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
    assert layout.line_count == 1 and layout.row_count == 1
    assert layout.offset_to_rowcol(3) == (0, 3)
    blank = Layout("abc\n\n", 10)
    assert blank.line_count == 2
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


def test_long_complex_lines_start_estimated_and_become_exact():
    text = "一二三四五 " * 40 + "\n" + "plain line\n" + "中文 " * 50
    layout = Layout(text, 20)
    assert not layout.exact
    estimated = layout.row_count
    last = len(text) - 1
    row, column = layout.offset_to_rowcol(last)  # wrapping the last line makes it exact
    assert layout.rowcol_to_offset(row, column) == last
    while layout.refine():
        pass
    assert layout.exact
    exact = layout.row_count
    assert exact == sum(1 for _ in layout.iter_rows())
    assert abs(exact - estimated) <= 4
    assert layout.offset_to_rowcol(last)[0] == exact - 1


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
    assert layout.line_count == text.count("\n") + (0 if text.endswith("\n") else 1)
    last = len(text) - 1
    row, column = layout.offset_to_rowcol(last)
    assert layout.rowcol_to_offset(row, column) == last
    middle = len(text) // 2
    assert layout.rowcol_to_offset(*layout.offset_to_rowcol(middle)) == layout.cluster_start(middle)
