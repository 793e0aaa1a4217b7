"""Benchmark of restoration without context (``detector.restore.Restorer``).

The baseline and the transformer restore every word they flag with the
``Restorer``'s guess, and the language-model models restore with it the words
they flag that the judge did not read.  This script asks it for the original of
each one-word swap whose original is known, with no sentence around it:

* the hand-spun sets (``tests/fixtures/handspun*/spun``, marked ``{spun|original}``),
  written in the style of real spinners; the sets before ``handspun_holdout10``
  and those after are counted apart, as a check that a setting is not fitted to one;
* the synthetic dataset's validation and ``cross_spinner`` splits (``--dataset``,
  skipped when it is missing), spun by the ``moby`` and ``paratable`` spinners and by
  the held-out MyThes spinner.

It prints, per source, how many swaps it holds and the share whose first guess is
the original (``exact``) or whose first three guesses hold it (``top 3``), both
case-insensitive.  ``--write`` puts the table in BENCHMARKS.md.

Usage::

    python bench/bench_restorer.py --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from _report import write_section  # bench/ is on sys.path when run as a script
from bench_handspun import parse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "restorer"
FIXTURES = ROOT / "tests" / "fixtures"


def handspun_swaps() -> dict[str, list[tuple[str, str]]]:
    """(spun word, original) of the hand-spun sets' one-word swaps, older and newer sets."""
    out: dict[str, list[tuple[str, str]]] = {
        "hand-spun, sets before holdout10": [],
        "hand-spun, holdout10 and after": [],
    }
    for path in sorted(FIXTURES.glob("handspun*/spun/*.txt")):
        number = re.search(r"holdout(\d+)", path.parts[-3])
        source = list(out)[1 if number and int(number.group(1)) >= 10 else 0]
        text, swaps = parse(path.read_text(encoding="utf-8"))
        for start, end, original in swaps:
            written = text[start:end]
            if written.isalpha() and original.isalpha():
                out[source].append((written.lower(), original.lower()))
    return out


def dataset_swaps(dataset: Path) -> dict[str, list[tuple[str, str]]]:
    """(spun word, original) of the one-word swaps of the dataset's validation and
    cross-spinner splits; empty when the dataset is missing."""
    if not (dataset / "dataset_dict.json").is_file():
        print(f"{dataset}: no dataset there, its rows are left out", file=sys.stderr)
        return {}
    import datasets

    splits = datasets.load_from_disk(str(dataset))
    out = {}
    for split in ("validation", "cross_spinner"):
        swaps = []
        for spans in splits[split]["spans"]:
            for span in spans or []:
                written, original = span["text"].lower(), span["original"].lower()
                if written.isalpha() and original.isalpha():
                    swaps.append((written, original))
        out[f"synthetic, {split}"] = swaps
    return out


def measure(swaps: list[tuple[str, str]]) -> tuple[float, float]:
    """The shares of ``swaps`` whose first guess, and whose first three, hold the original."""
    from detector.lexicon import load_lexicon
    from detector.restore import Restorer

    restorer = Restorer(load_lexicon(quiet=True))
    exact = top3 = 0
    for written, original in swaps:
        guesses = restorer.candidates(written, 3)
        exact += bool(guesses) and guesses[0] == original
        top3 += original in guesses
    return exact / len(swaps), top3 / len(swaps)


def main() -> int:
    """Run the benchmark; print the table; write it into BENCHMARKS.md with ``--write``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=ROOT / "data" / "spin-dataset")
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    sources = {**handspun_swaps(), **dataset_swaps(args.dataset)}
    lines = [
        "## Restoration without context (`python bench/bench_restorer.py --write BENCHMARKS.md`)",
        "",
        "The `Restorer`'s first guess at the original of a one-word swap, with no sentence "
        "around it: what the baseline and the transformer show for every word they flag, "
        "and the language-model models for flagged words the judge did not read. "
        "*exact*: the first guess is the original; *top 3*: one of the first three is "
        "(case-insensitive).",
        "",
        "| swaps from | swaps | exact | top 3 |",
        "|---|---:|---:|---:|",
    ]
    for source, swaps in sources.items():
        if swaps:
            exact, top3 = measure(swaps)
            lines.append(f"| {source} | {len(swaps):,} | {exact:.1%} | {top3:.1%} |")
    body = "\n".join(lines) + "\n"
    print(body)
    if args.write:
        write_section(args.write, SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
