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

With ``--recall`` it measures retrieval instead of the labelling run: recall@1
and recall@10 per path (the fast path alone, with the synonym-class path, all
three paths as ``SourceIndex.query`` takes them, and the dense path asked
alone) for full articles spun at rates 0.1 to 0.6 by both spinner profiles
(``moby``, ``paratable``), for short excerpts (the first ``--excerpt``
characters) spun at 0.3, for shorter excerpts of longer originals, for
machine-paraphrased copies (``detector.spin.paraphrase``, when present), for
partial copies (one spun paragraph among unrelated ones), and false sources
among ``--unrelated`` (500) unrelated articles; with the dense path's build
cost (against a ``--no-dense`` build) and query latency, written to the
``index-recall-vN`` section (N: the index format)::

    .venv/bin/python bench/bench_index.py --recall --originals 5000 --queries 500 \
        --write BENCHMARKS.md

``--no-dense`` builds the index without dense passage vectors (for the key
paths' figures at scale, e.g. ``--originals 1000000 --no-dense``).

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


def spin_cached(cache: Path, texts: list[str], rate: float, profile: str) -> list[str]:
    """``texts`` spun by the ``profile`` spinner at ``rate`` (seed: the position), cached."""
    if cache.exists():
        with open(cache, encoding="utf-8") as f:
            lines = f.read().splitlines()
        if len(lines) == len(texts):
            return [json.loads(line)["text"] for line in lines]
    from detector.spin.spinner import Spinner

    spinner = Spinner.from_profile(profile)
    spun = [spinner.spin(text, rate=rate, seed=k).text for k, text in enumerate(texts)]
    write_jsonl(cache, ({"text": text} for text in spun))
    return spun


def paraphraser():
    """``paraphrase(text, seed=...)`` of ``detector.spin.paraphrase``, or None when absent."""
    try:
        from detector.spin.paraphrase import paraphrase
    except ImportError:
        return None
    return paraphrase


PARAPHRASES = ROOT / "data" / "paraphrase"


def lm_paraphrases() -> list[tuple[str, str]]:
    """(original, paraphrase) of every SmolLM2-135M paraphrase in ``data/paraphrase``
    (``make paraphrase-data``: corpus articles retold sentence by sentence); [] without it."""
    pairs = []
    for split in ("dev", "test"):
        path = PARAPHRASES / f"{split}.jsonl"
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record.get("family") == "paraphrase_lm":
                    pairs.append((record["original"], record["suspect"]))
    return pairs


def recall_cases(
    args: argparse.Namespace, originals: list[str], unrelated_paragraphs: list[str]
) -> tuple[list[tuple[str, list[str], list[str]]], list[str]]:
    """The suspects of ``--recall``: (name, texts copied, suspects) per case, and notes."""
    notes: list[str] = []
    everything = range(len(originals))
    longer = [k for k in everything if len(originals[k]) > args.excerpt]
    half = args.excerpt // 2
    work = args.workdir
    n = args.originals
    cases: list[tuple[str, list[str], list[str]]] = []
    targets = random.Random(2).sample(everything, min(args.queries, len(originals)))
    whole = [originals[k] for k in targets]
    for profile in ("moby", "paratable"):
        for rate in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
            cache = work / f"recall-{n}-{len(whole)}-0-{rate}-{profile}.jsonl"
            spun = spin_cached(cache, whole, rate, profile)
            cases.append((f"full articles, {profile} {rate}", whole, spun))
    cut = [excerpt(text, args.excerpt) for text in whole]
    for profile in ("moby", "paratable"):
        cache = work / f"recall-{n}-{len(cut)}-{args.excerpt}-0.3-{profile}.jsonl"
        spun = spin_cached(cache, cut, 0.3, profile)
        cases.append((f"first {args.excerpt:,} characters, {profile} 0.3", cut, spun))
    short_targets = random.Random(2).sample(longer, min(args.queries, len(longer)))
    short = [excerpt(originals[k], half) for k in short_targets]
    for rate in (0.3, 0.6):
        cache = work / f"recall-{n}-{len(short)}-{half}-{rate}-moby.jsonl"
        spun = spin_cached(cache, short, rate, "moby")
        name = f"first {half:,} characters of originals over {args.excerpt:,}, moby {rate}"
        cases.append((name, short, spun))
    paraphrase = paraphraser()
    if paraphrase is None:
        notes.append(
            "Machine-paraphrased copies: not measured (`detector.spin.paraphrase.paraphrase` "
            "was not there when this ran)."
        )
    else:
        paraphrased = [paraphrase(text, seed=k) for k, text in enumerate(whole)]  # never cached
        unchanged = sum(p == t for p, t in zip(paraphrased, whole, strict=True))
        if unchanged:
            notes.append(
                f"Machine-paraphrased copies: {unchanged} of {len(whole)} came back from "
                "`detector.spin.paraphrase.paraphrase` unchanged when this ran."
            )
        cases.append(("full articles, machine-paraphrased", whole, paraphrased))
    language_model = args.lm_pairs
    if language_model:
        cases.append(
            (
                "full articles, paraphrased by SmolLM2-135M (data/paraphrase)",
                [original for original, _ in language_model],
                [suspect for _, suspect in language_model],
            )
        )
        notes.append(
            f"SmolLM2 paraphrases: {len(language_model)} LM-paraphrased copies of "
            "`make paraphrase-data` (dev and test), their corpus originals added to the "
            "archive (whose synthetic originals reuse the same corpora's sentences); "
            "pairs whose original shares a run of eight words with the held-out stories "
            "are left out, so the unrelated and partial-copy suspects stay unrelated to it."
        )
    elif args.lm_paraphrases:
        notes.append("SmolLM2 paraphrases: not measured (no `data/paraphrase`).")
    # Partial copies: one paragraph of an original, spun (moby 0.3), among 2 to 4 unrelated ones.
    rng = random.Random(6)
    copied, hosts = [], []
    for text in whole:
        copied.append(rng.choice(text.split("\n\n")))
        host = rng.sample(unrelated_paragraphs, rng.randint(2, 4))
        hosts.append(host)
    cache = work / f"recall-{n}-{len(copied)}-partial-0.3-moby.jsonl"
    spun = spin_cached(cache, copied, 0.3, "moby")
    partial = []
    for paragraph, host in zip(spun, hosts, strict=True):
        at = rng.randint(0, len(host))
        partial.append("\n\n".join([*host[:at], paragraph, *host[at:]]))
    cases.append(("partial copies: one paragraph, moby 0.3, in 2-4 unrelated", copied, partial))
    return cases, notes


def dense_ids(index, document, limit: int) -> list[str]:
    """The dense path alone: the ids of the originals it ranks first (and keeps alone)."""
    from detector.index import DENSE_MARGIN

    found = {d: v for d, v in index.dense_scores(document).items() if v[2] >= DENSE_MARGIN}
    ranked = sorted(found, key=lambda d: (-found[d][0], -found[d][1], d))[:limit]
    names = index._ids(ranked) if ranked else {}
    return [names[d] for d in ranked]


def measure_recall(
    args: argparse.Namespace,
    originals: list[str],
    held_out: list[str],
    words: float,
    index_path: Path,
    build: tuple[float, float, int, list[int]],
    load_at_start: float,
) -> int:
    """Recall@1 and @10 per retrieval path, false sources, and the dense path's costs."""
    from detector.document import make_document
    from detector.index import (
        DENSE_MARGIN,
        DENSE_MARGIN_CORROBORATED,
        DENSE_MIN_COSINE,
        FORMAT_VERSION,
        SourceIndex,
    )

    unrelated = synthesise(held_out, args.unrelated, seed=3)
    cases, notes = recall_cases(args, originals, held_out)
    keyed = [
        ("fast path only", {"synonyms": False, "dense": False}),
        ("fast + synonym classes", {"dense": False}),
        ("all paths (default)", {}),
    ]
    rows = []
    unrelated_rows = []
    dense_latencies: list[float] = []
    with SourceIndex.open(index_path) as index:
        index.query(make_document(originals[0]))  # loads the thesaurus
        has_dense = bool(index._dense_index())
        paths = keyed + ([("dense path alone", None)] if has_dense else [])
        for name, copied, suspects in cases:
            documents = [make_document(text) for text in suspects]
            for path, options in paths:
                latencies, top1, top10 = [], 0, 0
                for text, document in zip(copied, documents, strict=True):
                    started = time.perf_counter()
                    if options is None:
                        ids = dense_ids(index, document, 10)
                    else:
                        ids = [c.id for c in index.query(document, limit=10, **options)]
                    latencies.append(time.perf_counter() - started)
                    if options is None:
                        dense_latencies.append(latencies[-1])
                    right = [text in index.text(i) for i in ids]
                    top1 += right[:1] == [True]
                    top10 += any(right)
                latencies.sort()
                q = len(latencies)
                p50, p95 = (latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95))
                rows.append((name, path, top1, top10, q, p50, p95))
                print(
                    f"{name}, {path}: recall@1 {top1}/{q}, @10 {top10}/{q}; "
                    f"query p50 {p50:.1f} ms p95 {p95:.1f} ms",
                    flush=True,
                )
        documents = [make_document(text) for text in unrelated]
        for path, options in paths:
            latencies, hits = [], 0
            for document in documents:
                started = time.perf_counter()
                if options is None:
                    hits += bool(dense_ids(index, document, 1))
                else:
                    hits += bool(index.query(document, **options))
                latencies.append(time.perf_counter() - started)
            latencies.sort()
            q = len(latencies)
            p50, p95 = (latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95))
            unrelated_rows.append((path, hits, q, p50, p95))
            print(f"unrelated, {path}: {hits}/{q} with candidates; p50 {p50:.1f} ms", flush=True)
    dense_latencies.sort()
    build_rate, build_cpu, size, build_memory = build
    sidecar = index_path.with_name(index_path.name + ".dense")
    dense_size = sidecar.stat().st_size if sidecar.exists() else 0
    keys_only = build_keys_only(args, index_path)
    print(f"build without dense vectors: {keys_only[0]:,.0f} docs/s", flush=True)
    if args.write:
        write_recall_section(
            args,
            rows,
            unrelated_rows,
            notes,
            words=words,
            n_unrelated=len(unrelated),
            build=(build_rate, build_cpu, size, build_memory),
            keys_only=keys_only,
            dense_size=dense_size,
            dense_latencies=dense_latencies,
            n_originals=len(originals),
            load_at_start=load_at_start,
            thresholds=(DENSE_MIN_COSINE, DENSE_MARGIN, DENSE_MARGIN_CORROBORATED),
            format_version=FORMAT_VERSION,
        )
    return 0


def build_keys_only(args: argparse.Namespace, index_path: Path) -> tuple[float, float]:
    """Rate (originals/s) and CPU per original (s) of the same build without dense vectors."""
    out = index_path.with_name(index_path.stem + "-keys.sdx")
    out.unlink(missing_ok=True)
    originals_path = args.workdir / f"originals-{args.originals}.jsonl"
    seconds, cpu, *_ = run_measured(
        spindetect("index", originals_path, "-o", out, "--workers", args.workers, "--no-dense")
    )
    count = len(originals_path.read_text("utf-8").splitlines())
    return count / seconds, cpu / count


def targets(rows: list[tuple], unrelated_rows: list[tuple]) -> list[str]:
    """The issue's targets against the default path's results, one line each."""
    default = {name: (top1, n) for name, path, top1, _, n, _, _ in rows if path.startswith("all")}

    def worst(prefixes: tuple[str, ...]) -> tuple[float, str]:
        chosen = [(t / n, name) for name, (t, n) in default.items() if name.startswith(prefixes)]
        return min(chosen) if chosen else (float("nan"), "not measured")

    lines = ["Targets (issue 15), all paths (default):", ""]
    checks = [
        (
            "spins at rates up to 0.6, both profiles",
            ("full articles, moby", "full articles, para"),
            0.98,
        ),
        ("first 1,500 characters spun at 0.3", ("first 1,500",), 0.95),
        ("machine-paraphrased copies", ("full articles, machine",), 0.9),
        ("partial copies", ("partial",), 0.9),
    ]
    for label, prefixes, target in checks:
        value, name = worst(prefixes)
        verdict = "met" if value >= target else ("not measured" if value != value else "missed")
        lines.append(f"- recall@1 on {label} >= {target}: {verdict} (lowest {value:.3f}: {name})")
    false = [(hits, n) for path, hits, n, _, _ in unrelated_rows if path.startswith("all")]
    if false:
        hits, n = false[0]
        verdict = "met" if hits <= 1 and n >= 500 else "missed"
        lines.append(f"- at most 1 false source among >= 500 unrelated: {verdict} ({hits}/{n})")
    return lines


def write_recall_section(
    args: argparse.Namespace,
    rows: list[tuple],
    unrelated_rows: list[tuple],
    notes: list[str],
    *,
    words: float,
    n_unrelated: int,
    build: tuple[float, float, int, list[int]],
    keys_only: tuple[float, float],
    dense_size: int,
    dense_latencies: list[float],
    n_originals: int,
    load_at_start: float,
    thresholds: tuple[float, float],
    format_version: int,
) -> None:
    """The ``index-recall-vN`` section of ``args.write``."""
    build_rate, build_cpu, size, build_memory = build
    pythonpath = os.environ.get("PYTHONPATH")
    command = (
        (f"PYTHONPATH={pythonpath} " if pythonpath else "")
        + f".venv/bin/python bench/bench_index.py --recall --originals {args.originals} "
        f"--queries {args.queries} --unrelated {args.unrelated} --excerpt {args.excerpt} "
        f"--workers {args.workers} --write {args.write}"
        + (f" --note {json.dumps(args.note)}" if args.note else "")
    )
    q = len(dense_latencies)
    d50, d95 = (dense_latencies[int(f * (q - 1))] * 1e3 for f in (0.5, 0.95)) if q else (0.0, 0.0)
    keys_rate, keys_cpu = keys_only
    dense_cpu = build_cpu / n_originals - keys_cpu
    lines = [
        f"## Retrieval under spinning and paraphrase: index format {format_version}, three paths",
        "",
        f"Measured by `bench/bench_index.py --recall` on this machine: 2 CPU cores shared "
        f"with other work (1-minute load average {load_at_start:.1f} when the run began, "
        f"{os.getloadavg()[0]:.1f} when it ended), Python {platform.python_version()}; "
        f"`--workers {args.workers}`. Reproduce with (`make bench-index-recall`):",
        "",
        "```",
        command,
        "```",
        "",
        f"Originals: {args.originals:,} synthetic articles as in the Batch labelling section "
        f"(mean {words:.0f} words; originals share paragraphs). Suspects: {args.queries:,} "
        "random originals per row, spun by `detector.spin.spinner` (`moby` and `paratable` "
        "profiles) at the rate named, or cut to their first characters (at a word) and "
        "spun, or paraphrased; partial copies are one paragraph of an original, spun, set "
        "among 2 to 4 paragraphs of stories held out of the archive. Recall@k: a candidate "
        "among the first k of `SourceIndex.query(limit=10)` holds the whole text that was "
        "copied (the suspect's original, or another original holding it). Paths: the fast "
        "path (immutables LSH) alone (`synonyms=False, dense=False`); with the "
        "synonym-class path (`dense=False`); all three, each taken only when the paths "
        "before it find no candidate holding 70% of the suspect (the default); and, for "
        "comparison, the dense path asked alone (`SourceIndex.dense_scores`), ranked by "
        f"its own score. The dense path counts a passage pair from cosine {thresholds[0]} "
        f"and keeps an original when one of its matches stands {thresholds[1]} above the "
        "suspect passage's background (its 20th nearest passage in the index; a match "
        f"under cosine 0.7 must stand out more), {thresholds[2]} when a key path "
        f"corroborates the original (asked alone: always {thresholds[1]}). "
        f"False sources: {n_unrelated} articles made from stories held out of the archive; "
        "any candidate at all counts." + (f" {args.note}" if args.note else ""),
        "",
        "| suspects | path | recall@1 | recall@10 | query p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for name, path, top1, top10, n, p50, p95 in rows:
        lines.append(
            f"| {name} | {path} | {top1 / n:.3f} ({top1}/{n}) | {top10 / n:.3f} | "
            f"{p50:.1f} / {p95:.1f} ms |"
        )
    for path, hits, n, p50, p95 in unrelated_rows:
        lines.append(
            f"| unrelated articles: false sources | {path} | {hits}/{n} | | "
            f"{p50:.1f} / {p95:.1f} ms |"
        )
    lines += ["", *targets(rows, unrelated_rows), ""]
    lines += [f"{note}" for note in notes] + ([""] if notes else [])
    lines += [
        f"Index build (`spindetect index`, start-up included, dense vectors made): "
        f"{build_rate:,.0f} originals/s, {build_cpu / n_originals * 1e3:.2f} ms CPU per "
        f"original, {size / 2**20:,.1f} MB (SQLite) + {dense_size / 2**20:,.1f} MB (dense "
        f"sidecar) on disk, peak RSS {describe_memory(*build_memory)}. The same build "
        f"without dense vectors (`spindetect index --no-dense`): {keys_rate:,.0f} "
        f"originals/s, {keys_cpu * 1e3:.2f} ms CPU per original; so the dense path costs "
        f"about {dense_cpu * 1e3:.2f} ms CPU per original to build (passages embedded in the "
        "workers, int8 HNSW insertion in the main process). Dense path query (suspect "
        f"passages embedded, HNSW search, scores): p50 {d50:.1f} ms, p95 {d95:.1f} ms, "
        "on top of the key paths it follows.",
        "",
    ]
    write_section(args.write, f"index-recall-v{format_version}", "\n".join(lines))


def met(ok: bool) -> str:
    return "met" if ok else "missed"


def originals_text(args: argparse.Namespace, words: float, how: str) -> str:
    """The paragraph saying how the originals and suspects were made, with their variety."""
    spun = f"Spun suspects: copies of random originals spun at rate {RATE} with {how}. "
    spun += "Unrelated suspects: articles made from stories held out of the archive."
    if args.synth == "paragraphs":
        return (
            f"Originals: {args.originals:,} synthetic articles of 3 to 6 paragraphs sampled "
            f"from `../shared/corpora` (mean {words:.0f} words), so many originals share "
            "paragraphs. " + spun
        )
    v = args.variety
    new, old = v["sentences"], v["paragraphs"]
    return (
        f"Originals: {args.originals:,} synthetic articles made by "
        "`bench/synthetic_originals.py` (mean "
        f"{words:.0f} words): 3 to 6 paragraphs of 2 to 4 sentences drawn from different "
        f"stories of `../shared/corpora` ({v['pool']:,} sentences), each original with its "
        "own seed, its capitalised words (names, places) mapped to generated names, its "
        "numbers given new digits"
        + (f", then spun at rate {args.synth_spin}" if args.synth_spin else "")
        + f". Variety among the first {v['sample']:,} originals: "
        f"{new['distinct_sentences']:.0%} of {new['sentences']:,} sentences distinct (the "
        f"most repeated one {new['max_sentence_repeats']} times), "
        f"{new['distinct_capitalised']:.0%} of capitalised words distinct; the former "
        f"synthesiser (whole paragraphs, `--synth paragraphs`) gives "
        f"{old['distinct_sentences']:.0%} and {old['distinct_capitalised']:.1%} on as many. " + spun
    )


def spindetect(*args: object) -> list[str]:
    """The command line running ``spindetect ARGS`` with this interpreter."""
    return [sys.executable, "-c", "from detector.cli import app; app()", *map(str, args)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--originals", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--suspects", type=int, default=1_000, help="spun suspects labelled")
    parser.add_argument(
        "--unrelated", type=int, help="unrelated suspects (200 labelled; 500 with --recall)"
    )
    parser.add_argument("--flat", type=int, default=50_000, help="cheap inputs, memory check")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--lm-paraphrases",
        action="store_true",
        help="--recall: also retrieve the SmolLM2 paraphrases of data/paraphrase, their "
        "corpus originals added to the archive (a separate run: the synthetic originals "
        "reuse those texts' sentences, so the added originals compete with them and "
        "partial-copy recall drops)",
    )
    parser.add_argument(
        "--fallback-model", default="baseline", help="reference-free model of unrelated suspects"
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench-index")
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    parser.add_argument(
        "--recall",
        action="store_true",
        help="measure recall under heavy spinning and short excerpts instead of labelling",
    )
    parser.add_argument("--excerpt", type=int, default=1500, help="excerpt length, characters")
    parser.add_argument("--note", default="", help="a sentence added to the --recall section")
    parser.add_argument(
        "--synth",
        choices=("sentences", "paragraphs"),
        default="sentences",
        help="originals recombined from varied sentences (bench/synthetic_originals.py) "
        "or, as before, from whole paragraphs",
    )
    parser.add_argument(
        "--synth-spin", type=float, default=0.0, help="spin each original lightly at this rate"
    )
    parser.add_argument(
        "--no-dense",
        action="store_true",
        help="build the index without dense passage vectors (the key paths' figures alone)",
    )
    args = parser.parse_args()
    if args.unrelated is None:
        args.unrelated = 500 if args.recall else 200
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} is absent")
        return 0

    from detector.document import make_document
    from detector.index import SourceIndex

    load_at_start = os.getloadavg()[0]
    args.workdir.mkdir(parents=True, exist_ok=True)
    archive, held_out = load_paragraphs()
    if args.synth == "paragraphs":
        originals = synthesise(archive, args.originals, seed=1)
    else:
        from synthetic_originals import SentencePool, variety

        pool = SentencePool(archive, seed=1, spin_rate=args.synth_spin)
        originals = list(pool.originals(args.originals))
        sample = min(10_000, len(originals))
        args.variety = {
            "sentences": variety(originals[:sample]),
            "paragraphs": variety(synthesise(archive, sample, seed=1)),
            "sample": sample,
            "pool": len(pool.sentences),
        }
        print(f"variety of {sample:,}: {args.variety}", flush=True)
    args.lm_pairs = []
    if args.recall and args.lm_paraphrases:  # their sources become originals too
        held_out_runs = {run for paragraph in held_out for run in _runs(paragraph)}
        args.lm_pairs = [(o, p) for o, p in lm_paraphrases() if held_out_runs.isdisjoint(_runs(o))]
        known = set(originals)
        originals += [o for o in dict.fromkeys(o for o, _ in args.lm_pairs) if o not in known]
    words = statistics.mean(len(t.split()) for t in originals[:5000])
    originals_path = args.workdir / f"originals-{args.originals}.jsonl"
    write_jsonl(originals_path, ({"id": f"o{k}", "text": t} for k, t in enumerate(originals)))
    print(f"{len(originals):,} originals, {words:.0f} words on average", flush=True)

    # ---- build: `spindetect index`, start-up included
    index_path = args.workdir / f"index-{args.originals}.sdx"
    index_path.unlink(missing_ok=True)
    dense = ("--no-dense",) if args.no_dense else ()
    build_seconds, build_cpu, *build_memory = run_measured(
        spindetect("index", originals_path, "-o", index_path, "--workers", args.workers, *dense)
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
        return measure_recall(args, originals, held_out, words, index_path, build, load_at_start)

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

    # ---- labelling: `spindetect label`, start-up included; spun suspects (source in the
    # index) and unrelated ones (no source: the fallback model scores them) run apart.
    suspects_path = args.workdir / "suspects.jsonl"
    records = [{"id": f"s{k}", "text": t} for k, t in zip(targets, spun, strict=True)]
    write_jsonl(suspects_path, records[: args.suspects])
    out = args.workdir / "results.jsonl"
    out.unlink(missing_ok=True)
    reference_mode = ("--workers", args.workers, "--no-fallback")
    label_seconds, label_cpu, *label_memory = run_measured(
        spindetect("label", suspects_path, "-i", index_path, "-o", out, *reference_mode)
    )
    found = spun_right = written = 0
    with open(out, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            written += 1
            source = f"o{record['id'][1:]}"
            found += record["source"] == source
            spun_right += record["source"] == source and record["verdict"] == "spun"
    label_rate = written / label_seconds
    unrelated_path = args.workdir / "unrelated.jsonl"
    write_jsonl(unrelated_path, ({"id": f"u{k}", "text": t} for k, t in enumerate(unrelated)))
    out = args.workdir / "results-unrelated.jsonl"
    out.unlink(missing_ok=True)
    fallback = ("--workers", args.workers, "--model", args.fallback_model)
    try:
        fb_seconds, fb_cpu, *fb_memory = run_measured(
            spindetect("label", unrelated_path, "-i", index_path, "-o", out, *fallback)
        )
        with open(out, encoding="utf-8") as f:
            fb_records = [json.loads(line) for line in f]
        unrelated_null = sum(r["source"] is None for r in fb_records)
        fb_spun = sum(r["verdict"] == "spun" for r in fb_records)
        fallback_result = (
            f"{len(fb_records) / fb_seconds:,.1f} suspects/s ({len(fb_records):,} in "
            f"{fb_seconds:.1f} s, model loading included; {fb_cpu / len(fb_records) * 1e3:.0f} "
            f"ms CPU each), source null {unrelated_null}/{len(fb_records)}, called spun "
            f"{fb_spun}; peak RSS {describe_memory(*fb_memory)}"
        )
    except SystemExit as error:
        fallback_result = f"failed: {str(error).splitlines()[-1][:200]}"
    print(
        f"label: {written:,} in {label_seconds:.1f} s = {label_rate:,.0f}/s, CPU "
        f"{label_cpu / written * 1e3:.1f} ms per suspect; source found "
        f"{found}/{args.suspects}, spun+source {spun_right}/{args.suspects}; memory "
        f"{describe_memory(*label_memory)}; fallback: {fallback_result}",
        flush=True,
    )

    # ---- memory on longer streams of cheap inputs (no source found)
    flat = []
    for n in (args.flat // 5, args.flat) if args.flat else ():
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

    query_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if args.write:
        command = (
            f".venv/bin/python bench/bench_index.py --originals {args.originals} "
            f"--queries {args.queries} --suspects {args.suspects} --unrelated {args.unrelated} "
            f"--flat {args.flat} --workers {args.workers} --write {args.write}"
            + (" --no-dense" if args.no_dense else "")
            + (f" --synth {args.synth}" if args.synth != "sentences" else "")
            + (f" --synth-spin {args.synth_spin}" if args.synth_spin else "")
            + (f" --fallback-model {args.fallback_model}")
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
            originals_text(args, words, how),
            "",
            "| measure | result | target (issue 15, fast path) |",
            "|---|---|---|",
            f"| index build (`spindetect index{' --no-dense' if args.no_dense else ''}`, "
            f"start-up included) | {build_rate:,.0f} originals/s ({len(originals):,} in "
            f"{build_seconds:.1f} s) | >= 5,000/s: {met(build_rate >= 5000)} |",
            f"| index build CPU time (main process and workers) | "
            f"{build_cpu / len(originals) * 1e3:.2f} ms per original | |",
            f"| index size on disk | {size / 2**20:,.0f} MB | |",
            f"| build memory, peak RSS | {describe_memory(*build_memory)} | <= 4 GB: "
            f"{met(sum(build_memory) <= 4 * 2**30)} |",
            f"| index open | {open_ms:.0f} ms | |",
            f"| query latency, spun suspect | p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"p99 {p99:.1f} ms | p50 <= 5 ms (at 1M): {met(p50 <= 5)} at "
            f"{len(originals):,} |",
            f"| query latency, unrelated suspect | p50 {u50:.1f} ms | |",
            f"| query process (this script, holding all originals' texts too), peak RSS | "
            f"{query_rss / 2**20:,.0f} MB | |",
            f"| source ranked first / in the top 3 | {top1}/{q} / {top3}/{q} | |",
            f"| unrelated suspects with any candidate | {unrelated_hits}/{len(unrelated)} | |",
            f"| labelling spun suspects, source in the index (`spindetect label --no-fallback`, "
            f"start-up included) | {label_rate:,.0f} suspects/s ({written:,} in "
            f"{label_seconds:.1f} s) | >= 300/s: {met(label_rate >= 300)} |",
            f"| labelling CPU time (main process and workers) | "
            f"{label_cpu / written * 1e3:.1f} ms per suspect | |",
            f"| spun suspects labelled with their source | {found}/{args.suspects} "
            f"(and verdict spun: {spun_right}) | all |",
            f"| labelling memory, peak RSS | {describe_memory(*label_memory)} | <= 4 GB: "
            f"{met(sum(label_memory) <= 4 * 2**30)} |",
            f"| labelling unrelated suspects (no source; fallback `--model "
            f"{args.fallback_model}`), reported apart | {fallback_result} | |",
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
