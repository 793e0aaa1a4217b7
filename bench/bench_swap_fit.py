"""Benchmark of the reference mode's wording check (``detector.swap_fit``).

A copy the document model calls spun on only a few swaps is put to the language
model: each swap's *gain* is how many nats more likely its sentence reads with the
original's words put back, and a copy whose median gain is under
``SwapFitRule.min_median_gain`` is an edited copy, not spun.  This script measures
the gains on copies with 1 to ``--max-swaps`` swaps:

* from the reference calibration's stories (``training.calibrate_reference.build_pairs``,
  both halves, ``make calibrate``'s corpora): moby spins (rates 0.02-0.6; the light
  ones have few swaps), syndicated copies given a sub-editor's wording changes
  (``training.edits.reword``: "she said" -> "she told reporters", "nearly 40" ->
  "almost 40", "lorry" -> "truck") and human rewrites;
* from hand-written sets (``--fixtures``, folders of ``original.txt`` with
  ``edited.txt`` and ``spun.txt``): copies edited by hand and light spins.

For each family it prints how many copies it holds, the median of their median
gains and its 10th and 90th percentiles, and how many the document model calls
spun before and after the check.  ``--write`` puts the table in BENCHMARKS.md.

Usage::

    python bench/bench_swap_fit.py --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from _report import write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "swap-fit"
CORPORA = (
    ROOT.parent / "shared" / "corpora" / "onestopenglish_all_levels.jsonl.xz",
    ROOT.parent / "shared" / "corpora" / "wikinewssum_en_articles.jsonl.xz",
)
FIXTURES = tuple(
    ROOT / "tests" / "fixtures" / f"paraphrase_holdout{n}" for n in ("2", "4", "5", "6", "7")
)


def calibration_copies(corpora: list[Path], seed: int) -> list[tuple[str, str, str]]:
    """(family, suspect, original) of the calibration stories' spins, reworded
    syndicated copies and human rewrites."""
    from training.calibrate_reference import build_pairs
    from training.edits import reword

    fit, held = build_pairs([str(c) for c in corpora], seed, spins_per_original=3)
    out = []
    for k, pair in enumerate(fit + held):
        if pair.kind == "spun":
            out.append(("calibration: moby spin", pair.suspect, pair.original))
        elif pair.kind == "syndicated":
            reworded = reword(pair.suspect, random.Random(seed + k))
            if reworded is not None:
                out.append(("calibration: reworded syndicated copy", reworded, pair.original))
        elif pair.kind == "human_rewrite":
            out.append(("calibration: human rewrite", pair.suspect, pair.original))
    return out


def fixture_copies(folders: list[Path]) -> list[tuple[str, str, str]]:
    """(family, suspect, original) of the hand-written sets' edited copies and spins."""
    out = []
    for folder in folders:
        for original in sorted(folder.rglob("original.txt")):
            for name, family in (("edited.txt", "edited by hand"), ("spun.txt", "light spin")):
                suspect = original.with_name(name)
                if suspect.is_file():
                    out.append(
                        (
                            f"{folder.name}: {family}",
                            suspect.read_text("utf-8"),
                            original.read_text("utf-8"),
                        )
                    )
    return out


def measure(copies: list[tuple[str, str, str]], max_swaps: int) -> dict[str, list[dict]]:
    """Per family, for each copy with 1 to ``max_swaps`` swaps: its swaps' gains and its
    verdicts without and with the check."""
    from detector import ReferenceScorer, make_document
    from detector.swap_fit import SwapFitRule, SwapReader, swap_gains

    before = ReferenceScorer(swap_fit=None)  # the document model's verdict alone
    rule, reader = SwapFitRule(), SwapReader()
    found: dict[str, list[dict]] = defaultdict(list)
    for family, suspect_text, original_text in copies:
        suspect, original = make_document(suspect_text, "s"), make_document(original_text, "o")
        report = before.score_pair(suspect, original).report
        swaps = report.spin_spans
        if not 1 <= len(swaps) <= max_swaps:
            continue
        gains = swap_gains(reader, suspect, swaps)
        readable = [g for g in gains if g is not None]  # none: counted, no median
        spun = report.verdict == "spun"
        checked = spun and not (rule.applies(len(swaps), report.spin_score) and rule.fits(gains))
        middle = statistics.median(readable) if readable else None
        found[family].append({"median": middle, "spun": spun, "checked": checked})
    return found


def render(found: dict[str, list[dict]], max_swaps: int, command: str) -> str:
    """The BENCHMARKS.md section."""
    from detector.swap_fit import SwapFitRule

    rule = SwapFitRule()
    lines = [
        "## Reference mode's wording check (`spindetect score --original`)",
        "",
        f"`{command}` ({date.today().isoformat()}, {platform.machine()}, Python "
        f"{platform.python_version()}, the language model in float32). Copies with 1 to "
        f"{max_swaps} swaps; *gain*: how many nats more likely a swap's sentence reads with "
        "the original's words put back (SmolLM2-135M), the median over a copy's swaps. "
        f"The shipped rule: a copy called spun on at most {rule.max_swaps} swaps, with a "
        f"spin score under {rule.max_spin_score:g}, whose median gain is under "
        f"{rule.min_median_gain:g} is not spun "
        "(`detector/swap_fit.py`).",
        "",
        "| family | copies | median gain: p10 | median | p90 | called spun before | after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for family, rows in found.items():
        medians = sorted(r["median"] for r in rows if r["median"] is not None) or [0.0]
        p10 = medians[len(medians) // 10]
        p90 = medians[min(len(medians) - 1, (9 * len(medians)) // 10)]
        lines.append(
            f"| {family} | {len(rows)} | {p10:+.1f} | {statistics.median(medians):+.1f} | "
            f"{p90:+.1f} | {sum(r['spun'] for r in rows)} | {sum(r['checked'] for r in rows)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure the wording check and print (or write) its table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-swaps", type=int, default=12, help="largest swap count measured")
    parser.add_argument("--seed", type=int, default=13, help="make calibrate's seed")
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args(argv)
    corpora = [c for c in CORPORA if c.is_file()]
    copies = fixture_copies([f for f in FIXTURES if f.is_dir()])
    if corpora:
        copies = calibration_copies(corpora, args.seed) + copies
    else:
        print("no corpora in ../shared/corpora: hand-written sets only", file=sys.stderr)
    found = measure(copies, args.max_swaps)
    shown = "python bench/bench_swap_fit.py" + (f" --write {args.write}" if args.write else "")
    body = render(found, args.max_swaps, shown)
    print(body)
    if args.write is not None:
        write_section(args.write, SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
