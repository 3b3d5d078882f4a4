"""spaCy's ``Matcher`` for the token attributes margin reads itself.

A token pattern is a list of token descriptions, each a dict of attributes (``lower``,
``text``/``orth``, ``is_digit``, ``like_num``, ``shape``, ``is_title``, ``is_upper``,
``is_lower``, ``is_punct``, ``is_alpha``, ``is_space``; keys in any case, as spaCy
takes them) with an optional ``OP``: ``?`` (zero or one), ``*`` (any number), ``+``
(one or more), ``!`` (one token that does not match). Values are a string, a bool,
or ``{"IN": [...]}`` / ``{"NOT_IN": [...]}`` / ``{"REGEX": "..."}``. Matches are what
spaCy's Matcher returns: every (start, end) token range the pattern accepts, none
empty, overlaps included. Anything else (``pos``, ``lemma``, ``ent_type``…) needs a
spaCy pipeline: :func:`compile_tokens` raises :class:`Unsupported` naming the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import regex

from .patterns_tokens import Token

SUPPORTED = frozenset("""orth text lower is_digit like_num shape is_title is_upper is_lower is_punct
is_alpha is_space""".split())
BOOLEAN = frozenset(key for key in SUPPORTED if key.startswith(("is_", "like_")))
OPS = frozenset({"?", "*", "+", "!", "1"})
Test = Callable[[Token], bool]
Step = tuple[Test, str]


class Invalid(ValueError):
    """A token description no matcher could read (spaCy refuses it too): the line is wrong."""


class Unsupported(ValueError):
    """A key or value margin cannot match without spaCy; ``key`` names it."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        super().__init__(reason)


def _value_test(attr: str, value: object) -> Callable[[object], bool]:
    if isinstance(value, dict):
        if len(value) != 1:
            raise Unsupported(attr, f"{attr}: only one of IN, NOT_IN, REGEX is read here")
        ((how, arg),) = value.items()
        how = str(how).upper()
        if how in ("IN", "NOT_IN"):
            if not isinstance(arg, list) or not all(isinstance(item, (str, int, float, bool)) for item in arg):
                raise Invalid(f"{attr}: {how} takes a list of strings, numbers or booleans")
            choices = set(arg)
            return (lambda got: got in choices) if how == "IN" else (lambda got: got not in choices)
        if how == "REGEX" and attr not in BOOLEAN:
            if not isinstance(arg, str):
                raise Invalid(f"{attr}: REGEX takes a string")
            try:
                compiled = regex.compile(arg)
            except (regex.error, ValueError, TypeError, OverflowError, RecursionError) as error:
                raise Invalid(f"{attr}: bad REGEX {arg[:40]!r}: {error}") from None
            return lambda got: compiled.search(str(got)) is not None
        raise Unsupported(attr, f"{attr}: {how} is not read here")
    if attr in BOOLEAN:
        if not isinstance(value, bool):
            raise Unsupported(attr, f"{attr} takes true or false, not {value!r}")
    elif not isinstance(value, str):
        raise Unsupported(attr, f"{attr} takes a string, not {value!r}")
    return lambda got: got == value


def _token_test(description: dict[str, object]) -> Step:
    op = "1"
    tests: list[tuple[str, Callable[[object], bool]]] = []
    for raw_key, value in description.items():
        key = str(raw_key).lower()
        if key == "op":
            if not isinstance(value, str):
                raise Invalid(f"OP takes a string (?, *, + or !), not {value!r}"[:120])
            if value not in OPS:
                raise Unsupported("OP", f"OP {value!r} is not read here (use ?, *, + or !)")
            op = str(value)
            continue
        if key not in SUPPORTED:
            raise Unsupported(str(raw_key), f"the token attribute {raw_key!r} needs spaCy")
        tests.append(("orth" if key == "text" else key, _value_test(key, value)))

    def test(token: Token) -> bool:
        attrs = token.attrs
        return all(check(attrs[attr]) for attr, check in tests)

    return test, op


def _any_token(description: dict[str, object]) -> bool:
    """True when nothing but NOT_IN constrains the token: it matches nearly every token."""
    for raw_key, value in description.items():
        if str(raw_key).lower() == "op":
            continue
        if not (isinstance(value, dict) and len(value) == 1 and str(next(iter(value))).upper() == "NOT_IN"):
            return False
    return True


def check_runs(pattern: Sequence[dict[str, object]]) -> None:
    """Refuse ``*``/``+`` on a token that matches (nearly) any token.

    Such a step accepts every run from every start: the matches, and the time, grow
    with the square of the document's length (spaCy's Matcher too: 4,500 tokens give
    ten million matches), so a book would never finish.
    """
    for position, description in enumerate(pattern, 1):
        op = next((value for key, value in description.items() if str(key).lower() == "op"), "1")
        if op in ("*", "+") and _any_token(description):
            raise Invalid(f"token {position} has OP {op!r} and matches any token: it would match every run of "
                          "the document, in time growing with the square of its length; give the token a test "
                          '(e.g. {"IS_PUNCT": false, "OP": "*"}) or use "?" steps')


def compile_tokens(pattern: Sequence[dict[str, object]]) -> list[Step]:
    check_runs(pattern)
    return [_token_test(description) for description in pattern]


def _ends(tokens: Sequence[Token], start: int, steps: Sequence[Step]) -> set[int]:
    """Every end at which ``steps`` match from ``start`` (depth-first, memoised)."""
    found: set[int] = set()
    seen: set[tuple[int, int]] = set()
    stack = [(0, start)]
    while stack:
        index, at = stack.pop()
        if (index, at) in seen:
            continue
        seen.add((index, at))
        if index == len(steps):
            found.add(at)
            continue
        test, op = steps[index]
        fits = at < len(tokens) and test(tokens[at])
        if op == "1":
            if fits:
                stack.append((index + 1, at + 1))
        elif op == "!":
            if at < len(tokens) and not fits:
                stack.append((index + 1, at + 1))
        elif op == "?":
            stack.append((index + 1, at))
            if fits:
                stack.append((index + 1, at + 1))
        elif op == "*":
            stack.append((index + 1, at))
            if fits:
                stack.append((index, at + 1))
        elif op == "+" and fits:
            stack.append((index + 1, at + 1))
            stack.append((index, at + 1))
    return found


def match_tokens(tokens: Sequence[Token], steps: Sequence[Step]) -> Iterator[tuple[int, int]]:
    """(start, end) token ranges as spaCy's Matcher finds them: all, none empty."""
    if not steps:
        return
    first_test, first_op = steps[0]
    optional_start = first_op in ("?", "*", "!")
    for start in range(len(tokens)):
        if not optional_start and not first_test(tokens[start]):
            continue
        for end in sorted(_ends(tokens, start, steps)):
            if end > start:
                yield start, end
