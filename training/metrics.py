"""The evaluation metrics: pure functions from tags, labels and predictions to numbers.

Word level (``token_metrics``: every word against the dataset's tags), document
level (``document_metrics``, ``false_positive_rates`` per kind of negative),
restoration (``restoration_accuracy``), spin-rate buckets (``rate_bucket``), and
``split_metrics``, which combines them into the flat record of one model on one
split that ``metrics.json`` stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from training.predict import Predictions, SplitData

__all__ = [
    "NEGATIVE_KINDS",
    "RATE_BUCKETS",
    "document_metrics",
    "false_positive_rates",
    "rate_bucket",
    "restoration_accuracy",
    "restoration_counts",
    "split_metrics",
    "token_metrics",
]

RATE_BUCKETS = ((0.15, 0.25), (0.25, 0.35), (0.35, 0.5))
NEGATIVE_KINDS = ("unspun", "syndication", "human_rewrite", "clean_prose")


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def token_metrics(tags: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Word-level precision, recall and F1 of ``predicted`` (bool) against ``tags`` (1 = replaced).

    >>> token_metrics(np.array([1, 1, 0, 0]), np.array([True, False, True, False]))
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    tags, predicted = np.asarray(tags, dtype=bool), np.asarray(predicted, dtype=bool)
    if tags.shape != predicted.shape:
        raise ValueError(f"tags and predictions differ in shape: {tags.shape} vs {predicted.shape}")
    tp = float((tags & predicted).sum())
    return _prf(tp, float((~tags & predicted).sum()), float((tags & ~predicted).sum()))


def document_metrics(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float
) -> dict[str, float | None]:
    """Document precision, recall, F1 at ``threshold``, and AUROC (None with one class only)."""
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels, dtype=bool)
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = probabilities >= threshold
    tp = float((labels & predicted).sum())
    out: dict[str, float | None] = dict(
        _prf(tp, float((~labels & predicted).sum()), float((labels & ~predicted).sum()))
    )
    both = 0 < labels.sum() < len(labels)
    out["auroc"] = float(roc_auc_score(labels, probabilities)) if both else None
    return out


def false_positive_rates(
    kinds: Sequence[str], labels: np.ndarray, predicted: np.ndarray
) -> dict[str, tuple[int, int]]:
    """For each kind of negative present: (articles called spun, articles)."""
    kinds_a = np.asarray(kinds)
    labels, predicted = np.asarray(labels, dtype=bool), np.asarray(predicted, dtype=bool)
    out = {}
    for kind in NEGATIVE_KINDS:
        mask = (kinds_a == kind) & ~labels
        if mask.any():
            out[kind] = (int(predicted[mask].sum()), int(mask.sum()))
    return out


def restoration_accuracy(
    predicted: Iterable[tuple[int, int, str]],
    truth: Iterable[tuple[int, int, str]],
    same_lemma: Any = None,
) -> tuple[int, int]:
    """Top-1 restorations that match: (correct, predicted spans that are exactly a true span).

    ``predicted`` and ``truth`` hold (start, end, original) per span.  A guess is
    right when it equals the true original lowercased, or (single words, with
    ``same_lemma(a, b)`` given, e.g. ``Lexicon.same_lemma``) is a form of it.
    """
    true_originals = {(s, e): o.lower() for s, e, o in truth}
    correct = total = 0
    for start, end, guess in predicted:
        answer = true_originals.get((start, end))
        if answer is None:
            continue
        total += 1
        guess = guess.lower()
        if guess == answer or (
            same_lemma is not None
            and guess
            and " " not in guess + answer
            and same_lemma(guess, answer)
        ):
            correct += 1
    return correct, total


def restoration_counts(
    text: str,
    predicted: Iterable[tuple[int, int, str]],
    truth: Iterable[tuple[int, int, str]],
) -> tuple[int, int, int]:
    """(restored exactly, true spans a predicted span overlaps, true spans) for one article.

    A predicted span need not have the true span's bounds: it restores a true span
    exactly when the stretch of text around both, with every true span in it replaced
    by its original and every predicted span by its own, reads the same
    (case-insensitively).  The stretch grows until no true or predicted span crosses
    its ends, so one predicted span over two neighbouring swaps ("colossal
    information" -> "big data") restores both.  ``text`` is the suspect's text.
    """
    truth = sorted(truth)
    predicted = sorted(p for p in predicted if p[2])
    correct = hit = 0
    for start, end, _ in truth:
        if not any(p[0] < end and start < p[1] for p in predicted):
            continue
        hit += 1
        lo, hi = start, end
        while True:  # widen over every span that crosses the stretch's ends
            spans = [s for s in (*truth, *predicted) if s[0] < hi and lo < s[1]]
            wider = min(lo, *(s[0] for s in spans)), max(hi, *(s[1] for s in spans))
            if wider == (lo, hi):
                break
            lo, hi = wider
        expected = _replaced(text, lo, hi, [t for t in truth if lo <= t[0] and t[1] <= hi])
        restored = _replaced(text, lo, hi, [p for p in predicted if lo <= p[0] and p[1] <= hi])
        if " ".join(restored.lower().split()) == " ".join(expected.lower().split()):
            correct += 1
    return correct, hit, len(truth)


def _replaced(text: str, lo: int, hi: int, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text[lo:hi]`` with each of the (sorted, disjoint) ``spans`` replaced by its text."""
    out, cursor = [], lo
    for start, end, replacement in spans:
        out += [text[cursor:start], replacement]
        cursor = end
    out.append(text[cursor:hi])
    return "".join(out)


def rate_bucket(rate: float) -> str | None:
    """The ``RATE_BUCKETS`` label of a spin rate ("0.15-0.25"), or None outside them."""
    for lo, hi in RATE_BUCKETS:
        if lo <= rate < hi or (hi == RATE_BUCKETS[-1][1] and rate == hi):
            return f"{lo:.2f}-{hi:.2f}"
    return None


def split_metrics(data: SplitData, predictions: Predictions, same_lemma: Any) -> dict[str, Any]:
    """The flat metrics of one model on one split."""
    tags = np.concatenate(data.tags)
    flags = np.concatenate(predictions.word_flags)
    out: dict[str, Any] = {"articles": len(data.suspects), "words": len(tags)}
    if tags.any():
        out.update({f"token_{k}": v for k, v in token_metrics(tags, flags).items()})
    else:
        out["token_false_flag_rate"] = float(flags.mean()) if len(flags) else 0.0
    document = document_metrics(data.labels, predictions.document_scores, 0.5)
    # Document flags come from the model's own threshold: recompute P/R/F1 from them.
    tp = float((data.labels & predictions.document_flags).sum())
    fp = float((~data.labels & predictions.document_flags).sum())
    fn = float((data.labels & ~predictions.document_flags).sum())
    if data.labels.any():
        out.update({f"document_{k}": v for k, v in _prf(tp, fp, fn).items()})
        out["document_auroc"] = document["auroc"]
    for kind, (flagged, total) in false_positive_rates(
        data.kinds, data.labels, predictions.document_flags
    ).items():
        out[f"fpr_{kind}"] = flagged / total
        out[f"n_{kind}"] = total
    negatives = ~data.labels
    if negatives.any():
        out["fpr_all_negatives"] = float(predictions.document_flags[negatives].mean())
    correct = total = 0
    for guessed, truth in zip(predictions.restorations, data.true_spans, strict=True):
        c, t = restoration_accuracy(guessed, truth, same_lemma)
        correct, total = correct + c, total + t
    if total:
        out["restoration_top1"] = correct / total
        out["restoration_spans"] = total
    restored = hit = true_total = 0
    for document, guessed, truth in zip(
        data.suspects, predictions.restorations, data.true_spans, strict=True
    ):
        c, h, t = restoration_counts(document.text, guessed, truth)
        restored, hit, true_total = restored + c, hit + h, true_total + t
    if true_total:
        out["restoration_precision"] = restored / hit if hit else 0.0
        out["restoration_recall"] = restored / true_total
    for lo, hi in RATE_BUCKETS:
        label = f"{lo:.2f}-{hi:.2f}"
        members = [
            k for k, r in enumerate(data.rates) if data.labels[k] and rate_bucket(r) == label
        ]
        if members:
            t = np.concatenate([data.tags[k] for k in members])
            f = np.concatenate([predictions.word_flags[k] for k in members])
            out[f"token_f1_rate_{label}"] = token_metrics(t, f)["f1"]
            out[f"document_recall_rate_{label}"] = float(predictions.document_flags[members].mean())
            out[f"n_rate_{label}"] = len(members)
    out["seconds"] = predictions.seconds
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}
