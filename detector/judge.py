"""Substitution judgement: is each substituted span a spinner's synonym swap or an ordinary edit?

A substitute edit from the alignment ("the company's staff" -> "the corporate's
employees") may hold several replaced units side by side.  The judge covers
the original and suspect words of the edit with the cheapest sequence of
pieces, each of which is

* unchanged, or a spelling variant ("U.S." / "US", "per cent" / "percent");
* a British word for its American one ("lorry" / "truck", "car park" / "parking
  lot": a syndicated copy localised, ``detector/data/localisation.tsv``), an
  ordinary edit unless the document around it reads as spun (below);
* a thesaurus synonym in any sense, after lemmatising, of one to four words
  ("staff" -> "employees", "said" -> "stated", "hospital" -> "infirmary");
* a known glue-phrase rewrite ("because of" -> "on account of"), also one that
  keeps a word of its phrase and so aligns as two changes around it ("next
  month" -> "one month from now");
* a dropped or added function word, folded into the neighbouring swap;
* a one-word swap between unchanged words that ``MeaningEvidence`` calls close
  (second-order Moby links, static embeddings);
* anything else: an ordinary edit, classed as a number or date change, a name
  change, or an edit.

Swaps from another thesaurus ("fish" -> "aquatic vertebrate", "eagerly" ->
"thirstily", "Mike" -> "Microphone") are then read by their setting: a
spinner swaps words one for one through the whole text and leaves every
sentence otherwise standing, an editor adds, drops and reorders words.  In a
document where the thesaurus confirms several swaps and nearly every changed
sentence was changed by short swaps alone, a short ordinary edit inside such
a sentence is a swap too, unless it is what editors do (a name for a name, a
number or date for another, a spelling change, a restructuring that keeps its
word, several words condensed into fewer); words added right beside a swap
join it ("contracts" -> "written agreements").  A lone unexplained swap in an
otherwise unchanged or rewritten document stays an edit.

Each piece that is not unchanged becomes a ``Span``.  A span's ``score`` is
the probability that the swap is a spinner's: rare synonyms of common words
score high, the plainer words editors choose score low.

``find_gaps`` reads the rest of the alignment: the words the suspect added
(``insert`` spans) and the original text it dropped (``Deletion``), ordinary
edits that never count as spinning.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path
from typing import Any

from detector.align import (
    Alignment,
    Edit,
    make_edit,
    movable_word,
    whole_dates,
    written_as_name,
)
from detector.calibration import SPAN_FEATURES, ReferenceWeights, load_reference_weights
from detector.document import Document
from detector.facts import (
    ORDINAL_WORDS,
    currency_of,
    date_name,
    date_runs,
    is_figure,
    negation_count,
    number_value,
)
from detector.lexicon import (
    IRREGULAR_PLURALS,
    GluePhrases,
    Lexicon,
    load_lexicon,
    load_reference_glue,
)
from detector.meaning import MeaningEvidence
from detector.report import SPIN_KINDS, Deletion, Span, SpanKind
from detector.stopwords import CARDINAL_WORDS, STOPWORDS

__all__ = [
    "SPIN_KINDS",
    "Span",
    "SpanKind",
    "SubstitutionJudge",
    "find_gaps",
    "load_localisation",
]


def load_localisation(path: Path | None = None) -> frozenset[tuple[str, str]]:
    """British/American word pairs (``detector/data/localisation.tsv`` by default),
    lowercase, both ways round: ("lorry", "truck") and ("truck", "lorry")."""
    if path is None:
        text = resources.files("detector").joinpath("data", "localisation.tsv").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    pairs: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        british, american = line.lower().split("\t")
        pairs.update(((british, american), (american, british)))
    return frozenset(pairs)


_MAX_PIECE = 5  # longest phrase, in words, on either side of one piece ("be that as it may"),
# but for a glue phrase of the table, which may be longer ("in light of the fact that")
_STATS_CACHE_SIZE = 200_000  # terms whose frequency and synonym count the judge remembers
_PIECE_CACHE_SIZE = 500_000  # word or phrase pairs whose correspondence the judge remembers
_ORDINARY_SCORE = 0.02  # span score of a number, name or other ordinary edit
_DATE_WORDS = frozenset(
    (
        "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow "
        "tonight january february april june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    ).split()
)
_AMBIGUOUS_MONTHS = frozenset({"may", "march"})  # dates only beside a number
_NUMBER_WORDS = CARDINAL_WORDS | ORDINAL_WORDS | frozenset("dozens half per cent percent".split())
_DIGIT = re.compile(r"\d")
_MAX_MEANING_BLOCK = 4  # longest run of one-for-one swaps judged by meaning beyond Moby
_MAX_SWAP_WORDS = _MAX_PIECE  # longest side of a swap judged by the document around it
_MAX_CONDENSED_WORDS = 2  # longest original side of a swap that shortens it
_MAX_STRADDLED_WORDS = 2  # longest unchanged run inside a known rewrite ("next year")
_ORDINARY_KINDS = frozenset({"edit", "name", "number"})
_MIN_COMMON_SYNONYMS = 5  # a capitalised word with this many Moby synonyms is a common word
_MIN_CONFIRMED_SWAPS = 3  # thesaurus swaps a document needs before its other swaps are read
_MIN_INTACT_SHARE = 0.9  # of changed sentences, changed by short swaps alone
_SPELLING_RATIO = 0.8  # "behaviour" / "behavior": a spelling change, never a meaning swap

# Costs of the pieces the cover is made of; the cheapest cover wins.
_COST_EQUAL = 0.0
_COST_SPELLING = 0.3
_COST_FUNCTION_WORD = 0.45
_COST_INFLECTION = 0.6
_COST_PHRASE = 0.9
_COST_SYNONYM = 1.0
_COST_OTHER = 2.2
_COST_OTHER_GAP = 1.8
_COST_FIGURE_FOR_WORD = 0.1
# A function word for a content word is a thesaurus pair now and then ("and" is
# among Moby's synonyms of "take"); where the other side holds that function word
# itself, a cover pairs them only when nothing cheaper explains the block: "and took
# the lead" -> "and went ahead" keeps its "and" and swaps the phrase, not "took" for
# "and" (elsewhere, "come under fire" -> "been criticized", the pair stays as cheap).
_COST_FUNCTION_FOR_CONTENT = 0.6
# Most words a side of an edit whose kind is ``number`` ("Tuesday, 13 June 2024"); a
# longer one ("keeper|goalkeeper made three fine saves") is an ``edit``.
_LONGEST_NUMBER_EDIT = 4
_DIGITS = re.compile(r"\d+")
_ARTICLES = frozenset({"a", "an"})
# "more slow" for "slower": a spinner's adjective graded with a word.
_GRADING_WORDS = frozenset({"more", "most"})

# Words an "of" binds to as a quantity or a part: "hundreds of", "a number of", "most of".
_PARTITIVE_HEADS = frozenset(
    "hundreds thousands millions billions dozens scores tens lots plenty number numbers "
    "majority minority most many some all none each several couple handful host range "
    "variety series rest half part share proportion percent".split()
)

# Nouns that name a quantity, and the counts they stand for ("a decade" = "ten years",
# "a fortnight" = "two weeks" or "fourteen days").
_QUANTITY_NOUNS: dict[str, tuple[float, ...]] = {
    "decade": (10.0,),
    "century": (100.0,),
    "dozen": (12.0,),
    "fortnight": (2.0, 14.0),
    "couple": (2.0,),
    "pair": (2.0,),
    "score": (20.0,),
    "hundred": (100.0,),
    "thousand": (1000.0,),
    "million": (1e6,),
}

_Piece = tuple[str, int, int, int, int]  # kind, original lo, hi, suspect lo, hi (block-relative)
_Range = tuple[int, int, int, int]  # original lo, hi, suspect lo, hi (word indices)
_Phrase = tuple[int, str, bool, bool]  # length in words, text, has a digit, all function words
_EQUAL = ("equal", _COST_EQUAL)
_SPELLING = ("spelling", _COST_SPELLING)
_INFLECTION = ("inflection", _COST_INFLECTION)
_LOCALISED = ("localised", _COST_SPELLING)  # British for American: an ordinary edit
_SYNONYM = ("synonym", _COST_SYNONYM)
_OTHER_GAP = ("other", _COST_OTHER_GAP)
_EQUAL_END: _Piece = ("equal", 0, 0, 0, 0)  # closes the last run of a cover


class SubstitutionJudge:
    """Classifies the substitutions of an alignment into spinner swaps and ordinary edits.

    Parameters
    ----------
    lexicon : Lexicon, optional
        Thesaurus, lemmas and word frequencies; the compiled Moby lexicon by default.
    glue : GluePhrases, optional
        Glue-phrase rewrites; by default the bundled tables, those reference mode alone
        reads included (``load_reference_glue``).
    weights : ReferenceWeights, optional
        The span-scoring model; the bundled calibration by default.
    max_block_words : int, default=14
        Substitutions longer than this on either side are rewrites, not swaps,
        and are not searched for synonyms.
    meaning : MeaningEvidence or False, optional
        Closeness in meaning beyond Moby, for a one-word swap inside copied text
        that the thesaurus does not list; built over ``lexicon`` by default,
        ``False`` to judge by the thesaurus alone.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        glue: GluePhrases | None = None,
        weights: ReferenceWeights | None = None,
        *,
        max_block_words: int = 14,
        meaning: MeaningEvidence | bool | None = None,
    ) -> None:
        if not isinstance(max_block_words, int) or max_block_words < 1:
            raise ValueError(
                f"the 'max_block_words' parameter of SubstitutionJudge must be an int >= 1, "
                f"got {max_block_words!r}"
            )
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.glue = glue if glue is not None else load_reference_glue()
        self._localised = load_localisation()
        self._known_phrases = frozenset(
            [*self.glue.phrases, *(a for a, _ in self._localised if " " in a)]
        )
        self._longest_piece = max(
            [_MAX_PIECE, *(phrase.count(" ") + 1 for phrase in self._known_phrases)]
        )
        self.weights = weights if weights is not None else load_reference_weights()
        self.max_block_words = max_block_words
        if meaning is None or meaning is True:
            meaning = MeaningEvidence(self.lexicon)
        self.meaning: MeaningEvidence | None = meaning or None
        self._stats_cache: dict[str, tuple[float, float]] = {}
        self._piece_cache: dict[tuple[str, str, bool, bool, bool], tuple[str, float] | None] = {}
        self._hyphenated: dict[str, str] | None = None  # built on first need
        self._span_coef = self.weights.span.coefficients(SPAN_FEATURES)
        self._span_intercept = self.weights.span.intercept

    # ------------------------------------------------------------------ public

    def judge(self, alignment: Alignment) -> tuple[Span, ...]:
        """Every substituted span of ``alignment``, classified and scored, in suspect order."""
        return self.judge_with_drops(alignment)[0]

    def judge_with_drops(self, alignment: Alignment) -> tuple[tuple[Span, ...], tuple[Edit, ...]]:
        """``judge``'s spans, and the original words dropped inside substitutions that no
        span shows ("big red building" -> "large building": "red"), as ``delete`` edits
        for ``find_gaps``."""
        spans: list[Span] = []
        dropped: list[Edit] = []
        alignment = self._rewrites_joined(alignment)
        suspect, original = alignment.suspect, alignment.original
        edits = alignment.edits
        # Short spans the thesaurus and meaning evidence leave as ordinary edits: (span
        # index, original and suspect word ranges, the kind they take in a spun document).
        unexplained: list[tuple[int, int, int, int, int, str]] = []
        # Words added beside a swap ("contracts" -> "written agreements"): the span
        # indices of the added words and of the swap, and the word ranges of each.
        beside: list[tuple[int, int, _Range, _Range]] = []
        # Content words dropped right before a swap ("public authority" -> "government"):
        # the index in ``dropped``, the swap's span index, and the ranges of each.
        dropped_beside: list[tuple[int, int, _Range, _Range]] = []
        regrouped: set[int] = set()  # sentences where a substitution also adds or drops words
        for k, edit in enumerate(edits):
            if edit.op in ("insert", "delete"):
                span = self._widened_phrase(alignment, k)
                if span is not None:
                    spans.append(span)
                continue
            if edit.op != "substitute":
                continue
            o_lo, o_hi = edit.original_words
            s_lo, s_hi = edit.suspect_words
            if o_hi - o_lo == 1 and s_hi - s_lo == 1:  # the commonest case: one word for another
                o, n = original.words[o_lo], suspect.words[s_lo]
                found = self._piece_kind_of(
                    o,
                    n,
                    False,
                    _has_digit(o) or _has_digit(n),
                    o in STOPWORDS and n in STOPWORDS,
                )
                kind = found[0] if found is not None else "other"
                if (
                    kind == "other"
                    and not _turns_round(o, n)
                    and self._inside_copy(alignment, k)
                    and self._close_in_copy(alignment, o_lo, s_lo)
                ):
                    kind = "synonym"
                if kind not in ("equal", "spelling"):
                    span = self._span(
                        suspect,
                        original,
                        kind if kind in SPIN_KINDS else "other",
                        o_lo,
                        o_hi,
                        s_lo,
                        s_hi,
                    )
                    if span.kind in _ORDINARY_KINDS:
                        swap = self._short_swap(alignment, span.kind, o_lo, o_hi, s_lo, s_hi)
                        if swap is not None:
                            unexplained.append((len(spans), o_lo, o_hi, s_lo, s_hi, swap))
                    spans.append(span)
                continue
            old = original.words[o_lo:o_hi]
            new = suspect.words[s_lo:s_hi]
            if _same_compact(" ".join(old), " ".join(new)):
                continue  # a spelling variant across word boundaries ("per cent" / "percent")
            if len(old) > self.max_block_words or len(new) > self.max_block_words:
                pieces: list[_Piece] = [("other", 0, len(old), 0, len(new))]
            else:
                pieces = self._cover(old, new)
                if self.meaning is not None and self._inside_copy(alignment, k):
                    pieces = [
                        ("synonym", *p[1:])
                        if p[0] == "other"
                        and p[2] - p[1] == 1
                        and p[4] - p[3] == 1
                        and not _turns_round(old[p[1]], new[p[3]])
                        and self._close_in_copy(alignment, o_lo + p[1], s_lo + p[3])
                        else p
                        for p in pieces
                    ]
                pieces = whole_dates(
                    old, new, _downgrade_rewrites(pieces), unchanged=_UNCHANGED, merged="other"
                )
                if _adds_or_drops(pieces, old, new):
                    regrouped.add(_sentence_of(suspect, s_lo))
            # A block that keeps its negations moved them ("never bought any" -> "purchased
            # no"): none of its pieces turns one round.
            kept = _negation_markers(old) == _negation_markers(new)
            last: tuple[str, _Range] | None = None  # the group before, and its ranges
            drop_before: tuple[int, _Range] | None = None  # a modifier dropped just before
            # Two sentences joined (or one split) where the block ends: a word added
            # (or dropped) there joins them and belongs to no swap ("minute. Fisher" ->
            # "moment when Fisher": "{moment|minute} [+when+]").
            joined = (
                o_hi < len(original.words)
                and s_hi < len(suspect.words)
                and (_starts_sentence(original, o_hi) != _starts_sentence(suspect, s_hi))
            )
            for kind, a0, a1, b0, b1 in _group(pieces, old, new, joined=joined):
                if b0 == b1:
                    last = drop_before = None
                    dropped_words = " ".join(old[a0:a1])
                    if (
                        a0 < a1
                        and (not _all_stopwords(dropped_words) or _negating(dropped_words))
                        and not (_negating(dropped_words) and kept)
                    ):
                        # Words dropped inside the block: nothing to mark in the suspect,
                        # a deletion in the report (not a negation the block keeps
                        # elsewhere: "never bought any" -> "purchased no" moved it).
                        at = s_lo + b0
                        dropped.append(
                            make_edit(suspect, original, "delete", at, at, o_lo + a0, o_lo + a1)
                        )
                        if _plain_modifier(original, o_lo + a0, o_lo + a1):
                            drop_before = (len(dropped) - 1, (o_lo + a0, o_lo + a1, at, at))
                    continue
                at = (o_lo + a0, o_lo + a1, s_lo + b0, s_lo + b1)
                span = self._span(suspect, original, kind, *at)
                if (
                    drop_before is not None
                    and span.is_spin
                    and drop_before[1][1] == at[0]
                    and drop_before[1][3] == at[2]
                ):
                    dropped_beside.append((drop_before[0], len(spans), drop_before[1], at))
                drop_before = None
                if span.kind in _ORDINARY_KINDS and a0 < a1:
                    swap = self._short_swap(alignment, span.kind, *at, negation_kept=kept)
                    if swap is not None:
                        unexplained.append((len(spans), *at, swap))
                elif last is not None and last[1][1] == at[0] and last[1][3] == at[2]:
                    if span.kind in _ORDINARY_KINDS and last[0] in SPIN_KINDS:
                        if not _negating(span.text):  # "ailment, not" for "disease"
                            beside.append((len(spans), len(spans) - 1, at, last[1]))
                    elif span.is_spin and last[0] == "added":
                        # Between two swaps, the added word joins the one after it
                        # ("a replacement right on time" for "a successor early": "right
                        # on time"), never both: the spans would overlap.
                        beside = [b for b in beside if b[0] != len(spans) - 1]
                        beside.append((len(spans) - 1, len(spans), last[1], at))
                added = (
                    span.kind in _ORDINARY_KINDS
                    and a0 == a1
                    and not _negating(span.text)
                    and not _lone_possessive(["other", a0, a1, b0, b1], old, new)
                )
                last = ("added" if added else span.kind, at)
                spans.append(span)
        if unexplained or beside or dropped_beside:
            removed, joined_drops = self._judge_in_setting(
                alignment, spans, unexplained, beside, regrouped, dropped_beside
            )
            if removed:
                spans = [span for k, span in enumerate(spans) if k not in removed]
            if joined_drops:
                dropped = [edit for k, edit in enumerate(dropped) if k not in joined_drops]
        return tuple(spans), tuple(dropped)

    def _rewrites_joined(self, alignment: Alignment) -> Alignment:
        """``alignment`` with each known rewrite that keeps a word of its phrase in one edit.

        "next month" -> "one month from now" aligns as a substitution, the kept
        "month" and an insertion.  When a known swap (a glue phrase or a
        multiword synonym) runs across a short unchanged run between two changes
        of one sentence, the changes and the run become one substitution, which
        the judge then covers as usual.
        """
        edits = alignment.edits
        if len(edits) < 3:
            return alignment
        suspect, original = alignment.suspect, alignment.original
        joined: list[Edit] = []
        k = 0
        last_op = len(edits) - 2
        while k < len(edits):
            if (
                k < last_op
                and edits[k + 1].op == "equal"
                and edits[k].op != "equal"
                and edits[k + 2].op != "equal"
                and self._straddled(alignment, k)
            ):
                first, last = edits[k], edits[k + 2]
                s_lo, s_hi = first.suspect_words[0], last.suspect_words[1]
                o_lo, o_hi = first.original_words[0], last.original_words[1]
                joined.append(make_edit(suspect, original, "substitute", s_lo, s_hi, o_lo, o_hi))
                k += 3
                continue
            joined.append(edits[k])
            k += 1
        if len(joined) == len(edits):
            return alignment
        return replace(alignment, edits=tuple(joined))

    def _straddled(self, alignment: Alignment, k: int) -> bool:
        """Whether changes ``k`` and ``k + 2`` and the unchanged run between them hold a
        known swap that runs across that run (``_rewrites_joined``)."""
        first, kept, last = alignment.edits[k : k + 3]
        k_lo, k_hi = kept.suspect_words
        ko_lo = kept.original_words[0]
        s_lo, s_hi = first.suspect_words[0], last.suspect_words[1]
        o_lo, o_hi = first.original_words[0], last.original_words[1]
        if (
            k_hi - k_lo > _MAX_STRADDLED_WORDS
            or not 0 < s_hi - s_lo <= self.max_block_words
            or not 0 < o_hi - o_lo <= self.max_block_words
        ):
            return False
        suspect, original = alignment.suspect, alignment.original
        if _sentence_of(suspect, s_lo) != _sentence_of(suspect, s_hi - 1):
            return False
        old, new = original.words[o_lo:o_hi], suspect.words[s_lo:s_hi]
        # The unchanged run's (start, end) inside each side's words.
        o_run = (ko_lo - o_lo, ko_lo - o_lo + k_hi - k_lo)
        s_run = (k_lo - s_lo, k_hi - s_lo)

        def across(words: tuple[str, ...], run: tuple[int, int]) -> bool:
            """Whether a known phrase of ``words`` holds ``run`` and a word on each side."""
            longest, known, lexicon = self._longest_piece, self._known_phrases, self.lexicon
            for i in range(max(0, run[1] + 1 - longest), run[0]):
                for stop in range(run[1] + 1, min(len(words), i + longest) + 1):
                    phrase = " ".join(words[i:stop])
                    if phrase in known or (stop - i <= _MAX_PIECE and phrase in lexicon):
                        return True
            return False

        if not (across(old, o_run) or across(new, s_run)):
            return False
        # A swap piece that holds the run and changed words on both sides of it (not
        # "want to" -> "wish to" beside a swap after "to": that is a swap and a word kept),
        # and no content words dropped beside it: inside one substitution they would be
        # shown nowhere ("one month from now unless rates fall" -> "next month").
        cover = self._cover(old, new)
        if any(kind == "other" and b0 == b1 for kind, _, _, b0, b1 in cover):
            return False
        return any(
            kind in SPIN_KINDS
            and a0 <= o_run[0]
            and a1 >= o_run[1]
            and b0 <= s_run[0]
            and b1 >= s_run[1]
            and (a0 < o_run[0] or b0 < s_run[0])
            and (a1 > o_run[1] or b1 > s_run[1])
            for kind, a0, a1, b0, b1 in cover
        )

    def _short_swap(
        self,
        alignment: Alignment,
        kind: str,
        o_lo: int,
        o_hi: int,
        s_lo: int,
        s_hi: int,
        *,
        negation_kept: bool = False,
    ) -> str | None:
        """The kind a short ordinary edit takes if the document around it reads as spun.

        ``original.words[o_lo:o_hi]`` -> ``suspect.words[s_lo:s_hi]`` is a span
        the thesaurus left as an ordinary edit of ``kind``.  It qualifies when
        each side has one to ``_MAX_SWAP_WORDS`` words and it is none of what
        editors do: several words condensed into fewer ("is highly critical
        of" -> "criticizes"), a number or date for a number or date ("Tuesday" ->
        "Wednesday"), a name for a name (a capitalised word that is no common
        dictionary word: "Smith" -> "Jones", where "Mike" -> "Microphone" is
        a sense-blind swap), a spelling change ("colour" -> "color") or a
        restructuring that keeps its word ("helps" -> "can help"), a negation added or
        dropped ("somebody" -> "nobody", for the note on facts), unless a "not", "no" or
        "never" moved within a substitution that keeps as many (``negation_kept``).  The
        kind is "phrase" when both sides are function words ("up to" -> "as much as"),
        "synonym" otherwise; None when it does not qualify.
        """
        if not (1 <= o_hi - o_lo <= _MAX_SWAP_WORDS and 1 <= s_hi - s_lo <= _MAX_SWAP_WORDS):
            return None
        if o_hi - o_lo > max(_MAX_CONDENSED_WORDS, s_hi - s_lo):
            return None  # several words said in fewer: an editor's condensing
        old = alignment.original.words[o_lo:o_hi]
        new = alignment.suspect.words[s_lo:s_hi]
        if (
            all(w in STOPWORDS for w in old)
            and _starts_sentence(alignment.suspect, s_lo)
            and not _starts_sentence(alignment.original, o_lo)
        ):
            return None  # a sentence split where its "and" stood ("and were" -> ". They were")
        if _turns_round(" ".join(old), " ".join(new)) and not (
            negation_kept and _negation_markers(old) != _negation_markers(new)
        ):
            return None  # "somebody" for "nobody": a negation turned round, for the note
        if kind == "number" and _names_a_number(old) and _names_a_number(new):
            return None  # a number or date for another: a correction
        if (
            kind == "name"
            and not _capitalised_by_place(alignment, self.lexicon, o_lo, o_hi, s_lo, s_hi)
            and not all(
                self.lexicon.synonym_count(w) >= _MIN_COMMON_SYNONYMS
                for w in new
                if w not in STOPWORDS
            )
        ):
            return None  # a name for a name
        if len(old) == 1 and len(new) == 1:
            similar = SequenceMatcher(None, old[0], new[0]).ratio() >= _SPELLING_RATIO
            if similar and not self.lexicon.same_lemma(old[0], new[0]):
                return None  # a spelling variant
        elif self._shares_a_word(old, new):
            return None  # a restructuring that keeps its word
        if all(w in STOPWORDS for w in old) and all(w in STOPWORDS for w in new):
            return "phrase"
        return "synonym"

    def _shares_a_word(self, old: tuple[str, ...], new: tuple[str, ...]) -> bool:
        """Whether a content word of ``old`` reappears, in any form, in ``new``."""
        same_lemma = self.lexicon.same_lemma
        return any(
            a == b or same_lemma(a, b)
            for a in old
            if a not in STOPWORDS
            for b in new
            if b not in STOPWORDS
        )

    def _judge_in_setting(
        self,
        alignment: Alignment,
        spans: list[Span],
        unexplained: list[tuple[int, int, int, int, int, str]],
        beside: list[tuple[int, int, _Range, _Range]],
        regrouped: set[int],
        dropped_beside: Sequence[tuple[int, int, _Range, _Range]] = (),
    ) -> tuple[set[int], set[int]]:
        """Re-judge the short ``unexplained`` swaps of ``spans`` by the document around them.

        A spinner swaps words one for one through the whole text and leaves
        every sentence otherwise standing; an editor adds, drops and reorders
        words.  When the thesaurus already confirms at least
        ``_MIN_CONFIRMED_SWAPS`` swaps, and at least ``_MIN_INTACT_SHARE`` of
        the changed sentences were changed by short swaps alone (no words added
        or dropped, in ``regrouped`` sentences neither inside a substitution),
        a short swap the thesaurus cannot explain, inside such a sentence, is
        taken for one from another thesaurus, and words added right beside a
        swap join it ("contracts" -> "written agreements"), as do content words
        dropped right before one, a modifier of the phrase it replaced ("public
        authority" -> "government", ``dropped_beside``).  ``spans`` are replaced
        in place; the indices of spans joined to a swap are returned, with those
        of the dropped words (in ``judge_with_drops``'s list) joined to one.
        """
        removed: set[int] = set()
        joined_drops: set[int] = set()
        if sum(span.is_spin for span in spans) < _MIN_CONFIRMED_SWAPS:
            return removed, joined_drops
        intact, changed = _intact_sentences(alignment, self.max_block_words)
        intact -= regrouped
        if len(intact) < _MIN_INTACT_SHARE * changed:
            return removed, joined_drops
        suspect, original = alignment.suspect, alignment.original
        for at, o_lo, o_hi, s_lo, s_hi, kind in unexplained:
            if _sentence_of(suspect, s_lo) in intact:
                spans[at] = self._span(suspect, original, kind, o_lo, o_hi, s_lo, s_hi)
        joined: dict[int, _Range] = {}
        for added, swap, added_at, swap_at in beside:
            o_lo, o_hi, s_lo, s_hi = joined.get(swap, swap_at)
            s_lo, s_hi = min(s_lo, added_at[2]), max(s_hi, added_at[3])
            if s_hi - s_lo <= _MAX_SWAP_WORDS and _sentence_of(suspect, s_lo) in intact:
                joined[swap] = (o_lo, o_hi, s_lo, s_hi)
                removed.add(added)
        kept_scores: dict[int, float] = {}  # swaps a modifier joined: they score as they did
        for drop, swap, (d_lo, d_hi, _, _), swap_at in dropped_beside:
            if swap in removed:
                continue
            o_lo, o_hi, s_lo, s_hi = joined.get(swap, swap_at)
            o_lo, o_hi = min(o_lo, d_lo), max(o_hi, d_hi)
            if o_hi - o_lo <= _MAX_SWAP_WORDS and _sentence_of(suspect, s_lo) in intact:
                joined[swap] = (o_lo, o_hi, s_lo, s_hi)
                joined_drops.add(drop)
                kept_scores[swap] = spans[swap].score
        for swap, at in joined.items():
            span = self._span(suspect, original, spans[swap].kind, *at)
            if swap in kept_scores:
                span = replace(span, score=kept_scores[swap])
            spans[swap] = span
        return removed, joined_drops

    def _inside_copy(self, alignment: Alignment, k: int) -> bool:
        """Whether substitution ``k`` swaps a few words one for one between unchanged words."""
        edits = alignment.edits
        edit = edits[k]
        size = edit.original_words[1] - edit.original_words[0]
        if size != edit.suspect_words[1] - edit.suspect_words[0] or size > _MAX_MEANING_BLOCK:
            return False
        return (k == 0 or edits[k - 1].op == "equal") and (
            k + 1 == len(edits) or edits[k + 1].op == "equal"
        )

    def _close_in_copy(self, alignment: Alignment, o_at: int, s_at: int) -> bool:
        """Whether original word ``o_at`` swapped for suspect word ``s_at`` is a swap Moby misses.

        Both must be content words, the pair no name, number or date and no mere
        spelling change, and the two close in meaning by the ``meaning`` evidence;
        the caller checks that the swap sits inside copied text (``_inside_copy``).
        """
        meaning = self.meaning
        o, n = alignment.original.words[o_at], alignment.suspect.words[s_at]
        if meaning is None or o in STOPWORDS or n in STOPWORDS:
            return False
        if not (o.replace("-", "").isalpha() and n.replace("-", "").isalpha()):
            return False
        kind = _ordinary_kind(alignment.suspect, alignment.original, o_at, o_at + 1, s_at, s_at + 1)
        if kind != "edit" or SequenceMatcher(None, o, n).ratio() >= _SPELLING_RATIO:
            return False
        return meaning.close(o, n)

    def _widened_phrase(self, alignment: Alignment, k: int) -> Span | None:
        """A glue phrase that only adds or drops words next to unchanged ones, as one span.

        "Whether" -> "Regardless of whether" aligns as an insertion beside an
        unchanged word; widened by that word, it is a known rewrite.
        """
        edit = alignment.edits[k]
        s_lo, s_hi = edit.suspect_words
        o_lo, o_hi = edit.original_words
        if max(s_hi - s_lo, o_hi - o_lo) > self._longest_piece:
            return None
        suspect, original = alignment.suspect, alignment.original
        for neighbour, step in ((k + 1, 1), (k - 1, -1)):
            if not 0 <= neighbour < len(alignment.edits):
                continue
            beside = alignment.edits[neighbour]
            if beside.op != "equal":
                continue
            touching = (
                beside.suspect_words[0] == s_hi and beside.original_words[0] == o_hi
                if step == 1
                else beside.suspect_words[1] == s_lo and beside.original_words[1] == o_lo
            )
            if not touching:
                continue
            for extra in (1, 2):
                if beside.suspect_words[1] - beside.suspect_words[0] < extra:
                    break
                if step == 1:
                    ws = (s_lo, s_hi + extra, o_lo, o_hi + extra)
                else:
                    ws = (s_lo - extra, s_hi, o_lo - extra, o_hi)
                old = " ".join(original.words[ws[2] : ws[3]])
                new = " ".join(suspect.words[ws[0] : ws[1]])
                found = self._piece_kind(old, new, True)
                if found is not None and found[0] in SPIN_KINDS:
                    return self._span(suspect, original, found[0], ws[2], ws[3], ws[0], ws[1])
        return None

    def span_features(self, old: str, new: str, kind: str) -> dict[str, float]:
        """The evidence about one swap of ``old`` for ``new`` that the span model weighs."""
        zipf_old, log_synonyms_old = self._term_stats(old)
        zipf_new, log_synonyms_new = self._term_stats(new)
        return {
            "zipf_old": zipf_old,
            "zipf_new": zipf_new,
            "zipf_drop": zipf_old - zipf_new,  # spinners pick rarer words, editors plainer ones
            "new_multiword": float(" " in new),
            "old_multiword": float(" " in old),
            "phrase": float(kind == "phrase"),
            "log_synonyms_old": log_synonyms_old,
            "log_synonyms_new": log_synonyms_new,
        }

    def _term_stats(self, term: str) -> tuple[float, float]:
        """``term``'s Zipf frequency and log(1 + its synonym count), memoised per term."""
        stats = self._stats_cache.get(term)
        if stats is None:
            stats = (self.lexicon.zipf(term), math.log1p(self.lexicon.synonym_count(term)))
            if len(self._stats_cache) >= _STATS_CACHE_SIZE:
                self._stats_cache.clear()
            self._stats_cache[term] = stats
        return stats

    def spin_probability(self, old: str, new: str, kind: str) -> float:
        """How likely swapping ``old`` for ``new`` (a ``kind`` span) is a spinner's work (0..1)."""
        if kind not in SPIN_KINDS:
            return _ORDINARY_SCORE
        # weights.span.probability(span_features(...)) without building the mapping;
        # the coefficients follow SPAN_FEATURES, the order span_features lists them in.
        zipf_old, log_synonyms_old = self._term_stats(old)
        zipf_new, log_synonyms_new = self._term_stats(new)
        c = self._span_coef
        z = (
            self._span_intercept
            + c[0] * zipf_old
            + c[1] * zipf_new
            + c[2] * (zipf_old - zipf_new)
            + c[3] * (" " in new)
            + c[4] * (" " in old)
            + c[5] * (kind == "phrase")
            + c[6] * log_synonyms_old
            + c[7] * log_synonyms_new
        )
        return 0.0 if z < -40 else 1.0 / (1.0 + math.exp(-z))

    # ------------------------------------------------------------------ cover

    def _piece_kind(self, o: str, n: str, multiword: bool) -> tuple[str, float] | None:
        """How original phrase ``o`` and suspect phrase ``n`` correspond, and at what cost."""
        return self._piece_kind_of(
            o,
            n,
            multiword,
            _has_digit(o) or _has_digit(n),
            _all_stopwords(o) and _all_stopwords(n),
        )

    def _piece_kind_of(
        self, o: str, n: str, multiword: bool, digits: bool, function_words: bool
    ) -> tuple[str, float] | None:
        """``_piece_kind`` given whether either side has a digit and both are function
        words, memoised per pair: the same word pairs come back in every article."""
        if o == n:
            return _EQUAL
        key = (o, n, multiword, digits, function_words)
        cache = self._piece_cache
        if key in cache:
            return cache[key]
        found = self._piece_kind_uncached(o, n, multiword, digits, function_words)
        if len(cache) >= _PIECE_CACHE_SIZE:
            cache.clear()
        cache[key] = found
        return found

    def _piece_kind_uncached(
        self, o: str, n: str, multiword: bool, digits: bool, function_words: bool
    ) -> tuple[str, float] | None:
        """``_piece_kind_of`` worked out anew."""
        if _same_compact(o, n):
            return _SPELLING
        if (o, n) in self._localised:
            return _LOCALISED
        if digits or _other_currency(o, n):
            return None  # an amount changed: "dollars" -> "pounds" is no synonym
        if _another_count_or_day(o, n):
            return None  # "eleven" -> "twelve", "Wednesday" -> "Friday": a fact, not a word
        lexicon = self.lexicon
        ids_o, ids_n = lexicon.form_ids(o), lexicon.form_ids(n)
        if not multiword and lexicon.ids_share_lemma(ids_o, ids_n):
            return _INFLECTION
        if (
            not function_words
            and (
                lexicon.ids_are_synonyms(ids_o, ids_n)
                or self._plural_synonyms(o, n)
                or self._compound_synonyms(o, n, ids_o, ids_n)
            )
            and not _turns_round(o, n)  # "can" / "cannot": a negation, not a swap
        ):
            if not multiword:
                return _SYNONYM
            return "synonym", _COST_SYNONYM + 0.05 * (o.count(" ") + n.count(" "))
        if (o, n) in self.glue:
            return "phrase", _COST_PHRASE + 0.05 * (o.count(" ") + n.count(" "))
        if multiword and not function_words and self._graded_synonyms(o, n):
            return "synonym", _COST_SYNONYM + 0.05
        return None

    def _graded_synonyms(self, o: str, n: str) -> bool:
        """Whether one side grades an adjective with "more" or "most" and the other is a
        comparative or superlative of that adjective or of its thesaurus synonym: "more
        slow" for "slower", "most rapid" for "fastest"."""
        lexicon = self.lexicon
        for graded, other in ((n, o), (o, n)):
            head, _, adjective = graded.partition(" ")
            if head not in _GRADING_WORDS or " " in adjective or " " in other:
                continue
            if not other.endswith("est" if head == "most" else "er") or other == adjective:
                continue
            ids_other, ids_adjective = lexicon.form_ids(other), lexicon.form_ids(adjective)
            if lexicon.ids_share_lemma(ids_other, ids_adjective) or lexicon.ids_are_synonyms(
                ids_other, ids_adjective
            ):
                return True
        return False

    def _compound_synonyms(
        self, o: str, n: str, ids_o: tuple[int, ...], ids_n: tuple[int, ...]
    ) -> bool:
        """Whether ``o`` and ``n`` are synonyms once a closed compound the thesaurus lacks
        is looked up as the hyphenated term it lists ("wellbeing" as "well-being", so
        "wellbeing" for "health" is a swap; Moby writes many compounds with a hyphen)."""
        if (ids_o and ids_n) or " " in o or " " in n:
            return False
        if self._hyphenated is None:
            self._hyphenated = {
                term.replace("-", ""): term
                for term in self.lexicon.terms
                if "-" in term and " " not in term
            }
        mapped_o = o if ids_o else self._hyphenated.get(o)
        mapped_n = n if ids_n else self._hyphenated.get(n)
        if mapped_o is None or mapped_n is None:
            return False
        lexicon = self.lexicon
        return lexicon.ids_are_synonyms(lexicon.form_ids(mapped_o), lexicon.form_ids(mapped_n))

    def _plural_synonyms(self, o: str, n: str) -> bool:
        """Whether ``o`` and ``n`` are synonyms once an irregular plural the lemmatiser
        reads as a lemma of its own is looked up as its regular form
        (``lexicon.IRREGULAR_PLURALS``: "people" as "persons", so "individuals" for
        "people" is a swap), or a hyphenated plural, which it leaves as it is, as its
        singular ("grown-ups" as "grown-up", so "grown-ups" for "adults" is a swap), and a
        plural the thesaurus lacks as its singular ("nourishments" as "nourishment", so
        "Greenfield Nourishments" for "Greenfield Foods" is a swap)."""
        lexicon = self.lexicon
        mapped_o, mapped_n = _singular(o, lexicon), _singular(n, lexicon)
        if mapped_o == o and mapped_n == n:
            return False
        if lexicon.ids_share_lemma(lexicon.form_ids(mapped_o), lexicon.form_ids(mapped_n)):
            return False  # "people" and "person" or "persons": the same word, not a swap
        return lexicon.ids_are_synonyms(lexicon.form_ids(mapped_o), lexicon.form_ids(mapped_n))

    def _phrases(self, words: tuple[str, ...]) -> list[list[_Phrase]]:
        """For each start, the pieces worth testing: the word itself and known phrases.

        Each piece is (length, phrase, has a digit, is all function words).
        """
        known = self._known_phrases
        lexicon = self.lexicon
        found: list[list[_Phrase]] = []
        for i in range(len(words)):
            word = words[i]
            options: list[_Phrase] = [(1, word, _has_digit(word), word in STOPWORDS)]
            for a in range(2, min(self._longest_piece, len(words) - i) + 1):
                phrase = " ".join(words[i : i + a])
                if (
                    phrase in known
                    or (a <= _MAX_PIECE and phrase in lexicon)
                    or (a == 2 and word in _GRADING_WORDS)
                ):
                    options.append((a, phrase, _has_digit(phrase), _all_stopwords(phrase)))
            found.append(options)
        return found

    def _cover(self, old: tuple[str, ...], new: tuple[str, ...]) -> list[_Piece]:
        """The cheapest sequence of pieces turning ``old`` into ``new`` (a small DP)."""
        if len(old) == 1 and len(new) == 1:  # the commonest case: one word for another
            found = self._piece_kind(old[0], new[0], False)
            return [(found[0] if found else "other", 0, 1, 0, 1)]
        m, n = len(old), len(new)
        old_phrases, new_phrases = self._phrases(old), self._phrases(new)
        old_figures, new_figures = list(map(is_figure, old)), list(map(is_figure, new))
        old_words, new_words = frozenset(old), frozenset(new)
        # Dropping or adding a word: cheap for a function word, dear for a content word.
        old_gaps = [("gap", _COST_FUNCTION_WORD) if p[0][3] else _OTHER_GAP for p in old_phrases]
        new_gaps = [("gap", _COST_FUNCTION_WORD) if p[0][3] else _OTHER_GAP for p in new_phrases]
        inf = float("inf")
        cost = [[inf] * (n + 1) for _ in range(m + 1)]
        back: list[list[_Piece | None]] = [[None] * (n + 1) for _ in range(m + 1)]
        cost[0][0] = 0.0
        piece_kind = self._piece_kind_of
        for i in range(m + 1):
            row, next_row = cost[i], cost[i + 1] if i < m else None
            for j in range(n + 1):
                here = row[j]
                if here == inf:
                    continue
                if next_row is not None:
                    kind, c = old_gaps[i]
                    if here + c < next_row[j]:
                        next_row[j] = here + c
                        back[i + 1][j] = (kind, i, i + 1, j, j)
                if j < n:
                    kind, c = new_gaps[j]
                    if here + c < row[j + 1]:
                        row[j + 1] = here + c
                        back[i][j + 1] = (kind, i, i, j, j + 1)
                if next_row is None or j == n:
                    continue
                # A figure (digits or a count) for a word costs a little more than a word
                # for a word, so a figure pairs with the figure it replaces ("3
                # (Northwire)" -> "4": "3" for "4" and "Northwire" dropped, not
                # "Northwire" for "4").
                other = _COST_OTHER + (
                    _COST_FIGURE_FOR_WORD if old_figures[i] != new_figures[j] else 0.0
                )
                if here + other < next_row[j + 1]:
                    next_row[j + 1] = here + other
                    back[i + 1][j + 1] = ("other", i, i + 1, j, j + 1)
                for a, o, o_digit, o_function in old_phrases[i]:
                    for b, w, w_digit, w_function in new_phrases[j]:
                        found = piece_kind(
                            o, w, a > 1 or b > 1, o_digit or w_digit, o_function and w_function
                        )
                        if found is None:
                            continue
                        price = here + found[1]
                        if (
                            found[0] == "synonym"
                            and o_function != w_function
                            and (o in new_words if o_function else w in old_words)
                        ):
                            price += _COST_FUNCTION_FOR_CONTENT
                        if price < cost[i + a][j + b]:
                            cost[i + a][j + b] = price
                            back[i + a][j + b] = (found[0], i, i + a, j, j + b)
        pieces: list[_Piece] = []
        i, j = m, n
        while i or j:
            piece = back[i][j]
            if piece is None:  # unreachable: every cell can be reached through gaps
                raise RuntimeError("substitution cover failed")
            pieces.append(piece)
            i, j = piece[1], piece[3]
        pieces.reverse()
        return pieces

    # ------------------------------------------------------------------ spans

    def _span(
        self,
        suspect: Document,
        original: Document,
        kind: str,
        o_lo: int,
        o_hi: int,
        s_lo: int,
        s_hi: int,
    ) -> Span:
        old_words = original.words[o_lo:o_hi]
        new_words = suspect.words[s_lo:s_hi]
        if kind not in SPIN_KINDS:
            kind = _ordinary_kind(suspect, original, o_lo, o_hi, s_lo, s_hi)
        if kind == "synonym":
            # Score the swap by its content words ("the big" -> "large" is big -> large).
            old_key = " ".join(w for w in old_words if w not in STOPWORDS) or " ".join(old_words)
            new_key = " ".join(w for w in new_words if w not in STOPWORDS) or " ".join(new_words)
            score = self.spin_probability(old_key, new_key, kind)
        else:
            score = self.spin_probability(" ".join(old_words), " ".join(new_words), kind)
        start, end = suspect.char_span(s_lo, s_hi)
        if o_lo < o_hi:
            o_start, o_end = original.char_span(o_lo, o_hi)
        else:
            o_start = o_end = original.ends[o_lo - 1] if o_lo > 0 else 0
        if o_lo < o_hi:  # a plural's bare possessive apostrophe: "kids'" for "children's"
            end = _past_bare_apostrophe(suspect.text, end, original.text[o_start:o_end])
            o_end = _past_bare_apostrophe(original.text, o_end, suspect.text[start:end])
        return Span(
            start=start,
            end=end,
            text=suspect.text[start:end],
            original=original.text[o_start:o_end],
            kind=kind,  # type: ignore[arg-type]
            score=score,
            original_start=o_start,
            original_end=o_end,
        )


_NEGATING_WORDS = frozenset("no not never nobody nothing none nowhere neither nor cannot".split())


# A word and the word that negates it: a thesaurus may list both in one entry.
_NEGATED = {
    "can": ("cannot", "can't"),
    "somebody": ("nobody",),
    "someone": ("nobody", "no one"),
    "anybody": ("nobody",),
    "anyone": ("nobody", "no one"),
    "everybody": ("nobody",),
    "everyone": ("nobody", "no one"),
    "something": ("nothing",),
    "anything": ("nothing",),
    "everything": ("nothing",),
    "somewhere": ("nowhere",),
    "anywhere": ("nowhere",),
    "everywhere": ("nowhere",),
    "always": ("never",),
    "ever": ("never",),
    "all": ("none",),
    "some": ("none", "no"),
    "any": ("none", "no"),
    "either": ("neither",),
}


def _negation_markers(words: Sequence[str]) -> int:
    """How many negation markers ``words`` hold ("not", "no", "never", "cannot", a word
    ending in "n't"), read without the words around them; "none" or "nobody" alone are
    words a thesaurus may swap for others ("zero", "no one")."""
    return sum(w in ("not", "no", "never", "cannot") or w.endswith("n't") for w in words)


def _verb_negations(words: Sequence[str]) -> int:
    """How many negated verbs ``words`` hold ("cannot", "won't", "wasn't"): the thesaurus's
    and the glue table's phrases hold "not", "no" and "never" in idioms that negate
    nothing ("not long" / "shortly", "no less than" / "at least")."""
    return sum(w == "cannot" or w.endswith("n't") for w in words)


def _turns_round(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` negated or the other way round ("can" / "cannot",
    "will" / "won't", "was present" / "wasn't there", "somebody" / "nobody"): a fact
    changed, never a synonym, though a thesaurus may list the pair ("none" / "zero", "not
    long" / "shortly", "never bought any" / "purchased no" are no such pairs)."""
    if old == new:
        return False
    a, b = old.split(), new.split()
    if (_verb_negations(a) or _verb_negations(b)) and _negation_markers(a) != _negation_markers(b):
        return True  # "won't" / "will"; "didn't" / "did not" keeps it
    return new in _NEGATED.get(old, ()) or old in _NEGATED.get(new, ())


def _negating(words: str) -> bool:
    """Whether ``words`` (lowercase, space-separated) hold a negation, read without the
    words around them: a bare "no" ("no warning" -> "caution" dropped it) counts, which
    ``facts.negation_count`` reads only before the word it negates."""
    return any(w in _NEGATING_WORDS or w.endswith("n't") for w in words.split()) or bool(
        negation_count(words)
    )


def _singular(word: str, lexicon: Lexicon) -> str:
    """``word``'s regular form if it is an irregular plural the lemmatiser keeps as a lemma
    ("people": "persons"), its singular if it is a hyphenated plural ("grown-ups":
    "grown-up") or a plural of a word the thesaurus lists only in the singular
    ("nourishments": "nourishment") unless people are called by it or by its singular
    ("Adams", "Childs"), else ``word``."""
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if " " in word or not word.endswith("s") or word.endswith("ss"):
        return word
    if "-" in word:
        return word[:-1]
    if lexicon.form_ids(word) or not lexicon.form_ids(word[:-1]):
        return word
    from detector.names import person_names  # the name lists, read once

    names = person_names()
    if word in names or word[:-1] in names:
        return word  # a surname ("Adams"), not a plural: "Clay" for it is a name edit
    return word[:-1]


def _past_bare_apostrophe(text: str, end: int, other: str) -> int:
    """``end``, moved past the bare apostrophe of a plural possessive after it ("kids'")
    when the ``other`` side of the swap ends in a possessive of its own ("children's"),
    so that either side put in place of the other reads right."""
    bare = end < len(text) and text[end] in "'\u2019"
    bare = bare and (end + 1 == len(text) or not text[end + 1].isalnum())
    return end + 1 if bare and other[-2:].lower() in ("'s", "\u2019s") else end


def _compact(s: str) -> str:
    return s.replace(" ", "").replace(".", "").replace("-", "").replace("'", "")


def _same_compact(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ only in spaces, dots, hyphens and apostrophes."""
    if a[0] != b[0] and a[0] not in ".-'" and b[0] not in ".-'":
        return False  # the cheap test first: most pairs differ in their first letter
    return _compact(a) == _compact(b)


def _all_stopwords(phrase: str) -> bool:
    return all(w in STOPWORDS for w in phrase.split())


def _has_digit(s: str) -> bool:
    return not s.isalpha() and _DIGIT.search(s) is not None


def _downgrade_rewrites(pieces: list[_Piece]) -> list[_Piece]:
    """A block mostly rewritten in other words is an edit, even if a synonym turns up in it."""
    other = sum(max(a1 - a0, b1 - b0) for kind, a0, a1, b0, b1 in pieces if kind == "other")
    swapped = sum(max(a1 - a0, b1 - b0) for kind, a0, a1, b0, b1 in pieces if kind in SPIN_KINDS)
    if other >= 3 and other > swapped:
        return [("other", *piece[1:]) if piece[0] in SPIN_KINDS else piece for piece in pieces]
    return pieces


_FACT_MODIFIERS = frozenset(
    (
        "former late latter next last previous recent early earlier later future past current "
        "present total full whole entire only sole single multiple several many few more most "
        "less least other same own double twice triple hundreds thousands millions billions "
        "quarter alleged suspected acting interim deputy vice ex"
    ).split()
)
"""Modifiers that state a fact of their own (a time, a share, a rank, a count, a doubt):
dropped beside a swap they stay a deletion, never part of the swap."""


def _plain_modifier(document: Document, lo: int, hi: int) -> bool:
    """Whether word ``lo:hi`` of ``document`` is one plain lowercase word that may modify
    the phrase of the words right after it ("public" of "public authority"): nothing but
    a space between them, and no name, figure, date, negation,
    adverb or verb form ("-ly", "-ed", "-ing") or word that states a fact of its own
    ("second", "half", "former": ``_FACT_MODIFIERS``)."""
    if hi - lo != 1 or hi >= len(document.words):
        return False
    word = document.words[lo]
    if word in STOPWORDS or not word.isalpha() or word.endswith(("ly", "ed", "ing")):
        return False
    if word in _NUMBER_WORDS or word in _DATE_WORDS or word in _FACT_MODIFIERS:
        return False
    if date_name(word) is not None or _negating(word):  # "sat", "may"; "no", "never"
        return False
    start, end = document.char_span(lo, hi)
    return document.text[start:end].islower() and document.text[end : document.starts[hi]] == " "


def _adds_or_drops(pieces: list[_Piece], old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """Whether a cover adds or drops content words apart from any swap ("swam" -> "swam slowly").

    Words added or dropped next to a swap belong to it ("women" -> "adult
    females"); a run of nothing but them between unchanged words is an
    editor's addition or cut.
    """
    run: list[_Piece] = []
    for piece in [*pieces, _EQUAL_END]:
        if piece[0] not in ("equal", "spelling"):
            run.append(piece)
            continue
        if run and all(a0 == a1 or b0 == b1 for _, a0, a1, b0, b1 in run):
            words = [w for _, a0, a1, b0, b1 in run for w in old[a0:a1] + new[b0:b1]]
            if any(w not in STOPWORDS for w in words):
                return True
        run = []
    return False


_UNCHANGED = frozenset({"equal", "spelling"})  # pieces that change no word


def _day_beside_an_edit(
    before: list[Any], after: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether of two neighbouring edits one only adds or drops day or month words
    ("yesterday", "Friday", "June") and the other changes words: they stay apart
    ("yesterday morning" -> "forenoon" is "yesterday" dropped and "[forenoon|morning]",
    not one swap that hides a day)."""

    def days_only(piece: list[Any]) -> bool:
        _, a0, a1, b0, b1 = piece
        if a0 != a1 and b0 != b1:
            return False
        words = old[a0:a1] + new[b0:b1]
        return bool(words) and all(w in _DATE_WORDS for w in words)

    def changes(piece: list[Any]) -> bool:
        return piece[1] < piece[2] and piece[3] < piece[4]

    return (days_only(before) and changes(after)) or (days_only(after) and changes(before))


def _figure_beside_a_gap(
    before: list[Any], after: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether of two neighbouring edits one only adds or drops words and the other is
    one figure or date for another: they stay apart ("June 3 (Northwire)" -> "June 4" is "[4|3]"
    and "(Northwire)" dropped, not "[4|3 (Northwire]", a name in a number's change)."""

    def one_sided(piece: list[Any]) -> bool:
        return piece[1] == piece[2] or piece[3] == piece[4]

    def figure_for_figure(piece: list[Any]) -> bool:  # "3" -> "4"; not "40%" -> "40"
        _, a0, a1, b0, b1 = piece
        if date_runs(old[a0:a1]) == [(0, a1 - a0)] and date_runs(new[b0:b1]) == [(0, b1 - b0)]:
            return True  # a date for a date ("June 3" -> "4 June")
        if a1 - a0 != 1 or b1 - b0 != 1 or not (_has_digit(old[a0]) and _has_digit(new[b0])):
            return False
        before, after = _DIGITS.findall(old[a0]), _DIGITS.findall(new[b0])
        return len(before) == len(after) == 1 and before != after  # not "2" -> "2:31:12"

    return (one_sided(before) and figure_for_figure(after)) or (
        one_sided(after) and figure_for_figure(before)
    )


def _restyle_beside_a_word(
    before: list[Any], after: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether of two neighbouring one-word edits one writes a number another way and the
    other changes a word that is no number: they stay apart ("just 12" -> "only twelve"
    is "[only|just] [twelve|12]", not "[only twelve|just 12]")."""

    def one_for_one(piece: list[Any]) -> tuple[str, str] | None:
        _, a0, a1, b0, b1 = piece
        return (old[a0], new[b0]) if a1 - a0 == 1 and b1 - b0 == 1 else None

    def restyled(pair: tuple[str, str]) -> bool:
        value = number_value(pair[0])
        return value is not None and value == number_value(pair[1])

    pairs = one_for_one(before), one_for_one(after)
    if pairs[0] is None or pairs[1] is None:
        return False
    # The other pair names no number, date or currency ("12 May" -> "twelve June" is whole).
    return (restyled(pairs[0]) and not _names_a_number(pairs[1])) or (
        restyled(pairs[1]) and not _names_a_number(pairs[0])
    )


def _count_for_article(
    before: list[Any], swap: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether ``before``, a count added, dropped or written for an article right before
    ``swap``, states the same quantity as the article and the noun after it: "a decade"
    -> "ten years" is one swap, not "ten" added beside "{years|a decade}", nor "[a|ten]"
    beside "{decade|years}"; "one lawyer" -> "three attorneys" keeps its changed count."""
    if before[0] != "other" or before[2] != swap[1] or before[4] != swap[3]:
        return False
    _, a0, a1, b0, b1 = before
    if a1 - a0 > 1 or b1 - b0 > 1 or (a0 == a1 and b0 == b1):
        return False
    for words, lo, hi, at, end, others, o_lo, o_hi in (
        (old, a0, a1, swap[1], swap[2], new, b0, b1),
        (new, b0, b1, swap[3], swap[4], old, a0, a1),
    ):
        # This side's article: the word ``before`` holds, or else the swap's first word.
        article, noun_at = (words[lo], at) if hi > lo else (words[at], at + 1)
        count = others[o_lo] if o_hi > o_lo else None
        if count is None and article.lower() in _ARTICLES:
            continue  # the article is on the other side, if anywhere
        if article.lower() not in _ARTICLES or count is None or noun_at >= end:
            continue
        value = number_value(count.lower())
        if value is not None and value in _QUANTITY_NOUNS.get(words[noun_at].lower(), ()):
            return True
    return False


def _partitive_of(
    before: list[Any], gap: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether ``gap`` is a lone "of" dropped or added right after ``before``, whose
    words on that side end in a quantity ("Hundreds of residents" -> "Many occupants":
    "of" belongs to "Hundreds", not to "residents")."""
    _, a0, a1, b0, b1 = gap
    if before[2] != a0 or before[4] != b0:
        return False
    if a1 - a0 == 1 and b0 == b1 and old[a0].lower() == "of":
        words, lo, hi = old, before[1], before[2]
    elif b1 - b0 == 1 and a0 == a1 and new[b0].lower() == "of":
        words, lo, hi = new, before[3], before[4]
    else:
        return False
    return hi > lo and words[hi - 1].lower() in _PARTITIVE_HEADS


def _lone_possessive(gap: list[Any], old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """Whether ``gap`` is a lone possessive "'s", dropped or added."""
    _, a0, a1, b0, b1 = gap
    side = old[a0:a1] if b0 == b1 else new[b0:b1] if a0 == a1 else ()
    return len(side) == 1 and side[0] in ("'s", "\u2019s")


def _possessive_of(
    before: list[Any], gap: list[Any], old: tuple[str, ...], new: tuple[str, ...]
) -> bool:
    """Whether ``gap`` is a lone possessive "'s" dropped or added right after ``before``
    ("a children's charity" -> "a kids' philanthropy": "'s" belongs to "children",
    whose swap then reads "kids'", not to "charity")."""
    _, a0, _, b0, _ = gap
    return before[2] == a0 and before[4] == b0 and _lone_possessive(gap, old, new)


def _group(
    pieces: list[_Piece], old: tuple[str, ...], new: tuple[str, ...], *, joined: bool = False
) -> list[_Piece]:
    """Merge a cover's pieces into spans; ``old`` and ``new`` are the block's words.

    Unchanged words separate spans.  Between them, each synonym or phrase swap
    is a span of its own; a dropped or added function word joins the swap after
    it (or, at the end of a run, the one before), but an "of" after a quantity
    joins the piece before it ("[Many|Hundreds of]"), as does a possessive "'s"
    ("{kids'|children's}"), which after an unchanged owner joins nothing; other edits
    run together.  A dropped or added negation joins no swap: "would not cut jobs" -> "would slash
    occupations" is a swap and a "not" dropped, not "slash" for "not cut".  With
    ``joined`` (two sentences joined or one split right after the block), the words
    added or dropped at its end are an edit of their own.
    """

    def negates(gap: list[Any]) -> bool:  # words only dropped or only added, with a negation
        one_sided = gap[1] == gap[2] or gap[3] == gap[4]
        return one_sided and _negating(" ".join(old[gap[1] : gap[2]] + new[gap[3] : gap[4]]))

    runs: list[list[list]] = [[]]
    for kind, a0, a1, b0, b1 in pieces:
        if kind in ("equal", "spelling"):
            runs.append([])
        else:
            kind = kind if kind in SPIN_KINDS or kind == "gap" else "other"
            runs[-1].append([kind, a0, a1, b0, b1])
    groups: list[_Piece] = []
    for run in runs:
        merged: list[list] = []
        gap: list | None = None
        for piece in run:
            if piece[0] == "gap":
                gap = piece if gap is None else [gap[0], gap[1], piece[2], gap[3], piece[4]]
                continue
            if gap is not None and piece[0] in SPIN_KINDS and negates(gap):
                merged.append(["other", *gap[1:]])
                gap = None
            if gap is not None and _restyle_beside_a_word(gap, piece, old, new):
                merged.append(["other", *gap[1:]])
                gap = None
            if (
                gap is not None
                and merged
                and (
                    _partitive_of(merged[-1], gap, old, new)
                    or _possessive_of(merged[-1], gap, old, new)
                )
            ):
                merged[-1][2], merged[-1][4] = gap[2], gap[4]
                gap = None
            if gap is not None and not merged and _lone_possessive(gap, old, new):
                # The owner is unchanged ("James's book" -> "James' tome", "the council's
                # decision" -> "the council choice"): the "'s" is no part of the swap after.
                merged.append(["other", *gap[1:]])
                gap = None
            if gap is not None:
                piece[1], piece[3] = gap[1], gap[3]
                gap = None
            if (
                piece[0] in SPIN_KINDS
                and merged
                and _count_for_article(merged[-1], piece, old, new)
            ):
                counted = merged.pop()
                piece[1], piece[3] = counted[1], counted[3]
            if (
                merged
                and piece[0] == "other"
                and merged[-1][0] == "other"
                and not _figure_beside_a_gap(merged[-1], piece, old, new)
                and not _day_beside_an_edit(merged[-1], piece, old, new)
                and not _restyle_beside_a_word(merged[-1], piece, old, new)
            ):
                merged[-1][2], merged[-1][4] = piece[2], piece[4]
            else:
                merged.append(piece)
        if gap is not None:
            at_join = joined and run is runs[-1] and merged and merged[-1][0] in SPIN_KINDS
            if merged and not at_join and not (merged[-1][0] in SPIN_KINDS and negates(gap)):
                merged[-1][2], merged[-1][4] = gap[2], gap[4]
            else:
                merged.append(["other", *gap[1:]])
        groups.extend(tuple(g) for g in merged)  # type: ignore[misc]
    return groups


def _sentence_of(doc: Document, k: int) -> int:
    """The index of the sentence holding word ``k``."""
    return bisect_left(doc.sentences, (k + 1,)) - 1


def _starts_sentence(doc: Document, k: int) -> bool:
    """Whether word ``k`` opens a sentence of ``doc``."""
    return 0 <= k < len(doc) and doc.sentences[_sentence_of(doc, k)][0] == k


def _intact_sentences(alignment: Alignment, max_block: int) -> tuple[frozenset[int], int]:
    """The suspect sentences changed by short substitutions alone, and how many changed at all.

    Words added or dropped inside a sentence, and substitutions longer than
    ``max_block`` words, make its change more than swaps; whole sentences
    added or dropped leave their neighbours as they were and count as neither.
    """
    suspect, original = alignment.suspect, alignment.original
    s_bounds = _sentence_bounds(suspect)
    o_bounds = _sentence_bounds(original)
    swapped: set[int] = set()
    edited: set[int] = set()
    moved = _moved_words(alignment)
    for edit in alignment.edits:
        if edit.op == "equal" or edit in moved:
            continue
        s_lo, s_hi = edit.suspect_words
        o_lo, o_hi = edit.original_words
        if edit.op == "delete":
            if o_lo in o_bounds and o_hi in o_bounds:
                continue  # whole sentences dropped
            if s_lo not in s_bounds:
                edited.add(_sentence_of(suspect, s_lo))
                continue
            # Dropped between two suspect sentences: the end of the one before,
            # the start of the one after, or both.
            if o_lo not in o_bounds and s_lo > 0:
                edited.add(_sentence_of(suspect, s_lo - 1))
            if o_hi not in o_bounds and s_lo < len(suspect):
                edited.add(_sentence_of(suspect, s_lo))
            continue
        if edit.op == "insert" and s_lo in s_bounds and s_hi in s_bounds:
            continue  # whole sentences added
        touched = range(_sentence_of(suspect, s_lo), _sentence_of(suspect, s_hi - 1) + 1)
        if edit.op == "insert" or s_hi - s_lo > max_block or o_hi - o_lo > max_block:
            edited.update(touched)
        else:
            swapped.update(touched)
    return frozenset(swapped - edited), len(swapped | edited)


def _moved_words(alignment: Alignment) -> frozenset[Edit]:
    """The insert and delete edits that move a word within a sentence: one content word
    dropped in one place and added in another of one suspect sentence ("said Baker" ->
    "Baker said"), which restructures nothing.  A phrase moved ("On Friday, ..." ->
    "..., on Friday") is an editor's restructuring and counts as one."""
    suspect, original = alignment.suspect, alignment.original
    added: dict[tuple[int, str], Edit] = {}
    dropped: dict[tuple[int, str], Edit] = {}
    for edit in alignment.edits:
        s_lo, s_hi = edit.suspect_words
        o_lo, o_hi = edit.original_words
        if edit.op == "insert" and s_hi - s_lo == 1 and movable_word(suspect.words[s_lo]):
            added[(_sentence_of(suspect, s_lo), suspect.words[s_lo])] = edit
        elif edit.op == "delete" and o_hi - o_lo == 1 and movable_word(original.words[o_lo]):
            # Anchored in a sentence or between two: the end of one, the start of the next.
            for at in {max(0, s_lo - 1), min(s_lo, len(suspect) - 1)}:
                dropped[(_sentence_of(suspect, at), original.words[o_lo])] = edit
    both = added.keys() & dropped.keys()
    return frozenset([added[k] for k in both] + [dropped[k] for k in both])


def _another_count_or_day(a: str, b: str) -> bool:
    """Whether single words ``a`` and ``b`` are two counts ("eleven", "twelve"), two
    ranks ("third", "fourth"), two months, two weekdays or the two halves of the day
    ("am", "pm": Moby lists them as synonyms)."""
    if " " in a or " " in b:
        return False  # "billion" -> "one million million": a spinner's rewording
    if {a, b} == {"am", "pm"}:
        return True
    if (a in CARDINAL_WORDS and b in CARDINAL_WORDS) or (a in ORDINAL_WORDS and b in ORDINAL_WORDS):
        return number_value(a) != number_value(b)
    return date_name(a) is not None and date_name(b) is not None


def _other_currency(a: str, b: str) -> bool:
    """Whether words ``a`` and ``b`` name two different currencies ("dollars", "pounds")."""
    ca, cb = currency_of(a), currency_of(b)
    return ca is not None and cb is not None and ca != cb


def _names_a_number(words: tuple[str, ...]) -> bool:
    """Whether ``words`` hold a number, a date or a currency."""
    return any(
        _has_digit(w)
        or w in _NUMBER_WORDS
        or w in _DATE_WORDS
        or w in _AMBIGUOUS_MONTHS
        or currency_of(w) is not None
        or number_value(w) is not None  # "fifteenth" for "15th": a number restyled
        for w in words
    )


def _capitalised_by_place(
    alignment: Alignment, lexicon: Lexicon, o_lo: int, o_hi: int, s_lo: int, s_hi: int
) -> bool:
    """Whether a one-word edit's two words are capitalised only as their sentences' first
    words: the thesaurus knows the suspect's word, neither is a word people are called by,
    and neither text writes its word capitalised inside a sentence.  "Organisers" ->
    "Coordinators" is no name; "Smith said" -> "Jones said", "Amazon" -> "Walmart" and
    "Trump said" -> "Biden said" are names, and so is a word the text capitalises
    elsewhere ("President Trump")."""
    if o_hi - o_lo != 1 or s_hi - s_lo != 1:
        return False
    if not lexicon.form_ids(alignment.suspect.words[s_lo].lower()):
        return False
    from detector.names import person_names  # the name lists, read once

    names = person_names()
    return all(
        _starts_sentence(doc, k)
        and doc.words[k].replace("-", "").isalpha()
        and doc.words[k].lower() not in names
        and not _capitalised_inside(doc, doc.words[k])
        for doc, k in ((alignment.original, o_lo), (alignment.suspect, s_lo))
    )


def _capitalised_inside(doc: Document, word: str) -> bool:
    """Whether ``doc`` writes ``word`` capitalised other than as a sentence's first word."""
    return any(w == word and written_as_name(doc, k) for k, w in enumerate(doc.words))


def _is_capitalised(doc: Document, k: int) -> bool:
    return doc.text[doc.starts[k]].isupper()


def _ordinary_kind(
    suspect: Document, original: Document, o_lo: int, o_hi: int, s_lo: int, s_hi: int
) -> SpanKind:
    words = original.words[o_lo:o_hi] + suspect.words[s_lo:s_hi]
    if max(o_hi - o_lo, s_hi - s_lo) > _LONGEST_NUMBER_EDIT:
        return "edit"  # a clause rewritten round a figure; the note names a changed one
    has_number = any(_has_digit(w) or w in _NUMBER_WORDS for w in words)
    if has_number or any(w in _DATE_WORDS for w in words):
        return "number"
    if any(
        _other_currency(a, b) for a in original.words[o_lo:o_hi] for b in suspect.words[s_lo:s_hi]
    ):
        return "number"  # an amount in another currency
    if any(w in _AMBIGUOUS_MONTHS for w in words) and (
        _has_digit(" ".join(original.words[max(0, o_lo - 1) : o_hi + 1]))
        or _has_digit(" ".join(suspect.words[max(0, s_lo - 1) : s_hi + 1]))
    ):
        return "number"
    content_caps = [
        _is_capitalised(doc, k)
        for doc, lo, hi in ((original, o_lo, o_hi), (suspect, s_lo, s_hi))
        for k in range(lo, hi)
        if doc.words[k] not in STOPWORDS
    ]
    if content_caps and all(content_caps):
        return "name"
    return "edit"


# ---------------------------------------------------------------------- gaps


_OPENING = frozenset("\"'([{<\u201c\u2018")
_CLOSING_SENTENCE = frozenset(".,;:!?")


def _marks_held(document: Document, lo: int, hi: int) -> tuple[int, int]:
    """The characters of words ``lo`` to ``hi`` with the marks that belong to them: opening
    quotes and brackets before, and what follows up to a space other than a sentence's
    punctuation (``<b>bold</b>.`` keeps its ``>``, leaves its full stop)."""
    text = document.text
    start, end = document.char_span(lo, hi)
    left = document.ends[lo - 1] if lo > 0 else 0
    right = document.starts[hi] if hi < len(document.words) else len(text)
    while start > left and text[start - 1] in _OPENING:
        start -= 1
    while end < right and not text[end].isspace() and text[end] not in _CLOSING_SENTENCE:
        end += 1
    return start, end


def find_gaps(
    alignment: Alignment, spans: tuple[Span, ...] = (), dropped: tuple[Edit, ...] = ()
) -> tuple[tuple[Span, ...], tuple[Deletion, ...]]:
    """The suspect's added words (``insert`` spans) and the original text it dropped.

    Added and dropped words already inside one of the judged ``spans`` (a glue
    phrase widened over an added word) are left out, and so is an added sentence
    whose words are those of a dropped one (a short sentence left unpaired);
    neighbouring added or dropped words and sentences make one gap.  A whole
    added or dropped sentence takes the punctuation around it (quotes, brackets,
    its full stop), and the point where it would sit on the other side follows
    the full stop of the sentence before.  Words are letters and digits, so
    spaces and punctuation alone never make a gap.  ``dropped`` adds the words
    dropped inside substitutions (``SubstitutionJudge.judge_with_drops``).
    """
    gaps = [e for e in alignment.edits if e.op == "insert" or e.op == "delete"]
    gaps += dropped
    gaps.sort(key=lambda e: (e.suspect_words[0], e.original_words[0]))
    if not gaps:
        return (), ()
    suspect, original = alignment.suspect, alignment.original
    s_bounds = _sentence_bounds(suspect)
    o_bounds = _sentence_bounds(original)
    s_taken = sorted((s.start, s.end) for s in spans if s.start < s.end)
    o_taken = sorted(
        (s.original_start, s.original_end) for s in spans if s.original_start < s.original_end
    )
    # Each gap as [lo, hi, at]: its words on its own side, the word it sits before on the other.
    added: list[list[int]] = []
    dropped: list[list[int]] = []
    for edit in gaps:
        if edit.op == "insert":
            (lo, hi), at = edit.suspect_words, edit.original_words[0]
            if lo < hi and not _overlaps(s_taken, *edit.suspect_chars):
                added.append([lo, hi, at])
        else:
            (lo, hi), at = edit.original_words, edit.suspect_words[0]
            if lo < hi and not _overlaps(o_taken, *edit.original_chars):
                dropped.append([lo, hi, at])
    if added and dropped:
        added, dropped = _unpaired_repeats(added, dropped, suspect, original)
    inserts = []
    for lo, hi, at in _joined(added):
        whole = lo in s_bounds and hi in s_bounds
        start, end = suspect.padded_span(lo, hi) if whole else _marks_held(suspect, lo, hi)
        point = _point(original, at, (whole and at in o_bounds) or _after_mark(suspect, lo))
        inserts.append(Span.added(suspect.text, start, end, point))
    deletions = []
    for lo, hi, at in _joined(dropped):
        whole = lo in o_bounds and hi in o_bounds
        o_start, o_end = original.padded_span(lo, hi) if whole else original.char_span(lo, hi)
        start = _point(suspect, at, (whole and at in s_bounds) or _after_mark(original, lo))
        if not whole and hi in o_bounds and 0 < at in s_bounds and _after_mark(original, lo):
            # A clause cut from a sentence's end goes before its full stop, with its comma
            # ("evening[-, and officials banned ...-]. Health"), not after the stop; after
            # a closing quote or bracket both texts keep ("comes"[-, and ...-]).
            o_start = _past_closing(original.text, original.ends[lo - 1], o_end)
            limit = suspect.starts[at] if at < len(suspect.words) else len(suspect.text)
            start = _past_closing(suspect.text, suspect.ends[at - 1], limit)
        deletions.append(Deletion(o_start, o_end, original.text[o_start:o_end], start))
    return tuple(inserts), tuple(deletions)


_CLOSING_MARKS = frozenset("\"')]}\u201d\u2019")


def _past_closing(text: str, at: int, limit: int) -> int:
    """``at`` moved past the closing quotes and brackets that follow it (before ``limit``)."""
    while at < limit and text[at] in _CLOSING_MARKS:
        at += 1
    return at


def _unpaired_repeats(
    added: list[list[int]], dropped: list[list[int]], suspect: Document, original: Document
) -> tuple[list[list[int]], list[list[int]]]:
    """``added`` and ``dropped`` less the whole sentences found, word for word, on both sides."""
    s_sentences, o_sentences = set(suspect.sentences), set(original.sentences)
    waiting: dict[tuple[str, ...], list[int]] = {}
    for k, (lo, hi, _) in enumerate(dropped):
        if (lo, hi) in o_sentences:
            waiting.setdefault(original.words[lo:hi], []).append(k)
    if not waiting:
        return added, dropped
    gone: set[int] = set()
    kept = []
    for gap in added:
        same = (
            waiting.get(suspect.words[gap[0] : gap[1]]) if tuple(gap[:2]) in s_sentences else None
        )
        if same:
            gone.add(same.pop(0))
        else:
            kept.append(gap)
    return kept, [gap for k, gap in enumerate(dropped) if k not in gone]


def _joined(gaps: list[list[int]]) -> list[list[int]]:
    """Gaps that follow on from each other at the same point on the other side, as one."""
    joined: list[list[int]] = []
    for lo, hi, at in gaps:
        if joined and joined[-1][1] == lo and joined[-1][2] == at:
            joined[-1][1] = hi
        else:
            joined.append([lo, hi, at])
    return joined


def _sentence_bounds(doc: Document) -> frozenset[int]:
    """The word indices at which a sentence starts, and the document's end."""
    return frozenset([lo for lo, _ in doc.sentences] + [len(doc)])


def _overlaps(ranges: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """Whether ``lo..hi`` overlaps one of the sorted, disjoint character ``ranges``."""
    k = bisect_left(ranges, (hi,))
    return k > 0 and ranges[k - 1][1] > lo


def _after_mark(doc: Document, lo: int) -> bool:
    """Whether punctuation separates word ``lo`` from the word before it ("regions," Mr)."""
    return lo > 0 and not doc.text[doc.ends[lo - 1] : doc.starts[lo]].isspace()


def _point(doc: Document, at: int, after_mark: bool) -> int:
    """The offset of a gap before word ``at``: after the word before it, or after its punctuation.

    ``after_mark`` puts the gap after the marks that close the word before (its
    full stop, a comma and a closing quote), as the other side has them there.
    """
    if at == 0:
        return 0
    point = doc.ends[at - 1]
    if after_mark:
        limit = doc.starts[at] if at < len(doc) else len(doc.text)
        while point < limit and not doc.text[point].isspace():
            point += 1
    return point
