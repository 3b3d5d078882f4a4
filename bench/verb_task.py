"""The verb task of the SLATE user study on margin: label every verb of the seed article
with a custom ``verb`` label, counting the keys a user would press.

    python bench/verb_task.py                 # auto-advance off, then on
    python bench/verb_task.py --limit 20      # only the first 20 verbs

It drives the real app (``App.run_test`` and the Pilot pressing the real keys) on a
scratch database holding the seed article (``../shared/corpus/seed``, whose
``verbs.json`` lists the 116 verbs), and after each run compares what the database
holds with ``verbs.json``: every verb labelled exactly once, with its exact offsets, and
nothing else.

The keys come from a greedy planner, one verb at a time, doing what an efficient user
would: from where the cursor is, the fewest presses that put it on the verb, using the
word motions (``w`` ``b`` and ``E``, the end of a word), the sentence and paragraph
motions (``)`` ``(`` ``}`` ``{``), ``n`` for the last search and a search (``/``, the
term, ``enter``: each character one press) that lands on or a few motions before the
verb; then the label key. A verb that is one word needs no selection, since a label
key labels the word under the cursor; a span that is not one word would be ``v`` then
``E`` until its end. With auto-advance on, a label moves the cursor to the next word,
so a verb right after the one just labelled costs its label key alone.

The planner models the motions with the app's own text engine (``TextMotion``) and the
search the way the reader runs it (smart case, from the character after the cursor,
wrapping); after each verb the bench reads where the app's cursor really is, and a
landing the planner did not predict is counted and printed (it should be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from margin.tui.text.motion import WORD, TextMotion

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seed"

MOTIONS: dict[str, str] = {
    "w": "next_word",
    "b": "previous_word",
    "E": "word_end",
    ")": "next_sentence",
    "(": "previous_sentence",
    "}": "next_paragraph",
    "{": "previous_paragraph",
}
"""The reader's motion keys and the `TextMotion` methods they run."""

SEARCH_AROUND = 4
"""Word starts on either side of a verb a search may land on before motions finish."""


@dataclass(frozen=True)
class Verb:
    start: int
    end: int
    text: str


@dataclass
class Plan:
    keys: list[str]
    """Presses to reach the verb and label it, as Pilot names them."""
    on: int
    """Where the cursor is when the label key is pressed."""
    term: str | None
    """The search term in force afterwards."""


@dataclass
class Planner:
    """Greedy: for each verb, the cheapest way there from the cursor."""

    text: str
    label_key: str
    auto_advance: bool
    motions: tuple[str, ...] = tuple(MOTIONS)
    """The motion keys it may use (without ``E``: the keys margin had before)."""
    motion: TextMotion = field(init=False)
    _word_starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.motion = TextMotion(self.text)
        self._word_starts = [match.start() for match in WORD.finditer(self.text)]

    # -- the model of the reader ------------------------------------------------------

    def after(self, key: str, cursor: int) -> int:
        """Where a motion key leaves the cursor (where it was when it rings the bell)."""
        moved = getattr(self.motion, MOTIONS[key])(cursor)
        return cursor if moved is None else moved

    def search(self, term: str, cursor: int) -> int | None:
        """Where ``/term enter`` (or ``n``) lands: the next match after the cursor,
        wrapping; smart case."""
        pattern = re.compile(re.escape(term), 0 if term != term.lower() else re.IGNORECASE)
        match = pattern.search(self.text, cursor + 1) or pattern.search(self.text, 0)
        return match.start() if match else None

    # -- planning ---------------------------------------------------------------------

    def _motions_to(self, cursor: int, goal: range, limit: int) -> list[str] | None:
        """The fewest motion keys from ``cursor`` into ``goal`` (breadth first), if no
        more than ``limit``."""
        if cursor in goal:
            return []
        seen = {cursor: [""]}
        queue: deque[tuple[int, list[str]]] = deque([(cursor, [])])
        while queue:
            here, path = queue.popleft()
            if len(path) >= limit:
                continue
            for key in self.motions:
                there = self.after(key, here)
                if there in seen:
                    continue
                steps = [*path, key]
                if there in goal:
                    return steps
                seen[there] = steps
                queue.append((there, steps))
        return None

    def _shortest_term(self, cursor: int, landing: int) -> str | None:
        """The shortest word-character term typed from ``landing`` whose search from
        ``cursor`` lands exactly there."""
        end = landing
        while end < len(self.text) and self.text[end].isalnum():
            end += 1
            term = self.text[landing:end]
            if self.search(term, cursor) == landing:
                return term
        return None

    def plan(self, cursor: int, verb: Verb, term: str | None) -> Plan:
        goal = range(verb.start, verb.end)
        exact_word = self.motion.word_at(verb.start) == (verb.start, verb.end)
        if not exact_word:
            goal = range(verb.start, verb.start + 1)
        best = self._motions_to(cursor, goal, limit=40)
        best_term = term
        if term is not None:  # n, n, ... then motions
            here, presses = cursor, list[str]()
            for _ in range(3):
                landing = self.search(term, here)
                if landing is None:
                    break
                here, presses = landing, [*presses, "n"]
                rest = self._motions_to(here, goal, limit=3)
                if rest is not None and (best is None or len(presses) + len(rest) < len(best)):
                    best = [*presses, *rest]
        index = bisect_left(self._word_starts, verb.start)
        for landing in self._word_starts[max(0, index - SEARCH_AROUND) : index + 1]:
            if best is not None and len(best) <= 3:
                break
            typed = self._shortest_term(cursor, landing)
            if typed is None:
                continue
            cost = 2 + len(typed)
            if best is not None and cost >= len(best):
                continue
            rest = self._motions_to(landing, goal, limit=len(best) - cost - 1 if best else 6)
            if rest is not None and (best is None or cost + len(rest) < len(best)):
                best = ["slash", *typed, "enter", *rest]
                best_term = typed
        if best is None:
            raise RuntimeError(f"no way found to {verb}")
        on = self.replay(cursor, best, term)
        keys = list(best)
        if not exact_word:  # v, then E until the span's last character
            keys.append("v")
            while on < verb.end - 1:
                on = self.after("E", on)
                keys.append("E")
            if on != verb.end - 1:
                raise RuntimeError(f"{verb} cannot be selected with E")
        keys.append(self.label_key)
        return Plan(keys, on, best_term if "slash" in best else term)

    def replay(self, cursor: int, keys: Sequence[str], term: str | None) -> int:
        """Where ``keys`` (motions, ``n``, searches) leave the cursor."""
        index = 0
        while index < len(keys):
            key = keys[index]
            if key == "slash":
                close = keys.index("enter", index)
                term = "".join(keys[index + 1 : close])
                landing = self.search(term, cursor) if term else None
                cursor = cursor if landing is None else landing
                index = close + 1
                continue
            if key == "n" and term:
                landing = self.search(term, cursor)
                cursor = cursor if landing is None else landing
            elif key in MOTIONS:
                cursor = self.after(key, cursor)
            index += 1
        return cursor

    def landing_after_label(self, verb: Verb, on: int) -> int:
        """Where the cursor is once the label is made."""
        if self.auto_advance:
            following = self.motion.next_word(verb.end - 1)
            return on if following is None else following
        return on


# -- driving the app ---------------------------------------------------------------------


@dataclass
class Result:
    keys: int
    verbs: int
    surprises: list[str]
    labelled: list[tuple[int, int]]

    @property
    def per_verb(self) -> float:
        return self.keys / max(1, self.verbs)


def load_verbs(limit: int | None = None) -> tuple[str, list[Verb]]:
    data = json.loads((SEED / "verbs.json").read_text(encoding="utf-8"))
    text = (SEED / data["text_file"]).read_text(encoding="utf-8")
    verbs = [Verb(span["start"], span["end"], span["text"]) for span in data["spans"]]
    for verb in verbs:
        assert text[verb.start : verb.end] == verb.text, verb
    return text, verbs[:limit] if limit is not None else verbs


def prepare(path: Path, text: str) -> str:
    """A database with the article and a ``verb`` label; returns the label's key."""
    from margin.store.db import open_database
    from margin.store.documents import add_document
    from margin.store.labels import add_label, list_labels

    db = open_database(path)
    try:
        add_document(db, text, title="US agrees to pay for flights", added_by="bench")
        add_label(db, "verb", description="A main or auxiliary verb")
        labels = list_labels(db)
        verb = next(label for label in labels if label.name == "verb")
        return verb.key or str([label.name for label in labels].index("verb") + 1)
    finally:
        db.close()


async def run_task(path: Path, text: str, verbs: list[Verb], *, auto_advance: bool,
                   annotator: str = "ana") -> Result:
    """Label ``verbs`` in the app on ``path`` (prepared by `prepare`) with the planner's
    keys; the keys pressed, and where the app's cursor surprised the planner."""
    from margin.store.annotations import query_annotations
    from margin.store.db import open_database
    from margin.store.labels import list_labels
    from margin.tui.app import make_app
    from margin.tui.config import Settings

    db = open_database(path)
    try:
        labels = list_labels(db)
    finally:
        db.close()
    verb_label = next(label for label in labels if label.name == "verb")
    label_key = verb_label.key or str([label.name for label in labels].index("verb") + 1)
    planner = Planner(text, label_key, auto_advance)
    app = make_app(path, annotator, replace(Settings(), auto_advance=auto_advance), None)
    app.cursor_blink = False
    pressed = 0
    surprises: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reader = app.main.reader
        assert reader.document is not None and reader.document.text == text
        term: str | None = None
        for verb in verbs:
            plan = planner.plan(reader.cursor, verb, term)
            motions, label = plan.keys[:-1], plan.keys[-1]
            await pilot.press(*motions)
            await pilot.pause()
            if reader.cursor != plan.on:
                surprises.append(f"{verb.text}@{verb.start}: planned {plan.on}, cursor at {reader.cursor}")
            await pilot.press(label)
            await pilot.pause()
            pressed += len(plan.keys)
            term = plan.term
            expected = planner.landing_after_label(verb, plan.on)
            if reader.cursor != expected:
                surprises.append(f"after {verb.text}@{verb.start}: planned {expected}, cursor at {reader.cursor}")
    db = open_database(path)
    try:
        labelled = [(a.start, a.end) for a in query_annotations(db) if a.label == "verb"]
    finally:
        db.close()
    return Result(pressed, len(verbs), surprises, sorted(labelled))


def keys_planned(text: str, verbs: list[Verb], planner: Planner) -> int:
    """The planner's presses for the task without the app (its model of the reader)."""
    cursor, term, total = 0, None, 0
    for verb in verbs:
        plan = planner.plan(cursor, verb, term)
        total += len(plan.keys)
        cursor, term = planner.landing_after_label(verb, plan.on), plan.term
    return total


def exact(result: Result, verbs: list[Verb]) -> bool:
    return result.labelled == sorted((verb.start, verb.end) for verb in verbs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N verbs")
    options = parser.parse_args(argv)
    text, verbs = load_verbs(options.limit)
    print(f"SLATE verb task: {len(verbs)} verbs of the seed article ({len(text)} characters)")
    print("before end-of-word and auto-advance, the study counted 790 keys, 6.8 per verb")
    without_e = keys_planned(text, verbs, Planner(text, "4", False, motions=tuple(k for k in MOTIONS if k != "E")))
    print(f"planner with the keys margin had before (no E, no auto-advance): {without_e} keys, "
          f"{without_e / max(1, len(verbs)):.2f} per verb (planned, not driven)")
    ok = True
    for auto_advance in (False, True):
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "verbs.db"
            prepare(path, text)
            result = asyncio.run(run_task(path, text, verbs, auto_advance=auto_advance))
        correct = exact(result, verbs)
        ok = ok and correct and not result.surprises
        print(
            f"auto-advance {'on ' if auto_advance else 'off'}: {result.keys} keys, "
            f"{result.per_verb:.2f} per verb; every verb labelled exactly: {'yes' if correct else 'NO'}; "
            f"planner surprises: {len(result.surprises)}"
        )
        for surprise in result.surprises[:10]:
            print(f"    {surprise}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
