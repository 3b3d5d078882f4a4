"""The ``patterns`` suggester: a Prodigy/spaCy patterns file (``margin suggest
--patterns FILE``).

Each line is a JSON object with a ``label`` and a ``pattern``: a string is a phrase
pattern, matched as whole words with the same case (spaCy's PhraseMatcher on
``ORTH``, Prodigy's default); a list of token descriptions is a token pattern
(``[{"lower": "adrienne"}, {"text": "Watson"}]``), matched on tokens cut as spaCy
cuts them. The keys margin reads itself are listed in :mod:`.patterns_match`; a
pattern with any other key (``pos``, ``lemma``…) is handed to spaCy's Matcher when
spaCy is installed (on the pipeline named by ``spacy_model``, else a blank English
one) and refused with the file, line and key when it is not. A bad line (not JSON,
no label, a pattern of the wrong shape) is a :class:`FormatError` naming the file
and line.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..database import Database
from ..errors import FormatError
from ..formats.tokens import INSTALL
from ..formats.tokens import available as spacy_available
from . import Options, Suggestion
from .patterns_match import Invalid, Step, Unsupported, compile_tokens, match_tokens
from .patterns_phrases import PhraseMatcher
from .patterns_tokens import tokenise

NAME = "patterns"
SCORE = 0.9
"""A pattern is the user's own rule: as sure as the user was when writing it."""


@dataclass(slots=True)
class Patterns:
    phrases: list[tuple[str, str]] = field(default_factory=list)
    """(phrase, label)"""
    tokens: list[tuple[list[Step], str]] = field(default_factory=list)
    spacy: list[tuple[list[dict[str, Any]], str, int]] = field(default_factory=list)
    """Token patterns only spaCy can match: (pattern, label, line)."""


def _token_pattern(path: Path, line: int, pattern: list[Any]) -> list[dict[str, Any]]:
    if not pattern or not all(isinstance(token, dict) for token in pattern):
        raise FormatError(path, line, "a token pattern is a non-empty list of objects, one per token")
    return pattern


def parse_patterns(path: Path, lines: Iterator[str] | None = None) -> Patterns:
    """Read a patterns file; raises FormatError(file, line, reason) on the first bad line."""
    parsed = Patterns()
    if lines is None:
        try:
            lines = iter(path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as error:
            raise FormatError(path, None, f"cannot read the patterns file: {error}") from None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as error:
            raise FormatError(path, number, f"not JSON: {error.msg}") from None
        except RecursionError:
            raise FormatError(path, number, "not JSON margin can read: nested too deep") from None
        except ValueError as error:  # e.g. an integer of more digits than Python converts
            raise FormatError(path, number, f"not JSON margin can read: {str(error)[:120]}") from None
        if not isinstance(entry, dict):
            raise FormatError(path, number, "each line must be a JSON object with a label and a pattern")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise FormatError(path, number, 'no "label" (a non-empty string)')
        pattern = entry.get("pattern")
        if isinstance(pattern, str):
            if not pattern:
                raise FormatError(path, number, "an empty phrase pattern")
            parsed.phrases.append((pattern, label))
        elif isinstance(pattern, list):
            tokens = _token_pattern(path, number, pattern)
            try:
                parsed.tokens.append((compile_tokens(tokens), label))
            except Invalid as error:
                raise FormatError(path, number, f"a bad token pattern: {error}") from None
            except Unsupported as error:
                if not spacy_available():
                    raise FormatError(path, number, f"{error}, which is not installed (key {error.key!r}); "
                                                    f"run: {INSTALL}") from None
                parsed.spacy.append((tokens, label, number))
            except (TypeError, ValueError, RecursionError) as error:  # a shape no check above foresaw
                raise FormatError(path, number, f"a bad token pattern: {str(error)[:120]}") from None
        else:
            raise FormatError(path, number, '"pattern" must be a string or a list of token objects')
    return parsed


def _outermost(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest first, as spaCy's filter_spans: one span per place and label.

    The spans kept for a label never overlap, so kept in order of start their ends
    rise too: the one kept span a candidate can overlap is the last one starting before
    the candidate ends, found by bisection (a phrase as common as "the" gives a book
    tens of thousands of candidates, which compared pairwise took 19 s).
    """
    kept: list[tuple[int, int, str]] = []
    taken: dict[str, tuple[list[int], list[int]]] = {}
    for start, end, label in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        starts, ends = taken.setdefault(label, ([], []))
        at = bisect_left(starts, end)
        if at and ends[at - 1] > start:
            continue
        starts.insert(at, start)  # every kept span before ``at`` ends by ``start``
        ends.insert(at, end)
        kept.append((start, end, label))
    return sorted(kept)


class PatternsSuggester:
    name = NAME

    def __init__(self, patterns: Patterns, path: Path | None = None, spacy_model: str = "") -> None:
        self.patterns = patterns
        self.labels = tuple(sorted({label for _, label in patterns.phrases} | {label for _, label in patterns.tokens}
                                   | {label for _, label, _ in patterns.spacy}))
        labels = [label for _, label in patterns.phrases]
        self.phrases = PhraseMatcher([phrase for phrase, _ in patterns.phrases], labels)
        self.nlp: Any = None
        self.matcher: Any = None
        if patterns.spacy:
            self.nlp, self.matcher = _spacy_matcher(patterns, path or Path("patterns"), spacy_model)

    def suggest(self, text: str) -> Iterator[Suggestion]:
        spans: list[tuple[int, int, str]] = [(s, e, str(label)) for s, e, label in self.phrases.finditer(text)]
        if self.patterns.tokens:
            tokens = tokenise(text)
            for steps, label in self.patterns.tokens:
                for first, last in match_tokens(tokens, steps):
                    spans.append((tokens[first].start, tokens[last - 1].end, label))
        if self.matcher is not None:
            doc = self.nlp(text)
            for match_id, first, last in self.matcher(doc):
                span = doc[first:last]
                spans.append((span.start_char, span.end_char, doc.vocab.strings[match_id]))
        for start, end, label in _outermost(spans):
            yield Suggestion(start, end, label, SCORE, NAME)


def _spacy_matcher(patterns: Patterns, path: Path, model: str) -> tuple[Any, Any]:
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.load(model) if model else spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=True)
    probe = nlp("Probe.")
    for tokens, label, line in patterns.spacy:
        try:
            matcher.add(label, [tokens])
            single = Matcher(nlp.vocab)
            single.add(label, [tokens])
            single(probe)  # a blank pipeline cannot match POS, LEMMA…: spaCy says so only when matching
        except (ValueError, KeyError, TypeError) as error:
            needs = "" if model else " (name a trained pipeline as spacy_model in the config file for POS, LEMMA, DEP…)"
            raise FormatError(path, line, f"spaCy cannot match this token pattern{needs}: "
                                          f"{str(error).splitlines()[0]}") from None
    return nlp, matcher


def build(db: Database, options: Options) -> PatternsSuggester | None:
    if options.patterns is None:
        return None
    model = options.extra.get("spacy_model")
    return PatternsSuggester(parse_patterns(options.patterns), options.patterns, model if isinstance(model, str) else "")
