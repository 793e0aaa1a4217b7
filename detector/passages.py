"""Passages: the stretches of a suspect reused from stretches of an original.

Two ways to find them, both giving word ranges that hold whole sentences:

* ``passages_from_alignment`` reads them off a global alignment: runs of
  matched sentences that follow on from each other in both texts (cheap; for
  a suspect that is a copy as a whole).
* ``find_passages`` searches for them locally, in the manner of the PAN
  text-alignment task, when a suspect reuses only part of its text (a spun
  paragraph inside an unrelated page, a short original inside a longer one).
  Seeds are the content words the two texts share (names, numbers and every
  word a spinner left alone; words frequent in either text are left out, as
  they seed everywhere, where frequent in a suspect several times the
  original's length means frequent for that length); seeds lying close
  together in both texts are clustered, and each cluster is widened to whole
  sentences.  The caller aligns each candidate on its own to confirm it (and
  searches what that alignment leaves again, for a text copied twice).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter

from detector.align import Alignment
from detector.document import Document
from detector.report import Coverage, Deletion, Passage, PassageKind, Span
from detector.stopwords import STOPWORDS

__all__ = [
    "PassageRange",
    "find_passages",
    "measure_coverage",
    "passages_from_alignment",
    "reuse_extents",
    "to_passage",
    "words_within",
]

_RUN_GAP = 60  # words of unmatched text that may lie inside one passage, on either side
_SEED_GAP = 30  # words between neighbouring seeds of one cluster, on either side
_MAX_SEED_COUNT = 4  # a word more frequent than this in either text seeds nothing
_LONGER = 3  # a suspect this many times the original's length has that bound raised
_MIN_SEEDS = 4  # distinct seeded words, on each side, of a candidate passage
_SUSPECT = attrgetter("suspect")


@dataclass(frozen=True, slots=True)
class PassageRange:
    """A reused stretch as half-open word ranges of the suspect and of the original."""

    suspect: tuple[int, int]
    original: tuple[int, int]


def to_passage(
    found: PassageRange, suspect: Document, original: Document, kind: PassageKind
) -> Passage:
    """``found`` as the answer type: character offsets taking in its sentences' punctuation."""
    start, end = suspect.padded_span(*found.suspect)
    original_start, original_end = original.padded_span(*found.original)
    return Passage(start, end, original_start, original_end, kind)


def passages_from_alignment(alignment: Alignment) -> tuple[PassageRange, ...]:
    """The runs of matched sentences of ``alignment``, in suspect order.

    A run goes on across unmatched text of up to a few dozen words on either
    side (a dropped sentence, an added credit line) and across sentences
    reordered within that reach.
    """
    suspect, original = alignment.suspect, alignment.original
    runs: list[list[int]] = []  # suspect lo, hi, original lo, hi
    for pair in sorted(alignment.sentence_pairs, key=_SUSPECT):
        s_lo, s_hi = suspect.sentences[pair.suspect]
        o_lo = original.sentences[pair.original[0]][0]
        o_hi = original.sentences[pair.original[1] - 1][1]
        if runs:
            run = runs[-1]
            if s_lo - run[1] <= _RUN_GAP and run[2] - _RUN_GAP <= o_lo <= run[3] + _RUN_GAP:
                run[1] = s_hi
                run[2], run[3] = min(run[2], o_lo), max(run[3], o_hi)
                continue
        runs.append([s_lo, s_hi, o_lo, o_hi])
    return tuple(PassageRange((r[0], r[1]), (r[2], r[3])) for r in runs)


def measure_coverage(
    passages: tuple[Passage, ...],
    suspect: Document,
    original: Document,
    added: Sequence[tuple[int, int]] = (),
    dropped: Sequence[tuple[int, int]] = (),
) -> Coverage:
    """The share of the suspect's and of the original's words reused: inside
    ``passages``, less the suspect's text ``added`` and the original's text ``dropped``
    within them (character extents: a passage runs on across a dropped sentence or an
    added paragraph, which are not reused)."""
    return Coverage(
        suspect=_words_kept(suspect, [(p.start, p.end) for p in passages], added)
        / max(1, len(suspect)),
        original=_words_kept(
            original, [(p.original_start, p.original_end) for p in passages], dropped
        )
        / max(1, len(original)),
    )


def reuse_extents(
    spans: Sequence[Span], deletions: Sequence[Deletion]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The character extents of the suspect's added text (``insert`` spans) and of the
    original's dropped text (``deletions``): what ``measure_coverage`` does not count."""
    added = [(s.start, s.end) for s in spans if s.kind == "insert"]
    return added, [(d.original_start, d.original_end) for d in deletions]


def _words_kept(
    doc: Document, extents: Sequence[tuple[int, int]], less: Sequence[tuple[int, int]]
) -> int:
    """How many of ``doc``'s words start inside any of ``extents`` and inside none of ``less``."""
    inside = _words_within(doc, list(extents))
    if not less or not inside:
        return inside
    removed = [(max(a, c), min(b, d)) for a, b in extents for c, d in less if max(a, c) < min(b, d)]
    return inside - _words_within(doc, removed)


def words_within(doc: Document, start: int, end: int) -> int:
    """How many of ``doc``'s words start inside the characters ``start..end``."""
    return bisect_left(doc.starts, end) - bisect_left(doc.starts, start)


def _words_within(doc: Document, extents: list[tuple[int, int]]) -> int:
    """How many of ``doc``'s words start inside any of the character ``extents``."""
    total = 0
    reach = 0
    for start, end in sorted(extents):
        start = max(start, reach)
        if end > start:
            total += words_within(doc, start, end)
            reach = end
    return total


def find_passages(suspect: Document, original: Document) -> tuple[PassageRange, ...]:
    """Candidate reused passages, found from shared words alone, in suspect order.

    Candidates do not overlap in the suspect; where two would, the one with
    more seeds is kept.  Each still needs confirming by aligning it.
    """
    seeds = _seeds(suspect, original)
    if not seeds:
        return ()
    found: list[tuple[int, PassageRange]] = []
    for cluster in _clusters(seeds):
        if len({i for i, _ in cluster}) < _MIN_SEEDS or len({j for _, j in cluster}) < _MIN_SEEDS:
            continue
        s_range = _sentences_around(suspect, min(i for i, _ in cluster), max(i for i, _ in cluster))
        o_range = _sentences_around(
            original, min(j for _, j in cluster), max(j for _, j in cluster)
        )
        found.append((len(cluster), PassageRange(s_range, o_range)))
    kept: list[PassageRange] = []
    for _, candidate in sorted(found, key=lambda f: (-f[0], f[1].suspect)):
        lo, hi = candidate.suspect
        if all(hi <= k.suspect[0] or k.suspect[1] <= lo for k in kept):
            kept.append(candidate)
    return tuple(sorted(kept, key=lambda p: p.suspect))


def _is_seed_word(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 2 or not word.isalpha())


def _seeds(suspect: Document, original: Document) -> list[tuple[int, int]]:
    """(suspect word, original word) positions of the shared words that seed passages."""
    in_original: dict[str, list[int]] = {}
    for j, word in enumerate(original.words):
        if _is_seed_word(word):
            in_original.setdefault(word, []).append(j)
    in_suspect = Counter(w for w in suspect.words if w in in_original)
    # A word is frequent for the suspect's length: in a suspect five times the original's
    # length (an article repeated, or set in megabytes of other text) a word of the
    # original may turn up five times as often.  The original's bound stays (measured:
    # raised for a long original, its common words merged a short reused passage into
    # a cluster of chance seeds), so a suspect word seeds at most _MAX_SEED_COUNT pairs.
    most_in_suspect = _MAX_SEED_COUNT * _times_longer(len(suspect), len(original))
    seeds = []
    for i, word in enumerate(suspect.words):
        positions = in_original.get(word)
        if positions and len(positions) <= _MAX_SEED_COUNT and in_suspect[word] <= most_in_suspect:
            seeds.extend((i, j) for j in positions)
    return seeds


def _times_longer(words: int, other: int) -> int:
    """How many times ``other`` ``words`` is, rounded down, when at least ``_LONGER``;
    else 1 (texts of comparable length keep the plain bound)."""
    times = words // max(1, other)
    return times if times >= _LONGER else 1


def _clusters(seeds: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Seeds split, one text's order then the other's, wherever neighbours lie far apart.

    A group is split until neither order splits it further; each split makes
    groups smaller, so this ends.
    """
    waiting = [seeds]
    done = []
    while waiting:
        group = waiting.pop()
        for axis in (0, 1):
            parts = _split(group, axis)
            if len(parts) > 1:
                waiting.extend(parts)
                break
        else:
            done.append(group)
    return done


def _split(group: list[tuple[int, int]], axis: int) -> list[list[tuple[int, int]]]:
    ordered = sorted(group, key=lambda seed: seed[axis])
    parts = [[ordered[0]]]
    for before, seed in pairwise(ordered):
        if seed[axis] - before[axis] > _SEED_GAP:
            parts.append([])
        parts[-1].append(seed)
    return parts


def _sentences_around(doc: Document, first: int, last: int) -> tuple[int, int]:
    """The word range of the whole sentences holding words ``first`` to ``last``."""
    starts = [lo for lo, _ in doc.sentences]
    k0 = bisect_right(starts, first) - 1
    k1 = bisect_right(starts, last) - 1
    return doc.sentences[k0][0], doc.sentences[k1][1]
