"""The check-worthiness classifier: which sentences your team labels ``claim``.

Trained from the database's own labels — a sentence holding a live accepted ``claim``
span is a positive; the other sentences of those documents, and the sentences of
rejected claim suggestions, are negatives — as TF-IDF over words and word pairs (plus
the rules' findings as extra words, :func:`claims_rules.rule_tokens`) and a logistic
regression, with scikit-learn (the ``learn`` extra). It is kept in the ``models``
table under the name ``claims`` so everyone sharing or merging the database uses it.

**Stored as JSON, not pickle.** A model reaches a database through merges from other
copies, and unpickling runs whatever code the bytes name; a JSON document of the
vocabulary, the idf weights, the coefficients and the intercept can only ever be
numbers. Scoring is rebuilt here in plain Python (the same sublinear TF × idf, L2
norm and logistic function as scikit-learn's), so a stored model is used even where
scikit-learn is not installed; only training needs it. A model that does not pass
:meth:`ClaimModel.from_bytes`'s checks is ignored with a notice, never half-used.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..database import Database
from ..db import write
from ..errors import MarginError
from ..timestamps import now_iso
from .claims_rules import SentenceFacts, facts, rule_tokens
from .claims_sentences import sentences

NAME = "claims"
KIND = "tfidf-logreg-json"
FORMAT = 1
LABEL = "claim"
MIN_POSITIVES = 10
INSTALL = "pip install 'margin[learn]'"
_MAX_TERMS = 2_000_000
_MAX_BYTES = 64 * 2**20
_TOKEN = re.compile(r"\b\w\w+\b")

Progress = Callable[[int, int], None]
"""Told (documents read, documents to read) while the training sentences are gathered."""


@dataclass(frozen=True, slots=True)
class TrainReport:
    spans: int
    """Accepted claim spans learned from."""
    sentences: int
    positives: int
    negatives: int
    trained_at: str


def terms(sentence: str, found: SentenceFacts) -> list[str]:
    """The classifier's words for one sentence: lower-cased words, adjacent pairs,
    and the rules' findings."""
    words = _TOKEN.findall(sentence.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])] + rule_tokens(found).split()


def sklearn_missing() -> str | None:
    """Why training cannot run here, or None when it can."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return f"training the claim classifier needs scikit-learn: {INSTALL}"
    return None


@dataclass(frozen=True, slots=True)
class ClaimModel:
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[float]
    intercept: float

    def probability(self, words: Sequence[str]) -> float:
        """P(claim) for a sentence's :func:`terms`."""
        counts = Counter(self.vocabulary[word] for word in words if word in self.vocabulary)
        weights = [((1.0 + math.log(count)) * self.idf[index], index) for index, count in counts.items()]
        norm = math.sqrt(sum(weight * weight for weight, _ in weights)) or 1.0
        z = self.intercept + sum(weight * self.coef[index] for weight, index in weights) / norm
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def to_bytes(self) -> bytes:
        document = {"format": FORMAT, "kind": KIND, "vocabulary": self.vocabulary,
                    "idf": [round(value, 6) for value in self.idf],
                    "coef": [round(value, 6) for value in self.coef], "intercept": round(self.intercept, 6)}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: object) -> ClaimModel:
        """The model in ``data``, or a MarginError saying what is wrong with it.

        ``data`` comes from a column anyone's merge may have filled with anything: a
        TEXT or INTEGER value (``bytes(n)`` would allocate n bytes), a blob too big to
        be a model, or JSON nested deeply enough to exhaust the parser's recursion."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise MarginError(f"the stored claim model is damaged (its data is {type(data).__name__}, "
                              "not bytes); retrain it")
        if len(data) > _MAX_BYTES:
            raise MarginError(f"the stored claim model is damaged (larger than {_MAX_BYTES // 2**20} MB); retrain it")
        try:
            document = json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise MarginError(f"the stored claim model is not JSON ({error}); retrain it") from None
        except (RecursionError, TypeError):
            raise MarginError("the stored claim model is damaged (nested too deeply to read); retrain it") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("kind") != KIND:
            raise MarginError("the stored claim model is of a format this margin does not read; retrain it")
        vocabulary, idf, coef, intercept = (document.get(key) for key in ("vocabulary", "idf", "coef", "intercept"))
        if not (isinstance(vocabulary, dict) and isinstance(idf, list) and isinstance(coef, list)):
            raise MarginError("the stored claim model lacks its vocabulary or weights; retrain it")
        size = len(idf)
        if size > _MAX_TERMS or len(coef) != size or len(vocabulary) != size:
            raise MarginError("the stored claim model's vocabulary and weights disagree; retrain it")
        numbers = [*idf, *coef, intercept]
        if not all(isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
                   for value in numbers):
            raise MarginError("the stored claim model has weights that are not numbers; retrain it")
        if not all(isinstance(term, str) and isinstance(index, int) and 0 <= index < size
                   for term, index in vocabulary.items()) or len(set(vocabulary.values())) != size:
            raise MarginError("the stored claim model's vocabulary is damaged; retrain it")
        return cls({str(term): int(index) for term, index in vocabulary.items()},
                   [float(value) for value in idf], [float(value) for value in coef], float(intercept))  # type: ignore[arg-type]


def fit(examples: Sequence[list[str]], labels: Sequence[int]) -> ClaimModel:
    """A model learned from sentences' :func:`terms` and their 0/1 labels."""
    vectorizer, classifier = fit_sklearn(examples, labels)
    return ClaimModel({str(term): int(index) for term, index in vectorizer.vocabulary_.items()},
                      [float(value) for value in vectorizer.idf_], [float(value) for value in classifier.coef_[0]],
                      float(classifier.intercept_[0]))


def fit_sklearn(examples: Sequence[list[str]], labels: Sequence[int]) -> tuple[Any, Any]:
    """The fitted scikit-learn vectorizer and classifier that :func:`fit` turns into a
    :class:`ClaimModel` (the tests compare the two's probabilities)."""
    missing = sklearn_missing()
    if missing:
        raise MarginError(missing)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1 if len(examples) < 1000 else 2)
    matrix = vectorizer.fit_transform(examples)
    classifier = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    classifier.fit(matrix, list(labels))
    return vectorizer, classifier


def _identity(words: list[str]) -> list[str]:
    return words


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(low < end and start < high for low, high in spans)


def training_examples(db: Database, progress: Progress | None = None) -> tuple[list[list[str]], list[int], int]:
    """Every training sentence's terms and label, and how many accepted spans they came from."""
    marked: dict[str, dict[str, list[tuple[int, int]]]] = {}
    for doc_id, status, start, end in db.execute(
        "select doc_id, status, start, \"end\" from annotations where label = ? and deleted_at is null "
        "and status in ('accepted', 'rejected') order by doc_id, start", [LABEL]
    ):
        marked.setdefault(doc_id, {"accepted": [], "rejected": []})[status].append((start, end))
    examples: list[list[str]] = []
    labels: list[int] = []
    spans = 0
    for done, (doc_id, by_status) in enumerate(marked.items(), 1):
        row = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
        if row is not None:
            spans += len(by_status["accepted"])
            _add_document(row[0], by_status["accepted"], by_status["rejected"], examples, labels)
        if progress is not None:
            progress(done, len(marked))
    return examples, labels, spans


def _add_document(text: str, accepted: list[tuple[int, int]], rejected: list[tuple[int, int]],
                  examples: list[list[str]], labels: list[int]) -> None:
    found = sentences(text)
    for (start, end), sentence in zip(found, facts(text, found)):
        if _overlaps(accepted, start, end):
            label = 1
        elif accepted or _overlaps(rejected, start, end):
            label = 0  # with accepted claims every other sentence is a negative; else only the rejected ones
        else:
            continue
        examples.append(terms(text[start:end], sentence))
        labels.append(label)


def train(db: Database, *, progress: Progress | None = None) -> TrainReport:
    """Learn the classifier from this database's claim labels and store it (replacing
    the one before); a MarginError when scikit-learn is missing or labels are too few."""
    missing = sklearn_missing()
    if missing:
        raise MarginError(missing)
    examples, labels, spans = training_examples(db, progress)
    positives = sum(labels)
    if positives < MIN_POSITIVES:
        raise MarginError(
            f"the claim classifier needs at least {MIN_POSITIVES} sentences labelled {LABEL!r} (accepted) to learn "
            f"from; this database has {positives} — label {MIN_POSITIVES - positives} more and train again"
        )
    if positives == len(labels):
        raise MarginError(f"the claim classifier needs sentences that are not claims too: every sentence of the "
                          f"documents with {LABEL!r} labels is one; reject a few claim suggestions and train again")
    model = fit(examples, labels)
    trained_at = now_iso()
    with write(db):
        db.execute(
            "insert or replace into models (name, kind, data, labels, trained_on, trained_at, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [NAME, KIND, model.to_bytes(), json.dumps([LABEL]), spans, trained_at, trained_at],
        )
    return TrainReport(spans=spans, sentences=len(labels), positives=positives, negatives=len(labels) - positives,
                       trained_at=trained_at)


def load(db: Database) -> tuple[ClaimModel | None, str]:
    """The stored model (or None) and a line saying what the suggester will use."""
    row = db.execute("select kind, data, trained_on, trained_at from models where name = ?", [NAME]).fetchone()
    if row is None:
        note = "claims: rules only; train the classifier with `margin suggest --train`"
        missing = sklearn_missing()
        return None, note + (f" ({INSTALL})" if missing else "")
    kind, data, trained_on, trained_at = row
    if kind != KIND:
        return None, f"claims: rules only; the stored model is of kind {kind!r}, which this margin does not read"
    try:
        model = ClaimModel.from_bytes(data)
    except MarginError as error:
        return None, f"claims: rules only; {error}"
    except (RecursionError, TypeError, ValueError) as error:  # whatever the checks did not foresee
        return None, f"claims: rules only; the stored claim model is damaged ({type(error).__name__}); retrain it"
    return model, f"claims: rules and the classifier trained on {trained_on} spans at {trained_at}"
