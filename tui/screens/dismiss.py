"""Callbacks for the values modal screens dismiss with."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def if_chosen(then: Callable[[T], object]) -> Callable[[T | None], None]:
    """A screen's dismiss callback that acts on a choice and ignores a cancel (None)."""

    def callback(value: T | None) -> None:
        if value is not None:
            then(value)

    return callback
