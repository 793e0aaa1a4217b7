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
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.lexicon import Lexicon, load_lexicon
from detector.models import WordScores, score_document
from detector.report import Report
from detector.restore import Restorer

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
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except FileNotFoundError:
        raise ModelNotFoundError(
            f"{path} is missing: rebuild the model with `make baseline`"
        ) from None
    except Exception as exc:  # a damaged or foreign file: zip or schema errors
        raise ModelNotFoundError(f"{path} is not a readable skops file ({exc})") from None
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelNotFoundError(
            f"{path} holds types spindetect does not trust ({', '.join(unexpected)}); "
            "refusing to load it.  Only load baseline models built by `make baseline`."
        )
    return skops.io.load(path, trusted=list(TRUSTED_TYPES))


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

    @classmethod
    def load(cls, folder: str | Path, lexicon: Lexicon | None = None) -> BaselineModel:
        """The model saved in ``folder`` (see the module docstring for its files)."""
        folder = Path(folder)
        try:
            config = json.loads((folder / "config.json").read_text("utf-8"))
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
        with self._threads.limit(limits=1, user_api="openmp"):
            stacked = np.concatenate(rows)
            if len(stacked):
                probabilities = self.word_model[-1].predict_proba(stacked)[:, 1]
            else:
                probabilities = np.zeros(0)
            bounds = np.cumsum([len(r) for r in rows])[:-1]
            per_document = np.split(probabilities, bounds)
            evidence = [
                WordEvidence(document, r, p)
                for document, r, p in zip(documents, rows, per_document, strict=True)
            ]
            document_probabilities = self.document_model.predict_proba(evidence)[:, 1]
        return [
            WordScores(
                e.document,
                tuple(e.probabilities.tolist()),
                float(q) if len(e.document.words) >= self.min_words else 0.0,
            )
            for e, q in zip(evidence, document_probabilities, strict=True)
        ]

    def score(self, document: Document) -> Report:
        """The reference-free report on one document."""
        return score_document(self, document)
