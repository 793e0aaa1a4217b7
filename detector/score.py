"""Scoring a suspect against one or more originals: the library's main entry point.

>>> from detector import ReferenceScorer, make_document
>>> scorer = ReferenceScorer()
>>> original = make_document("The chief of staff completely rejected the report on Monday.")
>>> spun = make_document("The chief of employees utterly rejected the report on Monday.")
>>> report = scorer.score(spun, [original])
>>> [(span.text, span.original) for span in report.spin_spans]
[('employees', 'staff'), ('utterly', 'completely')]
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from statistics import median

from detector.align import Alignment, SentencePair, align, content_overlap, unpaired_sentences
from detector.document import PARAGRAPH_BREAK, Document, make_document
from detector.errors import InputError, ModelNotFoundError, ResourceError
from detector.facts import changed_facts
from detector.judge import SubstitutionJudge, find_gaps
from detector.lexicon import Lexicon
from detector.paraphrase import (
    MeaningPair,
    ParaphraseEvidence,
    ParaphraseRule,
    SentenceEncoder,
    judge_paraphrase,
    needs_meaning_check,
    plainer_words,
    widen_pairs,
)
from detector.passages import (
    PassageRange,
    find_passages,
    measure_coverage,
    passages_from_alignment,
    reuse_extents,
    words_within,
)
from detector.prose import language_problem
from detector.report import SPIN_KINDS, Deletion, Passage, Report, Span, plural
from detector.swap_fit import SwapFitRule, SwapReader, swap_gains
from detector.verdict import decide_with_features, few_swaps_note, spun_verdict

_SUBSTANTIAL_SENTENCES = 2  # a reused passage of this many suspect sentences makes a copy,
_SUBSTANTIAL_WORDS = 40  # and so does one of this many suspect words,
_WHOLE_ORIGINAL = 0.9  # or one holding this share of the original's words
_MAX_SEARCH_ROUNDS = 16  # alignments of one window of a candidate and of what its runs leave
_MAX_PASSAGES = 64  # reused passages searched for in one candidate (a text repeated many times)
_WINDOW_MARGIN = 2_000  # characters a window of a long candidate holds beyond the original's
_LEFT_OVER_WORDS = 12  # text a candidate's runs leave is searched again from this many words
_SHORT_PASSAGE_RATIO = 2.0  # a short passage's longer side is at most this times the other,
_VERBATIM_SHARE = 0.75  # or this share of its shorter side is one verbatim run
_REPEAT_REUSE = 0.6  # the share of its words a run found in that text reuses (a copy: 0.35)
# A text as a whole, or the first run found in it, is a copy from this share of its words
# reused (0.35 to 0.5: an independent report sharing names, numbers and quotes reaches
# 0.43, a spun or syndicated copy 0.78 and more, a copy of part of it inside a page of
# its own 0.35 to 0.45, whose passages are then found), or from this share of the words
# of its paired sentences (a copy's are copied or spun, near 1, however much text of its
# own the page holds between them; an independent report's 0.34 to 0.56), else only
# with a passage.
_FIRM_COPY_REUSE = 0.5
_FIRM_PAIR_REUSE = 0.7

__all__ = [
    "ReferenceScorer",
    "ScoredPair",
    "best_source",
    "may_reuse_another_source",
    "score_texts",
]


@dataclass(frozen=True)
class ScoredPair:
    """A report with the document features it was decided on (for ranking and training)."""

    report: Report
    features: dict[str, float]


_RELATION_RANK = {"copy": 2, "rewrite": 1}
_FINDINGS = ("spun", "paraphrased")
_REUSE_OVERLAP = 0.1  # two copies reusing more than 1 + this of the suspect share text


def _rank(pair: ScoredPair) -> tuple[int, float, float]:
    """A copy before a rewrite before a pair that shares little, then the share of the
    suspect reused, then the spin score."""
    report = pair.report
    return _RELATION_RANK.get(report.relation or "", 0), pair.features["reuse"], report.spin_score


def best_source(pairs: Sequence[ScoredPair]) -> ScoredPair:
    """Of the suspect's pairs with several originals, the one whose original is its source.

    The copy that reuses the most of the suspect, unless it is clean and another copy,
    found spun or paraphrased, reuses a part of the suspect beside it (the two shares
    add up to at most the whole, give or take a tenth): a page that carries a clean wire
    story beside a spun article is spun, and the clean copy must not hide the spun one.
    A spun copy that covers what the clean copy covers (a spun edition of the same story
    in the index) does not outrank it.
    """
    best = max(pairs, key=_rank)
    if best.report.relation != "copy" or best.report.verdict in _FINDINGS:
        return best
    beside = [
        pair
        for pair in pairs
        if pair.report.relation == "copy"
        and pair.report.verdict in _FINDINGS
        and pair.features["reuse"] + best.features["reuse"] <= 1.0 + _REUSE_OVERLAP
    ]
    return max(beside, key=_rank) if beside else best


def may_reuse_another_source(pair: ScoredPair, suspect: Document) -> bool:
    """Whether, ``pair`` being a clean copy, the words of ``suspect`` outside what it
    reuses could hold a passage reused from another original (a substantial passage's
    words, or more: a footer of boilerplate does not); a copy found spun or
    paraphrased already decides."""
    if pair.report.verdict in _FINDINGS:
        return False
    outside = (1.0 - pair.features["reuse"]) * len(suspect.words)
    return outside >= _SUBSTANTIAL_WORDS


class ReferenceScorer:
    """Scores suspects against originals: align, judge every substitution, decide.

    Parameters
    ----------
    judge : SubstitutionJudge, optional
        The substitution judge; one over the default thesaurus when omitted.
    candidates : int, default=3
        With several originals, how many of the closest (by shared content
        words) are aligned in full before the best match is chosen.
    paraphrase : ParaphraseRule or None, default=ParaphraseRule()
        The rule that calls a copy ``paraphrased`` (see ``detector.paraphrase``);
        None turns the check off.
    encoder : SentenceEncoder, optional
        The sentence embeddings the paraphrase check reads; the packaged MiniLM,
        loaded on first need, when omitted.
    swap_fit : SwapFitRule or None, default=SwapFitRule()
        The rule that puts a copy called spun on only a few swaps to a language
        model: when its swaps fit their sentences as well as the original's words
        did, they are an editor's wording changes and the copy is not spun (see
        ``detector.swap_fit``); None turns the check off.
    reader : SwapReader, optional
        The language model that check reads with; the packaged SmolLM2, loaded on
        first need, when omitted.
    """

    def __init__(
        self,
        judge: SubstitutionJudge | None = None,
        *,
        candidates: int = 3,
        paraphrase: ParaphraseRule | None = ParaphraseRule(),  # noqa: B008 (frozen)
        encoder: SentenceEncoder | None = None,
        swap_fit: SwapFitRule | None = SwapFitRule(),  # noqa: B008 (frozen)
        reader: SwapReader | None = None,
    ) -> None:
        if not isinstance(candidates, int) or candidates < 1:
            raise ValueError(
                "the 'candidates' parameter of ReferenceScorer must be an int >= 1, "
                f"got {candidates!r}"
            )
        self.judge = judge if judge is not None else SubstitutionJudge()
        self.candidates = candidates
        self.paraphrase = paraphrase
        self.encoder = encoder if encoder is not None else SentenceEncoder()
        self.swap_fit = swap_fit
        self.reader = reader if reader is not None else SwapReader()

    def score_pair(self, suspect: Document, original: Document) -> ScoredPair:
        """Compare ``suspect`` with one ``original``: the report and its features.

        When the suspect as a whole is no copy, its reused passages are looked
        for one by one (see ``detector.passages``); one substantial passage (two
        sentences, 40 words, or nearly all of a short original) makes it a copy,
        judged on its reused passages alone.  A suspect that keeps the
        original's topic but not its wording is also compared sentence by
        sentence in meaning: a retelling in order is ``paraphrased``, unless
        the word judge calls it a dense spin or its words are markedly plainer
        than the original's (a simplification; ``plainer_words``).  A copy called
        spun on only a few swaps that fit their sentences as well as the original's
        words did is an edited copy, not spun (``swap_fit``).
        """
        _check_suspect(suspect)
        if not isinstance(original, Document):
            raise TypeError("original must be a Document; make it with make_document()")
        scored = self._wording_checked(suspect, self._score_pair(suspect, original))
        return self._language_checked(scored, suspect, original)

    def _language_checked(
        self, scored: ScoredPair, suspect: Document, original: Document
    ) -> ScoredPair:
        """``scored``, with a note when either text is not English, and one naming the
        edits of a copy that change facts (``detector.facts``)."""
        report = scored.report
        note = (
            None  # swaps found by English thesauri: English
            if report.verdict == "spun"
            else _language_note(suspect, original, self.judge.lexicon, report.relation)
        )
        if report.relation == "copy" and report.verdict != "paraphrased":
            note = _joined(note, changed_facts(report.spans, report.deletions, suspect, original))
        if note is None:
            return scored
        return replace(scored, report=replace(report, note=_joined(report.note, note)))

    def _wording_checked(self, suspect: Document, scored: ScoredPair) -> ScoredPair:
        """``scored``, not spun when its few swaps fit their sentences (``swap_fit``)."""
        report = scored.report
        if self.swap_fit is None or report.verdict != "spun":
            return scored
        swaps = report.spin_spans
        if not self.swap_fit.applies(len(swaps), report.spin_score):
            return scored
        try:
            gains = swap_gains(self.reader, suspect, swaps)
        except (ResourceError, ModelNotFoundError) as error:
            note = _joined(report.note, f"wording check skipped: {error}")
            return replace(scored, report=replace(report, note=note))
        if not self.swap_fit.fits(gains):
            return scored
        # Rounded down, so that a median just under the bar never prints as the bar.
        shown = math.floor(round(median(gains) * 100, 6)) / 100  # 0.29, not 28.999.../100
        note = _joined(
            report.note,
            f"not spun: its {plural(len(swaps), 'swap')} read as well in their sentences as "
            f"the original's words (median gain {shown:+.2f} nats by the language "
            f"model, under {self.swap_fit.min_median_gain:g}): an editor's wording changes",
        )
        passages = tuple(
            replace(p, kind="copy") if p.kind == "spun" else p for p in report.passages
        )
        edited = replace(report, verdict="not_spun", note=note, passages=passages)
        return replace(scored, report=edited)

    def _related(self, a: str, b: str) -> bool:
        """Whether two lowercase words are forms of one lemma or thesaurus synonyms."""
        lexicon = self.judge.lexicon
        return lexicon.same_lemma(a, b) or lexicon.are_synonyms(a, b)

    def _score_pair(self, suspect: Document, original: Document) -> ScoredPair:
        alignment = align(suspect, original, self._related)
        spans, dropped = self.judge.judge_with_drops(alignment)
        scored = ScoredPair(
            *decide_with_features(alignment, spans, self.judge.weights, dropped=dropped)
        )
        as_a_copy = scored  # the report a paraphrased copy builds on, as a copy
        if scored.report.relation == "copy" and not _firmly_a_copy(scored.features):
            # Few words reused: an independent report of the same event, sharing its
            # names, numbers and a quote, or a copy of part of the text inside a page
            # of its own.  Only the passages found in it make it a copy.
            scored = ScoredPair(
                *decide_with_features(
                    alignment,
                    spans,
                    self.judge.weights,
                    dropped=dropped,
                    copy_reuse=_FIRM_COPY_REUSE,
                )
            )
        if scored.report.relation != "copy":
            scored = self._score_passages(suspect, original, scored)
        if scored.report.relation in ("unrelated", "rewrite"):
            scored = _outside_passages_dropped(scored)
        if self.paraphrase is None or not needs_meaning_check(alignment, self.paraphrase):
            return scored
        if (
            scored.report.verdict == "spun"
            and swapped_share(scored.report) >= self.paraphrase.swap_share
        ):
            return scored  # dense word-level spinning, not a rebuilt retelling
        if (
            plainer_words(alignment, self.judge.lexicon, self.paraphrase.simplified_min_words)
            >= self.paraphrase.simplified_plainer
        ):
            return scored  # reworded for plainer words: a simplification
        try:
            evidence = judge_paraphrase(
                alignment,
                self.encoder,
                self.paraphrase,
                phrase_swaps=phrase_swap_words(suspect, scored.report.spans),
            )
        except ResourceError as error:
            note = _joined(scored.report.note, f"paraphrase check skipped: {error}")
            return replace(scored, report=replace(scored.report, note=note))
        if not evidence.is_paraphrase:
            return scored
        if as_a_copy.report.relation == "copy":
            scored = as_a_copy  # its edits, added and dropped text as found in the whole
        features = {**scored.features, "reuse": evidence.paired_share}
        retold = {p.suspect for p in evidence.pairs}
        held = {
            j: p.suspect
            for p in alignment.sentence_pairs
            if p.suspect not in retold
            for j in range(*p.original)
        }
        widened = widen_pairs(suspect, original, evidence, self.encoder, held=held)
        return ScoredPair(_paraphrased(scored.report, evidence, widened), features)

    def score(self, suspect: Document, originals: Iterable[Document] | Document) -> Report:
        """The report on ``suspect`` against the best-matching of ``originals``.

        The best match is the original the suspect reuses most text from (or a
        copy found spun or paraphrased beside a clean one: ``best_source``); its
        name is the report's ``source``.
        """
        _check_suspect(suspect)
        if isinstance(originals, Document):
            originals = [originals]
        if isinstance(originals, str | bytes) or not isinstance(originals, Iterable):
            raise TypeError("originals must be Document objects; make them with make_document()")
        originals = list(originals)
        if not all(isinstance(o, Document) for o in originals):
            raise TypeError("originals must be Document objects; make them with make_document()")
        if not originals:
            raise ValueError("score() needs at least one original to compare with")
        if len(originals) == 1:
            return self.score_pair(suspect, originals[0]).report
        ranked = sorted(originals, key=lambda o: content_overlap(suspect, o), reverse=True)
        scored = [self._score_pair(suspect, o) for o in ranked[: self.candidates]]
        best = best_source(scored)
        best = self._wording_checked(suspect, best)  # the chosen pair's alone
        return self._language_checked(best, suspect, best.report.original).report

    def _score_passages(
        self, suspect: Document, original: Document, whole: ScoredPair
    ) -> ScoredPair:
        """The report on the passages of ``suspect`` reused from ``original``.

        Each candidate passage is aligned on its own, and so is each run of
        sentences that alignment matches (leaving out the unrelated sentences a
        candidate takes in at its edges); a run that is a copy when judged alone
        is a reused passage.  When one is substantial, the suspect is a copy
        judged on them, and their spans and deletions are the report's;
        otherwise ``whole`` (the report on the texts as wholes) stands, listing
        the short passages with a note.
        """
        parts: list[ScoredPair] = []
        spans: list[Span] = []
        deletions: list[Deletion] = []
        passages: list[Passage] = []
        searched_whole = True
        for found in find_passages(suspect, original):
            runs, complete = self._confirmed_runs(suspect, original, found)
            searched_whole &= complete
            for scored, start, o_start in runs:
                parts.append(scored)
                shifted = _moved(scored.report, start, o_start)
                spans += shifted[0]
                deletions += shifted[1]
                passages += shifted[2]
        if not passages:
            return whole
        if not any(self._substantial(p, suspect, original) for p in passages):
            kept = tuple(p for p in passages if _mostly_kept(p, spans, suspect))
            if not kept:  # a sentence built alike ("Opposition councillors ... consultation")
                return whole
            return _with_short_passages(whole, kept, suspect, original)
        spin_score = max(part.report.spin_score for part in parts)
        content = sum(part.features["paired_content_words"] for part in parts)
        swaps = sum(part.features["swaps"] for part in parts)
        coverage = measure_coverage(
            tuple(passages), suspect, original, *reuse_extents(spans, deletions)
        )
        threshold = self.judge.weights.threshold
        verdict, spin_score = spun_verdict(spin_score, int(swaps), threshold)
        stopped = (
            None
            if searched_whole
            else (
                f"the search for reused passages stopped after {_MAX_PASSAGES} of them in one "
                "stretch of the page (an article repeated many times?): more may be reused"
            )
        )
        added, dropped = _outside_passages(suspect, original, passages)
        spans = sorted(spans + added, key=lambda s: (s.start, s.end))
        deletions = sorted(deletions + dropped, key=lambda d: (d.start, d.original_start))
        report = Report(
            verdict=verdict,
            relation="copy",
            spin_score=spin_score,
            substitution_rate=swaps / content if content else 0.0,
            source=original.name,
            spans=tuple(spans),
            suspect=suspect,
            original=original,
            mode="reference",
            deletions=tuple(deletions),
            passages=tuple(passages),
            coverage=coverage,
            note=_joined(few_swaps_note(verdict, "copy", spans, threshold), stopped),
        )
        best = max(parts, key=lambda part: part.report.spin_score)
        return ScoredPair(report, {**best.features, "reuse": coverage.suspect})

    def _confirmed_runs(
        self, suspect: Document, original: Document, found: PassageRange
    ) -> tuple[list[tuple[ScoredPair, int, int]], bool]:
        """The runs of matched sentences inside candidate ``found`` that are copies on their
        own, and whether the candidate was searched to its end.

        Each run comes with the offsets of its text in the suspect and in the original.
        The text a round leaves between and around its confirmed runs is searched
        again, as an alignment pairs each original sentence once: a suspect holding
        the original twice or more has each copy found.  A candidate many times the
        original's length (an article repeated, in a page of megabytes) is searched in
        overlapping windows, each holding any one copy whole, until ``_MAX_PASSAGES``
        are found: time and memory grow with the page, not with its square.
        """
        start, end = suspect.padded_span(*found.suspect)
        o_start, o_end = original.padded_span(*found.original)
        original_part = make_document(original.text[o_start:o_end], original.name)
        # A copy may be longer than its original (wordier swaps): windows overlap by
        # twice the original, so each copy lies whole in one of them.
        overlap = 2 * len(original_part.text) + _WINDOW_MARGIN
        confirmed: list[tuple[ScoredPair, int, int, int]] = []  # with each run's suspect end
        window_start = start
        first = True
        while window_start < end:
            window_end = min(end, window_start + 2 * overlap)
            # The next window starts at a paragraph break in the overlap where there is one;
            # a run starting there or later is read whole in that window, not cut here.
            defer_from = (
                end
                if window_end >= end
                else _paragraph_start(suspect.text, window_end - overlap, window_start)
            )
            waiting = [(window_start, window_end)]
            for _ in range(_MAX_SEARCH_ROUNDS):
                if not waiting:
                    break
                if len(confirmed) >= _MAX_PASSAGES:
                    return _in_suspect_order(confirmed), False
                lo_c, hi_c = waiting.pop()
                found_here = self._search_once(
                    suspect,
                    original,
                    original_part,
                    o_start,
                    (lo_c, hi_c),
                    [(lo, hi) for _, lo, _, hi in confirmed],
                    first=first,
                    defer_from=defer_from,
                )
                first = False
                confirmed += [run for run in found_here if run[0] is not None]
                if found_here:  # the text around what was found (or left for later), again
                    runs = [(lo, hi) for _, lo, _, hi in found_here]
                    waiting += _left_over(suspect, lo_c, hi_c, runs)
            if window_end >= end:
                break
            # The next window starts past the copies found here (a copy's tail read again
            # would take the original's last sentences from the copy after it).
            window_start = max([defer_from, *(hi for _, lo, _, hi in confirmed if lo < defer_from)])
        return _in_suspect_order(confirmed), True

    def _search_once(
        self,
        suspect: Document,
        original: Document,
        original_part: Document,
        o_start: int,
        stretch: tuple[int, int],
        taken: list[tuple[int, int]],
        *,
        first: bool,
        defer_from: int,
    ) -> list[tuple[ScoredPair | None, int, int, int]]:
        """The copies the alignment of ``stretch`` of the suspect with ``original_part``
        (at ``o_start`` in the original) confirms, outside the ranges already ``taken``:
        (scored pair, suspect start, original start, suspect end); the scored pair is
        None for a run starting at or after ``defer_from``, left for the next window.

        Past the ``first`` search, a run must reuse ``_REPEAT_REUSE`` of its words and be
        substantial: another whole copy, not a sentence sharing words with one found.
        """
        lo_c, hi_c = stretch
        rough = align(
            make_document(suspect.text[lo_c:hi_c], suspect.name), original_part, self._related
        )
        confirmed = []
        for run in passages_from_alignment(rough):
            lo, hi = rough.suspect.padded_span(*run.suspect)
            if any(lo_c + lo < b and a < lo_c + hi for a, b in taken):
                continue  # found already, in an overlapping window
            o_lo, o_hi = rough.original.padded_span(*run.original)
            if lo_c + lo >= defer_from:
                confirmed.append((None, lo_c + lo, o_start + o_lo, lo_c + hi))
                continue
            alignment = align(
                make_document(rough.suspect.text[lo:hi], suspect.name),
                make_document(rough.original.text[o_lo:o_hi], original.name),
                self._related,
            )
            spans, dropped = self.judge.judge_with_drops(alignment)
            scored = ScoredPair(
                *decide_with_features(alignment, spans, self.judge.weights, dropped=dropped)
            )
            passage = Passage(lo_c + lo, lo_c + hi, o_start + o_lo, o_start + o_hi, "copy")
            if scored.report.relation == "copy" and (
                (
                    first
                    and _firmly_a_copy(scored.features)
                    and self._balanced(passage, suspect, original)
                )
                or (
                    scored.features["reuse"] >= _REPEAT_REUSE
                    and self._substantial(passage, suspect, original)
                )
            ):
                confirmed.append((scored, lo_c + lo, o_start + o_lo, lo_c + hi))
        return confirmed

    @classmethod
    def _balanced(cls, passage: Passage, suspect: Document, original: Document) -> bool:
        """Whether ``passage`` is substantial, or its two sides are of like length (within
        ``_SHORT_PASSAGE_RATIO`` of each other), or its shorter side is mostly one verbatim
        run of the other (a line of a wrapped sentence): a headline of six words
        sharing "village hall" and "to auction" with a source's 33-word lead sentence is
        no reused passage."""
        if cls._substantial(passage, suspect, original):
            return True
        s_lo = bisect_left(suspect.starts, passage.start)
        s_hi = bisect_left(suspect.starts, passage.end)
        o_lo = bisect_left(original.starts, passage.original_start)
        o_hi = bisect_left(original.starts, passage.original_end)
        words, original_words = s_hi - s_lo, o_hi - o_lo
        if not words or not original_words:
            return False
        if max(words, original_words) <= _SHORT_PASSAGE_RATIO * min(words, original_words):
            return True
        run = SequenceMatcher(
            None, suspect.words[s_lo:s_hi], original.words[o_lo:o_hi], autojunk=False
        ).find_longest_match()
        return run.size >= _VERBATIM_SHARE * min(words, original_words)

    @staticmethod
    def _substantial(passage: Passage, suspect: Document, original: Document) -> bool:
        """Whether reusing ``passage`` alone makes ``suspect`` a copy of ``original``."""
        words = words_within(suspect, passage.start, passage.end)
        first = suspect.starts[bisect_left(suspect.starts, passage.start)]
        sentences = sum(
            1 for lo, _ in suspect.sentences if first <= suspect.starts[lo] < passage.end
        )
        return (
            sentences >= _SUBSTANTIAL_SENTENCES
            or words >= _SUBSTANTIAL_WORDS
            or words_within(original, passage.original_start, passage.original_end)
            >= _WHOLE_ORIGINAL * len(original)
        )


def _in_suspect_order(
    runs: list[tuple[ScoredPair, int, int, int]],
) -> list[tuple[ScoredPair, int, int]]:
    """Confirmed runs (scored pair, suspect start, original start, suspect end) in suspect
    order, without their ends."""
    return [(scored, lo, o_lo) for scored, lo, o_lo, _ in sorted(runs, key=lambda r: r[1])]


def _paragraph_start(text: str, position: int, floor: int) -> int:
    """The start of the paragraph holding ``position`` of ``text`` (after a blank line),
    when it lies after ``floor``; else ``position``."""
    breaks = list(PARAGRAPH_BREAK.finditer(text, floor + 1, position))
    return breaks[-1].end() if breaks else position


def _left_over(
    suspect: Document, start: int, end: int, taken: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The stretches of ``suspect.text[start:end]`` outside the ``taken`` character
    ranges that hold at least ``_LEFT_OVER_WORDS`` words, as character ranges."""
    gaps = []
    reach = start
    for lo, hi in [*sorted(taken), (end, end)]:
        if words_within(suspect, reach, lo) >= _LEFT_OVER_WORDS:
            gaps.append((reach, lo))
        reach = max(reach, hi)
    return gaps


def _firmly_a_copy(features: dict[str, float]) -> bool:
    """Whether a pair whose alignment reads as a copy reuses enough to be one on its own
    (``_FIRM_COPY_REUSE`` of its words, or ``_FIRM_PAIR_REUSE`` of its paired sentences')."""
    return (
        features["reuse"] >= _FIRM_COPY_REUSE or features.get("pair_reuse", 0.0) >= _FIRM_PAIR_REUSE
    )


def _outside_passages(
    suspect: Document, original: Document, passages: Sequence[Passage]
) -> tuple[list[Span], list[Deletion]]:
    """The suspect's sentences outside every passage, as ``insert`` spans (the page's own
    text, before and after the reused part), and the original's outside every passage's
    original range, as deletions (the part of the source not reused): each run of
    neighbouring sentences one gap, anchored at the nearest passage before it."""
    in_suspect = sorted((p.start, p.end, p.original_start, p.original_end) for p in passages)
    in_original = sorted((p.original_start, p.original_end, p.start, p.end) for p in passages)

    def outside(document: Document, ranges: list[tuple[int, int, int, int]]):
        run: list[int] = []
        for lo, hi in document.sentences:
            a, b = document.starts[lo], document.ends[hi - 1]
            if any(a < end and start < b for start, end, _, _ in ranges):
                if run:
                    yield run
                run = []
            elif run:
                run[1] = hi
            else:
                run = [lo, hi]
        if run:
            yield run

    def point(ranges: list[tuple[int, int, int, int]], at: int) -> int:
        before = [r for r in ranges if r[1] <= at]
        return before[-1][3] if before else ranges[0][2]

    added = []
    for lo, hi in outside(suspect, in_suspect):
        start, end = suspect.padded_span(lo, hi)
        added.append(Span.added(suspect.text, start, end, point(in_suspect, start)))
    dropped = []
    for lo, hi in outside(original, in_original):
        o_start, o_end = original.padded_span(lo, hi)
        dropped.append(
            Deletion(o_start, o_end, original.text[o_start:o_end], point(in_original, o_start))
        )
    return added, dropped


def _outside_passages_dropped(scored: ScoredPair) -> ScoredPair:
    """``scored`` (an unrelated pair, or a rewrite: the same story in other words) without
    the spans outside its short reused passages: word pairs of two texts that do not copy
    each other's wording are not swaps or edits of each other."""
    report = scored.report
    inside = tuple(
        s for s in report.spans if any(p.start <= s.start < p.end for p in report.passages)
    )
    if len(inside) == len(report.spans):
        return scored
    rate = _rate_of_kept(report, inside)
    return ScoredPair(replace(report, spans=inside, substitution_rate=rate), scored.features)


def _rate_of_kept(report: Report, kept: Sequence[Span]) -> float:
    """``report``'s substitution rate counting only the swaps among ``kept`` (the same
    content words compared)."""
    swaps = sum(s.is_spin for s in report.spans)
    return report.substitution_rate * sum(s.is_spin for s in kept) / swaps if swaps else 0.0


_SHORT_PASSAGE_KEPT = 0.5  # a short passage is reuse when at least this share of its words is


def _mostly_kept(passage: Passage, spans: Sequence[Span], suspect: Document) -> bool:
    """Whether at least half of the words of ``passage`` (a short one) are the original's
    unchanged: outside ``spans``, its swaps, edits and insertions."""
    words = words_within(suspect, passage.start, passage.end)
    changed = sum(
        words_within(suspect, max(span.start, passage.start), min(span.end, passage.end))
        for span in spans
        if span.start < passage.end and span.end > passage.start
    )
    return words - changed >= _SHORT_PASSAGE_KEPT * words


def _with_short_passages(
    whole: ScoredPair, passages: tuple[Passage, ...], suspect: Document, original: Document
) -> ScoredPair:
    """``whole`` listing ``passages``, reused but too short to make the suspect a copy."""
    words = sum(words_within(suspect, p.start, p.end) for p in passages)
    note = (
        f"{plural(len(passages), 'short passage')} ({plural(words, 'word')}) reused from "
        f"{original.name or 'the original'}: too little to call the whole a copy (that takes "
        f"{_SUBSTANTIAL_SENTENCES} sentences or {_SUBSTANTIAL_WORDS} words)"
    )
    report = replace(
        whole.report,
        passages=passages,
        coverage=measure_coverage(
            passages, suspect, original, *reuse_extents(whole.report.spans, whole.report.deletions)
        ),
        note=whole.report.note or note,
    )
    return ScoredPair(report, whole.features)


def phrase_swap_words(suspect: Document, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """The suspect word ranges of the glue-phrase swaps among ``spans`` (judge spans
    start and end on word boundaries)."""
    return [
        (bisect_left(suspect.starts, span.start), bisect_left(suspect.starts, span.end))
        for span in spans
        if span.kind == "phrase"
    ]


def swapped_share(report: Report) -> float:
    """Share of the changed words of a reference report that lie in synonym or phrase
    swaps (the rest: edits, insertions, names, numbers, dropped text).  Text dropped
    right beside a swap ("a {large|big} [-red-] building") belongs to the swap and is
    not counted."""
    swapped = changed = 0
    beside: set[int] = set()
    text = report.suspect.text if report.suspect is not None else ""
    for span in report.spans:
        words = len(span.text.split()) or 1
        changed += words
        if span.kind in SPIN_KINDS:
            swapped += words
            beside.update((span.start, span.end))
    for deletion in report.deletions:
        at = deletion.start
        while at > 0 and text[at - 1 : at].isspace():
            at -= 1
        if deletion.start not in beside and at not in beside:
            changed += len(deletion.text.split())
    return swapped / changed if changed else 0.0


def _paraphrased(
    report: Report,
    evidence: ParaphraseEvidence,
    widened: dict[int, tuple[tuple[int, int], tuple[int, int]]],
) -> Report:
    """``report`` (the word alignment's) turned into the report on a paraphrased copy.

    Each rewritten sentence becomes a span of kind ``paraphrase`` holding the
    original sentence it retells (both widened by the halves of a sentence
    the paraphraser split or merged: ``widened``, from ``widen_pairs``); the
    word-level spans inside those sentences, and the deletions of original
    text they retell, give way, the others stay.  Runs of retold sentences
    are the passages.
    """
    suspect, original = report.suspect, report.original
    assert original is not None  # a reference report
    sentence_spans = []
    for pair in evidence.rewritten:
        (first, last), (o_first, o_last) = _extent(pair, widened)
        start = suspect.padded_span(*suspect.sentences[first])[0]
        end = suspect.padded_span(*suspect.sentences[last])[1]
        o_start = original.padded_span(*original.sentences[o_first])[0]
        o_end = original.padded_span(*original.sentences[o_last])[1]
        similarity = min(1.0, max(0.0, pair.similarity))
        sentence_spans.append(
            Span(
                start,
                end,
                suspect.text[start:end],
                original.text[o_start:o_end],
                "paraphrase",
                similarity,
                o_start,
                o_end,
            )
        )
    inside = [(s.start, s.end) for s in sentence_spans]
    # A word span that overlaps a retold sentence gives way ('"Because' with the quote
    # before the sentence's first word: a helper found it left beside the span); added
    # text keeps what lies outside the retold sentences (a paragraph of its own).
    kept = [
        piece
        for span in report.spans
        for piece in _outside_retold(span, inside, suspect)
        if span.kind == "insert" or piece == span
    ]
    # Original text a paraphrase span retells was not dropped, whatever the word alignment,
    # which pairs a retold sentence's words loosely, says.
    retold = [(s.original_start, s.original_end) for s in sentence_spans]
    deletions = [
        piece
        for d in report.deletions
        if not any(lo < d.start < hi for lo, hi in inside)
        for piece in _outside_retold_original(d, retold, original)
    ]
    # The sentences no meaning pair holds are added and dropped text ("In her words, ..."
    # with no counterpart), unless the word alignment shows them already (a span or a
    # deletion there): else the report reads as if every sentence were retold.
    inserts, dropped = _unretold(suspect, original, evidence, widened, sentence_spans)
    dropped = [
        d
        for d in dropped
        if not any(
            e.original_start < d.original_end and d.original_start < e.original_end
            for e in deletions
        )
    ]
    # A suspect sentence no meaning pair holds that the word alignment paired with an
    # original sentence none retells: shown once.  Mostly changed (its words inside edit
    # spans), it was paired by its place, and the two are added and dropped text, not word
    # edits of each other (a trial's own sentence in place of a quote showed "[+Tickets
    # for+] the [summer music festival go|repairs are ...]" and the quote dropped); mostly
    # kept, its edits stand and the original sentence is not dropped as well.
    for added in inserts:
        inside = [k for k in kept if added.start <= k.start and k.end <= added.end]
        edits = [k for k in inside if k.kind != "insert"]
        held = [
            d
            for d in dropped
            if any(d.original_start <= k.original_start < d.original_end for k in edits)
        ]
        if not held:
            continue
        changed = sum(k.end - k.start for k in inside)
        if 2 * changed >= added.end - added.start:
            kept = [k for k in kept if k not in inside]
        else:
            dropped = [d for d in dropped if d not in held]
    kept += [i for i in inserts if not any(k.start < i.end and i.start < k.end for k in kept)]
    deletions += dropped
    deletions.sort(key=lambda d: (d.start, d.original_start))
    passages = []
    run: list[MeaningPair] = []
    for pair in (*evidence.pairs, None):
        if run and (
            pair is None
            or pair.suspect > run[-1].suspect + 2
            or pair.original > run[-1].original + 2
        ):
            head, tail = _extent(run[0], widened), _extent(run[-1], widened)
            start = suspect.char_span(*suspect.sentences[head[0][0]])[0]
            end = suspect.char_span(*suspect.sentences[tail[0][1]])[1]
            o_start = original.char_span(*original.sentences[head[1][0]])[0]
            o_end = original.char_span(*original.sentences[tail[1][1]])[1]
            passages.append(Passage(start, end, o_start, o_end, "paraphrased"))
            run = []
        if pair is not None:
            run.append(pair)
    return replace(
        report,
        verdict="paraphrased",
        relation="copy",
        substitution_rate=_rate_of_kept(report, kept),  # the swaps outside retold sentences
        source=original.name if report.source is None else report.source,
        spans=tuple(sorted(sentence_spans + kept, key=lambda s: s.start)),
        deletions=tuple(deletions),
        passages=tuple(passages),
        coverage=measure_coverage(
            tuple(passages), suspect, original, *reuse_extents(sentence_spans + kept, deletions)
        ),
        note=f"paraphrased: {evidence.summary()}",
    )


def _extent(
    pair: MeaningPair, widened: dict[int, tuple[tuple[int, int], tuple[int, int]]]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The sentences a meaning pair spans, first and last on each side: ``widened``'s
    (a sentence the paraphraser split or merged, ``widen_pairs``), else the pair's own."""
    return widened.get(pair.suspect, ((pair.suspect,) * 2, (pair.original,) * 2))


def _unretold(
    suspect: Document,
    original: Document,
    evidence: ParaphraseEvidence,
    widened: dict[int, tuple[tuple[int, int], tuple[int, int]]],
    retold: Sequence[Span],
) -> tuple[tuple[Span, ...], tuple[Deletion, ...]]:
    """The ``insert`` spans of the suspect's sentences that retell none of the original's
    (by ``evidence``'s meaning pairs, ``widened``) and the deletions of the original's
    sentences none retells; nothing inside the ``retold`` spans."""
    pairs = []
    for pair in evidence.pairs:
        (first, last), (o_first, o_last) = _extent(pair, widened)
        pairs += [
            SentencePair(k, (o_first, o_last + 1), pair.similarity) for k in range(first, last + 1)
        ]
    alignment = Alignment(
        suspect, original, tuple(pairs), unpaired_sentences(suspect, original, pairs)
    )
    return find_gaps(alignment, tuple(retold))


def _outside_retold(span: Span, inside: Sequence[tuple[int, int]], suspect: Document) -> list[Span]:
    """The parts of ``span`` outside the retold sentences ``inside`` (character ranges),
    each trimmed to the words it holds: ``[span]`` when it overlaps none."""
    pieces = _word_pieces_outside(span.start, span.end, inside, suspect)
    if pieces is None:
        return [span]
    return [replace(span, start=a, end=b, text=suspect.text[a:b]) for a, b in pieces]


def _outside_retold_original(
    deletion: Deletion, retold: Sequence[tuple[int, int]], original: Document
) -> list[Deletion]:
    """The parts of ``deletion`` outside the ``retold`` original ranges (characters),
    each trimmed to the words it holds: a sentence's dropped last word ("long", of "can
    grow up to 11 metres long") joined to the next sentence, which a paraphrase retells,
    stays dropped."""
    pieces = _word_pieces_outside(deletion.original_start, deletion.original_end, retold, original)
    if pieces is None:
        return [deletion]
    return [
        replace(deletion, original_start=a, original_end=b, text=original.text[a:b])
        for a, b in pieces
    ]


def _word_pieces_outside(
    start: int, end: int, ranges: Sequence[tuple[int, int]], document: Document
) -> list[tuple[int, int]] | None:
    """The parts of ``start``-``end`` (characters of ``document``) outside ``ranges``, each
    trimmed to the words it holds (character ranges); None when it overlaps none."""
    parts = [(start, end)]
    for lo, hi in ranges:
        parts = [
            piece
            for a, b in parts
            for piece in (((a, b),) if b <= lo or hi <= a else ((a, min(b, lo)), (max(a, hi), b)))
        ]
    if parts == [(start, end)]:
        return None
    found = []
    for a, b in parts:
        first = bisect_left(document.starts, a)
        last = bisect_left(document.starts, b)
        while last > first and document.ends[last - 1] > b:
            last -= 1
        if first < last:
            found.append(document.char_span(first, last))
    return found


def _moved(
    report: Report, start: int, o_start: int
) -> tuple[list[Span], list[Deletion], list[Passage]]:
    """The spans, deletions and passages of a report on parts of the texts, moved into the whole.

    The parts begin at ``start`` in the suspect and ``o_start`` in the original;
    spans and deletions outside the report's passages are left out.
    """
    inside = [(p.start, p.end) for p in report.passages]
    spans = [
        replace(
            s,
            start=s.start + start,
            end=s.end + start,
            original_start=s.original_start + o_start,
            original_end=s.original_end + o_start,
        )
        for s in report.spans
        if any(lo <= s.start < hi for lo, hi in inside)
    ]
    deletions = [
        replace(
            d,
            start=d.start + start,
            original_start=d.original_start + o_start,
            original_end=d.original_end + o_start,
        )
        for d in report.deletions
        if any(lo <= d.start <= hi for lo, hi in inside)
    ]
    passages = [
        replace(
            p,
            start=p.start + start,
            end=p.end + start,
            original_start=p.original_start + o_start,
            original_end=p.original_end + o_start,
        )
        for p in report.passages
    ]
    return spans, deletions, passages


def _check_suspect(suspect: object) -> None:
    """``TypeError`` unless ``suspect`` is a Document (any Document scores, a wordless one
    ``not_spun``; ``score_texts`` and the CLI refuse wordless text before it gets here)."""
    if not isinstance(suspect, Document):
        raise TypeError("suspect must be a Document; make it with make_document()")


def _language_note(
    suspect: Document, original: Document, lexicon: Lexicon, relation: str | None
) -> str | None:
    """Why a pair cannot be compared as English text, or None when both texts are English,
    or one is and they are a copy (a table or a list of names copied reads as not English,
    and the copy is seen all the same)."""
    suspect_problem = language_problem(suspect, lexicon)
    if suspect_problem is None and relation == "copy":
        return None  # the original alone not English, in a copy: a table or list copied
    problems = [("suspect", suspect_problem), ("original", language_problem(original, lexicon))]
    foreign = [(name, problem) for name, problem in problems if problem]
    if not foreign:
        return None
    if len(foreign) == 2:
        return (
            "neither text looks like English: swaps are recognised with English thesauri, "
            "so in another language they read as ordinary edits"
        )
    if relation == "copy":
        return None
    name, problem = foreign[0]
    return f"the {name} {problem}; the other text is English, and a translation is not compared"


def _joined(first: str | None, second: str | None) -> str | None:
    """Two notes as one line (either alone when the other is None)."""
    return f"{first}; {second}" if first and second else first or second


def score_texts(suspect: str, original: str, *, scorer: ReferenceScorer | None = None) -> Report:
    """The report on the text ``suspect`` against the text ``original``.

    Raises ``InputError`` for a text without words, as ``spindetect score`` refuses one.
    """
    if not isinstance(suspect, str) or not isinstance(original, str):
        raise TypeError("score_texts() takes two strings; use ReferenceScorer for Documents")
    documents = []
    for text, name in ((suspect, "suspect"), (original, "original")):
        document = make_document(text, name)
        if not document.words:
            problem = "is empty" if not text.strip() else "has no words"
            raise InputError(f"the {name} text {problem}")
        documents.append(document)
    scorer = scorer if scorer is not None else ReferenceScorer()
    return scorer.score(*documents)
