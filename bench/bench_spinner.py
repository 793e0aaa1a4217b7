"""Spinner throughput on one core: articles and words spun per CPU second, per profile.

Spins the articles of the shared corpora (``../shared/corpora``), cycling through
them with fresh seeds until ``--articles`` spins are done, so the first pass
meets every word cold and later passes run on warm caches, as in ``make data``.

Run from the repository root::

    .venv/bin/python bench/bench_spinner.py --articles 2000 --profile moby  # or paratable, cross

Skips (exit code 0, a message) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from detector.document import make_document
from detector.spin.spinner import PROFILES, Spinner
from training.corpus import load_corpus

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def main(argv: list[str] | None = None) -> int:
    """Spin ``--articles`` articles and print the throughput."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="spins to time")
    parser.add_argument("--profile", choices=list(PROFILES), default="moby")
    parser.add_argument("--rate", type=float, default=0.3)
    args = parser.parse_args(argv)
    paths = sorted(CORPORA.glob("*.jsonl.xz"))
    if not paths:
        print(f"skipped: no corpora in {CORPORA}", file=sys.stderr)
        return 0
    texts = [record.text for path in paths for record in load_corpus(path)]
    words = [len(make_document(text)) for text in texts]

    started = time.process_time()
    spinner = Spinner.from_profile(args.profile)
    loaded = time.process_time() - started
    spun_words = 0
    first_pass = 0.0
    for i in range(args.articles):
        spinner.spin(texts[i % len(texts)], rate=args.rate, seed=i)
        spun_words += words[i % len(texts)]
        if i + 1 == min(len(texts), args.articles):
            first_pass = time.process_time() - started - loaded
    seconds = time.process_time() - started - loaded
    print(
        f"{args.profile}: {args.articles} articles ({spun_words / args.articles:.0f} words on "
        f"average) in {seconds:.1f} CPU s after {loaded:.1f} s loading: "
        f"{args.articles / seconds:.0f} articles/s, {spun_words / seconds:,.0f} words/s; "
        f"first pass over {min(len(texts), args.articles)} distinct articles {first_pass:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
