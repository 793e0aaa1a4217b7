"""The scikit-learn baseline: spun words and spun articles found without the original.

A model folder (``models/baseline/`` by default) holds::

    config.json           {"type": "baseline", "labels": [...], "thresholds": {...}, ...}
    word_model.skops      Pipeline(WordFeatures, HistGradientBoostingClassifier)
    document_model.skops  Pipeline(FeatureUnion(DocumentFeatures, TF-IDF), LogisticRegression)
    README.md             the model card

The word model gives each word a spin probability; the document model reads
those probabilities with article-level features and gives the article one.  The
``.skops`` files are loaded with an explicit list of trusted types
(``TRUSTED_TYPES``): a file that needs any other type is refused, never
unpickled.  Predictions run on one thread, so two processes use two cores.

Scoring is built for throughput: word features are gathered from a per-type
cache (``detector.features.LexicalTable``), and when the document pipeline has
the shape ``make baseline`` builds, its scaling and logistic model are applied
with numpy from their public fitted attributes (``_DocumentScorer``) rather
than through scikit-learn's per-call input validation, which costs more than
the arithmetic on one article.  That shortcut is checked against the pipeline's
``predict_proba`` when the model is built and is not used if they disagree;
``score_words`` on a list of documents scores all their words in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.lexicon import Lexicon, load_lexicon
from detector.model_config import read_model_config
from detector.report import Report
from detector.restore import Restorer
from detector.scoring import WordScores, score_document
from detector.skops_files import load_trusted_skops

__all__ = ["DOCUMENT_MODEL_FILE", "TRUSTED_TYPES", "WORD_MODEL_FILE", "BaselineModel", "load_skops"]

WORD_MODEL_FILE = "word_model.skops"
DOCUMENT_MODEL_FILE = "document_model.skops"

# Every type outside skops' default trust that a baseline file may hold; nothing else loads.
TRUSTED_TYPES = (
    "detector.features.DocumentFeatures",
    "detector.features.WordFeatures",
    "detector.features.evidence_text",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


def load_skops(path: Path) -> Any:
    """The object in the skops file ``path``, refusing any type outside ``TRUSTED_TYPES``."""
    return load_trusted_skops(path, TRUSTED_TYPES, rebuild="make baseline")


@dataclass(eq=False)
class BaselineModel:
    """The baseline as a ``detector.models.ReferenceFreeModel``.

    Parameters
    ----------
    word_model : Pipeline
        ``WordFeatures`` then a classifier: a spin probability per word.
    document_model : Pipeline
        Reads ``WordEvidence``: a spin probability per document.
    word_threshold, document_threshold : float
        A word (document) at or above its threshold is flagged (called spun).
    lexicon : Lexicon, optional
        The thesaurus; the compiled default when omitted.
    name : str, default="baseline"
        The name reports carry.
    min_words : int, default=15
        Texts with fewer words than the shortest the document model learnt from
        are too short to judge: their document probability is 0 (their words are
        still scored).
    """

    word_model: Any
    document_model: Any
    word_threshold: float
    document_threshold: float
    lexicon: Lexicon | None = None
    name: str = "baseline"
    min_words: int = 15
    restorer: Restorer = field(init=False, repr=False)
    _threads: Any = field(init=False, repr=False)
    _words: _WordScorer = field(init=False, repr=False)
    _documents: _DocumentScorer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for label in ("word_threshold", "document_threshold"):
            value = getattr(self, label)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"the '{label}' parameter of BaselineModel must be a float in [0, 1], "
                    f"got {value!r}"
                )
        from threadpoolctl import ThreadpoolController

        if self.lexicon is None:
            self.lexicon = load_lexicon(quiet=True)
        self.word_model[0].use_lexicon(self.lexicon)
        self.restorer = Restorer(self.lexicon)
        self._threads = ThreadpoolController()
        self._words = _WordScorer(self.word_model[-1])
        self._documents = _DocumentScorer(self.document_model)

    @classmethod
    def load(
        cls,
        folder: str | Path,
        lexicon: Lexicon | None = None,
        *,
        config: dict[str, Any] | None = None,
    ) -> BaselineModel:
        """The model saved in ``folder`` (see the module docstring for its files).

        ``config`` is the folder's parsed ``config.json`` when the caller has read it.
        """
        folder = Path(folder)
        if config is None:
            config = read_model_config(folder)
        try:
            thresholds = config["thresholds"]
            word_threshold = float(thresholds["word"])
            document_threshold = float(thresholds["document"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelNotFoundError(
                f"{folder / 'config.json'} is not a baseline config ({exc!r}); "
                "rebuild it with `make baseline`"
            ) from None
        if config.get("type") != "baseline":
            raise ModelNotFoundError(
                f"{folder} holds a {config.get('type')!r} model, not a baseline"
            )
        return cls(
            word_model=load_skops(folder / WORD_MODEL_FILE),
            document_model=load_skops(folder / DOCUMENT_MODEL_FILE),
            word_threshold=word_threshold,
            document_threshold=document_threshold,
            lexicon=lexicon,
            name=str(config.get("name", "baseline")),
            min_words=int(config.get("min_words", 15)),
        )

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document spin probabilities for each document."""
        from detector.features import WordEvidence

        if isinstance(documents, (str, Document)) or not all(
            isinstance(d, Document) for d in documents
        ):
            raise TypeError(
                "score_words() expects a sequence of Document objects; "
                "make them with detector.document.make_document()"
            )
        if not documents:
            return []
        features = self.word_model[0]
        rows = [features.document_rows(document) for document in documents]
        stacked = np.concatenate(rows) if len(rows) > 1 else rows[0]
        with self._threads.limit(limits=1, user_api="openmp"):
            probabilities = self._words.probabilities(stacked)
            bounds = np.cumsum([len(r) for r in rows])[:-1]
            per_document = np.split(probabilities, bounds)
            evidence = [
                WordEvidence(document, r, p)
                for document, r, p in zip(documents, rows, per_document, strict=True)
            ]
            document_probabilities = self._documents.probabilities(evidence)
        return [
            WordScores(
                e.document,
                tuple(e.probabilities.tolist()),
                float(q) if len(e.document.words) >= self.min_words else 0.0,
            )
            for e, q in zip(evidence, document_probabilities.tolist(), strict=True)
        ]

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The reference-free report on one document (``threshold``: see ``score_document``)."""
        return score_document(self, document, threshold=threshold)


# --------------------------------------------------------------------------- fast inference

# Random rows on which the direct document scorer is checked against the pipeline when
# a model loads: their count and spread (in standard deviations of the scaled features).
_PROBE_SEED = 20261122
_PROBE_ROWS = 65
_PROBE_SPREAD = 2.0


def _agrees(fast: np.ndarray, slow: np.ndarray) -> bool:
    return fast.shape == slow.shape and bool(np.array_equal(fast, slow))


class _WordScorer:
    """The word classifier's spin probabilities for feature rows.

    Plain ``predict_proba``: on scikit-learn 1.9 it is as fast as evaluating the
    fitted trees directly (1.0 ms against 1.4 ms for the 1,005 words of a long
    article), so no private scikit-learn routine is used.
    """

    def __init__(self, classifier: Any) -> None:
        self.classifier = classifier

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row."""
        if not len(rows):
            return np.zeros(0)
        return self.classifier.predict_proba(rows)[:, 1]


class _DocumentScorer:
    """The document pipeline's spin probabilities for ``WordEvidence``.

    When the pipeline is ``FeatureUnion([evidence: DocumentFeatures, StandardScaler])``
    into a binary ``LogisticRegression`` (``make baseline`` without TF-IDF), the
    scaling and the linear model are applied with numpy: the same operations in
    the same order as scikit-learn's, checked bit for bit against the pipeline
    on random probe rows when the scorer is built.  Otherwise (TF-IDF, another
    layout) the pipeline's ``predict_proba`` is used.
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self._summary: Any = None
        self._prepare()

    def _prepare(self) -> None:
        from scipy.special import expit
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline
        from sklearn.preprocessing import StandardScaler

        from detector.features import DocumentFeatures

        union, classifier = self.pipeline[0], self.pipeline[-1]
        if len(self.pipeline) != 2 or not isinstance(union, FeatureUnion):
            return
        if len(union.transformer_list) != 1 or union.transformer_weights is not None:
            return
        (_, part), classifier = union.transformer_list[0], classifier
        if not isinstance(part, Pipeline) or len(part) != 2:
            return
        summary, scaler = part[0], part[1]
        if not (
            isinstance(summary, DocumentFeatures)
            and isinstance(scaler, StandardScaler)
            and isinstance(classifier, LogisticRegression)
            and len(classifier.classes_) == 2
        ):
            return
        self._mean = scaler.mean_ if scaler.with_mean else None
        self._scale = scaler.scale_ if scaler.with_std else None
        self._coef_t, self._intercept = classifier.coef_.T, classifier.intercept_
        self._expit = expit
        probe = np.random.default_rng(_PROBE_SEED).normal(
            0.0, _PROBE_SPREAD, (_PROBE_ROWS, len(scaler.scale_))
        )
        slow = classifier.predict_proba(scaler.transform(probe))[:, 1]
        if _agrees(self._linear(probe), slow):
            self._summary = summary

    @property
    def fast(self) -> bool:
        """Whether the scaling and the logistic model are applied directly."""
        return self._summary is not None

    def probabilities(self, evidence: Sequence[Any]) -> np.ndarray:
        """The probability that each document is spun."""
        if self._summary is None:
            return self.pipeline.predict_proba(evidence)[:, 1]
        return self._linear(self._summary.transform(evidence))

    def _linear(self, rows: np.ndarray) -> np.ndarray:
        x = np.array(rows, dtype=np.float64)
        if self._mean is not None:
            x -= self._mean
        if self._scale is not None:
            x /= self._scale
        scores = (x @ self._coef_t + self._intercept).reshape(-1)
        return self._expit(scores)
