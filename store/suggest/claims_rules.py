"""The rules that make a sentence a claim: who said it, and what it measured.

Each rule is one regular expression run over the whole text at once (a book is one
pass per rule, not one per sentence) and its matches are mapped to sentences by
bisection. A sentence is a claim when it is **attributed** — quoted speech with its
speaker on either side (``"…," Watson said``, ``Watson said: "…"``), reported speech
(``X said that …``, ``emphasized in a statement that …``), ``according to …``, or the
next quoted sentence of a speaker just named — or when it carries a **statistic with a
comparison or change** ("decreased more than 40%", "rose to 5%", "twice as many", "the
highest since 1990"). A number alone ("working with 21 partners") is not enough;
questions and headings are never claims.

The same rules give the classifier its extra features (:func:`rule_tokens`), so it
learns how far to trust each of them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .claims_sentences import is_heading

_SPEECH = (
    r"(?:said|says|stated|states|added|adds|told|tells|announced|announces|declared|declares|claimed|claims|"
    r"argued|argues|insisted|insists|noted|notes|warned|warns|explained|explains|wrote|writes|asserted|"
    r"asserts|emphasi[sz]ed|emphasi[sz]es|stressed|stresses|remarked|replied|responded|acknowledged|admitted|"
    r"admits|estimated|estimates|reported|reports|lamented|testified|tweeted|posted|concluded|predicted|"
    r"confirmed|denied|contended|maintained|cautioned|pointed out)"
)
_OPEN_QUOTE = "\"“«"
_CLOSE_QUOTE = "\"”»"

# "…," Watson said / "…," said Watson / "…," National Security Council spokesperson Adrienne Watson said
_QUOTE_THEN_SPEAKER = re.compile(rf"[,!?.…—-][\"”»]\s+(?:[\w'’.-]+\s+){{0,7}}?{_SPEECH}\b")
# Speech verbs are found once (an alternation of words is the slow part of a scan);
# what must follow or precede one is then matched at that place only.
_SPEECH_VERB = re.compile(rf"\b{_SPEECH}\b")
# Watson said: "…" / he added, "…"
_THEN_QUOTE = re.compile(r"(?:\s+\w+){0,4}?\s*[,:]\s*[\"“«]")
# X said that … / emphasized in a statement that … / told reporters that …
_THEN_THAT = re.compile(r"(?:\s+(?:in|on|at|during|to)\s+(?:a|an|the|his|her|their)\s+\w+|\s+\w+){0,2}\s+that\b")
# As the State Department announced Monday, …
_AS_BEFORE = re.compile(r"\b[Aa]s (?:[\w.'’-]+\s+){1,6}$")
# The patterns below run on the lower-cased text (faster than re.IGNORECASE).
_ACCORDING = re.compile(r"\b(?:according to|as reported by|cited by|in the words of)\b")

_NUMBER = re.compile(
    r"[$£€¥]\s?\d|\b\d[\d,.]*\s?(?:%|per ?cent|percent)|\b(?!1[89]\d\d\b|20\d\d\b)\d[\d,.]*\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|thirds?|"
    r"quarters?|twice|thrice)\b",
)
_CHANGE = re.compile(
    r"\b(?:increas(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|ris(?:e|es|ing|en)|rose|f[ae]ll(?:s|ing|en)?|"
    r"dropp?(?:s|ed|ing)?|gr[eo]w(?:s|n|ing)?|declin(?:e|es|ed|ing)|doubl(?:e|es|ed|ing)|tripl(?:e|es|ed|ing)|"
    r"halv(?:e|es|ed|ing)|surg(?:e|es|ed|ing)|soar(?:s|ed|ing)?|plummet(?:s|ed|ing)?|plung(?:e|es|ed|ing)|"
    r"jump(?:s|ed|ing)?|climb(?:s|ed|ing)?|shr[aiu]nk(?:s|ing)?|reduc(?:e|es|ed|ing|tion)|cut(?:s|ting)?|"
    r"slash(?:es|ed|ing)?|spik(?:e|es|ed|ing)|outpac(?:e|es|ed|ing)|exceed(?:s|ed|ing)?|"
    r"(?:more|less|fewer|greater|higher|lower|bigger|smaller|larger) than|"
    r"(?:over|under|above|below) (?=[$£€¥]?\d)|compared (?:to|with)|up from|down from|"
    r"times (?:as|more|less|higher|lower)|as (?:many|much) as|(?:twice|half) as|record (?:high|low|number)|"
    r"(?:highest|lowest|largest|smallest|biggest|most|fewest|worst|best) (?:\w+ ){0,3}(?:since|ever|in (?:history|decades|years))|"
    r"per ?cent (?:more|less|higher|lower))\b"
)
_NUMBER_AND_CHANGE = re.compile(r"\b(?:twice as|doubled|tripled|halved|quadrupled)\b|\b(?:highest|lowest|largest|smallest|biggest) (?:\w+ ){0,3}since\b")

ATTRIBUTED = 0.8
CONTINUED = 0.65
ACCORDING = 0.7
REPORTED = 0.6
STATISTIC = 0.75
NUMBER = 0.1
NUMBERS_ONLY = 0.3
"""Numbers without a comparison rank a sentence above one with none, far below the
threshold at which anything is suggested."""


@dataclass(slots=True)
class SentenceFacts:
    """What the rules found in one sentence."""

    quote_speaker: bool = False
    reported: bool = False
    according: bool = False
    continued: bool = False
    numbers: int = 0
    change: bool = False
    question: bool = False
    heading: bool = False

    @property
    def statistic(self) -> bool:
        return self.change and self.numbers > 0

    def score(self) -> float:
        """The rules' score in [0, 1]: 0 for a sentence no rule makes a claim."""
        if self.question or self.heading:
            return 0.0
        found = [
            ATTRIBUTED if self.quote_speaker else 0.0,
            ACCORDING if self.according else 0.0,
            REPORTED if self.reported else 0.0,
            CONTINUED if self.continued else 0.0,
        ]
        attributed = max(found)
        statistic = STATISTIC if self.statistic else 0.0
        if attributed and statistic:
            return min(0.95, max(attributed, statistic) + 0.1)
        return max(attributed, statistic, min(NUMBERS_ONLY, NUMBER * self.numbers))


def _mark(spans: Sequence[tuple[int, int]], starts: list[int], pattern: re.Pattern[str], text: str) -> list[int]:
    """Index of the sentence each match of ``pattern`` starts in (matches between
    sentences are dropped)."""
    hits = []
    for match in pattern.finditer(text):
        index = bisect_right(starts, match.start()) - 1
        if index >= 0 and match.start() < spans[index][1]:
            hits.append(index)
    return hits


def _quoted_whole(text: str, start: int, end: int) -> bool:
    return text[start] in _OPEN_QUOTE and text[end - 1] in _CLOSE_QUOTE


def _question(text: str, start: int, end: int) -> bool:
    return text[start:end].rstrip(_CLOSE_QUOTE + "'’)] ").endswith("?")


def _lower(text: str) -> str:
    """``text`` lower-cased with every offset kept (a letter whose lower case is longer,
    like "İ", stays as it is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(character.lower() if len(character.lower()) == 1 else character for character in text)


def facts(text: str, spans: Sequence[tuple[int, int]]) -> list[SentenceFacts]:
    """What the rules find in each of the sentences ``spans`` of ``text``."""
    found = [SentenceFacts() for _ in spans]
    starts = [start for start, _ in spans]
    for index in _mark(spans, starts, _QUOTE_THEN_SPEAKER, text):
        found[index].quote_speaker = True
    for match in _SPEECH_VERB.finditer(text):
        index = bisect_right(starts, match.start()) - 1
        if index < 0 or match.start() >= spans[index][1]:
            continue
        if _THEN_QUOTE.match(text, match.end()):
            found[index].quote_speaker = True
        elif _THEN_THAT.match(text, match.end()) or _AS_BEFORE.search(text, max(spans[index][0], match.start() - 80),
                                                                      match.start()):
            found[index].reported = True
    lowered = _lower(text)
    for index in _mark(spans, starts, _ACCORDING, lowered):
        found[index].according = True
    for index in _mark(spans, starts, _NUMBER, lowered):
        found[index].numbers += 1
    for index in _mark(spans, starts, _CHANGE, lowered):
        found[index].change = True
    for index in _mark(spans, starts, _NUMBER_AND_CHANGE, lowered):
        found[index].change = True
        found[index].numbers += 1
    for index, (start, end) in enumerate(spans):
        sentence = found[index]
        sentence.question = _question(text, start, end)
        sentence.heading = is_heading(text, start, end)
        if index and _quoted_whole(text, start, end) and found[index - 1].quote_speaker:
            previous_end = spans[index - 1][1]
            sentence.continued = "\n" not in text[previous_end:start]
    return found


def rule_tokens(sentence: SentenceFacts) -> str:
    """The rules' findings as words the classifier sees beside the sentence's own."""
    words = []
    if sentence.quote_speaker:
        words.append("zzquotespeaker")
    if sentence.reported:
        words.append("zzreported")
    if sentence.according:
        words.append("zzaccording")
    if sentence.continued:
        words.append("zzcontinued")
    if sentence.numbers:
        words.append("zznumber")
    if sentence.numbers > 1:
        words.append("zznumbers")
    if sentence.change:
        words.append("zzchange")
    if sentence.statistic:
        words.append("zzstatistic")
    if sentence.question:
        words.append("zzquestion")
    return " ".join(words)
