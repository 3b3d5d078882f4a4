"""A stand-in suggester registered the way real ones are (a module of store.suggest
with ``build``), so ``margin suggest`` is tested apart from what the real ones find."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from margin.store.suggest import Suggestion

NUMBER = re.compile(r"\d[\d,.]*%?|\b(?:Watson|Mayorkas)\b")


@dataclass
class Numbers:
    """Numbers as statistics (0.9 with a per cent sign, else 0.5) and two surnames as
    people (0.7): enough variety of labels and scores to filter on."""

    name: str = "numbers"
    labels: tuple[str, ...] = ("statistic", "person")
    notice: str = ""

    def suggest(self, text: str) -> Iterator[Suggestion]:
        for match in NUMBER.finditer(text):
            found = match.group()
            if found[0].isdigit():
                yield Suggestion(match.start(), match.end(), "statistic", 0.9 if found.endswith("%") else 0.5, self.name)
            else:
                yield Suggestion(match.start(), match.end(), "person", 0.7, self.name)


def register(monkeypatch: pytest.MonkeyPatch, *, default: bool = True, notice: str = "") -> None:
    """Make ``numbers`` a suggester (and the default set, unless told otherwise)."""
    module = types.ModuleType("margin.store.suggest.numbers_for_tests")
    module.build = lambda db, options: Numbers(notice=notice)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(sys.modules["margin.store.suggest"].SUGGESTERS, "numbers", "numbers_for_tests")
    if default:
        monkeypatch.setattr("margin.store.suggest.DEFAULT", ("numbers",))


def expected(text: str) -> list[tuple[str, str, float]]:
    """(quote, label, score) of what ``numbers`` finds in ``text``, in order."""
    return [(text[s.start:s.end], s.label, s.score) for s in Numbers().suggest(text)]
