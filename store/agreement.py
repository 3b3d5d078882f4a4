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

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, combinations, groupby
from operator import itemgetter

from .agreement_links import LinkTally
from .agreement_measures import (
    OVERALL,
    AgreementReport,
    AlphaAgreement,
    AttributeAgreement,
    LabelAgreement,
    PairAgreement,
    RelationAgreement,
    SpanScores,
    alpha_from_units,
    binary_kappa,
    cohen_kappa,
    krippendorff_alpha,
    overlap_matches,
)
from .database import Database
from .labels import list_labels
from .tokens import TOKEN_PATTERN, count_tokens

OUTSIDE = "O"

Span = tuple[int, int, str]

__all__ = [
    "AgreementReport", "AlphaAgreement", "AttributeAgreement", "LabelAgreement", "PairAgreement",
    "RelationAgreement", "SpanScores",
    "compute_agreement", "count_tokens", "krippendorff_alpha", "overlap_matches",
]


# ---------------------------------------------------------------------------------
# Gathering spans and token values from the database.


@dataclass(slots=True)
class _TokenValues:
    """One annotator's reading of one document's tokens."""

    covered: dict[str, set[int]]
    innermost: list[str]


def tokens_touching(text: str, spans: Iterable[Span]) -> tuple[list[int], list[int]]:
    """(starts, ends) of the tokens that any span touches, in order.

    Only these can be read differently by two annotators; every other token is
    outside for everyone, and is counted, not listed. A token never holds
    whitespace, so each span's reach is widened to the whitespace around it and the
    text between is tokenised once.
    """
    reach: set[tuple[int, int]] = set()
    size = len(text)
    for start, end in {(start, end) for start, end, _label in spans}:
        low = start
        while low > 0 and not text[low - 1].isspace():
            low -= 1
        high = end
        while high < size and not text[high].isspace():
            high += 1
        reach.add((low, high))
    found: list[tuple[int, int]] = []
    last = -1
    for low, high in sorted(reach):
        if high <= last:
            continue
        found.extend(match.span() for match in TOKEN_PATTERN.finditer(text, max(low, last), high))
        last = high
    return [start for start, _ in found], [end for _, end in found]


def token_values(starts: Sequence[int], ends: Sequence[int], spans: Iterable[Span]) -> _TokenValues:
    """Which tokens each label covers, and each token's innermost label: spans are
    laid from the outermost to the innermost (see the module docstring), so the one
    that ranks first is written last."""
    covered: dict[str, set[int]] = {}
    innermost = [OUTSIDE] * len(starts)
    for length, start, label in sorted(((end - start, start, label) for start, end, label in spans), reverse=True):
        first = bisect_right(ends, start)
        last = bisect_left(starts, start + length)
        if first < last:
            innermost[first:last] = [label] * (last - first)
            held = covered.get(label)
            if held is None:
                covered[label] = set(range(first, last))
            else:
                held.update(range(first, last))
    return _TokenValues(covered, innermost)


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


def _shared_documents(
    db: Database, where: str, params: list[str], wanted: set[str] | None
) -> Iterator[tuple[str, dict[str, set[Span]], dict[str, dict[Span, str]]]]:
    """Each document at least two annotators annotated, with annotator -> spans, and
    annotator -> span -> the id of its annotation (of duplicates, the smallest id),
    which the attribute values hang on.

    One query read as a stream in document order, so memory holds one document's
    spans whatever the database, and a document costs no query of its own."""
    rows = db.execute(
        f'select doc_id, annotator, start, "end", label, id from annotations where {where} order by doc_id',
        params,
    )
    for doc_id, group in groupby(rows, itemgetter(0)):
        spans: dict[str, set[Span]] = {}
        ids: dict[str, dict[Span, str]] = {}
        for _, annotator, start, end, label, annotation_id in group:
            mine = spans.get(annotator)
            if mine is None:
                mine = spans[annotator] = set()
                ids[annotator] = {}
            if wanted is None or label in wanted:
                span = (start, end, label)
                mine.add(span)
                held = ids[annotator]
                if span not in held or annotation_id < held[span]:
                    held[span] = annotation_id
        if len(spans) >= 2:
            yield doc_id, spans, ids


def _text_and_tokens(db: Database, doc_id: str) -> tuple[str, int]:
    """A document's text and its token count: stored with it, or counted for a
    document stored before the count was."""
    row = db.execute("select text, tokens from documents where id = ?", [doc_id]).fetchone()
    if row is None:
        return "", 0
    text, tokens = row
    return text, count_tokens(text) if tokens is None else tokens


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
        nothing: set = set()
        for label, row in self.rows.items():
            a_spans = our_spans.get(label, nothing)
            b_spans = their_spans.get(label, nothing)
            counts = self.in_out[label]
            counts["tokens"] += tokens
            if not a_spans and not b_spans:
                continue
            exact, overlap = row.exact, row.overlap
            exact.matched += len(a_spans & b_spans)
            overlap.matched += overlap_matches(a_spans, b_spans) if a_spans and b_spans else 0
            exact.reference += len(a_spans)
            overlap.reference += len(a_spans)
            exact.predicted += len(b_spans)
            overlap.predicted += len(b_spans)
            a = mine.covered.get(label, nothing)
            b = other.covered.get(label, nothing)
            both = len(a & b)
            counts["both"] += both
            counts["only_a"] += len(a) - both
            counts["only_b"] += len(b) - both
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
        self.patterns: dict[tuple[str, ...], tuple[tuple[str, int], ...]] = {}
        """Each unit of values seen, as its pattern: units repeat across documents."""

    def add(self, readings: Sequence[_TokenValues], tokens: int) -> None:
        coders = len(readings)
        for label, patterns in self.per_label.items():
            sets = [covered for reading in readings if (covered := reading.covered.get(label))]
            if len(sets) == 1:
                hits = {1: len(sets[0])}
            elif len(sets) == 2:
                both = len(sets[0] & sets[1])
                hits = {2: both, 1: len(sets[0]) + len(sets[1]) - 2 * both}
            else:
                hits = Counter(Counter(chain.from_iterable(sets)).values())
            patterns[((False, coders),)] += tokens - sum(hits.values())
            for count, units in hits.items():
                if units:
                    pattern = ((False, coders - count), (True, count)) if count < coders else ((True, coders),)
                    patterns[pattern] += units
        # Most tokens read alike (all outside, say): count each distinct unit once.
        distinct = Counter(zip(*(reading.innermost for reading in readings)))
        distinct[(OUTSIDE,) * coders] += tokens - len(readings[0].innermost)
        for unit, weight in distinct.items():
            values = self.patterns.get(unit)
            if values is None:
                values = self.patterns[unit] = tuple(sorted(Counter(unit).items()))
            self.overall[values] += weight

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
    links = LinkTally(db, tallies, doc_ids=doc_ids, annotators=annotators, labels=labels)
    alpha = _AlphaTally(label_names)
    wanted = set(labels) if labels else None
    shared = 0
    for doc_id, readers, ids in _shared_documents(db, where, params, wanted):
        text, tokens = _text_and_tokens(db, doc_id)
        starts, ends = tokens_touching(text, (span for own in readers.values() for span in own))
        values = {name: token_values(starts, ends, own) for name, own in readers.items()}
        for reference, predicted in combinations(sorted(readers), 2):
            tallies[reference, predicted].add(
                readers[reference], readers[predicted], values[reference], values[predicted], tokens
            )
        links.add(db, doc_id, combinations(sorted(readers), 2), readers, ids)
        alpha.add(list(values.values()), tokens)
        shared += 1
    per_label, overall = alpha.result()
    pairs = []
    for pair, tally in tallies.items():
        result = tally.result()
        result.relations, result.relations_overall = links.relations(pair)
        result.attributes = links.attribute_rows(pair)
        pairs.append(result)
    return AgreementReport(
        everyone, label_names, shared, pairs, per_label, overall, links.types, links.attributes
    )
