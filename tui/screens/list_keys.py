"""The moves shared by the modal lists (labels, bookmarks, contents, review): each has one
OptionList, moved by j/k (and page keys) while another widget may hold the focus."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList


def move(options: OptionList, step: int) -> None:
    """One row down (step > 0) or up."""
    if step > 0:
        options.action_cursor_down()
    else:
        options.action_cursor_up()


def page(options: OptionList, direction: int) -> None:
    """One page down (direction > 0) or up."""
    if direction > 0:
        options.action_page_down()
    else:
        options.action_page_up()


def remove_row(options: OptionList, rows: list[Any], index: int) -> None:
    """Take row ``index`` out of the list and of ``rows`` (what its options show), the
    highlight staying at the same place."""
    del rows[index]
    options.remove_option_at_index(index)
    if rows:
        options.highlighted = min(index, len(rows) - 1)
