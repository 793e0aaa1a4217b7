"""Predictions for evaluation: each model's reading of a held-out split of the spin dataset.

``SplitData.load`` reads the parts of a split the metrics need; ``predict_model``
runs a reference-free model over its suspects (word and document probabilities
cut at the thresholds in the model's ``config.json``, and the spans with restored
originals that ``score`` would report); ``predict_reference`` scores each suspect
against its own original.  Both return ``Predictions``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detector.document import Document, make_document

__all__ = [
    "Predictions",
    "SplitData",
    "clean_prose_split",
    "predict_model",
    "predict_reference",
    "predictions_from_scores",
    "span_word_mask",
    "stratified_head",
]


@dataclass(frozen=True)
class SplitData:
    """The parts of a split the metrics need."""

    name: str
    suspects: list[Document]
    originals: list[Document]
    tags: list[np.ndarray]
    labels: np.ndarray
    kinds: list[str]
    rates: np.ndarray
    true_spans: list[list[tuple[int, int, str]]]

    @classmethod
    def load(cls, name: str, split: Any, limit: int | None) -> SplitData:
        """Read a ``datasets.Dataset`` split (its first ``limit`` rows)."""
        if limit is not None:
            split = split.select(range(min(limit, len(split))))
        return cls(
            name=name,
            suspects=[
                make_document(t, name=i) for t, i in zip(split["suspect"], split["id"], strict=True)
            ],
            originals=[make_document(t) for t in split["original"]],
            tags=[np.asarray(t, dtype=bool) for t in split["tags"]],
            labels=np.asarray(split["label"], dtype=bool),
            kinds=list(split["kind"]),
            rates=np.asarray([r or 0.0 for r in split["rate"]], dtype=float),
            true_spans=[
                [(s["start"], s["end"], s["original"]) for s in spans] for spans in split["spans"]
            ],
        )


def stratified_head(split: SplitData, limit: int | None) -> SplitData:
    """At most ``limit`` articles of ``split``, each kind in its share of the split.

    The first articles of each kind, as many as the kind's share of ``limit``
    (largest remainders first, at least one of each kind while ``limit``
    allows), so a small sample keeps the split's mix of spun and clean articles
    whatever order the split is in.
    """
    if limit is None or limit >= len(split.suspects):
        return split
    by_kind: dict[str, list[int]] = {}
    for k, kind in enumerate(split.kinds):
        by_kind.setdefault(kind, []).append(k)
    total = len(split.suspects)
    shares = {kind: limit * len(members) / total for kind, members in by_kind.items()}
    quotas = {kind: int(share) for kind, share in shares.items()}
    if limit >= len(by_kind):
        quotas = {kind: max(1, quota) for kind, quota in quotas.items()}
    by_remainder = sorted(by_kind, key=lambda kind: quotas[kind] - shares[kind])
    while sum(quotas.values()) < limit:
        for kind in by_remainder:
            if sum(quotas.values()) < limit and quotas[kind] < len(by_kind[kind]):
                quotas[kind] += 1
    while sum(quotas.values()) > limit:  # the minimum of one per kind overshot
        largest = max(quotas, key=lambda kind: quotas[kind])
        quotas[largest] -= 1
    chosen = [k for kind, members in by_kind.items() for k in members[: quotas[kind]]]
    chosen.sort()
    return SplitData(
        name=split.name,
        suspects=[split.suspects[k] for k in chosen],
        originals=[split.originals[k] for k in chosen],
        tags=[split.tags[k] for k in chosen],
        labels=split.labels[chosen],
        kinds=[split.kinds[k] for k in chosen],
        rates=split.rates[chosen],
        true_spans=[split.true_spans[k] for k in chosen],
    )


def clean_prose_split(limit: int | None = None) -> SplitData:
    """The out-of-domain clean set (``training.clean_prose``) as a split of negatives."""
    from training.clean_prose import stdlib_prose

    texts = stdlib_prose(limit=limit or 150)
    suspects = [make_document(t.text, name=t.name) for t in texts]
    return SplitData(
        name="clean_prose",
        suspects=suspects,
        originals=suspects,
        tags=[np.zeros(len(d.words), dtype=bool) for d in suspects],
        labels=np.zeros(len(suspects), dtype=bool),
        kinds=["clean_prose"] * len(suspects),
        rates=np.zeros(len(suspects)),
        true_spans=[[] for _ in suspects],
    )


@dataclass(frozen=True)
class Predictions:
    """One model's reading of one split.

    Attributes
    ----------
    word_scores : list of ndarray
        Per article, a score per word (probability, or the reference span score).
    word_flags : list of ndarray of bool
        Per article, the words the model flags.
    document_scores : ndarray
    document_flags : ndarray of bool
    restorations : list of list of (start, end, original)
        Per article, the spans of its report with their restored originals.
    seconds : float
        Time spent predicting.
    """

    word_scores: list[np.ndarray]
    word_flags: list[np.ndarray]
    document_scores: np.ndarray
    document_flags: np.ndarray
    restorations: list[list[tuple[int, int, str]]]
    seconds: float


def span_word_mask(document: Document, spans: Iterable[tuple[int, int]]) -> np.ndarray:
    """Which words of ``document`` lie inside one of the character ``spans`` (start, end)."""
    mask = np.zeros(len(document.words), dtype=bool)
    starts = np.asarray(document.starts)
    for start, end in spans:
        lo = int(np.searchsorted(starts, start))
        hi = int(np.searchsorted(starts, end))
        mask[lo:hi] = True
    return mask


def _thresholds(model: Any, folder: Path) -> tuple[float, float]:
    word = getattr(model, "word_threshold", None)
    document = getattr(model, "document_threshold", None)
    if word is None or document is None:
        config = json.loads((folder / "config.json").read_text("utf-8"))
        word, document = config["thresholds"]["word"], config["thresholds"]["document"]
    return float(word), float(document)


def predict_model(
    model: Any, folder: Path, documents: Sequence[Document], restorer: Any, batch: int = 16
) -> Predictions:
    """Run a reference-free model over ``documents``."""
    started = time.perf_counter()
    scores = []
    for k in range(0, len(documents), batch):
        scores.extend(model.score_words(list(documents[k : k + batch])))
    return predictions_from_scores(
        scores, model, folder, restorer, seconds=time.perf_counter() - started
    )


def predictions_from_scores(
    scores: Sequence[Any], model: Any, folder: Path, restorer: Any, *, seconds: float
) -> Predictions:
    """``Predictions`` from a model's ``WordScores`` of each article, cut at its thresholds."""
    from detector.scoring import report_from_scores

    word_cut, document_cut = _thresholds(model, folder)
    word_scores, restorations = [], []
    for s in scores:
        word_scores.append(np.asarray(s.word_probabilities, dtype=float))
        report = report_from_scores(
            s,
            model=model.name,
            word_threshold=word_cut,
            document_threshold=document_cut,
            restorer=restorer,
        )
        restorations.append([(span.start, span.end, span.original) for span in report.spans])
    document_scores = np.array([s.document_probability for s in scores])
    document_flags = document_scores >= document_cut
    return Predictions(
        word_scores=word_scores,
        # As in the report: a document called clean flags none of its words.
        word_flags=[
            (w >= word_cut) & spun for w, spun in zip(word_scores, document_flags, strict=True)
        ],
        document_scores=document_scores,
        document_flags=document_flags,
        restorations=restorations,
        seconds=seconds,
    )


def predict_reference(suspects: Sequence[Document], originals: Sequence[Document]) -> Predictions:
    """Reference mode: each suspect scored against its own original."""
    from detector.score import ReferenceScorer

    scorer = ReferenceScorer()
    started = time.perf_counter()
    word_scores, restorations, document_scores, document_flags = [], [], [], []
    for suspect, original in zip(suspects, originals, strict=True):
        report = scorer.score_pair(suspect, original).report
        scores = np.zeros(len(suspect.words))
        for span in report.spin_spans:
            mask = span_word_mask(suspect, [(span.start, span.end)])
            scores[mask] = np.maximum(scores[mask], max(span.score, 1e-6))
        word_scores.append(scores)
        restorations.append([(s.start, s.end, s.original) for s in report.spin_spans])
        document_scores.append(report.spin_score)
        document_flags.append(report.verdict == "spun")
    return Predictions(
        word_scores=word_scores,
        word_flags=[w > 0 for w in word_scores],
        document_scores=np.array(document_scores),
        document_flags=np.array(document_flags, dtype=bool),
        restorations=restorations,
        seconds=time.perf_counter() - started,
    )
