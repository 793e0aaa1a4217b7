"""Benchmark of batch labelling: index build rate, query latency, labelling throughput, memory.

Synthesises an archive of originals from the shared corpora (``../shared/corpora``):
each original is 3 to 6 paragraphs sampled from the corpora's articles, so
originals share paragraphs with one another, a hard case for retrieval.  A tenth
of the stories (all reading levels of a OneStopEnglish topic together) is held
out of the archive to make unrelated suspects.  Spun suspects are spun copies
(rate 0.3) of random originals, made with ``detector.spin.spinner`` (Moby profile)
when it is importable, else with a small sense-blind Moby word swapper.

Run from the repository root::

    .venv/bin/python bench/bench_index.py --originals 100000 --write BENCHMARKS.md

With ``--recall`` it measures retrieval under heavier spinning instead of the
labelling run: recall@1 and query latency for full articles spun at rates 0.3
and 0.6 and for short excerpts (the first ``--excerpt`` characters) spun at
0.3, and for shorter excerpts of longer originals, through the fast path alone
and through both paths (``SourceIndex.query`` with and without ``synonyms``),
written to the ``index-recall-vN`` section (N: the index format)::

    .venv/bin/python bench/bench_index.py --recall --originals 5000 --queries 500 \
        --write BENCHMARKS.md

Skips (exit code 0, a message) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import lzma
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _report import write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
SECTION = "## Batch labelling"
RATE = 0.3


# --------------------------------------------------------------------------- data


def load_paragraphs() -> tuple[list[str], list[str]]:
    """Paragraphs of the archive's stories and of the held-out stories."""
    stories: dict[str, list[str]] = {}
    with lzma.open(CORPORA / "onestopenglish_all_levels.jsonl.xz", "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            stories.setdefault(f"ose:{record['topic']}", []).append(record["text"])
    with lzma.open(CORPORA / "wikinewssum_en_articles.jsonl.xz", "rt", encoding="utf-8") as f:
        for k, line in enumerate(f):
            stories[f"wikinews:{k}"] = [json.loads(line)["text"]]
    names = sorted(stories)
    random.Random(0).shuffle(names)
    held_out = set(names[: len(names) // 10])
    archive: list[str] = []
    unrelated: list[str] = []
    for name in names:
        for text in stories[name]:
            for paragraph in text.split("\n"):
                paragraph = paragraph.strip()
                if len(paragraph.split()) >= 20 and not re.search(r"\{\{|\[\[|\}\}", paragraph):
                    (unrelated if name in held_out else archive).append(paragraph)
    # The corpora repeat some passages across stories (two Wikinews reports of one event,
    # OneStopEnglish texts sharing a paragraph): held-out paragraphs sharing any run of eight
    # words with the archive are not unrelated, so they are dropped.
    archive_runs = {run for paragraph in archive for run in _runs(paragraph)}
    unrelated = [p for p in unrelated if archive_runs.isdisjoint(_runs(p))]
    return archive, unrelated


def _runs(paragraph: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", paragraph.lower())
    return set(zip(*(words[k:] for k in range(n)), strict=False))


def synthesise(paragraphs: list[str], n: int, seed: int) -> list[str]:
    """``n`` articles of 3 to 6 distinct paragraphs each."""
    rng = random.Random(seed)
    return ["\n\n".join(rng.sample(paragraphs, rng.randint(3, 6))) for _ in range(n)]


def spinner_function(rate: float = RATE):
    """(description, spin(text, seed) -> text) with rate ``rate``."""
    try:
        from detector.spin.spinner import Spinner
    except ImportError:
        Spinner = None
    if Spinner is not None:
        spinner = Spinner.from_profile("moby")
        return (
            "detector.spin.spinner, Moby profile",
            lambda text, seed: spinner.spin(text, rate=rate, seed=seed).text,
        )
    from detector.lexicon import load_lexicon
    from detector.stopwords import STOPWORDS

    lexicon = load_lexicon(quiet=True)

    def swap(text: str, seed: int) -> str:
        rng = random.Random(seed)

        def replace(m: re.Match[str]) -> str:
            word = m.group()
            synonyms = () if word.lower() in STOPWORDS else lexicon.synonyms(word.lower())
            if not synonyms or rng.random() >= rate:
                return word
            new = rng.choice(synonyms)
            return new[:1].upper() + new[1:] if word[:1].isupper() else new

        return re.sub(r"[A-Za-z]+", replace, text)

    return "a sense-blind Moby word swapper", swap


def spin_suspects(
    cache: Path, originals: list[str], targets: list[int], rate: float = RATE
) -> tuple[str, list[str]]:
    """Spun copies of ``originals[k]`` for each target ``k``, kept in ``cache`` for reruns."""
    if cache.exists():
        with open(cache, encoding="utf-8") as f:
            header, *lines = f.read().splitlines()
        if len(lines) == len(targets):
            return json.loads(header)["how"], [json.loads(line)["text"] for line in lines]
    how, spin = spinner_function(rate)
    started = time.perf_counter()
    spun = [spin(originals[k], k) for k in targets]
    print(f"spun {len(spun):,} suspects in {time.perf_counter() - started:.0f} s ({how})")
    write_jsonl(cache, [{"how": how}] + [{"text": text} for text in spun])
    return how, spun


def write_jsonl(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- measuring


def run_measured(command: list[str]) -> tuple[float, float, int, int]:
    """Run ``command``: wall-clock seconds, CPU seconds, peak RSS of it and of its workers."""
    import psutil

    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = psutil.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_main = peak_children = 0
    while process.poll() is None:
        try:
            peak_main = max(peak_main, process.memory_info().rss)
            children = 0
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    children += child.memory_info().rss
            peak_children = max(peak_children, children)
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return seconds, _children_cpu() - cpu_before, peak_main, peak_children


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def describe_memory(main: int, children: int) -> str:
    text = f"{main / 2**20:,.0f} MB"
    if children:
        text += f" + {children / 2**20:,.0f} MB in worker processes"
    return text


def excerpt(text: str, chars: int) -> str:
    """The first ``chars`` characters of ``text``, cut back to the last whole word."""
    if len(text) <= chars:
        return text
    cut = text[:chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def measure_recall(
    args: argparse.Namespace,
    originals: list[str],
    unrelated: list[str],
    words: float,
    index_path: Path,
    build: tuple[float, float, int, list[int]],
    load_at_start: float,
) -> int:
    """Recall@1 (and @3) and query latency of spun suspects, heavy spins and short excerpts."""
    import inspect

    from detector.document import make_document
    from detector.index import FORMAT_VERSION, SourceIndex

    everything = range(len(originals))
    longer = [k for k in everything if len(originals[k]) > args.excerpt]
    half = args.excerpt // 2
    cases = [
        (f"full articles (mean {words:.0f} words), rate 0.3", 0, 0.3, everything),
        (f"full articles (mean {words:.0f} words), rate 0.6", 0, 0.6, everything),
        (f"first {args.excerpt:,} characters, rate 0.3", args.excerpt, 0.3, everything),
        (
            f"first {half:,} characters of originals over {args.excerpt:,}, rate 0.3",
            half,
            0.3,
            longer,
        ),
        (
            f"first {half:,} characters of originals over {args.excerpt:,}, rate 0.6",
            half,
            0.6,
            longer,
        ),
    ]
    paths: list[tuple[str, dict[str, object]]] = [("fast path", {})]
    if "synonyms" in inspect.signature(SourceIndex.query).parameters:
        paths = [("fast path only", {"synonyms": False}), ("both paths", {"synonyms": True})]
    rows = []
    unrelated_rows = []
    with SourceIndex.open(index_path) as index:
        index.query(make_document(originals[0]))  # loads the thesaurus
        for name, chars, rate, pool in cases:
            targets = random.Random(2).sample(pool, min(args.queries, len(pool)))
            cut = [excerpt(originals[k], chars) if chars else originals[k] for k in targets]
            cache = args.workdir / f"recall-{args.originals}-{len(cut)}-{chars}-{rate}.jsonl"
            how, spun = spin_suspects(cache, cut, list(range(len(cut))), rate)
            documents = [make_document(text) for text in spun]
            for path, options in paths:
                latencies, top1, top3 = [], 0, 0
                for k, text, document in zip(targets, cut, documents, strict=True):
                    started = time.perf_counter()
                    ids = [c.id for c in index.query(document, **options)]
                    latencies.append(time.perf_counter() - started)
                    right = [i == f"o{k}" or text in index.text(i) for i in ids]
                    top1 += right[:1] == [True]
                    top3 += any(right)
                latencies.sort()
                q = len(latencies)
                p50, p95 = (latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95))
                rows.append((name, path, top1, top3, q, p50, p95))
                print(
                    f"{name}, {path}: recall@1 {top1}/{q}, @3 {top3}/{q}; "
                    f"query p50 {p50:.1f} ms p95 {p95:.1f} ms",
                    flush=True,
                )
        documents = [make_document(text) for text in unrelated]
        for path, options in paths:
            latencies, hits = [], 0
            for document in documents:
                started = time.perf_counter()
                hits += bool(index.query(document, **options))
                latencies.append(time.perf_counter() - started)
            latencies.sort()
            q = len(latencies)
            p50, p95 = (latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95))
            unrelated_rows.append((path, hits, q, p50, p95))
            print(f"unrelated, {path}: {hits}/{q} with candidates; p50 {p50:.1f} ms", flush=True)
    build_rate, build_cpu, size, build_memory = build
    if args.write:
        pythonpath = os.environ.get("PYTHONPATH")
        command = (
            (f"PYTHONPATH={pythonpath} " if pythonpath else "")
            + f".venv/bin/python bench/bench_index.py --recall --originals {args.originals} "
            f"--queries {args.queries} --excerpt {args.excerpt} --workers {args.workers} "
            f"--write {args.write}" + (f" --note {json.dumps(args.note)}" if args.note else "")
        )
        title = "with the synonym-class path" if len(paths) > 1 else "fast path alone"
        lines = [
            f"## Retrieval under heavy spinning: index format {FORMAT_VERSION}, {title}",
            "",
            f"Measured by `bench/bench_index.py --recall` on this machine: 2 CPU cores shared "
            f"with other work (1-minute load average {load_at_start:.1f} when the run began, "
            f"{os.getloadavg()[0]:.1f} when it ended), Python {platform.python_version()}; "
            f"`--workers {args.workers}`. Reproduce with:",
            "",
            "```",
            command,
            "```",
            "",
            f"Originals: {args.originals:,} synthetic articles as in the Batch labelling section. "
            f"Suspects: {args.queries:,} random originals (or excerpts: their first characters, "
            f"cut at a word) spun with {how}; the shorter excerpts come from the "
            f"{len(longer):,} originals over {args.excerpt:,} characters, so they hold at most "
            "half of their original. Recall@1: the first candidate of `SourceIndex.query` "
            "(`synonyms=False` for the fast path only) is the suspect's original, or another "
            "holding the whole of the text that was spun (originals share paragraphs, so an "
            "excerpt often has several). Unrelated: "
            f"{len(unrelated)} articles made from stories held out of the archive."
            + (f" {args.note}" if args.note else ""),
            "",
            "| suspects | path | recall@1 | recall@3 | query p50 / p95 |",
            "|---|---|---|---|---|",
        ]
        for name, path, top1, top3, q, p50, p95 in rows:
            lines.append(
                f"| {name} | {path} | {top1 / q:.3f} ({top1}/{q}) | {top3 / q:.3f} | "
                f"{p50:.1f} / {p95:.1f} ms |"
            )
        for path, hits, q, p50, p95 in unrelated_rows:
            lines.append(
                f"| unrelated articles: any candidate | {path} | {hits}/{q} | | "
                f"{p50:.1f} / {p95:.1f} ms |"
            )
        lines += [
            "",
            f"Index build (`spindetect index`, start-up included): {build_rate:,.0f} originals/s, "
            f"{build_cpu / len(originals) * 1e3:.2f} ms CPU per original, "
            f"{size / 2**20:,.1f} MB on disk, peak RSS {describe_memory(*build_memory)}.",
            "",
        ]
        write_section(args.write, f"index-recall-v{FORMAT_VERSION}", "\n".join(lines))
    return 0


def spindetect(*args: object) -> list[str]:
    """The command line running ``spindetect ARGS`` with this interpreter."""
    return [sys.executable, "-c", "from detector.cli import app; app()", *map(str, args)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--originals", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--suspects", type=int, default=1_000, help="spun suspects labelled")
    parser.add_argument("--unrelated", type=int, default=200, help="unrelated suspects labelled")
    parser.add_argument("--flat", type=int, default=50_000, help="cheap inputs, memory check")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench-index")
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    parser.add_argument(
        "--recall",
        action="store_true",
        help="measure recall under heavy spinning and short excerpts instead of labelling",
    )
    parser.add_argument("--excerpt", type=int, default=1500, help="excerpt length, characters")
    parser.add_argument("--note", default="", help="a sentence added to the --recall section")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} is absent")
        return 0

    from detector.document import make_document
    from detector.index import SourceIndex

    load_at_start = os.getloadavg()[0]
    args.workdir.mkdir(parents=True, exist_ok=True)
    archive, held_out = load_paragraphs()
    originals = synthesise(archive, args.originals, seed=1)
    words = statistics.mean(len(t.split()) for t in originals[:5000])
    originals_path = args.workdir / f"originals-{args.originals}.jsonl"
    write_jsonl(originals_path, ({"id": f"o{k}", "text": t} for k, t in enumerate(originals)))
    print(f"{len(originals):,} originals, {words:.0f} words on average", flush=True)

    # ---- build: `spindetect index`, start-up included
    index_path = args.workdir / f"index-{args.originals}.sdx"
    index_path.unlink(missing_ok=True)
    build_seconds, build_cpu, *build_memory = run_measured(
        spindetect("index", originals_path, "-o", index_path, "--workers", args.workers)
    )
    build_rate = len(originals) / build_seconds
    size = index_path.stat().st_size
    print(
        f"build: {len(originals):,} in {build_seconds:.1f} s = {build_rate:,.0f} docs/s, "
        f"CPU {build_cpu / len(originals) * 1e3:.2f} ms per original, {size / 2**20:,.0f} MB, "
        f"memory {describe_memory(*build_memory)}",
        flush=True,
    )

    if args.recall:
        build = (build_rate, build_cpu, size, build_memory)
        unrelated = synthesise(held_out, args.unrelated, seed=3)
        return measure_recall(args, originals, unrelated, words, index_path, build, load_at_start)

    # ---- spun suspects
    rng = random.Random(2)
    n_spun = max(args.queries, args.suspects)
    targets = rng.sample(range(len(originals)), n_spun)
    how, spun = spin_suspects(
        args.workdir / f"spun-{args.originals}-{n_spun}.jsonl", originals, targets
    )
    unrelated = synthesise(held_out, args.unrelated, seed=3)

    # ---- query latency, in this process
    started = time.perf_counter()
    with SourceIndex.open(index_path) as index:
        open_ms = (time.perf_counter() - started) * 1e3
        index.query(make_document(spun[0]))  # loads the thesaurus
        latencies = []
        top1 = top3 = 0
        for k, text in zip(targets[: args.queries], spun[: args.queries], strict=True):
            document = make_document(text)
            t = time.perf_counter()
            candidates = index.query(document)
            latencies.append(time.perf_counter() - t)
            ids = [c.id for c in candidates]
            top1 += ids[:1] == [f"o{k}"]
            top3 += f"o{k}" in ids
        unrelated_latencies = []
        unrelated_hits = 0
        for text in unrelated:
            document = make_document(text)
            t = time.perf_counter()
            unrelated_hits += bool(index.query(document))
            unrelated_latencies.append(time.perf_counter() - t)
    latencies.sort()
    q = len(latencies)
    p50, p95, p99 = (latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95, 0.99))
    u50 = statistics.median(unrelated_latencies) * 1e3
    print(
        f"open {open_ms:.0f} ms; query p50 {p50:.1f} ms p95 {p95:.1f} ms p99 {p99:.1f} ms; "
        f"top1 {top1}/{q} top3 {top3}/{q}; unrelated p50 {u50:.1f} ms, "
        f"{unrelated_hits}/{len(unrelated)} with candidates",
        flush=True,
    )

    # ---- labelling: `spindetect label`, start-up included
    suspects_path = args.workdir / "suspects.jsonl"
    records = [{"id": f"s{k}", "text": t} for k, t in zip(targets, spun, strict=True)]
    records = records[: args.suspects] + [
        {"id": f"u{k}", "text": t} for k, t in enumerate(unrelated)
    ]
    random.Random(4).shuffle(records)
    write_jsonl(suspects_path, records)
    out = args.workdir / "results.jsonl"
    out.unlink(missing_ok=True)
    reference_mode = ("--workers", args.workers, "--no-fallback")
    label_seconds, label_cpu, *label_memory = run_measured(
        spindetect("label", suspects_path, "-i", index_path, "-o", out, *reference_mode)
    )
    label_rate = len(records) / label_seconds
    found = spun_right = unrelated_null = written = 0
    with open(out, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            written += 1
            if record["id"].startswith("s"):
                source = f"o{record['id'][1:]}"
                found += record["source"] == source
                spun_right += record["source"] == source and record["verdict"] == "spun"
            else:
                unrelated_null += record["source"] is None
    print(
        f"label: {written:,} in {label_seconds:.1f} s = {label_rate:,.0f}/s, CPU "
        f"{label_cpu / written * 1e3:.1f} ms per suspect; source found "
        f"{found}/{args.suspects}, spun+source {spun_right}/{args.suspects}, unrelated null "
        f"{unrelated_null}/{args.unrelated}; memory {describe_memory(*label_memory)}",
        flush=True,
    )

    # ---- memory on longer streams of cheap inputs (no source found)
    flat = []
    for n in (args.flat // 5, args.flat):
        path = args.workdir / f"flat-{n}.jsonl"
        rng = random.Random(5)
        write_jsonl(
            path, ({"id": f"f{k}", "text": f"{rng.choice(held_out)} ({k})"} for k in range(n))
        )
        out = args.workdir / f"flat-{n}-results.jsonl"
        out.unlink(missing_ok=True)
        seconds, _, *memory = run_measured(
            spindetect("label", path, "-i", index_path, "-o", out, *reference_mode)
        )
        flat.append((n, n / seconds, memory))
        print(f"flat {n:,}: {n / seconds:,.0f}/s, memory {describe_memory(*memory)}", flush=True)

    if args.write:
        command = (
            f".venv/bin/python bench/bench_index.py --originals {args.originals} "
            f"--queries {args.queries} --suspects {args.suspects} --unrelated {args.unrelated} "
            f"--flat {args.flat} --workers {args.workers} --write {args.write}"
        )
        lines = [
            SECTION,
            "",
            f"Measured by `bench/bench_index.py` on this machine: 2 CPU cores shared with other "
            f"work (1-minute load average {load_at_start:.1f} when the run began, "
            f"{os.getloadavg()[0]:.1f} when it ended), no GPU, Python "
            f"{platform.python_version()}; `--workers {args.workers}`. Reproduce with (needs "
            "`../shared/corpora`; writes its data to `.cache/bench-index`):",
            "",
            "```",
            command,
            "```",
            "",
            f"Originals: {args.originals:,} synthetic articles of 3 to 6 paragraphs sampled from "
            f"`../shared/corpora` (mean {words:.0f} words), so many originals share paragraphs. "
            f"Spun suspects: copies of random originals spun at rate {RATE} with {how}. "
            "Unrelated suspects: articles made from stories held out of the archive.",
            "",
            "| measure | result | target |",
            "|---|---|---|",
            f"| index build (`spindetect index`, start-up included) | {build_rate:,.0f} "
            f"originals/s ({len(originals):,} in {build_seconds:.1f} s) | >= 2,000/s |",
            f"| index build CPU time (main process and workers) | "
            f"{build_cpu / len(originals) * 1e3:.2f} ms per original | |",
            f"| index size on disk | {size / 2**20:,.0f} MB | |",
            f"| build memory, peak RSS | {describe_memory(*build_memory)} | |",
            f"| index open | {open_ms:.0f} ms | |",
            f"| query latency, spun suspect | p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"p99 {p99:.1f} ms | p50 <= 20 ms |",
            f"| query latency, unrelated suspect | p50 {u50:.1f} ms | |",
            f"| source ranked first / in the top 3 | {top1}/{q} / {top3}/{q} | |",
            f"| unrelated suspects with any candidate | {unrelated_hits}/{len(unrelated)} | |",
            f"| labelling, reference mode (`spindetect label --no-fallback`, start-up included) | "
            f"{label_rate:,.0f} suspects/s ({written:,} in {label_seconds:.1f} s) | >= 100/s |",
            f"| labelling CPU time (main process and workers) | "
            f"{label_cpu / written * 1e3:.1f} ms per suspect | |",
            f"| spun suspects labelled with their source | {found}/{args.suspects} "
            f"(and verdict spun: {spun_right}) | all |",
            f"| unrelated suspects with source null | {unrelated_null}/{args.unrelated} | all |",
            f"| labelling memory, peak RSS | {describe_memory(*label_memory)} | |",
        ]
        for n, rate, memory in flat:
            lines.append(
                f"| labelling {n:,} inputs without a source: peak RSS | "
                f"{describe_memory(*memory)} ({rate:,.0f} inputs/s) | flat |"
            )
        lines += [
            "",
            "Query latency is `SourceIndex.query` on a suspect already read: fingerprint, LSH "
            "band lookup in SQLite, TF-IDF re-rank of the candidates. Labelling is end to end: "
            "reading JSONL, query, alignment and judging of the best candidates, writing the "
            "records. Memory is the resident set of the command and of its worker processes, "
            "sampled every 50 ms. Rates are wall-clock rates on a machine shared with other "
            "jobs (see the load average above); the CPU time per item, beside them, does not "
            "depend on that load.",
            "",
        ]
        write_section(args.write, "index", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
