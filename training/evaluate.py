"""Evaluate every available model on the same held-out splits; write metrics.json and EVALUATION.md.

Recipe (``python -m training.evaluate``; ``make evaluate`` runs it):

1. Data: the ``test`` (in distribution), ``cross_spinner`` and ``hard_negatives``
   splits of the spin dataset (``make data``).
2. Models: ``baseline`` and ``transformer`` where installed (both through
   ``detector.models.load_model``), and the reference-mode scorer given the
   original (``--reference``), the upper bound when an original is at hand.
3. Predictions: each model's word and document probabilities
   (``score_words``), cut at the thresholds in its ``config.json``, and the
   report ``score`` would give (``report_from_scores``) for the restored words.
4. Metrics per model and split: token precision/recall/F1 (every word, against
   the dataset's tags), document precision/recall/F1/AUROC, false-positive rate
   per kind of negative (unspun, syndication, human_rewrite), top-1 restoration
   accuracy of ``original`` on correctly flagged spans, and by spin-rate bucket.
5. Speed and size: articles per second scoring 800-word articles end to end
   (text to report) in one process, and the model folder's size on disk.
6. Write ``metrics.json``, the plots and ``EVALUATION.md`` (the Markdown can be
   regenerated from ``metrics.json`` alone with ``--render-only``); a
   hand-written ``notes.md`` beside ``metrics.json`` is appended to the report.

Usage::

    python -m training.evaluate --dataset data/spin-dataset
    python -m training.evaluate --models baseline --max-samples 40 --out-dir runs/eval-quick
    python -m training.evaluate --render-only
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from detector.document import Document, make_document

__all__ = [
    "RATE_BUCKETS",
    "EvalArgs",
    "Predictions",
    "document_metrics",
    "false_positive_rates",
    "main",
    "rate_bucket",
    "render_markdown",
    "restoration_accuracy",
    "span_word_mask",
    "token_metrics",
]

logger = logging.getLogger("training.evaluate")

SPLITS = ("test", "cross_spinner", "hard_negatives")
RATE_BUCKETS = ((0.15, 0.25), (0.25, 0.35), (0.35, 0.5))
NEGATIVE_KINDS = ("unspun", "syndication", "human_rewrite")
TARGETS = {
    "transformer_document_f1": 0.99,
    "transformer_token_f1": 0.90,
    "cross_spinner_document_f1": 0.90,
    "max_fpr": 0.02,
    "transformer_articles_per_second": 10.0,
    "baseline_articles_per_second": 200.0,
}


@dataclass
class EvalArgs:
    """What to evaluate, on what, and where to write the results."""

    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "The spin dataset folder (make data)"}
    )
    models: list[str] = field(
        default_factory=lambda: ["baseline", "transformer"],
        metadata={"help": "Models (names or folders); missing default models are skipped"},
    )
    reference: bool = field(
        default=True, metadata={"help": "Also score reference mode, given the original"}
    )
    max_samples: int | None = field(
        default=None, metadata={"help": "Evaluate at most this many articles per split"}
    )
    speed_articles: int = field(
        default=200, metadata={"help": "800-word articles timed per model (a tenth for slow ones)"}
    )
    speed_words: int = field(default=800, metadata={"help": "Words per timed article"})
    speed_warmup: int = field(
        default=50, metadata={"help": "Articles (from validation) scored before the warm timing"}
    )
    speed_processes: int = field(
        default=2, metadata={"help": "Also time this many processes at once (1: do not)"}
    )
    out_dir: Path = field(
        default=Path("docs/eval"), metadata={"help": "Folder for metrics.json and the plots"}
    )
    report: Path = field(default=Path("EVALUATION.md"), metadata={"help": "The Markdown report"})
    render_only: bool = field(
        default=False, metadata={"help": "Only rewrite the report from out_dir/metrics.json"}
    )

    def __post_init__(self) -> None:
        self.dataset, self.out_dir, self.report = (
            Path(self.dataset),
            Path(self.out_dir),
            Path(self.report),
        )
        if isinstance(self.models, str):
            self.models = [self.models]
        if self.max_samples is not None and self.max_samples < 2:
            raise ValueError(
                f"the 'max_samples' parameter must be at least 2, got {self.max_samples}"
            )
        if self.speed_articles < 1 or self.speed_words < 1:
            raise ValueError(
                "the 'speed_articles' and 'speed_words' parameters must be at least 1, "
                f"got {self.speed_articles} and {self.speed_words}"
            )


# --------------------------------------------------------------------------- metrics


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


def span_word_mask(document: Document, spans: Iterable[tuple[int, int]]) -> np.ndarray:
    """Which words of ``document`` lie inside one of the character ``spans`` (start, end)."""
    mask = np.zeros(len(document.words), dtype=bool)
    starts = np.asarray(document.starts)
    for start, end in spans:
        lo = int(np.searchsorted(starts, start))
        hi = int(np.searchsorted(starts, end))
        mask[lo:hi] = True
    return mask


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


def rate_bucket(rate: float) -> str | None:
    """The ``RATE_BUCKETS`` label of a spin rate ("0.15-0.25"), or None outside them."""
    for lo, hi in RATE_BUCKETS:
        if lo <= rate < hi or (hi == RATE_BUCKETS[-1][1] and rate == hi):
            return f"{lo:.2f}-{hi:.2f}"
    return None


# --------------------------------------------------------------------------- predictions


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
    from detector.models import report_from_scores

    word_cut, document_cut = _thresholds(model, folder)
    started = time.perf_counter()
    scores = []
    for k in range(0, len(documents), batch):
        scores.extend(model.score_words(list(documents[k : k + batch])))
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
    return Predictions(
        word_scores=word_scores,
        word_flags=[w >= word_cut for w in word_scores],
        document_scores=document_scores,
        document_flags=document_scores >= document_cut,
        restorations=restorations,
        seconds=time.perf_counter() - started,
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


# --------------------------------------------------------------------------- one split


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


# --------------------------------------------------------------------------- speed and size


def speed_articles(texts: Sequence[str], count: int, words: int) -> list[str]:
    """``count`` articles of exactly ``words`` words, cut from ``texts`` run together."""
    articles: list[str] = []
    pool = [t for t in texts if t.strip()]
    if not pool:
        raise ValueError("no texts to build timing articles from")
    k = 0
    while len(articles) < count:
        parts: list[str] = []
        n = 0
        while n < words:
            text = pool[k % len(pool)]
            k += 1
            parts.append(text)
            n += len(make_document(text).words)
        joined = "\n\n".join(parts)
        document = make_document(joined)
        articles.append(joined[: document.ends[words - 1]])
    return articles


def _time_scoring(
    model: Any, warmup: Sequence[str], articles: Sequence[str], words_only: bool = False
) -> tuple[float, float]:
    """Wall-clock and CPU seconds to score ``articles`` end to end after scoring ``warmup``.

    With ``words_only``, each article is only read by the model
    (``score_words``): no report, no restored originals.
    """
    model.score(make_document("Warm up the lazy imports."))
    for text in warmup:
        model.score(make_document(text))
    started, cpu = time.perf_counter(), time.process_time()
    for text in articles:
        if words_only:
            model.score_words([make_document(text)])
        else:
            model.score(make_document(text))
    return time.perf_counter() - started, time.process_time() - cpu


def _speed_worker(name: str, warmup: Sequence[str], articles: Sequence[str]) -> float:
    """One process of the two-process timing: load ``name``, warm up, time ``articles``."""
    from detector.models import load_model

    return _time_scoring(load_model(name), warmup, articles)[0]


def measure_speed(
    name: str, warmup: Sequence[str], articles: Sequence[str], processes: int
) -> dict[str, float]:
    """Articles per second scoring 800-word texts end to end (``make_document``, ``score``).

    ``cold``: a freshly loaded model (empty caches) on ``articles``; ``warm``: the
    same after scoring ``warmup`` (other articles), as in a long batch run; with
    ``processes`` > 1, also the warm rate of that many processes sharing
    ``articles``, wall clock; ``words_only``: the warm model's ``score_words``
    alone (no report, no restoration).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from detector.models import load_model

    n = len(articles)
    cold, _ = _time_scoring(load_model(name), [], articles)
    model = load_model(name)
    warm, warm_cpu = _time_scoring(model, warmup, articles)
    words_only, words_only_cpu = _time_scoring(model, [], articles, words_only=True)
    out = {
        "articles_per_second_cold": round(n / cold, 2),
        "articles_per_second": round(n / warm, 2),
        "articles_per_cpu_second": round(n / warm_cpu, 2),
        "articles_per_second_words_only": round(n / words_only, 2),
        "articles_per_cpu_second_words_only": round(n / words_only_cpu, 2),
        "timed_articles": n,
        "warmup_articles": len(warmup),
    }
    if processes > 1:
        shares = [list(articles[k::processes]) for k in range(processes)]
        # Spawned, not forked: a fork of a process whose thread pools (OpenMP, torch) are
        # running can deadlock in the child.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
            seconds = list(
                pool.map(_speed_worker, [name] * processes, [warmup] * processes, shares)
            )
        out[f"articles_per_second_{processes}_processes"] = round(n / max(seconds), 2)
    out["load_average"] = round(os.getloadavg()[0], 2)
    return out


def folder_size(folder: Path) -> int:
    """Bytes of the model files in ``folder`` (everything but the model card)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != "README.md")


# --------------------------------------------------------------------------- plots


def plot_curves(curves: dict[str, dict[str, Any]], out_dir: Path) -> list[str]:
    """Precision-recall curves per split (words and articles) and F1 by spin rate; the PNG names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    out_dir.mkdir(parents=True, exist_ok=True)
    names = []
    splits = [s for s in ("test", "cross_spinner") if any(s in c for c in curves.values())]
    fig, axes = plt.subplots(2, len(splits), figsize=(5.5 * len(splits), 9), squeeze=False)
    for column, split in enumerate(splits):
        for row, level in enumerate(("word", "document")):
            ax = axes[row][column]
            for model, by_split in curves.items():
                if split not in by_split:
                    continue
                truth, scores = by_split[split][level]
                if not truth.any():
                    continue
                precision, recall, _ = precision_recall_curve(truth, scores)
                ax.plot(recall, precision, label=model)
            ax.set_title(f"{split}: {level}s")
            ax.set_xlabel("recall")
            ax.set_ylabel("precision")
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.02)
            ax.grid(alpha=0.3)
            ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(out_dir / "pr_curves.png", dpi=90)
    plt.close(fig)
    names.append("pr_curves.png")
    return names


def plot_rates(metrics: dict[str, dict[str, Any]], out_dir: Path) -> str:
    """Token F1 and document recall by spin-rate bucket, per model and split; the PNG name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in RATE_BUCKETS]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (key, title) in zip(
        axes,
        (("token_f1_rate_", "token F1"), ("document_recall_rate_", "document recall")),
        strict=True,
    ):
        for model, by_split in metrics.items():
            for split, style in (("test", "-o"), ("cross_spinner", "--s")):
                values = by_split.get(split, {})
                ys = [values.get(key + b) for b in labels]
                if any(y is not None for y in ys):
                    ax.plot(
                        labels,
                        [np.nan if y is None else y for y in ys],
                        style,
                        label=f"{model} {split}",
                    )
        ax.set_title(f"{title} by spin rate")
        ax.set_xlabel("spin rate")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "f1_by_rate.png", dpi=90)
    plt.close(fig)
    return "f1_by_rate.png"


# --------------------------------------------------------------------------- the report


def _fmt(value: Any, percent: bool = False) -> str:
    if value is None:
        return "–"
    if percent:
        return f"{100 * value:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def _target_rows(metrics: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []

    def get(model: str, split: str, key: str) -> Any:
        return metrics["results"].get(model, {}).get(split, {}).get(key)

    def verdict(value: Any, ok: bool) -> str:
        return "not measured" if value is None else ("met" if ok else "missed")

    for model in [m for m in metrics["results"] if m != "reference"]:
        checks = []
        if model == "transformer":
            checks += [
                ("document F1, test", get(model, "test", "document_f1"), ">= 0.99", 0.99, False),
                ("token F1, test", get(model, "test", "token_f1"), ">= 0.90", 0.90, False),
            ]
        checks += [
            (
                "document F1, cross_spinner",
                get(model, "cross_spinner", "document_f1"),
                ">= 0.90",
                0.90,
                False,
            ),
            (
                "FPR unspun, hard_negatives",
                get(model, "hard_negatives", "fpr_unspun"),
                "<= 2%",
                0.02,
                True,
            ),
            (
                "FPR human_rewrite, hard_negatives",
                get(model, "hard_negatives", "fpr_human_rewrite"),
                "<= 2%",
                0.02,
                True,
            ),
        ]
        goal = TARGETS.get(f"{model}_articles_per_second")
        if goal is not None:
            speed = get(model, "speed", "articles_per_second_2_processes")
            if speed is None:
                speed = get(model, "speed", "articles_per_second")
            checks.append(("articles/s (800 words, 2 cores)", speed, f">= {goal:g}", goal, False))
        for name, value, target, bound, at_most in checks:
            ok = value is not None and (value <= bound if at_most else value >= bound)
            shown = _fmt(value, percent=at_most) if value is not None else "–"
            rows.append((f"{model}: {name}", target, shown, verdict(value, ok)))
    return rows


def render_markdown(metrics: dict[str, Any]) -> str:
    """EVALUATION.md from the contents of metrics.json."""
    results = metrics["results"]
    models = list(results)
    lines = [
        "# Evaluation",
        "",
        "Reference-free models (no original at hand) on the held-out splits of the spin",
        "dataset, with reference mode (the suspect scored against its own original) as",
        "the upper bound.  Generated by `make evaluate` (`python -m training.evaluate`)",
        f"from `{metrics['metrics_file']}`; every number in the tables was measured by",
        "that run (the notes at the end say where theirs come from).",
        "",
        f"- Dataset: `{metrics['dataset']}` ({metrics['dataset_note']})",
        f"- Machine: {metrics['machine']}",
        f"- Date: {metrics['date']}",
        "",
        "## Results",
        "",
    ]
    rows = [
        ("test", "token precision", "token_precision", False),
        ("test", "token recall", "token_recall", False),
        ("test", "token F1", "token_f1", False),
        ("test", "document precision", "document_precision", False),
        ("test", "document recall", "document_recall", False),
        ("test", "document F1", "document_f1", False),
        ("test", "document AUROC", "document_auroc", False),
        ("test", "FPR unspun", "fpr_unspun", True),
        ("test", "FPR syndication", "fpr_syndication", True),
        ("test", "restoration top-1", "restoration_top1", True),
        ("cross_spinner", "token precision", "token_precision", False),
        ("cross_spinner", "token recall", "token_recall", False),
        ("cross_spinner", "token F1", "token_f1", False),
        ("cross_spinner", "document precision", "document_precision", False),
        ("cross_spinner", "document recall", "document_recall", False),
        ("cross_spinner", "document F1", "document_f1", False),
        ("cross_spinner", "document AUROC", "document_auroc", False),
        ("cross_spinner", "FPR unspun", "fpr_unspun", True),
        ("cross_spinner", "restoration top-1", "restoration_top1", True),
        ("hard_negatives", "FPR unspun", "fpr_unspun", True),
        ("hard_negatives", "FPR syndication", "fpr_syndication", True),
        ("hard_negatives", "FPR human_rewrite", "fpr_human_rewrite", True),
        ("hard_negatives", "words flagged", "token_false_flag_rate", True),
        ("speed", "articles/s, 800 words, warm", "articles_per_second", False),
        ("speed", "articles/s, 800 words, cold", "articles_per_second_cold", False),
        ("speed", "articles/s, 2 processes, warm", "articles_per_second_2_processes", False),
        ("speed", "articles/s, words only (no report)", "articles_per_second_words_only", False),
        ("speed", "articles per CPU second, warm", "articles_per_cpu_second", False),
        (
            "speed",
            "articles per CPU second, words only",
            "articles_per_cpu_second_words_only",
            False,
        ),
        ("speed", "model size on disk (MB)", "size_mb", False),
    ]
    lines.append("| split | metric | " + " | ".join(models) + " |")
    lines.append("| --- | --- | " + " | ".join("---:" for _ in models) + " |")
    for split, label, key, percent in rows:
        values = [results[m].get(split, {}).get(key) for m in models]
        if all(v is None for v in values):
            continue
        lines.append(
            f"| {split} | {label} | " + " | ".join(_fmt(v, percent) for v in values) + " |"
        )
    lines += [
        "",
        "Token metrics count every word of every article against the dataset's word",
        "tags (1 = inside a replaced span), at each model's word threshold from its",
        "`config.json`; document metrics use its document threshold; both thresholds",
        "were tuned on the validation split, never on these.  FPR is the share of",
        "articles of that kind called spun.  Restoration top-1: among the report's",
        "spans that are exactly a true replaced span, the share whose `original` is",
        "the true original (lowercased, or another form of the same lemma).",
        "Reference mode's word scores are its spin spans (kind synonym or phrase).",
        "",
        "## Targets (issue 4)",
        "",
        "| target | goal | measured | |",
        "| --- | --- | ---: | --- |",
    ]
    for name, goal, measured, verdict in _target_rows(metrics):
        lines.append(f"| {name} | {goal} | {measured} | {verdict} |")
    missing = [m for m in ("transformer",) if m not in results]
    if missing:
        lines += [
            "",
            f"Not evaluated: {', '.join(missing)} (no model installed in `models/` when this ran).",
        ]
    lines += ["", "## By spin rate", ""]
    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in RATE_BUCKETS]
    lines.append(
        "| model | split | "
        + " | ".join(f"token F1 {b}" for b in labels)
        + " | "
        + " | ".join(f"doc recall {b}" for b in labels)
        + " |"
    )
    lines.append("| --- | --- |" + " ---: |" * (2 * len(labels)))
    for model in models:
        for split in ("test", "cross_spinner"):
            values = results[model].get(split, {})
            if not any(f"token_f1_rate_{b}" in values for b in labels):
                continue
            cells = [_fmt(values.get(f"token_f1_rate_{b}")) for b in labels]
            cells += [_fmt(values.get(f"document_recall_rate_{b}")) for b in labels]
            lines.append(f"| {model} | {split} | " + " | ".join(cells) + " |")
    lines += ["", "## Plots", ""]
    for png in metrics.get("plots", []):
        lines.append(f"![{png}]({metrics['plots_dir']}/{png})")
        lines.append("")
    lines += [
        "## Speed",
        "",
        "Articles per second scoring 800-word articles (built from the test split's",
        "suspects) end to end, `make_document` then `score` (the report, with",
        "restored originals), one after another.  *cold*: a freshly loaded model,",
        "its caches of word facts and restorations empty, as for a single",
        "`spindetect score`; *warm*: after scoring other 800-word articles (from",
        "the validation split), as in a long batch run; *2 processes*: two such",
        "processes sharing the articles, wall clock; *words only*: the warm model's",
        "`score_words` alone, without the report and its restored originals.",
        "The baseline predicts on one",
        "thread; the transformer uses torch's threads in one process.  The machine",
        "is shared with other jobs: the 1-minute load average at the end of the",
        "timing is recorded, and *per CPU second* divides by the CPU time the",
        "scoring process itself used (torch's threads add theirs up), which",
        "depends less on what else runs.",
        "",
        "| model | warm | cold | 2 processes, warm | words only | timed | warm-up "
        "| load average | size |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for model in models:
        speed = results[model].get("speed", {})
        if speed:
            lines.append(
                f"| {model} | {_fmt(speed.get('articles_per_second'))} "
                f"| {_fmt(speed.get('articles_per_second_cold'))} "
                f"| {_fmt(speed.get('articles_per_second_2_processes'))} "
                f"| {_fmt(speed.get('articles_per_second_words_only'))} "
                f"| {speed.get('timed_articles')} | {speed.get('warmup_articles')} "
                f"| {_fmt(speed.get('load_average'))} | {_fmt(speed.get('size_mb'))} MB |"
            )
    notes = metrics.get("notes")
    if notes:
        lines += ["", notes.strip()]
    lines += [
        "",
        "## Reproduce",
        "",
        "```console",
        *metrics["commands"],
        "```",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the recipe


def _available(name: str) -> Path | None:
    from detector.errors import ModelNotFoundError
    from detector.models import model_dir

    try:
        return model_dir(name)
    except ModelNotFoundError:
        return None


def evaluate(args: EvalArgs, dataset: Any) -> dict[str, Any]:
    """Score every model on every split; return the contents of metrics.json."""
    from detector.lexicon import load_lexicon
    from detector.models import load_model
    from detector.restore import Restorer

    lexicon = load_lexicon(quiet=True)
    restorer = Restorer(lexicon)

    # Data.
    splits = {
        name: SplitData.load(name, dataset[name], args.max_samples)
        for name in SPLITS
        if name in dataset
    }
    logger.info("splits: %s", {k: len(v.suspects) for k, v in splits.items()})
    speed_texts = speed_articles(
        [d.text for d in splits["test"].suspects], args.speed_articles, args.speed_words
    )
    warmup_texts = speed_articles(
        dataset["validation"]["suspect"], args.speed_warmup, args.speed_words
    )

    results: dict[str, dict[str, Any]] = {}
    curves: dict[str, dict[str, Any]] = {}

    def record(name: str, split: SplitData, predictions: Predictions) -> None:
        results.setdefault(name, {})[split.name] = split_metrics(
            split, predictions, lexicon.same_lemma
        )
        curves.setdefault(name, {})[split.name] = {
            "word": (np.concatenate(split.tags), np.concatenate(predictions.word_scores)),
            "document": (split.labels, predictions.document_scores),
        }
        logger.info("%s on %s: %s", name, split.name, results[name][split.name])

    # Reference-free models.
    for name in args.models:
        folder = _available(name)
        if folder is None:
            logger.info("%s: not installed, skipped", name)
            continue
        model = load_model(name)
        for split in splits.values():
            record(name, split, predict_model(model, folder, split.suspects, restorer))
        slow = name == "transformer"
        count = max(10, args.speed_articles // 10) if slow else args.speed_articles
        speed = measure_speed(
            name,
            warmup_texts[: max(3, args.speed_warmup // 10)] if slow else warmup_texts,
            speed_texts[:count],
            1 if slow else args.speed_processes,
        )
        speed["size_mb"] = round(folder_size(folder) / 1e6, 2)
        results[name]["speed"] = speed
        logger.info("%s speed: %s", name, speed)

    # Reference mode, given the original.
    if args.reference:
        for split in splits.values():
            record("reference", split, predict_reference(split.suspects, split.originals))

    # Plots.
    args.out_dir.mkdir(parents=True, exist_ok=True)
    plots = plot_curves(curves, args.out_dir)
    plots.append(plot_rates(results, args.out_dir))

    build = args.dataset / "build.json"
    built = json.loads(build.read_text("utf-8")) if build.is_file() else {}
    corpora = ", ".join(Path(c).name for c in built.get("args", {}).get("corpus", []))
    sizes = ", ".join(f"{k} {len(v.suspects)}" for k, v in splits.items())
    quick = f" --max-samples {args.max_samples}" if args.max_samples else ""
    return {
        "results": results,
        "dataset": str(args.dataset),
        "dataset_note": f"{corpora or 'corpora unknown'}; articles evaluated: {sizes}",
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            "shared with other jobs (see load averages)"
        ),
        "date": time.strftime("%Y-%m-%d"),
        "metrics_file": str(args.out_dir / "metrics.json"),
        "plots_dir": str(args.out_dir),
        "plots": plots,
        "commands": [
            "$ make install",
            "$ make data        # data/spin-dataset from the shared corpora",
            "$ make baseline    # models/baseline",
            "$ make train       # models/transformer",
            f"$ make evaluate    # python -m training.evaluate --dataset {args.dataset}{quick}",
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training.evaluate``: evaluate, then write metrics.json, plots and the report."""
    from training.args import parse_args

    (args,) = parse_args(
        [EvalArgs], argv, description=__doc__ or "", prog="python -m training.evaluate"
    )
    logging.basicConfig(format="%(asctime)s %(message)s", datefmt="%H:%M:%S", level=logging.INFO)
    metrics_path = args.out_dir / "metrics.json"
    notes_path = args.out_dir / "notes.md"
    if args.render_only:
        metrics = json.loads(metrics_path.read_text("utf-8"))
    else:
        # Environment: fail fast, naming the fix.
        try:
            import datasets
            import matplotlib  # noqa: F401
            import sklearn  # noqa: F401
        except ImportError as exc:
            print(f"Error: {exc.name} is missing: pip install 'spindetect[train]'", file=sys.stderr)
            return 1
        if not (args.dataset / "dataset_dict.json").is_file():
            print(
                f"Error: no spin dataset at {args.dataset}: run `make data` first", file=sys.stderr
            )
            return 1
        datasets.disable_progress_bars()
        metrics = evaluate(args, datasets.load_from_disk(str(args.dataset)))
        args.out_dir.mkdir(parents=True, exist_ok=True)
        metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    # Hand-written analysis, kept across runs, goes at the end of the report.
    metrics["notes"] = notes_path.read_text("utf-8") if notes_path.is_file() else ""
    args.report.write_text(render_markdown(metrics), encoding="utf-8")
    logger.info(
        "wrote %s", args.report if args.render_only else f"{metrics_path} and {args.report}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
