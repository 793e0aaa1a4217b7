"""Texts of every length for fitting a document rule, and the fit of the length-aware rule.

A document rule fitted on ~600-word news articles alone misjudges short or
unusual text: a 60-word paragraph with four rare-but-right words looks as
"spun" as an article with forty swaps.  ``calibration_documents`` gathers,
beside the fitting articles:

* the clean articles of the fitting split that the fitted models never saw
  (the rows after the first ``skip``): the long texts where a few more false
  flags than usual must not tip the verdict;
* short excerpts (about 60, 120 and 200 words, whole paragraphs) of clean and
  of spun articles among those rows;
* clean technical prose: standard-library docstrings of 40 words or more,
  leaving out every docstring the evaluation's clean-prose set may use
  (``training.clean_prose``: the first 150 of 80 words or more).

``fit_length_aware_rule`` then fits the ``detector.document_rule.LengthAwareRule``:
its ``floor`` on the long texts alone, midway between the clean ones' shares of
flags and the spun ones' (as a fixed share cut would be fitted), then the
``rate`` and ``slack`` that call the most spun texts spun while calling at most
``max_fpr`` of the clean ones spun (with ``long_by_floor``, of the shorter texts
only, the long ones being judged by the floor alone).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detector.document import Document, make_document
from detector.document_rule import LengthAwareRule

__all__ = ["CalibrationSet", "calibration_documents", "fit_length_aware_rule"]

EXCERPT_WORDS = (60, 120, 200)
LONG_TEXT = 200  # content words from which a text counts as long, for the floor
# Rates (share of content words a clean text may have flagged) and slacks tried.
_RATES = np.round(np.arange(0.0, 0.1001, 0.0025), 4)
_SLACKS = np.round(np.arange(0.0, 3.0001, 0.05), 3)


@dataclass(frozen=True)
class CalibrationSet:
    """Extra documents for the document rule, each spun (True) or clean (False)."""

    documents: list[Document]
    labels: np.ndarray
    kinds: list[str]  # "article", "excerpt" or "prose", for the log


def _excerpt(text: str, words: int) -> str:
    """The start of ``text`` up to the end of the first paragraph that reaches ``words`` words
    (a prefix, so the article's offsets hold in it)."""
    count = 0
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        count += len(text[position:end].split())
        if count >= words:
            return text[:end].rstrip()
        position = end + 1
    return text.rstrip()


def calibration_documents(split: Any, skip: int, per_label: int = 80) -> CalibrationSet:
    """The clean articles of ``split`` after its first ``skip`` rows, excerpts of those rows
    (``per_label`` clean and as many spun ones) and clean standard-library prose (see the
    module docstring)."""
    from training.clean_prose import stdlib_prose

    documents: list[Document] = []
    labels: list[bool] = []
    kinds: list[str] = []
    taken = {False: 0, True: 0}
    for k in range(skip, len(split)):
        row = split[k]
        label = bool(row["label"])
        if taken[label] >= per_label:
            if all(v >= per_label for v in taken.values()):
                break
            continue
        text = _excerpt(row["suspect"], EXCERPT_WORDS[taken[label] % len(EXCERPT_WORDS)])
        if label and not any(s["end"] <= len(text) for s in row["spans"]):
            continue  # a spun article whose swaps all lie after the excerpt
        documents.append(make_document(text, name=f"{row['id']}#excerpt"))
        labels.append(label)
        kinds.append("excerpt")
        taken[label] += 1
    for k in range(skip, len(split)):
        row = split[k]
        if not row["label"]:
            documents.append(make_document(row["suspect"], name=str(row["id"])))
            labels.append(False)
            kinds.append("article")
    evaluated = {t.name for t in stdlib_prose(min_words=80, limit=150)}
    for text in stdlib_prose(min_words=40, limit=2000):
        if text.name not in evaluated:
            documents.append(make_document(text.text, name=text.name))
            labels.append(False)
            kinds.append("prose")
    return CalibrationSet(documents, np.asarray(labels, dtype=bool), kinds)


def _long_text_floor(shares: np.ndarray, y: np.ndarray, max_fpr: float) -> float:
    """A share cut midway between the clean long texts' (all but ``max_fpr`` of them below
    it) and the spun ones' (their 2nd percentile); the clean cut when the two overlap."""
    clean, spun = np.sort(shares[~y])[::-1], shares[y]
    if not len(clean):
        return 0.0
    allowed = math.floor(max_fpr * len(clean))
    low = float(clean[allowed]) if allowed < len(clean) else 0.0
    high = float(np.percentile(spun, 2)) if len(spun) else low
    return (low + high) / 2 if high > low else low


def fit_length_aware_rule(
    flagged: Sequence[int],
    content: Sequence[int],
    labels: Sequence[bool],
    max_fpr: float,
    *,
    long_by_floor: bool = False,
) -> tuple[LengthAwareRule, dict[str, float]]:
    """The length-aware rule for these texts (see the module docstring; ties among the
    rates and slacks: the fewest clean called, then the middle of the tied cuts), its
    ``scale`` from a logistic fit of the labels on the excess; and what it measured.

    With ``long_by_floor``, texts of ``LONG_TEXT`` content words or more are judged by
    the floor alone (``LengthAwareRule.long_from``) and the rate and slack are fitted on
    the shorter ones.
    """
    from sklearn.linear_model import LogisticRegression

    k = np.asarray(flagged, dtype=float)
    n = np.asarray(content, dtype=float)
    y = np.asarray(labels, dtype=bool)
    usable = n > 0
    k, n, y = k[usable], n[usable], y[usable]
    long = n >= LONG_TEXT
    floor = round(_long_text_floor(k[long] / n[long], y[long], max_fpr), 4)
    long_from = LONG_TEXT if long_by_floor and floor > 0 and (~long).any() else 0
    # The texts the rate and slack decide; with long_from, the floor alone judges the rest.
    fitted = ~long if long_from else np.ones_like(long)
    kf, nf, yf = k[fitted], n[fitted], y[fitted]
    root = np.sqrt(nf)
    above_floor = (kf > 0) & (kf >= floor * nf - 1e-9)
    found: list[tuple[float, float, float, float, float]] = []
    for rate in _RATES:
        for slack in _SLACKS:
            spun = above_floor & (kf >= rate * nf + slack * root - 1e-9)
            fpr = float(spun[~yf].mean()) if (~yf).any() else 0.0
            if fpr > max_fpr:
                continue
            recall = float(spun[yf].mean()) if yf.any() else 0.0
            found.append((recall, -fpr, rate * 150 + slack * math.sqrt(150), rate, slack))
    if not found:
        raise ValueError("no document rule keeps the clean texts under max_fpr")
    best = max(f[:2] for f in found)
    tied = sorted(f for f in found if f[:2] == best)
    rate, slack = tied[len(tied) // 2][3:]
    rule = LengthAwareRule(rate=float(rate), slack=float(slack), floor=floor, long_from=long_from)
    excess = np.array([rule.excess(int(a), int(b)) for a, b in zip(k, n, strict=True)])
    spun = excess >= 0
    excess = np.clip(excess, -10.0, 10.0)
    fit = LogisticRegression(C=10.0, fit_intercept=False, max_iter=1000)
    fit.fit(excess.reshape(-1, 1), y.astype(int))
    scale = round(max(0.1, float(fit.coef_[0, 0])), 4)
    return LengthAwareRule(
        rate=float(rate), slack=float(slack), scale=scale, floor=floor, long_from=long_from
    ), {
        "recall": round(float(spun[y].mean()) if y.any() else 0.0, 4),
        "false_positive_rate": round(float(spun[~y].mean()) if (~y).any() else 0.0, 4),
        "spun": int(y.sum()),
        "clean": int((~y).sum()),
    }
