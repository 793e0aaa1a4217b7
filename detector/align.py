"""Alignment of a suspect with its original: sentences first, then words.

Sentences are matched by the content words they share, which survive even
heavy spinning (names, numbers and every word the spinner left alone), so
reordered, dropped, added, split and merged sentences are all tolerated.
Words are then aligned inside each matched pair, giving edits (equal,
substitute, insert, delete) with word and character offsets on both sides.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise, product
from typing import Literal

from detector.document import Document
from detector.facts import date_name, date_runs, is_figure
from detector.stopwords import STOPWORDS

__all__ = [
    "Alignment",
    "Edit",
    "SentencePair",
    "align",
    "content_containment",
    "content_overlap",
    "make_edit",
    "movable_word",
    "unpaired_sentences",
    "whole_dates",
    "written_as_name",
]

EditOp = Literal["equal", "substitute", "insert", "delete"]

_MIN_SIMILARITY = 0.2  # weighted Dice of content words below which sentences are not paired
_STRONG_SIMILARITY = 0.6  # enough on its own, even with a single shared word ("AFP" / "AFP")
_CANDIDATES = 3  # original sentences considered per suspect sentence
_RESYNC_WORDS = 6  # longest replaced stretch, per side, the quick word walk looks across
_IN_ORDER_SIMILARITY = 0.5  # enough to accept the next original sentence without a search
_MERGE_GAIN = 0.08  # how much a neighbouring original sentence must add to be merged in
_SKELETON_SIMILARITY = 0.5  # word-sequence ratio pairing a spun sentence across dropped ones
_SKELETON_GAP = 6  # most unpaired sentences per side of a gap searched that way
# Sequence ratio the two halves of a split sentence gain together over the paired half
# alone against their original sentence (``_split_halves``).
_SPLIT_GAIN = 0.08
_FILL_ROUNDS = 3  # most times the gaps between paired sentences are filled
# The same with a number or a name in common: a densely spun sentence keeps little
# but its facts ("The bread kitchen utilizes 14 individuals" / "The bakery employs 14
# people": 0.47), while a page's own sentence rarely repeats the one beside it.
_SKELETON_WITH_FACTS = 0.3
# Word-sequence ratio pairing sentences by position in a gap of as many on each side, at
# either end of the text (a spun sentence lines up near 0.6, a densely spun one near 0.2;
# a page's own sentence beside a reused passage under 0.15), and inside it
_POSITION_SIMILARITY = 0.25
_POSITION_SIMILARITY_INSIDE = 0.15
# Fewest words of a sentence paired by position or skeleton (shorter ones line up by
# chance), and of one alone between two pairs whose words are swapped one for one.
_SHORTEST = 4
_SHORTEST_ALONE = 3
# From this many words a sentence next to a pair pairs on its being spun word for word
# with one word unexplained (``_extended_word_for_word``); a shorter one must have every
# word the same or a synonym: a page's own short stock line may share most of its few
# words with one of the original's ("Thanks for reading." / "Thanks for watching.").
_SHORTEST_EXTENDED = 6
# Most words a side of the one phrase put for another in a short sentence alone between
# two pairs (``_one_phrase_apart``).
_PHRASE_REACH = 3
_DATE_REACH = 2  # words before a date ("Published") a replaced block may take and be made whole
_FIXED_WORDS = frozenset(
    (
        "i me my we us our you your he him his she her it its they them their this that these "
        "those the a an is am are was were be been being has have had do does did will would "
        "shall should can could may might must"
    ).split()
)


@dataclass(frozen=True, slots=True)
class Edit:
    """One step turning the original into the suspect.

    Word ranges are half-open indices into ``Document.words``; character ranges
    index ``Document.text``.  An insert has an empty original range and a delete
    an empty suspect range, placed where the missing words would be.
    """

    op: EditOp
    suspect_words: tuple[int, int]
    original_words: tuple[int, int]
    suspect_chars: tuple[int, int]
    original_chars: tuple[int, int]


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Suspect sentence ``suspect`` matched with original sentences ``range(*original)``."""

    suspect: int
    original: tuple[int, int]
    similarity: float


@dataclass(frozen=True, eq=False)
class Alignment:
    """How a suspect lines up with an original, sentence by sentence and word by word."""

    suspect: Document
    original: Document
    sentence_pairs: tuple[SentencePair, ...]
    edits: tuple[Edit, ...]

    def count(self, op: EditOp) -> int:
        """Number of suspect words (original words for deletes) covered by edits of kind ``op``."""
        side = 1 if op == "delete" else 0
        total = 0
        for e in self.edits:
            if e.op == op:
                lo, hi = e.original_words if side else e.suspect_words
                total += hi - lo
        return total

    def count_within_pairs(self, op: EditOp) -> int:
        """Like ``count``, leaving out whole sentences that were added or dropped."""
        paired = {p.suspect for p in self.sentence_pairs}
        used = {j for p in self.sentence_pairs for j in range(*p.original)}
        added = sum(hi - lo for i, (lo, hi) in enumerate(self.suspect.sentences) if i not in paired)
        dropped = sum(
            hi - lo for j, (lo, hi) in enumerate(self.original.sentences) if j not in used
        )
        return self.count(op) - (dropped if op == "delete" else added if op == "insert" else 0)

    @property
    def paired_suspect_words(self) -> int:
        """Suspect words inside sentences that were matched with the original."""
        sentences = self.suspect.sentences
        return sum(sentences[p.suspect][1] - sentences[p.suspect][0] for p in self.sentence_pairs)


def _content_weights(words: Iterable[str]) -> dict[str, float]:
    # Numbers and long words are what spinners leave alone or rarely share by chance.
    return {
        w: 1.5 if w[0].isdigit() else 1.2 if len(w) > 6 else 1.0
        for w in words
        if w not in STOPWORDS
    }


def content_overlap(a: Document, b: Document) -> float:
    """Weighted Dice overlap of the two documents' content-word sets (0 unrelated .. 1 same)."""
    wa = _content_weights(a.words)
    wb = _content_weights(b.words)
    total = sum(wa.values()) + sum(wb.values())
    if not total:
        return 0.0
    shared = sum([v for w, v in wa.items() if w in wb])
    return 2 * shared / total


def content_containment(a: Document, b: Document) -> float:
    """The larger share of either document's content words that the other holds (0 .. 1).

    Weighted as ``content_overlap`` weighs them: of ``a``'s content words found
    in ``b``, or of ``b``'s found in ``a``, whichever is larger.  Unlike
    ``content_overlap`` it stays high when one text is a part of the other (a
    page retelling the opening of a long article).
    """
    wa = _content_weights(a.words)
    wb = _content_weights(b.words)
    shares = [
        sum([v for w, v in mine.items() if w in theirs]) / total
        for mine, theirs in ((wa, wb), (wb, wa))
        if (total := sum(mine.values()))
    ]
    return max(shares, default=0.0)


def _pair_sentences(suspect: Document, original: Document) -> list[SentencePair]:
    orig_weights = [_content_weights(original.words[lo:hi]) for lo, hi in original.sentences]
    orig_totals = [sum(w.values()) for w in orig_weights]
    postings: dict[str, list[int]] = {}
    for j, weights in enumerate(orig_weights):
        for w in weights:
            postings.setdefault(w, []).append(j)

    # Candidate pairs: for each suspect sentence, the few original sentences it shares most with.
    # Copies mostly keep the original's order, so the sentence after the last match is
    # tried first, and only a suspect sentence that does not fit there is looked up.
    suspect_weights: list[dict[str, float]] = []
    candidates: list[tuple[float, int, int]] = []
    expected = 0
    for i, (lo, hi) in enumerate(suspect.sentences):
        weights = _content_weights(suspect.words[lo:hi])
        suspect_weights.append(weights)
        total = sum(weights.values())
        if not total:
            continue
        if expected < len(orig_weights):
            here = orig_weights[expected]
            score = (
                2
                * sum([v for w, v in weights.items() if w in here])
                / (total + orig_totals[expected])
            )
            if score >= _IN_ORDER_SIMILARITY:
                candidates.append((score, i, expected))
                expected += 1
                continue
        shared: dict[int, float] = {}
        counts: dict[int, int] = {}
        for w, v in weights.items():
            for j in postings.get(w, ()):
                shared[j] = shared.get(j, 0.0) + v
                counts[j] = counts.get(j, 0) + 1
        scored = sorted(
            ((2 * v / (total + orig_totals[j]), j) for j, v in shared.items()), reverse=True
        )[:_CANDIDATES]
        if scored:
            expected = scored[0][1] + 1
        for score, j in scored:
            n_shared = counts[j]
            if (
                score >= _STRONG_SIMILARITY
                or (score >= _MIN_SIMILARITY and n_shared >= 3)
                or (score >= 1.5 * _MIN_SIMILARITY and n_shared >= 2)
            ):
                candidates.append((score, i, j))

    # Best pairs first; an original sentence already taken may still be split across
    # suspect sentences when the newcomer matches a different part of it.
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: dict[int, tuple[int, float]] = {}
    covered: dict[int, set[str]] = {}
    for score, i, j in candidates:
        if i in chosen:
            continue
        shared_words = [w for w in suspect_weights[i] if w in orig_weights[j]]
        if j in covered:
            novel = [w for w in shared_words if w not in covered[j]]
            if len(novel) < 3 or len(novel) < 0.6 * len(shared_words):
                continue
        chosen[i] = (j, score)
        covered.setdefault(j, set()).update(shared_words)
    for i in _out_of_place_by_names(chosen, suspect, original, suspect_weights, orig_weights):
        del chosen[i]

    pairs: list[SentencePair] = []
    for i in sorted(chosen):
        best, best_score = chosen[i]
        weights = suspect_weights[i]
        total = sum(weights.values())
        span = (best, best + 1)
        # A suspect sentence may merge two (or more) consecutive original sentences.
        for step in (1, -1):
            while True:
                j = span[1] if step == 1 else span[0] - 1
                if not 0 <= j < len(orig_weights) or orig_weights[j].keys().isdisjoint(weights):
                    break
                lo_j, hi_j = (span[0], j + 1) if step == 1 else (j, span[1])
                merged = _merged_similarity(weights, total, orig_weights[lo_j:hi_j])
                if merged < best_score + _MERGE_GAIN:
                    break
                span, best_score = (lo_j, hi_j), merged
        pairs.append(SentencePair(i, span, best_score))
    return pairs


def _out_of_place_by_names(
    chosen: dict[int, tuple[int, float]],
    suspect: Document,
    original: Document,
    suspect_weights: list[dict[str, float]],
    orig_weights: list[dict[str, float]],
) -> list[int]:
    """The suspect sentences of ``chosen`` (suspect -> (original, score)) paired only by
    names they share and out of their place: an original sentence that the pairs just
    before and after them neither bracket nor adjoin.  A copy's credit line,
    "(Reporting by James Whitfield; editing by Mark Lyons)", is no edit of the byline
    "By James Whitfield, Economics Correspondent" at the top; a spun sentence sharing
    only names stays in its place, or beside the rest of a paragraph the copy moved."""
    order = sorted(chosen)
    out = []
    for k, i in enumerate(order):
        j = chosen[i][0]
        shared = [w for w in suspect_weights[i] if w in orig_weights[j]]
        if not shared or not all(_capitalised_in(suspect, i, w) for w in shared):
            continue
        before = chosen[order[k - 1]][0] if k > 0 else -1
        after = chosen[order[k + 1]][0] if k + 1 < len(order) else len(original.sentences)
        # In place between its neighbours' originals, or next to one of them (the first
        # sentence of a paragraph the copy moved, before the rest of it).
        if not (before < j < after or j in (before + 1, after - 1)):
            out.append(i)
    return out


def _capitalised_in(doc: Document, k: int, word: str) -> bool:
    """Whether ``word`` (lowercase) stands capitalised inside sentence ``k`` of ``doc``,
    past its first word: a name."""
    lo, hi = doc.sentences[k]
    return any(
        doc.words[w] == word and doc.text[doc.starts[w]].isupper() for w in range(lo + 1, hi)
    )


def _fill_gaps(
    pairs: list[SentencePair],
    suspect: Document,
    original: Document,
    related: Callable[[str, str], bool] | None = None,
) -> list[SentencePair]:
    """Pair sentences left between two matched pairs: by position when the counts agree,
    else in order by their word sequences (a spin keeps the function words in place).

    A sentence spun so hard that it shares too few words to be matched on its own
    still sits where its original sat, between the same two neighbours, even when
    sentences beside it were dropped or added (measured: a spun sentence and its
    original line up at a sequence ratio near 0.6, other sentences under 0.15).
    """
    used = {j for p in pairs for j in range(*p.original)}
    by_suspect = {p.suspect: p for p in pairs}
    # Pairs made by place in an earlier round (no shared words to show for them): a gap
    # beside one is read as the text's edge is, so that one sentence of a page's own,
    # paired by place, does not lead the next one of its own in.
    by_place = {p.suspect for p in pairs if p.similarity == 0.0}
    filled = list(pairs)
    bounds = [(-1, (0, 0))] + [
        (p.suspect, p.original) for p in sorted(pairs, key=lambda p: p.suspect)
    ]
    bounds.append((len(suspect.sentences), (len(original.sentences), len(original.sentences))))
    for (i0, (_, o_after)), (i1, (o_before, _)) in pairwise(bounds):
        free_suspect = [i for i in range(i0 + 1, i1) if i not in by_suspect]
        free_original = list(range(o_after, o_before))
        if not free_suspect or any(j in used for j in free_original):
            continue
        if len(free_suspect) == len(free_original):
            # Between two paired sentences, one sentence is the spun one whatever its
            # words; at either end of the text, or several in a row, they may be the
            # page's own (a reused passage among other paragraphs): they must line up.
            beside_place = i0 in by_place or i1 in by_place
            edge = i0 < 0 or i1 >= len(suspect.sentences) or beside_place
            bar = _POSITION_SIMILARITY if edge else _POSITION_SIMILARITY_INSIDE
            single = len(free_suspect) == 1
            alone = single and not edge
            for i, j in zip(free_suspect, free_original, strict=True):
                # Several in a row may be the page's own text put in place of the
                # original's: their skeletons alone line up by chance ("The project was
                # paid for ... the mayor added." / "The transport department said the
                # final inspections ...": 0.18), so they must share a word too.
                # A headline alone before the first pair on each side lines up as loosely as
                # a sentence inside the text when it shares a name or number with its
                # original ("Committee members dismiss 140-house arrangement for Ashcombe
                # glades ..." for "Councillors reject 140-home plan for Ashcombe ...": 0.18).
                least = (
                    _POSITION_SIMILARITY_INSIDE
                    if i0 < 0 and single and _share_a_fact(suspect, original, i, j)
                    else bar
                )
                placed = _comparable_lengths(suspect, original, i, j) and (
                    alone
                    or (
                        _skeleton_ratio(suspect, original, i, j) >= least
                        and _share_a_word(suspect, original, i, j, related)
                    )
                )
                # One alone may be as short as three words, if they are swapped one for one
                # or but one phrase of them ("Automate your investment funds." for
                # "Automate your savings."), or a dateline in place of a dateline ("March
                # 15" / "Published 14 March 2024"), beside a pair made by place too ("Deals
                # are dropping." for "Sales are falling." after a first sentence paired by
                # place).
                inside = i0 >= 0 and i1 < len(suspect.sentences)
                if placed or (
                    (alone or (single and beside_place and inside))
                    and (
                        _spun_word_for_word(suspect, original, i, j, related)
                        or (alone and _one_phrase_apart(suspect, original, i, j, related))
                        or (_a_dateline(suspect, i) and _a_dateline(original, j))
                    )
                ):
                    filled.append(SentencePair(i, (j, j + 1), 0.0))
            continue
        # Counts differ (sentences dropped or added beside the spun one): pair in order
        # those whose words line up as a spin's do, its function words kept in place;
        # only in a short gap between two paired sentences (not two unrelated texts).
        if (
            i0 < 0
            or i1 >= len(suspect.sentences)
            or len(free_suspect) > _SKELETON_GAP
            or len(free_original) > _SKELETON_GAP
        ):
            continue
        # The best-matching pairs first, in order: an added sentence sharing a number
        # with the original must not take it from the spun sentence beside it.
        found = []
        for i in free_suspect:
            for j in free_original:
                if not _comparable_lengths(suspect, original, i, j):
                    continue
                ratio = _skeleton_ratio(suspect, original, i, j)
                bar = (
                    _SKELETON_WITH_FACTS
                    if _share_a_fact(suspect, original, i, j)
                    else _SKELETON_SIMILARITY
                )
                if ratio >= bar:
                    found.append((-ratio, i, j))
        taken: list[tuple[int, int]] = []
        for _, i, j in sorted(found):
            if all((i - a) * (j - b) > 0 for a, b in taken):
                taken.append((i, j))
                filled.append(SentencePair(i, (j, j + 1), 0.0))
    return _extended_word_for_word(filled, suspect, original, related)


def _extended_word_for_word(
    pairs: list[SentencePair],
    suspect: Document,
    original: Document,
    related: Callable[[str, str], bool] | None,
) -> list[SentencePair]:
    """``pairs`` and, next to each, the sentences on both sides that follow (or precede)
    it and are spun word for word (``_spun_word_for_word``), one after another.

    Where the sentences around a gap differ in number (one dropped or added beside it,
    or the text's end), nothing pairs by position, and a short sentence spun word for
    word shares too few words to pair on its own: "They did precisely that." for "They
    did exactly that." showed as a sentence added and one dropped.
    """
    if related is None or not pairs:
        return pairs
    used_suspect = {p.suspect for p in pairs}
    used_original = {j for p in pairs for j in range(*p.original)}
    added: list[SentencePair] = []
    for pair in sorted(pairs, key=lambda p: p.suspect):
        for step, i, j in (
            (1, pair.suspect + 1, pair.original[1]),
            (-1, pair.suspect - 1, pair.original[0] - 1),
        ):
            while (
                0 <= i < len(suspect.sentences)
                and 0 <= j < len(original.sentences)
                and i not in used_suspect
                and j not in used_original
                and _spun_word_for_word(
                    suspect,
                    original,
                    i,
                    j,
                    related,
                    unexplained=suspect.sentences[i][1] - suspect.sentences[i][0]
                    >= _SHORTEST_EXTENDED,
                )
            ):
                added.append(SentencePair(i, (j, j + 1), 0.0))
                used_suspect.add(i)
                used_original.add(j)
                i, j = i + step, j + step
    return pairs + added if added else pairs


def _skeleton_ratio(suspect: Document, original: Document, i: int, j: int) -> float:
    """How closely the word sequences of suspect sentence ``i`` and original sentence ``j``
    line up (``SequenceMatcher.ratio``): a spin keeps its function words in place."""
    return SequenceMatcher(
        None,
        suspect.words[slice(*suspect.sentences[i])],
        original.words[slice(*original.sentences[j])],
        autojunk=False,
    ).ratio()


def _share_a_fact(suspect: Document, original: Document, i: int, j: int) -> bool:
    """Whether suspect sentence ``i`` and original sentence ``j`` hold a number or a name
    in common (a word with a digit, or one capitalised inside both sentences)."""

    def facts(doc: Document, k: int) -> set[str]:
        lo, hi = doc.sentences[k]
        return {
            doc.words[w]
            for w in range(lo, hi)
            if any(c.isdigit() for c in doc.words[w])
            or (w > lo and doc.text[doc.starts[w]].isupper() and doc.words[w] not in STOPWORDS)
        }

    return not facts(suspect, i).isdisjoint(facts(original, j))


def _share_a_word(
    suspect: Document,
    original: Document,
    i: int,
    j: int,
    related: Callable[[str, str], bool] | None,
) -> bool:
    """Whether suspect sentence ``i`` and original sentence ``j`` hold a word other than a
    stopword in common, or one swapped in place for a word ``related`` (a thesaurus) links
    to it: a spun sentence keeps some of its words or swaps them one for one.  In place
    only, since a broad thesaurus links words of any two sentences ("part" / "department")."""
    ours = suspect.words[slice(*suspect.sentences[i])]
    theirs = original.words[slice(*original.sentences[j])]
    kept = {w for w in ours if w not in STOPWORDS and w.isalnum()}
    if not kept.isdisjoint(w for w in theirs if w not in STOPWORDS):
        return True
    if related is None:
        return False
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    return any(
        a not in STOPWORDS and related(a, b)
        for op, a_lo, a_hi, b_lo, b_hi in matcher.get_opcodes()
        if op == "replace" and a_hi - a_lo == b_hi - b_lo
        for a, b in zip(ours[a_lo:a_hi], theirs[b_lo:b_hi], strict=True)
    )


def _a_dateline(doc: Document, i: int) -> bool:
    """Whether sentence ``i`` of ``doc`` is a date and at most ``_DATE_REACH`` words
    more ("Published 14 March 2024", "Tuesday, June 13")."""
    lo, hi = doc.sentences[i]
    runs = date_runs(doc.words[lo:hi])
    return len(runs) == 1 and (hi - lo) - (runs[0][1] - runs[0][0]) <= _DATE_REACH


def _comparable_lengths(suspect: Document, original: Document, i: int, j: int) -> bool:
    """Whether suspect sentence ``i`` and original sentence ``j`` may be one spun sentence."""
    s_len = suspect.sentences[i][1] - suspect.sentences[i][0]
    o_len = original.sentences[j][1] - original.sentences[j][0]
    return s_len >= _SHORTEST and o_len >= _SHORTEST and 0.6 <= s_len / o_len <= 1.7


def _spun_word_for_word(
    suspect: Document,
    original: Document,
    i: int,
    j: int,
    related: Callable[[str, str], bool] | None,
    *,
    unexplained: bool = True,
) -> bool:
    """Whether a short suspect sentence ``i`` (``_SHORTEST_ALONE`` words or more) is
    original sentence ``j`` with its words swapped one for one: as many words, and all
    but one of them (with ``unexplained`` False, all of them) the same or ``related`` (a
    thesaurus's synonyms) in place.  "Numerous guardians dissent." for "Many parents
    disagree." is; a page's own stock line ("Share this story." for "Read more here.") is
    not.  Never without ``related``."""
    s_lo, s_hi = suspect.sentences[i]
    o_lo, o_hi = original.sentences[j]
    if related is None or s_hi - s_lo != o_hi - o_lo or s_hi - s_lo < _SHORTEST_ALONE:
        return False
    pairs = zip(suspect.words[s_lo:s_hi], original.words[o_lo:o_hi], strict=True)
    # Pronouns, articles and auxiliaries link only to themselves: a thesaurus lists "she"
    # for "he" and "was" for "is", which would pair a page's own "She thinks it is a
    # disaster." with "He said it was a mistake." (spinners swap "many" for "numerous",
    # not "he" for "she").
    linked = sum(
        a == b or (a not in _FIXED_WORDS and b not in _FIXED_WORDS and related(a, b))
        for a, b in pairs
    )
    return linked >= s_hi - s_lo - (1 if unexplained else 0)


def _one_phrase_apart(
    suspect: Document,
    original: Document,
    i: int,
    j: int,
    related: Callable[[str, str], bool] | None,
) -> bool:
    """Whether short suspect sentence ``i`` is original sentence ``j`` (each
    ``_SHORTEST_ALONE`` words or more) with one phrase of up to ``_PHRASE_REACH`` words
    put for another that ``related`` (a thesaurus) links a word of, every other word kept
    in place, at least two of them and a word other than a stopword among them:
    "Automate your investment funds." for "Automate your savings.", not a page's own
    "Photo by Getty Images staff." for "Photo by Reuters." or "Read more stories
    here." for "Read the report.".  Never without ``related``."""
    ours = suspect.words[slice(*suspect.sentences[i])]
    theirs = original.words[slice(*original.sentences[j])]
    shorter = min(len(ours), len(theirs))
    if related is None or shorter < _SHORTEST_ALONE:
        return False
    head = 0
    while head < shorter and ours[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < shorter - head and ours[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    kept = ours[:head] + ours[len(ours) - tail :]
    put = ours[head : len(ours) - tail]
    replaced = theirs[head : len(theirs) - tail]
    return (
        0 < len(put) <= _PHRASE_REACH
        and 0 < len(replaced) <= _PHRASE_REACH
        and len(kept) >= 2
        and any(w not in STOPWORDS and w.isalnum() for w in kept)
        and any(related(a, b) for a in put if a not in STOPWORDS for b in replaced)
    )


def _merged_similarity(
    weights: dict[str, float], total: float, originals: list[dict[str, float]]
) -> float:
    union: dict[str, float] = {}
    for o in originals:
        union.update(o)
    shared = sum([v for w, v in weights.items() if w in union])
    return 2 * shared / (total + sum(union.values()))


def _opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning ``a`` into ``b``.

    Swaps leave most of a sentence's words in place, so the two are walked side by
    side: after a mismatch, the nearest point where both go on together again (two
    words in a row, or the end) closes one replaced, inserted or deleted block.
    Sentences that do not resynchronise within a few words are left to difflib.
    Two sentences of one length are first read word for word, position by
    position; a word dropped beside a phrase that grew by one ("would not reopen
    ... because of" -> "would reopen ... on account of") keeps their length but
    shifts the words between, and then the walk, which keeps more words
    unchanged, is taken.
    """
    if len(a) == len(b):
        same = [x == y for x, y in zip(a, b, strict=True)]
        if sum(same) * 2 >= len(a):
            codes: list[tuple[str, int, int, int, int]] = []
            start = 0
            for k in range(1, len(a) + 1):
                if k == len(a) or same[k] != same[start]:
                    codes.append(("equal" if same[start] else "replace", start, k, start, k))
                    start = k
            if not _shifted(a, b, codes):
                return codes
            walked = _walk(a, b)
            if _kept(walked) > sum(same):
                return walked
            return codes
    return _walk(a, b)


def _shifted(
    a: tuple[str, ...], b: tuple[str, ...], codes: list[tuple[str, int, int, int, int]]
) -> bool:
    """Whether a replaced block of the position-by-position reading holds a word that the
    other side has one place over (a word dropped on one side and added on the other)."""
    for tag, i1, i2, _, _ in codes:
        if tag == "replace" and i2 - i1 > 1:
            for k in range(i1, i2):
                if (k + 1 < len(b) and a[k] == b[k + 1]) or (k + 1 < len(a) and a[k + 1] == b[k]):
                    return True
    return False


def _kept(codes: list[tuple[str, int, int, int, int]]) -> int:
    """How many words the opcodes keep unchanged."""
    return sum(i2 - i1 for tag, i1, i2, _, _ in codes if tag == "equal")


def _walk(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of walking ``a`` and ``b`` side by side (see ``_opcodes``)."""
    codes: list[tuple[str, int, int, int, int]] = []
    n, m = len(a), len(b)
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            i0, j0 = i, j
            while i < n and j < m and a[i] == b[j]:
                i += 1
                j += 1
            codes.append(("equal", i0, i, j0, j))
            continue
        step = _resync(a, b, i, j)
        if step is None:
            return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        p, q = step
        codes.append(("replace" if p and q else "delete" if p else "insert", i, i + p, j, j + q))
        i, j = i + p, j + q
    if i < n or j < m:
        codes.append(
            ("replace" if i < n and j < m else "delete" if i < n else "insert", i, n, j, m)
        )
    return codes


def _resync(a: tuple[str, ...], b: tuple[str, ...], i: int, j: int) -> tuple[int, int] | None:
    """The smallest (p, q) after which ``a[i + p:]`` and ``b[j + q:]`` go on together again."""
    n, m = len(a), len(b)
    for total in range(1, 2 * _RESYNC_WORDS + 1):
        for p in range(max(0, total - _RESYNC_WORDS), min(total, _RESYNC_WORDS) + 1):
            x, y = i + p, j + total - p
            if x == n and y == m:
                return p, total - p
            if (
                x < n
                and y < m
                and a[x] == b[y]
                and (x + 1 == n or y + 1 == m or a[x + 1] == b[y + 1])
            ):
                return p, total - p
    return None


def _word_edits(
    suspect: Document,
    original: Document,
    s_lo: int,
    s_hi: int,
    o_lo: int,
    o_hi: int,
    related: Callable[[str, str], bool] | None = None,
) -> list[Edit]:
    a = original.words[o_lo:o_hi]
    b = suspect.words[s_lo:s_hi]
    if a == b:
        return [make_edit(suspect, original, "equal", s_lo, s_hi, o_lo, o_hi)]
    codes = _unanchored(suspect, original, s_lo, o_lo, _opcodes(a, b))
    edits = []
    for tag, i1, i2, j1, j2 in _moves_apart(a, b, whole_dates(a, b, codes), related):
        op: EditOp = "substitute" if tag == "replace" else tag  # type: ignore[assignment]
        edits.append(make_edit(suspect, original, op, s_lo + j1, s_lo + j2, o_lo + i1, o_lo + i2))
    return edits


def _unanchored(
    suspect: Document,
    original: Document,
    s_lo: int,
    o_lo: int,
    codes: list[tuple[str, int, int, int, int]],
) -> list[tuple[str, int, int, int, int]]:
    """``codes`` without a lone unchanged word between two changed blocks that one side
    writes as a name and the other not ("on Carver Avenue said delivery trucks had begun
    avoiding her street" -> "on Carver Boulevard stated conveyance lorries had commenced
    evading her avenue": the spinner's "avenue" for "street" is no copy of the street's
    name); the three blocks are one changed block."""
    out: list[tuple[str, int, int, int, int]] = []
    joined = False  # the last block of ``out`` took in an unanchored word: the next joins it
    for k, code in enumerate(codes):
        tag, i1, i2, j1, j2 = code
        unanchored = (
            tag == "equal"
            and i2 - i1 == 1
            and 0 < k < len(codes) - 1
            and out
            and out[-1][0] != "equal"
            and codes[k + 1][0] != "equal"
            and _name_in_one(suspect, original, s_lo + j1, o_lo + i1)
        )
        if unanchored or (joined and tag != "equal"):
            _, a1, _, b1, _ = out.pop()
            out.append(("replace", a1, i2, b1, j2))
            joined = unanchored
            continue
        joined = False
        out.append(code)
    return out


def _name_in_one(suspect: Document, original: Document, s_at: int, o_at: int) -> bool:
    """Whether one word, the same in both texts but for case, is capitalised in one of
    them only, and not as a sentence's first word there."""
    return written_as_name(suspect, s_at) != written_as_name(original, o_at)


def written_as_name(doc: Document, k: int) -> bool:
    """Whether word ``k`` of ``doc`` is capitalised other than as its sentence's first word."""
    if not doc.text[doc.starts[k]].isupper():
        return False
    at = bisect_left(doc.sentences, (k + 1,)) - 1
    return at < 0 or doc.sentences[at][0] != k


def movable_word(word: str) -> bool:
    """Whether lowercase ``word`` may be read as moved within its sentence: a content
    word, and no date's ("June 3" -> "4 June" is a date rewritten, kept whole)."""
    return word not in STOPWORDS and word.isalpha() and date_name(word) is None


def _moves_apart(
    a: tuple[str, ...],
    b: tuple[str, ...],
    codes: list[tuple[str, int, int, int, int]],
    related: Callable[[str, str], bool] | None,
) -> list[tuple[str, int, int, int, int]]:
    """``codes`` with a word moved within the sentence split off the changed blocks it
    leaves and lands in: ``"...," said Baker, who leads the emergency committee.`` ->
    ``"...," Baker, who drives the crisis board, said.`` drops "said" in one place and
    adds it in another, not "board, said" for "emergency committee".  A moved word is
    one each side holds once, at the edge of a changed block on each side, and in
    neither block a synonym (``related``) of a word the block swaps it with: a spinner
    who writes "ocean water" for "seawater" and "sea" for "ocean" moves no "ocean".
    Never without ``related``."""
    if related is None:
        return codes
    left = {a[i1] for tag, i1, i2, _, _ in codes if tag in ("replace", "delete")}
    left |= {a[i2 - 1] for tag, i1, i2, _, _ in codes if tag in ("replace", "delete")}
    landed = {b[j1] for tag, _, _, j1, j2 in codes if tag in ("replace", "insert")}
    landed |= {b[j2 - 1] for tag, _, _, j1, j2 in codes if tag in ("replace", "insert")}
    moved = {w for w in left & landed if movable_word(w) and a.count(w) == b.count(w) == 1}
    for tag, i1, i2, j1, j2 in codes:
        if tag == "replace" and moved:
            block = (*a[i1:i2], *b[j1:j2])
            moved -= {
                w for w in moved if w in block and any(related(w, x) for x in block if x != w)
            }
    if not moved:
        return codes
    out: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag != "replace" or not moved & {a[i1], a[i2 - 1], b[j1], b[j2 - 1]}:
            out.append((tag, i1, i2, j1, j2))
            continue
        # Each side's head and tail may go, while the side keeps a word; of the ways, one
        # that leaves the rest the same on both sides ("Fisher said" -> "said Fisher":
        # "Fisher" dropped and added, "said" kept), else the one that splits most off.
        best: tuple[tuple[bool, int], tuple[int, int, int, int]] | None = None
        for a_head, a_tail, b_head, b_tail in product((0, 1), repeat=4):
            ni1, ni2, nj1, nj2 = i1 + a_head, i2 - a_tail, j1 + b_head, j2 - b_tail
            if ni2 <= ni1 or nj2 <= nj1:
                continue
            ends = [
                (a_head, a[i1]),
                (a_tail, a[i2 - 1]),
                (b_head, b[j1]),
                (b_tail, b[j2 - 1]),
            ]
            if any(cut and word not in moved for cut, word in ends):
                continue
            rank = (a[ni1:ni2] == b[nj1:nj2], a_head + a_tail + b_head + b_tail)
            if best is None or rank > best[0]:
                best = (rank, (ni1, ni2, nj1, nj2))
        assert best is not None  # cutting nothing is always a way
        (same, _), (ni1, ni2, nj1, nj2) = best
        if ni1 > i1:
            out.append(("delete", i1, ni1, j1, j1))
        if nj1 > j1:
            out.append(("insert", ni1, ni1, j1, nj1))
        out.append(("equal" if same else "replace", ni1, ni2, nj1, nj2))
        if ni2 < i2:
            out.append(("delete", ni2, i2, nj2, nj2))
        if nj2 < j2:
            out.append(("insert", i2, i2, nj2, j2))
    return out


def whole_dates(
    a: Sequence[str],
    b: Sequence[str],
    blocks: list[tuple[str, int, int, int, int]],
    *,
    unchanged: frozenset[str] = frozenset({"equal"}),
    merged: str = "replace",
) -> list[tuple[str, int, int, int, int]]:
    """``blocks`` (kind, a_lo, a_hi, b_lo, b_hi, in order, turning ``a`` into ``b``)
    with a date that changed, or was only reordered, in one block of kind ``merged``
    together with the blocks beside it that it reaches into: "Published 14 March 2024"
    written "March 15, 2024" is one block, not "published 14 march" for "march 15" and
    "2024" kept ("March 14, 2024": not an added and a dropped "March").  Dates whose
    blocks are all of ``unchanged`` kinds, that reach more than ``_DATE_REACH`` words
    before either date, past its end or over a count before it, and a date edited in
    place alone, word for word, or only given a part (a year added), are left as they
    are."""
    for i_lo, i_hi in date_runs(a):
        for j_lo, j_hi in date_runs(b):
            touching = [
                k
                for k, (_, i1, i2, j1, j2) in enumerate(blocks)
                if (i1 < i_hi and i_lo < i2) or (j1 < j_hi and j_lo < j2)
            ]
            changed = [blocks[k] for k in touching if blocks[k][0] not in unchanged]
            if len(changed) == 1:
                _, i1, i2, j1, j2 = changed[0]
                if i2 - i1 == j2 - j1 or i1 == i2 or j1 == j2:
                    continue  # one in-place edit ("Jan. 1" -> "Feb. 1"), or a year added
            if not changed:
                continue  # the same date
            first, last = touching[0], touching[-1]
            if touching != list(range(first, last + 1)):
                continue
            i1, i2, j1, j2 = blocks[first][1], blocks[last][2], blocks[first][3], blocks[last][4]
            if not (i1 < i_hi and i_lo < i2 and j1 < j_hi and j_lo < j2):
                continue  # not this date's counterpart
            if max(i_lo - i1, j_lo - j1) > _DATE_REACH or max(i2 - i_hi, j2 - j_hi) > 0:
                continue  # reaches too far before the date, or past it ("June 3 (Northwire)")
            if any(is_figure(w) for w in (*a[i1:i_lo], *b[j1:j_lo])):
                continue  # a count before the date is a fact of its own ("twelve, on June 3")
            blocks = [*blocks[:first], (merged, i1, i2, j1, j2), *blocks[last + 1 :]]
    return blocks


def _char_range(doc: Document, lo: int, hi: int) -> tuple[int, int]:
    if lo < hi:
        return doc.starts[lo], doc.ends[hi - 1]
    # An empty range sits just after the previous word (or at the start).
    at = doc.ends[lo - 1] if lo > 0 else 0
    return at, at


def make_edit(
    suspect: Document, original: Document, op: EditOp, s_lo: int, s_hi: int, o_lo: int, o_hi: int
) -> Edit:
    """The ``Edit`` of suspect words ``s_lo:s_hi`` and original words ``o_lo:o_hi``, with
    their character ranges (an empty side sits just after the word before it)."""
    return Edit(
        op,
        (s_lo, s_hi),
        (o_lo, o_hi),
        _char_range(suspect, s_lo, s_hi),
        _char_range(original, o_lo, o_hi),
    )


def align(
    suspect: Document,
    original: Document,
    related: Callable[[str, str], bool] | None = None,
) -> Alignment:
    """Align ``suspect`` with ``original``: matched sentences and the word edits between them.

    Whole added sentences become inserts and whole dropped sentences deletes,
    anchored after the nearest preceding matched sentence on the other side.
    ``related(a, b)``, whether two lowercase words are synonyms, lets a sentence of
    three words between two matched ones pair with the original's there when its words
    are swapped one for one (without it, sentences under four words never pair by place).
    """
    pairs = _pair_sentences(suspect, original)
    # A gap filled in part leaves narrower gaps ("The company said ... Deals are
    # dropping. ..." at a text's start: its first sentence pairs by position, and then
    # the short one after it is alone between two pairs), so gaps are filled again.
    for _ in range(_FILL_ROUNDS):
        filled = _fill_gaps(pairs, suspect, original, related)
        if len(filled) == len(pairs):
            break
        pairs = filled
    pairs = _split_halves(pairs, suspect, original, related)
    edits = list(unpaired_sentences(suspect, original, pairs))
    for first, last in _splits(pairs):
        s_lo = suspect.sentences[first.suspect][0]
        s_hi = suspect.sentences[last.suspect][1]
        o_lo = original.sentences[first.original[0]][0]
        o_hi = original.sentences[first.original[1] - 1][1]
        edits.extend(_word_edits(suspect, original, s_lo, s_hi, o_lo, o_hi, related))
    edits.sort(key=lambda e: (e.suspect_words[0], e.op != "delete", e.original_words[0]))
    return Alignment(suspect, original, tuple(pairs), tuple(edits))


def _split_halves(
    pairs: list[SentencePair],
    suspect: Document,
    original: Document,
    related: Callable[[str, str], bool] | None,
) -> list[SentencePair]:
    """``pairs`` and the unpaired suspect sentence beside a pair that holds the rest of the
    pair's original sentence: a sentence split in two and spun ("Rovers struggled to
    create chances in the first half and were booed off" -> "Rovers battled to make
    possibilities in the main half. They were booed off") pairs its spun half, which
    shares too few words to pair alone, with the sentence its other half paired with.

    The two halves together must line up with the original sentence clearly better than
    the paired half alone (``_SPLIT_GAIN`` of sequence ratio), be of comparable length,
    and the unpaired half must share a word with it or swap one in place.
    """
    used = {p.suspect for p in pairs}
    added: list[SentencePair] = []
    for pair in sorted(pairs, key=lambda p: p.suspect):
        if pair.original[1] - pair.original[0] != 1:
            continue
        j = pair.original[0]
        o_lo, o_hi = original.sentences[j]
        theirs = original.words[o_lo:o_hi]
        s_lo, s_hi = suspect.sentences[pair.suspect]
        alone: float | None = None  # the pair's own ratio, read when a neighbour is free
        for k in (pair.suspect - 1, pair.suspect + 1):
            if not 0 <= k < len(suspect.sentences) or k in used:
                continue
            k_lo, k_hi = suspect.sentences[k]
            lo, hi = min(s_lo, k_lo), max(s_hi, k_hi)
            if k_hi - k_lo < _SHORTEST or not 0.6 <= (hi - lo) / (o_hi - o_lo) <= 1.7:
                continue
            if alone is None:
                alone = _skeleton_ratio(suspect, original, pair.suspect, j)
            both = SequenceMatcher(None, suspect.words[lo:hi], theirs, autojunk=False).ratio()
            if both >= alone + _SPLIT_GAIN and _share_a_word(suspect, original, k, j, related):
                added.append(SentencePair(k, (j, j + 1), 0.0))
                used.add(k)
                break
    return pairs + added if added else pairs


def _splits(pairs: Sequence[SentencePair]) -> list[tuple[SentencePair, SentencePair]]:
    """``pairs`` as (first, last) runs of suspect sentences in a row paired with the same
    original sentences: a sentence split in two ("..., and officials said" -> "... .
    Officials said") is aligned word for word once, whole, not each half against the
    whole original with the other half dropped."""
    runs: list[list[SentencePair]] = []
    for pair in sorted(pairs, key=lambda p: p.suspect):
        last = runs[-1][-1] if runs else None
        if last is not None and last.suspect + 1 == pair.suspect and last.original == pair.original:
            runs[-1].append(pair)
        else:
            runs.append([pair])
    return [(run[0], run[-1]) for run in runs]


def unpaired_sentences(
    suspect: Document, original: Document, pairs: Sequence[SentencePair]
) -> tuple[Edit, ...]:
    """The ``insert`` edits of the suspect sentences no pair holds and the ``delete`` edits
    of the original sentences no pair holds, each anchored after the nearest sentence before
    it that is paired (on the other side, after that sentence's counterpart)."""
    paired = {p.suspect: p for p in pairs}
    edits: list[Edit] = []
    anchor_in_original = 0  # word index in the original after the last matched sentence
    anchor_after: dict[int, int] = {}  # original sentence -> suspect word index after its match
    for i, (s_lo, s_hi) in enumerate(suspect.sentences):
        pair = paired.get(i)
        if pair is None:
            edits.append(
                make_edit(
                    suspect, original, "insert", s_lo, s_hi, anchor_in_original, anchor_in_original
                )
            )
            continue
        anchor_in_original = original.sentences[pair.original[1] - 1][1]
        for j in range(*pair.original):
            anchor_after[j] = max(anchor_after.get(j, 0), s_hi)
    anchor_in_suspect = 0
    for j, (o_lo, o_hi) in enumerate(original.sentences):
        if j in anchor_after:
            anchor_in_suspect = anchor_after[j]
        else:
            edits.append(
                make_edit(
                    suspect, original, "delete", anchor_in_suspect, anchor_in_suspect, o_lo, o_hi
                )
            )
    return tuple(edits)
