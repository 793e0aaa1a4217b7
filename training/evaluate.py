"""Evaluate every available model on the same held-out splits; write metrics.json and EVALUATION.md.

Recipe (``python -m training.evaluate``; ``make evaluate`` runs it):

1. Data: the ``test`` (in distribution), ``cross_spinner`` and ``hard_negatives``
   splits of the spin dataset (``make data``).
2. Models: ``baseline``, ``transformer``, ``lm`` and ``hybrid`` where installed
   (through ``detector.models.load_model``; ``--models`` names others, or model
   folders), and the reference-mode scorer given the original (on by default;
   ``--no-reference`` leaves it out), the upper bound when an original is at hand.
3. Predictions (``training.predict``): each model's word and document
   probabilities (``score_words``), cut at the thresholds in its ``config.json``,
   and the report ``score`` would give (``report_from_scores``) for the restored words.
4. Metrics per model and split (``training.metrics``): token precision/recall/F1
   (every word, against the dataset's tags), document precision/recall/F1/AUROC,
   false-positive rate per kind of negative (unspun, syndication, human_rewrite),
   top-1 restoration accuracy of ``original`` on correctly flagged spans, and by
   spin-rate bucket.
5. Speed and size: articles per second scoring 800-word articles end to end
   (text to report; timed by ``bench/speed.py``), and the model folder's size on disk.
6. Write ``metrics.json``, the plots and ``EVALUATION.md`` (``training.eval_report``;
   the Markdown and the spin-rate plot can be regenerated from ``metrics.json`` alone
   with ``--render-only``; the precision-recall plot needs a full run);
   a hand-written ``notes.md`` beside ``metrics.json`` is appended to the report.

Usage::

    python -m training.evaluate --dataset data/spin-dataset   # EVALUATION.md, docs/eval
    python -m training.evaluate --models baseline --max-samples 40   # -> runs/eval
    python -m training.evaluate --dataset data/spin-dataset-smoke \
        --models runs/baseline-smoke runs/transformer-smoke --out-dir runs/eval-smoke
    python -m training.evaluate --render-only

The shipped run (the default models on whole splits) writes ``docs/eval`` and
``EVALUATION.md``; any other run writes ``runs/eval`` unless ``--out-dir`` says where,
and its report goes into that folder (``--report`` says where else).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from detector.models import MODEL_NAMES
from training.eval_report import plot_curves, plot_rates, render_markdown
from training.metrics import split_metrics
from training.predict import (
    Predictions,
    SplitData,
    clean_prose_split,
    predict_model,
    predict_reference,
    predictions_from_scores,
    stratified_head,
)

__all__ = ["EvalArgs", "evaluate", "folder_size", "main"]

logger = logging.getLogger("training.evaluate")

ROOT = Path(__file__).resolve().parents[1]

SPLITS = ("test", "cross_spinner", "hard_negatives")
# Models that read with the language model: evaluated on a sample of each split.
_READS_WITH_LM = ("lm", "hybrid")
# Every model the project ships but the cascade, which only chooses between two of them.
_DEFAULT_MODELS = tuple(name for name in MODEL_NAMES if name != "cascade")
_DEFAULT_OUT_DIR = Path("docs/eval")  # the shipped run's; the report is EVALUATION.md
_OTHER_OUT_DIR = Path("runs/eval")  # any other run's, unless --out-dir says otherwise


@dataclass
class EvalArgs:
    """What to evaluate, on what, and where to write the results."""

    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "The spin dataset folder (make data)"}
    )
    models: list[str] = field(
        default_factory=lambda: list(_DEFAULT_MODELS),
        metadata={
            "help": "Models (names or folders); the five names (every shipped model but the "
            "cascade of two of them) are skipped when not "
            "installed, a folder that holds no model is an error"
        },
    )
    reference: bool = field(
        default=True, metadata={"help": "Also score reference mode, given the original"}
    )
    max_samples: int | None = field(
        default=None, metadata={"help": "Evaluate at most this many articles per split"}
    )
    lm_max_samples: int | None = field(
        default=48,
        metadata={
            "help": "For the models that read with the language model (screen, lm, hybrid): "
            "at most this many articles per split, kinds in turn (seconds per article on a CPU)"
        },
    )
    clean_prose: int = field(
        default=100,
        metadata={"help": "Out-of-domain clean texts (standard-library docstrings; 0: none)"},
    )
    workers: int = field(default=2, metadata={"help": "Processes reading with the language model"})
    readings_cache: Path = field(
        default=Path("runs/readings"), metadata={"help": "Folder of the language-model readings"}
    )
    speed_articles: int = field(
        default=200,
        metadata={"help": "800-word articles timed per model (a tenth for slow ones; 0: none)"},
    )
    speed_words: int = field(default=800, metadata={"help": "Words per timed article"})
    speed_warmup: int = field(
        default=50, metadata={"help": "Articles (from validation) scored before the warm timing"}
    )
    speed_processes: int = field(
        default=2, metadata={"help": "Also time this many processes at once (1: do not)"}
    )
    out_dir: Path | None = field(
        default=None,
        metadata={
            "help": "Folder for metrics.json and the plots (default: docs/eval for the "
            "shipped run, every default model on whole splits; runs/eval for any other)"
        },
    )
    report: Path | None = field(
        default=None,
        metadata={
            "help": "The Markdown report (default: EVALUATION.md with out_dir docs/eval, "
            "else out_dir/EVALUATION.md)"
        },
    )
    render_only: bool = field(
        default=False,
        metadata={
            "help": "Only rewrite the report and the spin-rate plot from out_dir/metrics.json"
        },
    )
    speed_only: bool = field(
        default=False,
        metadata={
            "help": "Only time the models again (on a quiet machine) into out_dir/metrics.json, "
            "keeping every other number, and rewrite the report"
        },
    )

    def __post_init__(self) -> None:
        if isinstance(self.models, str):
            self.models = [self.models]
        self.dataset, self.readings_cache = Path(self.dataset), Path(self.readings_cache)
        if self.out_dir is None:  # another run never overwrites the shipped results
            shipped = (
                self.render_only
                or self.speed_only
                or (list(self.models) == list(_DEFAULT_MODELS) and self.max_samples is None)
            )
            self.out_dir = _DEFAULT_OUT_DIR if shipped else _OTHER_OUT_DIR
        self.out_dir = Path(self.out_dir)
        if self.report is None:
            default = self.out_dir == _DEFAULT_OUT_DIR
            self.report = Path("EVALUATION.md") if default else self.out_dir / "EVALUATION.md"
        self.report = Path(self.report)
        if self.max_samples is not None and self.max_samples < 2:
            raise ValueError(
                f"the 'max_samples' parameter must be at least 2, got {self.max_samples}"
            )
        if self.render_only and self.speed_only:
            raise ValueError("give at most one of --render-only and --speed-only")
        if self.speed_articles < 0 or self.speed_words < 1:
            raise ValueError(
                "the 'speed_articles' parameter must be at least 0 (0: no timing) and "
                f"'speed_words' at least 1, got {self.speed_articles} and {self.speed_words}"
            )
        if self.speed_only and self.speed_articles == 0:
            raise ValueError("--speed-only needs --speed-articles of at least 1")


# --------------------------------------------------------------------------- helpers


def folder_size(folder: Path) -> int:
    """Bytes of the model files in ``folder`` (everything but the model card)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != "README.md")


def _available(name: str) -> Path | None:
    from detector.errors import ModelNotFoundError
    from detector.models import model_dir

    try:
        return model_dir(name)
    except ModelNotFoundError:
        return None


def _bench_speed() -> ModuleType:
    """``bench/speed.py``, the timing shared with the benchmarks (``bench/`` is not installed)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("bench.speed")


def _kind(folder: Path) -> str:
    """The type of the model in ``folder`` (``baseline``, ``transformer``, ``lm``, ``hybrid``)."""
    from detector.model_config import read_model_config

    return str(read_model_config(folder).get("type"))


def _speed_and_size(
    speed: ModuleType,
    name: str,
    folder: Path,
    args: EvalArgs,
    warmup: Sequence[str],
    articles: Sequence[str],
) -> dict[str, float]:
    """The speed row of one model; a transformer is timed on a tenth, in one process,
    the models that read with the language model on five articles (by the model's type,
    whatever its name)."""
    kind = _kind(folder)
    slow = kind in ("transformer", *_READS_WITH_LM)
    count = max(10, args.speed_articles // 10) if slow else args.speed_articles
    if kind in _READS_WITH_LM:
        count = 5
    # Said first: a model that reads with the language model takes minutes here, silently.
    logger.info(
        "timing %s: %d articles of %d words, cold and warm%s%s",
        name,
        count,
        args.speed_words,
        "" if slow or args.speed_processes < 2 else f", and in {args.speed_processes} processes",
        " (seconds each: the language model reads them)" if kind in _READS_WITH_LM else "",
    )
    out = speed.measure_speed(
        name,
        warmup[: max(3, args.speed_warmup // 10)] if slow else warmup,
        articles[:count],
        1 if slow else args.speed_processes,
    )
    out["size_mb"] = round(folder_size(folder) / 1e6, 2)
    return out


def _machine(models: Sequence[str] = _READS_WITH_LM) -> str:
    """This machine in a line: architecture, cores, Python, and the language model's dtype
    when one of ``models`` reads with it."""
    from detector.lm import compute_dtype

    reads_with_lm = any(
        (folder := _available(name)) is not None and _kind(folder) in _READS_WITH_LM
        for name in models
    )
    dtype = f"the language model computing in {compute_dtype()}, " if reads_with_lm else ""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{dtype}shared with other jobs (see load averages)"
    )


def _timed_texts(
    args: EvalArgs, dataset: Any, test_texts: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The 800-word articles to warm up on (from validation) and to time (from test)."""
    speed = _bench_speed()
    warmup = speed.speed_articles(
        dataset["validation"]["suspect"], args.speed_warmup, args.speed_words
    )
    timed = speed.speed_articles(test_texts, args.speed_articles, args.speed_words)
    return warmup, timed


def time_again(args: EvalArgs, dataset: Any, metrics: dict[str, Any]) -> dict[str, Any]:
    """``metrics`` with each reference-free model's speed and size measured again."""
    speed = _bench_speed()
    warmup, timed = _timed_texts(args, dataset, list(dataset["test"]["suspect"]))
    results = dict(metrics["results"])
    for name in results:
        folder = _available(name)
        if name == "reference" or folder is None or "speed" not in results[name]:
            continue
        speed_row = _speed_and_size(speed, name, folder, args, warmup, timed)
        results[name] = {**results[name], "speed": speed_row}
        logger.info("%s speed: %s", name, speed_row)
    return {
        **metrics,
        "results": results,
        "speed_date": time.strftime("%Y-%m-%d"),
        "speed_machine": _machine(list(results)),
    }


def _predict_with_readings(
    model: Any, name: str, folder: Path, split: SplitData, args: EvalArgs, restorer: Any
) -> tuple[SplitData, Predictions]:
    """The predictions of a model that reads with the language model (screen, lm, hybrid) on
    a sample of ``split``, from cached readings."""
    from training.readings import read_documents

    # The shipped models read with models/lm's judge; a model folder with its own.
    lm_folder = (_available("lm") or folder) if name in _READS_WITH_LM else folder
    cap = max(args.lm_max_samples or 0, args.clean_prose) if split.name == "clean_prose" else None
    sample = stratified_head(split, cap or args.lm_max_samples)
    started = time.perf_counter()
    readings = read_documents(
        sample.suspects,
        lm_folder,
        cache=args.readings_cache / f"{args.dataset.name}-{split.name}.jsonl",
        workers=args.workers,
    )
    if hasattr(model, "transformer"):  # the hybrid: the transformer's reading too
        transformer = model.transformer.word_probabilities(sample.suspects)
        scores = [
            model.scores_from_reading(r, p) for r, p in zip(readings, transformer, strict=True)
        ]
    else:
        scores = [model.scores_from_reading(r) for r in readings]
    seconds = time.perf_counter() - started
    return sample, predictions_from_scores(scores, model, folder, restorer, seconds=seconds)


# --------------------------------------------------------------------------- the recipe


def evaluate(args: EvalArgs, dataset: Any) -> dict[str, Any]:
    """Score every model on every split; return the contents of metrics.json."""
    from detector.lexicon import load_lexicon
    from detector.models import load_model
    from detector.restore import Restorer

    speed = _bench_speed()
    lexicon = load_lexicon(quiet=True)
    restorer = Restorer(lexicon)

    # Data: the evaluated splits, and 800-word articles to time (test) and warm up on (validation).
    splits = {
        name: SplitData.load(name, dataset[name], args.max_samples)
        for name in SPLITS
        if name in dataset
    }
    if args.clean_prose:
        splits["clean_prose"] = clean_prose_split(args.clean_prose)
    logger.info("splits: %s", {k: len(v.suspects) for k, v in splits.items()})
    warmup_texts, speed_texts = (
        _timed_texts(args, dataset, [d.text for d in splits["test"].suspects])
        if args.speed_articles
        else ([], [])
    )

    results: dict[str, dict[str, Any]] = {}
    curves: dict[str, dict[str, Any]] = {}
    thresholds: dict[str, dict[str, float]] = {}  # each model's tuned cuts, starred on the plots

    def record(name: str, split: SplitData, predictions: Predictions) -> None:
        results.setdefault(name, {})[split.name] = split_metrics(
            split, predictions, lexicon.same_lemma
        )
        curves.setdefault(name, {})[split.name] = {
            "word": (np.concatenate(split.tags), np.concatenate(predictions.word_scores)),
            "document": (split.labels, predictions.document_scores),
        }
        logger.info("%s on %s: %s", name, split.name, results[name][split.name])

    # Reference-free models: predictions and metrics per split, then speed and size.
    # The models that read with the language model share one reading of each article.
    for name in args.models:
        folder = _available(name)
        if folder is None:
            logger.info("%s: not installed, skipped", name)
            continue
        model = load_model(name)
        thresholds[name] = {
            "word": float(model.word_threshold),
            "document": float(model.document_threshold),
        }
        reads_with_lm = _kind(folder) in _READS_WITH_LM
        for split in splits.values():
            if reads_with_lm:
                record(name, *_predict_with_readings(model, name, folder, split, args, restorer))
            else:
                record(name, split, predict_model(model, folder, split.suspects, restorer))
        if args.speed_articles:  # 0: not timed (the report says "not measured")
            results[name]["speed"] = _speed_and_size(
                speed, name, folder, args, warmup_texts, speed_texts
            )
            logger.info("%s speed: %s", name, results[name]["speed"])

    # Reference mode, given the original (the clean prose has none).
    if args.reference:
        from detector.calibration import load_reference_weights

        # Its word scores are positive on its spin spans only; its verdict cuts the spin score.
        thresholds["reference"] = {"word": 1e-6, "document": load_reference_weights().threshold}
        for split in splits.values():
            if split.name == "clean_prose":
                continue
            record("reference", split, predict_reference(split.suspects, split.originals))

    # Plots.
    args.out_dir.mkdir(parents=True, exist_ok=True)
    plots = plot_curves(curves, args.out_dir, thresholds)
    plots.append(plot_rates(results, args.out_dir))

    # What the report says about this run.
    build = args.dataset / "build.json"
    built = json.loads(build.read_text("utf-8")) if build.is_file() else {}
    corpora = ", ".join(Path(c).name for c in built.get("args", {}).get("corpus", []))
    sizes = ", ".join(f"{k} {len(v.suspects)}" for k, v in splits.items())
    quick = f" --max-samples {args.max_samples}" if args.max_samples else ""
    return {
        "results": results,
        "dataset": str(args.dataset),
        "dataset_note": f"{corpora or 'corpora unknown'}; articles evaluated: {sizes}",
        "machine": _machine(args.models),
        "date": time.strftime("%Y-%m-%d"),
        "metrics_file": str(args.out_dir / "metrics.json"),
        "plots_dir": str(args.out_dir),
        "plots": plots,
        # Asked for and not installed (the report names them; a model not asked for is not
        # "missing").
        "not_installed": [name for name in args.models if _available(name) is None],
        "commands": [
            "$ make install",
            "$ make data        # data/spin-dataset from the shared corpora",
            "$ make baseline    # models/baseline",
            "$ make train       # models/transformer",
            "$ make hybrid      # models/lm, models/hybrid",
            "$ make screen      # models/screen",
            f"$ make evaluate    # python -m training.evaluate --dataset {args.dataset}{quick}",
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training.evaluate``: evaluate, then write metrics.json, plots and the report."""
    from training.args import parse_args

    # Arguments and logging.
    (args,) = parse_args(
        [EvalArgs], argv, description=__doc__ or "", prog="python -m training.evaluate"
    )
    logging.basicConfig(format="%(asctime)s %(message)s", datefmt="%H:%M:%S", level=logging.INFO)
    metrics_path = args.out_dir / "metrics.json"
    notes_path = args.out_dir / "notes.md"

    if args.render_only:
        # Render only: the metrics of the last run, and the plot drawn from them alone
        # (the precision-recall curves need the predictions, which metrics.json lacks).
        if not metrics_path.is_file():
            print(f"Error: no {metrics_path} to render: run an evaluation first", file=sys.stderr)
            return 1
        metrics = json.loads(metrics_path.read_text("utf-8"))
        if importlib.util.find_spec("matplotlib") is not None:
            plot_rates(metrics["results"], args.out_dir)
    else:
        # Environment: fail fast, naming the fix.
        if args.speed_only and not metrics_path.is_file():
            print(
                f"Error: no {metrics_path} to time again: run `make evaluate` first",
                file=sys.stderr,
            )
            return 1
        for package in ("datasets", "matplotlib", "sklearn"):
            if importlib.util.find_spec(package) is None:
                print(
                    f"Error: {package} is missing: pip install 'spindetect[train]'", file=sys.stderr
                )
                return 1
        if not (args.dataset / "dataset_dict.json").is_file():
            print(
                f"Error: no spin dataset at {args.dataset}: run `make data` first", file=sys.stderr
            )
            return 2
        for name in args.models:
            folder = _available(name)
            if name in _DEFAULT_MODELS and folder is None:
                continue  # not installed: skipped
            if folder is None or _kind(folder) not in _DEFAULT_MODELS:
                print(
                    f"Error: no model at {name}: give {', '.join(_DEFAULT_MODELS)} or a "
                    "folder written by `make baseline`, `make train` or `make hybrid`",
                    file=sys.stderr,
                )
                return 2

        for folder in (args.out_dir, args.report.parent):
            try:  # before the work: a folder that cannot be written is said now, not after
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                print(f"Error: cannot make the folder {folder}: {exc.strerror}", file=sys.stderr)
                return 1
            if not os.access(folder, os.W_OK | os.X_OK):
                print(f"Error: cannot write in {folder}", file=sys.stderr)
                return 1
        if args.report.is_dir():
            print(
                f"Error: --report {args.report} is a folder: name the report's file",
                file=sys.stderr,
            )
            return 2

        # Evaluate, and keep the metrics.
        import datasets

        datasets.disable_progress_bars()
        dataset = datasets.load_from_disk(str(args.dataset))
        if args.speed_only:
            metrics = time_again(args, dataset, json.loads(metrics_path.read_text("utf-8")))
        else:
            metrics = evaluate(args, dataset)
            if list(args.models) != list(_DEFAULT_MODELS) or args.out_dir != _DEFAULT_OUT_DIR:
                # Not the shipped run: the report says how this one was made.
                given = list(argv) if argv is not None else sys.argv[1:]
                metrics["commands"] = [f"$ python -m training.evaluate {shlex.join(given)}"]
        args.out_dir.mkdir(parents=True, exist_ok=True)
        metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")

    # The report, with the hand-written analysis (kept across runs) at its end.
    metrics["notes"] = notes_path.read_text("utf-8") if notes_path.is_file() else ""
    # The plots as the report's own folder reaches them (runs/eval-smoke/EVALUATION.md
    # linked runs/eval-smoke/pr_curves.png, which does not exist from there).
    metrics["plots_dir"] = Path(os.path.relpath(args.out_dir, args.report.parent)).as_posix()
    args.report.write_text(render_markdown(metrics), encoding="utf-8")
    logger.info(
        "wrote %s", args.report if args.render_only else f"{metrics_path} and {args.report}"
    )
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
