"""Benchmark of partial reuse: reused passages found inside longer, unrelated pages.

Builds pairs from the stories of ../shared/corpora (OneStopEnglish advanced texts
and WikiNewsSum articles), scores each suspect against its original with
``ReferenceScorer.score_pair`` and reads the report's ``passages``:

1. **partial copies**: one or two paragraphs of an original, spun by the ``moby``
   training spinner at rates 0.2-0.4 (or, for half of them, copied unspun), set
   into a page of paragraphs from other stories (before, after, or both); the
   original is the whole source article;
2. **fragments**: a one-sentence or one-paragraph original inside a longer spun
   page (its story's paragraphs around it, spun at 0.2-0.4);
3. **negatives**: unrelated pairs (different stories) and OneStopEnglish human
   rewrites (elementary against advanced of the same story).

A true reused stretch is *found* when reported passages cover at least half of
its characters (passage recall); passage precision is the share of reported
passage characters that lie inside a true stretch.

Usage::

    python bench/bench_passages.py --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import lzma
import platform
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
OSE = CORPORA / "onestopenglish_all_levels.jsonl.xz"
WIKINEWS = CORPORA / "wikinewssum_en_articles.jsonl.xz"
SECTION = "passages"
SEP = "\n\n"
MIN_FOUND = 0.5  # share of a true stretch's characters the passages must cover
TARGET_PASSAGES = 0.9  # passage recall and precision (issue 12)
TARGET_HARD_FP = 0.02  # false copy or spun calls on hard negatives (issue 12)


@dataclass(frozen=True)
class Story:
    """One article: its name, its whole text and its paragraphs."""

    name: str
    text: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """A suspect, its original, and where the suspect's reused stretches lie.

    ``truth`` holds half-open character ranges of ``suspect``; ``spun`` says
    whether the reused text was spun (None for a negative).
    """

    suspect: str
    original: str
    truth: tuple[tuple[int, int], ...]
    spun: bool | None
    label: str


@dataclass(frozen=True)
class PassageQuality:
    """Passage recall/precision and verdicts over cases that do reuse text."""

    pairs: int
    stretches: int
    found: int
    reported_chars: int
    inside_chars: int
    copies: int
    spun_cases: int
    spun_called_spun: int
    unspun_cases: int
    unspun_called_not_spun: int

    @property
    def recall(self) -> float:
        return self.found / self.stretches if self.stretches else 0.0

    @property
    def precision(self) -> float:
        return self.inside_chars / self.reported_chars if self.reported_chars else 0.0


@dataclass(frozen=True)
class NegativeQuality:
    """False calls over pairs that reuse nothing."""

    pairs: int
    copies: int
    spun: int
    with_passages: int
    passages: int
    added_copies: int  # `copy` made by the passage search (the whole text was no copy)


def paragraphs(text: str) -> tuple[str, ...]:
    """The non-empty paragraphs (lines) of ``text``, stripped."""
    return tuple(p.strip() for p in text.split("\n") if p.strip())


def load_stories() -> tuple[list[Story], list[tuple[str, str]], str] | None:
    """Stories with three paragraphs or more, OneStopEnglish (elementary, advanced) pairs.

    None when ../shared/corpora holds neither corpus.
    """
    stories: list[Story] = []
    rewrites: list[tuple[str, str]] = []
    names = []
    if OSE.is_file():
        by_topic: dict[str, dict[str, str]] = {}
        with lzma.open(OSE, "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                by_topic.setdefault(row["topic"], {})[row["level"]] = row["text"]
        for topic, levels in sorted(by_topic.items()):
            if "adv" in levels:
                stories.append(Story(f"ose:{topic}", levels["adv"], paragraphs(levels["adv"])))
                if "ele" in levels:
                    rewrites.append((levels["ele"], levels["adv"]))
        names.append(f"OneStopEnglish advanced ({len(stories)})")
    if WIKINEWS.is_file():
        before = len(stories)
        with lzma.open(WIKINEWS, "rt", encoding="utf-8") as f:
            for k, line in enumerate(f):
                text = json.loads(line)["text"]
                stories.append(Story(f"wikinews:{k}", text, paragraphs(text)))
        names.append(f"WikiNewsSum ({len(stories) - before})")
    stories = [s for s in stories if len(s.paragraphs) >= 3]
    if not stories:
        return None
    return stories, rewrites, " and ".join(names)


def _join(parts: Sequence[str], reused: Iterable[int]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``parts`` joined as paragraphs, with the character ranges of the parts at ``reused``."""
    reused = set(reused)
    text, truth = "", []
    for k, part in enumerate(parts):
        if text:
            text += SEP
        if k in reused:
            truth.append((len(text), len(text) + len(part)))
        text += part
    return text, tuple(truth)


def _filler(stories: Sequence[Story], exclude: str, rng: random.Random, count: int) -> list[str]:
    """``count`` consecutive paragraphs from one or two stories other than ``exclude``."""
    out: list[str] = []
    while len(out) < count:
        story = rng.choice(stories)
        if story.name == exclude:
            continue
        take = min(count - len(out), rng.randint(1, 3), len(story.paragraphs))
        at = rng.randrange(len(story.paragraphs) - take + 1)
        out += story.paragraphs[at : at + take]
    return out


def _spin(spinner, text: str, rng: random.Random, seed: int) -> str:
    return spinner.spin(text, rate=rng.uniform(0.2, 0.4), seed=seed).text


def partial_case(
    stories: Sequence[Story], spinner, rng: random.Random, seed: int, *, spun: bool
) -> Case:
    """One or two paragraphs of a story (spun or not) inside paragraphs of other stories."""
    story = rng.choice(stories)
    take = rng.choice((1, 2))
    at = rng.randrange(len(story.paragraphs) - take + 1)
    reused = SEP.join(story.paragraphs[at : at + take])
    if spun:
        reused = _spin(spinner, reused, rng, seed)
    where = rng.choice(("before", "after", "both"))
    before = _filler(stories, story.name, rng, rng.randint(2, 4)) if where != "after" else []
    after = _filler(stories, story.name, rng, rng.randint(2, 4)) if where != "before" else []
    suspect, truth = _join([*before, reused, *after], [len(before)])
    return Case(suspect, story.text, truth, spun, f"partial/{where}/{take}p")


def fragment_case(
    stories: Sequence[Story], spinner, rng: random.Random, seed: int, *, sentence: bool
) -> Case | None:
    """A one-sentence (or one-paragraph) original inside its story's spun paragraphs."""
    from detector.document import make_document

    story = rng.choice(stories)
    at = rng.randrange(len(story.paragraphs))
    lo, hi = max(0, at - rng.randint(1, 3)), min(len(story.paragraphs), at + rng.randint(2, 4))
    paragraph = story.paragraphs[at]
    head, fragment, tail = "", paragraph, ""
    if sentence:
        doc = make_document(paragraph)
        long_ones = [(a, b) for a, b in doc.sentences if b - a >= 12]
        if not long_ones:
            return None
        start, end = doc.padded_span(*rng.choice(long_ones))
        head, fragment, tail = paragraph[:start], paragraph[start:end], paragraph[end:]
    spun_fragment = _spin(spinner, fragment, rng, seed)
    middle = ""
    if head.strip():
        middle = _spin(spinner, head.rstrip(), rng, seed + 2) + head[len(head.rstrip()) :]
    f_start = len(middle)
    middle += spun_fragment
    f_end = len(middle)
    if tail.strip():
        middle += tail[: len(tail) - len(tail.lstrip())] + _spin(
            spinner, tail.lstrip(), rng, seed + 1
        )
    around = [_spin(spinner, p, rng, seed + k) for k, p in enumerate(story.paragraphs[lo:hi], 3)]
    parts = [*around[: at - lo], middle, *around[at - lo + 1 :]]
    suspect, truth = _join(parts, [at - lo])
    offset = truth[0][0]
    truth = ((offset + f_start, offset + f_end),)
    label = "fragment/sentence" if sentence else "fragment/paragraph"
    return Case(suspect, fragment, truth, True, label)


def substantial(text: str) -> bool:
    """Whether reused ``text`` alone makes a copy: 2 sentences or more, or 40 words or more."""
    from detector.document import make_document

    doc = make_document(text)
    return len(doc) >= 40 or len(doc.sentences) >= 2


def _covered(stretch: tuple[int, int], ranges: Sequence[tuple[int, int]]) -> int:
    """Characters of ``stretch`` inside the union of ``ranges``."""
    clipped = sorted((max(stretch[0], lo), min(stretch[1], hi)) for lo, hi in ranges)
    total, reach = 0, stretch[0]
    for lo, hi in clipped:
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def measure(cases: Sequence[Case], reports: Sequence) -> PassageQuality:
    """Passage recall and precision, copy and verdict rates of ``reports`` on ``cases``."""
    stretches = found = reported = inside = copies = 0
    spun_cases = spun_ok = unspun_cases = unspun_ok = 0
    for case, report in zip(cases, reports, strict=True):
        ranges = [(p.start, p.end) for p in report.passages]
        for stretch in case.truth:
            stretches += 1
            found += _covered(stretch, ranges) >= MIN_FOUND * (stretch[1] - stretch[0])
        for r in ranges:
            reported += r[1] - r[0]
            inside += _covered(r, case.truth)
        copies += report.relation == "copy"
        if case.spun:
            spun_cases += 1
            spun_ok += report.verdict == "spun"
        else:
            unspun_cases += 1
            unspun_ok += report.verdict == "not_spun"
    return PassageQuality(
        len(cases),
        stretches,
        found,
        reported,
        inside,
        copies,
        spun_cases,
        spun_ok,
        unspun_cases,
        unspun_ok,
    )


def measure_negatives(reports: Sequence, whole: Sequence[str | None]) -> NegativeQuality:
    """False ``copy`` relations, ``spun`` verdicts and passages on pairs that reuse nothing.

    ``whole`` holds each pair's relation when the texts are aligned as wholes,
    before any passage search.
    """
    return NegativeQuality(
        len(reports),
        sum(r.relation == "copy" for r in reports),
        sum(r.verdict == "spun" for r in reports),
        sum(bool(r.passages) for r in reports),
        sum(len(r.passages) for r in reports),
        sum(r.relation == "copy" and w != "copy" for r, w in zip(reports, whole, strict=True)),
    )


def whole_relations(scorer, pairs: Iterable[tuple[str, str]]) -> list[str | None]:
    """The relation of each (suspect, original) pair aligned as wholes (no passage search)."""
    from detector.align import align
    from detector.document import make_document
    from detector.verdict import decide

    out = []
    for s, o in pairs:
        alignment = align(make_document(s), make_document(o))
        report = decide(alignment, scorer.judge.judge(alignment), scorer.judge.weights)
        out.append(report.relation)
    return out


def score_all(scorer, pairs: Iterable[tuple[str, str]]) -> list:
    """The reports of ``scorer`` on (suspect, original) texts."""
    from detector.document import make_document

    return [
        scorer.score_pair(make_document(s, "suspect"), make_document(o, "original")).report
        for s, o in pairs
    ]


def _pct(k: int, n: int) -> str:
    return f"{k / n:.1%} ({k}/{n})" if n else "n/a"


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=400, help="partial copies (half spun)")
    parser.add_argument("--fragments", type=int, default=200, help="fragment originals")
    parser.add_argument("--negatives", type=int, default=400, help="unrelated pairs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    args = parser.parse_args(argv)

    loaded = load_stories()
    if loaded is None:
        print(f"skipped: no corpora under {CORPORA}")
        return 0
    stories, rewrites, corpus = loaded

    from _report import write_section  # bench/ is on sys.path when run as a script

    from detector.score import ReferenceScorer
    from detector.spin.spinner import Spinner

    rng = random.Random(args.seed)
    spinner = Spinner.from_profile("moby")
    partial = [
        partial_case(stories, spinner, rng, args.seed + k, spun=k % 2 == 0)
        for k in range(args.pairs)
    ]
    fragments: list[Case] = []
    k = 0
    while len(fragments) < args.fragments and k < 10 * args.fragments:
        case = fragment_case(stories, spinner, rng, args.seed + 7919 * k, sentence=k % 2 == 0)
        k += 1
        if case is not None:
            fragments.append(case)
    unrelated = []
    for _ in range(args.negatives):
        a, b = rng.sample(stories, 2)
        unrelated.append((a.text, b.text))

    scorer = ReferenceScorer()
    t0 = time.perf_counter()
    partial_reports = score_all(scorer, ((c.suspect, c.original) for c in partial))
    t_partial = time.perf_counter() - t0
    fragment_reports = score_all(scorer, ((c.suspect, c.original) for c in fragments))
    unrelated_reports = score_all(scorer, unrelated)
    rewrite_reports = score_all(scorer, rewrites)
    elapsed = time.perf_counter() - t0

    p = measure(partial, partial_reports)
    spun_p = measure(
        [c for c in partial if c.spun],
        [r for c, r in zip(partial, partial_reports, strict=True) if c.spun],
    )
    copy_p = measure(
        [c for c in partial if not c.spun],
        [r for c, r in zip(partial, partial_reports, strict=True) if not c.spun],
    )
    big = [
        (c, r)
        for c, r in zip(partial, partial_reports, strict=True)
        if substantial(c.suspect[c.truth[0][0] : c.truth[0][1]])
    ]
    small = [(c, r) for c, r in zip(partial, partial_reports, strict=True) if (c, r) not in big]
    p_big = measure([c for c, _ in big], [r for _, r in big])
    p_small = measure([c for c, _ in small], [r for _, r in small])
    sent = [
        (c, r)
        for c, r in zip(fragments, fragment_reports, strict=True)
        if c.label.endswith("sentence")
    ]
    para = [
        (c, r)
        for c, r in zip(fragments, fragment_reports, strict=True)
        if not c.label.endswith("sentence")
    ]
    f = measure(fragments, fragment_reports)
    f_sent = measure([c for c, _ in sent], [r for _, r in sent])
    f_para = measure([c for c, _ in para], [r for _, r in para])
    neg_u = measure_negatives(unrelated_reports, whole_relations(scorer, unrelated))
    neg_r = measure_negatives(rewrite_reports, whole_relations(scorer, rewrites))

    def row(name: str, q: PassageQuality) -> str:
        verdict = []
        if q.spun_cases:
            verdict.append(f"`spun` {_pct(q.spun_called_spun, q.spun_cases)}")
        if q.unspun_cases:
            verdict.append(f"`not_spun` {_pct(q.unspun_called_not_spun, q.unspun_cases)}")
        return (
            f"| {name} | {q.pairs} | {_pct(q.found, q.stretches)} | "
            f"{_pct(q.inside_chars, q.reported_chars)} chars | "
            f"{_pct(q.copies, q.pairs)} | {'; '.join(verdict)} |"
        )

    def neg_row(name: str, q: NegativeQuality) -> str:
        return (
            f"| {name} | {q.pairs} | {_pct(q.copies, q.pairs)} | {_pct(q.spun, q.pairs)} | "
            f"{_pct(q.added_copies, q.pairs)} | "
            f"{_pct(q.with_passages, q.pairs)} ({q.passages} passages) |"
        )

    hard_n = neg_u.pairs + neg_r.pairs
    hard_spun = neg_u.spun + neg_r.spun
    hard_added = neg_u.added_copies + neg_r.added_copies
    lines = [
        "## Partial reuse: passages (`spindetect score --original`)",
        "",
        "Reproduce: `make bench-passages` (runs `python bench/bench_passages.py --write "
        "BENCHMARKS.md`).",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
        f"{platform.python_version()}, one process. Stories: {corpus}, with 3 paragraphs "
        f"or more. Scored {len(partial) + len(fragments) + len(unrelated) + len(rewrites)} "
        f"pairs in {elapsed:.0f} s ({len(partial) / t_partial:.1f} partial copies/s).",
        "",
        "Partial copies: one or two paragraphs of a story, spun by the `moby` training "
        "spinner at rates 0.2-0.4 (even-numbered pairs) or copied unspun (odd), set into 2-4 "
        "paragraphs of other stories before, after or on both sides; the original is the "
        "whole story. Fragments: one sentence (12 words or more) or one paragraph of a story "
        "as the original, inside its story's neighbouring paragraphs, all spun at 0.2-0.4. "
        f"A reused stretch is found when passages cover at least {MIN_FOUND:.0%} of its "
        "characters; precision is the share of reported passage characters inside a "
        "reused stretch.",
        "",
        "| case | pairs | passage recall | passage precision | `relation: copy` | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        row("partial copies, all", p),
        row("partial copies, spun", spun_p),
        row("partial copies, unspun", copy_p),
        row("partial copies, 2+ sentences or 40+ words", p_big),
        row("partial copies, one sentence under 40 words", p_small),
        row("fragment original, all", f),
        row("fragment original, one sentence", f_sent),
        row("fragment original, one paragraph", f_para),
        "",
        "| negatives | pairs | `copy` | `spun` | `copy` added by the passage search | "
        "pairs with passages |",
        "| --- | --- | --- | --- | --- | --- |",
        neg_row("unrelated stories", neg_u),
        neg_row("OneStopEnglish rewrites (elementary vs advanced)", neg_r),
        "",
        "Targets (issue 12): passage recall >= 90%: partial copies "
        f"{_met(p.recall >= TARGET_PASSAGES)} ({p.recall:.1%}; on stretches of 2+ "
        f"sentences or 40+ words {_met(p_big.recall >= TARGET_PASSAGES)}, "
        f"{p_big.recall:.1%}), fragments "
        f"{_met(f.recall >= TARGET_PASSAGES)} ({f.recall:.1%}); passage precision >= 90%: "
        f"partial copies {_met(p.precision >= TARGET_PASSAGES)} ({p.precision:.1%}), "
        f"fragments {_met(f.precision >= TARGET_PASSAGES)} ({f.precision:.1%}); "
        "hard-negative false positives <= 2%: `spun` verdicts on rewrites and unrelated "
        f"pairs {_met(hard_spun <= TARGET_HARD_FP * hard_n)} ({_pct(hard_spun, hard_n)}), "
        "`copy` relations added by the passage search "
        f"{_met(hard_added <= TARGET_HARD_FP * hard_n)} ({_pct(hard_added, hard_n)}).",
        "",
        "OneStopEnglish's elementary texts are edited down from the advanced ones and keep "
        "many of their sentences nearly word for word, so the whole-text alignment already "
        f"calls {neg_r.copies - neg_r.added_copies} of the {neg_r.pairs} a `copy` before any "
        "passage search (as in the reference benchmark, where only `spun` counts as a false "
        "positive on them); the `copy` column counts those too. A partial copy of one "
        "sentence under 40 words is below what the scorer takes as substantial reuse "
        "(2 sentences or 40 words, or nearly all of a short original): its passage is "
        "listed, with a note, but the page is not called a `copy` and its verdict stays "
        "that of the page as a whole; such short stretches (single-line paragraphs) make "
        "most of the partial-copy misses. A one-sentence fragment the spinner changed in "
        "one word only is found but `not_spun`: a copy needs two swaps to be spun (one "
        "word changed is what editors do).",
    ]
    body = "\n".join(lines) + "\n"
    print(body)
    if args.write:
        write_section(args.write, SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
