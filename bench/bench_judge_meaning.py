"""Reference-mode quality per dataset split: token F1 and false-positive rates.

Scores every pair of the spin dataset's splits against its own original
(``training.predict.predict_reference``) and prints, per split, token
precision/recall/F1 and the share of each kind of negative called ``spun``.
Used to measure the judge's meaning evidence (issue 12): tune on
``validation``, report on ``test``, ``cross_spinner`` and ``hard_negatives``.

Usage::

    python bench/bench_judge_meaning.py --splits validation
    python bench/bench_judge_meaning.py --splits test cross_spinner hard_negatives
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYS = ("token_precision", "token_recall", "token_f1", "token_false_flag_rate", "document_f1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "data" / "spin-dataset")
    parser.add_argument("--splits", nargs="+", default=["test", "cross_spinner", "hard_negatives"])
    parser.add_argument("--limit", type=int, default=None, help="first N rows of each split")
    parser.add_argument("--json", type=Path, default=None, help="also write the metrics here")
    args = parser.parse_args(argv)

    import datasets

    from detector.lexicon import load_lexicon
    from training.metrics import split_metrics
    from training.predict import SplitData, predict_reference

    dataset = datasets.load_from_disk(str(args.dataset))
    lexicon = load_lexicon()
    results = {}
    for name in args.splits:
        data = SplitData.load(name, dataset[name], args.limit)
        predictions = predict_reference(data.suspects, data.originals)
        metrics = split_metrics(data, predictions, lexicon.same_lemma)
        shown = {k: round(v, 4) for k, v in metrics.items() if k in KEYS or k.startswith("fpr_")}
        shown["pairs_per_s"] = round(len(data.suspects) / predictions.seconds, 1)
        results[name] = shown
        print(name, json.dumps(shown), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
