"""Reference-free models on real clean news: texts called spun, flagged words, flags on names.

Reads the real, unspun articles of ``../shared/corpora`` (the 101 Wikinews
articles and the 189 advanced-level OneStopEnglish Guardian stories; skipped
when absent) and prints, per corpus and model, how many articles the model calls
spun (each one is a false positive) and how many words per 100 it flags (for the
``cascade``, ``label``'s fallback, its verdicts only).  For
the language-model judge it also prints how many of its flags (gain over 3 nats)
fall on words the article uses in people's names (``detector.names``), which
the ``lm`` and ``hybrid`` models leave unjudged when their config says
``names_unjudged``.  The judge's readings are cached in ``runs/readings/``
(minutes on 2 cores the first time; seconds after).

Usage::

    python bench/bench_real_clean.py                      # lm and hybrid, as installed
    python bench/bench_real_clean.py --models lm hybrid screen cascade transformer baseline
    python bench/bench_real_clean.py --models models/hybrid /tmp/old/hybrid
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPORA = ROOT.parent / "shared" / "corpora"
SOURCES = {
    "wikinews": (CORPORA / "wikinewssum_en_articles.jsonl.xz", None),
    "onestopenglish (advanced)": (CORPORA / "onestopenglish_all_levels.jsonl.xz", "adv"),
}


def articles(path: Path, level: str | None) -> list[str]:
    """The texts of a JSON-lines corpus (only those at ``level`` when it has levels)."""
    with lzma.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["text"] for r in rows if level is None or r.get("level") == level]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["lm", "hybrid"])
    parser.add_argument("--readings", type=Path, default=ROOT / "runs" / "readings")
    args = parser.parse_args()

    from detector.document import make_document
    from detector.lexicon import load_lexicon
    from detector.lm_judge import flagged_units
    from detector.models import load_model, model_dir
    from detector.names import name_positions
    from training.readings import read_documents, with_cached_readings

    lexicon = load_lexicon(quiet=True)
    print("| corpus | model | articles | called spun | flagged words / 100 |")
    print("| --- | --- | ---: | ---: | ---: |")
    notes = []
    for corpus, (path, level) in SOURCES.items():
        if not path.is_file():
            print(f"skipped {corpus}: {path} is missing", file=sys.stderr)
            continue
        documents = [make_document(t, f"{corpus}-{i}") for i, t in enumerate(articles(path, level))]
        cache = args.readings / f"real-clean-{path.name.split('.')[0]}-{level or 'all'}.jsonl"
        readings = read_documents(documents, model_dir("lm"), cache=cache)
        flags = on_names = 0
        for reading in readings:
            names = name_positions(reading.document, lexicon)
            units = flagged_units(reading, threshold=3.0)
            flags += len(units)
            on_names += sum(not names.isdisjoint(range(u.lo, u.hi)) for u in units)
        notes.append(f"{corpus}: {on_names} of the judge's {flags} flags are on names")
        for name in args.models:
            model = with_cached_readings(load_model(name), name, documents, cache)
            if not hasattr(model, "document_threshold"):  # the cascade: its verdicts only
                spun = sum(model.score(d).verdict == "spun" for d in documents)
                print(f"| {corpus} | {name} | {len(documents)} | {spun} | – |")
                continue
            scores = model.score_words(documents)
            spun = sum(s.document_probability >= model.document_threshold for s in scores)
            words = sum(len(s.document.words) for s in scores)
            flagged = sum(
                sum(p > model.word_threshold for p in s.word_probabilities) for s in scores
            )
            print(f"| {corpus} | {name} | {len(scores)} | {spun} | {100 * flagged / words:.2f} |")
    for line in notes:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
