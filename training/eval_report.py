"""The evaluation report: EVALUATION.md and its plots, from the contents of metrics.json.

``render_markdown`` writes the Markdown (results per model and split, the
targets met or missed, the spin-rate table, speed); ``plot_curves`` and
``plot_rates`` draw the PNGs it links (``draw_curves`` and ``draw_rates`` return
the figures).  Each model keeps one colour in every figure (``MODEL_COLOURS``);
each model's tuned thresholds are starred on its precision-recall curves; only
measured points are drawn: a curve is broken where neighbouring points lie far
apart, isolated points and the per-bucket rates are markers, never joined.
matplotlib is imported here only, and only when a plot is drawn.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from training.metrics import RATE_BUCKETS, token_metrics

__all__ = [
    "MODEL_COLOURS",
    "TARGETS",
    "draw_curves",
    "draw_rates",
    "model_colour",
    "operating_point",
    "plot_curves",
    "plot_rates",
    "pr_points",
    "render_markdown",
]

TARGETS = {
    "transformer_document_f1": 0.99,
    "transformer_token_f1": 0.90,
    "cross_spinner_document_f1": 0.90,
    "max_fpr": 0.02,
    "transformer_articles_per_second": 10.0,
    "baseline_articles_per_second": 200.0,
}


# --------------------------------------------------------------------------- plots

# One colour per model, the same in every figure; a model not named here gets a
# fallback: by its place among the figure's other unnamed models (two models of one
# run never share one, up to five), else picked from its name.
MODEL_COLOURS = {
    "baseline": "#1f77b4",
    "transformer": "#ff7f0e",
    "screen": "#6b6ecf",
    "lm": "#2ca02c",
    "hybrid": "#d62728",
    "reference": "#9467bd",
}
_FALLBACK_COLOURS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# Two neighbouring points of a precision-recall curve further apart than this (in
# recall or precision) are not joined: nothing was measured between them.
MAX_STEP = 0.05
# A run of fewer points than this is drawn as markers, not as a line.
MIN_LINE_POINTS = 3
SPLIT_MARKERS = {"test": "o", "cross_spinner": "s"}


def model_colour(model: str, among: Sequence[str] = ()) -> str:
    """The colour of ``model`` in every figure that shows the models ``among``."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    unnamed = sorted({m for m in among if m not in MODEL_COLOURS})
    if model in unnamed:
        return _FALLBACK_COLOURS[unnamed.index(model) % len(_FALLBACK_COLOURS)]
    return _FALLBACK_COLOURS[zlib.crc32(model.encode()) % len(_FALLBACK_COLOURS)]


def pr_points(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recall and precision at every distinct score threshold, highest recall first.

    Unlike ``sklearn.metrics.precision_recall_curve``, without the point
    (recall 0, precision 1) that no threshold reaches.
    """
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(truth, scores)
    return recall[:-1], precision[:-1]


def operating_point(truth: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """Recall and precision of flagging the scores at or above ``threshold`` (as the metrics do)."""
    out = token_metrics(truth, np.asarray(scores) >= threshold)
    return out["recall"], out["precision"]


def _runs(recall: np.ndarray, precision: np.ndarray) -> list[slice]:
    """The stretches of a curve whose neighbouring points lie at most ``MAX_STEP`` apart."""
    if len(recall) == 0:
        return []
    jumps = (np.abs(np.diff(recall)) > MAX_STEP) | (np.abs(np.diff(precision)) > MAX_STEP)
    cuts = [0, *(np.flatnonzero(jumps) + 1).tolist(), len(recall)]
    return [slice(a, b) for a, b in pairwise(cuts)]


def _draw_curve(
    ax: Any, model: str, colour: str, recall: np.ndarray, precision: np.ndarray
) -> bool:
    """One model's curve: dense stretches as lines, isolated points as markers; any line?"""
    isolated = []
    for run in _runs(recall, precision):
        if run.stop - run.start >= MIN_LINE_POINTS:
            ax.plot(recall[run], precision[run], color=colour, gid=f"curve:{model}")
        else:
            isolated.append(run)
    if isolated:
        xs = np.concatenate([recall[run] for run in isolated])
        ys = np.concatenate([precision[run] for run in isolated])
        ax.scatter(xs, ys, s=14, color=colour, zorder=3, gid=f"points:{model}")
    return len(isolated) < len(_runs(recall, precision))


def draw_curves(
    curves: dict[str, dict[str, Any]], thresholds: dict[str, dict[str, float]] | None = None
) -> Any:
    """The precision-recall figure (words and articles, per split); a matplotlib Figure.

    ``curves[model][split][level]`` is ``(truth, scores)`` for level ``word`` and
    ``document``; ``thresholds[model]`` holds the ``word`` and ``document``
    thresholds the model ships with, marked on its curves.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    thresholds = thresholds or {}
    splits = [s for s in ("test", "cross_spinner") if any(s in c for c in curves.values())]
    fig, axes = plt.subplots(
        2, max(1, len(splits)), figsize=(5.5 * max(1, len(splits)), 9), squeeze=False
    )
    for column, split in enumerate(splits):
        for row, level in enumerate(("word", "document")):
            ax = axes[row][column]
            handles = []
            for model, by_split in curves.items():
                if split not in by_split:
                    continue
                truth, scores = by_split[split][level]
                truth = np.asarray(truth, dtype=bool)
                if not truth.any():
                    continue
                colour = model_colour(model, list(curves))
                lined = _draw_curve(ax, model, colour, *pr_points(truth, scores))
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=colour,
                        marker=None if lined else "o",
                        linestyle="-" if lined else "None",
                        label=model,
                    )
                )
                cut = thresholds.get(model, {}).get(level)
                if cut is not None:
                    recall, precision = operating_point(truth, scores, cut)
                    ax.scatter(
                        [recall],
                        [precision],
                        marker="*",
                        s=180,
                        color=colour,
                        edgecolors="black",
                        linewidths=0.8,
                        zorder=4,
                        gid=f"threshold:{model}",
                    )
            if any(m in thresholds for m in curves):
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="*",
                        linestyle="None",
                        markersize=12,
                        markerfacecolor="white",
                        markeredgecolor="black",
                        label="tuned threshold",
                    )
                )
            ax.set_title(f"{split}: {level}s")
            ax.set_xlabel("recall")
            ax.set_ylabel("precision")
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            ax.grid(alpha=0.3)
            if handles:
                ax.legend(handles=handles, loc="lower left")
    fig.tight_layout()
    return fig


def plot_curves(
    curves: dict[str, dict[str, Any]],
    out_dir: Path,
    thresholds: dict[str, dict[str, float]] | None = None,
) -> list[str]:
    """Draw ``draw_curves`` into ``out_dir/pr_curves.png``; the PNG names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig = draw_curves(curves, thresholds)
    fig.savefig(out_dir / "pr_curves.png", dpi=90)
    plt.close(fig)
    return ["pr_curves.png"]


def draw_rates(metrics: dict[str, dict[str, Any]]) -> Any:
    """Token F1 and document recall by spin-rate bucket, per model and split; a Figure.

    ``metrics`` is ``results`` of metrics.json.  Each bucket's value is a marker,
    models side by side within the bucket; nothing joins the buckets.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in RATE_BUCKETS]
    shown = [
        (model, split)
        for model, by_split in metrics.items()
        for split in SPLIT_MARKERS
        if any(f"token_f1_rate_{b}" in by_split.get(split, {}) for b in labels)
    ]
    models = list(dict.fromkeys(model for model, _ in shown))
    width = 0.8 / max(1, len(shown))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (key, title) in zip(
        axes,
        (("token_f1_rate_", "token F1"), ("document_recall_rate_", "document recall")),
        strict=True,
    ):
        for k, (model, split) in enumerate(shown):
            values = metrics[model][split]
            points = [(i, values[key + b]) for i, b in enumerate(labels) if key + b in values]
            points = [(i, y) for i, y in points if y is not None]
            if not points:
                continue
            xs = [i - 0.4 + width * (k + 0.5) for i, _ in points]
            colour = model_colour(model, models)
            ax.scatter(
                xs,
                [y for _, y in points],
                marker=SPLIT_MARKERS[split],
                s=36,
                color=colour if split == "test" else "white",
                edgecolors=colour,
                linewidths=1.5,
                zorder=3,
                gid=f"rate:{model}:{split}",
            )
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        for bucket in range(1, len(labels), 2):
            ax.axvspan(bucket - 0.5, bucket + 0.5, color="0.94", zorder=0)
        ax.set_title(f"{title} by spin rate")
        ax.set_xlabel("spin rate")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3, axis="y")
    handles = [
        Line2D([], [], marker="o", linestyle="None", color=model_colour(m, models), label=m)
        for m in models
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=marker,
            linestyle="None",
            markerfacecolor="0.4" if split == "test" else "white",
            markeredgecolor="0.4",
            label=split,
        )
        for split, marker in SPLIT_MARKERS.items()
    ]
    axes[-1].legend(handles=handles, fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_rates(metrics: dict[str, dict[str, Any]], out_dir: Path) -> str:
    """Draw ``draw_rates`` into ``out_dir/f1_by_rate.png``; the PNG name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig = draw_rates(metrics)
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
        if model == "hybrid":
            checks += [
                ("token F1, test", get(model, "test", "token_f1"), ">= 0.90", 0.90, False),
                (
                    "token F1, cross_spinner",
                    get(model, "cross_spinner", "token_f1"),
                    ">= 0.80",
                    0.80,
                    False,
                ),
                (
                    "restoration precision, test",
                    get(model, "test", "restoration_precision"),
                    ">= 0.6",
                    0.6,
                    False,
                ),
                (
                    "FPR non-news prose, clean_prose",
                    get(model, "clean_prose", "fpr_clean_prose"),
                    "<= 2%",
                    0.02,
                    True,
                ),
                ("FPR unspun, test", get(model, "test", "fpr_unspun"), "<= 2%", 0.02, True),
                (
                    "FPR syndication, test",
                    get(model, "test", "fpr_syndication"),
                    "<= 2%",
                    0.02,
                    True,
                ),
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
        "the upper bound.  Generated by `python -m training.evaluate` (`make evaluate`; the",
        "commands under Reproduce made this report)",
        f"from `{metrics['metrics_file']}`; every number in the tables was measured by",
        "that run (the notes at the end say where theirs come from).",
        "",
        f"- Dataset: `{metrics['dataset']}` ({metrics['dataset_note']})",
        f"- Machine: {metrics['machine']}",
        f"- Date: {metrics['date']}"
        + (
            f" (speed timed again on {metrics['speed_date']}, `python -m training.evaluate "
            f"--speed-only`, on {metrics.get('speed_machine', 'this machine')})"
            if metrics.get("speed_date")
            else ""
        ),
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
        ("test", "restoration precision", "restoration_precision", True),
        ("test", "restoration recall", "restoration_recall", True),
        ("test", "articles evaluated", "articles", False),
        ("cross_spinner", "token precision", "token_precision", False),
        ("cross_spinner", "token recall", "token_recall", False),
        ("cross_spinner", "token F1", "token_f1", False),
        ("cross_spinner", "document precision", "document_precision", False),
        ("cross_spinner", "document recall", "document_recall", False),
        ("cross_spinner", "document F1", "document_f1", False),
        ("cross_spinner", "document AUROC", "document_auroc", False),
        ("cross_spinner", "FPR unspun", "fpr_unspun", True),
        ("cross_spinner", "restoration top-1", "restoration_top1", True),
        ("cross_spinner", "restoration precision", "restoration_precision", True),
        ("cross_spinner", "restoration recall", "restoration_recall", True),
        ("cross_spinner", "articles evaluated", "articles", False),
        ("hard_negatives", "FPR unspun", "fpr_unspun", True),
        ("hard_negatives", "FPR syndication", "fpr_syndication", True),
        ("hard_negatives", "FPR human_rewrite", "fpr_human_rewrite", True),
        ("hard_negatives", "words flagged", "token_false_flag_rate", True),
        ("hard_negatives", "articles evaluated", "articles", False),
        ("clean_prose", "FPR (non-news prose)", "fpr_clean_prose", True),
        ("clean_prose", "words flagged", "token_false_flag_rate", True),
        ("clean_prose", "texts evaluated", "articles", False),
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
        "`config.json`, in the articles it calls spun (as in its report, which lists",
        "no spans for a text it calls clean); document metrics use its document",
        "threshold; both thresholds were tuned on the validation split, never on",
        "these.  FPR is the share of",
        "articles of that kind called spun.  Restoration top-1: among the report's",
        "spans that are exactly a true replaced span, the share whose `original` is",
        "the true original (lowercased, or another form of the same lemma).",
        "Restoration precision: of the true replaced spans a report's span overlaps,",
        "the share restored exactly (the text around both reads the same with the",
        "report's originals in place, case-insensitively; one span over two",
        "neighbouring replaced spans that gives both back restores both, since",
        "2026-12-05 evening); restoration recall: the",
        "same count over every true replaced span.  `lm`, `hybrid` and `screen` (the",
        "judge's first pass alone, `label`'s fallback) read with a",
        "language model (seconds per article on a CPU): they are evaluated on the",
        "first articles of each split, each kind in its share of the split",
        "(*articles evaluated*).",
        "*clean_prose*: standard-library docstrings (technical English, not news;",
        "`training/clean_prose.py`), where every text called spun is a false positive.",
        "Reference mode's word scores are its spin spans (kind synonym or phrase).",
        "",
        "## Targets",
        "",
        "| target | goal | measured | |",
        "| --- | --- | ---: | --- |",
    ]
    for name, goal, measured, verdict in _target_rows(metrics):
        lines.append(f"| {name} | {goal} | {measured} | {verdict} |")
    missing = metrics.get("not_installed", [m for m in ("transformer",) if m not in results])
    if missing:
        lines += [
            "",
            f"Not evaluated: {', '.join(missing)} (asked for, but no model installed in "
            "`models/` when this ran).",
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
