"""From an alignment and its judged spans to a document verdict.

The spin score weighs three things: how many of the suspect's compared content
words were swapped for synonyms, how spinner-like each swap is (its span
score: rare words for common ones), and whether the swaps spread through the
text rather than sitting in one or two edited sentences.  Editors swap a word
here and there; spinners swap a steady share of every sentence.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter

from detector.align import Alignment, Edit, content_overlap
from detector.calibration import ReferenceWeights, load_reference_weights
from detector.facts import date_value
from detector.judge import find_gaps
from detector.passages import (
    PassageRange,
    measure_coverage,
    passages_from_alignment,
    reuse_extents,
    to_passage,
)
from detector.report import Passage, Relation, Report, Span, plural
from detector.stopwords import STOPWORDS

__all__ = [
    "MIN_SPUN_SWAPS",
    "decide",
    "decide_with_features",
    "few_swaps_note",
    "spin_features",
    "spun_verdict",
]

# Relation thresholds: share of the suspect's words reused from the original
# (unchanged or swapped), and content overlap of the two texts as wholes.
_COPY_REUSE = 0.35
_REWRITE_OVERLAP = 0.2
_DATE_WORDS = 6  # most words of an edit read as one date rewritten ("Tuesday, 12 June 2024")
_START = attrgetter("start")
# Fewest swaps a spun copy has: one word changed is what an editor does, however short
# the text and so however high its swap rate ("arrested" -> "detained" in a one-sentence
# police brief scored 1.00).  Such a copy's score is capped at ``_ONE_SWAP_SCORE``.
MIN_SPUN_SWAPS = 2
_ONE_SWAP_SCORE = 0.25


def spun_verdict(spin_score: float, swaps: int, threshold: float) -> tuple[str, float]:
    """The verdict on a copy with ``swaps`` swaps scored ``spin_score``, and the score
    reported: ``spun`` from ``threshold``, and never on fewer than ``MIN_SPUN_SWAPS``."""
    if swaps < MIN_SPUN_SWAPS:
        return "not_spun", min(spin_score, _ONE_SWAP_SCORE)
    return ("spun" if spin_score >= threshold else "not_spun"), spin_score


def _word_count(text: str) -> int:
    return max(1, len(text.split()))


def _a_date_rewritten(span: Span) -> bool:
    """Whether ``span`` is a date rewritten whole ("March 15, 2024" for "Published 14
    March 2024"): a short edit, however many words it spans."""
    return (
        max(_word_count(span.text), _word_count(span.original)) <= _DATE_WORDS
        and date_value(span.text) is not None
        and date_value(span.original) is not None
    )


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
    short = long_edits = 0
    for span in spans:
        longest = max(_word_count(span.text), _word_count(span.original))
        if longest <= 2:
            short += 1
        elif not span.is_spin and not _a_date_rewritten(span):
            long_edits += 1
    paired_words = sum(hi - lo for lo, hi in paired_sentences)
    reused = alignment.count("equal") + sum(_word_count(s.text) for s in spin)
    gaps = alignment.count_within_pairs("insert") + alignment.count_within_pairs("delete")
    return {
        "paired_content_words": float(content),
        "swaps": float(len(spin)),
        "rate": len(spin) / content if content else 0.0,
        "weighted_rate": sum(s.score for s in spin) / content if content else 0.0,
        "sentence_share": len(with_swaps) / len(paired_sentences) if paired_sentences else 0.0,
        "log_swaps": math.log1p(len(spin)),
        # Spinners swap words one for one and leave sentences standing; human rewrites
        # restructure them: longer edits, and words added or dropped inside sentences.
        "short_swap_rate": short / content if content else 0.0,
        "long_edit_rate": long_edits / content if content else 0.0,
        "gap_rate": gaps / paired_words if paired_words else 0.0,
        "reuse": reused / max(1, len(suspect)),
        # The same share within the paired sentences alone: a copy's paired sentences
        # are copied or spun (near 1), an independent report's share names and numbers
        # (0.3 to 0.6), however much text of its own either holds.
        "pair_reuse": reused / max(1, paired_words),
    }


def _relation(alignment: Alignment, reuse: float, copy_reuse: float) -> Relation:
    if reuse >= copy_reuse:
        return "copy"
    if content_overlap(alignment.suspect, alignment.original) >= _REWRITE_OVERLAP:
        return "rewrite"
    return "unrelated"


def _passages(
    alignment: Alignment, found: tuple[PassageRange, ...], spans: tuple[Span, ...], spun: bool
) -> tuple[Passage, ...]:
    """The reused passages ``found``: ``spun`` where the suspect is spun and a swap lies inside."""
    passages = []
    for each in found:
        passage = to_passage(each, alignment.suspect, alignment.original, "copy")
        if spun:
            k = bisect_left(spans, passage.start, key=_START)
            while k < len(spans) and spans[k].start < passage.end:
                if spans[k].is_spin:
                    passage = replace(passage, kind="spun")
                    break
                k += 1
        passages.append(passage)
    return tuple(passages)


def decide(
    alignment: Alignment,
    spans: tuple[Span, ...],
    weights: ReferenceWeights | None = None,
    source: str | None = None,
) -> Report:
    """The verdict on ``alignment.suspect``: spun or not, its relation to the original, and why.

    ``weights`` is the document model (the bundled calibration by default).
    """
    return decide_with_features(alignment, spans, weights, source)[0]


def decide_with_features(
    alignment: Alignment,
    spans: tuple[Span, ...],
    weights: ReferenceWeights | None = None,
    source: str | None = None,
    dropped: tuple[Edit, ...] = (),
    *,
    copy_reuse: float = _COPY_REUSE,
) -> tuple[Report, dict[str, float]]:
    """Like ``decide``, also returning the document features (``spin_features``) it weighed.

    ``spans`` are the judged substitutions and ``dropped`` the original words the
    judge found dropped inside them (``SubstitutionJudge.judge_with_drops``); the
    report on a copy adds the suspect's added words (``insert`` spans) and the
    original text it dropped (``deletions``), ordinary edits that weigh nothing in
    the verdict, and the passages it reused.  ``copy_reuse``: the share of the
    suspect's words reused (unchanged or swapped) from which it is a copy.
    """
    weights = weights if weights is not None else load_reference_weights()
    if any(s.kind == "insert" for s in spans):
        spans = tuple(s for s in spans if s.kind != "insert")
    features = spin_features(alignment, spans)
    relation = _relation(alignment, features["reuse"], copy_reuse)
    spin_score = weights.document.probability(features)
    if relation != "copy":
        spin_score = min(spin_score, 0.05)  # only a copy can be a spun copy
    verdict, spin_score = spun_verdict(spin_score, int(features["swaps"]), weights.threshold)
    # Added and dropped text, and the reused passages, only mean something in a copy.
    inserts, deletions = find_gaps(alignment, spans, dropped) if relation == "copy" else ((), ())
    if relation == "copy":
        # Words added inside a rewritten stretch ("LONDON (Wire) -" before a swap) reach
        # the judge as ordinary edits with nothing in the original: insertions too.
        in_place = [s for s in spans if _added_in_place(s)]
        if in_place:
            spans = tuple(s for s in spans if not _added_in_place(s))
            inserts += tuple(
                replace(s, kind="insert", score=0.0)
                for s in in_place
                if not any(s.start < i.end and i.start < s.end for i in inserts)
            )
    found = passages_from_alignment(alignment) if relation == "copy" else ()
    passages = _passages(alignment, found, spans, verdict == "spun")
    if inserts:
        spans = tuple(sorted(spans + inserts, key=lambda s: s.start))
    report = Report(
        verdict=verdict,
        relation=relation,
        spin_score=spin_score,
        substitution_rate=features["rate"],
        source=source if source is not None else alignment.original.name,
        spans=spans,
        suspect=alignment.suspect,
        original=alignment.original,
        mode="reference",
        deletions=deletions,
        passages=passages,
        coverage=measure_coverage(
            passages, alignment.suspect, alignment.original, *reuse_extents(spans, deletions)
        ),
        note=few_swaps_note(verdict, relation, spans, weights.threshold),
    )
    return report, features


def few_swaps_note(
    verdict: str, relation: str | None, spans: Sequence[Span], threshold: float
) -> str | None:
    """Why a copy with swaps is not spun ("2 swaps in this copy, too few ..."), else None."""
    swaps = sum(s.is_spin for s in spans)
    if relation != "copy" or verdict != "not_spun" or not swaps:
        return None
    if swaps < MIN_SPUN_SWAPS:
        return "1 swap in this copy, too few to call it spun: a single change is what editors make"
    return (
        f"{plural(swaps, 'swap')} in this copy, too few to call it spun (its spin score is "
        f"under {threshold:.2f})"
    )


def _added_in_place(span: Span) -> bool:
    """An ordinary edit of words the original does not have (an insertion): a number too
    ("March 15, 2024" for "Published 14 March 2024" showed "[15|]", an edit of nothing)."""
    return span.kind in ("edit", "name", "number") and span.original_start == span.original_end
