"""Benchmark of reference-free scoring (no original): articles per second on one and two cores.

Times the installed reference-free models on 800-word articles cut from the
spin dataset's ``test`` split (``data/spin-dataset``; OneStopEnglish from
``../shared/corpora`` when the dataset is absent), after warming each model's
caches on other articles (the ``validation`` split), as in a long batch run:

* ``score_words``: ``make_document`` + ``model.score_words([document])``, one
  article per call: word and document probabilities only;
* ``score_words``, 16 articles per call (batches amortise the model calls);
* ``score``: ``make_document`` + ``model.score(document)``: the full report with
  spans and restored originals, what ``spindetect score FILE`` computes;
* the same ``score`` on a freshly loaded model with no warm-up (cold caches);
* loading each model in a fresh process, its imports included (median of 3).

Each measure runs in fresh processes (spawned, so no cache is shared): one
process, then two processes splitting the articles between them and starting
together; the rate is articles / wall-clock seconds of the slower process, and
CPU time is summed over processes.  For the baseline, a per-stage breakdown
(one process, warm) shows where an article's time goes.  The transformer
(``models/transformer``) is timed too when it is installed, on fewer articles,
with torch limited to cores / processes threads per process.

Usage::

    python bench/bench_reference_free.py --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import lzma
import multiprocessing as mp
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import write_section  # bench/ is on sys.path when run as a script
from speed import speed_articles

ROOT = Path(__file__).resolve().parents[1]
OSE = ROOT.parent / "shared" / "corpora" / "onestopenglish_all_levels.jsonl.xz"
SECTION = "reference-free"
BATCH = 16


@dataclass(frozen=True)
class Run:
    """One timed measure: ``articles`` scored by ``processes`` processes."""

    mode: str  # "words", "batch" or "score"
    label: str
    processes: int
    articles: int
    wall: float  # seconds, the slowest process
    cpu: float  # seconds, summed over processes

    @property
    def rate(self) -> float:
        """Articles per wall-clock second."""
        return self.articles / self.wall

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per article."""
        return 1000 * self.cpu / self.articles


# --------------------------------------------------------------------------- articles


def load_texts(dataset: Path) -> tuple[list[str], list[str], str]:
    """Texts to cut timed articles from, texts to warm up on, and where they come from."""
    if (dataset / "dataset_dict.json").is_file():
        import datasets

        datasets.disable_progress_bars()
        data = datasets.load_from_disk(str(dataset))
        shown = dataset.relative_to(ROOT) if dataset.is_relative_to(ROOT) else dataset
        return (
            list(data["test"]["suspect"]),
            list(data["validation"]["suspect"]),
            f"the `test` split of `{shown}` (spun and clean articles); warm-up articles from its "
            "`validation` split",
        )
    if OSE.is_file():
        with lzma.open(OSE, "rt", encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f]
        half = len(texts) // 2
        return texts[:half], texts[half:], "OneStopEnglish (`../shared/corpora`), unspun"
    raise SystemExit(f"Error: no spin dataset at {dataset} and no {OSE}: run `make data` first")


# --------------------------------------------------------------------------- workers


def _load(name: str, processes: int) -> Any:
    from detector.models import load_model

    if name == "transformer":
        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 1) // processes))
    return load_model(name)


def _score(model: Any, texts: Sequence[str], mode: str) -> None:
    from detector.document import make_document

    if mode == "words":
        for text in texts:
            model.score_words([make_document(text)])
    elif mode == "batch":
        for k in range(0, len(texts), BATCH):
            model.score_words([make_document(t) for t in texts[k : k + BATCH]])
    else:
        for text in texts:
            model.score(make_document(text))


def _worker(
    name: str,
    mode: str,
    processes: int,
    warmup: Sequence[str],
    articles: Sequence[str],
    barrier: Any,
    results: Any,
) -> None:
    """Load ``name``, warm it on ``warmup``, wait for the others, then time ``articles``."""
    from detector.document import make_document

    model = _load(name, processes)
    model.score(make_document("Warm up the lazy imports of the scoring path."))
    _score(model, warmup, "score")
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    _score(model, articles, mode)
    results.put((time.perf_counter() - started, time.process_time() - cpu))


def _load_worker(name: str, results: Any) -> None:
    """Load ``name`` in this fresh process, imports included, and report the seconds."""
    started = time.perf_counter()
    from detector.models import load_model

    load_model(name)
    results.put(time.perf_counter() - started)


def load_seconds(name: str, repeats: int = 3) -> float:
    """Median seconds to load ``name`` in a fresh process (imports included)."""
    context = mp.get_context("spawn")
    seconds = []
    for _ in range(repeats):
        results = context.Queue()
        worker = context.Process(target=_load_worker, args=(name, results))
        worker.start()
        seconds.append(results.get(timeout=600))  # a worker that dies must not hang the bench
        worker.join()
    return sorted(seconds)[len(seconds) // 2]


def measure(
    name: str,
    mode: str,
    processes: int,
    warmup: Sequence[str],
    articles: Sequence[str],
    label: str,
) -> Run:
    """Time ``mode`` in ``processes`` fresh processes that share ``articles``."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    shares = [list(articles[k::processes]) for k in range(processes)]
    workers = [
        context.Process(
            target=_worker, args=(name, mode, processes, warmup, share, barrier, results)
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    timings = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise SystemExit(f"Error: a {name} benchmark process failed ({worker.exitcode})")
    return Run(
        mode,
        label,
        processes,
        len(articles),
        max(wall for wall, _ in timings),
        sum(cpu for _, cpu in timings),
    )


def _stages_worker(warmup: Sequence[str], articles: Sequence[str], results: Any) -> None:
    """CPU milliseconds per article of each stage of the baseline's ``score``, warm."""
    from detector.document import make_document
    from detector.features import WordEvidence
    from detector.scoring import WordScores, report_from_scores

    model = _load("baseline", 1)
    _score(model, warmup, "score")
    clock = time.process_time
    names = ("make_document", "word features", "word model", "document model", "report")
    spent = dict.fromkeys(names, 0.0)
    with model._threads.limit(limits=1, user_api="openmp"):
        for text in articles:
            t0 = clock()
            document = make_document(text)
            t1 = clock()
            rows = model.word_model[0].document_rows(document)
            t2 = clock()
            words = model._words.probabilities(rows)
            t3 = clock()
            (spun,) = model._documents.probabilities([WordEvidence(document, rows, words)])
            scores = WordScores(document, tuple(words.tolist()), float(spun))
            t4 = clock()
            report_from_scores(
                scores,
                model=model.name,
                word_threshold=model.word_threshold,
                document_threshold=model.document_threshold,
                restorer=model.restorer,
            )
            t5 = clock()
            for name, seconds in zip(
                names, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True
            ):
                spent[name] += seconds
    results.put({name: 1000 * seconds / len(articles) for name, seconds in spent.items()})


def stages(warmup: Sequence[str], articles: Sequence[str]) -> dict[str, float]:
    """The baseline's per-stage CPU milliseconds per article (one fresh process)."""
    context = mp.get_context("spawn")
    results = context.Queue()
    worker = context.Process(target=_stages_worker, args=(warmup, articles, results))
    worker.start()
    spent = results.get()
    worker.join()
    return spent


# --------------------------------------------------------------------------- report


def _versions() -> str:
    import numpy
    import sklearn

    return (
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def _target(runs: Sequence[Run], processes: int) -> Run | None:
    """The run the issue's throughput target is about: warm ``score`` on all processes."""
    for run in runs:
        if run.mode == "score" and run.processes == processes and "warm" in run.label:
            return run
    return None


def render(
    runs: dict[str, list[Run]],
    breakdown: dict[str, float] | None,
    args: argparse.Namespace,
    source: str,
    loads: tuple[float, float],
    started: str,
    load_times: dict[str, float],
) -> str:
    """The Markdown section."""
    command = (
        f"python bench/bench_reference_free.py --articles {args.articles} --warmup {args.warmup} "
        f"--transformer-articles {args.transformer_articles} --write BENCHMARKS.md"
    )
    lines = [
        "## Reference-free scoring (`spindetect score` without `--original`)",
        "",
        f"Reproduce: `make bench-free` (runs `{command}`).",
        "",
        f"Measured {started} on {platform.machine()}, {os.cpu_count()} CPU cores **shared with "
        f"other jobs** (1-minute load average {loads[0]:.1f} when the run began, {loads[1]:.1f} "
        f"when it ended), {_versions()}.  Articles: {args.words} words each, cut from "
        f"{source}; caches warmed on {args.warmup} other articles per process before timing.  "
        "Every measure runs in freshly spawned processes; with two processes the articles are "
        "split between them, both start together, and the rate is articles per wall-clock "
        "second of the slower one.  CPU time is summed over processes: it is the figure least "
        "affected by other jobs.",
        "",
        "| model | measure | processes | articles | articles/s (wall) | CPU ms per article |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for model, model_runs in runs.items():
        for run in model_runs:
            rate = f"{run.rate:.1f}"
            if run is _target(model_runs, args.processes):
                rate = f"**{rate}**"
            lines.append(
                f"| {model} | {run.label} | {run.processes} | {run.articles} | {rate} | "
                f"{run.cpu_ms:.2f} |"
            )
    if "transformer" not in runs:
        lines += ["", "The transformer (`models/transformer`) was not installed: not timed."]
    if load_times:
        lines += [
            "",
            "Loading, in a fresh process with its imports (median of 3): "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in load_times.items())
            + ".",
        ]
    if breakdown:
        total = sum(breakdown.values())
        lines += [
            "",
            "Where one warm baseline article's CPU time goes (one process, "
            f"{args.articles} articles, {total:.1f} ms in all):",
            "",
            "| stage | CPU ms per article |",
            "| --- | ---: |",
            *(f"| {stage} | {ms:.2f} |" for stage, ms in breakdown.items()),
        ]
    target = _target(runs.get("baseline", []), args.processes)
    if target is not None:
        met = "met" if target.rate >= 200 else "**not met**"
        lines += [
            "",
            f"Target (issue 4): baseline reference-free scoring of an 800-word article at >= 200 "
            f"articles/s on 2 cores: {target.rate:.0f} articles/s, {met} on this run.  "
            f"Without other jobs the CPU time above gives about {2000 / target.cpu_ms:.0f} "
            "articles/s on two cores.",
        ]
    target = _target(runs.get("transformer", []), args.processes)
    if target is not None:
        met = "met" if target.rate >= 10 else "**not met**"
        lines += [
            "",
            f"Target (training issue): the transformer at >= 10 articles/s of 800 words on 2 "
            f"cores: {target.rate:.1f} articles/s ({target.label}), {met} on this run.",
        ]
    if "transformer" in load_times:
        seconds = load_times["transformer"]
        met = "met" if seconds <= 2 else "**not met**"
        lines += [
            "",
            f"Target (training issue): the transformer loads in at most 2 s: {seconds:.2f} s, "
            f"{met} on this run.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) a Markdown section."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "data" / "spin-dataset")
    parser.add_argument("--articles", type=int, default=400, help="timed articles per measure")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up articles per process")
    parser.add_argument("--words", type=int, default=800, help="words per article")
    parser.add_argument("--processes", type=int, default=2, help="processes of the parallel runs")
    parser.add_argument(
        "--transformer-articles", type=int, default=40, help="timed articles for the transformer"
    )
    parser.add_argument("--models", nargs="+", default=["baseline", "transformer"])
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    from detector.models import models_root

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    timed_texts, warm_texts, source = load_texts(args.dataset)
    articles = speed_articles(timed_texts, args.articles, args.words)
    warmup = speed_articles(warm_texts, args.warmup, args.words)

    runs: dict[str, list[Run]] = {}
    load_times: dict[str, float] = {}
    breakdown = None
    for name in args.models:
        if not (models_root() / name / "config.json").is_file():
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        slow = name == "transformer"
        timed = articles[: args.transformer_articles] if slow else articles
        warm = warmup[: max(2, args.transformer_articles // 10)] if slow else warmup
        plan = [("words", "`score_words`, 1 article per call, warm")]
        if not slow:
            plan.append(("batch", f"`score_words`, {BATCH} articles per call, warm"))
        plan.append(("score", "`score` (spans, originals), warm"))
        model_runs = []
        for mode, label in plan:
            for processes in sorted({1, args.processes}):
                run = measure(name, mode, processes, warm, timed, label)
                print(
                    f"{name}: {label}, {processes} process(es): {run.rate:.1f} articles/s, "
                    f"{run.cpu_ms:.2f} CPU ms per article",
                    file=sys.stderr,
                )
                model_runs.append(run)
        cold = measure(name, "score", 1, [], timed, "`score`, cold (fresh model, no warm-up)")
        model_runs.append(cold)
        runs[name] = model_runs
        load_times[name] = load_seconds(name)
        print(f"{name}: loads in {load_times[name]:.2f} s", file=sys.stderr)
        if name == "baseline":
            breakdown = stages(warmup, articles)
    body = render(
        runs, breakdown, args, source, (load_before, os.getloadavg()[0]), started, load_times
    )
    print(body)
    if args.write:
        write_section(args.write, SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
