"""Finding people's names in text by rule, without a model.

A capitalised run of words ("Homeland Security Secretary Alejandro Mayorkas") is a
person only with evidence: a title inside it (the name is what follows the last
title), a role written just before it ("spokesperson Adrienne Watson"), a speech verb
just after it ("…, Watson said"), or a name already known. Once a name is found, its
surname alone is a mention of the same person wherever it stands ("Watson said" many
paragraphs later, "the Biden administration"). Runs that hold an organisation's or a
place's word, or that are only a capitalised word at the start of a sentence, are
dropped: capitalisation alone is no evidence, which is why the capitalised-bigram
baseline does badly.

The work is one regular-expression pass over the text and a little Python per
capitalised word, so a whole novel takes well under a second or two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from . import people_words as words
from .patterns_phrases import PhraseMatcher

TOKEN = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_@#'’\-])\p{Lu}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*(?:\.(?=\s))?"
)
LOWER_WORD = regex.compile(r"(?<![\p{L}\p{M}@._/\-])\p{Ll}[\p{Ll}\p{M}]*(?![\p{L}\p{M}@_/]|\.\w)")
PARTICLES = frozenset("de da di del della van von der den le la du bin al el ibn dos das ter".split())
OF_TITLE = regex.compile(r"(\p{L}[\p{L}\-]*)[ \u00a0]+of[ \u00a0]+$")
PREPOSITIONS = frozenset("at of for from by with in on to into about".split())
"""A name after one of these is the end of a phrase ("a manager at Microsoft, said"),
not the one speaking."""
OPENERS = "\"“‘'([«"
SENTENCE_ENDS = ".!?:;…\n"
SPEECH_AFTER = regex.compile(r",?\s+(?:(?:has|had|have|also|then|later|would|will|was|is)\s+){0,2}(\p{Ll}+)")
APPOSITION = regex.compile(
    r",\s+(?:who\b|aged\s+\d|\d{1,3},)|,?\s+(?:is|was)?\s*(?:a|an|the)\s+(?:[\p{Ll}\-]+\s+){0,3}?([\p{Ll}\-]+)\b"
)

KNOWN, TITLED, ROLE, SPEECH, SURNAME, FIRST_NAME, GUESS = 0.95, 0.9, 0.85, 0.85, 0.8, 0.6, 0.4


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    text: str
    key: str
    """Lower case without a final dot or possessive: what the word lists hold."""
    ends_run: bool = False


def _tokens(text: str) -> Iterator[Tok]:
    for match in TOKEN.finditer(text):
        start, end, word = match.start(), match.end(), match.group()
        ends = False
        if word.endswith("."):
            bare = word[:-1]
            if len(bare) != 1 and bare.lower() not in words.titles():
                word, end, ends = bare, end - 1, True  # a full stop, not an initial or "Mr."
        if word[-2:] in ("'s", "’s") and len(word) > 3:
            word, end, ends = word[:-2], end - 2, True
        if len(word) > 1 and word.isupper() and word.isalpha():
            continue  # an acronym: NBC, DHS
        yield Tok(start, end, word, word.lower().rstrip("."), ends)


def _runs(text: str) -> Iterator[list[Tok]]:
    """Capitalised words joined by single spaces (or a particle such as "de")."""
    run: list[Tok] = []
    for tok in _tokens(text):
        if run:
            gap = text[run[-1].end : tok.start]
            joined = not run[-1].ends_run and (
                gap in (" ", "\u00a0") or (gap.strip() in PARTICLES and gap == f" {gap.strip()} ")
            )
            if not joined:
                yield run
                run = []
        run.append(tok)
    if run:
        yield run


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i] in " \t\u00a0" or text[i] in OPENERS):
        i -= 1
    return i < 0 or text[i] in SENTENCE_ENDS


def _word_before(text: str, start: int) -> str:
    """The word just before ``start`` (across spaces), lower-cased; "" if none."""
    end = start
    while end > 0 and text[end - 1] in " \u00a0":
        end -= 1
    begin = end
    while begin > 0 and end - begin < 40 and (text[begin - 1].isalpha() or text[begin - 1] == "-"):
        begin -= 1
    while begin < end and text[begin] == "-":
        begin += 1
    return text[begin:end].lower()


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    score: float
    key: tuple[str, ...]


class PeopleFinder:
    """Rule-based name finder; ``titles`` is the vocabulary that strips titles
    (nameparser's, or the short list here when measuring without it)."""

    def __init__(self, known: Iterable[str] = (), *, titles: frozenset[str] | None = None,
                 evidence: frozenset[str] | None = None, guess: bool = True) -> None:
        self.titles = titles if titles is not None else words.titles()
        self.evidence = evidence if evidence is not None else words.evidence_titles()
        self.guess = guess
        self.roles = (self.evidence | words.ROLES_BEFORE) - words.NOT_ROLES
        self.known = sorted({name.strip() for name in known if name.strip()})
        self.known_matcher = PhraseMatcher(self.known)
        self.known_surnames = {self._surname(name.split()) for name in self.known if len(name.split()) > 1}
        self.known_surnames.discard("")

    @staticmethod
    def _surname(parts: list[str]) -> str:
        last = parts[-1] if parts else ""
        return "" if len(last) < 2 or last.lower() in words.COMMON or last.endswith(".") else last

    def _candidate(self, text: str, run: list[Tok], common: set[str]) -> tuple[list[Tok], float]:
        """The name inside the run and the evidence for it (0 when there is none)."""
        while run and (run[0].key in words.COMMON or (
                _sentence_start(text, run[0].start) and run[0].key in common and run[0].key not in self.titles)):
            run = run[1:]
        last_title = max((i for i, tok in enumerate(run[:-1]) if tok.key in self.titles), default=-1)
        titled = any(tok.key in self.evidence for tok in run[: last_title + 1])
        of_title = (OF_TITLE.search(text, max(0, run[0].start - 40), run[0].start)
                    if run and text.endswith(" of ", 0, run[0].start) else None)
        if of_title and of_title.group(1).lower() in self.evidence and len(run) > 1:
            # "Secretary of State Antony J. Blinken", "Secretary of Defense Lloyd Austin"
            last_title, titled = max(last_title, 0), True
        name = run[last_title + 1 :]
        if not name or len(name) > 4 or any(
                tok.key in words.ORG_WORDS or tok.key in words.COMMON or tok.key in words.PLACES for tok in name):
            return [], 0.0
        if all(len(tok.text.rstrip(".")) == 1 for tok in name):
            return [], 0.0
        if titled:
            return name, TITLED
        if last_title >= 0:
            return name, 0.0
        before = _word_before(text, name[0].start)
        if before in self.roles and text[name[0].start - 1] in " \u00a0":
            return name, ROLE
        after = SPEECH_AFTER.match(text, name[-1].end)
        according = before == "to" and text[max(0, name[0].start - 14) : name[0].start].lower() == "according to "
        speaks = after and after.group(1) in words.SPEECH_VERBS and before not in PREPOSITIONS
        if speaks or before in ("said", "says", "told") or according:
            return name, SPEECH
        apposition = APPOSITION.match(text, name[-1].end)
        if apposition and (apposition.group(1) is None or apposition.group(1) in self.roles):
            return name, ROLE
        if self.guess and 2 <= len(name) <= 3 and not any(tok.key in self.titles for tok in name):
            return name, GUESS
        return name, 0.0

    def find(self, text: str) -> list[Found]:
        common = set(LOWER_WORD.findall(text))
        candidates = [self._candidate(text, run, common) for run in _runs(text)]
        names = {tuple(t.text for t in name) for name, score in candidates if score > GUESS}
        # A guessed full name whose surname recurs alone is a person written about in
        # news style ("Sonia O'Sullivan … O'Sullivan will"); a firm keeps its full name.
        alone = {name[0].text for name, _ in candidates if len(name) == 1}
        names |= {key for key in (tuple(t.text for t in name) for name, score in candidates if score == GUESS)
                  if self._surname(list(key)) in alone}
        surnames = {s for s in (self._surname(list(n)) for n in names if len(n) > 1) if s} | self.known_surnames
        firsts = [n[0] for n in names if len(n) > 1 and len(n[0]) > 2 and not n[0].endswith(".")]
        first_names = {first for first in firsts if firsts.count(first) == 1} - surnames
        found: dict[tuple[int, int], Found] = {}

        def add(start: int, end: int, score: float, key: tuple[str, ...]) -> None:
            if (start, end) not in found or found[start, end].score < score:
                found[start, end] = Found(start, end, score, key)

        for name, score in candidates:
            if not name:
                continue
            key = tuple(t.text for t in name)
            if key in names:
                score = max(score, TITLED)
            elif len(name) == 1 and name[0].text in surnames:
                score = max(score, SURNAME)
            elif len(name) == 1 and name[0].text in first_names:
                score = max(score, FIRST_NAME)
            if score > 0:
                add(name[0].start, name[-1].end, score, key)
        for start, end, _ in self.known_matcher.finditer(text):
            add(start, end, KNOWN, (text[start:end],))
        return _outermost(found.values())


def _outermost(found: Iterable[Found]) -> list[Found]:
    """Drop a span inside a longer one ("Watson" within "Adrienne Watson")."""
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -f.end)):
        if kept and item.end <= kept[-1].end:
            continue
        kept.append(item)
    return kept
