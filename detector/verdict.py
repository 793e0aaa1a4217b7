"""From an alignment and its judged spans to a document verdict.

The spin score weighs three things: how many of the suspect's compared content
words were swapped for synonyms, how spinner-like each swap is (its span
score: rare words for common ones), and whether the swaps spread through the
text rather than sitting in one or two edited sentences.  Editors swap a word
here and there; spinners swap a steady share of every sentence.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from detector.align import Alignment, content_overlap
from detector.judge import Span
from detector.report import Relation, Report
from detector.stopwords import STOPWORDS

__all__ = ["SPIN_THRESHOLD", "decide", "spin_features"]

SPIN_THRESHOLD = 0.5  # spin_score at or above which a copy is called spun

# Relation thresholds: share of the suspect's words reused from the original
# (unchanged or swapped), and content overlap of the two texts as wholes.
_COPY_REUSE = 0.35
_REWRITE_OVERLAP = 0.2

# Spin-score weights over the features of ``spin_features``; see bench/calibrate_verdict.py.
_BIAS = -5.0
_WEIGHTS = {"weighted_rate": 60.0, "sentence_share": 4.0}


def _word_count(text: str) -> int:
    return max(1, len(text.split()))


def spin_features(alignment: Alignment, spans: tuple[Span, ...]) -> dict[str, float]:
    """Document-level evidence of spinning: rates of swaps among compared content words."""
    suspect = alignment.suspect
    paired_sentences = [suspect.sentences[p.suspect] for p in alignment.sentence_pairs]
    content = sum(
        hi - lo - sum(map(STOPWORDS.__contains__, suspect.words[lo:hi]))
        for lo, hi in paired_sentences
    )
    spin = [s for s in spans if s.is_spin]
    sentence_starts = [suspect.starts[lo] for lo, _ in paired_sentences]
    order = sorted(range(len(sentence_starts)), key=sentence_starts.__getitem__)
    sorted_starts = [sentence_starts[k] for k in order]
    with_swaps = set()
    for span in spin:
        k = bisect_right(sorted_starts, span.start) - 1
        if k >= 0:
            hi = paired_sentences[order[k]][1]
            if span.start < suspect.ends[hi - 1]:
                with_swaps.add(order[k])
    return {
        "paired_content_words": float(content),
        "swaps": float(len(spin)),
        "rate": len(spin) / content if content else 0.0,
        "weighted_rate": sum(s.score for s in spin) / content if content else 0.0,
        "sentence_share": len(with_swaps) / len(paired_sentences) if paired_sentences else 0.0,
        "reuse": (alignment.count("equal") + sum(_word_count(s.text) for s in spin))
        / max(1, len(suspect)),
    }


def _relation(alignment: Alignment, reuse: float) -> Relation:
    if reuse >= _COPY_REUSE:
        return "copy"
    if content_overlap(alignment.suspect, alignment.original) >= _REWRITE_OVERLAP:
        return "rewrite"
    return "unrelated"


def decide(alignment: Alignment, spans: tuple[Span, ...], source: str | None = None) -> Report:
    """The verdict on ``alignment.suspect``: spun or not, its relation to the original, and why."""
    features = spin_features(alignment, spans)
    relation = _relation(alignment, features["reuse"])
    z = _BIAS + sum(weight * features[name] for name, weight in _WEIGHTS.items())
    spin_score = 1.0 / (1.0 + math.exp(-z))
    if relation != "copy":
        spin_score = min(spin_score, 0.05)  # only a copy can be a spun copy
    verdict = "spun" if spin_score >= SPIN_THRESHOLD else "not_spun"
    return Report(
        verdict=verdict,
        relation=relation,
        spin_score=spin_score,
        substitution_rate=features["rate"],
        source=source if source is not None else alignment.original.name,
        spans=spans,
        suspect=alignment.suspect,
        original=alignment.original,
        mode="reference",
    )
