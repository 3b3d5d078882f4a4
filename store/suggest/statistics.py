"""The statistics suggester: numbers with what makes them a statistic.

A span is the number with its qualifier ("more than", "~", "between … and …"), its
currency and magnitude ("£1.2bn"), its unit ("60-mile", "3–4 kg", "7.83 m s−1") or,
for a count, the noun it counts ("over 520,000 migrants", "120 international
repatriation flights"). Qualifier, number and unit follow MeasEval's ``Quantity``
spans, the evaluation set; the counted noun is where margin differs on purpose:
MeasEval marks it separately (``MeasuredEntity``), but to a reader of the news "21
partners" is the statistic, and ``count_nouns=False`` gives MeasEval's convention.

Years, dates, times, ordinals, phone numbers, section and list numbers and "one of
the" are left alone. Everything is found by one fast regular expression for the
number and a few small ones around each hit, so a whole book takes well under a
second; units come from quantulum3's table when it is installed
(:mod:`.statistics_units`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from ..database import Database
from . import Options, Suggestion
from .statistics_units import UnitTable, unit_table

NAME = "statistics"
LABEL = "statistic"

_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
          "thousand million billion dozen")
_WORD = "(?:" + "|".join(_WORDS.split()) + ")"
_FRACTION = r"(?:halves|half|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?)"
# A single space between words is written (?:\r\n|\s) throughout, so that a CRLF text
# gives the spans an LF one does; digits are grouped by commas or by the thin and
# no-break spaces of French and SI style ("3\u202f000").
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[\u202f\u00a0\u2009]\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
_NUMBER = (
    rf"(?:(?<![\p{{L}}\p{{N}}_])[−\-+](?=[\d.]))?(?:{_DIGITS})"
    r"(?:\(\d{1,3}\))?"                                        # 10.0322(6): uncertainty in the last digits
    rf"(?:(?:\r\n|\s)?±(?:\r\n|\s)?(?:{_DIGITS}))?"                              # 28.5 ± 0.33
    r"(?:(?:\r\n|\s)?[×x](?:\r\n|\s)?10(?:[−\-]?\d{1,3}|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"    # 2 × 10−9
)
NUMBER = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}_#@.,\-−–)\]]){_NUMBER}")
WORDS = regex.compile(
    r"\b(?:(?P<many>\L<many>(?=(?:\r\n|\s)of(?:\r\n|\s)))"
    rf"|(?P<word>\L<numbers>(?:(?:\r\n|[-\s])\L<numbers>)*(?P<frac>(?:\r\n|[-\s]){_FRACTION})?)"
    rf"|(?P<a>a(?:\r\n|[-\s]){_FRACTION}(?=\s+of(?:\r\n|\s))))\b",
    regex.IGNORECASE,
    numbers=_WORDS.split(),
    many="tens dozens hundreds thousands millions billions".split(),
)
"""Where a statistic can start: digits (``NUMBER``), or number words, fractions and
"hundreds of" (``WORDS``, a trie of words, which is several times faster than an
alternation, and ``\b`` is faster than look-behinds); two scans merged are faster
than one pattern with both."""
_GLUED = regex.compile(r"[\p{M}\ufe0f\u20e3]")
"""After a number, a mark that makes its last digit part of something else: "5\u0301"
(a combining accent), the keycap "1\ufe0f\u20e3"; such a number is no statistic."""
_ESCAPE = regex.compile(r"(?:\x1b\[|\x9b)[\d;:?<=>]*$")
"""A terminal escape sequence in progress: the "0" of "\x1b[0m" is a parameter."""

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_REFERENCE = (r"(?i:section|sections|sec|sect|chapter|chapters|ch|article|articles|art|figure|figures|figs?|table|tables|tab|"
              r"refs?|references?|scenarios?|eqs?|equations|cases?|samples?|sites?|phases?|stages?|experiments?|models?|"
              r"page|pages|pp?|vol|volume|no|nos|number|part|book|paragraph|para|clause|rule|step|equation|eq|"
              r"item|verse|line|appendix|annex|schedule|footnote|note|room|route|exhibit|act|scene|canto|letter)")
EXCLUDE = regex.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"                        # 2024-06-12, 12/06/2024
    rf"|\b{_MONTH}(?:\r\n|\s)\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?(?:\r\n|\s)\d{{4}})?"                   # June 4, 2024
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?:\r\n|\s)(?:of(?:\r\n|\s))?{_MONTH}(?:,?(?:\r\n|\s)\d{{4}})?"            # 4 June 2024
    rf"|\b{_MONTH},?(?:\r\n|\s)\d{{4}}\b|\b(?i:spring|summer|autumn|fall|winter)(?:\r\n|\s)\d{{4}}\b"  # June 2024
    r"|\b\d{1,2}:\d{2}(?::\d{2})?(?:(?:\r\n|\s)?(?i:[ap]\.?m\.?))?|\b\d{1,2}\.[0-5]\d(?:\r\n|\s)?(?i:[ap]\.?m\.?)"  # 10:30, 9.30 pm
    r"|\b\d{1,2}(?:\r\n|\s)?(?i:[ap]\.m\.|[ap]m\b|o'clock)"                                 # 3 p.m., 3pm
    r"|(?:\+\d{1,3}(?:\r\n|[\s.\-])?)?\(?\b\d{3}\)?(?:\r\n|[\s.\-])\d{3}(?:\r\n|[\s.\-])\d{4}\b"              # (202) 555-0100
    r"|\+\d{1,3}(?:(?:\r\n|[\s.\-])\d{2,5}){2,5}\b"                                          # +44 20 7946 0958
    rf"|\b{_REFERENCE}\.?(?:\r\n|\s)\(?\d+(?:\.\d+)*[a-zA-Z]?(?:(?:\r\n|\s)?(?:,|and|&|to|[-–])(?:\r\n|\s)?\d+[a-zA-Z]?)*\b"  # Section 3.2, Figs. 5 and 6
    r"|§+(?:\r\n|\s)?\d+(?:\.\d+)*|\[\d+(?:(?:\r\n|\s)?[,–\-](?:\r\n|\s)?\d+)*\]"                                 # § 4, [12], [15,16]
    r"|\b(?i:doi|isbn|issn|pmid|arxiv):?(?:\r\n|\s)?\S+|\b[A-Z]{2,}:(?:\r\n|\s)?\d+"                        # identifiers
    r"|\b\d+(?:\.\d+){2,}\b"                                                       # 3.2.1
    r"|(?m:^[ \t]*\(?\d{1,3}[.)](?=(?:\r\n|\s)))|(?<![\d\p{L}])\(\d{1,2}\)(?=(?:\r\n|\s))"                           # 1. / 2) / (3) list markers
    r"|\b\d+(?i:st|nd|rd|th)\b|\b(?:1[5-9]|20)?\d0s\b|'\d0s\b",                    # 21st, 1990s, '90s
    regex.V0,
)
"""Number-shaped text that is not a statistic, checked in a window around each hit."""

_NOT_A_COUNT = regex.compile(r"(?i:one|zero)(?:\s+(?:of|or|another|by|day|after|more|and\s+the\s+same)\b|(?!(?:\r\n|[-\s])\L<n>))",
                             n=_WORDS.split())
""""one of the", "one or two", "one by one", and "one" alone (a pronoun far more often
than a count): "one hundred" and "one-third" still count."""
_CURRENCY_BEFORE = regex.compile(r"(?:(?:US|A|C|NZ|HK|S|R)?\p{Sc}|\b(?:USD|EUR|GBP|JPY|CHF|INR)(?:\r\n|\s)?)(?:\r\n|\s)?$")
_MAGNITUDE = regex.compile(r"(?:\r\n|\s)?(?i:thousand|million|billion|trillion)(?![\p{L}])|(?:bn|mn|tn|m|k|K)(?![\p{L}\p{N}])")
_QUALIFIER = regex.compile(
    r"(?:\b(?i:(?:more|less|fewer|greater|higher|lower|larger|smaller)\s+than|over|under|nearly|almost|about|"
    r"around|approximately|approx\.|roughly|some|up\s+to|at\s+least|at\s+most|as\s+(?:many|much|few|little|high|low)\s+as|"
    r"below|above|within|beyond|until|near|toward|towards|exceeding|averaging|between|from|circa|ca\.)\s+"
    r"|[~∼≈<>≤≥⩽⩾](?:\r\n|\s)?)$"
)
_RANGE = regex.compile(
    rf"(?P<sep>(?:\r\n|\s)?[-–—](?:\r\n|\s)?|(?:\r\n|\s)?×(?:\r\n|\s)?|(?:\r\n|\s)x(?:\r\n|\s)|(?:\r\n|\s)(?:to|and|or)(?:\r\n|\s)|,(?:\r\n|\s)?)(?P<cur>(?:(?:US|A|C)?\p{{Sc}})?)(?P<num>[−\-]?(?:{_DIGITS})|{_WORD}(?![\p{{L}}]))",
    regex.IGNORECASE,
)
_DASHES = ("-", "–", "—")
_PERCENT = regex.compile(r"(?:\r\n|\s)?(?:%|‰|‱|(?i:per(?:\r\n|\s)?cent|percent)(?![\p{L}]))")
_TOKEN = regex.compile(r"(?P<unit>[\p{L}°µμÅ$€£¥'\"]+%?(?:/[\p{L}°µμ]+)*)(?P<exp>[−\-]?[1-9]|[²³⁻¹])?(?![\p{L}\p{N}])")
_CHAIN = regex.compile(r"(?:/|(?:\r\n|\s)|·|⋅)(?P<unit>[\p{L}°µμ]+)(?P<exp>[−\-]?[1-9]|[²³⁻¹])?(?![\p{L}\p{N}])")
_WORD_AFTER = regex.compile(r"\s+(?P<w>[\p{Ll}][\p{Ll}'\-]*)(?![\p{L}\p{N}])")
_OF = regex.compile(r"\s+of(?:\s+(?:the|all|their|its))?(?=(?:\r\n|\s))")

STOPWORDS = frozenset(
    "a an the of in on at to from by for with without into onto upon over under than then and or nor but so "
    "as if is are was were be been being am has have had do does did will would shall should can could may "
    "might must not no this that these those it its they them their he she his her we our you your who whom "
    "which what when where while whose why how per each every all both either neither some any more most "
    "less least few many much such same other another only also just even still again ago later earlier "
    "before after since until during between among across through throughout around about against along "
    "within beyond toward towards near via versus vs out up down off away back here there".split()
)
IRREGULAR_PLURALS = frozenset("people children men women police staff personnel cattle sheep fish deer "
                              "troops crew data media feet teeth mice geese".split())


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    unit: bool = False
    noun_end: int = 0
    qualified: bool = False
    ranged: bool = False


def _looks_plural(word: str) -> bool:
    if word in IRREGULAR_PLURALS:
        return True
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "ous"))


_NUMERATORS = frozenset("one two three four five six seven eight nine ten".split())


def _is_fraction(text: str, match: regex.Match[str]) -> bool:
    """"two-thirds", "one fifth"; not "twenty-sixth" nor "the third"."""
    numerator = match["word"][: -len(match["frac"])].lower().split()[-1].split("-")[-1]
    plural = match["frac"].lower().endswith(("s", "halves"))
    if numerator not in _NUMERATORS or (numerator == "one") == plural:
        return False
    return not regex.search(r"(?i:\bthe)\s+$", text[max(0, match.start() - 5):match.start()])


class StatisticsSuggester:
    """Pure: holds only the unit table; ``suggest`` reads nothing but the text."""

    name = NAME
    labels = (LABEL,)

    def __init__(self, units: UnitTable, *, count_nouns: bool = True) -> None:
        self.units = units
        self.count_nouns = count_nouns

    # -- units -------------------------------------------------------------------
    def _is_unit(self, token: str) -> bool:
        return token in self.units.symbols or token.lower() in self.units.surfaces

    def _unit_after(self, text: str, pos: int) -> int:
        """End of the unit right after ``pos`` (a %, "mile" in "60-mile", "kg", "m s−1",
        "square miles"), or ``pos`` when there is none."""
        percent = _PERCENT.match(text, pos)
        if percent:
            return percent.end()
        if text.startswith("-", pos):          # 60-mile, three-year: the unit's singular
            token = _TOKEN.match(text, pos + 1)
            if token and not token["exp"] and (
                token["unit"].lower() in self.units.surfaces or (len(token["unit"]) > 1 and token["unit"] in self.units.symbols)
            ):
                return token.end()
            return pos
        space = 1 if text.startswith(" ", pos) else 0
        # the longest unit name of several words first ("parts per million")
        words = regex.match(r"[\p{L}]+(?:(?:\r\n|\s)[\p{L}]+){0,%d}" % (self.units.longest_surface - 1), text[pos + space:pos + space + 40])
        if space and words:
            parts = list(regex.finditer(r"\p{L}+", words.group()))
            for n in range(len(parts), 1, -1):
                if " ".join(part.group() for part in parts[:n]).lower() in self.units.surfaces:
                    return pos + space + parts[n - 1].end()  # the text's own separators, "\r\n" as well
        token = _TOKEN.match(text, pos + space)
        if token is None or not self._unit_token(token["unit"]):
            return pos
        if not space and len(token["unit"]) == 1 and token["unit"].isupper() and token["unit"] != "K":
            return pos                      # 12C, 6H, 10B: an isotope or a figure panel, not coulombs
        end = token.end()
        while (link := _CHAIN.match(text, end)) and self._unit_token(link["unit"]) and (
            text[end] == "/" or link["exp"]
        ):
            end = link.end()
        return end

    def _unit_token(self, token: str) -> bool:
        return all(self._is_unit(part) for part in token.split("/")) if token else False

    # -- around a number ---------------------------------------------------------
    def _excluded(self, text: str, start: int, end: int) -> bool:
        for match in EXCLUDE.finditer(text, max(0, start - 40), min(len(text), end + 40)):
            if match.start() < end and start < match.end():
                return True
        return False

    def _counted(self, text: str, pos: int) -> int:
        """End of the plural noun a count counts ("migrants", "international
        repatriation flights"), looking at most three words ahead; 0 when none."""
        end, best = pos, 0
        for _ in range(3):
            word = _WORD_AFTER.match(text, end)
            if word is None:
                break
            w = word["w"]
            if w in STOPWORDS or (w.endswith(("ing", "ed", "ly")) and not w.endswith("ings")):
                break
            end = word.end()
            if _looks_plural(w):
                best = end
        return best

    def _hit(self, text: str, match: regex.Match[str]) -> _Hit | None:
        start, end = match.span()
        if start and text[start - 1] == "-" and match.re is WORDS:
            return None                    # MiG-one, Covid-nineteen
        kind = "num" if match.re is NUMBER else "frac" if match["frac"] or match["a"] else match.lastgroup
        if match.re is WORDS and match["frac"] and not _is_fraction(text, match):
            return None                    # the twenty-sixth, the third: ordinals
        hit = _Hit(start, end)
        if kind == "num":
            if _GLUED.match(text, end) or self._excluded(text, start, end):
                return None
            before = text[max(0, start - 32):start]
            if ("\x1b" in before or "\x9b" in before) and _ESCAPE.search(before):
                return None                # "\x1b[0m": a parameter of a terminal escape sequence
            currency = _CURRENCY_BEFORE.search(text, max(0, start - 6), start)
            if currency:
                hit.start, hit.unit = currency.start(), True
            magnitude = _MAGNITUDE.match(text, end)
            if magnitude and (hit.unit or magnitude.group()[0].isspace()):
                hit.end = end = magnitude.end()
        elif kind == "word" and _NOT_A_COUNT.match(text, start):
            return None
        if kind in ("frac", "many"):
            of = _OF.match(text, end)
            noun = self._counted(text, of.end()) if of else 0
            hit.noun_end = noun
            hit.ranged = kind == "frac"     # two-thirds is a statistic even without its noun
        else:
            self._extend_right(text, hit, kind == "num")
        if kind == "num" and not (hit.unit or hit.ranged) and regex.fullmatch(r"1\d{3}|20\d{2}", match.group()):
            return None                    # a bare year
        if text[hit.end:hit.end + 1].isalpha():
            return None                    # digits glued to a word that is no unit: 3D, 4G, COVID-19
        qualifier = _QUALIFIER.search(text, max(0, hit.start - 32), hit.start)
        while qualifier and (not qualifier.group().lower().startswith(("between", "from")) or hit.ranged):
            hit.start, hit.qualified = qualifier.start(), True
            qualifier = _QUALIFIER.search(text, max(0, hit.start - 32), hit.start)
        if kind != "num" and not (hit.unit or hit.noun_end or hit.ranged):
            return None                    # "two", "one" alone: too many in prose to suggest
        return hit

    def _extend_right(self, text: str, hit: _Hit, digits: bool) -> None:
        """The unit, then a range ("3–4 kg", "between 5 and 10 km"), dimensions
        ("2 × 2 μm2") or a list that ends in a unit ("2, 5 and 10 μg"), then, for a
        count, the noun it counts."""
        number_end = hit.end
        unit_end = self._unit_after(text, hit.end)
        first_unit = text[number_end:unit_end].strip()
        if unit_end > hit.end:
            hit.end, hit.unit = unit_end, True
        end = hit.end
        for _ in range(8):
            span = _RANGE.match(text, end)
            if span is None:
                break
            sep = span["sep"].strip().lower()
            if (sep in _DASHES and not digits) or self._excluded(text, span.start("num"), span.end("num")):
                break
            after = self._unit_after(text, span.end())
            unit = text[span.end():after].strip()
            end = after
            if sep == ",":
                continue                   # part of a list only if a unit closes it
            if sep in ("and", "or") and not (
                (sep == "and" and self._between(text, hit.start)) or (unit and (not first_unit or unit == first_unit))
            ):
                break
            hit.end, hit.ranged = end, True
            hit.unit = hit.unit or bool(unit) or bool(span["cur"])
            if sep in ("and", "or"):
                break
        if not hit.unit:
            hit.noun_end = self._counted(text, hit.end)

    @staticmethod
    def _between(text: str, start: int) -> bool:
        return bool(regex.search(r"(?i:\bbetween)\s+\S*$", text[max(0, start - 12):start]))

    # -- the protocol ------------------------------------------------------------
    def suggest(self, text: str) -> Iterator[Suggestion]:
        after = 0
        numbers = ((m.start(), i, m) for i, m in enumerate(NUMBER.finditer(text)))
        words = ((m.start(), -1, m) for m in WORDS.finditer(text))
        for _, _, match in heapq.merge(numbers, words, key=lambda item: item[0]):
            if match.start() < after:
                continue
            hit = self._hit(text, match)
            if hit is None:
                continue
            end = max(hit.end, hit.noun_end) if self.count_nouns else hit.end
            after = max(hit.end, hit.noun_end)
            if hit.unit:
                score = 0.9
            elif hit.noun_end:
                score = 0.8
            elif hit.ranged or hit.qualified:
                score = 0.55
            else:
                score = 0.4
            if hit.qualified:
                score += 0.05
            yield Suggestion(hit.start, end, LABEL, round(score, 2), NAME)


def build(db: Database | None, options: Options | None = None) -> StatisticsSuggester:
    """The unit table is chosen by ``options.extra["statistics_units"]`` (``auto``,
    ``quantulum3`` or ``builtin``); ``extra["count_nouns"] = False`` gives MeasEval's
    spans, without the counted noun."""
    extra = options.extra if options is not None else {}
    units = unit_table(str(extra.get("statistics_units", "auto")))
    return StatisticsSuggester(units, count_nouns=bool(extra.get("count_nouns", True)))
