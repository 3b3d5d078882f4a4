"""A dictionary that keeps only its most recently set entries.

Textual's ``LRUCache`` keeps the first value set for a key (setting it again does
not replace it), which suits strips but not state that changes, such as the
annotations of a document put aside.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V]):
    """At most ``size`` entries; setting one makes it the newest, the oldest goes."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
