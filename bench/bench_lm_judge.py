"""Benchmark of the LM judge: recall, precision and restoration on spun news, false flags, speed.

Reads the hand-spun set in ``tests/fixtures/handspun`` (news paragraphs spun by
hand in the style of content-farm spinners, each swap marked ``{spun|original}``
in ``spun/*.txt``; unspun news and other prose in ``clean/*.txt``) and, with
``--synthetic N``, N OneStopEnglish advanced texts from ``../shared/corpora`` spun
by the project's spinner with the ``moby`` and ``cross`` profiles.  Prints, per set:

* span recall: share of true swapped spans that a flagged unit overlaps;
* span precision: share of flagged units that overlap a true span;
* restoration: share of the hit spans whose text, with the flagged unit replaced
  by its restored candidate, equals the original (case-insensitively);
* false flags per 100 words on the clean texts (every flag there is false);
* seconds per 800 words, pass 1 alone and both passes; the model's load time; peak RSS.

Unit evidence does not depend on the flag threshold, so every threshold of
``--thresholds`` is scored from one reading of each text.

Usage::

    python bench/bench_lm_judge.py                       # hand-spun set, default judge
    python bench/bench_lm_judge.py --synthetic 20        # and 20 synthetic spins per profile
    python bench/bench_lm_judge.py --write-annotations   # (re)write handspun/annotations.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import lzma
import os
import re
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.document import make_document  # noqa: E402
from detector.lm_judge import (  # noqa: E402
    DEFAULT_GAIN_THRESHOLD,
    LMJudge,
    LMReading,
    UnitReading,
    flagged_units,
)

HANDSPUN = ROOT / "tests" / "fixtures" / "handspun"
OSE = ROOT.parent / "shared" / "corpora" / "onestopenglish_all_levels.jsonl.xz"
MARK = re.compile(r"\{([^{}|]*)\|([^{}|]*)\}")


@dataclass(frozen=True)
class GoldSpan:
    """A swapped span of a spun text: its offsets there, its text and the original words."""

    start: int
    end: int
    text: str
    original: str


@dataclass(frozen=True)
class Example:
    """A spun text with its original and its swapped spans (none for a clean text)."""

    name: str
    text: str
    original: str
    spans: tuple[GoldSpan, ...]


def parse_marked(marked: str, name: str) -> Example:
    """The spun text, original and spans of a text marked ``{spun|original}``.

    A mark whose two sides are equal is no swap: its text is kept as is.
    """
    spun: list[str] = []
    original: list[str] = []
    spans: list[GoldSpan] = []
    length = 0
    position = 0
    for match in MARK.finditer(marked):
        plain = marked[position : match.start()]
        spun.append(plain)
        original.append(plain)
        length += len(plain)
        new, old = match.group(1), match.group(2)
        if new != old:
            spans.append(GoldSpan(length, length + len(new), new, old))
        spun.append(new)
        original.append(old)
        length += len(new)
        position = match.end()
    spun.append(marked[position:])
    original.append(marked[position:])
    return Example(name, "".join(spun).strip(), "".join(original).strip(), tuple(spans))


def load_handspun(folder: Path = HANDSPUN) -> tuple[list[Example], list[Example]]:
    """The hand-spun examples and the clean texts of ``folder``."""
    spun = [
        parse_marked(p.read_text("utf-8"), p.stem) for p in sorted((folder / "spun").glob("*.txt"))
    ]
    clean = [
        Example(p.stem, p.read_text("utf-8").strip(), p.read_text("utf-8").strip(), ())
        for p in sorted((folder / "clean").glob("*.txt"))
    ]
    return spun, clean


def write_annotations(folder: Path = HANDSPUN) -> Path:
    """Write ``annotations.json``: spun texts, originals and spans, and the clean texts."""
    spun, clean = load_handspun(folder)
    payload = {
        "about": (
            "Hand-spun news: spun text, original, and every swapped span with its char offsets "
            "in the spun text. Generated from spun/*.txt ({spun|original} marks) by "
            "bench/bench_lm_judge.py --write-annotations."
        ),
        "spun": [
            {
                "name": e.name,
                "text": e.text,
                "original": e.original,
                "spans": [asdict(s) for s in e.spans],
            }
            for e in spun
        ],
        "clean": [{"name": e.name, "text": e.text} for e in clean],
    }
    path = folder / "annotations.json"
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def synthetic(count: int, profile: str, rate: float = 0.2, seed: int = 7) -> list[Example]:
    """``count`` OneStopEnglish advanced texts spun by the project's spinner with ``profile``."""
    from detector.spin.spinner import Spinner

    with lzma.open(OSE, "rt", encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    texts = [t["text"] for t in texts if t["level"] == "adv"][:count]
    spinner = Spinner.from_profile(profile)
    examples = []
    for k, text in enumerate(texts):
        result = spinner.spin(text, rate=rate, seed=seed + k)
        spans = tuple(GoldSpan(s.start, s.end, s.text, s.original) for s in result.spans)
        examples.append(Example(f"{profile}-{k}", result.text, result.original, spans))
    return examples


# --------------------------------------------------------------------------- metrics


def _restores(example: Example, span: GoldSpan, unit: UnitReading) -> bool:
    """Whether replacing ``unit`` by its restored text gives the span's original back."""
    if not unit.restored:
        return False
    lo, hi = min(span.start, unit.start), max(span.end, unit.end)
    text = example.text
    fixed = text[lo : unit.start] + unit.restored + text[unit.end : hi]
    truth = text[lo : span.start] + span.original + text[span.end : hi]
    return fixed.lower() == truth.lower()


@dataclass(frozen=True)
class Scores:
    """Span-level counts for one set of examples at one threshold."""

    spans: int
    hit: int
    flags: int
    true_flags: int
    restored: int
    words: int

    @property
    def recall(self) -> float:
        return self.hit / self.spans if self.spans else float("nan")

    @property
    def precision(self) -> float:
        return self.true_flags / self.flags if self.flags else float("nan")

    @property
    def restoration(self) -> float:
        return self.restored / self.hit if self.hit else float("nan")

    @property
    def flags_per_100(self) -> float:
        return 100 * self.flags / self.words if self.words else float("nan")


def score(examples: Sequence[Example], readings: Sequence[LMReading], threshold: float) -> Scores:
    """Recall, precision and restoration counts of the flags at ``threshold``."""
    spans = hit = flags = true_flags = restored = words = 0
    for example, reading in zip(examples, readings, strict=True):
        flagged = flagged_units(reading, threshold=threshold)
        words += len(reading.document.words)
        flags += len(flagged)
        true_flags += sum(
            any(u.start < s.end and s.start < u.end for s in example.spans) for u in flagged
        )
        for span in example.spans:
            spans += 1
            hits = [u for u in flagged if u.start < span.end and span.start < u.end]
            if hits:
                hit += 1
                restored += any(_restores(example, span, u) for u in hits)
    return Scores(spans, hit, flags, true_flags, restored, words)


def _pass1_only(reading: LMReading) -> LMReading:
    """``reading`` as pass 1 alone left it: no gains, each unit's best pass-1 candidate."""
    units = tuple(dataclasses.replace(u, gain=None) for u in reading.units)
    return dataclasses.replace(reading, units=units)


def per_800(readings: Sequence[LMReading]) -> tuple[float, float]:
    """Seconds per 800 words: pass 1 alone, both passes."""
    words = sum(len(r.document.words) for r in readings)
    one = sum(r.pass1_seconds for r in readings)
    both = one + sum(r.pass2_seconds for r in readings)
    return 800 * one / words, 800 * both / words


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fixtures", type=Path, default=HANDSPUN)
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    parser.add_argument("--profiles", nargs="+", default=["moby", "cross"])
    parser.add_argument("--model", default=None, help="a model name or folder (default: SmolLM2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--margin-threshold", type=float, default=None)
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--right-tokens", type=int, default=None)
    parser.add_argument("--lm-candidates", type=int, default=None)
    parser.add_argument("--max-candidates", type=int, default=None)
    parser.add_argument("--min-zipf", type=float, default=None)
    parser.add_argument("--no-surprisal", action="store_true")
    parser.add_argument(
        "--thresholds", type=float, nargs="+", default=[2.0, 3.0, DEFAULT_GAIN_THRESHOLD, 5.0, 6.0]
    )
    parser.add_argument("--pass1-thresholds", type=float, nargs="+", default=[5.0, 7.0, 9.0])
    parser.add_argument("--write-annotations", action="store_true")
    parser.add_argument("--dump", action="store_true", help="print every flag of the hand-spun set")
    args = parser.parse_args(argv)

    if args.write_annotations:
        print(f"wrote {write_annotations(args.fixtures)}")
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    from detector.lm import load_causal_lm

    clock = time.perf_counter()
    lm = load_causal_lm(args.model)
    load_seconds = time.perf_counter() - clock
    options = {
        "margin_threshold": args.margin_threshold,
        "top_k": args.top_k,
        "right_tokens": args.right_tokens,
        "lm_candidates": args.lm_candidates,
        "max_candidates": args.max_candidates,
        "min_zipf": args.min_zipf,
    }
    judge = LMJudge(
        lm,
        surprisal=not args.no_surprisal,
        **{k: v for k, v in options.items() if v is not None},
    )
    print(f"{judge!r}; load {load_seconds:.2f} s; torch threads {torch.get_num_threads()}")

    spun, clean = load_handspun(args.fixtures)
    judge.read(make_document(clean[0].text))  # warm the caches once
    sets = {"hand-spun": spun}
    for profile in args.profiles if args.synthetic else ():
        sets[f"synthetic {profile}"] = synthetic(args.synthetic, profile)
    clean_readings = judge.read_many(make_document(e.text, e.name) for e in clean)
    readings = {
        name: judge.read_many(make_document(e.text, e.name) for e in examples)
        for name, examples in sets.items()
    }

    header = "| set | threshold | spans | recall | precision | restored | clean flags/100 w |"
    print("\n" + header + "\n" + "|---" * 7 + "|")
    for threshold in args.thresholds:
        false_flags = score(clean, clean_readings, threshold).flags_per_100
        for name, examples in sets.items():
            s = score(examples, readings[name], threshold)
            print(
                f"| {name} | {threshold:g} | {s.spans} | {s.recall:.2f} | {s.precision:.2f} | "
                f"{s.restoration:.2f} | {false_flags:.2f} |"
            )
    # Pass 1 alone: the same readings with the rescoring dropped (evidence = margin).
    print("\npass 1 alone (flag when margin > threshold):\n\n" + header)
    print("|---" * 7 + "|")
    first = {name: [_pass1_only(r) for r in rs] for name, rs in readings.items()}
    clean_first = [_pass1_only(r) for r in clean_readings]
    for threshold in args.pass1_thresholds:
        false_flags = score(clean, clean_first, threshold).flags_per_100
        for name, examples in sets.items():
            s = score(examples, first[name], threshold)
            print(
                f"| {name} | {threshold:g} | {s.spans} | {s.recall:.2f} | {s.precision:.2f} | "
                f"{s.restoration:.2f} | {false_flags:.2f} |"
            )
    every = [r for rs in readings.values() for r in rs] + clean_readings
    one, both = per_800(every)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tokens = sum(r.tokens for r in every)
    extra = sum(r.pass2_tokens for r in every)
    print(f"\npass 2 read {extra / tokens:.2f} candidate tokens per document token")
    print(
        f"\nseconds per 800 words: pass 1 {one:.2f}, pass 1+2 {both:.2f}; "
        f"load {load_seconds:.2f} s; peak RSS {rss:.0f} MB"
    )
    if args.dump:
        for example, reading in zip(
            spun + clean, readings["hand-spun"] + clean_readings, strict=True
        ):
            for unit in flagged_units(reading):
                hit = any(unit.start < s.end and s.start < unit.end for s in example.spans)
                print(
                    f"{example.name:14} {'HIT ' if hit else 'FALSE'} {unit.text!r:22} -> "
                    f"{unit.restored!r:18} gain {unit.evidence:5.2f}"
                )
            for span in example.spans:
                if not any(
                    u.start < span.end and span.start < u.end for u in flagged_units(reading)
                ):
                    near = [u for u in reading.units if u.start < span.end and span.start < u.end]
                    best = max(near, key=lambda u: u.evidence, default=None)
                    info = (
                        f"best {best.text!r} m {best.margin} g {best.gain} -> {best.restored!r}"
                        if best
                        else "no unit"
                    )
                    print(
                        f"{example.name:14} MISS  {span.text!r:22} (was {span.original!r}) {info}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
