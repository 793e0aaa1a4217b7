"""Benchmark of the models that read with a language model: load time, seconds per article, memory.

Times, on 800-word articles cut from the shared OneStopEnglish corpus (or the
bundled example repeated, without ``../shared``):

* load: ``load_model("lm")`` and ``load_model("hybrid")`` in a fresh process
  (torch and transformers imports included), median of ``--loads`` runs;
* pass 1 alone (the judge with pass 2 switched off), the ``screen`` model (pass 1
  alone with its counting and restorations), both passes (``lm``), ``hybrid`` (the
  transformer plus both passes) and the ``cascade`` (``label``'s fallback: the screen,
  then the hybrid going on from the same first pass where the screen's score reaches
  the cascade's bar), seconds per article, after one warm-up article; each also on the
  same articles spun at rate 0.3, which the judge mostly reads twice (``reread_rate`` in
  ``detector.lm_judge``);
* peak resident memory of a fresh process that loads the hybrid (and one that loads
  the cascade) and scores the articles with it (what one ``spindetect score`` process
  or ``label`` worker holds).

Usage::

    python bench/bench_lm_speed.py --articles 5 --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "onestopenglish_all_levels.jsonl.xz"
SPIN_RATE = 0.3  # the spun articles' rate: most are read twice (detector.lm_judge)
TARGETS = {"hybrid_seconds": 3.0, "load_seconds": 4.0, "peak_gb": 1.5, "pass1_per_second": 1.0}


def articles(count: int, words: int = 800) -> list[str]:
    """``count`` articles of ``words`` words (advanced OneStopEnglish texts, or the example)."""
    texts = []
    if CORPUS.is_file():
        with lzma.open(CORPUS, "rt", encoding="utf-8") as lines:
            texts = [r["text"] for r in map(json.loads, lines) if r.get("level") == "adv"]
    if not texts:
        texts = [(ROOT / "examples" / "spun.txt").read_text("utf-8")]
    out = []
    for k in range(count):
        pool = " ".join(texts[(k + j) % len(texts)] for j in range(3)).split(" ")
        out.append(" ".join(pool[:words]))
    return out


def load_seconds(model: str, runs: int) -> float:
    """Median seconds to import and load ``model`` in a fresh process."""
    code = (
        "import time; t = time.perf_counter(); from detector.models import load_model; "
        f"load_model({model!r}); print(time.perf_counter() - t)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
            ).stdout.split()[-1]
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def per_article(score, texts: list[str], reports: list | None = None) -> float:
    """Median seconds per article of ``score(document)`` after one warm-up article (the
    timed articles' reports appended to ``reports``)."""
    from detector.document import make_document

    documents = [make_document(t) for t in texts]
    score(documents[0])
    times = []
    for document in documents[1:]:
        started = time.perf_counter()
        report = score(document)
        times.append(time.perf_counter() - started)
        if reports is not None:
            reports.append(report)
    return statistics.median(times)


def spun(texts: list[str], rate: float = SPIN_RATE) -> list[str]:
    """``texts`` spun by the Moby-profile spinner at ``rate`` (seed k for the k-th)."""
    from detector.spin.spinner import Spinner

    spinner = Spinner.from_profile("moby")
    return [spinner.spin(text, rate=rate, seed=k).text for k, text in enumerate(texts)]


def model_child(name: str, count: int) -> int:
    """In a fresh process: load model ``name``, score ``count`` articles as written and
    spun, print seconds per article of each, how many reports of each came from the
    hybrid (a cascade's second model) and peak GB."""
    from detector.models import load_model

    texts = articles(count + 1)
    model = load_model(name)
    clean_reports: list = []
    spun_reports: list = []
    seconds = per_article(model.score, texts, clean_reports)
    spun_seconds = per_article(model.score, spun(texts), spun_reports)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        json.dumps(
            {
                "seconds": seconds,
                "spun_seconds": spun_seconds,
                "peak_gb": peak_gb,
                "hybrid_read": sum(r.model == "hybrid" for r in clean_reports),
                "hybrid_read_spun": sum(r.model == "hybrid" for r in spun_reports),
            }
        )
    )
    return 0


def in_fresh_process(name: str, count: int) -> dict[str, float]:
    """``model_child`` run in a subprocess: its seconds per article and peak memory."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, str(count)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Run the benchmark; print the table; write it into BENCHMARKS.md with ``--write``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5, help="timed articles (plus one warm-up)")
    parser.add_argument("--loads", type=int, default=3, help="fresh-process loads timed")
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return model_child(args.child[0], int(args.child[1]))

    import torch

    from detector.lm_judge import LMJudge
    from detector.models import load_model, model_dir, read_model_config

    texts = articles(args.articles + 1)
    loads = {m: load_seconds(m, args.loads) for m in ("lm", "hybrid")}
    lm = load_model("lm")
    dtype = lm.judge.lm.dtype
    reread_rate = lm.judge.reread_rate
    pass1 = LMJudge(lm.judge.lm, lm.judge.lexicon, margin_threshold=float("inf"))
    seconds = {
        "pass 1 alone": per_article(pass1.read, texts),
        "lm (both passes)": per_article(lm.score, texts),
        "lm, spun": per_article(lm.score, spun(texts)),
    }
    del lm, pass1
    screen = load_model("screen")  # pass 1 alone, with the model's counting and restorations
    seconds["screen"] = per_article(screen.score, texts)
    seconds["screen, spun"] = per_article(screen.score, spun(texts))
    del screen
    hybrid = in_fresh_process("hybrid", args.articles)
    seconds["hybrid"] = hybrid["seconds"]
    seconds["hybrid, spun"] = hybrid["spun_seconds"]
    peak_gb = hybrid["peak_gb"]
    cascade = in_fresh_process("cascade", args.articles)
    bar = read_model_config(model_dir("cascade")).get("bar")

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        "## Reference-free scoring with the language model (`--model lm`, `--model hybrid`, "
        "`--model screen`, `--model cascade`)",
        "",
        f"`python bench/bench_lm_speed.py --articles {args.articles} --write BENCHMARKS.md`: "
        f"{args.articles} articles of 800 words (OneStopEnglish advanced texts), one process, "
        f"{torch.get_num_threads()} torch threads, the language model computing in {dtype} "
        f"(`detector.lm.compute_dtype`), on this 2-core machine ({platform.machine()}, "
        f"torch CPU capability {torch.backends.cpu.get_cpu_capability()}) "
        f"({time.strftime('%Y-%m-%d')}). Median seconds per article after one warm-up article. "
        f"Spun articles: the same, spun by `detector.spin.spinner` (Moby profile) at rate "
        f"{SPIN_RATE}; the judge reads a text a second time when its first reading flags more "
        f"than {reread_rate:g} units per 100 words (`reread_rate`), which spun articles "
        f"mostly do and clean ones mostly do not.",
        "",
        "| measure | measured | target | |",
        "| --- | ---: | ---: | --- |",
        f"| pass 1 alone, articles/s | {1 / seconds['pass 1 alone']:.2f} | >= 1 | "
        f"{mark(1 / seconds['pass 1 alone'] >= TARGETS['pass1_per_second'])} |",
        f"| screen, s per article | {seconds['screen']:.2f} | | |",
        f"| screen, s per spun article | {seconds['screen, spun']:.2f} | | |",
        f"| cascade (`label`'s fallback, bar {bar}), s per article (the hybrid went on for "
        f"{cascade['hybrid_read']} of {args.articles}) | {cascade['seconds']:.2f} | | |",
        f"| cascade, s per spun article (the hybrid went on for "
        f"{cascade['hybrid_read_spun']} of {args.articles}) | {cascade['spun_seconds']:.2f} "
        "| | |",
        f"| lm, s per article | {seconds['lm (both passes)']:.2f} | | |",
        f"| lm, s per spun article | {seconds['lm, spun']:.2f} | | |",
        f"| hybrid, s per article | {seconds['hybrid']:.2f} | <= 3 | "
        f"{mark(seconds['hybrid'] <= TARGETS['hybrid_seconds'])} |",
        f"| hybrid, s per spun article | {seconds['hybrid, spun']:.2f} | <= 3 | "
        f"{mark(seconds['hybrid, spun'] <= TARGETS['hybrid_seconds'])} |",
        f"| load lm (fresh process, imports included), s | {loads['lm']:.2f} | | |",
        f"| load hybrid (fresh process, imports included), s | {loads['hybrid']:.2f} | <= 4 | "
        f"{mark(loads['hybrid'] <= TARGETS['load_seconds'])} |",
        f"| peak memory of a process scoring with the hybrid, GB | {peak_gb:.2f} | <= 1.5 | "
        f"{mark(peak_gb <= TARGETS['peak_gb'])} |",
        f"| peak memory of a process scoring with the cascade, GB | {cascade['peak_gb']:.2f} | | |",
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section(args.write, "lm", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
