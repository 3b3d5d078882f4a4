"""The measures agreement reports, apart from how the spans are gathered: span
scores, Cohen's kappa, Krippendorff's alpha, and the one-to-one overlap matching.
``store/agreement.py`` says what is compared and feeds these document by document."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

OVERALL = "all"


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
class RelationAgreement:
    """One relation type's matches for one pair (``type == "all"`` overall)."""

    type: str
    scores: SpanScores = field(default_factory=SpanScores)

    def to_dict(self) -> dict:
        return {"type": self.type, **self.scores.to_dict()}


@dataclass(slots=True)
class AttributeAgreement:
    """Cohen's kappa on one attribute's values over the spans a pair marked alike;
    ``observed`` is the share of those spans given the same value (or none by both),
    which stays defined where kappa is not."""

    name: str
    kappa: float | None
    observed: float | None
    spans: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class PairAgreement:
    reference: str
    predicted: str
    documents: int
    tokens: int
    labels: list[LabelAgreement]
    overall: LabelAgreement
    relations: list[RelationAgreement] = field(default_factory=list)
    relations_overall: RelationAgreement | None = None
    """None when no relation is compared at all (the section is left out)."""
    attributes: list[AttributeAgreement] = field(default_factory=list)

    def to_dict(self) -> dict:
        result = {
            "reference": self.reference,
            "predicted": self.predicted,
            "documents": self.documents,
            "tokens": self.tokens,
            "labels": [label.to_dict() for label in self.labels],
            "overall": self.overall.to_dict(),
        }
        if self.relations_overall is not None:
            result["relations"] = [relation.to_dict() for relation in self.relations]
            result["relations_overall"] = self.relations_overall.to_dict()
        if self.attributes:
            result["attributes"] = [attribute.to_dict() for attribute in self.attributes]
        return result


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
    relation_types: list[str] = field(default_factory=list)
    """The types of the relations compared; empty when there are none."""
    attributes: list[str] = field(default_factory=list)
    """The attributes whose values are compared; empty when no span has one."""

    def to_dict(self) -> dict:
        result = {
            "annotators": self.annotators,
            "labels": self.labels,
            "documents": self.documents,
            "pairs": [pair.to_dict() for pair in self.pairs],
            "alpha": [alpha.to_dict() for alpha in self.alpha],
            "alpha_overall": self.alpha_overall.to_dict(),
        }
        if self.relation_types:
            result["relation_types"] = self.relation_types
        if self.attributes:
            result["attributes"] = self.attributes
        return result


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
    # Whole numbers per unit size m, divided once each at the end in order of m: the
    # result does not depend on the order the units were counted in (the order of
    # documents, or of annotators within one, is the database's to choose).
    agreeing_by_size: Counter = Counter()
    totals: Counter = Counter()
    pairable = 0
    for values, weight in units.items():
        m = sum(count for _, count in values)
        if m < 2:
            continue
        pairable += weight
        for value, count in values:
            totals[value] += weight * count
            agreeing_by_size[m] += weight * count * (count - 1)
    observed_agreeing = sum(agreeing / (m - 1) for m, agreeing in sorted(agreeing_by_size.items()))
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
