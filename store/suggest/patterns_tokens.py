"""Tokens as spaCy's English tokeniser makes them, without spaCy.

A token pattern (``[{"lower": "adrienne"}, {"text": "Watson"}]``) means spaCy tokens,
so the file only means the same here if the text is cut where spaCy cuts it. This is
spaCy's algorithm in small: split at spaces (other whitespace becomes a token of its
own), then peel prefixes (opening punctuation, currency) and suffixes (closing
punctuation, ``'s``, ``n't``, units after a number, a full stop after a lower-case
word) off each piece, keep the common abbreviations whole ("U.S.", "Mr.", "J."), and
split the rest at infixes (a hyphen between letters, "19-20", "a/b"). On ordinary
prose it cuts exactly as ``spacy.blank("en")`` does (the tests compare the two);
the token attributes are spaCy's lexical ones.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

import regex

PUNCT = r"…,:;!?¿¡()\[\]{}<>_#*&\"'”“`‘´’‚„»«"
PREFIX = regex.compile(rf"^(?:[§%=—–+{PUNCT}]|\.\.+|[$£€¥₹]|\p{{So}})")
UNITS = "km|m|cm|mm|kg|g|mg|lb|oz|ft|yd|mph|kmh|km/h|mb|MB|kb|KB|gb|GB|tb|TB|ha|T|G|M|K|%"
SUFFIX = regex.compile(
    rf"(?:\.\.+|[{PUNCT}]|…|'s|'S|’s|’S|—|–|(?<=\p{{L}})['’](?:re|ve|ll|m|d|RE|VE|LL|M|D)|(?<=[0-9])\+|(?<=[0-9])(?:[$£€¥]|{UNITS})"
    r"|(?<=[0-9\p{Ll}%²\-+…,:;!?)\]}\"'”’»])\.|(?<=\p{Lu}\p{Lu})\.|(?<=\p{L})n['’]t)$"
)
INFIX = regex.compile(
    r"\.\.+|…|(?<=[0-9])[+\-*^](?=[0-9-])|(?<=[\p{Ll}'\"”’])\.(?=[\p{Lu}'\"“‘])|(?<=\p{L}),(?=\p{L})"
    r"|(?<=[\p{L}0-9])(?:---|--|——|-|–|—|~)(?=\p{L})|(?<=[\p{L}0-9])[:<>=/](?=\p{L})"
)
URL = regex.compile(r"^(?:https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|gov|edu|io))$")
ABBREVIATIONS = frozenset("""
Mr. Mrs. Ms. Dr. St. Mt. Jr. Sr. Prof. Gen. Gov. Sen. Rep. Capt. Col. Lt. Sgt. Rev. Inc. Ltd. Co. Corp. Bros.
and/or vs. e.g. i.e. a.m. p.m. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. Ala. Ariz. Ark. Calif.
Conn. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mich. Minn. Miss. Mo. Neb. Nev. Okla. Ore. Pa. Tenn. Va. Wash. Wis.
""".split())
SPLIT_EXCEPTIONS = {"can't": ("ca", "n't"), "won't": ("wo", "n't"), "Can't": ("Ca", "n't"), "Won't": ("Wo", "n't"),
                    "cannot": ("can", "not"), "Cannot": ("Can", "not")}
NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
billion trillion quadrillion gajillion bazillion
""".split())
ORDINAL_WORDS = frozenset("""
first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth
fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth sixtieth
seventieth eightieth ninetieth hundredth thousandth millionth billionth trillionth
""".split())


CLOCK = regex.compile(r"(1[0-2]|[1-9])(am|pm|a\.m\.|p\.m\.)")


def _is_special(piece: str) -> bool:
    if piece in ABBREVIATIONS or URL.match(piece):
        return True
    # initials and dotted capitals: "J.", "U.S.", "L.A."
    return bool(regex.fullmatch(r"(?:\p{L}\.)+", piece))


def _split_piece(piece: str, start: int, out: list[tuple[int, int]]) -> None:
    suffixes: list[tuple[int, int]] = []
    end = start + len(piece)
    while piece:
        if _is_special(piece) or piece in SPLIT_EXCEPTIONS or CLOCK.fullmatch(piece):
            break
        prefix = PREFIX.match(piece)
        if prefix and prefix.end() < len(piece):
            out.append((start, start + prefix.end()))
            start += prefix.end()
            piece = piece[prefix.end() :]
            continue
        suffix = SUFFIX.search(piece)
        if suffix and suffix.start() > 0:
            suffixes.append((start + suffix.start(), end))
            end = start + suffix.start()
            piece = piece[: suffix.start()]
            continue
        break
    clock = CLOCK.fullmatch(piece)
    if clock:
        out.extend([(start, start + clock.end(1)), (start + clock.end(1), end)])
    elif piece in SPLIT_EXCEPTIONS:
        first = len(SPLIT_EXCEPTIONS[piece][0])
        out.extend([(start, start + first), (start + first, end)])
    elif piece and not _is_special(piece):
        at = start
        for infix in INFIX.finditer(piece):
            if infix.start() == 0 or infix.end() == len(piece):
                continue
            out.append((at, start + infix.start()))
            out.append((start + infix.start(), start + infix.end()))
            at = start + infix.end()
        out.append((at, end))
    elif piece:
        out.append((start, end))
    out.extend(reversed(suffixes))


def token_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each token, as ``spacy.blank("en").tokenizer`` cuts ordinary text."""
    out: list[tuple[int, int]] = []
    for match in regex.finditer(r"\S+|\s+", text):
        start, piece = match.start(), match.group()
        if piece.isspace():
            if start > 0 and piece[0] == " ":
                piece, start = piece[1:], start + 1
            if piece:
                out.append((start, start + len(piece)))
            continue
        _split_piece(piece, start, out)
    return _merge_letter_stops(text, out)


def _merge_letter_stops(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's special cases also match across affix splits: "1.2m." ends in the
    token "m.", not "m" and "."."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if (merged and text[start:end] == "." and merged[-1][1] == start and merged[-1][1] - merged[-1][0] == 1
                and text[merged[-1][0]].isalpha()):
            merged[-1] = (merged[-1][0], end)
            continue
        merged.append((start, end))
    return merged


def word_shape(text: str) -> str:
    shape: list[str] = []
    last, run = "", 0
    for char in text[:100]:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        run = run + 1 if kind == last else 1
        last = kind
        if run <= 4:
            shape.append(kind)
    return "".join(shape)


def like_num(text: str) -> bool:
    """spaCy's English ``like_num``: digits (with , and .), fractions, number words,
    ordinals ("3rd", "third")."""
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    lower = text.lower()
    if lower in NUMBER_WORDS or lower in ORDINAL_WORDS:
        return True
    return lower.endswith(("st", "nd", "rd", "th")) and lower[:-2].isdigit()


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @cached_property
    def attrs(self) -> dict[str, object]:
        text = self.text
        return {
            "orth": text, "text": text, "lower": text.lower(), "is_digit": text.isdigit(),
            "like_num": like_num(text), "shape": word_shape(text), "is_title": text.istitle(),
            "is_upper": text.isupper(), "is_lower": text.islower(),
            "is_punct": bool(text) and all(unicodedata.category(c).startswith("P") for c in text),
            "is_alpha": text.isalpha(), "is_space": text.isspace(), "length": len(text),
        }


def tokenise(text: str) -> list[Token]:
    return [Token(text[start:end], start, end) for start, end in token_spans(text)]
