"""Reference-free models: find spun words in one article with no original to compare.

Every model turns a ``Document`` into ``WordScores`` (a spin probability per word
and one for the document); ``report_from_scores`` turns those into the same
``Report`` the reference mode gives, with each flagged word's likely original
filled in by the ``Restorer``.

Models live in folders with a ``config.json`` naming their ``type``
(``baseline`` or ``transformer``); the shipped ones sit in the project's
``models/`` folder (or ``$SPINDETECT_MODELS``), and ``models/default.json`` names
the default.  Loading never unpickles anything: baselines are skops files
loaded with an explicit list of trusted types, transformers are safetensors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.judge import Span
from detector.report import Report
from detector.restore import Restorer
from detector.stopwords import STOPWORDS

__all__ = [
    "MODEL_NAMES",
    "ReferenceFreeModel",
    "WordScores",
    "load_model",
    "model_dir",
    "models_root",
    "report_from_scores",
    "score_document",
]

MODEL_NAMES = ("baseline", "transformer")


@dataclass(frozen=True)
class WordScores:
    """A model's reading of one document.

    Attributes
    ----------
    document : Document
    word_probabilities : tuple of float
        For each of ``document.words``, the probability that a spinner put it there.
    document_probability : float
        The probability that the document is spun.
    """

    document: Document
    word_probabilities: tuple[float, ...]
    document_probability: float

    def __post_init__(self) -> None:
        if len(self.word_probabilities) != len(self.document.words):
            raise ValueError(
                f"WordScores needs one probability per word: {len(self.document.words)} words, "
                f"{len(self.word_probabilities)} probabilities"
            )


@runtime_checkable
class ReferenceFreeModel(Protocol):
    """What ``load_model`` returns."""

    name: str

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document."""
        ...

    def score(self, document: Document) -> Report:
        """The reference-free report on one document."""
        ...


def models_root() -> Path:
    """Folder of the shipped models: ``$SPINDETECT_MODELS``, else the project's ``models/``."""
    if os.environ.get("SPINDETECT_MODELS"):
        return Path(os.environ["SPINDETECT_MODELS"])
    return Path(__file__).resolve().parents[1] / "models"


def model_dir(name_or_path: str) -> Path:
    """The folder of a model named ``default``, ``baseline``, ``transformer`` or given by path."""
    root = models_root()
    if name_or_path == "default":
        try:
            name_or_path = json.loads((root / "default.json").read_text("utf-8"))["model"]
        except (OSError, ValueError, KeyError):
            raise ModelNotFoundError(
                f"no default model is installed in {root} (models/default.json); "
                "build one with `make baseline` or `make train`, or pass --original"
            ) from None
    folder = root / name_or_path if name_or_path in MODEL_NAMES else Path(name_or_path)
    if not (folder / "config.json").is_file():
        hints = {
            "baseline": "build it with `make baseline`",
            "transformer": "build it with `make train`",
        }
        hint = hints.get(name_or_path, "pass a folder holding a model's config.json")
        raise ModelNotFoundError(f"no model at {folder}: {hint}")
    return folder


def load_model(name_or_path: str = "default") -> ReferenceFreeModel:
    """A reference-free model by name (``default``, ``baseline``, ``transformer``) or folder."""
    folder = model_dir(name_or_path)
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"{folder / 'config.json'} is unreadable: {exc}") from None
    kind = config.get("type")
    if kind == "baseline":
        from detector.baseline_model import BaselineModel

        return BaselineModel.load(folder)
    if kind == "transformer":
        from detector.transformer_model import TransformerModel

        return TransformerModel.load(folder)
    raise ModelNotFoundError(f"{folder} holds a model of unknown type {kind!r}")


class _Thresholded(Protocol):
    name: str
    word_threshold: float
    document_threshold: float

    @property
    def restorer(self) -> Restorer: ...

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]: ...


def score_document(model: _Thresholded, document: Document) -> Report:
    """``model``'s reference-free report on ``document``, at the model's own thresholds."""
    (scores,) = model.score_words([document])
    return report_from_scores(
        scores,
        model=model.name,
        word_threshold=model.word_threshold,
        document_threshold=model.document_threshold,
        restorer=model.restorer,
    )


def report_from_scores(
    scores: WordScores,
    *,
    model: str,
    word_threshold: float,
    document_threshold: float,
    restorer: Restorer | None = None,
) -> Report:
    """The reference-free ``Report``: each word at or above ``word_threshold`` becomes a span.

    A run of flagged words that the thesaurus knows as one term ("base hospital")
    is one span; other flagged neighbours are separate spans, as a spinner swaps
    words one by one.  ``original`` is the restorer's best guess, or "".
    """
    document = scores.document
    probabilities = scores.word_probabilities
    flagged = [
        k
        for k, p in enumerate(probabilities)
        if p >= word_threshold and document.words[k] not in STOPWORDS
    ]
    runs: list[tuple[int, int]] = []  # flagged word ranges, half-open
    k = 0
    while k < len(flagged):
        lo = hi = flagged[k]
        # Join the next flagged word when the pair is one thesaurus term.
        if (
            restorer is not None
            and k + 1 < len(flagged)
            and flagged[k + 1] == hi + 1
            and f"{document.words[lo]} {document.words[hi + 1]}" in restorer.lexicon
        ):
            hi += 1
            k += 1
        runs.append((lo, hi + 1))
        k += 1
    texts = [document.surface(lo, hi) for lo, hi in runs]
    if restorer is not None:
        restorer.prepare(texts)  # all at once: much cheaper than word by word
    spans = tuple(
        Span(
            start=document.starts[lo],
            end=document.ends[hi - 1],
            text=text,
            original=restorer.restore(text) if restorer is not None else "",
            kind="synonym",
            score=max(probabilities[lo:hi]),
        )
        for (lo, hi), text in zip(runs, texts, strict=True)
    )
    content = sum(1 for w in document.words if w not in STOPWORDS)
    return Report(
        verdict="spun" if scores.document_probability >= document_threshold else "not_spun",
        relation=None,
        spin_score=min(1.0, max(0.0, scores.document_probability)),
        substitution_rate=len(flagged) / content if content else 0.0,
        source=None,
        spans=spans,
        suspect=document,
        original=None,
        mode="reference-free",
        model=model,
    )
