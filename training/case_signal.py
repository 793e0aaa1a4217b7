"""Does capitalisation tell the uncased transformer something it cannot see?

The base tokenizer lowercases everything.  This measures, on a dataset split,
the shipped model's token precision/recall/F1 on capitalised words inside a
sentence, on sentence-initial words and on lowercase words, and whether a
logistic head given the word's capitalisation beside the model's logit (fitted
on the even articles, scored on the odd ones at the best threshold) beats the
model's own probability.

Usage::

    python -m training.case_signal --dataset data/spin-dataset --split validation
"""

from __future__ import annotations

import argparse

import numpy as np


def _prf(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = int((flagged & truth).sum())
    fp = int((flagged & ~truth).sum())
    fn = int((~flagged & truth).sum())
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), 2 * tp / max(2 * tp + fp + fn, 1)


def _best_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    return max(_prf(scores >= t, truth)[2] for t in np.arange(0.02, 0.95, 0.01))


def main(argv: list[str] | None = None) -> int:
    """Print the per-case rows and the cased-signal comparison."""
    from datasets import load_from_disk
    from sklearn.linear_model import LogisticRegression

    from detector.document import make_document
    from detector.models import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="data/spin-dataset")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--model", default="transformer")
    args = parser.parse_args(argv)

    model = load_model(args.model)
    rows = list(load_from_disk(args.dataset)[args.split])
    probability, truth, capital, initial, article = [], [], [], [], []
    for a, row in enumerate(rows):
        document = make_document(row["suspect"])
        (p,) = model.word_probabilities([document])
        starts = {lo for lo, _ in document.sentences}
        for k, (start, end) in enumerate(zip(document.starts, document.ends, strict=True)):
            word = document.text[start:end]  # as written (``words`` are normalised)
            if word[:1].isalpha():
                probability.append(p[k])
                truth.append(bool(row["tags"][k]))
                capital.append(word[:1].isupper())
                initial.append(k in starts)
                article.append(a)
    p, y = np.asarray(probability), np.asarray(truth)
    cap, init, art = np.asarray(capital), np.asarray(initial), np.asarray(article)
    inside = cap & ~init
    t = model.word_threshold
    print(f"{args.model} on {args.split} ({len(rows)} articles), word threshold {t}")
    for name, mask in (
        ("all words", np.ones_like(cap)),
        ("capitalised inside a sentence", inside),
        ("sentence-initial", init),
        ("lowercase", ~cap),
    ):
        precision, recall, f1 = _prf(p[mask] >= t, y[mask])
        print(
            f"{name:30s} {int(mask.sum()):7d} words, {y[mask].mean():.3f} replaced: "
            f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
        )
    logit = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1 - 1e-6))
    features = np.stack([logit, inside, init, logit * inside], 1).astype(float)
    train, test = art % 2 == 0, art % 2 == 1
    head = LogisticRegression(C=10.0, max_iter=1000).fit(features[train], y[train])
    cased = head.predict_proba(features[test])[:, 1]
    print(
        f"odd articles, token F1 at the best threshold: uncased {_best_f1(p[test], y[test]):.4f}, "
        f"with the capitalisation {_best_f1(cased, y[test]):.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
