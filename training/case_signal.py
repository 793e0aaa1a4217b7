"""Does capitalisation tell the uncased transformer something it cannot see?

The base tokenizer lowercases everything.  This measures, on a dataset split,
the shipped model's token precision/recall/F1 on capitalised words inside a
sentence, on sentence-initial words and on lowercase words, and whether a
logistic head given the word's capitalisation beside the model's logit (fitted
on the even articles, scored on the odd ones at the best threshold) beats the
model's own probability.  With ``--eval-splits``, the head is fitted on the
whole ``--split`` and both word thresholds are tuned there (best token F1 in
steps of 0.05, as ``training.finetune`` tunes them); the other splits are then
scored with each, in distribution and across spinners.

Usage::

    python -m training.case_signal --dataset data/spin-dataset --split validation \\
        --eval-splits test cross_spinner --eval-articles 200
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np


def _prf(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = int((flagged & truth).sum())
    fp = int((flagged & ~truth).sum())
    fn = int((~flagged & truth).sum())
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), 2 * tp / max(2 * tp + fp + fn, 1)


def _best_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    return max(_prf(scores >= t, truth)[2] for t in np.arange(0.02, 0.95, 0.01))


def _tuned_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The word threshold of best token F1, in ``training.finetune``'s steps of 0.05."""
    steps = [round(float(t), 2) for t in np.arange(0.05, 0.9, 0.05)]
    return max(steps, key=lambda t: _prf(scores >= t, truth)[2])


def _words(model: Any, rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Per alphabetic word of ``rows``: the model's probability, truth, case and article."""
    from detector.document import make_document

    columns: dict[str, list[Any]] = {k: [] for k in ("p", "y", "capital", "initial", "article")}
    documents = [make_document(row["suspect"]) for row in rows]
    for a, (row, document, p) in enumerate(
        zip(rows, documents, model.word_probabilities(documents), strict=True)
    ):
        starts = {lo for lo, _ in document.sentences}
        for k, (start, end) in enumerate(zip(document.starts, document.ends, strict=True)):
            word = document.text[start:end]  # as written (``words`` are normalised)
            if word[:1].isalpha():
                columns["p"].append(p[k])
                columns["y"].append(bool(row["tags"][k]))
                columns["capital"].append(word[:1].isupper())
                columns["initial"].append(k in starts)
                columns["article"].append(a)
    return {k: np.asarray(v) for k, v in columns.items()}


def _features(words: dict[str, np.ndarray]) -> np.ndarray:
    p = np.clip(words["p"], 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    inside = words["capital"] & ~words["initial"]
    return np.stack([logit, inside, words["initial"], logit * inside], 1).astype(float)


def main(argv: list[str] | None = None) -> int:
    """Print the per-case rows and the cased-signal comparison."""
    from datasets import load_from_disk
    from sklearn.linear_model import LogisticRegression

    from detector.models import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="data/spin-dataset")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--model", default="transformer")
    parser.add_argument(
        "--eval-splits", nargs="*", default=[], help="splits scored with a head fitted on --split"
    )
    parser.add_argument(
        "--eval-articles", type=int, default=None, help="first N articles of each eval split"
    )
    args = parser.parse_args(argv)
    if not (Path(args.dataset) / "dataset_dict.json").is_file():
        print(f"Error: no spin dataset at {args.dataset}: run `make data` first", file=sys.stderr)
        return 2

    model = load_model(args.model)
    dataset = load_from_disk(args.dataset)
    fit = _words(model, list(dataset[args.split]))
    p, y = fit["p"], fit["y"]
    inside = fit["capital"] & ~fit["initial"]
    t = model.word_threshold
    print(f"{args.model} on {args.split} ({fit['article'].max() + 1} articles), word threshold {t}")
    for name, mask in (
        ("all words", np.ones_like(inside)),
        ("capitalised inside a sentence", inside),
        ("sentence-initial", fit["initial"]),
        ("lowercase", ~fit["capital"]),
    ):
        precision, recall, f1 = _prf(p[mask] >= t, y[mask])
        print(
            f"{name:30s} {int(mask.sum()):7d} words, {y[mask].mean():.3f} replaced: "
            f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
        )
    features = _features(fit)
    train, test = fit["article"] % 2 == 0, fit["article"] % 2 == 1
    head = LogisticRegression(C=10.0, max_iter=1000).fit(features[train], y[train])
    cased = head.predict_proba(features[test])[:, 1]
    print(
        f"odd articles, token F1 at the best threshold: uncased {_best_f1(p[test], y[test]):.4f}, "
        f"with the capitalisation {_best_f1(cased, y[test]):.4f}"
    )
    if not args.eval_splits:
        return 0

    head = LogisticRegression(C=10.0, max_iter=1000).fit(features, y)
    cut_raw = _tuned_threshold(p, y)
    cut_cased = _tuned_threshold(head.predict_proba(features)[:, 1], y)
    print(f"head fitted on all of {args.split}: thresholds {cut_raw} uncased, {cut_cased} cased")
    for split in args.eval_splits:
        rows = dataset[split]
        if args.eval_articles:
            rows = rows.select(range(min(args.eval_articles, len(rows))))
        words = _words(model, list(rows))
        cased = head.predict_proba(_features(words))[:, 1]
        inside = words["capital"] & ~words["initial"]
        for name, mask in (("all words", np.ones_like(inside)), ("capitalised inside", inside)):
            raw_prf = _prf(words["p"][mask] >= cut_raw, words["y"][mask])
            cased_prf = _prf(cased[mask] >= cut_cased, words["y"][mask])
            print(
                f"{split} ({len(rows)} articles), {name:18s} P/R/F1 uncased "
                + " ".join(f"{v:.3f}" for v in raw_prf)
                + ", cased "
                + " ".join(f"{v:.3f}" for v in cased_prf)
            )
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
