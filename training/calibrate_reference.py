"""Fit the reference-mode weights: how spinner-like one swap is, and when a copy is spun.

The judge's rules decide *what* each substitution is (synonym swap, glue-phrase
rewrite, number, name, edit); this recipe fits the two small logistic models
that turn that evidence into probabilities, and writes them to
``detector/data/reference_weights.json`` (see ``detector.calibration``).

Recipe
------
1. Load the corpora and split their stories into a fitting half and a held-out half.
2. Make pairs from each original: spun copies (training spinner ``moby``, rates
   0.02-0.6: light spins of a few swaps a paragraph are spun too), syndicated
   copies (dates, honorifics, dropped sentences...), human rewrites (OneStopEnglish
   intermediate/elementary against advanced) and exact copies.
3. Align and judge every pair; label each predicted swap by whether the spinner
   really made it, and each pair by whether it is spun.
4. Fit the span model, rescore the swaps, fit the document model.
5. Report both on the held-out stories and write the JSON.

Usage::

    python -m training.calibrate_reference \
        --corpus ../shared/corpora/onestopenglish_all_levels.jsonl.xz \
        --corpus ../shared/corpora/wikinewssum_en_articles.jsonl.xz \
        --out detector/data/reference_weights.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from detector.align import align
from detector.calibration import (
    DOCUMENT_FEATURES,
    SPAN_FEATURES,
    LogisticWeights,
    ReferenceWeights,
    load_reference_weights,
)
from detector.document import make_document
from detector.judge import SubstitutionJudge
from detector.spin.spinner import RATE_RANGE
from detector.stopwords import STOPWORDS
from detector.verdict import spin_features, spun_verdict

__all__ = ["Pair", "build_pairs", "fit_logistic", "main"]


@dataclass(frozen=True)
class Pair:
    """A suspect and its original, whether it is spun, and (when spun) the true swaps."""

    suspect: str
    original: str
    spun: bool
    kind: str
    true_spans: frozenset[tuple[int, int]] = field(default_factory=frozenset)


def _held_out(story: str) -> bool:
    return int(hashlib.sha1(story.encode()).hexdigest(), 16) % 2 == 1


def build_pairs(
    corpora: Sequence[str],
    seed: int,
    spins_per_original: int,
    min_rate: float = RATE_RANGE[0],
) -> tuple[list[Pair], list[Pair]]:
    """Pairs for fitting and for the held-out check, split by story."""
    from detector.spin.spinner import Spinner
    from training.corpus import load_corpus
    from training.edits import syndicate

    spinner = Spinner.from_profile("moby")
    cross = Spinner.from_profile("cross")  # evaluation only: never in the fitting half
    rng = random.Random(seed)
    records = [r for spec in corpora for r in load_corpus(spec)]
    by_story: dict[str, dict[str, str]] = {}
    for r in records:
        by_story.setdefault(r.story_id, {})[r.level or "adv"] = r.text
    fit: list[Pair] = []
    held: list[Pair] = []
    for story, levels in sorted(by_story.items()):
        original = levels.get("adv") or next(iter(levels.values()))
        pairs = held if _held_out(story) else fit
        for _ in range(spins_per_original):
            result = spinner.spin(
                original, rate=rng.uniform(min_rate, 0.6), seed=rng.randrange(2**31)
            )
            truth = frozenset((s.start, s.end) for s in result.spans)
            pairs.append(Pair(result.text, original, True, "spun", truth))
        if pairs is held:
            result = cross.spin(original, rate=rng.uniform(0.15, 0.5), seed=rng.randrange(2**31))
            truth = frozenset((s.start, s.end) for s in result.spans)
            held.append(Pair(result.text, original, True, "spun_cross_spinner", truth))
        syndicated, _ = syndicate(original, random.Random(rng.randrange(2**31)))
        pairs.append(Pair(syndicated, original, False, "syndicated"))
        pairs.append(Pair(original, original, False, "copy"))
        for level in ("int", "ele"):
            if level in levels and "adv" in levels:
                pairs.append(Pair(levels[level], levels["adv"], False, "human_rewrite"))
    return fit, held


def _content_key(text: str) -> str:
    words = make_document(text).words
    return " ".join(w for w in words if w not in STOPWORDS) or " ".join(words)


def judge_pairs(pairs: Iterable[Pair], judge: SubstitutionJudge):
    """For every pair: its alignment, spans, and each spin span's features and label."""
    out = []
    for pair in pairs:
        alignment = align(make_document(pair.suspect), make_document(pair.original))
        spans = judge.judge(alignment)
        rows = []
        for span in spans:
            if not span.is_spin:
                continue
            features = judge.span_features(
                _content_key(span.original), _content_key(span.text), span.kind
            )
            rows.append((features, (span.start, span.end) in pair.true_spans))
        out.append((pair, alignment, spans, rows))
    return out


def fit_logistic(
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
    c: float,
    balanced: bool = False,
) -> LogisticWeights:
    """A logistic regression on standardised features, returned with raw-feature weights.

    ``balanced`` weighs both classes equally, so the probability speaks to the
    evidence rather than to how common spun text was in the fitting data.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[n] for n in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=1000, class_weight="balanced" if balanced else None)
    model.fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - np.sum(model.coef_[0] * mean / scale))
    return LogisticWeights(
        tuple(names), tuple(round(float(v), 6) for v in coef), round(intercept, 6)
    )


def _rescored_spans(judge: SubstitutionJudge, spans, rows):
    """The pair's spans with spin-span scores from the judge's current weights."""
    from dataclasses import replace

    scores = iter(judge.weights.span.probability(features) for features, _ in rows)
    return tuple(replace(s, score=next(scores)) if s.is_spin else s for s in spans)


def document_rows(judged, judge: SubstitutionJudge):
    """Document features and labels of judged pairs, with spans rescored by ``judge``."""
    rows, labels, kinds = [], [], []
    for pair, alignment, spans, span_rows in judged:
        rows.append(spin_features(alignment, _rescored_spans(judge, spans, span_rows)))
        labels.append(pair.spun)
        kinds.append(pair.kind)
    return rows, labels, kinds


def _report(
    name: str, weights: ReferenceWeights, judged, judge: SubstitutionJudge
) -> dict[str, float]:
    rows, labels, kinds = document_rows(judged, judge)
    # As the scorer decides (``detector.verdict.spun_verdict``): one swap is never spun.
    predicted = [
        spun_verdict(weights.document.probability(r), int(r["swaps"]), weights.threshold)[0]
        == "spun"
        for r in rows
    ]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(y and not p for p, y in zip(predicted, labels, strict=True))
    result = {
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
    }
    for kind in sorted(set(kinds)):
        chosen = [p for p, k in zip(predicted, kinds, strict=True) if k == kind]
        result[f"called_spun[{kind}]"] = sum(chosen) / len(chosen)
    print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Fit and write the reference weights."""
    parser = argparse.ArgumentParser(description="Fit spindetect's reference-mode weights.")
    parser.add_argument("--corpus", action="append", required=True, help="corpus spec (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("detector/data/reference_weights.json"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--spins-per-original", type=int, default=3)
    parser.add_argument(
        "--min-rate",
        type=float,
        default=RATE_RANGE[0],
        help="lightest spin rate of the spun copies (default: the spinner's lightest, "
        f"{RATE_RANGE[0]}; 0.05 before 2026-12-02)",
    )
    args = parser.parse_args(argv)

    # 1-2. pairs, split by story
    fit, held = build_pairs(args.corpus, args.seed, args.spins_per_original, args.min_rate)
    print(f"pairs: {len(fit)} for fitting, {len(held)} held out", file=sys.stderr)

    # 3. align and judge
    judge = SubstitutionJudge(weights=load_reference_weights())
    judged_fit = judge_pairs(fit, judge)
    judged_held = judge_pairs(held, judge)

    # 4. span model, then document model on the rescored spans
    span_rows = [row for *_, rows in judged_fit for row in rows]
    span_weights = fit_logistic(
        [f for f, _ in span_rows], [y for _, y in span_rows], SPAN_FEATURES, c=1.0, balanced=True
    )
    judge.weights = ReferenceWeights(span_weights, judge.weights.document)
    doc_rows, doc_labels, _ = document_rows(judged_fit, judge)
    doc_weights = fit_logistic(doc_rows, doc_labels, DOCUMENT_FEATURES, c=1.0)
    weights = ReferenceWeights(span_weights, doc_weights, threshold=0.5)
    judge.weights = weights

    # 5. held-out report, then the JSON
    _report("fitting stories", weights, judged_fit, judge)
    held_metrics = _report("held-out stories", weights, judged_held, judge)
    payload = {
        "format": 1,
        "span": {
            "features": list(span_weights.features),
            "coef": list(span_weights.coef),
            "intercept": span_weights.intercept,
        },
        "document": {
            "features": list(doc_weights.features),
            "coef": list(doc_weights.coef),
            "intercept": doc_weights.intercept,
            "threshold": weights.threshold,
        },
        "fitted_on": (
            f"{len(fit)} pairs from half of the stories of "
            f"{', '.join(Path(c).name for c in args.corpus)}: moby-spun copies at rates "
            f"{args.min_rate:g}-0.6, syndicated copies, human rewrites, exact copies"
        ),
        "held_out": {k: round(v, 4) for k, v in held_metrics.items()},
        "command": "make calibrate",
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
