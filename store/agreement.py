"""Inter-annotator agreement: span F1, Cohen's kappa on tokens, Krippendorff's alpha.

What is compared
    Live (not deleted) annotations with status ``accepted``, excluding a reviewer's
    own (origin ``review:...``), since those settle disagreements rather than take
    part in them. A span is its (document, start, end, label); one annotator's
    duplicates count once.

Which documents
    A document is *shared* by two annotators when both have at least one such
    annotation in it, of any label (so ``--label statistic`` still counts a document
    where one of them found claims but no statistic: that is a judgement too).
    Documents an annotator never annotated are left out of their comparisons, since
    nothing says they read them.

Span scores (per pair: annotator A, first by name, is the reference; B the prediction)
    Exact: a B span matches when A has the identical (start, end, label).
    Overlap: a B span matches an A span of the same label when the two share at
    least one character; matches are one-to-one (a maximum matching), so one long
    span that covers two short ones counts once. Precision = matches / B's spans,
    recall = matches / A's spans, F1 = 2·matches / (A's + B's). The overall row
    micro-averages: counts are summed over labels first. An undefined figure (no
    spans on either side) is ``None``.

Tokens
    Each shared document's stored text is split with ``\\w+|[^\\w\\s]``. A token is
    covered by a span when they share at least one character.
    Per label, each token is in or out (binary), which handles overlapping spans of
    different labels honestly; Cohen's kappa per label compares A's and B's in/out.
    The overall kappa gives each token one category: the label of the innermost
    covering span (the shortest; ties go to the earlier start, then the label name),
    or ``O`` when no span covers it.
    Krippendorff's alpha (nominal) takes the same token values from every annotator
    of a document (a document counts when at least two annotated it; annotators who
    did not are missing values), per label (in/out) and overall (innermost category).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

from .annotations import iter_annotations
from .database import Database
from .documents import get_document
from .labels import list_labels

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"
OVERALL = "all"

Span = tuple[int, int, str]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(slots=True)
class SpanScores:
    """Matches between a reference's and a prediction's spans."""

    matched: int = 0
    reference: int = 0
    predicted: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float | None:
        return _ratio(self.matched, self.reference)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.matched, self.reference + self.predicted)

    def add(self, other: SpanScores) -> None:
        self.matched += other.matched
        self.reference += other.reference
        self.predicted += other.predicted

    def to_dict(self) -> dict:
        return asdict(self) | {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(slots=True)
class LabelAgreement:
    """One label's figures for one pair (``label == "all"`` for the overall row)."""

    label: str
    exact: SpanScores = field(default_factory=SpanScores)
    overlap: SpanScores = field(default_factory=SpanScores)
    kappa: float | None = None

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "kappa": self.kappa,
        }


@dataclass(slots=True)
class PairAgreement:
    reference: str
    predicted: str
    documents: int
    tokens: int
    labels: list[LabelAgreement]
    overall: LabelAgreement

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "predicted": self.predicted,
            "documents": self.documents,
            "tokens": self.tokens,
            "labels": [label.to_dict() for label in self.labels],
            "overall": self.overall.to_dict(),
        }


@dataclass(slots=True)
class AlphaAgreement:
    """Krippendorff's alpha for one label (in/out) or overall (innermost category)."""

    label: str
    alpha: float | None
    units: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class AgreementReport:
    annotators: list[str]
    labels: list[str]
    documents: int
    pairs: list[PairAgreement]
    alpha: list[AlphaAgreement]
    alpha_overall: AlphaAgreement

    def to_dict(self) -> dict:
        return {
            "annotators": self.annotators,
            "labels": self.labels,
            "documents": self.documents,
            "pairs": [pair.to_dict() for pair in self.pairs],
            "alpha": [alpha.to_dict() for alpha in self.alpha],
            "alpha_overall": self.alpha_overall.to_dict(),
        }


# ---------------------------------------------------------------------------------
# Statistics on plain values, usable on their own.


def cohen_kappa(pairs: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Cohen's kappa from counts of (A's category, B's category); ``None`` when
    chance agreement is already total (both used one and the same category)."""
    total = sum(pairs.values())
    if not total:
        return None
    observed = sum(count for (a, b), count in pairs.items() if a == b) / total
    first: Counter = Counter()
    second: Counter = Counter()
    for (a, b), count in pairs.items():
        first[a] += count
        second[b] += count
    expected = sum(first[c] * second[c] for c in first) / (total * total)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def binary_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    return cohen_kappa(
        {(True, True): both, (True, False): only_a, (False, True): only_b, (False, False): neither}
    )


def alpha_from_units(units: Mapping[tuple[tuple[Hashable, int], ...], int]) -> tuple[float | None, int]:
    """Krippendorff's alpha (nominal) from the coincidence matrix.

    ``units`` maps a unit's values, as sorted (value, how many coders gave it) pairs,
    to how many units look like that (identical units contribute identically, which
    keeps a book's worth of tokens cheap). Units with fewer than two values are not
    pairable and are skipped. Returns (alpha, pairable units); alpha is ``None`` when
    only one value occurs at all (no disagreement is possible, so none is expected).

    For a unit u with m_u values, each ordered pair of values from different coders
    adds 1/(m_u − 1) to o[c][k]; n_c = Σ_k o[c][k], n = Σ_c n_c, and
    alpha = 1 − (n − 1) · Σ_{c≠k} o[c][k] / Σ_{c≠k} n_c · n_k.
    """
    observed_agreeing = 0.0
    totals: Counter = Counter()
    pairable = 0
    for values, weight in units.items():
        m = sum(count for _, count in values)
        if m < 2:
            continue
        pairable += weight
        for value, count in values:
            totals[value] += weight * count
            observed_agreeing += weight * count * (count - 1) / (m - 1)
    n = sum(totals.values())
    expected_disagreeing = n * n - sum(count * count for count in totals.values())
    if not expected_disagreeing:
        return None, pairable
    observed_disagreeing = n - observed_agreeing
    return 1 - (n - 1) * observed_disagreeing / expected_disagreeing, pairable


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Nominal alpha for units given as each coder's value, ``None`` where missing."""
    patterns: Counter = Counter()
    for unit in units:
        patterns[tuple(sorted(Counter(v for v in unit if v is not None).items()))] += 1
    return alpha_from_units(patterns)[0]


def overlap_matches(reference: Iterable[tuple[int, int]], predicted: Iterable[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching between overlapping intervals.

    Greedy is exact here: take reference intervals by increasing end and give each the
    still-free overlapping prediction that ends first. (Exchange argument: any
    prediction overlapping the current reference interval also overlaps every later
    reference interval that the first-ending one overlaps, so swapping never loses
    a match.)
    """
    pending = sorted(predicted)
    active: list[tuple[int, int]] = []  # (end, start) of predictions starting early enough
    taken = 0
    matched = 0
    for start, end in sorted(reference, key=lambda span: (span[1], span[0])):
        while taken < len(pending) and pending[taken][0] < end:
            other_start, other_end = pending[taken]
            active.insert(bisect_left(active, (other_end, other_start)), (other_end, other_start))
            taken += 1
        index = bisect_right(active, (start, float("inf")))
        if index < len(active):
            del active[index]
            matched += 1
    return matched


# ---------------------------------------------------------------------------------
# Gathering spans and token values from the database.


@dataclass(slots=True)
class _TokenValues:
    """One annotator's reading of one document's tokens."""

    covered: dict[str, set[int]]
    innermost: list[str]


def count_tokens(text: str) -> int:
    """How many tokens ``text`` has, counted in C (``subn`` makes no match objects)."""
    return TOKEN_PATTERN.subn("", text)[1]


def tokens_touching(text: str, spans: Iterable[Span]) -> tuple[list[int], list[int]]:
    """(starts, ends) of the tokens that any span touches, in order.

    Only these can be read differently by two annotators; every other token is
    outside for everyone, and is counted, not listed. A token never holds
    whitespace, so each span's reach is widened to the whitespace around it and the
    text between is tokenised once.
    """
    reach: list[tuple[int, int]] = []
    for start, end, _label in spans:
        low = start
        while low > 0 and not text[low - 1].isspace():
            low -= 1
        high = end
        while high < len(text) and not text[high].isspace():
            high += 1
        reach.append((low, high))
    starts: list[int] = []
    ends: list[int] = []
    last = -1
    for low, high in sorted(reach):
        if high <= last:
            continue
        for match in TOKEN_PATTERN.finditer(text, max(low, last), high):
            starts.append(match.start())
            ends.append(match.end())
        last = high
    return starts, ends


def token_values(starts: Sequence[int], ends: Sequence[int], spans: Iterable[Span]) -> _TokenValues:
    covered: dict[str, set[int]] = defaultdict(set)
    best: dict[int, tuple[int, int, str]] = {}
    for start, end, label in spans:
        first = bisect_right(ends, start)
        last = bisect_left(starts, end)
        rank = (end - start, start, label)
        for index in range(first, last):
            covered[label].add(index)
            if index not in best or rank < best[index]:
                best[index] = rank
    innermost = [OUTSIDE] * len(starts)
    for index, (_, _, label) in best.items():
        innermost[index] = label
    return _TokenValues(dict(covered), innermost)


def _accepted(
    doc_ids: Sequence[str] | None, annotators: Sequence[str] | None, labels: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """The where clause picking the annotations agreement compares (see the module
    docstring), with its parameters."""
    clauses = ["deleted_at is null", "status = 'accepted'", "substr(coalesce(origin, ''), 1, 7) != 'review:'"]
    params: list[str] = []
    for column, values in (("doc_id", doc_ids), ("annotator", annotators), ("label", labels)):
        if values is not None:
            clauses.append(f"{column} in ({', '.join('?' for _ in values)})")
            params.extend(values)
    return " and ".join(clauses), params


def _distinct(db: Database, column: str, where: str, params: list[str]) -> list[str]:
    return [row[0] for row in db.execute(f"select distinct {column} from annotations where {where}", params)]


def _shared_documents(db: Database, where: str, params: list[str]) -> Iterator[str]:
    """Ids of the documents at least two annotators annotated, read as a stream."""
    yield from (
        row[0]
        for row in db.execute(
            f"select doc_id from annotations where {where} group by doc_id "
            "having count(distinct annotator) >= 2 order by doc_id",
            params,
        )
    )


def _document_spans(
    db: Database, doc_id: str, annotators: Sequence[str] | None, wanted: set[str] | None
) -> dict[str, set[Span]]:
    """annotator -> spans in one document, for every annotator who annotated it."""
    spans: dict[str, set[Span]] = {}
    for annotation in iter_annotations(db, doc_id=doc_id, annotator=annotators, status="accepted"):
        if annotation.origin.startswith("review:"):
            continue
        mine = spans.setdefault(annotation.annotator, set())
        if wanted is None or annotation.label in wanted:
            mine.add((annotation.start, annotation.end, annotation.label))
    return spans


def _label_order(db: Database, used: Iterable[str]) -> list[str]:
    position = {label.name: index for index, label in enumerate(list_labels(db))}
    return sorted(set(used), key=lambda name: (position.get(name, len(position)), name))


def _by_label(spans: Iterable[Span]) -> dict[str, set[tuple[int, int]]]:
    grouped: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for start, end, label in spans:
        grouped[label].add((start, end))
    return grouped


class _PairTally:
    """One pair's counts, added to document by document; only totals are kept."""

    def __init__(self, reference: str, predicted: str, labels: list[str]) -> None:
        self.reference, self.predicted = reference, predicted
        self.rows = {label: LabelAgreement(label) for label in labels}
        self.in_out: dict[str, Counter] = {label: Counter() for label in labels}
        self.categories: Counter = Counter()
        self.documents = 0
        self.tokens = 0

    def add(self, ours: set[Span], theirs: set[Span], mine: _TokenValues, other: _TokenValues, tokens: int) -> None:
        our_spans, their_spans = _by_label(ours), _by_label(theirs)
        for label, row in self.rows.items():
            a_spans = our_spans.get(label, set())
            b_spans = their_spans.get(label, set())
            row.exact.add(SpanScores(len(a_spans & b_spans), len(a_spans), len(b_spans)))
            row.overlap.add(SpanScores(overlap_matches(a_spans, b_spans), len(a_spans), len(b_spans)))
            a = mine.covered.get(label, set())
            b = other.covered.get(label, set())
            both = len(a & b)
            counts = self.in_out[label]
            counts["both"] += both
            counts["only_a"] += len(a) - both
            counts["only_b"] += len(b) - both
            counts["tokens"] += tokens
        self.categories.update(zip(mine.innermost, other.innermost))
        self.categories[OUTSIDE, OUTSIDE] += tokens - len(mine.innermost)
        self.documents += 1
        self.tokens += tokens

    def result(self) -> PairAgreement:
        overall = LabelAgreement(OVERALL, kappa=cohen_kappa(self.categories))
        for label, row in self.rows.items():
            counts = self.in_out[label]
            neither = counts["tokens"] - counts["both"] - counts["only_a"] - counts["only_b"]
            row.kappa = binary_kappa(counts["both"], counts["only_a"], counts["only_b"], neither)
            overall.exact.add(row.exact)
            overall.overlap.add(row.overlap)
        return PairAgreement(
            self.reference, self.predicted, self.documents, self.tokens, list(self.rows.values()), overall
        )


class _AlphaTally:
    """Krippendorff's alpha units as counts of value patterns, document by document."""

    def __init__(self, labels: list[str]) -> None:
        self.per_label: dict[str, Counter] = {label: Counter() for label in labels}
        self.overall: Counter = Counter()

    def add(self, readings: Sequence[_TokenValues], tokens: int) -> None:
        coders = len(readings)
        for label, patterns in self.per_label.items():
            inside: Counter = Counter()
            for reading in readings:
                inside.update(reading.covered.get(label, ()))
            hits = Counter(inside.values())
            patterns[((False, coders),)] += tokens - len(inside)
            for count, units in hits.items():
                pattern = ((False, coders - count), (True, count)) if count < coders else ((True, coders),)
                patterns[pattern] += units
        # Most tokens read alike (all outside, say): count each distinct unit once.
        distinct = Counter(zip(*(reading.innermost for reading in readings)))
        distinct[(OUTSIDE,) * coders] += tokens - len(readings[0].innermost)
        for unit, weight in distinct.items():
            self.overall[tuple(sorted(Counter(unit).items()))] += weight

    def result(self) -> tuple[list[AlphaAgreement], AlphaAgreement]:
        results = []
        for label, patterns in self.per_label.items():
            alpha, units = alpha_from_units(patterns)
            results.append(AlphaAgreement(label, alpha, units))
        alpha, units = alpha_from_units(self.overall)
        return results, AlphaAgreement(OVERALL, alpha, units)


def compute_agreement(
    db: Database,
    *,
    labels: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
    annotators: Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement between every pair of annotators, and alpha across all of them.

    Works one shared document at a time: its spans are read, scored into running
    totals and dropped, so memory holds one document's spans whatever the database."""
    where, params = _accepted(doc_ids, annotators)
    everyone = sorted(_distinct(db, "annotator", where, params))
    used = labels or _distinct(db, "label", where, params)
    label_names = _label_order(db, used)
    tallies = {pair: _PairTally(*pair, label_names) for pair in combinations(everyone, 2)}
    alpha = _AlphaTally(label_names)
    wanted = set(labels) if labels else None
    shared = 0
    for doc_id in _shared_documents(db, where, params):
        readers = _document_spans(db, doc_id, annotators, wanted)
        document = get_document(db, doc_id)
        text = document.text if document else ""
        tokens = count_tokens(text)
        starts, ends = tokens_touching(text, (span for own in readers.values() for span in own))
        values = {name: token_values(starts, ends, own) for name, own in readers.items()}
        for reference, predicted in combinations(sorted(readers), 2):
            tallies[reference, predicted].add(
                readers[reference], readers[predicted], values[reference], values[predicted], tokens
            )
        alpha.add(list(values.values()), tokens)
        shared += 1
    per_label, overall = alpha.result()
    return AgreementReport(
        everyone, label_names, shared, [tally.result() for tally in tallies.values()], per_label, overall
    )
